//! Any bytes as a ciphertext blob: the inspector and the blob parser never panic, and every part
//! the inspector reports lies inside the blob.

#![no_main]

use kms_engine::crypto::{inspect, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let inspection = inspect(data);
    for part in &inspection.parts {
        assert!(part.start <= part.end && part.end <= data.len());
    }
    let _ = parse(data);
});
