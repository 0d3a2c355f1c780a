//! The `[led]` section: defaults, a full example, and rejected cases that must name the
//! offending key path.

use hallq_config::led::{brightness_at, parse_template, Piece, TemplateKind};
use hallq_config::{load_str, ConfigError, Diagnostic, Settings};

const BASE: &str = r#"[hall]
id = "test-hall"
name = "测试大厅"

[[sections]]
id = "civil"
name = "民政"

[[sections.services]]
id = "marriage"
name = "婚姻登记"
prefix = "A"

[[windows]]
id = "w1"
name = "1号窗口"
name_en = "Window 1"
services = ["marriage"]

[[windows]]
id = "w2"
name = "2号窗口"
services = ["marriage"]
"#;

const FULL: &str = r#"
[led]
hall_calls = 4
ack_timeout_ms = 300
retries = 3

[led.templates]
calling = "请{number}号到{window_name}"
idle = "{window_name}"

[[led.brightness]]
from = "07:00"
level = 16

[[led.brightness]]
from = "19:00"
level = 6

[[led.buses]]
id = "floor1"
serial = "/dev/ttyUSB0"
baud = 57600

[[led.buses.boards]]
address = 1
window = "w1"
width = 128
height = 32

[[led.buses.boards]]
address = 2
window = "hall"
colour = "green"

[[led.buses]]
id = "lobby"
tcp = "127.0.0.1:5005"

[[led.buses.boards]]
address = 3
protocol = "alpha"
window = "w2"
mode = "static"
label = "A"
templates = { calling = "{number} -> {window}", paused = "PAUSED", idle = "WELCOME", closed = "CLOSED", hall_call = "{number}", hall_idle = "WELCOME" }
"#;

