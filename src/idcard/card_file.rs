//! The card `hallq idcard emulate --card FILE` lays on its reader: a TOML or JSON file with
//! the fields of [`IdCard`], or the demo card.
//!
//! ```toml
//! name = "张三"
//! sex = "female"          # male | female | 男 | 女 | the card's code ("1", "2", "0", "9")
//! nation = "01"           # GB/T 3304 code: 01 = 汉
//! birth = "19491231"
//! address = "北京市西城区复兴门内大街1号"
//! id_number = "11010519491231002X"
//! authority = "北京市公安局西城分局"
//! valid_from = "20150101"
//! valid_to = "20350101"   # or "长期"
//! card_type = "resident"  # resident (default) | hk_macao_taiwan | foreigner
//! ```
//!
//! Each field must fit its place in the card's text block (the reader would cut it); an ID
//! number that is not a valid one is accepted with a warning (to test how it is refused).

use std::path::Path;

use hallq_idcard::card::layout;
use hallq_idcard::{validate_id_number, CardType, IdCard, Sex};
use serde::Deserialize;

/// The file's fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CardFile {
    name: String,
    sex: String,
    nation: String,
    birth: String,
    address: String,
    id_number: String,
    authority: String,
    valid_from: String,
    valid_to: String,
    #[serde(default = "resident")]
    card_type: String,
}

fn resident() -> String {
    "resident".into()
}

/// The demo card: 张三, with the published test number 11010519491231002X.
pub(super) fn demo() -> IdCard {
    IdCard {
        name: "张三".into(),
        sex: Sex::Female,
        nation: "01".into(),
        birth: "19491231".into(),
        address: "北京市西城区复兴门内大街1号".into(),
        id_number: "11010519491231002X".into(),
        authority: "北京市公安局西城分局".into(),
        valid_from: "20150101".into(),
        valid_to: "20350101".into(),
        card_type: CardType::Resident,
    }
}

/// Reads a card file: JSON when it ends in `.json` or starts with `{`, else TOML. Returns
/// the card and warnings to show.
///
/// # Errors
/// A message for the user: the file cannot be read, does not parse, or a field does not
/// fit.
pub(super) fn load(path: &Path) -> Result<(IdCard, Vec<String>), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("无法读取卡片文件 / cannot read {}: {e}", path.display()))?;
    let json = path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
    // Parser messages quote the offending value (an ID number, say): only where and what.
    let file: CardFile = if json {
        serde_json::from_str(&text)
            .map_err(|e| format!("line {}: {}", e.line(), unquoted(&e.to_string())))
    } else {
        toml::from_str(&text).map_err(|e: toml::de::Error| {
            let line = e.span().map_or(0, |r| {
                text[..r.start.min(text.len())].lines().count().max(1)
            });
            format!("line {line}: {}", unquoted(e.message()))
        })
    }
    .map_err(|e| format!("卡片文件格式错误 / {}: {e}", path.display()))?;
    parse(file).map_err(|e| format!("卡片文件内容错误 / {}: {e}", path.display()))
}

/// A parser's message with every `quoted` value left out.
fn unquoted(message: &str) -> String {
    let message = message.lines().next().unwrap_or_default();
    let mut out = String::new();
    for (i, part) in message.split('`').enumerate() {
        out.push_str(if i % 2 == 0 { part } else { "…" });
    }
    out
}

