//! libFuzzer target `cli_values`: the property is `checks::cli_values`, shared with the stable replay test.

#![no_main]

#[path = "../checks.rs"]
#[expect(dead_code, reason = "each fuzz target uses one of the checks")]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::cli_values(data));
