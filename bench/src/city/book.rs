//! Bookings under the city-wide daily limit: `people` citizens, each with a development
//! identity, each making `attempts` bookings for tomorrow at the same instant in as many
//! different halls (through alternating controllers), for a limit of
//! [`DAILY_LIMIT`](super::files::DAILY_LIMIT) over the city. The slots are few and small
//! ([`SLOT_CAPACITY`](super::files::SLOT_CAPACITY) seats), about as many seats per hall as
//! the limit lets the crowd take there, so the seats are contended as well as the limit.

use super::files::{HallSpec, BOOKABLE, DAILY_LIMIT, SLOT_CAPACITY};
use anyhow::Context;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What the booking phase measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    pub(crate) people: usize,
    pub(crate) attempts: usize,
    pub(crate) booked: usize,
    pub(crate) secs: f64,
    /// Answers other than 201, by error code (`slot_full`, `daily_limit`, …; `http NNN`
    /// when the body had none, `no answer` when the request failed).
    pub(crate) refusals: BTreeMap<String, usize>,
    /// People by how many bookings they got (0 … attempts).
    pub(crate) got: BTreeMap<usize, usize>,
    /// Slots used per hall.
    pub(crate) slots: usize,
    /// Latency p99 of an attempt.
    pub(crate) p99: Duration,
}

impl Figures {
    pub(crate) fn rate(&self) -> f64 {
        self.booked as f64 / self.secs.max(1e-9)
    }
}

/// The local day `n` days from now in the halls' zone (UTC+8).
fn day_ahead(n: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8 + 24 * n))
        .format("%Y-%m-%d")
        .to_string()
}

/// Runs the crowd against `halls` through `origins`.
pub(crate) async fn run(
    halls: &[HallSpec],
    origins: &[String],
    people: usize,
    attempts: usize,
) -> anyhow::Result<Figures> {
    let people = people.max(1);
    let attempts = attempts.max(1);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(people * attempts)
        .build()?;
    // Identities first (the shared development provider at the root; a controller's
    // assertion is good in every controller and hall).
    let mut tokens = Vec::with_capacity(people);
    for p in 0..people {
        let origin = &origins[p % origins.len()];
        let body = json!({
            "name": "压测",
            "id_number": crate::bookings::id_number(p),
            "phone": "13800138000"
        });
        let v: Value = http
            .post(format!("{origin}/api/v1/dev/identity"))
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        tokens.push(
            v["assertion"]
                .as_str()
                .with_context(|| format!("no development identity: {v}"))?
                .to_string(),
        );
    }
    // About as many seats per hall as the limit lets the crowd take there.
    let day = day_ahead(1);
    let wanted = (people * DAILY_LIMIT as usize).div_ceil(halls.len());
    let slots = first_slots(&http, &origins[0], &halls[0].id, &day, wanted).await?;
    // Open the connections before the clock starts, as phones with the page open would.
    let warm: Vec<_> = (0..people * attempts)
        .map(|i| {
            let (http, url) = (
                http.clone(),
                format!("{}/api/v1/health", origins[i % origins.len()]),
            );
            tokio::spawn(async move { http.get(url).send().await.map(|r| r.status()) })
        })
        .collect();
    for w in warm {
        let _ = w.await;
    }
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(people * attempts);
    // Each person's attempts go to different halls (as far as there are halls), spread
    // over the city, and alternate between the controllers.
    let step = (halls.len() / attempts).max(1);
    for (p, token) in tokens.iter().enumerate() {
        for k in 0..attempts {
            let hall = &halls[(p + k * step) % halls.len()];
            let url = format!(
                "{}/api/v1/halls/{}/appointments",
                origins[(p + k) % origins.len()],
                hall.id
            );
            let slot = slots[mix(p * 64 + k) % slots.len()].clone();
            let (http, token) = (http.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let t0 = Instant::now();
                let body = json!({"service": BOOKABLE, "slot_start": slot, "agree_notice": true});
                let r = http.post(url).bearer_auth(token).json(&body).send().await;
                let outcome = match r {
                    Ok(r) if r.status() == 201 => None,
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let v: Value = r.json().await.unwrap_or_default();
                        Some(
                            v["error"]
                                .as_str()
                                .map_or_else(|| format!("http {status}"), String::from),
                        )
                    }
                    Err(_) => Some("no answer".to_string()),
                };
                (p, outcome, t0.elapsed())
            }));
        }
    }
    let mut f = Figures {
        people,
        attempts: people * attempts,
        slots: slots.len(),
        ..Figures::default()
    };
    let mut per_person = vec![0usize; people];
    let mut lat = Vec::with_capacity(f.attempts);
    for t in tasks {
        let (p, outcome, took) = t.await?;
        lat.push(took);
        match outcome {
            None => {
                f.booked += 1;
                per_person[p] += 1;
            }
            Some(code) => *f.refusals.entry(code).or_default() += 1,
        }
    }
    f.secs = started.elapsed().as_secs_f64();
    lat.sort();
    f.p99 = crate::loads::pct(&lat, 0.99);
    for n in per_person {
        *f.got.entry(n).or_default() += 1;
    }
    Ok(f)
}

/// A well-spread index from `x` (SplitMix64's finaliser): attempt `k` of person `p` picks
/// its slot independently of its hall, so every slot of every hall is contended alike.
fn mix(x: usize) -> usize {
    let mut z = (x as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) as usize
}

/// The `wanted` seats' first slots of `day` (every hall has the same slots).
async fn first_slots(
    http: &reqwest::Client,
    origin: &str,
    hall: &str,
    day: &str,
    wanted: usize,
) -> anyhow::Result<Vec<String>> {
    let v: Value = http
        .get(format!(
            "{origin}/api/v1/halls/{hall}/appointments/slots?service={BOOKABLE}&date={day}"
        ))
        .send()
        .await?
        .json()
        .await?;
    let n = wanted.div_ceil(SLOT_CAPACITY as usize).max(1);
    let slots: Vec<String> = v["slots"]
        .as_array()
        .with_context(|| format!("no slots on {day}: {v}"))?
        .iter()
        .filter(|s| s["bookable"].as_bool().unwrap_or(true))
        .filter_map(|s| s["slot_start"].as_str().map(String::from))
        .take(n)
        .collect();
    anyhow::ensure!(!slots.is_empty(), "no bookable slot on {day}");
    Ok(slots)
}
