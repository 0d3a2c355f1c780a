//! Printing at the kiosk: a network printer (a real TCP listener) gets ESC/POS bytes that
//! decode to the ticket; a dead printer marks the ticket print_failed without losing its
//! number, staff see it, and a reprint clears it. The QR image decodes to the status link.
//!
//! The machine's fonts are hidden from every hall here: fontconfig's configuration
//! (`FONTCONFIG_FILE`) lists one directory holding only a small Han font without
//! Simplified Chinese forms (ticket-print/fonts/test-han.otf), so the ticket picture is drawn
//! with the bundled subset and takes from that font only what the bundle lacks.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// The font directory fontconfig lists for the halls of this file.
fn hidden_system_fonts() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let fonts = tmp.path().join("fonts");
        std::fs::create_dir(&fonts).unwrap();
        let font = concat!(env!("CARGO_MANIFEST_DIR"), "/ticket-print/fonts/test-han.otf");
        std::fs::copy(font, fonts.join("test-han.otf")).unwrap();
        let conf = tmp.path().join("fonts.conf");
        let xml = format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir><cachedir>{}</cachedir></fontconfig>\n",
            fonts.display(),
            tmp.path().join("cache").display()
        );
        std::fs::write(&conf, xml).unwrap();
        // Set once, before this file's first hall starts; every hallq inherits it.
        std::env::set_var("FONTCONFIG_FILE", &conf);
        std::env::remove_var("HALLQ_TICKET_FONT");
        let fonts = fonts.canonicalize().unwrap();
        (tmp, fonts)
    })
    .1
}

/// Starts a hall that sees only the fonts of [`hidden_system_fonts`].
async fn start(opts: HallOpts) -> Hall {
    hidden_system_fonts();
    Hall::start(opts).await
}

fn with_printer(port: u16) -> HallOpts {
    HallOpts {
        edits: vec![
            ("name = \"kiosk-lobby\"\nrole = \"kiosk\"", "name = \"kiosk-lobby\"\nrole = \"kiosk\"\nprinter = \"lobby\"".into()),
            (
                "# ---- Credentials: bearer tokens",
                format!("[[printers]]\nid = \"lobby\"\nkind = \"tcp\"\naddress = \"127.0.0.1:{port}\"\npaper = \"80mm\"\nqr = \"native\"\n\n# ---- Credentials: bearer tokens"),
            ),
        ],
        ..Default::default()
    }
}

/// Accepts one connection and returns everything sent on it.
async fn printer_job(listener: &TcpListener) -> Vec<u8> {
    let (mut s, _) = listener.accept().await.unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    buf
}

async fn issue(hall: &Hall) -> Value {
    let (st, b) = hall
        .req(
            "POST",
            "/tickets",
            Some("demo-kiosk"),
            Some(json!({"service": "property"})),
        )
        .await;
    assert_eq!(st, 201, "{b}");
    b
}

#[tokio::test]
async fn tickets_print_on_the_kiosk_printer() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hall = start(with_printer(port)).await;
    let (job, b) = tokio::join!(printer_job(&listener), issue(&hall));
    assert_eq!(b["print"]["status"], "printed", "{b}");
    let tokens = hallq_ticket::parse(&job);
    let text = hallq_ticket::text_runs(&tokens).join("\n");
    assert!(text.contains("A001"), "{text}");
    assert!(text.contains("不动产登记"), "{text}");
    assert!(text.contains("海口市政务服务中心"), "{text}");
    // Where to wait: the windows whose services include property (1, 2, 3 and 10 in the demo),
    // on the paper (GB18030, decoded), on the kiosk's screen and on the status page.
    let hint = "请到 1、2、3、10号窗口附近等候";
    assert!(text.contains(hint), "{text}");
    assert_eq!(b["ticket"]["wait_hint"], hint, "{b}");
    let token = b["ticket"]["token"].as_str().unwrap();
    let (_, status) = hall
        .req("GET", &format!("/tickets/{token}"), None, None)
        .await;
    assert_eq!(status["wait_hint"], hint, "{status}");
    let qr = hallq_ticket::qr_payloads(&tokens);
    assert_eq!(
        qr,
        vec![b["ticket"]["status_url"]
            .as_str()
            .unwrap()
            .as_bytes()
            .to_vec()]
    );
}

