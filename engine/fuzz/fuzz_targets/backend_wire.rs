//! libFuzzer target `backend_wire`: the property is `checks::backend_wire`, shared with the stable replay test.

#![no_main]

#[path = "../checks.rs"]
#[expect(dead_code, reason = "each fuzz target uses one of the checks")]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::backend_wire(data));
