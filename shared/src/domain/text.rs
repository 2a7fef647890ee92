//! Text people type that others will read: names, venues, descriptions. Control characters
//! (NUL, CR/LF in a one-line field, escape sequences) and the invisible bidirectional
//! controls (the right-to-left override that makes `gpj.exe` read `exe.jpg`) are refused,
//! not stripped, so what is stored is exactly what was shown to the person who typed it.

use super::refusal::Invalid;

/// Whether a multi-line field may keep its line breaks and tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The bidirectional formatting characters (Unicode's Bidi_Control), plus the zero-width
/// joiners' look-alikes that hide text: invisible, and able to reorder what follows.
fn is_bidi_or_invisible_control(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn refused(c: char, lines: Lines) -> bool {
    match c {
        '\n' | '\t' if lines == Lines::Many => false,
        '\r' => true,
        c if c.is_control() => true,
        c => is_bidi_or_invisible_control(c),
    }
}

/// A trimmed text of 1..=`max` characters with no control or bidi character.
pub fn check_text(field: &str, value: &str, max: usize, lines: Lines) -> Result<String, Invalid> {
    let trimmed = value.trim();
    if trimmed.is_empty() || value.chars().count() > max {
        return Err(Invalid::new(format!("'{field}' must have between 1 and {max} characters")));
    }
    if let Some(c) = trimmed.chars().find(|c| refused(*c, lines)) {
        return Err(Invalid::coded(
            "invalid_text",
            format!("'{field}' contains an invisible or control character (U+{:04X})", c as u32),
        ));
    }
    Ok(trimmed.to_string())
}

/// An image's address: an `https://` URL with a host, or a path on this site (`/img/x.png`).
/// Protocol-relative (`//evil.example/x`) and backslash tricks (`/\evil.example`, which
/// browsers read as `//`) are refused, as are `http:`, `javascript:` and `data:`.
pub fn check_image_url(raw: &str) -> Result<Option<String>, Invalid> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let bad = || Invalid::coded("invalid_image_url", "'image_url' must be an https:// URL or a path on this site (/…)");
    if url.len() > 2048 || url.contains('\\') || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad());
    }
    if let Some(rest) = url.strip_prefix("https://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host_ok = !host.is_empty() && !host.contains('@') && !host.starts_with('.') && !host.starts_with(':');
        return if host_ok { Ok(Some(url.to_string())) } else { Err(bad()) };
    }
    if url.starts_with('/') && !url.starts_with("//") {
        return Ok(Some(url.to_string()));
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_with_accents_and_emoji_is_kept_trimmed() {
        let name = check_text("name", "  Maria José 🎉 ", 50, Lines::One).expect("ok");
        assert_eq!(name, "Maria José 🎉");
    }

    #[test]
    fn nul_cr_lf_escape_and_bidi_overrides_are_refused_in_a_name() {
        for bad in
            ["Ana\0", "Ana\r\nBcc: x", "Ana\nBia", "\u{1b}[31mAna", "Ana\u{202E}gpj.exe", "A\u{2066}na", "A\u{200B}na"]
        {
            let err = check_text("name", bad, 50, Lines::One).expect_err(bad);
            assert_eq!(err.code, "invalid_text", "{bad:?}");
        }
    }

    #[test]
    fn a_description_keeps_its_line_breaks_but_not_carriage_returns_or_overrides() {
        assert!(check_text("description", "line one\nline two\tend", 100, Lines::Many).is_ok());
        assert!(check_text("description", "line one\r\nline two", 100, Lines::Many).is_err());
        assert!(check_text("description", "x\u{202E}y", 100, Lines::Many).is_err());
    }

    #[test]
    fn image_urls_are_https_or_a_site_path() {
        for ok in ["https://cdn.example.com/a.png", "/img/show.jpg", "https://example.com"] {
            assert_eq!(check_image_url(ok).expect(ok).as_deref(), Some(ok));
        }
        assert_eq!(check_image_url("  ").expect("empty"), None);
        for bad in [
            "//evil.example/x",
            "/\\evil.example/x",
            "http://example.com/a.png",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "https://",
            "https://user@evil.example/",
            "img/relative.png",
            "https://ex ample.com/",
        ] {
            assert!(check_image_url(bad).is_err(), "{bad}");
        }
    }
}
