//! The city under test, written to a temp dir: a city file (`[city]` naming one file per
//! hall, and the deployment-wide sections: a scratch PostgreSQL database, the external
//! broker the benchmark starts, the development identity provider, the booking rules, the
//! per-address limits lifted) and one hall file per hall (`hall01` …) in today's
//! single-hall format: 2 sections, 4 services (one bookable, with small slots), the
//! requested windows each serving every service, a kiosk token and a clerk token per window.

use hallq_config::secret::sha256_hex;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Services of every hall: (section, service id, name, prefix). The first is bookable.
pub(crate) const SERVICES: [(&str, &str, &str, &str); 4] = [
    ("property-tax", "property", "不动产登记", "A"),
    ("property-tax", "tax", "涉税登记", "B"),
    ("police", "household", "户政", "C"),
    ("police", "exit-entry", "出入境", "D"),
];

/// The bookable service.
pub(crate) const BOOKABLE: &str = "property";

/// Seats per booking slot: small, so that bookings contend for them.
pub(crate) const SLOT_CAPACITY: u32 = 2;

/// Minutes per booking slot (144 slots a day: enough seats for a large crowd).
pub(crate) const SLOT_MINUTES: u32 = 10;

/// The city-wide booking rule under test: bookings per ID number per day, over all halls
/// (and active appointments per person and appointment day).
pub(crate) const DAILY_LIMIT: u32 = 2;

/// The halls' time zone (booking days are counted in it).
pub(crate) const TIME_ZONE: &str = "Asia/Shanghai";

/// One generated hall, with its secrets in clear (the files hold their hashes).
#[derive(Debug, Clone)]
pub(crate) struct HallSpec {
    pub(crate) id: String,
    pub(crate) kiosk: String,
    /// Window ids, `1` … `W`.
    pub(crate) windows: Vec<String>,
}

impl HallSpec {
    /// The clerk token of window `w`.
    pub(crate) fn clerk(&self, w: &str) -> String {
        format!("bench-clerk-{}-{w}", self.id)
    }
}

/// What is written for one run.
pub(crate) struct Setup<'a> {
    pub(crate) halls: usize,
    pub(crate) windows: usize,
    pub(crate) mqtt_port: u16,
    pub(crate) database_url: &'a str,
    pub(crate) data_dir: &'a Path,
}

/// The written city: its file and its halls.
pub(crate) struct CityFiles {
    pub(crate) path: PathBuf,
    pub(crate) halls: Vec<HallSpec>,
}

/// The id of hall `i` (0-based): `hall01`, `hall02`, …
pub(crate) fn hall_id(i: usize) -> String {
    format!("hall{:02}", i + 1)
}

/// Writes `city.toml` and `hallNN.toml` into `dir`.
pub(crate) fn write(dir: &Path, s: &Setup) -> anyhow::Result<CityFiles> {
    let mut halls = Vec::with_capacity(s.halls);
    let mut names = Vec::with_capacity(s.halls);
    for i in 0..s.halls {
        let spec = HallSpec {
            id: hall_id(i),
            kiosk: format!("bench-kiosk-{}", hall_id(i)),
            windows: (1..=s.windows.max(1)).map(|w| w.to_string()).collect(),
        };
        let name = format!("{}.toml", spec.id);
        std::fs::write(dir.join(&name), hall_file(&spec, i))?;
        names.push(format!("\"{name}\""));
        halls.push(spec);
    }
    let path = dir.join("city.toml");
    std::fs::write(&path, city_file(s, &names))?;
    Ok(CityFiles { path, halls })
}

fn city_file(s: &Setup, names: &[String]) -> String {
    let lifted = "{ max = 1000000, per_secs = 1 }";
    format!(
        r#"# hallq-bench city: {n} halls on one PostgreSQL database and one broker.
[city]
id = "benchcity"
name = "压测市"
name_en = "Bench City"
halls = [{halls}]

[server]
listen = "127.0.0.1:8080"
data_dir = "{data_dir}"
database_url = "{db}"

[broker]
mode = "external"
url = "mqtt://127.0.0.1:{mqtt}"

[identity]
id_hash_key = "hallq-bench-city-only-id-hash-key-0123456789"
dev_provider = true
max_assertion_minutes = 30

[appointments]
daily_limit = {limit}
active_per_day = {limit}
daily_limit_scope = "city"

# Every request comes from the load generator's one address.
[limits]
bookings = {lifted}
dev_identities = {lifted}
code_lookups = {lifted}
"#,
        n = names.len(),
        halls = names.join(", "),
        data_dir = s.data_dir.display(),
        db = s.database_url,
        mqtt = s.mqtt_port,
        limit = DAILY_LIMIT,
    )
}

