use super::layout::{CARD_TYPE, PHOTO_LEN, TEXT_LEN};
use super::*;

/// A card for a synthetic, valid number (check character computed by hand: see
/// `id_number` tests).
fn sample() -> IdCard {
    IdCard {
        name: "张小三".into(),
        sex: Sex::Male,
        nation: "01".into(),
        birth: "19900103".into(),
        address: "海南省海口市龙华区滨海大道1号".into(),
        id_number: "46010619900103123X".into(),
        authority: "海口市公安局龙华分局".into(),
        valid_from: "20150101".into(),
        valid_to: "20350101".into(),
        card_type: CardType::Resident,
    }
}

#[test]
fn text_block_round_trip() {
    let card = sample();
    let text = card.to_text();
    assert_eq!(text.len(), TEXT_LEN);
    assert_eq!(IdCard::from_text(&text).unwrap(), card);
}

#[test]
fn fields_sit_at_their_offsets() {
    let text = sample().to_text();
    // name: 张 = U+5F20, little-endian
    assert_eq!(&text[0..2], &[0x20, 0x5F]);
    // sex '1' at 30
    assert_eq!(&text[30..32], &[b'1', 0]);
    // nation "01" at 32
    assert_eq!(&text[32..36], &[b'0', 0, b'1', 0]);
    // ID number starts at 122, ends with 'X' at 122 + 34
    assert_eq!(&text[122..124], &[b'4', 0]);
    assert_eq!(&text[156..158], &[b'X', 0]);
    // padding after the name (3 chars = 6 bytes)
    assert_eq!(&text[6..8], &[b' ', 0]);
    assert_eq!(text[CARD_TYPE], b' ');
}

#[test]
fn read_data_with_photo() {
    let card = sample();
    let data = card.to_read_data(&[0x57; PHOTO_LEN]);
    // text_len 0100, photo_len 0400, big-endian
    assert_eq!(&data[..4], &[0x01, 0x00, 0x04, 0x00]);
    assert_eq!(IdCard::from_read_data(&data).unwrap(), card);
}

#[test]
fn card_types() {
    for (b, t) in [
        (b'J', CardType::HkMacaoTaiwan),
        (b'I', CardType::Foreigner),
        (b' ', CardType::Resident),
        (b'Y', CardType::Other(b'Y')),
    ] {
        let mut text = sample().to_text();
        text[CARD_TYPE] = b;
        assert_eq!(IdCard::from_text(&text).unwrap().card_type, t);
    }
}

#[test]
fn truncated_data() {
    let data = sample().to_read_data(&[0; PHOTO_LEN]);
    assert_eq!(
        IdCard::from_read_data(&data[..100]),
        Err(CardError::Truncated {
            needed: 4 + TEXT_LEN + PHOTO_LEN,
            got: 100
        })
    );
    assert_eq!(
        IdCard::from_read_data(&[1]),
        Err(CardError::Truncated { needed: 4, got: 1 })
    );
    // text_len 10, photo_len 0
    assert_eq!(
        IdCard::from_read_data(&[0, 10, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        Err(CardError::TextTooShort { len: 10 })
    );
}

#[test]
fn invalid_utf16_is_replaced_not_fatal() {
    let mut text = sample().to_text();
    // lone high surrogate as the first name character
    text[0..2].copy_from_slice(&0xD800u16.to_le_bytes());
    let card = IdCard::from_text(&text).unwrap();
    assert!(card.name.starts_with('\u{FFFD}'));
}

#[test]
fn debug_masks_personal_data() {
    let shown = format!("{:?}", sample());
    assert!(shown.contains("\"4601**********123X\""), "{shown}");
    assert!(shown.contains("\"张*三\""), "{shown}");
    for secret in [
        "46010619900103123X",
        "19900103",
        "张小三",
        "海口",
        "滨海",
        "0103",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    let pretty = format!("{:#?}", sample());
    assert!(!pretty.contains("46010619900103123X"));
}
