//! Config files refused for the hall they describe: its hours, sections and services,
//! and windows.

use super::*;

pub(crate) static HALL: &[Rejected] = &[
    // ---- hall, hours ----
    Rejected {
        name: "unknown time zone",
        edits: &[After("name = \"测试大厅\"", "time_zone = \"Asia/Beijing\"")],
        expect: &[at("hall.time_zone", 4, "unknown time zone \"Asia/Beijing\"")],
    },
    Rejected {
        name: "open not HH:MM",
        edits: &[Replace("open = \"08:30\"", "open = \"8:30\"")],
        expect: &[at("hall.hours.open", 6, "HH:MM")],
    },
    Rejected {
        name: "open with a sign",
        edits: &[Replace("open = \"08:30\"", "open = \"+8:30\"")],
        expect: &[at("hall.hours.open", 6, "HH:MM")],
    },
    Rejected {
        name: "open with seconds",
        edits: &[Replace("open = \"08:30\"", "open = \"08:30:00\"")],
        expect: &[at("hall.hours.open", 6, "HH:MM")],
    },
    Rejected {
        name: "close minute 60",
        edits: &[Replace("close = \"17:30\"", "close = \"17:60\"")],
        expect: &[at("hall.hours.close", 7, "HH:MM")],
    },
    Rejected {
        name: "close 25:00",
        edits: &[Replace("close = \"17:30\"", "close = \"25:00\"")],
        expect: &[at("hall.hours.close", 7, "HH:MM")],
    },
    Rejected {
        name: "close before open",
        edits: &[Replace("close = \"17:30\"", "close = \"08:00\"")],
        expect: &[at("hall.hours.close", 7, "later than hours.open")],
    },
    Rejected {
        name: "close equals open",
        edits: &[Replace("close = \"17:30\"", "close = \"08:30\"")],
        expect: &[at("hall.hours.close", 7, "later than hours.open")],
    },
    Rejected {
        name: "unknown weekday",
        edits: &[Replace("\"tue\"", "\"Tuesday\"")],
        expect: &[at_col("hall.hours.days[1]", 8, 16, "unknown day \"Tuesday\"")],
    },
    Rejected {
        name: "weekday twice",
        edits: &[Replace("\"wed\"", "\"mon\"")],
        expect: &[at_col("hall.hours.days[2]", 8, 23, "day \"mon\" listed twice")],
    },
    Rejected {
        name: "hours as an inline table",
        edits: &[
            Replace("[hall.hours]\nopen = \"08:30\"\nclose = \"17:30\"\ndays = [\"mon\", \"tue\", \"wed\"]\n", ""),
            After("name = \"测试大厅\"", "hours = { open = \"9:00\", close = \"17:00\", days = [\"mon\"] }"),
        ],
        expect: &[at_col("hall.hours.open", 4, 11, "HH:MM")],
    },
    Rejected {
        name: "hall id with capitals",
        edits: &[Replace("id = \"test-hall\"", "id = \"Test-Hall\"")],
        expect: &[at("hall.id", 2, "lowercase letters")],
    },
    Rejected {
        name: "hall id empty",
        edits: &[Replace("id = \"test-hall\"", "id = \"\"")],
        expect: &[at("hall.id", 2, "lowercase letters")],
    },
    Rejected {
        name: "hall name blank",
        edits: &[Replace("name = \"测试大厅\"", "name = \"  \"")],
        expect: &[at("hall.name", 3, "must not be empty")],
    },
    // ---- sections and services ----
    Rejected {
        name: "duplicate service id across sections",
        edits: &[Append(
            "\n[[sections]]\nid = \"family\"\nname = \"家庭\"\n\n[[sections.services]]\nid = \"marriage\"\nname = \"婚姻咨询\"\nprefix = \"C\"\n",
        )],
        expect: &[at(
            "sections[1].services[0].id",
            52,
            "duplicate service id \"marriage\" (also at sections[0].services[0])",
        )],
    },
    Rejected {
        name: "duplicate section id",
        edits: &[Append(
            "\n[[sections]]\nid = \"civil\"\nname = \"民政二\"\n\n[[sections.services]]\nid = \"divorce\"\nname = \"离婚登记\"\nprefix = \"C\"\n",
        )],
        expect: &[at("sections[1].id", 48, "duplicate section id \"civil\"")],
    },
    Rejected {
        name: "duplicate prefix",
        edits: &[Replace("prefix = \"B\"", "prefix = \"A\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "prefix \"A\" already used by sections[0].services[0]")],
    },
    Rejected {
        name: "prefix lowercase",
        edits: &[Replace("prefix = \"B\"", "prefix = \"b\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "one capital letter")],
    },
    Rejected {
        name: "prefix two letters",
        edits: &[Replace("prefix = \"B\"", "prefix = \"BB\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "one capital letter")],
    },
    Rejected {
        name: "prefix empty",
        edits: &[Replace("prefix = \"B\"", "prefix = \"\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "one capital letter")],
    },
    Rejected {
        name: "prefix non-ASCII capital",
        edits: &[Replace("prefix = \"B\"", "prefix = \"Ä\"")],
        expect: &[at("sections[0].services[1].prefix", 22, "one capital letter")],
    },
    Rejected {
        name: "width 0",
        edits: &[Replace("width = 3", "width = 0")],
        expect: &[at("sections[0].services[1].width", 23, "between 1 and 6")],
    },
    Rejected {
        name: "width 7",
        edits: &[Replace("width = 3", "width = 7")],
        expect: &[at("sections[0].services[1].width", 23, "between 1 and 6")],
    },
    Rejected {
        name: "daily_cap larger than width 3 allows",
        edits: &[Replace("daily_cap = 100", "daily_cap = 1000")],
        expect: &[at("sections[0].services[1].daily_cap", 24, "1000 tickets need more than 3 digits")],
    },
    Rejected {
        name: "daily_cap larger than the default width allows",
        edits: &[After("prefix = \"A\"", "daily_cap = 1000")],
        expect: &[at(
            "sections[0].services[0].daily_cap",
            18,
            "1000 tickets need more than 3 digits",
        )],
    },
    Rejected {
        name: "daily_cap 0",
        edits: &[Replace("daily_cap = 100", "daily_cap = 0")],
        expect: &[at("sections[0].services[1].daily_cap", 24, "at least 1")],
    },
    Rejected {
        name: "width 7 and daily_cap 0 both reported",
        edits: &[Replace("width = 3\ndaily_cap = 100", "width = 7\ndaily_cap = 0")],
        expect: &[
            at("sections[0].services[1].width", 23, "between 1 and 6"),
            at("sections[0].services[1].daily_cap", 24, "at least 1"),
        ],
    },
    Rejected {
        name: "service name blank",
        edits: &[Replace("name = \"婚姻登记\"", "name = \"\"")],
        expect: &[at("sections[0].services[0].name", 16, "must not be empty")],
    },
    Rejected {
        name: "a hall without services",
        edits: &[
            Replace("[[sections.services]]\nid = \"marriage\"\nname = \"婚姻登记\"\nprefix = \"A\"\n\n", ""),
            Replace(
                "[[sections.services]]\nid = \"adoption\"\nname = \"收养登记\"\nprefix = \"B\"\nwidth = 3\ndaily_cap = 100\n\n",
                "",
            ),
            Replace("services = [\"marriage\", \"adoption\"]", "services = [\"marriage\"]"),
            Replace("services = [\"adoption\"]", "services = [\"marriage\"]"),
        ],
        expect: &[
            at("sections", 10, "at least one section with a service"),
            at("windows[0].services[0]", 17, "unknown service"),
            at("windows[1].services[0]", 22, "unknown service"),
        ],
    },
    // ---- windows ----
    Rejected {
        name: "window serves an unknown service",
        edits: &[Replace("services = [\"adoption\"]", "services = [\"adoptoin\"]")],
        expect: &[at_col("windows[1].services[0]", 34, 13, "unknown service \"adoptoin\"")],
    },
    Rejected {
        name: "service listed twice in a window",
        edits: &[Replace(
            "services = [\"marriage\", \"adoption\"]",
            "services = [\"marriage\", \"adoption\", \"marriage\"]",
        )],
        expect: &[at_col("windows[0].services[2]", 29, 37, "service \"marriage\" listed twice")],
    },
    Rejected {
        name: "window serves nothing",
        edits: &[Replace("services = [\"adoption\"]", "services = []")],
        expect: &[at("windows[1].services", 34, "at least one service")],
    },
    Rejected {
        name: "duplicate window id",
        edits: &[Replace("id = \"w2\"", "id = \"w1\"")],
        expect: &[at("windows[1].id", 32, "duplicate window id \"w1\"")],
    },
    Rejected {
        name: "window id with a space",
        edits: &[Replace("id = \"w2\"", "id = \"w 2\"")],
        expect: &[at("windows[1].id", 32, "letters, digits")],
    },
    Rejected {
        name: "window name blank",
        edits: &[Replace("name = \"2号窗口\"", "name = \" \"")],
        expect: &[at("windows[1].name", 33, "must not be empty")],
    },
];
