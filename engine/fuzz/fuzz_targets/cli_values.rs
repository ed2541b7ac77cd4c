//! Any text as a `--query` expression and as shorthand syntax: no panic; a parsed query can be
//! run on any JSON value.

#![no_main]

use kms_awscli::query::Query;
use kms_awscli::shorthand;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(query) = Query::parse(&text) {
        let value = serde_json::json!({"Grants": [{"GrantId": "a", "Operations": ["Encrypt"]}], "KeyId": "k"});
        let _ = query.search(&value);
    }
    let _ = shorthand::parse(&text);
});
