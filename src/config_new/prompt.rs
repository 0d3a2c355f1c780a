//! Asking at the terminal: one answer with a default, a list ended by an empty line, and a
//! password typed twice without echo. Questions go to stderr (Chinese first); a wrong answer
//! is explained and asked again.

use std::io::{BufRead, Write};

/// The shortest password accepted for a staff account.
pub(crate) const MIN_PASSWORD_CHARS: usize = 8;

fn read_line() -> Result<String, String> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) => Err("输入已结束 / input ended before every question was answered".into()),
        Ok(_) => Ok(line.trim_end_matches(['\r', '\n']).to_string()),
        Err(e) => Err(format!("无法读取输入 / cannot read the answer: {e}")),
    }
}

fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{text}");
    let _ = err.flush();
}

/// Asks until `parse` accepts the answer; an empty answer takes `default` when there is one.
pub(crate) fn one<T>(
    question: &str,
    default: Option<&str>,
    parse: &dyn Fn(&str) -> Result<T, String>,
) -> Result<T, String> {
    loop {
        match default {
            Some(d) if !d.is_empty() => say(&format!("{question} [{d}]: ")),
            _ => say(&format!("{question}: ")),
        }
        let line = read_line()?;
        let answer = match default {
            Some(d) if line.trim().is_empty() => d.to_string(),
            _ => line,
        };
        match parse(&answer) {
            Ok(v) => return Ok(v),
            Err(e) => say(&format!("  ✗ {e}\n")),
        }
    }
}

/// Asks for entries of `form` one a line until an empty line (at least one).
pub(crate) fn list<T>(
    question: &str,
    form: &str,
    parse: &mut dyn FnMut(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    say(&format!(
        "{question}\n  ({form}；空行结束 / empty line ends)\n"
    ));
    let mut out = Vec::new();
    loop {
        say("  > ");
        let line = read_line()?;
        if line.trim().is_empty() {
            if out.is_empty() {
                say("  ✗ 至少填写一项 / give at least one\n");
                continue;
            }
            return Ok(out);
        }
        match parse(&line) {
            Ok(v) => out.push(v),
            Err(e) => say(&format!("  ✗ {e}\n")),
        }
    }
}

/// Whether `password` may be a staff account's password.
pub(crate) fn password_rule(username: &str, password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "{username} 的密码至少 {MIN_PASSWORD_CHARS} 个字符 / {username}'s password needs at \
             least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password == username || password.starts_with("demo-") {
        return Err(format!(
            "{username} 的密码太容易猜 / {username}'s password is too easy to guess"
        ));
    }
    Ok(())
}

/// A password typed twice at the terminal without echo.
pub(crate) fn password(username: &str) -> Result<String, String> {
    loop {
        let first =
            rpassword::prompt_password(format!("{username} 的密码 / password for {username}: "))
                .map_err(|e| format!("无法读取密码 / cannot read the password: {e}"))?;
        if let Err(e) = password_rule(username, &first) {
            say(&format!("  ✗ {e}\n"));
            continue;
        }
        let again = rpassword::prompt_password("再输入一次 / again: ")
            .map_err(|e| format!("无法读取密码 / cannot read the password: {e}"))?;
        if again == first {
            return Ok(first);
        }
        say("  ✗ 两次输入不一致 / the two entries differ\n");
    }
}

/// The next password of `--password-stdin` (one a line).
pub(crate) fn password_from_stdin(username: &str) -> Result<String, String> {
    let line = read_line().map_err(|_| {
        format!(
            "--password-stdin: 缺少 {username} 的密码（每行一个：窗口人员依次，最后管理员）/ no \
             line for {username} (one a line: the clerks in order, then the admin)"
        )
    })?;
    password_rule(username, &line).map_err(|e| format!("--password-stdin: {e}"))?;
    Ok(line)
}
