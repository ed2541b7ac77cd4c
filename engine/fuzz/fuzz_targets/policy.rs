//! libFuzzer target `policy`: the property is `checks::policy`, shared with the stable replay test.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::policy(data));
