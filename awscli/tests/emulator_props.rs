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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_shell_reader_never_panics(text in "\\PC{0,80}") {
        let _ = shell::logical_lines(&text);
        if let Ok(words) = shell::words(&text) {
            for w in &words {
                let mut lookup = |_: &str| Some("v a l".to_owned());
                let mut run = |_: &str| -> Result<String, ()> { Ok("out\n".to_owned()) };
                let _ = shell::expand(w, true, &mut lookup, &mut run);
            }
        }
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
        let text = include_str!("../../scenarios/demo1-grants.json");
        let mut rng = SeededRandomness::new(2);
        let mut world = scenario::load(text, NOW, &mut rng).map_err(|e| TestCaseError::fail(e.to_string()))?.world;
        let mut session = Session::new(NOW);
        for words in lines {
            let mut host = Host { world: &mut world, rng: &mut rng, files: &NoFiles };
            let _ = session.run_line(&words.join(" "), &mut host);
        }
    }
}
