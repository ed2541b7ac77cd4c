//! Property tests for the `aws` emulator: no command line, shorthand value or query makes it
//! panic.

use kms_awscli::{Host, NoFiles, Session, args, query::Query, shell, shorthand};
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::scenario;
use proptest::prelude::*;

const NOW: Timestamp = Timestamp(1_704_067_200_000);

/// Words an `aws` command line is made of, mixed with arbitrary text.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("aws".to_owned()),
        Just("kms".to_owned()),
        Just("sts".to_owned()),
        Just("configure".to_owned()),
        Just("encrypt".to_owned()),
        Just("create-grant".to_owned()),
        Just("--key-id".to_owned()),
        Just("--plaintext".to_owned()),
        Just("--operations".to_owned()),
        Just("--constraints".to_owned()),
        Just("--encryption-context".to_owned()),
        Just("--tags".to_owned()),
        Just("--query".to_owned()),
        Just("--output".to_owned()),
        Just("--profile".to_owned()),
        Just("--dry-run".to_owned()),
        Just("help".to_owned()),
        Just("fileb://x".to_owned()),
        "[ -~]{0,12}",
    ]
}

/// Every variable holds `v a l`; every command prints `out`.
struct Constant;

impl shell::Expansions for Constant {
    type Error = ();
    fn variable(&mut self, _: &str) -> Option<String> {
        Some("v a l".to_owned())
    }
    fn command(&mut self, _: &str) -> Result<String, ()> {
        Ok("out\n".to_owned())
    }
    fn reserve(&mut self, _: usize) -> Result<(), ()> {
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_shell_reader_never_panics(text in "\\PC{0,80}") {
        let _ = shell::logical_lines(&text);
        if let Ok(words) = shell::words(&text) {
            for w in &words {
                let _ = shell::expand(w, true, &mut Constant);
            }
        }
    }

    /// A terminal hands the reader a line at a time: cut anywhere, the script splits into the
    /// same logical lines as when read whole.
    #[test]
    fn reading_piece_by_piece_splits_as_reading_whole(text in "[a-z $()'\"#\\\\\n]{0,60}", cut in 1usize..7) {
        let whole = shell::logical_lines(&text);
        let mut splitter = shell::LineSplitter::default();
        let mut lines = Vec::new();
        let chars: Vec<char> = text.chars().collect();
        for piece in chars.chunks(cut) {
            splitter.push(&piece.iter().collect::<String>());
            lines.extend(splitter.take_ready());
        }
        let pieces = splitter.finish().map(|rest| {
            lines.extend(rest);
            lines
        });
        prop_assert_eq!(pieces, whole);
    }

    #[test]
    fn shorthand_and_queries_never_panic(text in "[ -~]{0,40}") {
        let _ = shorthand::parse(&text);
        if let Ok(q) = Query::parse(&text) {
            let _ = q.search(&serde_json::json!({"A": [{"B": 1}, {"B": "x"}], "C": {"D": null}}));
        }
    }

    #[test]
    fn the_argument_parser_never_panics(words in proptest::collection::vec(word(), 0..12)) {
        let _ = args::parse(&words, &NoFiles).map_err(|e| e.to_string());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// No command line makes the emulator panic, whatever it holds.
    #[test]
    fn the_emulator_never_panics(lines in proptest::collection::vec(proptest::collection::vec(word(), 0..10), 1..6)) {
        let text = include_str!("../../../scenarios/demo1-grants.json");
        let mut rng = SeededRandomness::new(2);
        let mut world = scenario::load(text, NOW, &mut rng).map_err(|e| TestCaseError::fail(e.to_string()))?.world;
        let mut session = Session::new(NOW);
        for words in lines {
            let mut host = Host { world: &mut world, rng: &mut rng, files: &NoFiles };
            let _ = session.run_line(&words.join(" "), &mut host);
        }
    }
}
