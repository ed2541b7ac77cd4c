//! The grants panel on demonstration 1's world, through the app's reducer: Alice grants Bob
//! Encrypt and Decrypt; Bob's access works at once with the grant token and, without it, only
//! after the eventual-consistency window (KMS Developer Guide, grants.html, "Eventual
//! consistency"); retiring and revoking end it (grant-manage.html).

#![expect(clippy::unwrap_used, clippy::panic, reason = "tests")]

use crate::panels_support;

use kms_engine::catalog::Action;
use kms_engine::view::CellKind;
use kms_playground::panels::PanelIntent;
use kms_playground::panels::crypto::{CryptoIntent, CryptoOutcome};
use kms_playground::panels::fields::PairEdit;
use kms_playground::panels::grants::{
    ConstraintChoice, GrantConsistency, GrantOutcome, GrantsIntent, IssuedGrant, clock_chip,
    grant_operations, grant_rows,
};
use kms_playground::state::{AppState, Intent};
use panels_support::*;

const FIVE_MINUTES: i64 = 5 * 60 * 1000;

fn grants(state: &mut AppState, intent: GrantsIntent) {
    state.apply(Intent::Panel(PanelIntent::Grants(intent)));
}

fn crypto(state: &mut AppState, intent: CryptoIntent) {
    state.apply(Intent::Panel(PanelIntent::Crypto(intent)));
}

fn as_caller(state: &mut AppState, name: &str) {
    state.apply(Intent::Panel(PanelIntent::SetCaller(
        user(name).to_string(),
    )));
}

fn demo_key(state: &AppState) -> String {
    state.model().columns()[0].id.clone()
}

/// Alice creates the lecture's grant for Bob from the panel.
fn alice_grants_bob(state: &mut AppState) -> IssuedGrant {
    as_caller(state, "Alice");
    let key = demo_key(state).to_string();
    grants(state, GrantsIntent::SetKey(key));
    grants(state, GrantsIntent::SetGrantee(user("Bob").to_string()));
    grants(state, GrantsIntent::Create);
    match state.panels.grants.outcome.clone() {
        Some(GrantOutcome::Created(issued)) => issued,
        other => panic!("CreateGrant failed: {other:?}"),
    }
}

fn bob_cell(state: &AppState) -> CellKind {
    let model = state.model();
    let row = model.row_of(user("Bob").as_str()).unwrap();
    model.summary(row, 0).unwrap().kind
}

fn bob_encrypts(state: &mut AppState) -> CryptoOutcome {
    as_caller(state, "Bob");
    crypto(state, CryptoIntent::SetKey("alias/DemoKey".into()));
    crypto(state, CryptoIntent::SetPlaintext("Friday".into()));
    crypto(state, CryptoIntent::Encrypt);
    state.panels.crypto.outcome.clone().unwrap()
}

/// The KMS exception a refused call names, or "succeeded": a refusal for the wrong reason (a
/// validation error instead of a denial) must not pass for the rule under test.
fn crypto_refusal(outcome: CryptoOutcome) -> &'static str {
    match outcome {
        CryptoOutcome::Refused(refusal) => refusal.exception,
        _ => "succeeded",
    }
}

#[test]
fn the_form_offers_the_grant_operations_of_the_key_types_this_build_holds() {
    // KMS Developer Guide, grants.html, "Grant operations": Sign and Verify only for asymmetric
    // signing keys, and never a management operation.
    let names: Vec<&str> = grant_operations()
        .iter()
        .map(|a| a.grant_operation_name().unwrap())
        .collect();
    assert!(names.contains(&"Encrypt") && names.contains(&"RetireGrant"));
    assert!(names.contains(&"Sign") && names.contains(&"DeriveSharedSecret"));
    assert!(!names.contains(&"PutKeyPolicy"));
    let mut state = app_state(DEMO1, &user("Alice"));
    grants(
        &mut state,
        GrantsIntent::ToggleOperation(Action::PutKeyPolicy),
    );
    assert_eq!(
        state.panels.grants.form.operations,
        [Action::Encrypt, Action::Decrypt],
        "a management action cannot be ticked"
    );
}

