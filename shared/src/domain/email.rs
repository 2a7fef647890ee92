//! E-mail address and account input rules.

use super::refusal::Invalid;
use super::text::{check_text, Lines};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Normalises and checks an e-mail address. Deliberately simple (one `@`, a dotted domain,
/// no spaces): the real proof of an address is a message that arrives.
pub fn normalize_email(raw: &str) -> Result<String, Invalid> {
    let email = raw.trim().to_lowercase();
    let bad = || Invalid::coded("invalid_email", format!("'{}' is not a valid e-mail address", raw.trim()));
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let domain_ok = !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok {
        return Err(bad());
    }
    Ok(email)
}

/// The lowest zxcvbn score accepted: 3 is "safely unguessable: moderate protection from an
/// offline slow-hash scenario" (≥ 10^8 guesses), what an Argon2-hashed store needs.
const MIN_PASSWORD_SCORE: u8 = 3;

/// Checks a new password's length and strength. `about_the_user` are the words an attacker
/// tries first (the e-mail, the name). The detail says how to do better; clients that speak
/// another language use the code, `weak_password`.
pub fn check_password(password: &str, about_the_user: &[&str]) -> Result<(), Invalid> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(Invalid::coded(
            "weak_password",
            format!("the password must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(Invalid::coded(
            "weak_password",
            format!("the password must have at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let mut hints: Vec<&str> = about_the_user.to_vec();
    hints.extend(about_the_user.iter().flat_map(|h| h.split(['@', '.', ' ', '-', '_'])).filter(|p| p.len() > 2));
    hints.extend(["bilheteria", "ingresso", "ingressos", "senha"]);
    // The estimate's cost grows with the length; past 100 characters a password is long
    // enough that its first 100 decide.
    let judged: String = password.chars().take(100).collect();
    let entropy = zxcvbn::zxcvbn(&judged, &hints);
    if (entropy.score() as u8) >= MIN_PASSWORD_SCORE {
        return Ok(());
    }
    let mut detail = String::from("this password is too easy to guess");
    if let Some(feedback) = entropy.feedback() {
        if let Some(warning) = feedback.warning() {
            detail.push_str(&format!(" ({warning})"));
        }
        let tips: Vec<String> = feedback.suggestions().iter().map(|s| s.to_string()).collect();
        if !tips.is_empty() {
            detail.push_str(&format!(": {}", tips.join(" ")));
        }
    }
    if !detail.contains(':') {
        detail.push_str(": use a few uncommon words together, or a longer phrase");
    }
    Err(Invalid::coded("weak_password", detail))
}

/// A person's name: one line of 1..=120 characters, no control or bidi character.
pub fn check_name(name: &str) -> Result<String, Invalid> {
    check_text("name", name, 120, Lines::One)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_trimmed() {
        assert_eq!(normalize_email(" Ana@Example.COM ").ok().as_deref(), Some("ana@example.com"));
    }

    #[test]
    fn malformed_emails_are_refused() {
        for raw in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "ana@@example.com",
            "ana@example..com",
        ] {
            assert!(normalize_email(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn short_common_or_blank_passwords_are_refused_as_weak() {
        for weak in ["1234567", "12345678", "password", "        ", "senha123", "qwertyuiop", "ana@example.com1"] {
            let err = check_password(weak, &["ana@example.com", "Ana Souza"]).expect_err(weak);
            assert_eq!(err.code, "weak_password", "{weak}");
        }
    }

    #[test]
    fn a_long_uncommon_passphrase_is_accepted() {
        assert!(check_password("Correct-Horse-Battery-42!", &["ana@example.com"]).is_ok());
        assert!(check_password("tamarindo girassol vitrola", &[]).is_ok());
    }

    #[test]
    fn a_password_made_of_the_users_own_name_is_refused() {
        assert!(check_password("ana.souza@example.com", &["ana.souza@example.com", "Ana Souza"]).is_err());
        assert!(check_password("AnaSouza", &["ana.souza@example.com", "Ana Souza"]).is_err());
    }

    #[test]
    fn names_with_control_characters_are_refused() {
        assert_eq!(check_name("Ana\0").expect_err("nul").code, "invalid_text");
        assert_eq!(check_name("Ana\r\nBcc: x").expect_err("crlf").code, "invalid_text");
        assert_eq!(check_name("Ana\u{202E}x").expect_err("bidi").code, "invalid_text");
        assert_eq!(check_name("  Ana  ").expect("ok"), "Ana");
    }
}
