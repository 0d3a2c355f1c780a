//! The call order's class in SQL: the mirror of [`crate::policy::class`], so the people
//! ahead the store counts are those [`crate::policy::pick_next`] calls first. Checked
//! against the pure function on random queues (controller/tests/waiting_counts.rs).

/// The class of a `tickets` row at the time bound to `now` (a placeholder such as `$6`):
/// 0 an appointment (prio 0) whose slot has begun, 1 green, 2 everything else.
pub(crate) fn class_sql(now: &str) -> String {
    format!(
        "(CASE WHEN prio = 0 AND slot_start <= {now} THEN 0 WHEN prio = 0 THEN 2 ELSE prio END)"
    )
}