fn parse(f: CardFile) -> Result<(IdCard, Vec<String>), String> {
    let sex = match f.sex.as_str() {
        "male" | "男" | "1" => Sex::Male,
        "female" | "女" | "2" => Sex::Female,
        other => match other.chars().collect::<Vec<_>>()[..] {
            [c] if c.is_ascii_digit() => Sex::Other(c),
            _ => return Err(format!("sex = {other:?}: male, female, 男, 女 or a digit")),
        },
    };
    let card_type = match f.card_type.as_str() {
        "resident" => CardType::Resident,
        "hk_macao_taiwan" => CardType::HkMacaoTaiwan,
        "foreigner" => CardType::Foreigner,
        other => {
            return Err(format!(
                "card_type = {other:?}: resident, hk_macao_taiwan or foreigner"
            ))
        }
    };
    let fields = [
        ("name", &f.name, layout::NAME.1),
        ("sex", &f.sex, 0),
        ("nation", &f.nation, layout::NATION.1),
        ("birth", &f.birth, layout::BIRTH.1),
        ("address", &f.address, layout::ADDRESS.1),
        ("id_number", &f.id_number, layout::ID_NUMBER.1),
        ("authority", &f.authority, layout::AUTHORITY.1),
        ("valid_from", &f.valid_from, layout::VALID_FROM.1),
        ("valid_to", &f.valid_to, layout::VALID_TO.1),
    ];
    for (key, value, bytes) in fields {
        let units = value.encode_utf16().count();
        if bytes > 0 && units > bytes / 2 {
            return Err(format!(
                "{key}: 过长 / too long: {units} characters, at most {}",
                bytes / 2
            ));
        }
    }
    let mut warnings = Vec::new();
    if let Err(e) = validate_id_number(&f.id_number) {
        warnings.push(format!("注意 / note: id_number: {e}"));
    }
    let card = IdCard {
        name: f.name,
        sex,
        nation: f.nation,
        birth: f.birth,
        address: f.address,
        id_number: f.id_number,
        authority: f.authority,
        valid_from: f.valid_from,
        valid_to: f.valid_to,
        card_type,
    };
    Ok((card, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
name = "张三"
sex = "female"
nation = "01"
birth = "19491231"
address = "北京市西城区复兴门内大街1号"
id_number = "11010519491231002X"
authority = "北京市公安局西城分局"
valid_from = "20150101"
valid_to = "20350101"
"#;

    fn from_toml(s: &str) -> Result<(IdCard, Vec<String>), String> {
        parse(toml::from_str(s).map_err(|e| e.to_string())?)
    }

    #[test]
    fn the_demo_card_is_valid_and_its_file_form_reads_back() {
        assert_eq!(validate_id_number(&demo().id_number), Ok(()));
        let (card, warnings) = from_toml(TOML).unwrap();
        assert_eq!(card, demo());
        assert!(warnings.is_empty());
    }

    #[test]
    fn refuses_what_the_card_cannot_hold() {
        let long = TOML.replace("张三", &"张".repeat(16));
        let e = from_toml(&long).unwrap_err();
        assert!(e.starts_with("name:") && e.contains("16"), "{e}");
        let e = from_toml(&TOML.replace("female", "f")).unwrap_err();
        assert!(e.starts_with("sex = \"f\""), "{e}");
        let e = from_toml(&format!("{TOML}card_type = \"alien\"\n")).unwrap_err();
        assert!(e.contains("card_type"), "{e}");
        assert!(from_toml(&format!("{TOML}photo = \"x\"\n")).is_err());
    }

    #[test]
    fn an_invalid_number_is_laid_with_a_warning() {
        let (card, warnings) = from_toml(&TOML.replace("002X", "0021")).unwrap();
        assert_eq!(card.id_number, "110105194912310021");
        assert_eq!(warnings.len(), 1);
        assert!(!warnings[0].contains("0021"), "{warnings:?}");
    }

    #[test]
    fn a_bad_file_is_reported_without_its_values() {
        let dir = tempfile::tempdir().unwrap();
        for (name, body) in [
            (
                "card.toml",
                TOML.replace("\"11010519491231002X\"", "110105194912310021"),
            ),
            (
                "card.json",
                r#"{"name": "张三", "id_number": 110105194912310021}"#.to_string(),
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, body).unwrap();
            let e = load(&path).unwrap_err();
            assert!(e.contains("line "), "{e}");
            assert!(!e.contains("110105194912310021"), "the number leaked: {e}");
        }
    }
}
