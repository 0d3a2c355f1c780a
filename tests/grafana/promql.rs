//! A small PromQL tokenizer: the metric names a query reads, and those of a Grafana
//! variable query. Careful rather than complete: anything it does not understand is an
//! error, never a guess.

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
