//! libFuzzer target `import`: the property is `checks::import`, shared with the stable replay test.

#![no_main]

#[path = "../checks.rs"]
#[expect(dead_code, reason = "each fuzz target uses one of the checks")]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::import(data));
