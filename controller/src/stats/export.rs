//! The statistics as CSV for Excel, written by the `csv` crate from one named row type.

use super::{Share, Stats};
use serde::Serialize;

/// One line of the export. Every line has every column; a section leaves the columns it
/// does not use empty.
#[derive(Debug, Default, Serialize)]
struct CsvRow<'a> {
    section: &'a str,
    from: &'a str,
    to: &'a str,
    service: Option<&'a str>,
    service_name: Option<String>,
    window: Option<&'a str>,
    hour: Option<u32>,
    count: Option<i64>,
    whole: Option<i64>,
    /// Seconds with one decimal.
    mean_s: Option<String>,
    /// Seconds with one decimal.
    p90_s: Option<String>,
    /// A share with four decimals.
    rate: Option<String>,
    clerk: Option<&'a str>,
    /// Started and finished.
    served: Option<i64>,
    /// Did not come.
    no_show: Option<i64>,
    /// Closed without being started.
    not_started: Option<i64>,
}

/// Milliseconds as seconds with one decimal.
fn secs(ms: Option<i64>) -> Option<String> {
    ms.map(|v| format!("{:.1}", v as f64 / 1000.0))
}

/// The CSV export: a UTF-8 BOM (so Excel reads the Chinese names), one header row, then
/// rows tagged by `section`: `hour` (one per service × hour with tickets: `count`),
/// `service` (issued `count`, wait `mean_s`/`p90_s`), `window` (served `count`, service
/// time `mean_s`), `clerk` (per clerk and window, the clerk in its column: served
/// `count`, service time `mean_s`), `total` (issued `count`), `no_show` (no-shows `count`
/// of `whole` called, `rate`) and `punctuality` (punctual `count` of `whole` appointment
/// tickets, `rate`). `service`, `window`, `clerk` and `total` rows also carry the outcomes
/// apart in the last three columns: `served` (started and finished), `no_show`,
/// `not_started` (closed by a call without being started).
/// `name` maps a service id to its display name.
pub fn csv(s: &Stats, from: &str, to: &str, name: &dyn Fn(&str) -> String) -> String {
    let base = || CsvRow {
        from,
        to,
        ..CsvRow::default()
    };
    let mut rows = Vec::new();
    for h in &s.by_hour {
        rows.push(CsvRow {
            section: "hour",
            service: Some(&h.service),
            service_name: Some(name(&h.service)),
            hour: Some(h.hour),
            count: Some(h.count),
            ..base()
        });
    }
    for v in &s.services {
        rows.push(CsvRow {
            section: "service",
            service: Some(&v.service),
            service_name: Some(name(&v.service)),
            count: Some(v.issued),
            mean_s: secs(v.wait_mean_ms),
            p90_s: secs(v.wait_p90_ms),
            served: Some(v.served),
            no_show: Some(v.no_show),
            not_started: Some(v.not_started),
            ..base()
        });
    }
    for w in &s.windows {
        rows.push(CsvRow {
            section: "window",
            window: Some(&w.window),
            count: Some(w.served),
            mean_s: secs(w.service_mean_ms),
            served: Some(w.served),
            no_show: Some(w.no_show),
            not_started: Some(w.not_started),
            ..base()
        });
    }
    for c in &s.clerks {
        rows.push(CsvRow {
            section: "clerk",
            window: Some(&c.window),
            count: Some(c.served),
            mean_s: secs(c.service_mean_ms),
            clerk: Some(&c.clerk),
            served: Some(c.served),
            no_show: Some(c.no_show),
            not_started: Some(c.not_started),
            ..base()
        });
    }
    rows.push(CsvRow {
        section: "total",
        count: Some(s.total),
        served: Some(s.served),
        no_show: Some(s.no_show.part),
        not_started: Some(s.not_started),
        ..base()
    });
    let shares: [(&str, &Share); 2] = [("no_show", &s.no_show), ("punctuality", &s.punctuality)];
    for (section, sh) in shares {
        rows.push(CsvRow {
            section,
            count: Some(sh.part),
            whole: Some(sh.whole),
            rate: sh.rate.map(|v| format!("{v:.4}")),
            ..base()
        });
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::from("\u{feff}".as_bytes()));
    for r in &rows {
        // Writing serde rows into memory fails only on a bug in the row type.
        w.serialize(r).expect("CSV row");
    }
    let bytes = w.into_inner().expect("CSV into memory");
    String::from_utf8(bytes).expect("CSV of UTF-8 text")
}
