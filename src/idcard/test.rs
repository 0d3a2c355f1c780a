//! `hallq idcard test --port DEV`: reads one card through the real driver and prints its
//! fields, masked.
//!
//! What is shown: the name masked (`张*`), sex, ethnic group, the first two characters of
//! the address and of the issuing authority (the province, which the number's first
//! digits give anyway), the ID number masked (`1101**********002X`), the validity and the
//! card type. The birth date and the rest of the address and authority are held back:
//! beside the masked number they would give its hidden digits back.

use std::process::ExitCode;
use std::time::Duration;

use hallq_idcard::{mask_id_number, mask_name, nation_name, CardType, Event, IdCard, Sex};
use tokio::sync::mpsc;

/// Characters of the address and the issuing authority shown (the province).
const ADDRESS_SHOWN: usize = 2;

/// Waits up to `wait` for one card on the reader at `port`.
pub(super) async fn run(port: &str, baud: u32, wait: Duration) -> ExitCode {
    let serial = match hallq_idcard::open_serial(port, baud) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("无法打开读卡器 / cannot open the reader at {port}: {e}");
            return ExitCode::from(1);
        }
    };
    println!(
        "读卡器 / reader: {port}, {baud} baud; 请放身份证 / lay a card on it ({} s)",
        wait.as_secs()
    );
    let (tx, mut rx) = mpsc::channel(8);
    let driver = tokio::spawn(hallq_idcard::drive(
        serial,
        hallq_idcard::ReaderOptions::default(),
        tx,
    ));
    let deadline = tokio::time::Instant::now() + wait;
    let mut answered = false;
    let mut last_error = None;
    let outcome = loop {
        let event = tokio::select! {
            e = rx.recv() => e,
            () = tokio::time::sleep_until(deadline) => break None,
        };
        match event {
            Some(Event::CardRead(card)) => break Some(card),
            Some(Event::Answering) => {
                if !answered {
                    println!("读卡器已应答 / the reader answers");
                }
                answered = true;
            }
            Some(Event::Error(e)) => last_error = Some(e.to_string()),
            Some(Event::CardRemoved) => {}
            None => break None,
        }
    };
    drop(rx);
    let ended = if driver.is_finished() {
        driver.await.ok().and_then(Result::err)
    } else {
        driver.abort();
        None
    };
    if let Some(card) = outcome {
        for (label, value) in fields(&card) {
            println!("{label}: {value}");
        }
        return ExitCode::SUCCESS;
    }
    let secs = wait.as_secs();
    match (ended, answered) {
        (Some(e), _) => eprintln!("读卡器连接中断 / the reader's port failed: {e}"),
        (None, true) => {
            eprintln!("{secs} 秒内读卡器上没有身份证 / no card on the reader within {secs} s")
        }
        (None, false) => {
            eprintln!(
                "读卡器无应答 / no answer from a reader at {port} within {secs} s \
                 (检查接线、电源和波特率 / check the cable, the power and the baud rate: {baud})"
            );
        }
    }
    // A card found but not read (a SAM fault, a damaged card) says why here.
    if let Some(e) = last_error {
        eprintln!("  最后的错误 / last error: {e}");
    }
    ExitCode::from(1)
}

/// The card's fields as shown: label (Chinese / English) and masked value.
pub(super) fn fields(card: &IdCard) -> Vec<(&'static str, String)> {
    let sex = match card.sex {
        Sex::Male => "男 / male".to_string(),
        Sex::Female => "女 / female".to_string(),
        Sex::Other(c) => format!("未说明 / not stated ({c})"),
    };
    let nation = match nation_name(&card.nation) {
        Some(n) => format!("{n} ({})", card.nation),
        None => format!("? ({})", card.nation.escape_debug()),
    };
    let kind = match card.card_type {
        CardType::Resident => "居民身份证 / resident identity card".to_string(),
        CardType::HkMacaoTaiwan => {
            "港澳台居民居住证 / HK, Macao, Taiwan residence permit".to_string()
        }
        CardType::Foreigner => {
            "外国人永久居留身份证 / foreigner's permanent residence card".to_string()
        }
        CardType::Other(b) => format!("其他 / other ({b:#04x})"),
    };
    vec![
        ("姓名 / name", mask_name(&card.name)),
        ("性别 / sex", sex),
        ("民族 / ethnic group", nation),
        ("出生 / birth", "****-**-**".to_string()),
        ("住址 / address", shortened(&card.address)),
        ("公民身份号码 / ID number", mask_id_number(&card.id_number)),
        ("签发机关 / issuer", shortened(&card.authority)),
        (
            "有效期限 / valid",
            format!("{} - {}", date(&card.valid_from), date(&card.valid_to)),
        ),
        ("证件类型 / card type", kind),
    ]
}

/// The first [`ADDRESS_SHOWN`] characters, then `…`.
fn shortened(text: &str) -> String {
    let shown: String = text.chars().take(ADDRESS_SHOWN).collect();
    if text.chars().count() > ADDRESS_SHOWN {
        format!("{shown}…")
    } else {
        shown
    }
}

/// `20150101` → `2015-01-01`; anything else (`长期`) as it is.
fn date(s: &str) -> String {
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..])
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_demo_card_masked() {
        let shown = fields(&super::super::card_file::demo());
        let text: Vec<String> = shown.iter().map(|(l, v)| format!("{l}: {v}")).collect();
        assert_eq!(
            text,
            [
                "姓名 / name: 张*",
                "性别 / sex: 女 / female",
                "民族 / ethnic group: 汉 (01)",
                "出生 / birth: ****-**-**",
                "住址 / address: 北京…",
                "公民身份号码 / ID number: 1101**********002X",
                "签发机关 / issuer: 北京…",
                "有效期限 / valid: 2015-01-01 - 2035-01-01",
                "证件类型 / card type: 居民身份证 / resident identity card",
            ]
        );
        assert!(!text.join("\n").contains("11010519491231002X"));
        assert!(!text.join("\n").contains("1231"));
    }
}
