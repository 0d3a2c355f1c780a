//! Config files refused for their form: TOML syntax, unknown keys, wrong types, missing
//! required keys.

use super::*;

pub(crate) static FORM: &[Rejected] = &[
    // ---- syntax ----
    Rejected {
        name: "unclosed string",
        edits: &[Replace("name = \"婚姻登记\"", "name = \"婚姻登记")],
        // Column counts characters: `name = "` is 8, the four CJK characters end at 12.
        expect: &[at_col(
            "",
            16,
            13,
            "the closing `\"` is missing: text in quotes ends on the same line, name = \"婚姻登记\"",
        )],
    },
    Rejected {
        name: "key defined twice",
        edits: &[After("id = \"w2\"", "id = \"w3\"")],
        expect: &[at_col("", 33, 1, "id is set twice in [windows]: keep one")],
    },
    Rejected {
        name: "unclosed table header",
        edits: &[Replace("[hall.hours]", "[hall.hours")],
        expect: &[at_col("", 5, 12, "invalid table header; expected `.`, `]`")],
    },
    // ---- unknown keys: all of them, together ----
    Rejected {
        name: "unknown keys everywhere",
        edits: &[
            Before("[hall]", "colour = \"blue\""),
            After("name = \"测试大厅\"", "nmae = \"typo\""),
            After("close = \"17:30\"", "lunch = \"12:00\""),
            After("prefix = \"A\"", "widht = 4"),
            After("services = [\"adoption\"]", "floors = 2"),
            After("role = \"kiosk\"", "scope = \"all\""),
        ],
        expect: &[
            at_col("colour", 1, 1, "unknown key"),
            at_col("hall.nmae", 5, 1, "unknown key"),
            at("hall.hours.lunch", 10, "unknown key"),
            at("sections[0].services[0].widht", 21, "unknown key"),
            at("windows[1].floors", 39, "unknown key"),
            at("credentials[1].scope", 50, "unknown key"),
        ],
    },
    Rejected {
        name: "unknown table",
        edits: &[Append("\n[printer]\nmodel = \"x\"\n")],
        expect: &[at("printer", 47, "unknown key")],
    },
    Rejected {
        name: "unknown key in a broker account",
        edits: &[Append(
            "\n[[broker.accounts]]\nusername = \"tv\"\npassword_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\nrole = \"display\"\ntopic = \"x\"\n",
        )],
        expect: &[at("broker.accounts[0].topic", 51, "unknown key")],
    },
    // ---- wrong types ----
    Rejected {
        name: "width is a string",
        edits: &[After("prefix = \"A\"", "width = \"three\"")],
        expect: &[at_col("sections[0].services[0].width", 18, 9, "invalid type: string \"three\"")],
    },
    Rejected {
        name: "negative daily_cap",
        edits: &[Replace("daily_cap = 100", "daily_cap = -5")],
        expect: &[at_col("sections[0].services[1].daily_cap", 24, 13, "invalid value")],
    },
    Rejected {
        name: "unknown role",
        edits: &[Replace("role = \"kiosk\"", "role = \"boss\"")],
        expect: &[at_col("credentials[1].role", 44, 8, "unknown variant `boss`")],
    },
    Rejected {
        name: "window services not an array",
        edits: &[Replace("services = [\"adoption\"]", "services = \"adoption\"")],
        expect: &[at("windows[1].services", 34, "invalid type")],
    },
    Rejected {
        name: "unknown broker mode",
        edits: &[Append("\n[broker]\nmode = \"cloud\"\n")],
        expect: &[at("broker.mode", 48, "unknown variant `cloud`")],
    },
    Rejected {
        name: "unknown key reported beside a type error before it",
        edits: &[
            After("name = \"测试大厅\"", "nmae = \"typo\""),
            Replace("width = 3", "width = 3.5"),
        ],
        expect: &[
            at("hall.nmae", 4, "unknown key"),
            at("sections[0].services[1].width", 24, "invalid type"),
        ],
    },
    // ---- missing required keys: the key is named, the place is its table ----
    Rejected {
        name: "hall.name missing",
        edits: &[Remove("name = \"测试大厅\"\n")],
        expect: &[at_col("hall.name", 1, 1, "missing field `name`")],
    },
    Rejected {
        name: "hall.id missing",
        edits: &[Remove("id = \"test-hall\"\n")],
        expect: &[at("hall.id", 1, "missing field `id`")],
    },
    Rejected {
        name: "service prefix missing",
        edits: &[Remove("prefix = \"B\"\n")],
        expect: &[at("sections[0].services[1].prefix", 19, "missing field `prefix`")],
    },
    Rejected {
        name: "window services missing",
        edits: &[Remove("services = [\"adoption\"]\n")],
        expect: &[at("windows[1].services", 31, "missing field `services`")],
    },
    Rejected {
        name: "credential token missing",
        edits: &[Remove("token_sha256 = \"2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n")],
        expect: &[at("credentials[1].token_sha256", 42, "missing field `token_sha256`")],
    },
    Rejected {
        name: "no [hall] at all",
        edits: &[Replace(
            "[hall]\nid = \"test-hall\"\nname = \"测试大厅\"\n\n[hall.hours]\nopen = \"08:30\"\nclose = \"17:30\"\ndays = [\"mon\", \"tue\", \"wed\"]\n\n",
            "",
        )],
        expect: &[at("hall", 1, "missing field `hall`")],
    },
];
