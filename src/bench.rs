//! `hallq bench`: load benchmarks (filled in below).

/// Benchmark options.
#[derive(clap::Args)]
pub struct BenchArgs {}

/// Runs the benchmarks.
pub async fn run(_args: BenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
