//! The rules, read from the city's database after the run (plain SQL on the scratch
//! database, independent of the store's own counters): no ticket number issued twice in a
//! hall for a service and day, no slot holding more bookings than its seats, and nobody
//! over the city-wide daily limit — bookings made per person (the keyed hash of the ID
//! number, never the number) and calendar day of the booking moment over all halls,
//! cancelled ones included, and active appointments per person and appointment day.

use sqlx::Connection;

/// What the checks found; every figure must be 0.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Findings {
    /// (hall, service, day, number) issued more than once.
    pub(crate) numbers_twice: i64,
    /// (hall, service, slot) holding more bookings than `capacity` seats.
    pub(crate) slots_over: i64,
    /// (person, booking day) with more than the limit of bookings over all halls.
    pub(crate) over_daily_limit: i64,
    /// (person, appointment day) holding more than the limit of active appointments.
    pub(crate) over_active_limit: i64,
    /// Tickets and bookings looked at (so that "0 findings" is not "nothing read").
    pub(crate) tickets: i64,
    pub(crate) bookings: i64,
}

impl Findings {
    pub(crate) fn total(&self) -> i64 {
        self.numbers_twice + self.slots_over + self.over_daily_limit + self.over_active_limit
    }
}

/// Reads the rules from the database at `url`, for slots of `capacity` seats, a daily
/// limit of `limit`, booking days counted in `time_zone`.
pub(crate) async fn check(
    url: &str,
    capacity: i64,
    limit: i64,
    time_zone: &str,
) -> anyhow::Result<Findings> {
    let mut c = sqlx::PgConnection::connect(url).await?;
    let count = |sql: &'static str| sqlx::query_scalar::<sqlx::Postgres, i64>(sql);
    let numbers_twice = count(
        "SELECT COUNT(*) FROM (SELECT 1 FROM tickets \
         GROUP BY hall, origin_service, day, number HAVING COUNT(*) > 1) t",
    )
    .fetch_one(&mut c)
    .await?;
    let slots_over = count(
        "SELECT COUNT(*) FROM (SELECT 1 FROM appointments WHERE status <> 'cancelled' \
         GROUP BY hall, service, slot_start HAVING COUNT(*) > $1) t",
    )
    .bind(capacity)
    .fetch_one(&mut c)
    .await?;
    let over_daily_limit = count(
        "SELECT COUNT(*) FROM (SELECT 1 FROM appointments \
         GROUP BY person, to_char(to_timestamp(created_at / 1000.0) AT TIME ZONE $2, 'YYYY-MM-DD') \
         HAVING COUNT(*) > $1) t",
    )
    .bind(limit)
    .bind(time_zone)
    .fetch_one(&mut c)
    .await?;
    let over_active_limit = count(
        "SELECT COUNT(*) FROM (SELECT 1 FROM appointments WHERE status <> 'cancelled' \
         GROUP BY person, day HAVING COUNT(*) > $1) t",
    )
    .bind(limit)
    .fetch_one(&mut c)
    .await?;
    let tickets = count("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut c)
        .await?;
    let bookings = count("SELECT COUNT(*) FROM appointments")
        .fetch_one(&mut c)
        .await?;
    Ok(Findings {
        numbers_twice,
        slots_over,
        over_daily_limit,
        over_active_limit,
        tickets,
        bookings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checks find what a broken rule leaves in the database: on a scratch database
    /// migrated by the store, rows a correct hallq never writes (a number issued twice, a
    /// third booking in another hall the same day, a slot over its seats) are each counted.
    #[tokio::test]
    async fn the_checks_find_broken_rules() {
        let Ok(admin) = std::env::var("HALLQ_TEST_PG_URL") else {
            println!("skipped: HALLQ_TEST_PG_URL unset (the checks read PostgreSQL)");
            return;
        };
        let (_, url) = crate::loads::create_pg(&admin).await.unwrap();
        let r = broken_rules_found(&url).await;
        crate::loads::drop_pg(&admin, &url).await;
        r.unwrap();
    }

    async fn broken_rules_found(url: &str) -> anyhow::Result<()> {
        // The product's own schema (migrations up to the halls').
        hallq_controller::store::Store::connect(url).await?;
        let mut c = sqlx::PgConnection::connect(url).await?;
        assert_eq!(
            check(url, 2, 2, "Asia/Shanghai").await?,
            Findings::default()
        );
        let ticket = |hall: &str, seq: i64, number: &str| {
            format!(
                "INSERT INTO tickets (hall, token, number, origin_service, service, day, seq, \
                 kind, prio, status, arrived_at, issued_at) VALUES ('{hall}', 't{hall}{seq}', \
                 '{number}', 'property', 'property', '2026-12-03', {seq}, 'walk_in', 2, \
                 'waiting', 0, 0)"
            )
        };
        // A001 in two halls is right; A001 twice in hall01 is not.
        for sql in [
            ticket("hall01", 1, "A000001"),
            ticket("hall02", 1, "A000001"),
        ] {
            sqlx::query(&sql).execute(&mut c).await?;
        }
        assert_eq!(check(url, 2, 2, "Asia/Shanghai").await?.total(), 0);
        sqlx::query(&ticket("hall01", 2, "A000001"))
            .execute(&mut c)
            .await?;
        // 2026-12-03 10:00 +08:00, booked one minute apart, for tomorrow's first slot.
        let at = 1_796_263_200_000_i64;
        let booking = |code: &str, hall: &str, person: &str, n: i64| {
            format!(
                "INSERT INTO appointments (code, hall, service, slot_start, slot_end, day, person, \
                 id_masked, name_masked, phone_masked, channel, method, status, created_at, \
                 changed_at) VALUES ('{code}', '{hall}', 'property', {slot}, {slot} + 600000, \
                 '2026-12-04', '{person}', '1****1', '*', '1****0', 'web', 'dev', 'booked', {t}, {t})",
                slot = at + 86_400_000,
                t = at + n * 60_000
            )
        };
        // p1 books in three halls the same day (limit 2); p2 and p3 take hall01's slot
        // too, 3 bookings on 2 seats.
        for (i, (hall, person)) in [
            ("hall01", "p1"),
            ("hall02", "p1"),
            ("hall03", "p1"),
            ("hall01", "p2"),
            ("hall01", "p3"),
        ]
        .iter()
        .enumerate()
        {
            sqlx::query(&booking(&format!("c{i}"), hall, person, i as i64))
                .execute(&mut c)
                .await?;
        }
        let f = check(url, 2, 2, "Asia/Shanghai").await?;
        assert_eq!(
            f,
            Findings {
                numbers_twice: 1,
                slots_over: 1,
                over_daily_limit: 1,
                over_active_limit: 1,
                tickets: 3,
                bookings: 5,
            }
        );
        // A cancelled booking still counts toward the day's bookings, not the seats.
        sqlx::query("UPDATE appointments SET status = 'cancelled' WHERE code IN ('c0', 'c3')")
            .execute(&mut c)
            .await?;
        let f = check(url, 2, 2, "Asia/Shanghai").await?;
        assert_eq!(
            (f.slots_over, f.over_daily_limit, f.over_active_limit),
            (0, 1, 0)
        );
        Ok(())
    }
}
