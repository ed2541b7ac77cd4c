//! Property tests for the scenario format: bad input never panics, and writing a scenario then
//! reading it back changes nothing.

use kms_engine::catalog::Action;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::scenario::{self, Scenario, ScenarioError};
use proptest::prelude::*;

const NOW: Timestamp = Timestamp(1_704_067_200_000);

/// The key states of the KMS Developer Guide, key-state.html, that a scenario may give a key.
const KEY_STATES: [&str; 4] = ["Enabled", "Disabled", "PendingDeletion", "PendingImport"];

/// Whether `name` is a grant operation (KMS Developer Guide, grants.html, "Grant operations"):
/// one of the action catalog's, so a new key type's operations count without an edit here.
fn is_grant_operation(name: &str) -> bool {
    Action::ALL
        .iter()
        .any(|a| a.grant_operation_name() == Some(name))
}

/// A scenario error has at least one diagnostic, each inside the text with a 1-based position.
fn located_inside(error: &ScenarioError, text: &str) -> Result<(), TestCaseError> {
    prop_assert!(!error.diagnostics.is_empty());
    for d in &error.diagnostics {
        prop_assert!(
            d.span.start <= d.span.end && d.span.end as usize <= text.len(),
            "{:?}",
            d
        );
        prop_assert!(d.start.line >= 1 && d.start.column >= 1, "{:?}", d);
        prop_assert!(!d.message.is_empty());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn the_scenario_reader_never_panics(text in "\\PC{0,200}") {
        if let Err(error) = Scenario::parse(&text) {
            located_inside(&error, &text)?;
        }
    }

    /// Fragments mostly made of valid parts, so that loading gets past the reader into building
    /// the world: a fragment loads exactly when each part is valid, and a failure is located.
    #[test]
    fn scenario_fragments_load_exactly_when_every_part_is_valid(
        name in prop_oneof![Just("Bob".to_owned()), "[A-Za-z\\-]{0,6}"],
        arn in prop_oneof![
            Just("arn:aws:iam::111122223333:user/Bob".to_owned()),
            Just("arn:aws:sts::111122223333:assumed-role/R/s".to_owned()),
            "[ -~]{0,30}",
        ],
        state in prop_oneof![proptest::sample::select(KEY_STATES.to_vec()).prop_map(str::to_owned), "[A-Za-z]{0,15}"],
        op in prop_oneof![Just("Encrypt".to_owned()), Just("Decrypt".to_owned()), "[A-Za-z]{0,15}"],
    ) {
        let text = format!(
            r#"{{"principals": [{{"name": "{name}", "arn": "{arn}"}}], "keys": [{{"name": "K", "state": "{state}"}}],
               "grants": [{{"key": "K", "grantee": "{name}", "operations": ["{op}"]}}]}}"#
        );
        let valid = name == "Bob"
            && arn == "arn:aws:iam::111122223333:user/Bob"
            // PendingImport needs an EXTERNAL origin, which the fragment does not give.
            && ["Enabled", "Disabled", "PendingDeletion"].contains(&state.as_str())
            && ["Encrypt", "Decrypt"].contains(&op.as_str());
        match scenario::load(&text, NOW, &mut SeededRandomness::new(1)) {
            Ok(loaded) => {
                prop_assert!(KEY_STATES.contains(&state.as_str()), "state {:?} accepted", state);
                prop_assert!(is_grant_operation(&op), "operation {:?} accepted", op);
                prop_assert_eq!(loaded.scenario.principals.len(), 1);
            }
            Err(error) if valid => {
                return Err(TestCaseError::fail(format!("a valid fragment was refused: {error}")));
            }
            Err(error) => located_inside(&error, &text)?,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Writing a scenario and reading it back gives the same text again, and builds a world.
    #[test]
    fn generated_scenarios_round_trip(principals in 0usize..25, keys in 0usize..8, seed in any::<u64>()) {
        let text = scenario::generate(principals, keys, seed).to_json();
        let read = Scenario::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read.to_json(), text.clone());
        let loaded = scenario::load(&text, NOW, &mut SeededRandomness::new(seed));
        prop_assert!(loaded.is_ok(), "{}", loaded.err().map(|e| e.to_string()).unwrap_or_default());
    }
}
