//! Replays every committed fuzz corpus and crash input (`engine/fuzz/corpus/<target>/`) through
//! its target's property on stable Rust, so what fuzzing found once stays fixed without nightly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a property that fails must fail the test"
)]

#[path = "../../engine/fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// A target's property: panics when an input breaks it.
type Property = fn(&[u8]);

/// Every target, with its property.
const TARGETS: [(&str, Property); 6] = [
    ("json", checks::json),
    ("policy", checks::policy),
    ("scenario", checks::scenario),
    ("aws_cli", checks::aws_cli),
    ("cli_values", checks::cli_values),
    ("ciphertext", checks::ciphertext),
];

#[test]
fn every_committed_fuzz_input_keeps_its_property() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/fuzz/corpus");
    for (target, check) in TARGETS {
        let dir = corpus.join(target);
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        kms_engine::sort::sort(&mut inputs);
        assert!(!inputs.is_empty(), "{target}: the corpus has seeds");
        for input in inputs {
            let data = std::fs::read(&input).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(
                outcome.is_ok(),
                "{target}: {} breaks the property",
                input.display()
            );
        }
    }
}
