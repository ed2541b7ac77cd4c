//! Any bytes into the scenario reader and world builder: no panic, and every refusal carries at
//! least one diagnostic located inside the text.

#![no_main]

use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::scenario::load;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut rng = SeededRandomness::new(1);
    if let Err(error) = load(&text, Timestamp(1_700_000_000_000), &mut rng) {
        assert!(!error.diagnostics.is_empty(), "a refused scenario says why");
        for d in &error.diagnostics {
            assert!(d.span.start as usize <= text.len() && d.span.end as usize <= text.len());
        }
    }
});
