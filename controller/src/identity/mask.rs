//! Masked forms for display (PIPL): enough for a person to recognise their own data,
//! not enough to recover it.

/// `4601**********123X` and `张*三` / `李*`: the same masks as the ID-card reader's. An
/// ID number keeps its first four digits (province and city) and its last four (sequence
/// and check character): the rest of the region and the whole birth date (digits 7–14)
/// are masked.
pub use hallq_idcard::{mask_id_number, mask_name};

/// `138****0000`: first 3 and last 4 digits of an 11-digit mobile number.
#[must_use]
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_id_number("46010019900307123X"), "4601**********123X");
        assert_eq!(mask_name("张三丰"), "张*丰");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_phone("13800000000"), "138****0000");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn id_mask_never_shows_the_birth_date() {
        for id in [
            "46010019900307123X",
            "110105194912310021",
            "440524198001010013",
            "11010520000229002X",
        ] {
            let m = mask_id_number(id);
            assert_eq!(m.chars().count(), 18, "{m}");
            // Digits 7–14 (1-based) are the birth date: every one masked.
            assert!(m[6..14].chars().all(|c| c == '*'), "{id} → {m}");
            assert!(!m.contains(&id[6..14]), "{m}");
            assert!(!m.contains(&id[6..10]), "the year shows in {m}");
            assert_eq!((&m[..4], &m[14..]), (&id[..4], &id[14..]));
        }
    }
}
