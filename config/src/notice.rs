//! The hall-wide booking notice (预约须知): `[appointments] notice`, one point per entry,
//! whose numbers come from the rule values through placeholders, so the text and the
//! rules hallq enforces never disagree. Pure.
//!
//! A placeholder is a rule key in braces, e.g. `{daily_limit}`; [`PLACEHOLDERS`] lists
//! them. Any other `{…}` is refused by the config check, as is a lone `{` or `}`.

use crate::booking::Rules;

/// The placeholders a notice point may use: the rule keys whose values they stand for.
pub const PLACEHOLDERS: [&str; 5] = [
    "daily_limit",
    "no_show_limit",
    "no_show_ban_months",
    "false_info_limit",
    "false_info_ban_months",
];

/// The eight points of the hall's published rules (预约规则), numbers as placeholders.
pub fn default_points() -> Vec<String> {
    [
        "网上预约是政府便民惠民、提高服务水平的一项新举措。预约人在预约前，须仔细阅读本须知。网上预约申请不收取任何手续费。",
        "网上预约申请采用实名制，预约人须为业务登记申请人或相关当事人。",
        "您在预约申请前，可以在“海南省政务服务网”网站了解您申请的相关业务需提交的申请材料和办事流程。",
        "网上预约申请必须一个身份证号码，同一用户每天只能预约{daily_limit}次。预约的身份证和实际办理的身份证不一致时，窗口受理人员有权拒绝办理。",
        "预约成功后，请在预约时间段前领取预约号；无法在预约时间前来取号的，请务必于预约时段前取消预约，未取消预约{no_show_limit}次以上的，本系统自动将其列入黑名单，{no_show_ban_months}个月内将无法再进行网上预约。",
        "涉税的房屋登记业务，申请人应先行到税务部门办理（免）纳税手续。",
        "为保证您业务的顺利办理，请如实填写相关信息。",
        "连续{false_info_limit}次填写信息不实，{false_info_ban_months}个月内无法进行网上预约。",
    ]
    .map(String::from)
    .to_vec()
}

/// The value a placeholder stands for, if it is one.
fn value(rules: &Rules, name: &str) -> Option<u32> {
    Some(match name {
        "daily_limit" => rules.daily_limit,
        "no_show_limit" => rules.no_show_limit,
        "no_show_ban_months" => rules.no_show_ban_months,
        "false_info_limit" => rules.false_info_limit,
        "false_info_ban_months" => rules.false_info_ban_months,
        _ => return None,
    })
}

/// Splits `text` into literal runs and placeholders; `Err` names the first problem
/// (an unknown placeholder, or a brace that opens or closes nothing).
fn parts(text: &str) -> Result<Vec<Part<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("a \"}\" closes no placeholder".into());
        }
        out.push(Part::Text(&rest[..open]));
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("a \"{\" is never closed".into());
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{name}}} (use {})",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
            ));
        }
        out.push(Part::Placeholder(name));
        rest = &after[close + 1..];
    }
    out.push(Part::Text(rest));
    Ok(out)
}

enum Part<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// The problem with one notice point, if any (for the config check).
pub fn check(point: &str) -> Option<String> {
    parts(point).err()
}

/// The hall-wide notice as shown: every point with its placeholders replaced by the rule
/// values. (A point the config check would refuse is shown as written.)
pub fn render(rules: &Rules) -> Vec<String> {
    rules
        .notice
        .iter()
        .map(|point| match parts(point) {
            Ok(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => (*t).to_string(),
                    Part::Placeholder(n) => value(rules, n).unwrap_or_default().to_string(),
                })
                .collect(),
            Err(_) => point.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_has_the_eight_points_with_the_rule_values() {
        let rules = Rules {
            daily_limit: 4,
            no_show_ban_months: 6,
            ..Rules::default()
        };
        let shown = render(&rules);
        assert_eq!(shown.len(), 8);
        assert!(shown[3].contains("同一用户每天只能预约4次"), "{}", shown[3]);
        assert!(shown[4].contains("未取消预约3次以上"), "{}", shown[4]);
        assert!(shown[4].contains("6个月内"), "{}", shown[4]);
        assert!(
            shown[7].starts_with("连续3次填写信息不实，1个月内"),
            "{}",
            shown[7]
        );
        assert!(shown.iter().all(|p| !p.contains('{')));
    }

    #[test]
    fn unknown_or_unbalanced_braces_are_named() {
        assert_eq!(check("每天{daily_limit}次"), None);
        assert!(check("{daily_limits}")
            .unwrap()
            .contains("unknown placeholder {daily_limits}"));
        assert!(check("a { b").unwrap().contains("never closed"));
        assert!(check("a } b").unwrap().contains("closes no"));
        assert!(check("{}").unwrap().contains("unknown placeholder {}"));
    }
}
