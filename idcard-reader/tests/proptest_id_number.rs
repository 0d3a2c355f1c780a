//! Property tests: GB 11643 numbers built with their check character pass; single-digit
//! typos are caught; errors and masks never show the hidden digits.

use hallq_idcard::id_number::check_char;
use hallq_idcard::{mask_id_number, validate_id_number};
use proptest::prelude::*;

/// A valid number: region, a real date, sequence, computed check character.
fn valid() -> impl Strategy<Value = String> {
    (
        "[1-8][0-9]{5}",
        1800..2100u32,
        1..=12u32,
        1..=28u32,
        "[0-9]{3}",
    )
        .prop_map(|(region, y, m, d, seq)| {
            let first = format!("{region}{y:04}{m:02}{d:02}{seq}");
            let digits: &[u8; 17] = first.as_bytes().try_into().unwrap();
            format!("{first}{}", check_char(digits))
        })
}

proptest! {
    #[test]
    fn built_numbers_pass(n in valid()) {
        prop_assert_eq!(validate_id_number(&n), Ok(()));
    }

    #[test]
    fn a_single_wrong_digit_is_caught(n in valid(), at in 0..17usize, delta in 1..10u8) {
        let mut b = n.into_bytes();
        b[at] = b'0' + (b[at] - b'0' + delta) % 10;
        let typo = String::from_utf8(b).unwrap();
        let err = validate_id_number(&typo).unwrap_err();
        let msg = err.to_string();
        prop_assert!(!msg.contains(&typo[..8]) && !msg.contains(&typo[6..14]), "{}", msg);
    }

    #[test]
    fn masks_show_only_the_ends(n in valid()) {
        let m = mask_id_number(&n);
        prop_assert_eq!(&m[..4], &n[..4]);
        prop_assert_eq!(&m[4..14], "**********");
        prop_assert_eq!(&m[14..], &n[14..]);
    }
}
