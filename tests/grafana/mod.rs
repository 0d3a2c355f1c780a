//! The Grafana dashboard `deploy/grafana/hallq-hall.json` as the tests see it: its shape,
//! every PromQL query it holds, the metric names those queries read (a small PromQL
//! tokenizer) and the names a `/metrics` exposition offers.
#![allow(dead_code)]

pub mod promql;

pub use promql::{metric_names, variable_query_names};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Where the dashboard lives in the repository.
pub const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/deploy/grafana/hallq-hall.json"
);

/// The dashboard, parsed.
pub fn load() -> Value {
    let text = std::fs::read_to_string(PATH).expect("the dashboard file");
    serde_json::from_str(&text).expect("the dashboard is JSON")
}

/// One query of the dashboard: where it is, and its text.
#[derive(Debug, Clone)]
pub struct Query {
    /// Panel title and refId, or the variable's name.
    pub place: String,
    /// PromQL, or a Grafana variable query.
    pub expr: String,
    /// A template variable's query rather than a panel's.
    pub variable: bool,
}

/// Every panel, rows' nested panels included.
pub fn panels(dash: &Value) -> Vec<&Value> {
    fn walk<'a>(list: &'a Value, out: &mut Vec<&'a Value>) {
        for p in list.as_array().into_iter().flatten() {
            out.push(p);
            walk(&p["panels"], out);
        }
    }
    let mut out = Vec::new();
    walk(&dash["panels"], &mut out);
    out
}

/// Every query: each panel target's `expr` and each query variable's query.
pub fn queries(dash: &Value) -> Vec<Query> {
    let mut out = Vec::new();
    for p in panels(dash) {
        for t in p["targets"].as_array().into_iter().flatten() {
            out.push(Query {
                place: format!(
                    "panel {:?} target {}",
                    p["title"].as_str().unwrap_or_default(),
                    t["refId"].as_str().unwrap_or_default()
                ),
                expr: t["expr"].as_str().unwrap_or_default().to_string(),
                variable: false,
            });
        }
    }
    for v in dash["templating"]["list"].as_array().into_iter().flatten() {
        if v["type"] == "query" {
            let q = v["query"]["query"].as_str().or(v["query"].as_str());
            out.push(Query {
                place: format!("variable {}", v["name"].as_str().unwrap_or_default()),
                expr: q.unwrap_or_default().to_string(),
                variable: true,
            });
        }
    }
    out
}