fn hall_file(h: &HallSpec, i: usize) -> String {
    let every_day = r#"["mon", "tue", "wed", "thu", "fri", "sat", "sun"]"#;
    let mut f = format!(
        r#"[hall]
id = "{id}"
name = "压测大厅 {n:02}"
name_en = "Bench hall {n:02}"
address = "压测市第 {n} 街"
time_zone = "{TIME_ZONE}"

[hall.hours]
open = "00:00"
close = "24:00"
days = {every_day}
"#,
        id = h.id,
        n = i + 1,
    );
    let mut section = "";
    for (sec, id, name, prefix) in SERVICES {
        if sec != section {
            section = sec;
            let _ = write!(f, "\n[[sections]]\nid = \"{sec}\"\nname = \"{sec}\"\n");
        }
        // 6 digits: a saturating run issues thousands per service and day.
        let _ = write!(
            f,
            "\n[[sections.services]]\nid = \"{id}\"\nname = \"{name}\"\nprefix = \"{prefix}\"\nwidth = 6\n"
        );
        if id == BOOKABLE {
            let _ = write!(
                f,
                "\n[sections.services.booking]\ndays = {every_day}\nopen = \"00:00\"\nclose = \"24:00\"\n\
                 slot_minutes = {SLOT_MINUTES}\ncapacity = {SLOT_CAPACITY}\nhorizon_days = 7\ncutoff_minutes = 0\n"
            );
        }
    }
    let all: Vec<String> = SERVICES.iter().map(|s| format!("\"{}\"", s.1)).collect();
    for w in &h.windows {
        let _ = write!(
            f,
            "\n[[windows]]\nid = \"{w}\"\nname = \"{w}号窗口\"\nservices = [{}]\n",
            all.join(", ")
        );
    }
    let _ = write!(
        f,
        "\n[[credentials]]\nname = \"kiosk-{id}\"\nrole = \"kiosk\"\ntoken_sha256 = \"{}\"\n",
        sha256_hex(&h.kiosk),
        id = h.id
    );
    for w in &h.windows {
        let _ = write!(
            f,
            "\n[[credentials]]\nname = \"clerk-{id}-{w}\"\nrole = \"clerk\"\nwindow = \"{w}\"\ntoken_sha256 = \"{}\"\n",
            sha256_hex(&h.clerk(w)),
            id = h.id
        );
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated city loads as the product loads it: every hall, its windows, its
    /// bookable service, the deployment-wide sections in every hall, and no warning but
    /// the ones a development setup earns.
    #[test]
    fn the_generated_city_is_a_valid_deployment() {
        let dir = tempfile::tempdir().unwrap();
        let setup = Setup {
            halls: 3,
            windows: 2,
            mqtt_port: 18_830,
            database_url: "postgres://u@127.0.0.1:5432/x",
            data_dir: dir.path(),
        };
        let city = write(dir.path(), &setup).unwrap();
        let (dep, _warnings) = hallq_config::check_deployment(&city.path)
            .unwrap_or_else(|e| panic!("the generated city does not load: {e}"));
        let ids: Vec<&str> = dep.halls.iter().map(|h| h.hall.id.as_str()).collect();
        assert_eq!(ids, ["hall01", "hall02", "hall03"]);
        assert_eq!(dep.city.as_ref().map(|c| c.id.as_str()), Some("benchcity"));
        for h in &dep.halls {
            assert_eq!(h.windows.len(), 2);
            assert_eq!(h.broker.mode, hallq_config::BrokerMode::External);
            assert!(h.server.database_url.is_some());
            assert!(h.identity.dev_provider);
            assert_eq!(h.appointments.daily_limit, DAILY_LIMIT);
            assert_eq!(h.appointments.daily_limit_scope, hallq_config::Scope::City);
            let booking: Vec<_> = h
                .services()
                .filter_map(|s| s.booking.as_ref().map(|b| (s.id.as_str(), b.capacity)))
                .collect();
            assert_eq!(booking, [(BOOKABLE, SLOT_CAPACITY)]);
            // Every clerk token is this hall's own (a token identifies one hall's device).
            assert_eq!(h.credentials.len(), 1 + h.windows.len());
        }
    }
}