#[test]
fn a_new_grant_is_pending_token_only_until_the_window_passes() {
    let mut state = app_state(DEMO1, &user("Alice"));
    assert_eq!(bob_cell(&state), CellKind::ImplicitDeny);
    let issued = alice_grants_bob(&mut state);
    assert_eq!(issued.grant_id.len(), 64);
    assert!(!issued.grant_token.is_empty());
    assert_eq!(issued.key.as_ref(), Some(&demo_key(&state)));

    // Inside the window the matrix shows Bob's cell as pending, the list counts down.
    assert_eq!(bob_cell(&state), CellKind::Pending);
    let model = state.model();
    let rows = grant_rows(
        model.world(),
        &demo_key(&state),
        state.panels.clock_origin,
        model.now(),
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].grantee_name, "Bob");
    assert_eq!(rows[0].created_by, "Alice");
    assert_eq!(rows[0].operations, ["Encrypt", "Decrypt"]);
    assert!(matches!(rows[0].standing, GrantConsistency::Pending { .. }));
    let chip = clock_chip(model.world(), state.panels.clock_origin, model.now());
    assert_eq!(chip.now, "T+0");
    assert_eq!(
        chip.consistent_at,
        Some(("T+5 min".to_owned(), "5 min".to_owned()))
    );
    drop(model);

    // +1 min: still pending.
    state.apply(Intent::AdvanceClock { millis: 60_000 });
    assert_eq!(bob_cell(&state), CellKind::Pending);
    // +5 min: past the window, the grant counts without a token.
    state.apply(Intent::AdvanceClock {
        millis: FIVE_MINUTES,
    });
    assert_eq!(bob_cell(&state), CellKind::Partial);
    let model = state.model();
    let chip = clock_chip(model.world(), state.panels.clock_origin, model.now());
    assert_eq!(chip.now, "T+6 min");
    assert_eq!(chip.consistent_at, None);
}

#[test]
fn bob_encrypts_with_the_token_at_once_and_without_it_only_after_the_window() {
    let mut state = app_state(DEMO1, &user("Alice"));
    // Before any grant: Bob is denied, with AWS's message and a link to his cell.
    let CryptoOutcome::Refused(refusal) = bob_encrypts(&mut state) else {
        panic!("Bob has no permissions");
    };
    assert_eq!(refusal.exception, "AccessDeniedException");
    let why = refusal.why.unwrap();
    assert_eq!(
        (why.principal.as_str(), why.action),
        (user("Bob").as_str(), Action::Encrypt)
    );

    let issued = alice_grants_bob(&mut state);
    assert_eq!(
        crypto_refusal(bob_encrypts(&mut state)),
        "AccessDeniedException"
    );
    state.apply(Intent::Panel(PanelIntent::UseGrantToken(
        issued.grant_token.clone(),
    )));
    assert_eq!(state.panels.crypto.grant_tokens, issued.grant_token);
    assert!(matches!(
        bob_encrypts(&mut state),
        CryptoOutcome::Encrypted { .. }
    ));

    crypto(&mut state, CryptoIntent::SetGrantTokens(String::new()));
    assert_eq!(
        crypto_refusal(bob_encrypts(&mut state)),
        "AccessDeniedException"
    );
    state.apply(Intent::AdvanceClock {
        millis: FIVE_MINUTES,
    });
    assert!(matches!(
        bob_encrypts(&mut state),
        CryptoOutcome::Encrypted { .. }
    ));
}

#[test]
fn revoking_ends_the_grant_at_once() {
    let mut state = app_state(DEMO1, &user("Alice"));
    let issued = alice_grants_bob(&mut state);
    state.apply(Intent::AdvanceClock {
        millis: FIVE_MINUTES,
    });
    assert!(matches!(
        bob_encrypts(&mut state),
        CryptoOutcome::Encrypted { .. }
    ));
    // Bob may not revoke: RevokeGrant comes from the key policy or IAM, and he has neither.
    let revoke = GrantsIntent::Revoke {
        key: demo_key(&state),
        grant: issued.grant_id.clone(),
    };
    grants(&mut state, revoke.clone());
    let Some(GrantOutcome::Refused(refusal)) = state.panels.grants.list_outcome.clone() else {
        panic!("Bob cannot revoke");
    };
    assert_eq!(refusal.exception, "AccessDeniedException");
    assert!(
        matches!(state.panels.grants.outcome, Some(GrantOutcome::Created(_))),
        "the refusal is the list's: the form still shows the grant it created"
    );
    // Alice's IAM policy allows kms:RevokeGrant on the key.
    as_caller(&mut state, "Alice");
    grants(&mut state, revoke);
    assert_eq!(
        state.panels.grants.list_outcome,
        Some(GrantOutcome::Ended {
            grant_id: issued.grant_id,
            how: "revoked"
        })
    );
    assert_eq!(bob_cell(&state), CellKind::ImplicitDeny);
    assert_eq!(
        crypto_refusal(bob_encrypts(&mut state)),
        "AccessDeniedException"
    );
}

