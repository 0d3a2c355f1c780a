//! The day's figures minute by minute, and the verdict: does anything grow without bound
//! within one process's life, and were the hall's rules kept.

use super::hall::Sample;
use super::record::{Answer, Kind};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// One minute of the run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Minute {
    pub(crate) minute: usize,
    /// The simulated hour of the day at the minute's end.
    pub(crate) hour: f64,
    pub(crate) sample: Sample,
    /// Largest outbox backlog seen during the minute.
    pub(crate) outbox_max: u64,
    pub(crate) tickets: usize,
    pub(crate) calls: usize,
    pub(crate) ticket_p99_ms: f64,
    pub(crate) call_p99_ms: f64,
    /// Requests that got no answer or a 5xx (restarts).
    pub(crate) failed: usize,
    /// A restart of the broker or the controller happened in this minute or the one before.
    pub(crate) disturbed: bool,
}

fn p99_ms(mut v: Vec<Duration>) -> f64 {
    v.sort();
    crate::loads::pct(&v, 0.99).as_secs_f64() * 1000.0
}

/// Per-minute figures from the samples (seconds into the run, reading), the answers and
/// the restarts (seconds into the run).
pub(crate) fn minutes(
    samples: &[(f64, Sample)],
    answers: &[Answer],
    restarts: &[f64],
    hour_at: impl Fn(f64) -> f64,
    count: usize,
) -> Vec<Minute> {
    (0..count)
        .map(|m| {
            let (a, b) = (m as f64 * 60.0, (m + 1) as f64 * 60.0);
            let inside = |t: f64| t >= a && t < b;
            let in_min: Vec<&Sample> = samples
                .iter()
                .filter(|(t, _)| inside(*t))
                .map(|(_, s)| s)
                .collect();
            let lat = |k: Kind| -> Vec<Duration> {
                answers
                    .iter()
                    .filter(|x| inside(x.at_s) && x.kind == k && x.status != 0 && x.status < 500)
                    .map(|x| x.took)
                    .collect()
            };
            let ok = |k: Kind, s: u16| {
                answers
                    .iter()
                    .filter(|x| inside(x.at_s) && x.kind == k && x.status == s)
                    .count()
            };
            Minute {
                minute: m + 1,
                hour: hour_at(b),
                sample: in_min.last().map(|s| (*s).clone()).unwrap_or_default(),
                outbox_max: in_min.iter().filter_map(|s| s.outbox).max().unwrap_or(0),
                tickets: ok(Kind::Ticket, 201) + ok(Kind::Checkin, 201),
                calls: ok(Kind::Call, 200),
                ticket_p99_ms: p99_ms(lat(Kind::Ticket)),
                call_p99_ms: p99_ms(lat(Kind::Call)),
                failed: answers
                    .iter()
                    .filter(|x| inside(x.at_s) && (x.status == 0 || x.status >= 500))
                    .count(),
                disturbed: restarts.iter().any(|r| *r < b && *r >= a - 60.0),
            }
        })
        .collect()
}

/// Whether `series` (one value a minute through one process's life, warm-up left out)
/// still grows: split into thirds, each third's largest value exceeds the previous third's
/// by more than `rel` of it plus `abs`. A bounded cache fills and stops; a leak keeps on.
pub(crate) fn grows(series: &[f64], rel: f64, abs: f64) -> bool {
    if series.len() < 6 {
        return false;
    }
    let n = series.len() / 3;
    let max = |s: &[f64]| s.iter().copied().fold(f64::MIN, f64::max);
    let thirds = [
        max(&series[..n]),
        max(&series[n..2 * n]),
        max(&series[2 * n..]),
    ];
    thirds.windows(2).all(|w| w[1] > w[0] * (1.0 + rel) + abs)
}

/// The minutes of each process's life (split at the controller's restarts), the first
/// `warm_up` of each left out.
pub(crate) fn lives(
    minutes: &[Minute],
    restarts_min: &[usize],
    warm_up: usize,
) -> Vec<Vec<Minute>> {
    let mut cuts = vec![0];
    cuts.extend(restarts_min.iter().copied());
    cuts.push(minutes.len());
    cuts.windows(2)
        .map(|w| {
            minutes
                .iter()
                .filter(|m| m.minute > w[0] + warm_up && m.minute <= w[1])
                .cloned()
                .collect()
        })
        .collect()
}

/// Findings of the growth checks, one line each (empty: nothing grows).
pub(crate) fn growth(lives: &[Vec<Minute>]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, life) in lives.iter().enumerate() {
        let series = |f: fn(&Minute) -> f64| life.iter().map(f).collect::<Vec<_>>();
        let checks: [(&str, Vec<f64>, f64, f64); 3] = [
            ("RSS (MB)", series(|m| m.sample.rss_mb), 0.05, 3.0),
            ("open fds", series(|m| m.sample.fds as f64), 0.0, 5.0),
            ("WAL (MB)", series(|m| m.sample.wal_mb), 0.10, 1.0),
        ];
        for (name, s, rel, abs) in checks {
            if grows(&s, rel, abs) {
                found.push(format!(
                    "process {}: {name} grows all along: {s:.1?}",
                    i + 1
                ));
            }
        }
        // The database grows with what it records; per ticket it must not.
        let per_ticket: Vec<f64> = life
            .windows(2)
            .map(|w| {
                let t = w[1].tickets.max(1) as f64;
                (w[1].sample.db_mb - w[0].sample.db_mb).max(0.0) * 1e6 / t
            })
            .collect();
        if grows(&per_ticket, 0.5, 1024.0) {
            found.push(format!(
                "process {}: database bytes per ticket grow: {per_ticket:.0?}",
                i + 1
            ));
        }
        let calm: Vec<&Minute> = life.iter().filter(|m| !m.disturbed).collect();
        if let Some(m) = calm.iter().find(|m| m.outbox_max > 200) {
            found.push(format!(
                "minute {}: {} events waiting in the outbox with the broker up",
                m.minute, m.outbox_max
            ));
        }
        for (what, p99) in [
            (
                "ticket",
                calm.iter().map(|m| m.ticket_p99_ms).collect::<Vec<_>>(),
            ),
            ("call", calm.iter().map(|m| m.call_p99_ms).collect()),
        ] {
            if let Some((first, last)) = rises(&p99) {
                found.push(format!(
                    "process {}: {what} p99 rose from {first:.0} ms to {last:.0} ms",
                    i + 1
                ));
            }
        }
    }
    found
}

