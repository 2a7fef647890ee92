//! Text for the PDF's standard Helvetica, which reads bytes as Windows-1252: Portuguese
//! letters are Latin-1 and map one to one; the typographic marks people type (— “ ” ‘ ’ € …)
//! have their own bytes; anything else shows as "?" rather than as garbage.

pub fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => c as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn portuguese_and_typographic_marks_keep_their_letters() {
        assert_eq!(super::encode("São João — “ç”"), b"S\xe3o Jo\xe3o \x97 \x93\xe7\x94".to_vec());
        assert_eq!(super::encode("日本"), b"??".to_vec());
    }
}
