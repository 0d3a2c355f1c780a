//! Personal data inside an assertion, checked before anything else sees it: the ID number
//! (GB 11643-1999), the mobile phone number and the name. Pure functions; the error
//! messages never repeat the value they reject.

use super::IdentityError;

/// Longest name accepted, in characters.
const NAME_MAX: usize = 50;

fn bad(msg: &str) -> IdentityError {
    IdentityError::BadData(msg.to_string())
}

/// Validates an 18-character resident ID number (GB 11643-1999, by
/// [`hallq_idcard::validate_id_number`]: length, characters, birth date, check character)
/// and returns it normalised: trimmed, `x` as `X`. This form is what gets hashed, so the
/// booking page and the ID-card reader at the kiosk give the same hash.
///
/// # Errors
/// [`IdentityError::BadData`] naming what is wrong, never the number itself.
pub fn normalize_id_number(raw: &str) -> Result<String, IdentityError> {
    let id = raw.trim().to_ascii_uppercase();
    hallq_idcard::validate_id_number(&id).map_err(|e| IdentityError::BadData(e.to_string()))?;
    Ok(id)
}

/// Validates a mainland mobile number (11 digits, `1[3-9]…`) and returns the 11 digits.
/// Spaces and dashes are ignored, and so is a leading `+86` / `0086`.
///
/// # Errors
/// [`IdentityError::BadData`], without the number.
pub fn normalize_phone(raw: &str) -> Result<String, IdentityError> {
    let digits: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    let b = digits.as_bytes();
    if b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
    {
        Ok(digits.to_string())
    } else {
        Err(bad(
            "手机号码无效，应为1开头的11位号码 / the phone must be a mobile number of 11 digits starting 13–19",
        ))
    }
}

/// Validates a name (1 to 50 characters, no control characters, not all digits) and
/// returns it trimmed.
///
/// # Errors
/// [`IdentityError::BadData`], without the name.
pub fn normalize_name(raw: &str) -> Result<String, IdentityError> {
    let name = raw.trim();
    let n = name.chars().count();
    if n == 0 || n > NAME_MAX {
        return Err(bad(
            "姓名应为1至50个字 / the name must have 1 to 50 characters",
        ));
    }
    if name.chars().any(char::is_control) || name.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad("姓名含无效字符 / the name has invalid characters"));
    }
    Ok(name.to_string())
}

/// The form of a name the desk's lookup compares: [`normalize_name`], then without
/// whitespace, the middle-dot variants of minority and foreign names (`·`, `•`, `・`, `.`)
/// as `·`, ASCII letters in upper case — so that "阿依 古丽" typed at the desk matches
/// "阿依古丽" booked online.
///
/// # Errors
/// [`IdentityError::BadData`], without the name.
pub fn contact_name(raw: &str) -> Result<String, IdentityError> {
    let name = normalize_name(raw)?;
    Ok(name
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '•' | '・' | '.' | '．' => '·',
            c => c.to_ascii_uppercase(),
        })
        .collect())
}

/// Validates the last four digits of a phone as typed at the desk.
///
/// # Errors
/// [`IdentityError::BadData`] unless exactly four ASCII digits (spaces around ignored).
pub fn phone_last4(raw: &str) -> Result<String, IdentityError> {
    let d = raw.trim();
    if d.len() == 4 && d.bytes().all(|b| b.is_ascii_digit()) {
        Ok(d.to_string())
    } else {
        Err(bad("手机后四位应为4位数字 / phone_last4 must be 4 digits"))
    }
}

/// A verification method of the config's list ([`hallq_config::booking::METHODS`]);
/// absent or empty means `face`.
///
/// # Errors
/// [`IdentityError::BadData`] naming the unknown method and the known ones.
pub fn normalize_method(raw: Option<&str>) -> Result<String, IdentityError> {
    use hallq_config::booking::METHODS;
    let m = raw
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .unwrap_or("face");
    if METHODS.contains(&m) {
        Ok(m.to_string())
    } else {
        let shown: String = m.chars().take(32).collect();
        Err(IdentityError::BadData(format!(
            "未知的认证方式 / unknown method {shown:?}: use {}",
            METHODS.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A number made valid by computing its check character.
    fn with_check(first17: &str) -> String {
        let digits: &[u8; 17] = first17.as_bytes().try_into().unwrap();
        format!("{first17}{}", hallq_idcard::id_number::check_char(digits))
    }

    #[test]
    fn contact_names_compare_loosely() {
        assert_eq!(contact_name(" 阿依 古丽 ").unwrap(), "阿依古丽");
        assert_eq!(contact_name("买买提•艾力").unwrap(), "买买提·艾力");
        assert_eq!(contact_name("john smith").unwrap(), "JOHNSMITH");
        assert!(contact_name("  ").is_err());
        assert_eq!(phone_last4(" 0000 ").unwrap(), "0000");
        for bad in ["000", "00000", "12a4", "１２３４", ""] {
            assert!(phone_last4(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            normalize_id_number(" 11010519491231002x ").unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            normalize_id_number("440524198001010013").unwrap(),
            "440524198001010013"
        );
        let leap = with_check("46010020000229123");
        assert_eq!(normalize_id_number(&leap).unwrap(), leap);
    }

    #[test]
    fn rejects_with_reasons_that_hide_the_number() {
        let cases = [
            ("1101051949123100", "18"),
            ("1101051949123100211", "18"),
            ("11010519491231002Y", "X allowed last"),
            ("1101051949123A002X", "digits only"),
            ("11010519491231002Ｘ", "X allowed last"),
            ("1101051949123１002X", "digits only"),
            ("110105194912310021", "校验位"),
            (&with_check("46010020010229123"), "出生日期"),
            (&with_check("46010019491301123"), "出生日期"),
            (&with_check("46010017991231123"), "出生日期"),
        ];
        for (id, why) in cases {
            let e = normalize_id_number(id).unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, IdentityError::BadData(_)), "{msg}");
            assert!(msg.contains(why), "{id}: {msg}");
            assert!(!msg.contains(id.trim()), "{msg}");
            assert!(!msg.contains(&id[..8.min(id.len())]), "{msg}");
        }
    }

    #[test]
    fn phones() {
        assert_eq!(normalize_phone("13800000000").unwrap(), "13800000000");
        assert_eq!(normalize_phone("+86 138-0000-0000").unwrap(), "13800000000");
        assert_eq!(normalize_phone("008619912345678").unwrap(), "19912345678");
        for p in [
            "12800000000",
            "1380000000",
            "138000000001",
            "1380000000a",
            "",
            "23800000000",
        ] {
            let e = normalize_phone(p).unwrap_err();
            assert!(matches!(e, IdentityError::BadData(_)));
            assert!(p.is_empty() || !e.to_string().contains(p));
        }
    }

    #[test]
    fn names() {
        assert_eq!(normalize_name(" 张三 ").unwrap(), "张三");
        assert_eq!(
            normalize_name("阿依古丽·买买提").unwrap(),
            "阿依古丽·买买提"
        );
        assert!(normalize_name("  ").is_err());
        assert!(normalize_name("张\n三").is_err());
        assert!(normalize_name("110105").is_err());
        assert!(normalize_name(&"长".repeat(51)).is_err());
    }
}
