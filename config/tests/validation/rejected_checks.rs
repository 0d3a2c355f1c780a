//! Config files that parse but cannot work, refused by `config check` with the fix in the
//! message: hashes that are not what they claim, bookable services nobody can book, ids
//! given by name or misspelt, unknown keys near a known one, TOML mistakes in an admin's
//! words, broker logins the broker would refuse.

use super::*;

pub(crate) static CHECKS: &[Rejected] = &[
    // ---- hashes ----
    Rejected {
        name: "argon2 hash cut after the salt",
        edits: &[Append(
            "\n[[staff]]\nusername = \"li\"\nrole = \"clerk\"\npassword_argon2 = \"$argon2id$v=19$m=19456,t=2,p=1$W35mgoyFOBIYtF1FAzsyzQ\"\n",
        )],
        expect: &[at_col(
            "staff[0].password_argon2",
            50,
            1,
            "the hash is cut off: nothing follows the salt, so no password can match; make one with `hallq hash --password` and paste it whole",
        )],
    },
    Rejected {
        name: "argon2 hash cut short",
        edits: &[Append(
            "\n[[staff]]\nusername = \"li\"\nrole = \"clerk\"\npassword_argon2 = \"$argon2id$v=19$m=19456,t=2,p=1$W35mgoyFOBIYtF1FAzsyzQ$dUm0t7osKu0ftTGLXomTbWHOKqsjlJB9CVqNmilw\"\n",
        )],
        expect: &[at(
            "staff[0].password_argon2",
            50,
            "the hash is cut off or damaged (30 bytes where a whole one has at least 32), so no password can match; make one with `hallq hash --password`",
        )],
    },
    Rejected {
        name: "argon2 costs no sign-in can afford",
        edits: &[Append(
            "\n[[staff]]\nusername = \"li\"\nrole = \"clerk\"\npassword_argon2 = \"$argon2id$v=19$m=4294967295,t=2,p=1$W35mgoyFOBIYtF1FAzsyzQ$dUm0t7osKu0ftTGLXomTbWHOKqsjlJB9CVqNmilwAAA\"\n",
        )],
        expect: &[at("staff[0].password_argon2", 50, "exceed what a sign-in may spend")],
    },
    Rejected {
        name: "argon2 hash cut inside its parameters",
        edits: &[Append(
            "\n[[staff]]\nusername = \"li\"\nrole = \"clerk\"\npassword_argon2 = \"$argon2id$v=19$m=19456,t=2,p\"\n",
        )],
        expect: &[at("staff[0].password_argon2", 50, "`hallq hash --password`")],
    },
    Rejected {
        name: "a token in clear where its hash belongs",
        edits: &[Replace(
            "\"2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            "\"demo-kiosk\"",
        )],
        expect: &[at(
            "credentials[1].token_sha256",
            45,
            "must be 64 lowercase hex digits, the sha256 of the token (not hex: the token itself instead of its hash?); `hallq hash TOKEN` prints it",
        )],
    },
    Rejected {
        name: "a broker password hash cut short",
        edits: &[Append(
            "\n[[broker.accounts]]\nusername = \"tv\"\npassword_sha256 = \"27042f4e6eca7d0b2a7ee4026df2ecfa51d3339e6d122aa099118ecd8563bad\"\nrole = \"display\"\n",
        )],
        expect: &[at(
            "broker.accounts[0].password_sha256",
            49,
            "the sha256 of the password (63 hex digits: cut off or too long?); `hallq hash PASSWORD` prints it",
        )],
    },
    // ---- booking ----
    Rejected {
        name: "bookable service without an identity provider",
        edits: &[
            After("prefix = \"A\"", "\n[sections.services.booking]\nopen = \"09:00\"\ndays = [\"mon\"]"),
            Append("\n[identity]\nid_hash_key_env = \"HALLQ_ID_HASH_KEY\"\n"),
        ],
        expect: &[at_col(
            "sections[0].services[0].booking",
            19,
            20,
            "bookable, but [identity] has no identity provider, so nobody can ever book: add an [[identity.providers]] entry",
        )],
    },
    // ---- ids given by name, misspelt ----
    Rejected {
        name: "a window lists a service by its name",
        edits: &[Replace("services = [\"adoption\"]", "services = [\"婚姻登记\"]")],
        expect: &[at_col(
            "windows[1].services[0]",
            34,
            13,
            "unknown service \"婚姻登记\": list service ids here — did you mean \"marriage\" (婚姻登记)?",
        )],
    },
    Rejected {
        name: "a window lists a misspelt service id",
        edits: &[Replace("services = [\"adoption\"]", "services = [\"mariage\"]")],
        expect: &[at(
            "windows[1].services[0]",
            34,
            "unknown service \"mariage\"; did you mean \"marriage\" (婚姻登记)?",
        )],
    },
    Rejected {
        name: "a window lists a service that is not there: the ids are listed",
        edits: &[Replace("services = [\"adoption\"]", "services = [\"passport\"]")],
        expect: &[at(
            "windows[1].services[0]",
            34,
            "unknown service \"passport\" (service ids: marriage, adoption)",
        )],
    },
    Rejected {
        name: "a screen lists a service and a window by name",
        edits: &[Append(
            "\n[[screens]]\nid = \"tv\"\nservices = [\"收养登记\"]\nwindows = [\"2号窗口\"]\n",
        )],
        expect: &[
            at(
                "screens[0].services[0]",
                49,
                "unknown service \"收养登记\": list service ids here — did you mean \"adoption\" (收养登记)?",
            ),
            at(
                "screens[0].windows[0]",
                50,
                "unknown window \"2号窗口\": list window ids here — did you mean \"w2\" (2号窗口)?",
            ),
        ],
    },
    Rejected {
        name: "a credential names its window by name",
        edits: &[Replace("window = \"w1\"", "window = \"1号窗口\"")],
        expect: &[at(
            "credentials[0].window",
            39,
            "unknown window \"1号窗口\": list window ids here — did you mean \"w1\" (1号窗口)?",
        )],
    },
    // ---- unknown keys ----
    Rejected {
        name: "unknown key near a known one",
        edits: &[After("open = \"08:30\"", "clsoe = \"17:00\"")],
        expect: &[at_col("hall.hours.clsoe", 7, 1, "unknown key; did you mean \"close\"?")],
    },
    Rejected {
        name: "unknown key near none: the table's keys are listed",
        edits: &[After("name = \"2号窗口\"", "counter = 3")],
        expect: &[at(
            "windows[1].counter",
            34,
            "unknown key; this table takes: id, name, name_en, floor, services",
        )],
    },
    // ---- TOML in an admin's words ----
    Rejected {
        name: "an unquoted time",
        edits: &[Replace("open = \"08:30\"", "open = 08:30")],
        expect: &[at("", 6, "times must be in quotes: open = \"08:30\"")],
    },
    Rejected {
        name: "a time TOML reads as its own",
        edits: &[Replace("close = \"17:30\"", "close = 17:30:00")],
        expect: &[at("hall.hours.close", 7, "times must be in quotes: close = \"17:30\"")],
    },
    Rejected {
        name: "an unquoted date",
        edits: &[Append("\n[calendar]\nholidays = [2027-01-01]\n")],
        expect: &[at("calendar.holidays[0]", 48, "dates must be in quotes: \"2027-01-01\"")],
    },
    Rejected {
        name: "an unquoted word",
        edits: &[Replace("name = \"测试大厅\"", "name = 测试大厅")],
        expect: &[at_col("", 3, 8, "text must be in quotes: name = \"测试大厅\"")],
    },
    Rejected {
        name: "an unquoted role",
        edits: &[Replace("role = \"kiosk\"", "role = kiosk")],
        expect: &[at("", 44, "text must be in quotes: role = \"kiosk\"")],
    },
    Rejected {
        name: "a list not closed",
        edits: &[Replace(
            "days = [\"mon\", \"tue\", \"wed\"]",
            "days = [\"mon\", \"tue\", \"wed\"",
        )],
        expect: &[at("", 10, "the list days = [ … is not closed, or its items lack a comma")],
    },
    Rejected {
        name: "a list whose items lack a comma",
        edits: &[Replace(
            "days = [\"mon\", \"tue\", \"wed\"]",
            "days = [\"mon\", \"tue\"\n  \"wed\"]",
        )],
        expect: &[at("", 9, "the list days = [ … is not closed, or its items lack a comma")],
    },
    Rejected {
        name: "a hall that never opens",
        edits: &[Replace("days = [\"mon\", \"tue\", \"wed\"]", "days = []")],
        expect: &[at("hall.hours.days", 8, "the hall never opens")],
    },
    Rejected {
        name: "a date both holiday and working day",
        edits: &[Append("\n[calendar]\nholidays = [\"2027-02-07\"]\nworkdays = [\"2027-02-07\"]\n")],
        expect: &[at("calendar.workdays[0]", 49, "listed both as a holiday and as a working day")],
    },
    Rejected {
        name: "a boolean written as a word",
        edits: &[Append("\n[identity]\ndev_provider = yes\n")],
        expect: &[at("", 48, "write true or false (lowercase, no quotes): dev_provider = true")],
    },
    Rejected {
        name: "an unquoted secret is not repeated",
        edits: &[Append("\n[broker]\nmqtt_password = hunter2\n")],
        expect: &[at("", 48, "text must be in quotes: mqtt_password = \"…\"")],
    },
    Rejected {
        name: "a bare time with seconds becomes HH:MM",
        edits: &[Replace("open = \"08:30\"", "open = 8:30:00")],
        expect: &[at("", 6, "times must be in quotes: open = \"08:30\"")],
    },
    Rejected {
        name: "a table given twice",
        edits: &[Append("\n[hall]\nname_en = \"Test Hall\"\n")],
        expect: &[at(
            "",
            47,
            "table [hall] appears twice: merge the two into one (for a list of tables, write [[hall]] each time)",
        )],
    },
    // ---- broker logins ----
    Rejected {
        name: "a display login with no broker account",
        edits: &[Append("\n[display]\nusername = \"tv\"\npassword = \"right\"\n")],
        expect: &[at(
            "display.username",
            48,
            "the broker has no account \"tv\", so it refuses this login: add [[broker.accounts]] with username = \"tv\", role = \"display\"",
        )],
    },
    Rejected {
        name: "a display password that does not match its broker account",
        edits: &[Append(
            "\n[[broker.accounts]]\nusername = \"tv\"\npassword_sha256 = \"27042f4e6eca7d0b2a7ee4026df2ecfa51d3339e6d122aa099118ecd8563bad9\"\nrole = \"display\"\n\n\
             [display]\nusername = \"tv\"\npassword = \"wrong\"\n",
        )],
        expect: &[at(
            "display.password",
            54,
            "does not match broker.accounts[0].password_sha256 (\"tv\"), so the broker refuses this login",
        )],
    },
    Rejected {
        name: "a display login of a button account",
        edits: &[Append(
            "\n[[broker.accounts]]\nusername = \"tv\"\npassword_sha256 = \"27042f4e6eca7d0b2a7ee4026df2ecfa51d3339e6d122aa099118ecd8563bad9\"\nrole = \"button\"\nwindow = \"w1\"\n\n\
             [display]\nusername = \"tv\"\npassword = \"right\"\n",
        )],
        expect: &[at(
            "display.username",
            54,
            "broker.accounts[0] (\"tv\") has role \"button\": this login needs an account with role = \"display\"",
        )],
    },
    Rejected {
        name: "a display login without its password",
        edits: &[Append(
            "\n[[broker.accounts]]\nusername = \"tv\"\npassword_sha256 = \"27042f4e6eca7d0b2a7ee4026df2ecfa51d3339e6d122aa099118ecd8563bad9\"\nrole = \"display\"\n\n\
             [display]\nusername = \"tv\"\n",
        )],
        expect: &[at(
            "display.username",
            53,
            "set display.password too: the broker refuses \"tv\" without its password",
        )],
    },
    Rejected {
        name: "an LED gateway password that does not match its broker account",
        edits: &[Append(
            "\n[[broker.accounts]]\nusername = \"gw\"\npassword_sha256 = \"27042f4e6eca7d0b2a7ee4026df2ecfa51d3339e6d122aa099118ecd8563bad9\"\nrole = \"gateway\"\n\n\
             [led]\nmqtt_username = \"gw\"\nmqtt_password = \"wrong\"\n",
        )],
        expect: &[at(
            "led.mqtt_password",
            54,
            "does not match broker.accounts[0].password_sha256 (\"gw\")",
        )],
    },
];
