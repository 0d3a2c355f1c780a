//! Citizen ID numbers (GB 11643-1999) and masking for logs.
//!
//! 18 characters: 6-digit region code, 8-digit birth date `YYYYMMDD`, 3-digit sequence
//! (odd = male), check character. The check character is `1 0 X 9 8 7 6 5 4 3 2` indexed by
//! the sum of the first 17 digits times `7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2`, mod 11.
//!
//! Decisions:
//! - A lowercase `x` is accepted as the check character (people type it; readers send `X`).
//! - Birth years 1800–2099 are accepted; this module reads no clock, so "born in the future"
//!   is the caller's check. Region codes are not checked against a list.
//! - Error messages never contain the number or any part of it.

/// Weights of the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character by weighted sum mod 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// Why a string is not a valid ID number. Messages are Chinese first, then English, and
/// contain no digit of the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not 18 characters.
    #[error(
        "身份证号码应为 18 位，实际为 {len} 位 / ID number must have 18 characters, got {len}"
    )]
    Length {
        /// Characters given.
        len: usize,
    },
    /// A character that is not a digit (or, last, `X`).
    #[error("身份证号码第 {position} 位不是数字 / ID number has an invalid character at position {position} (digits only, X allowed last)")]
    Character {
        /// 1-based position.
        position: usize,
    },
    /// Positions 7–14 are not a real date.
    #[error("身份证号码中的出生日期无效 / ID number contains an invalid birth date")]
    BirthDate,
    /// The check character does not match the first 17 digits.
    #[error("身份证号码校验位错误 / ID number check character does not match (mistyped?)")]
    CheckChar,
}

/// The check character (`0`–`9` or `X`) for the first 17 digits.
///
/// # Panics
/// If `digits` contains a byte that is not an ASCII digit.
#[must_use]
pub fn check_char(digits: &[u8; 17]) -> char {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| {
            assert!(d.is_ascii_digit(), "check_char takes digits only");
            u32::from(d - b'0') * w
        })
        .sum();
    char::from(CHECK[(sum % 11) as usize])
}

/// Checks an 18-character ID number: length, characters, birth date, check character, in
/// that order (the first failure is reported).
///
/// # Errors
/// [`IdError`] naming what is wrong, never the number.
pub fn validate_id_number(s: &str) -> Result<(), IdError> {
    let len = s.chars().count();
    if len != 18 {
        return Err(IdError::Length { len });
    }
    // 18 chars and (checked below) all ASCII, so 18 bytes.
    let b = s.as_bytes();
    if let Some(i) = s.chars().take(17).position(|c| !c.is_ascii_digit()) {
        return Err(IdError::Character { position: i + 1 });
    }
    let last = b[17].to_ascii_uppercase();
    if b.len() != 18 || !(last.is_ascii_digit() || last == b'X') {
        return Err(IdError::Character { position: 18 });
    }
    if !valid_date(&b[6..14]) {
        return Err(IdError::BirthDate);
    }
    let digits: &[u8; 17] = b[..17].try_into().expect("17 bytes");
    if char::from(last) != check_char(digits) {
        return Err(IdError::CheckChar);
    }
    Ok(())
}

/// `YYYYMMDD` (ASCII digits) is a real date with year 1800–2099.
fn valid_date(ymd: &[u8]) -> bool {
    let num = |r: std::ops::Range<usize>| {
        ymd[r]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (year, month, day) = (num(0..4), num(4..6), num(6..8));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1800..=2099).contains(&year) && (1..=days).contains(&day)
}

/// For logs: the first 4 and last 4 characters, the rest `*`
/// (`46010619900103123X` → `4601**********123X`). Strings of 8 characters or fewer become
/// all `*`.
#[must_use]
pub fn mask_id_number(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n <= 8 {
        return "*".repeat(n);
    }
    let mut out: String = chars[..4].iter().collect();
    out.push_str(&"*".repeat(n - 8));
    out.extend(&chars[n - 4..]);
    out
}

/// For logs: the first and last character of a name, the middle `*` (`张小三` → `张*三`,
/// `欧阳小明` → `欧**明`); a two-character name keeps the first (`张三` → `张*`), a
/// one-character name becomes `*`.
#[must_use]
pub fn mask_name(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

#[cfg(test)]
mod tests;
