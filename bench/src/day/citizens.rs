//! Citizens who book online during the day (development identities): one or two bookings in
//! today's coming slots, some trying a third (the daily limit must refuse it), most then
//! checking in at the kiosk with their booking code, the rest never coming. Afterwards,
//! [`check`] asks the hall, as each of them would, what they hold.

use super::actors::ticket_of;
use super::record::{send, Booking, Kind, Record};
use super::Clock;
use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// The hall's local date today (the demo hall is in UTC+8).
pub(crate) fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string()
}

async fn identity(client: &reqwest::Client, api: &str, person: usize) -> anyhow::Result<String> {
    let body = json!({
        "name": "一日",
        "id_number": crate::bookings::id_number(person),
        "phone": "13800138000",
    });
    let v: Value = client
        .post(format!("{api}/dev/identity"))
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    Ok(v["assertion"].as_str().context("no assertion")?.to_string())
}

/// One of the first bookable slots of `service` today that start after the run has ended
/// (so check-in stays open all day), chosen at random among a few: people contend.
async fn pick_slot(
    client: &reqwest::Client,
    api: &str,
    service: &str,
    after: chrono::DateTime<chrono::Utc>,
    rng: &mut StdRng,
) -> Option<String> {
    let url = format!(
        "{api}/appointments/slots?service={service}&date={}",
        today()
    );
    let v: Value = client.get(url).send().await.ok()?.json().await.ok()?;
    let open: Vec<String> = v["slots"]
        .as_array()?
        .iter()
        .filter(|s| s["bookable"] == true)
        .filter_map(|s| s["slot_start"].as_str())
        .filter(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok_and(|t| t > after))
        .take(4)
        .map(String::from)
        .collect();
    (!open.is_empty()).then(|| open[rng.gen_range(0..open.len())].clone())
}

/// Person `person` books at `at` seconds into the run, then perhaps checks in.
pub(crate) async fn citizen(
    api: String,
    rec: Arc<Record>,
    clock: Clock,
    person: usize,
    at: f64,
    services: Arc<Vec<String>>,
) {
    let mut rng = StdRng::seed_from_u64(person as u64);
    tokio::time::sleep_until((clock.started + Duration::from_secs_f64(at)).into()).await;
    let client = reqwest::Client::new();
    let Ok(token) = identity(&client, &api, person).await else {
        return;
    };
    let after = chrono::Utc::now()
        + chrono::Duration::from_std(clock.left() + Duration::from_secs(600)).unwrap_or_default();
    let tries = if rng.gen_bool(0.5) {
        1
    } else if rng.gen_bool(0.8) {
        2
    } else {
        3
    };
    let mut booked = Vec::new();
    for k in 0..tries {
        let service = &services[rng.gen_range(0..services.len())];
        let Some(slot) = pick_slot(&client, &api, service, after, &mut rng).await else {
            continue;
        };
        let body = json!({"service": service, "slot_start": slot, "agree_notice": true});
        let r = send(
            &rec,
            clock.started,
            Kind::Booking,
            Duration::from_secs(60),
            || {
                client
                    .post(format!("{api}/appointments"))
                    .bearer_auth(&token)
                    .json(&body)
            },
        )
        .await;
        match r {
            Some((201, v)) => {
                let code = v["appointment"]["code"].as_str().unwrap_or_default();
                rec.booking(Booking {
                    person,
                    code: code.to_string(),
                    slot: format!("{service}@{slot}"),
                });
                booked.push(code.to_string());
            }
            Some((409, v)) if v["error"] == "daily_limit" && k >= 2 => {
                Record::count(&rec.limit_refused)
            }
            _ => {}
        }
    }
    for code in booked {
        if !rng.gen_bool(0.8) {
            continue; // never comes
        }
        let wait = Duration::from_secs(rng.gen_range(5..60));
        tokio::time::sleep(wait.min(clock.left())).await;
        let r = send(
            &rec,
            clock.started,
            Kind::Checkin,
            Duration::from_secs(60),
            || {
                client
                    .post(format!("{api}/checkins"))
                    .bearer_auth("demo-kiosk")
                    .json(&json!({"code": code}))
            },
        )
        .await;
        if let Some((201, v)) = r {
            ticket_of(&rec, &v["ticket"]);
            Record::count(&rec.checkins);
        }
    }
}

/// What the citizens find afterwards: bookings acknowledged but not listed, people holding
/// more than `daily_limit` today, slots holding more acknowledged bookings than seats.
pub(crate) struct Found {
    pub(crate) missing: usize,
    pub(crate) over_limit: usize,
    pub(crate) over_capacity: usize,
}

pub(crate) async fn check(api: &str, rec: &Record, daily_limit: usize) -> anyhow::Result<Found> {
    let client = reqwest::Client::new();
    let bookings = Record::snapshot(&rec.bookings);
    let mut by_person: HashMap<usize, Vec<String>> = HashMap::new();
    let mut per_slot: HashMap<String, usize> = HashMap::new();
    for b in &bookings {
        by_person.entry(b.person).or_default().push(b.code.clone());
        *per_slot.entry(b.slot.clone()).or_default() += 1;
    }
    let (mut missing, mut over_limit) = (0, 0);
    for (person, codes) in &by_person {
        let token = identity(&client, api, *person).await?;
        let v: Value = client
            .get(format!("{api}/me/appointments"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        let listed: HashSet<&str> = v["appointments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["code"].as_str())
            .collect();
        missing += codes
            .iter()
            .filter(|c| !listed.contains(c.as_str()))
            .count();
        over_limit += usize::from(listed.len() > daily_limit);
    }
    let mut capacity: HashMap<String, i64> = HashMap::new();
    for service in per_slot
        .keys()
        .filter_map(|k| k.split_once('@'))
        .map(|(s, _)| s)
    {
        let url = format!(
            "{api}/appointments/slots?service={service}&date={}",
            today()
        );
        let v: Value = client.get(url).send().await?.json().await?;
        for s in v["slots"].as_array().into_iter().flatten() {
            let key = format!("{service}@{}", s["slot_start"].as_str().unwrap_or_default());
            capacity.insert(key, s["capacity"].as_i64().unwrap_or(0));
        }
    }
    let over_capacity = per_slot
        .iter()
        .filter(|(k, n)| **n as i64 > capacity.get(*k).copied().unwrap_or(0))
        .count();
    Ok(Found {
        missing,
        over_limit,
        over_capacity,
    })
}
