//! The editor's text machinery never panics and never loses or invents text, whatever is typed:
//! the tokenizer covers the text exactly, highlight runs cover it in order, every key edit keeps
//! its selection inside the new text, and offsets convert between UTF-8 and UTF-16 both ways.
#![cfg(not(target_arch = "wasm32"))]

use kms_playground::editing::{EditKey, byte_offset, completion_context, plan_key, utf16_offset};
use kms_playground::highlight::highlight;
use kms_playground::json_lex::tokenize;
use proptest::prelude::*;

/// Text made mostly of JSON's own characters, so the interesting cases come up often.
fn jsonish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("\"".to_owned()),
            Just(":".to_owned()),
            Just(",".to_owned()),
            Just("\n".to_owned()),
            Just(" ".to_owned()),
            Just("\\".to_owned()),
            Just("kms:Encrypt".to_owned()),
            Just("Action".to_owned()),
            Just("Condition".to_owned()),
            Just("é€🔑".to_owned()),
            "[a-z0-9]{1,4}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn boundary(text: &str, at: usize) -> usize {
    (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

proptest! {
    #[test]
    fn tokens_and_runs_cover_the_text_exactly(text in jsonish(), caret in 0usize..200) {
        let tokens = tokenize(&text);
        let joined: String = tokens.iter().map(|t| t.text(&text)).collect();
        prop_assert_eq!(&joined, &text);
        let caret = boundary(&text, caret);
        let runs = highlight(&text, &[], Some(caret), Some((0, caret)));
        let joined: String = runs.iter().map(|r| &text[r.start..r.end]).collect();
        prop_assert_eq!(&joined, &text);
        let _ = completion_context(&text, caret);
    }

    #[test]
    fn key_edits_keep_the_selection_inside_the_new_text(
        text in jsonish(),
        a in 0usize..200,
        b in 0usize..200,
        key in prop_oneof![
            Just(EditKey::Char('{')),
            Just(EditKey::Char('[')),
            Just(EditKey::Char('"')),
            Just(EditKey::Char('}')),
            Just(EditKey::Char(']')),
            Just(EditKey::Tab),
            Just(EditKey::ShiftTab),
            Just(EditKey::Enter),
            Just(EditKey::Backspace),
        ],
    ) {
        let (a, b) = (boundary(&text, a), boundary(&text, b));
        if let Some(edit) = plan_key(&text, a, b, key) {
            prop_assert!(edit.start <= edit.end && edit.end <= text.len());
            let new = format!("{}{}{}", &text[..edit.start], edit.insert, &text[edit.end..]);
            prop_assert!(edit.select.0 <= edit.select.1);
            prop_assert!(new.is_char_boundary(edit.select.0) && new.is_char_boundary(edit.select.1));
            prop_assert!(edit.select.1 <= new.len());
        }
    }

    #[test]
    fn utf16_and_utf8_offsets_round_trip(text in jsonish(), at in 0usize..200) {
        let at = boundary(&text, at);
        prop_assert_eq!(byte_offset(&text, utf16_offset(&text, at)), at);
    }
}