#[test]
fn the_retiring_principal_may_retire_the_grant() {
    // API RetireGrant: the retiring principal may retire it; the grantee only when the grant
    // lists RetireGrant.
    let mut state = app_state(DEMO1, &user("Alice"));
    grants(
        &mut state,
        GrantsIntent::SetRetiring(user("CloudAcademy").to_string()),
    );
    let issued = alice_grants_bob(&mut state);
    let retire = GrantsIntent::Retire {
        key: demo_key(&state),
        grant: issued.grant_id.clone(),
    };
    as_caller(&mut state, "Bob");
    grants(&mut state, retire.clone());
    let Some(GrantOutcome::Refused(refusal)) = state.panels.grants.list_outcome.clone() else {
        panic!("Bob is neither the retiring principal nor granted RetireGrant");
    };
    assert_eq!(refusal.exception, "AccessDeniedException");
    as_caller(&mut state, "CloudAcademy");
    grants(&mut state, retire);
    assert!(matches!(
        state.panels.grants.list_outcome,
        Some(GrantOutcome::Ended { how: "retired", .. })
    ));
    let model = state.model();
    assert!(
        grant_rows(
            model.world(),
            &demo_key(&state),
            state.panels.clock_origin,
            model.now()
        )
        .is_empty()
    );
}

#[test]
fn a_subset_constraint_holds_only_for_requests_with_those_pairs() {
    // API GrantConstraints: EncryptionContextSubset.
    let mut state = app_state(DEMO1, &user("Alice"));
    grants(
        &mut state,
        GrantsIntent::SetConstraint(ConstraintChoice::Subset),
    );
    grants(
        &mut state,
        GrantsIntent::ConstraintPair(PairEdit::Key(0, "Department".into())),
    );
    grants(
        &mut state,
        GrantsIntent::ConstraintPair(PairEdit::Value(0, "Finance".into())),
    );
    let issued = alice_grants_bob(&mut state);
    state.apply(Intent::Panel(PanelIntent::UseGrantToken(
        issued.grant_token,
    )));
    assert_eq!(
        crypto_refusal(bob_encrypts(&mut state)),
        "AccessDeniedException"
    );
    crypto(
        &mut state,
        CryptoIntent::Context(PairEdit::Key(0, "Department".into())),
    );
    crypto(
        &mut state,
        CryptoIntent::Context(PairEdit::Value(0, "Finance".into())),
    );
    assert!(matches!(
        bob_encrypts(&mut state),
        CryptoOutcome::Encrypted { .. }
    ));
    let model = state.model();
    let rows = grant_rows(
        model.world(),
        &demo_key(&state),
        state.panels.clock_origin,
        model.now(),
    );
    assert_eq!(
        rows[0].constraints.as_deref(),
        Some("EncryptionContextSubset {Department=Finance}")
    );
}

#[test]
fn an_incomplete_form_is_not_sent() {
    let mut state = app_state(DEMO1, &user("Alice"));
    grants(&mut state, GrantsIntent::Create);
    assert_eq!(
        state.panels.grants.outcome,
        Some(GrantOutcome::Invalid(
            "Choose the grantee principal.".into()
        ))
    );
    grants(
        &mut state,
        GrantsIntent::SetGrantee(user("Bob").to_string()),
    );
    grants(
        &mut state,
        GrantsIntent::SetConstraint(ConstraintChoice::Equals),
    );
    grants(
        &mut state,
        GrantsIntent::ConstraintPair(PairEdit::Value(0, "x".into())),
    );
    grants(&mut state, GrantsIntent::Create);
    assert_eq!(
        state.panels.grants.outcome,
        Some(GrantOutcome::Invalid(
            "pair 1 has a value but no key".into()
        ))
    );
    assert!(state.model().world().grants.all().next().is_none());
}

#[test]
fn a_grant_without_operations_is_refused_by_kms_with_its_message() {
    let mut state = app_state(DEMO1, &user("Alice"));
    grants(&mut state, GrantsIntent::ToggleOperation(Action::Encrypt));
    grants(&mut state, GrantsIntent::ToggleOperation(Action::Decrypt));
    grants(
        &mut state,
        GrantsIntent::SetGrantee(user("Bob").to_string()),
    );
    grants(&mut state, GrantsIntent::Create);
    let Some(GrantOutcome::Refused(refusal)) = state.panels.grants.outcome.clone() else {
        panic!("KMS requires at least one operation");
    };
    assert_eq!(refusal.exception, "ValidationException");
}

#[test]
fn the_clock_passing_the_consistency_window_says_which_cells_changed() {
    // KMS Developer Guide, grants.html ("Eventual consistency"): after the window the grant
    // works without its token, so Bob's cell changes with time alone.
    let mut state = app_state(DEMO1, &user("Alice"));
    alice_grants_bob(&mut state);
    assert_eq!(bob_cell(&state), CellKind::Pending);
    state.apply(Intent::AdvanceClock { millis: 5 * 60_000 });
    assert_ne!(bob_cell(&state), CellKind::Pending);
    let model = state.model();
    assert!(
        !model.changes().is_empty(),
        "the change line names the cell the clock changed"
    );
}