fn load(src: &str) -> Result<Settings, Vec<Diagnostic>> {
    match load_str("hall.toml", src) {
        Ok(s) => Ok(s),
        Err(ConfigError::Invalid(d)) => Err(d),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn no_led_section_means_no_buses_and_defaults() {
    let s = load(BASE).unwrap();
    assert!(s.led.buses.is_empty());
    assert_eq!(s.led.ack_timeout_ms, 500);
    assert_eq!(s.led.hall_calls, 3);
}

#[test]
fn full_example_loads_with_defaults_filled_in() {
    let s = load(&format!("{BASE}{FULL}")).unwrap();
    let led = &s.led;
    assert_eq!(led.buses.len(), 2);
    let serial = &led.buses[0];
    assert_eq!(serial.baud, 57600);
    assert_eq!(
        (serial.data_bits, serial.parity.as_str(), serial.stop_bits),
        (8, "none", 1)
    );
    let b = &serial.boards[0];
    assert_eq!(
        (b.protocol.as_str(), b.mode_name(), b.wants_ack()),
        ("bx", "static", true)
    );
    assert_eq!(
        b.template(led, TemplateKind::Calling),
        "请{number}号到{window_name}"
    );
    assert_eq!(b.template(led, TemplateKind::Paused), "暂停服务");
    let hall = &serial.boards[1];
    assert!(hall.is_hall());
    assert_eq!(hall.mode_name(), "left");
    let alpha = &led.buses[1].boards[0];
    assert!(!alpha.wants_ack());
    assert_eq!(alpha.template(led, TemplateKind::Idle), "WELCOME");
    assert_eq!(brightness_at(led, 8 * 60), Some(16));
    assert_eq!(brightness_at(led, 23 * 60), Some(6));
    assert_eq!(brightness_at(led, 3 * 60), Some(6), "carries over midnight");
}

#[test]
fn templates_split_into_text_and_fields() {
    assert_eq!(
        parse_template("请{number}号").unwrap(),
        vec![Piece::Text("请"), Piece::Field("number"), Piece::Text("号")]
    );
    assert!(parse_template("请{number号").is_err());
    assert!(parse_template("a}b").is_err());
}

/// (key path, fragment of the message).
type Expect = (&'static str, &'static str);

/// (name, text appended to BASE, expected diagnostics).
const REJECTED: &[(&str, &str, &[Expect])] = &[
    (
        "unknown window and bad protocol",
        r#"
[[led.buses]]
id = "b"
serial = "/dev/ttyUSB0"
[[led.buses.boards]]
window = "w1"
[[led.buses.boards]]
address = 2
window = "w9"
protocol = "onbon"
"#,
        &[
            ("led.buses[0].boards[1].window", "unknown window \"w9\""),
            ("led.buses[0].boards[1].protocol", "unknown value \"onbon\""),
        ],
    ),
    (
        "serial and tcp, bad serial settings",
        r#"
[[led.buses]]
id = "b"
serial = "/dev/ttyUSB0"
tcp = "10.0.0.5:5005"
data_bits = 9
parity = "mark"
stop_bits = 3
[[led.buses.boards]]
window = "hall"
"#,
        &[
            ("led.buses[0].tcp", "not both"),
            ("led.buses[0].data_bits", "5, 6, 7 or 8"),
            ("led.buses[0].parity", "unknown value \"mark\""),
            ("led.buses[0].stop_bits", "1 or 2"),
        ],
    ),
    (
        "no port, no boards, duplicate id; bad tcp",
        r#"
[[led.buses]]
id = "b"
[[led.buses]]
id = "b"
tcp = "controller"
[[led.buses.boards]]
window = "hall"
"#,
        &[
            ("led.buses[0]", "set serial"),
            ("led.buses[0].boards", "at least one board"),
            ("led.buses[1].id", "duplicate bus id"),
            ("led.buses[1].tcp", "HOST:PORT"),
        ],
    ),
    (
        "same address twice, same port twice",
        r#"
[[led.buses]]
id = "a"
tcp = "127.0.0.1:5005"
[[led.buses.boards]]
window = "w1"
[[led.buses.boards]]
window = "w2"
[[led.buses]]
id = "b"
tcp = "127.0.0.1:5005"
[[led.buses.boards]]
window = "w2"
"#,
        &[
            ("led.buses[0].boards[1].address", "also boards[0]"),
            ("led.buses[1].tcp", "already led.buses[0]"),
        ],
    ),
    (
        "alpha board with Chinese default texts and a bad address",
        r#"
[[led.buses]]
id = "b"
serial = "/dev/ttyS0"
[[led.buses.boards]]
protocol = "alpha"
address = 300
window = "w1"
templates = { paused = "PAUSED", closed = "CLOSED", hall_call = "{number}", hall_idle = "HI", idle = "HELLO" }
"#,
        &[
            ("led.buses[0].boards[0].address", "0-255"),
            ("led.buses[0].boards[0].templates.calling", "ASCII only"),
        ],
    ),
    (
        "templates, modes, colours, geometry",
        r#"
[led.templates]
calling = "请{numbr}号"
[[led.buses]]
id = "b"
serial = "/dev/ttyS0"
[[led.buses.boards]]
window = "w1"
x = 4
mode = "sideways"
colour = "blue"
templates = { idle = "{window_name" }
"#,
        &[
            ("led.templates.calling", "unknown placeholder {numbr}"),
            ("led.buses[0].boards[0].x", "multiple of 8"),
            ("led.buses[0].boards[0].mode", "unknown value \"sideways\""),
            ("led.buses[0].boards[0].colour", "unknown value \"blue\""),
            ("led.buses[0].boards[0].templates.idle", "unclosed"),
        ],
    ),
    (
        "timing and brightness",
        r#"
[led]
ack_timeout_ms = 5
reconnect_min_ms = 1000
reconnect_max_ms = 500
mqtt_username = "gw"
[[led.brightness]]
from = "19:00"
level = 6
[[led.brightness]]
from = "07:00"
level = 17
"#,
        &[
            ("led.ack_timeout_ms", "between 20 and 10000"),
            ("led.reconnect_max_ms", "reconnect_min_ms"),
            ("led.mqtt_password", "both"),
            ("led.brightness[1].from", "increasing"),
            ("led.brightness[1].level", "between 1 and 16"),
        ],
    ),
    (
        "unknown key in a board",
        r#"
[[led.buses]]
id = "b"
serial = "/dev/ttyS0"
[[led.buses.boards]]
window = "w1"
colour_mode = "dual"
"#,
        &[("led.buses[0].boards[0].colour_mode", "unknown key")],
    ),
];

#[test]
fn rejected_cases_name_the_key() {
    for (name, led, expect) in REJECTED {
        let src = format!("{BASE}{led}");
        let got = load(&src).expect_err(name);
        let shown: Vec<String> = got.iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), expect.len(), "{name}: {shown:#?}");
        for (key, fragment) in *expect {
            let d = got
                .iter()
                .find(|d| d.key == *key)
                .unwrap_or_else(|| panic!("{name}: no diagnostic for {key}: {shown:#?}"));
            assert!(
                d.message.contains(fragment),
                "{name}: {d} lacks {fragment:?}"
            );
            assert!(
                d.line > BASE.lines().count(),
                "{name}: {d} points into [led]"
            );
        }
    }
}

