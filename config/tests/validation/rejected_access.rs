//! Config files refused for who may do what and where hallq listens: staff accounts,
//! device credentials, server and broker; and several problems at once.

use super::*;

pub(crate) static ACCESS: &[Rejected] = &[
    // ---- staff accounts ----
    Rejected {
        name: "staff: device role, unknown window, a password in clear",
        edits: &[Append(
            "\n[[staff]]\nusername = \"li\"\nrole = \"kiosk\"\nwindows = [\"w9\"]\npassword_argon2 = \"secret\"\n",
        )],
        expect: &[
            at("staff[0].role", 49, "staff accounts are `clerk`, `desk` or `admin`"),
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
    Rejected {
        name: "staff: the consult desk with windows",
        edits: &[Append(
            "\n[[staff]]\nusername = \"desk\"\nrole = \"desk\"\nwindows = [\"w1\"]\npassword_argon2 = \"$argon2id$v=19$m=19456,t=2,p=1$W35mgoyFOBIYtF1FAzsyzQ$dUm0t7osKu0ftTGLXomTbWHOKqsjlJB9CVqNmilwmtY\"\n",
        )],
        expect: &[at("staff[0].windows", 50, "the consult desk is not bound to windows")],
    },
    // ---- credentials ----
    Rejected {
        name: "desk token names a window",
        edits: &[Replace("role = \"kiosk\"", "role = \"desk\"\nwindow = \"w1\"")],
        expect: &[at("credentials[1].window", 45, "a desk token is not bound to a window")],
    },
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
