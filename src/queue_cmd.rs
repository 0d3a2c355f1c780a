//! `hallq queue …`: queueing theory at the command line.
//!
//! - `erlang-c`: the exact figures of an M/M/c queue (`hallq_queue::erlang`) — p_wait, wq,
//!   lq, utilisation, and the service level for `--target-wait` — one labelled line each,
//!   or the JSON of `ErlangC` with `--json`;
//! - the argument parsers shared with `hallq simulate --mmc` (rates, servers, counts): each
//!   refuses a bad value with one line on stderr and exit 2.

use hallq_queue::erlang::{erlang_c, ErlangC, ErlangError};
use std::process::ExitCode;

/// The most servers the commands accept (Erlang C is checked to 1e-9 up to here).
pub(crate) const MAX_SERVERS: u32 = 500;

/// `hallq queue` arguments.
#[derive(clap::Args)]
pub(crate) struct QueueCli {
    #[command(subcommand)]
    cmd: QueueCmd,
}

#[derive(clap::Subcommand)]
enum QueueCmd {
    /// M/M/c 排队的精确指标（Erlang C）/ the exact figures of an M/M/c queue (Erlang C).
    ErlangC(ErlangCArgs),
}

/// `hallq queue erlang-c` arguments (parsed by hand: one-line refusals).
#[derive(clap::Args)]
pub(crate) struct ErlangCArgs {
    /// 到达率 λ: arrivals per time unit (e.g. per minute).
    #[arg(long, value_name = "λ", allow_hyphen_values = true)]
    arrival_rate: String,
    /// 服务率 μ: services one window completes per time unit (1 / mean service time).
    #[arg(long, value_name = "μ", allow_hyphen_values = true)]
    service_rate: String,
    /// 窗口数 c: servers (1–500).
    #[arg(long, value_name = "c", allow_hyphen_values = true)]
    servers: String,
    /// 目标等候 T (same time unit): also print the share called within T.
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    target_wait: Option<String>,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs one `hallq queue` command.
pub(crate) fn run(cli: &QueueCli) -> ExitCode {
    match &cli.cmd {
        QueueCmd::ErlangC(a) => match erlang(a) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => usage("hallq queue erlang-c", &msg),
        },
    }
}

fn erlang(a: &ErlangCArgs) -> Result<(), String> {
    let lambda = rate("--arrival-rate", &a.arrival_rate)?;
    let mu = rate("--service-rate", &a.service_rate)?;
    let c = servers(&a.servers)?;
    let target = a
        .target_wait
        .as_deref()
        .map(|t| non_negative("--target-wait", t))
        .transpose()?;
    let e = reference(lambda, mu, c, target)?;
    if a.json {
        println!("{}", serde_json::to_string(&e).map_err(|e| e.to_string())?);
    } else {
        print!("{}", human(&e));
    }
    Ok(())
}

/// Erlang C for arguments already parsed; an unstable queue as a one-line message.
pub(crate) fn reference(
    lambda: f64,
    mu: f64,
    c: u32,
    target: Option<f64>,
) -> Result<ErlangC, String> {
    erlang_c(lambda, mu, c, target).map_err(|e| match e {
        ErlangError::Unstable(l, cap) => format!(
            "不稳定 / unstable: arrival rate {l} ≥ servers × service rate = {cap}; \
             the queue grows without bound"
        ),
        ErlangError::Invalid => e.to_string(),
    })
}

/// The human output: one labelled line a figure, Chinese first.
fn human(e: &ErlangC) -> String {
    let mut s = format!(
        "到达率 arrival_rate λ: {}\n服务率 service_rate μ: {}\n窗口数 servers c: {}\n\
         负荷 offered_load a: {} erlangs\n利用率 utilisation ρ: {}\n等候概率 p_wait: {}\n\
         平均等候 wq: {}\n平均排队人数 lq: {}\n",
        e.arrival_rate,
        e.service_rate,
        e.servers,
        fig(e.offered_load),
        fig(e.utilisation),
        fig(e.p_wait),
        fig(e.wq),
        fig(e.lq),
    );
    if let (Some(sl), Some(t)) = (e.service_level, e.target_wait) {
        s.push_str(&format!(
            "目标内叫号比例 service_level (wait ≤ {t}): {}\n",
            fig(sl)
        ));
    }
    s
}

/// A figure to nine decimals, or nine significant digits when smaller than 1e-4.
pub(crate) fn fig(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-4 {
        format!("{x:.8e}")
    } else {
        format!("{x:.9}")
    }
}

/// A usage or input error: one line on stderr, exit 2.
pub(crate) fn usage(cmd: &str, msg: &str) -> ExitCode {
    eprintln!("{cmd}: {msg}");
    ExitCode::from(2)
}

/// A rate: a finite number above zero.
pub(crate) fn rate(flag: &str, s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!(
            "{flag} 须为大于 0 的数 / must be a number above 0, not {s:?}"
        )),
    }
}

/// A time: a finite number, zero or more.
pub(crate) fn non_negative(flag: &str, s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!(
            "{flag} 须为不小于 0 的数 / must be a number, 0 or more, not {s:?}"
        )),
    }
}

/// Servers: a whole number from 1 to [`MAX_SERVERS`].
pub(crate) fn servers(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(c) if (1..=MAX_SERVERS).contains(&c) => Ok(c),
        _ => Err(format!(
            "--servers 须为 1–{MAX_SERVERS} 的整数 / must be a whole number from 1 to \
             {MAX_SERVERS}, not {s:?}"
        )),
    }
}

/// A count: a whole number from 1 to `max`.
pub(crate) fn count(flag: &str, s: &str, max: u64) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "{flag} 须为 1–{max} 的整数 / must be a whole number from 1 to {max}, not {s:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_are_no_rate_are_refused() {
        for bad in ["abc", "0", "-1", "NaN", "inf", "", "1e400"] {
            assert!(rate("--x", bad).is_err(), "{bad}");
        }
        assert_eq!(rate("--x", " 2.5 "), Ok(2.5));
        for bad in ["0", "501", "2.5", "-3", "x"] {
            assert!(servers(bad).is_err(), "{bad}");
        }
        assert_eq!(servers("500"), Ok(500));
        assert_eq!(non_negative("--t", "0"), Ok(0.0));
        assert!(non_negative("--t", "-0.1").is_err());
    }

    #[test]
    fn the_human_output_names_each_figure() {
        let e = reference(2.0, 1.0, 3, Some(1.0)).unwrap();
        let h = human(&e);
        assert!(h.contains("等候概率 p_wait: 0.444444444\n"), "{h}");
        assert!(h.contains("平均等候 wq: 0.444444444\n"), "{h}");
        assert!(h.contains("平均排队人数 lq: 0.888888889\n"), "{h}");
        assert!(h.contains("service_level (wait ≤ 1): 0.836498026\n"), "{h}");
        assert_eq!(fig(4.0824e-44), "4.08240000e-44");
    }
}
