//! Greedy line wrapping shared by the PNG (pixels) and ESC/POS (columns).

/// Splits `text` into lines no wider than `max` according to `measure`.
///
/// Explicit newlines start a new line. Runs of ASCII letters, digits and
/// punctuation are kept together when they fit on a line; every other
/// character (Chinese included) may be broken before. Spaces at a break are
/// dropped. A unit wider than `max` on its own is broken between characters.
pub(crate) fn wrap(text: &str, max: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for unit in units(paragraph) {
            let is_space = unit.chars().all(char::is_whitespace);
            if current.is_empty() && is_space {
                continue;
            }
            let candidate = format!("{current}{unit}");
            if measure(candidate.trim_end()) <= max {
                current = candidate;
                continue;
            }
            push_line(&mut lines, &mut current);
            if is_space {
                continue;
            }
            for ch in unit.chars() {
                let candidate = format!("{current}{ch}");
                if !current.is_empty() && measure(&candidate) > max {
                    push_line(&mut lines, &mut current);
                }
                current.push(ch);
            }
        }
        push_line(&mut lines, &mut current);
    }
    lines
}

fn push_line(lines: &mut Vec<String>, current: &mut String) {
    let line = current.trim_end();
    if !line.is_empty() {
        lines.push(line.to_owned());
    }
    current.clear();
}

/// Words of ASCII graphic characters, and every other character alone.
fn units(text: &str) -> Vec<&str> {
    let mut units = Vec::new();
    let mut word_start = None;
    for (i, ch) in text.char_indices() {
        if ch.is_ascii_graphic() {
            word_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = word_start.take() {
            units.push(&text[start..i]);
        }
        units.push(&text[i..i + ch.len_utf8()]);
    }
    if let Some(start) = word_start {
        units.push(&text[start..]);
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(s: &str) -> f32 {
        s.chars()
            .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
            .sum()
    }

    #[test]
    fn keeps_words_and_breaks_chinese_anywhere() {
        assert_eq!(wrap("hello world foo", 11.0, cols), ["hello world", "foo"]);
        assert_eq!(
            wrap("请携带身份证原件", 6.0, cols),
            ["请携带", "身份证", "原件"]
        );
        assert_eq!(wrap("abcdefgh", 3.0, cols), ["abc", "def", "gh"]);
        assert_eq!(wrap("第一行\n第二行", 20.0, cols), ["第一行", "第二行"]);
        assert!(wrap("   ", 10.0, cols).is_empty());
    }
}
