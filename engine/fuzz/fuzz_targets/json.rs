//! Any bytes into the JSON parser: no panic, a value exactly when there is no syntax error, and
//! formatting is stable (formatting formatted text changes nothing).

#![no_main]

use kms_engine::json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let document = json::parse(&text);
    assert!(document.value.is_some() || document.has_errors());
    if let Ok(pretty) = json::format_json(&text) {
        assert_eq!(json::format_json(&pretty).ok().as_deref(), Some(pretty.as_str()));
    }
});
