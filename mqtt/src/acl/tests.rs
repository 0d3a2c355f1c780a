//! The policy per account, topic matching, and `filter_within` against its definition
//! (checked exhaustively over every topic of a small alphabet).

use super::*;
use proptest::prelude::*;

const ROOT: &str = "hallq/v1/haikou/";

fn t(s: &str) -> String {
    format!("{ROOT}{s}")
}

#[test]
fn displays_and_gateways_read_state_and_calls_but_not_buttons() {
    for who in [Account::Display, Account::Gateway] {
        let g = who.grants("haikou");
        for ok in ["calls", "windows/+", "windows/3", "queues/+", "queues/tax"] {
            assert!(g.may_subscribe(&t(ok)), "{who:?} may read {ok}");
        }
        for denied in [
            "#",
            "+",
            "buttons/+",
            "buttons/1",
            "buttons/#",
            "+/+",
            "+/1",
            "windows/#",
            "calls/#",
        ] {
            assert!(
                !g.may_subscribe(&t(denied)),
                "{who:?} may not read {denied}"
            );
        }
        for denied in [
            "#",
            "hallq/#",
            "hallq/v1/#",
            "hallq/v1/+/buttons/+",
            "+/+/+/+/+",
        ] {
            assert!(!g.may_subscribe(denied), "{who:?} may not read {denied}");
        }
        // Another hall's topics are not this account's.
        assert!(!g.may_subscribe("hallq/v1/sanya/calls"));
        for topic in ["calls", "windows/1", "queues/tax", "buttons/1"] {
            assert!(!g.may_publish(&t(topic)), "{who:?} may not publish {topic}");
        }
    }
}

#[test]
fn on_a_one_hall_broker_the_hall_level_plus_is_this_hall() {
    for who in [Account::Display, Account::Gateway] {
        let g = who.grants("haikou");
        for ok in [
            "hallq/v1/+/calls",
            "hallq/v1/+/windows/+",
            "hallq/v1/+/queues/tax",
        ] {
            assert!(!g.may_subscribe(ok), "{who:?}: {ok} reaches other halls");
            assert!(g.may_subscribe_single_hall(ok), "{who:?} may read {ok}");
        }
        for denied in [
            "hallq/v1/+/buttons/+",
            "hallq/v1/+/#",
            "hallq/v1/#",
            "hallq/+/+/calls",
            "hallq/v1/sanya/calls",
            "+/v1/+/calls",
        ] {
            assert!(
                !g.may_subscribe_single_hall(denied),
                "{who:?} may not read {denied}"
            );
        }
    }
    let button = Account::Button { window: "1".into() }.grants("haikou");
    assert!(!button.may_subscribe_single_hall("hallq/v1/+/buttons/1"));
}

#[test]
fn a_button_presses_only_its_own_window_and_reads_nothing() {
    let g = Account::Button { window: "1".into() }.grants("haikou");
    assert!(g.may_publish(&t("buttons/1")));
    for denied in [
        "buttons/2",
        "buttons/1/x",
        "buttons/10",
        "buttons/+",
        "buttons/#",
        "calls",
        "windows/1",
        "queues/tax",
    ] {
        assert!(
            !g.may_publish(&t(denied)),
            "button-1 may not publish {denied}"
        );
    }
    assert!(!g.may_publish("hallq/v1/sanya/buttons/1"));
    for f in ["#", "buttons/1", "calls"] {
        assert!(!g.may_subscribe(&t(f)), "button-1 reads nothing: {f}");
    }
}

#[test]
fn the_controller_owns_its_hall() {
    let g = Account::Controller.grants("haikou");
    assert!(g.may_publish(&t("calls")) && g.may_subscribe(&t("buttons/+")));
    assert!(g.may_subscribe(&t("#")) && !g.may_subscribe("hallq/v1/#"));
}

#[test]
fn topic_matching_follows_mqtt() {
    for (topic, pattern, want) in [
        ("a/b", "a/b", true),
        ("a/b", "a/+", true),
        ("a/b", "a/#", true),
        ("a", "a/#", true),
        ("a/b/c", "a/+", false),
        ("a", "a/+", false),
        ("a/", "a/+", true),
        ("b/a", "a/#", false),
        ("$SYS/a", "#", false),
        ("$SYS/a", "+/a", false),
        ("$SYS/a", "$SYS/#", true),
    ] {
        assert_eq!(topic_matches(topic, pattern), want, "{topic} ~ {pattern}");
    }
}

#[test]
fn invalid_filters_are_within_nothing() {
    for bad in ["", "a/#/b", "a#", "a/b+", "+a", "##", "a\0"] {
        assert!(!valid_filter(bad), "{bad:?}");
        assert!(!filter_within(bad, "#"), "{bad:?}");
    }
    for bad in ["", "a/+", "a/#", "$SYS/x", "a\0"] {
        assert!(!valid_topic(bad), "{bad:?}");
    }
}