/// The LED warnings of BASE + `led`: (key, message).
fn led_warnings(led: &str) -> Vec<(String, String)> {
    let src = format!("{BASE}{led}");
    let (_, warnings) = hallq_config::check_str("h.toml", &src, &|_| None).unwrap();
    warnings
        .into_iter()
        .filter(|d| d.key.starts_with("led."))
        .map(|d| (d.key, d.message))
        .collect()
}

#[test]
fn movable_serial_names_are_warned_of() {
    let bus = |serial: &str| {
        format!(
            "[[led.buses]]\nid = \"b\"\nserial = \"{serial}\"\n[[led.buses.boards]]\nwindow = \"w1\"\n"
        )
    };
    let w = led_warnings(&bus("/dev/ttyUSB0"));
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].0, "led.buses[0].serial");
    assert!(w[0].1.contains("/dev/ttyUSB0"), "{w:?}");
    assert!(w[0].1.contains("/dev/serial/by-id/"), "{w:?}");
    assert!(w[0].1.contains("/dev/hallq-led-1"), "{w:?}");
    assert_eq!(led_warnings(&bus("/dev/ttyACM1")).len(), 1);
    for stable in [
        "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0",
        "/dev/hallq-led-1",
        "/dev/ttyS0",
    ] {
        assert!(led_warnings(&bus(stable)).is_empty(), "{stable}");
    }
}

#[test]
fn alpha_templates_that_can_render_non_ascii_are_warned_of() {
    let alpha = |window: &str, templates: &str| {
        format!(
            "[[led.buses]]\nid = \"b\"\ntcp = \"127.0.0.1:5005\"\n[[led.buses.boards]]\n\
             address = 1\nprotocol = \"alpha\"\nwindow = \"{window}\"\ntemplates = {{ {templates} }}\n"
        )
    };
    // Every template of an Alpha board must be ASCII text (an error otherwise); these are
    // the ones a case does not set.
    let hall_ones = ", hall_call = \"H\", hall_idle = \"HI\"";
    let ascii =
        "calling = \"{number}\", paused = \"PAUSED\", idle = \"WELCOME\", closed = \"CLOSED\"";
    let ascii = format!("{ascii}{hall_ones}");
    assert!(led_warnings(&alpha("w1", &ascii)).is_empty());
    // Window w1 has an English name; w2 has none, and the service has none.
    let named =
        "calling = \"{number} {window_name}\", paused = \"P\", idle = \"I\", closed = \"C\"";
    let named = format!("{named}{hall_ones}");
    assert!(led_warnings(&alpha("w1", &named)).is_empty());
    let w = led_warnings(&alpha("w2", &named));
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].0, "led.buses[0].boards[0].window");
    assert!(w[0].1.contains("calling") && w[0].1.contains("??"), "{w:?}");
    assert!(w[0].1.contains("2号窗口"), "{w:?}");
    let reason =
        "calling = \"{number}\", paused = \"PAUSED {reason}\", idle = \"I\", closed = \"C\"";
    let w = led_warnings(&alpha("w1", &format!("{reason}{hall_ones}")));
    assert!(w.len() == 1 && w[0].1.contains("{reason}"), "{w:?}");
    let service = "calling = \"{service_name}\", paused = \"P\", idle = \"I\", closed = \"C\"";
    let w = led_warnings(&alpha("w1", &format!("{service}{hall_ones}")));
    assert!(w.len() == 1 && w[0].1.contains("婚姻登记"), "{w:?}");
    let text = "calling = \"请{number}\", paused = \"P\", idle = \"I\", closed = \"C\"";
    assert_eq!(
        led_warnings(&alpha("w1", &format!("{text}{hall_ones}"))).len(),
        1
    );
    // A hall board: its hall templates, over every window.
    let hall = "calling = \"C\", paused = \"P\", idle = \"I\", closed = \"X\", \
                hall_call = \"{number} {window_name}\", hall_idle = \"HI\"";
    let w = led_warnings(&alpha("hall", hall));
    assert!(w.len() == 1 && w[0].1.contains("hall_call"), "{w:?}");
}
