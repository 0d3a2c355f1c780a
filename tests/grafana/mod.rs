//! The Grafana dashboard `deploy/grafana/hallq-hall.json` as the tests see it: its shape,
//! every PromQL query it holds, the metric names those queries read (a small PromQL
//! tokenizer) and the names a `/metrics` exposition offers.
#![allow(dead_code)]

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

/// PromQL functions (Prometheus 2.x and 3.x), including `start()`/`end()` of `@`.
const FUNCTIONS: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "count_over_time",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "deg",
    "delta",
    "deriv",
    "double_exponential_smoothing",
    "end",
    "exp",
    "floor",
    "histogram_avg",
    "histogram_count",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_sum",
    "holt_winters",
    "hour",
    "idelta",
    "increase",
    "info",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "mad_over_time",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "pi",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "rate",
    "resets",
    "round",
    "scalar",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_by_label",
    "sort_by_label_desc",
    "sort_desc",
    "sqrt",
    "start",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "tan",
    "tanh",
    "time",
    "timestamp",
    "vector",
    "year",
];

/// Aggregation operators (case-insensitive in PromQL).
const AGGREGATIONS: &[&str] = &[
    "avg",
    "bottomk",
    "count",
    "count_values",
    "group",
    "limit_ratio",
    "limitk",
    "max",
    "min",
    "quantile",
    "stddev",
    "stdvar",
    "sum",
    "topk",
];

/// Keywords followed by a parenthesised list of label names.
const LABEL_LIST_KEYWORDS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// Other keywords and literals (case-insensitive).
const KEYWORDS: &[&str] = &[
    "and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
];

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Index just past the string literal opening at `i` (`"…"`, `'…'`, or raw `` `…` ``).
fn skip_string(s: &[char], i: usize) -> Result<usize, String> {
    let quote = s[i];
    let mut j = i + 1;
    while j < s.len() {
        match s[j] {
            '\\' if quote != '`' => j += 2,
            c if c == quote => return Ok(j + 1),
            _ => j += 1,
        }
    }
    Err(format!("unclosed string at {i}"))
}

/// Index just past the bracket closing the one at `i`, strings inside skipped.
fn skip_group(s: &[char], i: usize, open: char, close: char) -> Result<usize, String> {
    let mut depth = 0;
    let mut j = i;
    while j < s.len() {
        match s[j] {
            '"' | '\'' | '`' => j = skip_string(s, j)?,
            c => {
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(j + 1);
                    }
                }
                j += 1;
            }
        }
    }
    Err(format!("unclosed {open:?} at {i}"))
}

fn skip_ws(s: &[char], mut i: usize) -> usize {
    while i < s.len() && s[i].is_whitespace() {
        i += 1;
    }
    i
}

/// The label matchers `{…}` opening at `i`: returns the index past them and the metric
/// name a `__name__="…"` matcher gives, if any. Label names are never metric names.
fn label_matchers(s: &[char], i: usize) -> Result<(usize, Option<String>), String> {
    let mut j = skip_ws(s, i + 1);
    let mut name = None;
    while j < s.len() && s[j] != '}' {
        let start = j;
        while j < s.len() && is_ident(s[j]) {
            j += 1;
        }
        let label: String = s[start..j].iter().collect();
        if label.is_empty() {
            return Err(format!("label name expected at {start}"));
        }
        j = skip_ws(s, j);
        let op_start = j;
        while j < s.len() && matches!(s[j], '=' | '!' | '~') {
            j += 1;
        }
        let op: String = s[op_start..j].iter().collect();
        if !["=", "!=", "=~", "!~"].contains(&op.as_str()) {
            return Err(format!("bad matcher operator {op:?} at {op_start}"));
        }
        j = skip_ws(s, j);
        if j >= s.len() || !matches!(s[j], '"' | '\'' | '`') {
            return Err(format!("label value expected at {j}"));
        }
        let end = skip_string(s, j)?;
        if label == "__name__" && op == "=" {
            name = Some(s[j + 1..end - 1].iter().collect());
        }
        j = skip_ws(s, end);
        if j < s.len() && s[j] == ',' {
            j = skip_ws(s, j + 1);
        }
    }
    if j >= s.len() {
        return Err(format!("unclosed '{{' at {i}"));
    }
    Ok((j + 1, name))
}

/// The metric names a PromQL expression reads: identifiers that are not functions,
/// aggregation operators, keywords, label names (in `{…}` and in `by (…)`-like lists),
/// numbers, durations, strings or Grafana variables (`$x`, `${x}`, `$__rate_interval`).
/// An identifier called like a function that PromQL does not know is an error.
pub fn metric_names(expr: &str) -> Result<Vec<String>, String> {
    let s: Vec<char> = expr.chars().collect();
    let mut names = Vec::new();
    let mut depth = 0_i32;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == '(' || c == ')' {
            depth += if c == '(' { 1 } else { -1 };
            if depth < 0 {
                return Err(format!("unbalanced ')' at {i}"));
            }
            i += 1;
        } else if c == '"' || c == '\'' || c == '`' {
            i = skip_string(&s, i)?;
        } else if c == '#' {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '$' {
            i += 1;
            if i < s.len() && s[i] == '{' {
                i = skip_group(&s, i, '{', '}')?;
            } else {
                while i < s.len() && is_ident(s[i]) {
                    i += 1;
                }
            }
        } else if c == '[' {
            i = skip_group(&s, i, '[', ']')?;
        } else if c == '{' {
            let (end, name) = label_matchers(&s, i)?;
            names.extend(name);
            i = end;
        } else if c.is_ascii_digit() || (c == '.' && s.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            // A number or a duration (1e-3, 0x1f, 5m, 1h30m).
            i += 1;
            while i < s.len()
                && (is_ident(s[i])
                    || s[i] == '.'
                    || (matches!(s[i], '+' | '-') && matches!(s[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
        } else if is_ident_start(c) {
            let start = i;
            while i < s.len() && is_ident(s[i]) {
                i += 1;
            }
            let word: String = s[start..i].iter().collect();
            let lower = word.to_ascii_lowercase();
            let next = skip_ws(&s, i);
            let called = s.get(next) == Some(&'(');
            if LABEL_LIST_KEYWORDS.contains(&lower.as_str()) {
                if called {
                    i = skip_group(&s, next, '(', ')')?;
                }
            } else if KEYWORDS.contains(&lower.as_str()) || AGGREGATIONS.contains(&lower.as_str()) {
            } else if called {
                if !FUNCTIONS.contains(&word.as_str()) {
                    return Err(format!("unknown PromQL function {word:?}"));
                }
            } else {
                names.push(word);
            }
        } else {
            i += 1;
        }
    }
    if depth != 0 {
        return Err("unclosed '('".to_string());
    }
    Ok(names)
}

/// The metric names a Grafana variable query reads (`label_values(metric, label)`,
/// `query_result(expr)`; `label_values(label)`, `label_names()`, `metrics(re)` read none).
pub fn variable_query_names(q: &str) -> Result<Vec<String>, String> {
    let q = q.trim();
    let inner = |prefix: &str| {
        q.strip_prefix(prefix)
            .and_then(|r| r.trim_start().strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
    };
    if let Some(args) = inner("label_values") {
        return match args.rsplit_once(',') {
            Some((selector, _label)) => metric_names(selector),
            None => Ok(Vec::new()),
        };
    }
    if let Some(expr) = inner("query_result") {
        return metric_names(expr);
    }
    if inner("label_names").is_some() || inner("metrics").is_some() {
        return Ok(Vec::new());
    }
    Err(format!("unknown variable query {q:?}"))
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
