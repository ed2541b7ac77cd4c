//! libFuzzer target `scenario`: the property is `checks::scenario`, shared with the stable replay test.

#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::scenario(data));
