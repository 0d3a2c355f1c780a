use super::*;

// Check characters worked by hand (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2):
// 11010519491231002: 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2
//                    = 167, 167 mod 11 = 2 → X   (the example of GB 11643 itself)
// 44052418800101001: sum 195, mod 11 = 8 → 4
// 46010619900103123: sum 222, mod 11 = 2 → X
// 11010120000229001: sum 114, mod 11 = 4 → 8   (29 February of a leap year)
// 31011519851010435: sum 208, mod 11 = 10 → 2
// 11010119900307031: sum 166, mod 11 = 1 → 0
const GOOD: [&str; 6] = [
    "11010519491231002X",
    "440524188001010014",
    "46010619900103123X",
    "110101200002290018",
    "310115198510104352",
    "110101199003070310",
];

#[test]
fn known_good_numbers_pass() {
    for n in GOOD {
        assert_eq!(validate_id_number(n), Ok(()), "{n}");
    }
}

#[test]
fn check_char_matches_the_hand_computation() {
    for n in GOOD {
        let digits: &[u8; 17] = n.as_bytes()[..17].try_into().unwrap();
        assert_eq!(check_char(digits), char::from(n.as_bytes()[17]), "{n}");
    }
}

#[test]
fn lowercase_x_is_accepted() {
    assert_eq!(validate_id_number("11010519491231002x"), Ok(()));
}

#[test]
fn each_failure_kind() {
    let cases: [(&str, IdError); 10] = [
        ("", IdError::Length { len: 0 }),
        ("11010519491231002", IdError::Length { len: 17 }),
        ("11010519491231002XX", IdError::Length { len: 19 }),
        ("1101051949123100２X", IdError::Character { position: 17 }), // full-width ２
        ("A1010519491231002X", IdError::Character { position: 1 }),
        ("11010519491231002Y", IdError::Character { position: 18 }),
        ("11010519491331002X", IdError::BirthDate), // month 13
        ("110101200102290018", IdError::BirthDate), // 2001-02-29
        ("110101170001010018", IdError::BirthDate), // year 1700
        ("110105194912310021", IdError::CheckChar),
    ];
    for (input, want) in cases {
        assert_eq!(validate_id_number(input), Err(want), "{input:?}");
    }
    assert_eq!(
        validate_id_number("110101199002310310"),
        Err(IdError::BirthDate)
    ); // 31 Feb
    assert_eq!(
        validate_id_number("110101199004310310"),
        Err(IdError::BirthDate)
    ); // 31 Apr
    assert_eq!(
        validate_id_number("110101190002290018"),
        Err(IdError::BirthDate)
    ); // 1900 not leap
    assert_eq!(
        validate_id_number("11010119900307031０"),
        Err(IdError::Character { position: 18 })
    );
}

#[test]
fn messages_are_bilingual_and_never_hold_the_number() {
    let bad = [
        "11010519491231002",
        "A1010519491231002X",
        "11010519491331002X",
        "110105194912310021",
    ];
    for input in bad {
        let msg = validate_id_number(input).unwrap_err().to_string();
        let (zh, en) = msg.split_once(" / ").expect("Chinese / English");
        assert!(zh.contains("身份证号码"), "{msg}");
        assert!(en.contains("ID number"), "{msg}");
        for window in 4..=input.len() {
            assert!(!msg.contains(&input[..window]), "{msg} contains the number");
        }
        assert!(!msg.contains("1949"), "{msg}");
    }
}

#[test]
fn masks() {
    assert_eq!(mask_id_number("46010619900103123X"), "4601**********123X");
    assert_eq!(mask_id_number("12345678"), "********");
    assert_eq!(mask_id_number("123456789"), "1234*6789");
    assert_eq!(mask_id_number(""), "");
    assert_eq!(mask_name("张小三"), "张*三");
    assert_eq!(mask_name("张三"), "张*");
    assert_eq!(mask_name("欧阳小明"), "欧**明");
    assert_eq!(mask_name("张"), "*");
    assert_eq!(mask_name(""), "");
}
