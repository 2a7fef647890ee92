//! Every problem `code` the server can answer has a message in the buyer's language: the
//! codes in the Rust sources (refusals, invalid inputs, throttles, the edge's own) must all
//! be in `fixtures/problem-codes.json`, which the site's unit and browser tests walk in
//! pt-BR and English. A new code without a translation fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn shared_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/src"), &mut files);
    files
}

/// The snake_case string literal that follows `marker` each time it appears.
fn literals_after(text: &str, marker: &str) -> Vec<String> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = text[at + marker.len()..].trim_start();
            let rest = rest.strip_prefix('"')?;
            let end = rest.find('"')?;
            let word = &rest[..end];
            (!word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then(|| word.to_string())
        })
        .collect()
}

fn server_codes() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for file in shared_sources() {
        let text = std::fs::read_to_string(&file).expect("a source file");
        let name = file.to_string_lossy();
        codes.extend(literals_after(&text, "Invalid::coded("));
        // A throttle names its code as the last argument of `throttle::count`/`check`.
        for call in ["throttle::count(", "throttle::check("] {
            for (at, _) in text.match_indices(call) {
                let args = &text[at..text[at..].find(".await").map(|e| at + e).unwrap_or(text.len())];
                codes.extend(literals_after(args, ", "));
            }
        }
        if name.ends_with("domain/refusal.rs")
            || name.ends_with("domain/queue/mod.rs")
            || name.ends_with("http/problem.rs")
        {
            codes.extend(literals_after(&text, "=> "));
        }
    }
    codes
}

#[test]
fn every_code_the_server_answers_has_a_translation_in_the_fixture() {
    let fixture: BTreeSet<String> = serde_json::from_str(
        &std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/problem-codes.json"))
            .expect("fixtures/problem-codes.json"),
    )
    .expect("a JSON array of codes");
    let codes = server_codes();
    for known in
        ["sold_out", "price_changed", "weak_password", "reset_link_used", "reset_throttled", "login_locked", "internal"]
    {
        assert!(codes.contains(known), "the scan finds '{known}' (found {codes:?})");
    }
    let missing: Vec<&String> = codes.difference(&fixture).collect();
    assert!(missing.is_empty(), "codes with no translation in fixtures/problem-codes.json: {missing:?}");
}
