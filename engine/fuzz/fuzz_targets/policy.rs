//! Any bytes into the policy parser and linter, as a key policy and as an identity policy: no
//! panic, a policy exactly when there is no error, and whatever parses prints as text that parses
//! back to the same printed form (size limit aside).

#![no_main]

use kms_engine::diagnostics::Severity;
use kms_engine::policy::lint::check_policy;
use kms_engine::policy::parse::{KEY_POLICY_MAX_BYTES, PolicyKind, parse_policy, policy_to_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for kind in [PolicyKind::KeyPolicy, PolicyKind::IdentityPolicy] {
        let checked = check_policy(&text, kind, Some("111122223333"));
        let has_errors = checked.diagnostics.iter().any(|d| d.severity == Severity::Error);
        assert_eq!(checked.policy.is_some(), !has_errors);
        if let Some(policy) = checked.policy {
            let printed = policy_to_json(&policy);
            // Indentation can push a compact key policy over KMS's size limit; that is not a
            // printing bug.
            if kind == PolicyKind::KeyPolicy && printed.len() > KEY_POLICY_MAX_BYTES {
                continue;
            }
            let again = parse_policy(&printed, kind);
            let again = again.policy.expect("printed policy parses");
            assert_eq!(policy_to_json(&again), printed);
        }
    }
});