#[test]
fn filter_within_examples() {
    for (filter, pattern, want) in [
        ("a/b", "a/b", true),
        ("a/+", "a/+", true),
        ("a/+", "a/b", false),
        ("a/b", "a/+", true),
        ("a/#", "a/+", false),
        ("a", "a/#", true),
        ("a/#", "a/#", true),
        ("#", "a/#", false),
        ("+/b", "a/b", false),
        ("a/b/c", "a/+", false),
        ("a", "a/+", false),
        ("$x/a", "+/a", false),
        ("$x/a", "#", false),
    ] {
        assert_eq!(
            filter_within(filter, pattern),
            want,
            "{filter} within {pattern}"
        );
    }
}

/// Levels the generated filters and patterns are made of; topics add a level neither
/// uses ("z") and a `$` level, so a level a wildcard matches but a literal does not
/// always exists.
const LITERALS: [&str; 3] = ["a", "b", ""];
const TOPIC_LEVELS: [&str; 5] = ["a", "b", "", "z", "$a"];

fn filter_strategy() -> impl Strategy<Value = String> {
    let level = prop_oneof![
        3 => proptest::sample::select(LITERALS.to_vec()).prop_map(str::to_string),
        2 => Just("+".to_string()),
    ];
    (proptest::collection::vec(level, 1..4), any::<bool>()).prop_map(|(mut levels, hash)| {
        if hash {
            levels.push("#".into());
        }
        levels.join("/")
    })
}

/// Every topic of 1..=max levels over TOPIC_LEVELS (`$` only in the first level).
fn all_topics(max: usize) -> Vec<String> {
    let mut out: Vec<Vec<&str>> = TOPIC_LEVELS.iter().map(|l| vec![*l]).collect();
    let mut last = out.clone();
    for _ in 1..max {
        let mut next = Vec::new();
        for t in &last {
            for l in TOPIC_LEVELS.iter().filter(|l| !l.starts_with('$')) {
                let mut t = t.clone();
                t.push(l);
                next.push(t);
            }
        }
        out.extend(next.iter().cloned());
        last = next;
    }
    out.into_iter().map(|t| t.join("/")).collect()
}

/// A city's ACL: each hall's display reads its own hall only, the controller's one login
/// is granted in every hall, in one block.
#[test]
fn a_city_acl_grants_each_account_in_its_own_hall() {
    let acl = mosquitto_acl_halls(&[
        (
            "haikou".into(),
            vec![
                ("hallq-controller".into(), Account::Controller),
                ("display".into(), Account::Display),
            ],
        ),
        (
            "longhua".into(),
            vec![
                ("hallq-controller".into(), Account::Controller),
                ("display-longhua".into(), Account::Display),
            ],
        ),
    ]);
    assert_eq!(acl.matches("user hallq-controller").count(), 1, "{acl}");
    let block = |user: &str| -> String {
        let from = acl.find(&format!("user {user}\n")).unwrap();
        let rest = &acl[from + 1..];
        let end = rest.find("\nuser ").map_or(rest.len(), |e| e);
        rest[..end].to_string()
    };
    let controller = block("hallq-controller");
    assert!(controller.contains("hallq/v1/haikou/#"), "{controller}");
    assert!(controller.contains("hallq/v1/longhua/#"), "{controller}");
    let longhua = block("display-longhua");
    assert!(
        longhua.contains("topic read hallq/v1/longhua/calls"),
        "{longhua}"
    );
    assert!(!longhua.contains("haikou"), "{longhua}");
    assert!(!block("display").contains("longhua"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `filter_within(f, p)` exactly when every topic `f` matches is matched by `p`: the
    /// topics up to one level deeper than either cover every case, since deeper topics
    /// only meet `#`.
    #[test]
    fn filter_within_is_subset_of_matched_topics(f in filter_strategy(), p in filter_strategy()) {
        // The one invalid filter the strategy makes: "" (within nothing, tested above).
        prop_assume!(valid_filter(&f) && valid_filter(&p));
        let depth = f.split('/').count().max(p.split('/').count()) + 1;
        let subset = all_topics(depth)
            .iter()
            .filter(|t| topic_matches(t, &f))
            .all(|t| topic_matches(t, &p));
        prop_assert_eq!(filter_within(&f, &p), subset, "{} within {}", f, p);
    }

    /// Whatever a display may subscribe to never matches a button press, and whatever
    /// matches only its hall's calls and state is granted.
    #[test]
    fn no_display_filter_reaches_a_button(levels in proptest::collection::vec(
        proptest::sample::select(vec!["hallq", "v1", "haikou", "buttons", "calls", "windows", "1", "+"]),
        1..6,
    ), hash in any::<bool>()) {
        let mut f = levels.join("/");
        if hash {
            f.push_str("/#");
        }
        let g = Account::Display.grants("haikou");
        if g.may_subscribe(&f) {
            prop_assert!(!topic_matches("hallq/v1/haikou/buttons/1", &f), "{} reaches a button", f);
        }
        let within_reads = READ_TOPICS.iter().any(|r| filter_within(&f, &t(r)));
        prop_assert_eq!(g.may_subscribe(&f), within_reads);
    }
}
