//! Config files that must be refused, each with the diagnostics it must get.

use super::*;

pub(crate) static REJECTED: &[Rejected] = &[
    // ---- syntax ----
    Rejected {
        name: "unclosed string",
        edits: &[Replace("name = \"婚姻登记\"", "name = \"婚姻登记")],
        // Column counts characters: `name = "` is 8, the four CJK characters end at 12.
        expect: &[at_col("", 16, 13, "string")],
    },
    Rejected {
        name: "key defined twice",
        edits: &[After("id = \"w2\"", "id = \"w3\"")],
        expect: &[at_col("", 33, 1, "duplicate key `id`")],
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
    // ---- staff accounts ----
    Rejected {
        name: "staff: device role, unknown window, a password in clear",
        edits: &[Append(
            "\n[[staff]]\nusername = \"li\"\nrole = \"kiosk\"\nwindows = [\"w9\"]\npassword_argon2 = \"secret\"\n",
        )],
        expect: &[
            at("staff[0].role", 49, "staff accounts are `clerk` or `admin`"),
            at("staff[0].windows[0]", 50, "unknown window \"w9\""),
            at("staff[0].password_argon2", 51, "not a password hash"),
        ],
    },
    Rejected {
        name: "staff: a username twice, an admin with windows, a day-long session",
        edits: &[Append(
            "\n[[staff]]\nusername = \"a\"\nrole = \"admin\"\nwindows = [\"w1\"]\npassword_argon2 = \"$argon2id$v=19$m=19456,t=2,p=1$W35mgoyFOBIYtF1FAzsyzQ$dUm0t7osKu0ftTGLXomTbWHOKqsjlJB9CVqNmilwmtY\"\n\n\
             [[staff]]\nusername = \"a\"\nrole = \"clerk\"\npassword_argon2 = \"$argon2id$v=19$m=19456,t=2,p=1$W35mgoyFOBIYtF1FAzsyzQ$dUm0t7osKu0ftTGLXomTbWHOKqsjlJB9CVqNmilwmtY\"\n\n\
             [sign_in]\nsession_minutes = 5000\n",
        )],
        expect: &[
            at("staff[0].windows", 50, "an admin is not bound to windows"),
            at("staff[1].username", 54, "\"a\" used twice"),
            at("sign_in.session_minutes", 59, "must be 5–1440"),
        ],
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
    // ---- credentials ----
    Rejected {
        name: "clerk without window",
        edits: &[Remove("window = \"w1\"\n")],
        expect: &[at("credentials[0].window", 36, "a clerk needs the window")],
    },
    Rejected {
        name: "button credential without window",
        edits: &[Replace("role = \"kiosk\"", "role = \"button\"")],
        expect: &[at("credentials[1].window", 42, "a button needs the window")],
    },
    Rejected {
        name: "credential names an unknown window",
        edits: &[Replace("window = \"w1\"", "window = \"w9\"")],
        expect: &[at("credentials[0].window", 39, "unknown window \"w9\"")],
    },
    Rejected {
        name: "kiosk names an unknown window",
        edits: &[After("role = \"kiosk\"", "window = \"lobby\"")],
        expect: &[at("credentials[1].window", 45, "unknown window \"lobby\"")],
    },
    Rejected {
        name: "token too short",
        edits: &[Replace("\"2aaaaaaaaa", "\"2aaaaaaaa")],
        expect: &[at("credentials[1].token_sha256", 45, "64 lowercase hex digits")],
    },
    Rejected {
        name: "token uppercase hex",
        edits: &[Replace("\"2aaaaaaaaa", "\"2AAAAAAAAA")],
        expect: &[at("credentials[1].token_sha256", 45, "64 lowercase hex digits")],
    },
    Rejected {
        name: "token not hex",
        edits: &[Replace("\"2aaaaaaaaa", "\"2aaaaaaaag")],
        expect: &[at("credentials[1].token_sha256", 45, "64 lowercase hex digits")],
    },
    Rejected {
        name: "token in clear",
        edits: &[Replace(
            "\"2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
            "\"demo-kiosk\"",
        )],
        expect: &[at("credentials[1].token_sha256", 45, "64 lowercase hex digits")],
    },
    Rejected {
        name: "two credentials with the same hash",
        edits: &[Replace("\"2aaa", "\"1aaa")],
        expect: &[at("credentials[1].token_sha256", 45, "same token as credentials[0]")],
    },
    // ---- server, broker ----
    Rejected {
        name: "external broker without url",
        edits: &[Append("\n[broker]\nmode = \"external\"\n")],
        expect: &[at("broker.mode", 48, "needs broker.url")],
    },
    Rejected {
        name: "external broker with an http url",
        edits: &[Append("\n[broker]\nmode = \"external\"\nurl = \"http://10.0.0.5:1883\"\n")],
        expect: &[at("broker.url", 49, "mqtt://HOST:PORT")],
    },
    Rejected {
        name: "external broker url with a bad port",
        edits: &[Append("\n[broker]\nmode = \"external\"\nurl = \"mqtt://10.0.0.5:99999\"\n")],
        expect: &[at("broker.url", 49, "mqtt://HOST:PORT")],
    },
    Rejected {
        name: "embedded broker listen without port",
        edits: &[Append("\n[broker]\nlisten = \"127.0.0.1\"\n")],
        expect: &[at("broker.listen", 48, "HOST:PORT")],
    },
    Rejected {
        name: "server listen with a host name",
        edits: &[Append("\n[server]\nlisten = \"localhost:8080\"\n")],
        expect: &[at("server.listen", 48, "HOST:PORT with an IP address")],
    },
    Rejected {
        name: "server listen without host",
        edits: &[Append("\n[server]\nlisten = \"8080\"\n")],
        expect: &[at("server.listen", 48, "HOST:PORT")],
    },
    Rejected {
        name: "server urls and body limit",
        edits: &[Append(
            "\n[server]\ndatabase_url = \"mysql://db/hallq\"\npublic_base_url = \"hall.example.org\"\nmax_body_bytes = 512\n",
        )],
        expect: &[
            at("server.database_url", 48, "sqlite: or postgres://"),
            at("server.public_base_url", 49, "http:// or https://"),
            at("server.max_body_bytes", 50, "at least 1024"),
        ],
    },
    Rejected {
        name: "broker accounts: duplicate user name, bad hash, button without window",
        edits: &[Append(concat!(
            "\n[[broker.accounts]]\n",
            "username = \"tv\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"display\"\n",
            "\n[[broker.accounts]]\n",
            "username = \"tv\"\n",
            "password_sha256 = \"3AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"\n",
            "role = \"button\"\n",
            "\n[[broker.accounts]]\n",
            "username = \"button-9\"\n",
            "password_sha256 = \"4aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"button\"\n",
            "window = \"w9\"\n",
        ))],
        expect: &[
            at("broker.accounts[1].username", 53, "duplicate user name \"tv\""),
            at("broker.accounts[1].password_sha256", 54, "64 lowercase hex digits"),
            at("broker.accounts[1].window", 52, "a button needs the window"),
            at("broker.accounts[2].window", 61, "unknown window \"w9\""),
        ],
    },
    Rejected {
        name: "broker accounts: a staff role, a display with a window, odd and reserved names",
        edits: &[Append(concat!(
            "\n[[broker.accounts]]\n",
            "username = \"clerk\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"clerk\"\n",
            "window = \"w1\"\n",
            "\n[[broker.accounts]]\n",
            "username = \"tv\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"display\"\n",
            "window = \"w1\"\n",
            "\n[[broker.accounts]]\n",
            "username = \"tv 2\\ntopic readwrite #\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"gateway\"\n",
            "\n[[broker.accounts]]\n",
            "username = \"hallq-internal\"\n",
            "password_sha256 = \"3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
            "role = \"gateway\"\n",
        ))],
        expect: &[
            at("broker.accounts[0].role", 50, "broker accounts are `display`, `gateway` or `button`"),
            at("broker.accounts[1].window", 57, "only a button account names a window"),
            at("broker.accounts[2].username", 60, "must be 1-64 characters"),
            at("broker.accounts[3].username", 65, "the controller's own login"),
        ],
    },
    // ---- several semantic problems at once ----
    Rejected {
        name: "many problems, each on its own line",
        edits: &[
            After("name = \"测试大厅\"", "time_zone = \"Mars/Olympus\""),
            Replace("close = \"17:30\"", "close = \"07:00\""),
            Replace("prefix = \"B\"", "prefix = \"A\""),
            Replace("daily_cap = 100", "daily_cap = 0"),
            Replace("id = \"w2\"", "id = \"w1\""),
            Replace("services = [\"adoption\"]", "services = [\"adoption\", \"births\"]"),
            Replace("window = \"w1\"", "window = \"w2\""),
            Replace("\"2aaaaaaaaa", "\"2aaaaaaaa"),
            Append("\n[server]\nlisten = \"*:8080\"\n"),
        ],
        expect: &[
            at("hall.time_zone", 4, "unknown time zone"),
            at("hall.hours.close", 8, "later than hours.open"),
            at("sections[0].services[1].prefix", 23, "already used"),
            at("sections[0].services[1].daily_cap", 25, "at least 1"),
            at("windows[1].id", 33, "duplicate window id"),
            at_col("windows[1].services[1]", 35, 25, "unknown service \"births\""),
            at("credentials[0].window", 40, "unknown window \"w2\""),
            at("credentials[1].token_sha256", 46, "64 lowercase hex digits"),
            at("server.listen", 49, "HOST:PORT"),
        ],
    },
];
