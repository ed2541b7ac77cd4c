//! Replays a fuzz target's committed corpus and crash inputs (`engine/fuzz/corpus/<target>/`)
//! through its property on stable Rust, so what fuzzing found once stays fixed without nightly.
//! Included by the native test suites that can run the property (`awscli/tests/emulator/fuzz_corpus.rs`,
//! the app's `tests/app/saving_and_sharing.rs`).

use std::path::Path;

/// Runs every committed input of `target` through `check`, which panics when an input breaks
/// the property; `fuzz_dir` is `engine/fuzz`.
pub fn replay(fuzz_dir: &Path, target: &str, check: fn(&[u8])) {
    let dir = fuzz_dir.join("corpus").join(target);
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
