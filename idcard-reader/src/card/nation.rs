//! Nation codes of the text block (民族, GB/T 3304-1991) and their names.

/// Codes `01`–`56` in order, then `97` and `98`.
const NAMES: [&str; 56] = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// The name for a nation code (`01` → `汉`, `97` → `其他`), `None` for a code not in the
/// standard.
#[must_use]
pub fn nation_name(code: &str) -> Option<&'static str> {
    match code {
        "97" => Some("其他"),
        "98" => Some("外国血统中国籍人士"),
        _ if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) => {
            let n: usize = code.parse().ok()?;
            NAMES.get(n.checked_sub(1)?).copied()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::nation_name;

    #[test]
    fn codes_name_their_nation() {
        assert_eq!(nation_name("01"), Some("汉"));
        assert_eq!(nation_name("08"), Some("壮"));
        assert_eq!(nation_name("56"), Some("基诺"));
        assert_eq!(nation_name("97"), Some("其他"));
        for bad in ["00", "57", "1", "001", "+1", "汉", ""] {
            assert_eq!(nation_name(bad), None, "{bad:?}");
        }
    }
}
