//! The seed spread of [`hallq_queue::mmc::simulate`] against Erlang C: for each
//! configuration and customer count, the relative error of `wq_mean` and `p_wait` over
//! seeds 1..=SEEDS — mean, standard deviation and the largest — the figures in docs/queue.md.
//!
//! `cargo run --release -p hallq-queue --example mmc_spread [SEEDS] [CUSTOMERS,…]`

use hallq_queue::{erlang::erlang_c, mmc::simulate};

/// λ, μ, c of the configurations measured.
const CONFIGS: [(f64, f64, u32); 7] = [
    (2.0, 1.0, 3),
    (0.8, 1.0, 1),
    (1.6, 1.0, 2),
    (0.9, 1.0, 1),
    (9.0, 1.0, 10),
    (4.75, 0.5, 10),
    (45.0, 1.0, 50),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    let counts: Vec<u64> = args
        .next()
        .map(|s| s.split(',').filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_else(|| vec![200_000, 2_000_000]);
    println!("λ\tμ\tc\tρ\tcustomers\twq err mean %\twq err sd %\twq |err| max %\tp_wait err mean %\tp_wait err sd %\tp_wait |err| max %\tms/run");
    for (lambda, mu, c) in CONFIGS {
        let exact = erlang_c(lambda, mu, c, None).expect("stable");
        for &n in &counts {
            let t0 = std::time::Instant::now();
            let (wq, pw): (Vec<f64>, Vec<f64>) = (1..=seeds)
                .map(|s| {
                    let r = simulate(lambda, mu, c, n, s);
                    (
                        100.0 * (r.wq_mean / exact.wq - 1.0),
                        100.0 * (r.p_wait / exact.p_wait - 1.0),
                    )
                })
                .unzip();
            let ms = t0.elapsed().as_secs_f64() * 1000.0 / seeds as f64;
            let (wm, ws, wx) = stats(&wq);
            let (pm, ps, px) = stats(&pw);
            println!(
                "{lambda}\t{mu}\t{c}\t{:.3}\t{n}\t{wm:+.2}\t{ws:.2}\t{wx:.2}\t{pm:+.2}\t{ps:.2}\t{px:.2}\t{ms:.0}",
                exact.utilisation
            );
        }
    }
}

/// Mean, sample standard deviation and largest magnitude.
fn stats(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let max = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    (mean, var.sqrt(), max)
}
