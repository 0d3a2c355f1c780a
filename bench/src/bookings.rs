//! `hallq bench bookings`: a flash crowd. 1,000 people (development identities) each try
//! to book 2 slots among the first 500 slots of one day (capacity 10 each), twice: all at
//! the same instant (burst: throughput), then on the next day arriving at a fixed rate
//! (`--arrivals`, default 3,000/s: latency at the target rate). After each phase every
//! slot and every person is checked through the API for rule violations.

use crate::loads::{ms, pct};
use anyhow::Context;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A valid GB 11643 ID number for person `n`: born in Beijing on 1985-01-01
/// plus `n / 1000` days, sequence `n % 1000`.
pub(crate) fn id_number(n: usize) -> String {
    let born = chrono::NaiveDate::from_ymd_opt(1985, 1, 1).expect("a date")
        + chrono::Days::new((n / 1000) as u64);
    let body = format!("110105{}{:03}", born.format("%Y%m%d"), n % 1000);
    let digits: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

pub(crate) async fn run(
    clients: usize,
    arrivals: u64,
    base: &str,
    service: &str,
) -> anyhow::Result<()> {
    let people = clients.max(1);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(people)
        .build()?;
    let mut tokens = Vec::with_capacity(people);
    for n in 0..people {
        let body =
            json!({"name": "压测", "id_number": id_number(n % 1000), "phone": "13800138000"});
        let v: Value = client
            .post(format!("{base}/dev/identity"))
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        tokens.push(
            v["assertion"]
                .as_str()
                .context("dev identity provider disabled?")?
                .to_string(),
        );
    }
    // Open one connection per person before the clock starts, as phones that have the
    // booking page open would.
    let warm: Vec<_> = (0..people)
        .map(|_| {
            let (client, url) = (client.clone(), format!("{base}/health"));
            tokio::spawn(async move { client.get(url).send().await.map(|r| r.status()) })
        })
        .collect();
    for w in warm {
        let _ = w.await;
    }

    // Burst: everyone at the same instant, each person's second booking right after the
    // first. Latency here is mostly time spent queued behind the rest of the crowd.
    let day = day_ahead(1);
    let slots = first_slots(&client, base, service, &day).await?;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(people);
    for (i, token) in tokens.iter().cloned().enumerate() {
        let picks = picks(&slots, i);
        let (client, base, service) = (client.clone(), base.to_string(), service.to_string());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for slot in picks {
                let t0 = Instant::now();
                let status = book(&client, &base, &service, &token, &slot).await;
                out.push((status, t0.elapsed()));
            }
            out
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.extend(t.await?);
    }
    let ok = report("burst (all at once)", people, started.elapsed(), results);
    violations(&client, base, service, &day, &tokens, ok).await?;

    // Paced: the same crowd on the next day, bookings arriving at a fixed rate (open
    // loop). Latency counts from each booking's scheduled time, so a slow server cannot
    // hide its queueing by delaying the arrivals.
    let day = day_ahead(2);
    let slots = first_slots(&client, base, service, &day).await?;
    let rate = arrivals.max(1) as f64;
    let started = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(2 * people);
    for k in 0..2 * people {
        let (i, nth) = (k / 2, k % 2);
        let due = started + Duration::from_secs_f64(k as f64 / rate);
        tokio::time::sleep_until(due).await;
        let slot = picks(&slots, i)[nth].clone();
        let (client, base, service, token) = (
            client.clone(),
            base.to_string(),
            service.to_string(),
            tokens[i].clone(),
        );
        tasks.push(tokio::spawn(async move {
            let status = book(&client, &base, &service, &token, &slot).await;
            (status, due.elapsed())
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await?);
    }
    let label = format!("paced ({:.0} arrivals/s)", rate);
    let ok = report(&label, people, started.elapsed(), results);
    violations(&client, base, service, &day, &tokens, ok).await
}

/// The local day `n` days from now in the demo hall's zone (UTC+8).
fn day_ahead(n: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8 + 24 * n))
        .format("%Y-%m-%d")
        .to_string()
}

/// The slot list of `day` as the API answers it.
async fn slots_of(
    client: &reqwest::Client,
    base: &str,
    service: &str,
    day: &str,
) -> anyhow::Result<Value> {
    Ok(client
        .get(format!(
            "{base}/appointments/slots?service={service}&date={day}"
        ))
        .send()
        .await?
        .json()
        .await?)
}

/// The first 500 bookable slots of `day`.
async fn first_slots(
    client: &reqwest::Client,
    base: &str,
    service: &str,
    day: &str,
) -> anyhow::Result<Vec<String>> {
    let v = slots_of(client, base, service, day).await?;
    let slots: Vec<String> = v["slots"]
        .as_array()
        .context("slots")?
        .iter()
        .take(500)
        .filter_map(|s| s["slot_start"].as_str().map(String::from))
        .collect();
    anyhow::ensure!(!slots.is_empty(), "no slots on {day} for {service}");
    Ok(slots)
}

/// Person `i`'s two slots (spread so that some slots are contested).
fn picks(slots: &[String], i: usize) -> [String; 2] {
    [
        slots[(i * 7919) % slots.len()].clone(),
        slots[(i * 104_729 + 13) % slots.len()].clone(),
    ]
}

/// One booking; the HTTP status (0 when the request failed).
async fn book(client: &reqwest::Client, base: &str, service: &str, token: &str, slot: &str) -> u16 {
    let r = client
        .post(format!("{base}/appointments"))
        .bearer_auth(token)
        .json(&json!({"service": service, "slot_start": slot, "agree_notice": true}))
        .send()
        .await;
    match r {
        Ok(r) => {
            let s = r.status().as_u16();
            let _ = r.bytes().await;
            s
        }
        Err(_) => 0,
    }
}

/// Prints one phase; returns the bookings acknowledged.
fn report(phase: &str, people: usize, elapsed: Duration, results: Vec<(u16, Duration)>) -> usize {
    let mut by_status: HashMap<u16, usize> = HashMap::new();
    let mut lat: Vec<Duration> = results
        .into_iter()
        .map(|(s, d)| {
            *by_status.entry(s).or_default() += 1;
            d
        })
        .collect();
    lat.sort();
    let ok = by_status.get(&201).copied().unwrap_or(0);
    println!(
        "bookings, {phase}: {people} people, {} requests, {ok} booked in {:.2} s = {:.0} bookings/s ({:.0} requests/s); latency p50 {} p99 {}; statuses {by_status:?}",
        lat.len(),
        elapsed.as_secs_f64(),
        ok as f64 / elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
    );
    ok
}

/// Counts rule violations as a user would see them: slots over capacity, people over the
/// daily limit, and bookings the API acknowledged but does not list.
async fn violations(
    client: &reqwest::Client,
    base: &str,
    service: &str,
    day: &str,
    tokens: &[String],
    ok: usize,
) -> anyhow::Result<()> {
    let v = slots_of(client, base, service, day).await?;
    let mut over = 0;
    let mut booked = 0;
    for s in v["slots"].as_array().context("slots")? {
        let (cap, rem) = (
            s["capacity"].as_i64().unwrap_or(0),
            s["remaining"].as_i64().unwrap_or(0),
        );
        booked += cap - rem;
        if rem < 0 {
            over += 1;
        }
    }
    let mut over_limit = 0;
    let mut listed = 0;
    for t in tokens {
        let v: Value = client
            .get(format!("{base}/me/appointments"))
            .bearer_auth(t)
            .send()
            .await?
            .json()
            .await?;
        let n = v["appointments"].as_array().map_or(0, |a| {
            a.iter()
                .filter(|x| {
                    x["status"] == "booked"
                        && x["slot_start"].as_str().is_some_and(|s| s.starts_with(day))
                })
                .count()
        });
        listed += n;
        if n > 2 {
            over_limit += 1;
        }
    }
    let lost = ok as i64 - listed as i64;
    let violations = over + over_limit + usize::from(lost != 0) + usize::from(booked != ok as i64);
    println!(
        "rule violations: {violations} (slots over capacity {over}, people over the daily limit {over_limit}, acknowledged but not listed {lost}, seats taken {booked} vs acknowledged {ok})"
    );
    Ok(())
}

/// Keeps the benchmark's deadline reasonable.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(120);
