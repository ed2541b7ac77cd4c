//! Replays every committed fuzz corpus and crash input (`engine/fuzz/corpus/<target>/`) of the
//! targets below the app through its target's property on stable Rust (the `share` target's
//! replay is the app's, in `tests/app/saving_and_sharing.rs`).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a property that fails must fail the test"
)]

#[path = "../../../engine/fuzz/checks.rs"]
mod checks;
#[path = "../../../engine/fuzz/replay.rs"]
mod replay;

use std::path::Path;

/// A target's property: panics when an input breaks it.
type Property = fn(&[u8]);

/// Every target, with its property.
const TARGETS: [(&str, Property); 9] = [
    ("json", checks::json),
    ("policy", checks::policy),
    ("scenario", checks::scenario),
    ("scenario_build", checks::scenario_build),
    ("aws_cli", checks::aws_cli),
    ("cli_values", checks::cli_values),
    ("ciphertext", checks::ciphertext),
    ("import", checks::import),
    ("backend_wire", checks::backend_wire),
];

#[test]
fn every_committed_fuzz_input_keeps_its_property() {
    let fuzz_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/fuzz");
    for (target, check) in TARGETS {
        replay::replay(&fuzz_dir, target, check);
    }
}
