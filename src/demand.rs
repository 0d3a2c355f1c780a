//! Where `hallq simulate` and `hallq plan` get a hall's demand: a profile file
//! (`--arrivals`), or else the hall's own recorded tickets (the last `--from-history` days
//! in its database).

use anyhow::Context;
use hallq_queue::profile::Profile;
use hallq_queue::sim::HallModel;
use std::path::Path;

/// The hall of `config` (a city file's first hall, or `hall`) and its demand.
///
/// # Errors
/// The config, the profile file or the database, named.
pub fn load(
    config: &Path,
    hall: Option<&str>,
    arrivals: Option<&Path>,
    history_days: u32,
) -> anyhow::Result<(HallModel, Profile)> {
    let cfg = hallq_config::load_hall(config, hall).map_err(|e| anyhow::anyhow!("{e}"))?;
    let model = HallModel::of(&cfg);
    let profile = match arrivals {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("{}", p.display()))?;
            Profile::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?
        }
        None => from_history(&cfg, &model, history_days)?,
    };
    for s in profile.services.keys() {
        if !model.services.contains(s) {
            anyhow::bail!("profile names service {s:?}, which the hall's config does not have");
        }
    }
    for p in &profile.pauses {
        for w in &p.windows {
            if !model.windows.iter().any(|m| &m.id == w) {
                anyhow::bail!("profile pauses window {w:?}, which the hall's config does not have");
            }
        }
    }
    Ok((model, profile))
}

/// The profile the last `days` days of the hall's tickets show.
fn from_history(
    cfg: &hallq_config::Settings,
    model: &HallModel,
    days: u32,
) -> anyhow::Result<Profile> {
    let records = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(hallq_controller::planning::history(cfg, days))?;
    if records.is_empty() {
        anyhow::bail!(
            "数据库中没有最近 {days} 天的取号记录，请用 --arrivals 指定到达情况文件 / no tickets in the \
             last {days} days of the hall's database: give a profile with --arrivals"
        );
    }
    Ok(Profile::learn(&records, &model.services))
}
