//! The load of the failover tests: kiosks taking tickets and people with development
//! identities booking small slots, on two controllers at once, recording what each was
//! answered; and the checks of the bookings afterwards, on the new primary's database.
#![allow(dead_code)]

use super::req;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An answer as the load saw it: asked at, answered at, and a ticket number or booking code.
pub type Acked = (Instant, Instant, String);

/// What the clients saw: acknowledged tickets and bookings, refusals (status and error
/// code; status 0 where no answer came), the slowest answer.
#[derive(Default)]
pub struct Seen {
    pub tickets: Vec<Acked>,
    pub bookings: Vec<Acked>,
    pub refused: Vec<(u16, String)>,
    pub slowest: Duration,
}

/// One request of the load: its answer, timed, recorded in `seen`; the acknowledged value
/// (`pick` of the 201 body) goes to `acked(seen)`. Returns the status (0: no answer).
async fn send(
    r: reqwest::RequestBuilder,
    seen: &Mutex<Seen>,
    acked: fn(&mut Seen) -> &mut Vec<Acked>,
    pick: fn(&Value) -> Option<&str>,
) -> u16 {
    let started = Instant::now();
    let r = r.send().await;
    let took = started.elapsed();
    let (status, body) = match r {
        Ok(r) => (
            r.status().as_u16(),
            r.json::<Value>().await.unwrap_or_default(),
        ),
        Err(e) => (0, Value::String(e.to_string())),
    };
    let mut s = seen.lock().unwrap();
    s.slowest = s.slowest.max(took);
    match pick(&body).filter(|_| status == 201) {
        Some(v) => acked(&mut s).push((started, Instant::now(), v.to_string())),
        None => {
            let code = body["error"]
                .as_str()
                .map_or_else(|| body.to_string(), str::to_string);
            s.refused.push((status, code));
        }
    }
    status
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A kiosk taking `property` tickets on `base` until `until`.
pub async fn kiosk(base: String, seen: Arc<Mutex<Seen>>, until: Instant) {
    let client = client();
    while Instant::now() < until {
        let r = client
            .post(format!("{base}/tickets"))
            .bearer_auth("demo-kiosk")
            .json(&json!({"service": "property"}));
        send(
            r,
            &seen,
            |s| &mut s.tickets,
            |b| b["ticket"]["number"].as_str(),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A valid GB 11643 ID number for person `n` (0..=9999) of the failover tests.
pub fn person_id(n: usize) -> String {
    let body = format!("4601061988{:03}{n:04}", 101 + n / 10_000);
    let digits: [u8; 17] = body.as_bytes().try_into().expect("17 digits");
    format!("{body}{}", hallq_idcard::id_number::check_char(&digits))
}

/// Development identities of people `0..n`, one assertion per controller in `bases`
/// (each controller signs with its own development key).
pub async fn people(bases: &[&str], n: usize) -> Vec<Vec<String>> {
    let mut out = Vec::with_capacity(n);
    for p in 0..n {
        let mut tokens = Vec::new();
        for base in bases {
            let body = json!({"name": "测试人", "id_number": person_id(p), "phone": "13800138000"});
            let (st, b) = req(base, "POST", "/dev/identity", None, Some(body)).await;
            assert_eq!(st, 200, "{b}");
            tokens.push(b["assertion"].as_str().unwrap().to_string());
        }
        out.push(tokens);
    }
    out
}

/// The first `n` bookable `property` slots (today, then tomorrow) that start more than two
/// minutes from now.
pub async fn slots(base: &str, n: usize) -> Vec<String> {
    let soon = chrono::Utc::now() + chrono::Duration::minutes(2);
    let mut out = Vec::new();
    for day in 0..2 {
        let path = format!(
            "/appointments/slots?service=property&date={}",
            super::shanghai_day(day)
        );
        let (_, s) = req(base, "GET", &path, None, None).await;
        for x in s["slots"].as_array().into_iter().flatten() {
            let start = x["slot_start"].as_str().unwrap_or_default();
            let later = chrono::DateTime::parse_from_rfc3339(start).is_ok_and(|t| t > soon);
            if x["bookable"] == true && later && out.len() < n {
                out.push(start.to_string());
            }
        }
    }
    assert_eq!(out.len(), n, "bookable property slots today and tomorrow");
    out
}

/// What the booking clients share: the controllers, the people (an assertion per
/// controller), the next
/// person to come, the slots the crowd contends for round by round, spare slots, and when
/// the load began.
pub struct Crowd {
    pub bases: Vec<String>,
    pub people: Vec<Vec<String>>,
    pub next: AtomicUsize,
    pub rounds: Vec<String>,
    pub spare: Vec<String>,
    pub began: Instant,
}

/// How long the crowd contends for one slot before moving to the next.
pub const ROUND: Duration = Duration::from_millis(700);
/// Attempts of one person at the round's slot.
const TRIES: usize = 6;

impl Crowd {
    /// Person `p` books `slot` through controller `side`.
    async fn book(
        &self,
        client: &reqwest::Client,
        seen: &Mutex<Seen>,
        p: usize,
        side: usize,
        slot: &str,
    ) -> u16 {
        let (bases, tokens) = (&self.bases, &self.people[p]);
        let r = client
            .post(format!("{}/appointments", bases[side]))
            .bearer_auth(&tokens[side])
            .json(&json!({"service": "property", "slot_start": slot, "agree_notice": true}));
        send(
            r,
            seen,
            |s| &mut s.bookings,
            |b| b["appointment"]["code"].as_str(),
        )
        .await
    }
}

/// People booking `property` until `until`, one after another. Each tries the slot of the
/// present round until it gets a seat (`TRIES` times at most, alternating between the
/// controllers), so several people contend for its few seats; then books three spare
/// slots at once, two through one controller and one through the other, of which the
/// daily limit lets only what is left pass.
pub async fn booker(crowd: Arc<Crowd>, seen: Arc<Mutex<Seen>>, until: Instant) {
    let client = client();
    let pause = || tokio::time::sleep(Duration::from_millis(60));
    while Instant::now() < until {
        let p = crowd.next.fetch_add(1, Ordering::Relaxed) % crowd.people.len();
        for t in 0..TRIES {
            let round = crowd.began.elapsed().as_millis() / ROUND.as_millis();
            let slot = &crowd.rounds[round as usize % crowd.rounds.len()];
            if crowd
                .book(&client, &seen, p, (p + t) % crowd.bases.len(), slot)
                .await
                == 201
            {
                break;
            }
            pause().await;
        }
        let spare = |k: usize| crowd.spare[(3 * p + k) % crowd.spare.len()].as_str();
        tokio::join!(
            crowd.book(&client, &seen, p, 0, spare(0)),
            crowd.book(&client, &seen, p, 0, spare(1)),
            crowd.book(&client, &seen, p, 1, spare(2)),
        );
        pause().await;
    }
}

/// Refusals by (status, code), counted.
pub fn refusals(s: &Seen) -> HashMap<(u16, String), usize> {
    let mut by = HashMap::new();
    for r in &s.refused {
        *by.entry(r.clone()).or_default() += 1;
    }
    by
}

/// On the database `c` after the failover: every booking answered 201 is there and
/// booked, no slot holds more than `capacity` (nor disagrees with its counter), nobody
/// made more than `daily_limit` bookings. Returns the number of bookings stored.
pub async fn check_bookings(
    c: &mut sqlx::PgConnection,
    acked: &[Acked],
    capacity: i64,
    daily_limit: i64,
) -> usize {
    let stored: Vec<(String, String)> = sqlx::query_as("SELECT code, status FROM appointments")
        .fetch_all(&mut *c)
        .await
        .unwrap();
    let stored: HashMap<String, String> = stored.into_iter().collect();
    let lost: Vec<&String> = acked
        .iter()
        .map(|(_, _, code)| code)
        .filter(|code| stored.get(*code).map(String::as_str) != Some("booked"))
        .collect();
    assert!(lost.is_empty(), "bookings answered 201 but lost: {lost:?}");
    let over: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT s.slot_start, s.capacity, s.booked, \
           (SELECT COUNT(*) FROM appointments a WHERE a.service = s.service \
              AND a.slot_start = s.slot_start AND a.status = 'booked') \
         FROM slots s WHERE s.service = 'property'",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    for (slot, cap, booked, held) in &over {
        assert!(
            *held <= capacity && *booked == *held && *cap == capacity,
            "slot {slot}: {held} bookings, counter {booked}, capacity {cap} (config {capacity})"
        );
    }
    let most: Vec<(String, i64)> = sqlx::query_as(
        "SELECT person, COUNT(*) FROM appointments GROUP BY person HAVING COUNT(*) > $1",
    )
    .bind(daily_limit)
    .fetch_all(&mut *c)
    .await
    .unwrap();
    assert!(most.is_empty(), "over the daily limit: {most:?}");
    stored.len()
}
