//! Config files refused for the hall's timetable: the `[hall.hours]` keys (periods,
//! weekday overrides), and each bookable service's hours against them (slots that could
//! never be served, or a slot grid that leaves the end of a bookable stretch unused).

use super::*;

/// The hall's one-period hours as a lunch-break timetable (still lines 6 and 7).
const LUNCH: Edit = Replace(
    "open = \"08:30\"\nclose = \"17:30\"",
    "periods = [\"09:00-12:00\", \"14:30-17:30\"]\n# lunch break 12:00-14:30",
);

/// Makes "adoption" bookable (its booking keys on lines 26–29) with this body, and adds
/// the ID-hash key bookings need.
macro_rules! bookable {
    ($body:literal) => {
        [
            After(
                "daily_cap = 100",
                concat!("\n[sections.services.booking]\n", $body),
            ),
            Append("\n[identity]\nid_hash_key = \"k\"\ndev_provider = true\n"),
        ]
    };
}

const EARLY: [Edit; 2] =
    bookable!("open = \"08:00\"\nclose = \"17:00\"\ndays = [\"mon\", \"tue\"]\nslot_minutes = 30");
const LATE: [Edit; 2] =
    bookable!("open = \"09:00\"\nclose = \"18:00\"\ndays = [\"mon\", \"tue\"]\nslot_minutes = 30");
const SATURDAY: [Edit; 2] =
    bookable!("open = \"09:00\"\nclose = \"17:00\"\ndays = [\"mon\", \"sat\"]\nslot_minutes = 30");
const TAIL: [Edit; 2] =
    bookable!("open = \"09:00\"\nclose = \"17:20\"\ndays = [\"mon\", \"tue\"]\nslot_minutes = 30");
const LUNCH_GRID: [Edit; 3] = [
    LUNCH,
    After(
        "daily_cap = 100",
        "\n[sections.services.booking]\nopen = \"09:00\"\nclose = \"17:30\"\ndays = [\"mon\"]\nslot_minutes = 40",
    ),
    Append("\n[identity]\nid_hash_key = \"k\"\ndev_provider = true\n"),
];

pub(crate) static HOURS: &[Rejected] = &[
    // ---- [hall.hours] periods and weekday overrides ----
    Rejected {
        name: "period without a dash",
        edits: &[Replace(
            "open = \"08:30\"\nclose = \"17:30\"",
            "periods = [\"09:00-12:00\", \"14:30 17:30\"]",
        )],
        expect: &[at_col("hall.hours.periods[1]", 6, 27, "must be a period \"HH:MM-HH:MM\"")],
    },
    Rejected {
        name: "period ending before it starts",
        edits: &[Replace(
            "open = \"08:30\"\nclose = \"17:30\"",
            "periods = [\"12:00-09:00\"]",
        )],
        expect: &[at("hall.hours.periods[0]", 6, "with the end after the start")],
    },
    Rejected {
        name: "overlapping periods",
        edits: &[Replace(
            "open = \"08:30\"\nclose = \"17:30\"",
            "periods = [\"09:00-12:00\", \"11:30-17:30\"]",
        )],
        expect: &[at(
            "hall.hours.periods[1]",
            6,
            "starts before the previous period ends",
        )],
    },
    Rejected {
        name: "touching periods",
        edits: &[Replace(
            "open = \"08:30\"\nclose = \"17:30\"",
            "periods = [\"09:00-12:00\", \"12:00-17:30\"]",
        )],
        expect: &[at(
            "hall.hours.periods[1]",
            6,
            "starts where the previous period ends: write the two as one period",
        )],
    },
    Rejected {
        name: "periods with open and close",
        edits: &[Before("open = \"08:30\"", "periods = [\"09:00-12:00\"]")],
        expect: &[
            at("hall.hours.open", 7, "either periods or open/close, not both"),
            at("hall.hours.close", 8, "either periods or open/close, not both"),
        ],
    },
    Rejected {
        name: "empty periods",
        edits: &[Replace(
            "open = \"08:30\"\nclose = \"17:30\"",
            "periods = []",
        )],
        expect: &[at("hall.hours.periods", 6, "must list at least one period")],
    },
    Rejected {
        name: "weekday override with overlapping periods",
        edits: &[After(
            "days = [\"mon\", \"tue\", \"wed\"]",
            "sat = [\"09:00-12:00\", \"10:00-11:00\"]",
        )],
        expect: &[at("hall.hours.sat[1]", 9, "starts before the previous period ends")],
    },
    Rejected {
        name: "weekday override not a period",
        edits: &[After("days = [\"mon\", \"tue\", \"wed\"]", "sat = [\"09:00\"]")],
        expect: &[at("hall.hours.sat[0]", 9, "must be a period")],
    },
    // ---- booking hours against the hall's ----
    Rejected {
        name: "booking opens before the hall",
        edits: &EARLY,
        expect: &[at(
            "sections[0].services[1].booking.open",
            27,
            "slots from 08:00 start before the hall opens (08:30): they could never be served; make open 08:30 or later",
        )],
    },
    Rejected {
        name: "booking closes after the hall",
        edits: &LATE,
        expect: &[at(
            "sections[0].services[1].booking.close",
            28,
            "end after the hall closes (17:30): they could never be served; make close 17:30 or earlier",
        )],
    },
    Rejected {
        name: "booking on a weekday the hall is closed",
        edits: &SATURDAY,
        expect: &[at_col(
            "sections[0].services[1].booking.days[1]",
            29,
            16,
            "the hall is closed on sat ([hall.hours]): no slot could be served",
        )],
    },
    Rejected {
        name: "slot grid leaves the end of the day unused",
        edits: &TAIL,
        expect: &[at(
            "sections[0].services[1].booking.close",
            28,
            "30-minute slots from 09:00 leave 17:00–17:20 on mon unused: it would be dropped; make close 17:00, or choose slot_minutes that divide 09:00–17:20",
        )],
    },
    Rejected {
        name: "slot grid leaves the end of the morning unused",
        edits: &LUNCH_GRID,
        expect: &[at(
            "sections[0].services[1].booking.slot_minutes",
            30,
            "40-minute slots from 09:00 leave 11:40–12:00 on mon unused: it would be dropped; choose slot_minutes that divide 09:00–12:00",
        )],
    },
];
