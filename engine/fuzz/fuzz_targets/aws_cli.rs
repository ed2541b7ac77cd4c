//! libFuzzer target `aws_cli`: the property is `checks::aws_cli`, shared with the stable replay test.

#![no_main]

#[path = "../checks.rs"]
#[expect(dead_code, reason = "each fuzz target uses one of the checks")]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::aws_cli(data));
