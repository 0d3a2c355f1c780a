//! Masked forms for display (PIPL): enough for a person to recognise their own data,
//! not enough to recover it.

/// `4601**********123X` and `张*三` / `李*`: the same masks as the ID-card reader's.
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
}
