//! Config files that must load, each with what must hold of the settings.

use super::*;

pub(crate) static ACCEPTED: &[Accepted] = &[
    Accepted {
        name: "base",
        edits: &[],
        check: |s| {
            assert_eq!(s.hall.id, "test-hall");
            assert_eq!(s.services().count(), 2);
            assert_eq!(s.windows.len(), 2);
            assert_eq!(s.credentials.len(), 2);
            assert_eq!(s.hall.time_zone, "Asia/Shanghai", "default time zone");
            assert_eq!(s.server.listen, "127.0.0.1:8080", "default server");
            assert_eq!(s.broker.listen, "127.0.0.1:11883", "default broker");
            let m = s.service("marriage").unwrap();
            assert_eq!((m.width, m.daily_cap), (3, None), "default width, no cap");
            assert_eq!(m.effective_cap(), 999);
            assert_eq!(s.service("adoption").unwrap().effective_cap(), 100);
            assert_eq!(s.window("w1").unwrap().floor, 1, "default floor");
        },
    },
    Accepted {
        name: "no [hall.hours]: the default hours",
        edits: &[Replace(
            "[hall.hours]\nopen = \"08:30\"\nclose = \"17:30\"\ndays = [\"mon\", \"tue\", \"wed\"]\n",
            "",
        )],
        check: |s| {
            assert_eq!(s.hall.hours.describe(), "周一至周五 08:30–17:30");
        },
    },
    Accepted {
        name: "lunch break, a short Saturday, bookings across the break",
        edits: &[
            Replace(
                "open = \"08:30\"\nclose = \"17:30\"",
                "periods = [\"09:00-12:00\", \"14:30-17:30\"]\nsat = [\"09:00-12:00\"]",
            ),
            After(
                "daily_cap = 100",
                "\n[sections.services.booking]\nopen = \"09:00\"\nclose = \"17:30\"\ndays = [\"mon\", \"sat\"]\nslot_minutes = 30",
            ),
            Append("\n[identity]\nid_hash_key = \"k\"\ndev_provider = true\n"),
        ],
        check: |s| {
            assert_eq!(
                s.hall.hours.describe(),
                "周一至周三 09:00–12:00，14:30–17:30；周六 09:00–12:00"
            );
        },
    },
    Accepted {
        name: "[hall.hours] with only days",
        edits: &[
            Remove("open = \"08:30\"\n"),
            Remove("close = \"17:30\"\n"),
            Replace("days = [\"mon\", \"tue\", \"wed\"]", "days = [\"sat\", \"sun\"]"),
        ],
        check: |s| {
            assert_eq!(s.hall.hours.describe(), "周六、周日 08:30–17:30");
        },
    },
    Accepted {
        name: "open around the clock",
        edits: &[
            Replace("open = \"08:30\"", "open = \"00:00\""),
            Replace("close = \"17:30\"", "close = \"24:00\""),
            Replace(
                "days = [\"mon\", \"tue\", \"wed\"]",
                "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]",
            ),
        ],
        check: |s| {
            assert_eq!(s.hall.hours.describe(), "周一至周日 00:00–24:00");
        },
    },
    Accepted {
        name: "other time zone",
        edits: &[After("name = \"测试大厅\"", "time_zone = \"Asia/Urumqi\"")],
        check: |s| assert_eq!(s.tz(), chrono_tz::Asia::Urumqi),
    },
    Accepted {
        name: "[server] with only listen",
        edits: &[Append("\n[server]\nlisten = \"0.0.0.0:80\"\n")],
        check: |s| {
            assert_eq!(s.server.listen, "0.0.0.0:80");
            assert_eq!(s.server.data_dir, "data");
            assert_eq!(s.server.max_body_bytes, 16 * 1024);
            assert_eq!(s.public_base_url(), "http://0.0.0.0:80");
        },
    },
    Accepted {
        name: "[server] in full, IPv6",
        edits: &[Append(
            "\n[server]\nlisten = \"[::1]:8080\"\ndata_dir = \"/var/lib/hallq\"\ndatabase_url = \"postgres://hallq@db/hallq\"\npublic_base_url = \"https://hall.example.org/\"\nmax_body_bytes = 1024\n",
        )],
        check: |s| assert_eq!(s.public_base_url(), "https://hall.example.org"),
    },
    Accepted {
        name: "external broker with only mode and url",
        edits: &[Append("\n[broker]\nmode = \"external\"\nurl = \"mqtt://mosquitto.local:1883\"\n")],
        check: |s| {
            assert_eq!(s.broker.mode, hallq_config::BrokerMode::External);
            assert_eq!(s.broker.url.as_deref(), Some("mqtt://mosquitto.local:1883"));
        },
    },
    Accepted {
        name: "external broker ignores a bad embedded listen",
        edits: &[Append("\n[broker]\nmode = \"external\"\nurl = \"mqtt://10.0.0.5\"\nlisten = \"nowhere\"\n")],
        check: no_check,
    },
    Accepted {
        name: "broker accounts",
        edits: &[Append(concat!(
            "\n[[broker.accounts]]\n",
            "username = \"tv\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"display\"\n",
            "\n[[broker.accounts]]\n",
            "username = \"button-w2\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"button\"\n",
            "window = \"w2\"\n",
        ))],
        check: |s| assert_eq!(s.broker.accounts.len(), 2),
    },
    Accepted {
        name: "width 6 with the largest cap",
        edits: &[Replace("width = 3\ndaily_cap = 100", "width = 6\ndaily_cap = 999999")],
        check: |s| {
            let a = s.service("adoption").unwrap();
            assert_eq!(a.effective_cap(), 999_999);
            assert_eq!(a.format_number(42), "B000042");
        },
    },
    Accepted {
        name: "width 1 with cap 9",
        edits: &[Replace("width = 3\ndaily_cap = 100", "width = 1\ndaily_cap = 9")],
        check: |s| assert_eq!(s.service("adoption").unwrap().format_number(9), "B9"),
    },
    Accepted {
        name: "cap exactly what width 3 prints",
        edits: &[Replace("daily_cap = 100", "daily_cap = 999")],
        check: no_check,
    },
    Accepted {
        name: "services may repeat across windows; one service per window is enough",
        edits: &[Replace("services = [\"marriage\", \"adoption\"]", "services = [\"adoption\"]")],
        check: no_check,
    },
    Accepted {
        name: "no credentials",
        edits: &[TruncateAt("[[credentials]]\nname = \"clerk-1\"")],
        check: |s| assert!(s.credentials.is_empty()),
    },
    Accepted {
        name: "admin may name a window, kiosk may omit it",
        edits: &[Replace("role = \"clerk\"", "role = \"admin\"")],
        check: |s| assert_eq!(s.credentials[0].role, hallq_config::Role::Admin),
    },
    Accepted {
        name: "windows as inline tables",
        edits: &[
            Replace(
                "[[windows]]\nid = \"w1\"\nname = \"1号窗口\"\nservices = [\"marriage\", \"adoption\"]\n\n[[windows]]\nid = \"w2\"\nname = \"2号窗口\"\nservices = [\"adoption\"]\n\n",
                "",
            ),
            Before(
                "[hall]",
                "windows = [{ id = \"w1\", name = \"1号\", services = [\"marriage\"] }, { id = \"w2\", name = \"2号\", services = [\"adoption\"], floor = 3 }]",
            ),
        ],
        check: |s| assert_eq!(s.window("w2").unwrap().floor, 3),
    },
    Accepted {
        name: "notifiers and reminder lead times",
        edits: &[Append(
            "\n[appointments]\nreminders = [\"30m\", \"2d\", \"1h\"]\n\n[[notifiers]]\nkind = \"webhook\"\nurl = \"http://127.0.0.1:8081/events\"\nsecret_env = \"HALLQ_WEBHOOK_SECRET\"\n\n[[notifiers]]\nkind = \"log\"\n",
        )],
        check: |s| {
            assert_eq!(s.reminder_leads(), [2880, 60, 30], "longest first");
            assert_eq!(s.notifiers.len(), 2);
            assert_eq!((s.notifiers[0].id(), s.notifiers[1].id()), ("webhook", "log"));
            assert_eq!(s.notifiers[0].timeout().as_secs(), 10, "default timeout");
        },
    },
    Accepted {
        name: "default reminders: a day and an hour before, no notifiers",
        edits: &[],
        check: |s| {
            assert_eq!(s.reminder_leads(), [1440, 60]);
            assert!(s.notifiers.is_empty());
        },
    },
    Accepted {
        name: "bookable with the development identity provider (a demo)",
        edits: &[
            After("prefix = \"A\"", "\n[sections.services.booking]\nopen = \"09:00\"\ndays = [\"mon\"]"),
            Append("\n[identity]\nid_hash_key = \"k\"\ndev_provider = true\n"),
        ],
        check: |s| assert!(s.service("marriage").unwrap().booking.is_some()),
    },
    Accepted {
        name: "a display login that matches its broker account",
        edits: &[Append(
            "\n[[broker.accounts]]\nusername = \"tv\"\npassword_sha256 = \"27042f4e6eca7d0b2a7ee4026df2ecfa51d3339e6d122aa099118ecd8563bad9\"\nrole = \"display\"\n\n\
             [display]\nusername = \"tv\"\npassword = \"right\"\n",
        )],
        check: no_check,
    },
    Accepted {
        name: "a display login on an external broker whose accounts hallq does not know",
        edits: &[Append(
            "\n[broker]\nmode = \"external\"\nurl = \"mqtt://127.0.0.1:1883\"\n\n[display]\nusername = \"tv\"\npassword = \"anything\"\n",
        )],
        check: no_check,
    },
];
