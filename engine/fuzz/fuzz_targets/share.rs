//! libFuzzer target `share`: the property is `app_checks::share`, shared with the stable replay test.

#![no_main]

#[path = "../app_checks.rs"]
mod app_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| app_checks::share(data));