#[tokio::test]
async fn a_dead_printer_marks_the_ticket_and_a_reprint_clears_it() {
    let port = free_port(); // nothing listens yet
    let hall = start(with_printer(port)).await;
    let b = issue(&hall).await;
    assert_eq!(b["print"]["status"], "failed", "{b}");
    assert!(b["print"]["message"].as_str().unwrap().contains("打印失败"));
    let token = b["ticket"]["token"].as_str().unwrap().to_string();
    // The number is not lost: it waits in the queue, and staff see the failed print.
    let (_, s) = hall
        .req("GET", &format!("/tickets/{token}"), None, None)
        .await;
    assert_eq!(s["status"], "waiting");
    let (_, snap) = hall.req("GET", "/snapshot", Some("demo-admin"), None).await;
    assert_eq!(snap["print_failed"][0]["number"], "A001", "{snap}");

    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let path = format!("/tickets/{token}/reprint");
    let reprint = hall.req("POST", &path, Some("demo-kiosk"), None);
    let (job, (st, r)) = tokio::join!(printer_job(&listener), reprint);
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["print"]["status"], "printed");
    assert!(hallq_ticket::text_runs(&hallq_ticket::parse(&job))
        .join("")
        .contains("A001"));
    let (_, snap) = hall.req("GET", "/snapshot", Some("demo-admin"), None).await;
    assert_eq!(snap["print_failed"], json!([]));
    let (st, _) = hall
        .req(
            "POST",
            &format!("/tickets/{token}/reprint"),
            Some("demo-clerk-1"),
            None,
        )
        .await;
    assert_eq!(st, 403, "a clerk cannot reprint at the kiosk");
}

#[tokio::test]
async fn qr_and_ticket_images_decode_to_the_status_link() {
    let hall = start(HallOpts::default()).await;
    let t = hall.ticket("property").await;
    let token = t["token"].as_str().unwrap();
    let client = reqwest::Client::new();
    for (path, name) in [
        ("qr.png", "qr"),
        ("ticket.png?paper=58mm", "ticket58"),
        ("ticket.png?paper=80mm", "ticket80"),
    ] {
        let r = client
            .get(format!("{}/tickets/{token}/{path}", hall.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "image/png");
        let png = r.bytes().await.unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{path}");
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let want = match name {
            "ticket58" => 384,
            "ticket80" => 576,
            _ => width,
        };
        assert_eq!(width, want, "{path}: one pixel per printer dot");
        let file = hall.dir.join(format!("{name}.png"));
        std::fs::write(&file, &png).unwrap();
        let Ok(out) = Command::new("zbarimg")
            .args(["--quiet", "--raw"])
            .arg(&file)
            .output()
        else {
            println!("skipped: zbarimg not installed (QR decoding of {path})");
            continue;
        };
        let decoded = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(decoded, t["status_url"].as_str().unwrap(), "{path}");
    }
    // Drawn with the bundled subset; of the system fonts only the one fontconfig lists.
    let fonts = format!(
        "bundled Noto Sans CJK SC subset, {} (face 0)",
        hidden_system_fonts().join("test-han.otf").display()
    );
    assert!(hall.log().contains(&fonts), "{}", hall.log());
    let r = client
        .get(format!("{}/tickets/{token}/escpos?qr=raster", hall.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tokens = hallq_ticket::parse(&r.bytes().await.unwrap());
    assert!(
        tokens
            .iter()
            .any(|t| matches!(t, hallq_ticket::Token::Raster(_))),
        "raster QR fallback"
    );
    let (st, b) = hall
        .req(
            "GET",
            "/tickets/00000000000000000000000000000000/qr.png",
            None,
            None,
        )
        .await;
    assert_eq!((st, b["error"].as_str()), (404, Some("ticket_not_found")));
}

/// The ticket picture of a hall named `name`: status and body.
async fn ticket_png_of_hall(name: &str) -> (u16, Vec<u8>) {
    let hall = start(HallOpts {
        edits: vec![(
            "name = \"海口市政务服务中心\"",
            format!("name = \"{name}\""),
        )],
        ..Default::default()
    })
    .await;
    let t = hall.ticket("property").await;
    let token = t["token"].as_str().unwrap();
    let r = reqwest::get(format!("{}/tickets/{token}/ticket.png", hall.base))
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_rare_character_prints_from_a_system_font_and_a_missing_one_is_refused() {
    // 堃 and 喆 are outside GB 2312 and the bundle; the font fontconfig lists has them.
    let (st, png) = ticket_png_of_hall("堃喆镇便民服务中心").await;
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&png));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // No font has Tibetan here: refused, naming the character, rather than boxes.
    let (st, body) = ticket_png_of_hall("ཀ镇便民服务中心").await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((st, body["error"].as_str()), (503, Some("render_failed")));
    assert!(
        body["message"].as_str().unwrap().contains("U+0F40"),
        "{body}"
    );
}
