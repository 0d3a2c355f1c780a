//! Config files refused for their `[[notifiers]]` (citizens' notifications) or their
//! reminder lead times. Appended text starts on line 46 (a blank line), so the first
//! appended key sits on line 47 or 48.

use super::*;

pub(crate) static NOTIFY: &[Rejected] = &[
    Rejected {
        name: "unknown notifier kind",
        edits: &[Append("\n[[notifiers]]\nkind = \"sms\"\n")],
        expect: &[at_col("notifiers[0].kind", 48, 1, "unknown notifier kind \"sms\"")],
    },
    Rejected {
        name: "webhook without url and secret_env",
        edits: &[Append("\n[[notifiers]]\nkind = \"webhook\"\n")],
        expect: &[at("notifiers[0].kind", 48, "needs `url` (http://…) and `secret_env`")],
    },
    Rejected {
        name: "webhook url not http and bad secret_env and timeout",
        edits: &[Append(
            "\n[[notifiers]]\nkind = \"webhook\"\nurl = \"ftp://msg.example.org/x\"\nsecret_env = \"MY-KEY\"\ntimeout_secs = 0\n",
        )],
        expect: &[
            at_col("notifiers[0].url", 49, 1, "must start with http://"),
            at("notifiers[0].secret_env", 50, "name of an environment variable"),
            at("notifiers[0].timeout_secs", 51, "1 to 60 seconds"),
        ],
    },
    Rejected {
        name: "webhook over https",
        edits: &[Append(
            "\n[[notifiers]]\nkind = \"webhook\"\nurl = \"https://msg.example.org/x\"\nsecret_env = \"KEY\"\n",
        )],
        expect: &[at("notifiers[0].url", 49, "local TLS proxy")],
    },
    Rejected {
        name: "webhook url with credentials",
        edits: &[Append(
            "\n[[notifiers]]\nkind = \"webhook\"\nurl = \"http://u:p@msg.example.org/x\"\nsecret_env = \"KEY\"\n",
        )],
        expect: &[at("notifiers[0].url", 49, "without user, password")],
    },
    Rejected {
        name: "log notifier with a url",
        edits: &[Append("\n[[notifiers]]\nkind = \"log\"\nurl = \"http://x/\"\n")],
        expect: &[at("notifiers[0].url", 49, "only a webhook notifier")],
    },
    Rejected {
        name: "two notifiers with one name",
        edits: &[Append("\n[[notifiers]]\nkind = \"log\"\n\n[[notifiers]]\nkind = \"log\"\n")],
        expect: &[at("notifiers[1].kind", 51, "distinct `name`")],
    },
    Rejected {
        name: "unknown key in a notifier",
        edits: &[Append("\n[[notifiers]]\nkind = \"log\"\nsecret = \"x\"\n")],
        expect: &[at("notifiers[0].secret", 49, "unknown key")],
    },
    Rejected {
        name: "bad reminder lead times",
        edits: &[Append("\n[appointments]\nreminders = [\"1d\", \"2w\", \"24h\", \"1m\"]\n")],
        expect: &[
            at_col("appointments.reminders[1]", 48, 20, "\"2w\" is not a lead time"),
            at_col("appointments.reminders[2]", 48, 26, "repeats an earlier lead time"),
            at_col("appointments.reminders[3]", 48, 33, "\"1m\" is not a lead time"),
        ],
    },
];