/// The medians of the first and the last third of per-minute p99s, when the last is above
/// twice the first + 25 ms: latency that rises with the process's age.
fn rises(p99: &[f64]) -> Option<(f64, f64)> {
    if p99.len() < 6 {
        return None;
    }
    let n = p99.len() / 3;
    let median = |s: &[f64]| {
        let mut s = s.to_vec();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    };
    let (first, last) = (median(&p99[..n]), median(&p99[2 * n..]));
    (last > 2.0 * first + 25.0).then_some((first, last))
}

/// Tickets whose (day, service/number) was issued more than once.
pub(crate) fn numbers_twice<'a>(tickets: impl Iterator<Item = (&'a str, &'a str)>) -> usize {
    let mut seen = HashSet::new();
    tickets.filter(|t| !seen.insert(*t)).count()
}

/// Calls acknowledged but never heard on the broker, and windows whose calls were heard
/// out of the order they were made.
pub(crate) fn calls_heard(
    acked: &[(String, String)],
    heard: &[(String, String)],
) -> (usize, usize) {
    let mut first_heard: Vec<&(String, String)> = Vec::new();
    let mut seen = HashSet::new();
    for h in heard {
        if seen.insert(h) {
            first_heard.push(h);
        }
    }
    let unheard = acked.iter().filter(|a| !seen.contains(a)).count();
    let by_window = |v: &[&(String, String)]| {
        let mut m: HashMap<String, Vec<String>> = HashMap::new();
        for (w, n) in v {
            m.entry(w.clone()).or_default().push(n.clone());
        }
        m
    };
    let acked_refs: Vec<&(String, String)> = acked.iter().filter(|a| seen.contains(a)).collect();
    let (made, got) = (by_window(&acked_refs), by_window(&first_heard));
    let out_of_order = made
        .iter()
        .filter(|(w, calls)| {
            let heard: Vec<&String> = got
                .get(*w)
                .into_iter()
                .flatten()
                .filter(|n| calls.contains(n))
                .collect();
            heard != calls.iter().collect::<Vec<_>>()
        })
        .count();
    (unheard, out_of_order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leak_grows_a_filling_cache_does_not() {
        let leak: Vec<f64> = (0..15).map(|m| 40.0 + 2.0 * m as f64).collect();
        let cache: Vec<f64> = (0..15)
            .map(|m| 40.0 + 20.0 * (m.min(5) as f64) / 5.0)
            .collect();
        let noise: Vec<f64> = (0..15).map(|m| 60.0 + (m % 3) as f64).collect();
        assert!(grows(&leak, 0.05, 3.0));
        assert!(!grows(&cache, 0.05, 3.0));
        assert!(!grows(&noise, 0.05, 3.0));
        assert!(!grows(&leak[..5], 0.05, 3.0), "too short to say");
    }

    #[test]
    fn rising_latency_is_found_noise_is_not() {
        let steady = [30.0, 45.0, 28.0, 60.0, 33.0, 41.0, 29.0, 52.0, 35.0];
        assert_eq!(rises(&steady), None);
        // The PostgreSQL day's first process: calls 58 ms → 1.3 s.
        let rising = [
            58.0, 72.0, 78.0, 56.0, 67.0, 78.0, 95.0, 145.0, 531.0, 804.0, 947.0, 1277.0,
        ];
        assert!(rises(&rising).is_some());
    }

    #[test]
    fn numbers_twice_and_calls_heard() {
        let t = [
            ("d1", "A/A001"),
            ("d1", "A/A002"),
            ("d2", "A/A001"),
            ("d1", "A/A001"),
        ];
        assert_eq!(numbers_twice(t.into_iter()), 1);
        let c = |w: &str, n: &str| (w.to_string(), n.to_string());
        let acked = vec![c("1", "A001"), c("2", "B001"), c("1", "A002")];
        let heard = vec![
            c("1", "A001"),
            c("1", "A001"),
            c("1", "A002"),
            c("2", "B001"),
        ];
        assert_eq!(calls_heard(&acked, &heard), (0, 0));
        let swapped = vec![c("1", "A002"), c("1", "A001"), c("2", "B001")];
        assert_eq!(calls_heard(&acked, &swapped), (0, 1));
        assert_eq!(calls_heard(&acked, &heard[..2]), (2, 0));
    }

    #[test]
    fn lives_split_at_restarts_without_warm_up() {
        let ms: Vec<Minute> = (1..=10)
            .map(|m| Minute {
                minute: m,
                ..Minute::default()
            })
            .collect();
        let l = lives(&ms, &[6], 2);
        let ids = |v: &Vec<Minute>| v.iter().map(|m| m.minute).collect::<Vec<_>>();
        assert_eq!(ids(&l[0]), vec![3, 4, 5, 6]);
        assert_eq!(ids(&l[1]), vec![9, 10]);
    }
}