/// What is wrong with the dashboard's shape (empty when nothing).
pub fn shape_problems(dash: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    if dash["title"].as_str().is_none_or(str::is_empty) {
        bad.push("no title".to_string());
    }
    let uid = dash["uid"].as_str().unwrap_or_default();
    let uid_ok = uid
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
    if uid.is_empty() || uid.len() > 40 || !uid_ok {
        bad.push(format!("uid {uid:?} is not 1-40 of [A-Za-z0-9_-]"));
    }
    if dash["schemaVersion"].as_u64().is_none_or(|v| v < 36) {
        bad.push("schemaVersion missing or older than Grafana 9".to_string());
    }
    let vars = dash["templating"]["list"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ds_var = vars
        .iter()
        .find(|v| v["type"] == "datasource" && v["query"] == "prometheus");
    let Some(ds_var) = ds_var else {
        bad.push("no Prometheus data source variable".to_string());
        return bad;
    };
    let ds_uid = format!("${{{}}}", ds_var["name"].as_str().unwrap_or_default());
    let ds_ok = |d: &Value| d["type"] == "prometheus" && d["uid"] == ds_uid.as_str();
    for v in vars.iter().filter(|v| v["type"] == "query") {
        if !ds_ok(&v["datasource"]) {
            bad.push(format!("variable {} does not use {ds_uid}", v["name"]));
        }
    }
    let all = panels(dash);
    if all.iter().all(|p| p["type"] == "row") {
        bad.push("no panels".to_string());
    }
    let mut ids = BTreeSet::new();
    for p in all {
        let title = p["title"].as_str().unwrap_or_default();
        let chinese_first = title.chars().next().is_some_and(|c| c >= '\u{4e00}');
        if !chinese_first || !title.chars().any(|c| c.is_ascii_alphabetic()) {
            bad.push(format!(
                "title {title:?} is not Chinese first, then English"
            ));
        }
        if !p["id"].as_u64().is_some_and(|id| ids.insert(id)) {
            bad.push(format!("{title:?}: id missing or repeated"));
        }
        let g = &p["gridPos"];
        let (x, w) = (g["x"].as_u64(), g["w"].as_u64());
        if g["h"].as_u64().is_none()
            || g["y"].as_u64().is_none()
            || x.zip(w).is_none_or(|(x, w)| x + w > 24)
        {
            bad.push(format!("{title:?}: gridPos missing or wider than 24"));
        }
        if p["type"] == "row" {
            if p.get("targets").is_some() {
                bad.push(format!("row {title:?} has targets"));
            }
            continue;
        }
        if !ds_ok(&p["datasource"]) {
            bad.push(format!("{title:?}: data source is not {ds_uid}"));
        }
        let targets = p["targets"].as_array().cloned().unwrap_or_default();
        if targets.is_empty() {
            bad.push(format!("{title:?}: no targets"));
        }
        let mut refs = BTreeSet::new();
        for t in &targets {
            if !t["refId"]
                .as_str()
                .is_some_and(|r| !r.is_empty() && refs.insert(r.to_string()))
            {
                bad.push(format!("{title:?}: refId missing or repeated"));
            }
            if t["expr"].as_str().is_none_or(|e| e.trim().is_empty()) {
                bad.push(format!("{title:?}: target without expr"));
            }
            if t.get("datasource").is_some_and(|d| !ds_ok(d)) {
                bad.push(format!("{title:?}: a target's data source is not {ds_uid}"));
            }
        }
    }
    bad
}

/// What an exposition offers: every sample name, and each family's TYPE.
#[derive(Debug, Default)]
pub struct Exposed {
    /// Names of the sample lines (`x_bucket`, `x_sum`, `x_count` for histograms).
    pub samples: BTreeSet<String>,
    /// Family name → type, from the `# TYPE` lines.
    pub types: BTreeMap<String, String>,
}

/// Reads the names out of a text exposition (0.0.4 or OpenMetrics).
pub fn exposed(text: &str) -> Exposed {
    let mut out = Exposed::default();
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("# TYPE ") {
            if let Some((name, kind)) = t.split_once(' ') {
                out.types.insert(name.to_string(), kind.to_string());
            }
        } else if !line.starts_with('#') && !line.is_empty() {
            let end = line.find(['{', ' ']).unwrap_or(line.len());
            out.samples.insert(line[..end].to_string());
        }
    }
    out
}

/// Problems with the metric names the dashboard's queries read, against an exposition:
/// names not exposed (a histogram's bare name is one: queries read `_bucket`, `_sum` or
/// `_count`), queries that do not parse, and queries that read no metric at all.
pub fn name_problems(dash: &Value, exposed: &Exposed) -> Vec<String> {
    let mut bad = Vec::new();
    for q in queries(dash) {
        let names = if q.variable {
            variable_query_names(&q.expr)
        } else {
            metric_names(&q.expr)
        };
        match names {
            Err(e) => bad.push(format!("{}: {e} in {:?}", q.place, q.expr)),
            Ok(n) if n.is_empty() => {
                bad.push(format!("{}: reads no metric: {:?}", q.place, q.expr))
            }
            Ok(names) => {
                for n in names.iter().filter(|n| !exposed.samples.contains(*n)) {
                    let hint = match exposed.types.get(n.as_str()) {
                        Some(t) if t == "histogram" => {
                            " (a histogram: read _bucket, _sum or _count)"
                        }
                        _ => "",
                    };
                    bad.push(format!("{}: {n} is not exposed by /metrics{hint}", q.place));
                }
            }
        }
    }
    bad
}

/// The sample names (with a family's `_bucket`/`_sum`/`_count` folded to the family) the
/// dashboard reads.
pub fn families_read(dash: &Value, exposed: &Exposed) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for q in queries(dash).into_iter().filter(|q| !q.variable) {
        for n in metric_names(&q.expr).unwrap_or_default() {
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| {
                    n.strip_suffix(s)
                        .filter(|f| exposed.types.get(*f).is_some_and(|t| t == "histogram"))
                })
                .map_or(n.clone(), str::to_string);
            out.insert(family);
        }
    }
    out
}
