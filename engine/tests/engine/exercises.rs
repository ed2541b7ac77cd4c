//! The shipped exercises (`scenarios/exercises/`): every solution solves its exercise, no exercise
//! is solved by its starting world, and the KMS rule each exercise teaches is pinned against its
//! AWS source. Also the exercise fields of the scenario format.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "fixtures fail the test on a bad setup; goal indexes follow the shipped files"
)]

use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::policy::eval::Decision;
use kms_engine::scenario::{self, EditKind, ExerciseStatus, Loaded, Scenario};
use std::path::PathBuf;

const NOW: Timestamp = Timestamp(1_704_067_200_000);

fn exercises_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/exercises")
}

fn load(text: &str) -> Loaded {
    scenario::load(text, NOW, &mut SeededRandomness::new(7)).unwrap_or_else(|e| panic!("{e}"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(exercises_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The exercise `id`, its status in its starting world, and in its solution's world, with the
/// changes its solution makes that `may_edit` does not allow.
fn run(id: &str) -> (Loaded, ExerciseStatus, ExerciseStatus, Vec<String>) {
    let exercise = load(&read(&format!("{id}.json")));
    let solution = load(&read(&format!("{id}.solution.json")));
    let start = scenario::exercise_status(&exercise.scenario, &exercise.world, NOW);
    let solved = scenario::exercise_status(&exercise.scenario, &solution.world, NOW);
    let outside = scenario::changes_outside(&exercise.scenario, &exercise.world, &solution.world);
    (exercise, start, solved, outside)
}

fn goal_hint(status: &ExerciseStatus, index: usize) -> &str {
    &status.goals[index].hint
}

#[test]
fn every_solution_solves_its_exercise_and_no_exercise_starts_solved() {
    let mut ids: Vec<String> = std::fs::read_dir(exercises_dir())
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let id = name.strip_suffix(".json")?;
            (!id.ends_with(".solution")).then(|| id.to_owned())
        })
        .collect();
    kms_engine::sort::sort(&mut ids);
    assert!(ids.len() >= 8, "{ids:?}");
    for id in &ids {
        let (exercise, start, solved, outside) = run(id);
        assert!(
            exercise.scenario.exercise.is_exercise(),
            "{id} has no goals"
        );
        assert!(
            exercise.scenario.exercise.may_edit.is_some(),
            "{id} says nothing about what may change"
        );
        assert!(!start.solved(), "{id} is solved by its starting world");
        assert!(outside.is_empty(), "{id}'s solution edits {outside:?}");
        assert!(
            solved.solved(),
            "{id}'s solution does not solve it: {solved:#?}"
        );
    }
}

/// A key policy must allow access before any IAM policy counts; the "Enable IAM User
/// Permissions" statement (the account principal) is what lets IAM policies decide (KMS
/// Developer Guide, key-policy-default.html "Allows access to the AWS account and enables IAM
/// policies").
#[test]
fn iam_policies_count_only_once_the_key_policy_trusts_the_account() {
    let (_, start, solved, _) = run("delegate-to-iam");
    assert_eq!(start.goals[0].actual, Decision::ImplicitDeny);
    assert!(goal_hint(&start, 0).contains("neither by naming Alice nor by delegating"));
    assert!(solved.goals[0].hint.contains("delegates to the account"));
    // Charlie's IAM policy allows only Encrypt: delegation gives him no more than it says.
    assert_eq!(solved.goals[3].actual, Decision::ImplicitDeny);
}

/// An explicit Deny in the key policy overrides every Allow, including the account's delegation
/// and an IAM policy's allow (KMS Developer Guide, policy-evaluation.html; IAM User Guide,
/// reference_policies_evaluation-logic.html "explicit deny").
#[test]
fn an_explicit_deny_in_the_key_policy_wins_over_an_iam_allow() {
    let (_, start, solved, _) = run("deny-wins");
    assert_eq!(start.goals[0].actual, Decision::Allow);
    assert_eq!(solved.goals[0].actual, Decision::ExplicitDeny);
    assert!(solved.goals[0].hint.contains("overrides every Allow"));
}

/// The console's key-users statement gives use without administration: its actions include no
/// kms:PutKeyPolicy, kms:ScheduleKeyDeletion or kms:CreateGrant (KMS Developer Guide,
/// key-policy-default.html "Allows key users to use the KMS key").
#[test]
fn key_users_get_cryptographic_use_without_administrative_actions() {
    let (_, start, solved, _) = run("use-not-admin");
    assert!(start.goals.iter().all(|g| !g.holds));
    assert!(solved.must_not.iter().all(|g| !g.holds));
}

/// A grant's EncryptionContextEquals constraint lets the grantee use the key only with exactly
/// that encryption context; the grant allows only its operations (KMS Developer Guide,
/// create-grant-overview.html "Grant constraints"; KMS API Reference, GrantConstraints).
#[test]
fn a_grant_constraint_limits_the_grantee_to_one_encryption_context() {
    let (_, _, solved, _) = run("grant-context");
    assert!(solved.goals.iter().all(|g| g.holds));
    let hermes = &solved.must_not[0];
    assert_eq!(hermes.actual, Decision::ImplicitDeny);
    let no_context = &solved.must_not[1];
    assert_eq!(no_context.actual, Decision::ImplicitDeny);
}

/// `kms:EncryptionContext:<key>` conditions compare the request's encryption-context pair with
/// that key; a condition on a key the request does not carry does not hold (KMS Developer Guide,
/// conditions-kms.html#conditions-kms-encryption-context).
#[test]
fn an_encryption_context_condition_must_name_the_pair_the_request_carries() {
    let (_, start, solved, _) = run("context-condition");
    assert!(
        goal_hint(&start, 0).contains("would apply, but its condition does not hold"),
        "{}",
        goal_hint(&start, 0)
    );
    assert!(solved.goals.iter().all(|g| g.holds));
    // Three goals on the one cell Charlie × Ledger × kms:Decrypt: their requests tell them apart.
    let requests: Vec<Option<&str>> = start.goals.iter().map(|g| g.request.as_deref()).collect();
    assert_eq!(
        requests,
        [
            Some("kms:EncryptionContext:dept = finance"),
            Some("kms:EncryptionContext:dept = eng"),
            None
        ]
    );
}

/// Cross-account use needs both sides: the key policy must allow the other account (or its
/// principal), and an IAM policy in that account must allow the action on the key (KMS Developer
/// Guide, key-policy-modifying-external-accounts.html).
#[test]
fn cross_account_use_needs_the_key_policy_and_the_callers_iam_policy() {
    let exercise = load(&read("cross-account.json"));
    let solution = load(&read("cross-account.solution.json"));
    let solved = scenario::exercise_status(&exercise.scenario, &solution.world, NOW);
    assert!(solved.solved());
    // Only the key-policy half of the solution: the IAM side is still missing.
    let mut half = solution.scenario.clone();
    half.principals[0].policies.clear();
    let half = load(&half.to_json());
    let status = scenario::exercise_status(&exercise.scenario, &half.world, NOW);
    assert!(!status.goals[0].holds);
    assert!(status.goals[0].hint.contains("no IAM policy of Partner"));
}

/// A key pending deletion refuses cryptographic operations with KMSInvalidStateException even
/// to callers the policies allow; a goal about a call that works needs the key Enabled (KMS
/// Developer Guide, key-state.html).
#[test]
fn a_key_pending_deletion_refuses_decrypt_whatever_the_policies_allow() {
    let (_, start, solved, _) = run("key-state");
    assert_eq!(start.goals[0].actual, Decision::Allow);
    assert_eq!(
        start.goals[0].refused_by_key_state,
        Some("KMSInvalidStateException")
    );
    assert!(!start.goals[0].holds);
    assert!(solved.goals[0].holds);
}

/// The console's grant statement requires kms:GrantIsForAWSResource, which is true only when an
/// integrated AWS service calls for the key user: a key user's own CreateGrant is not allowed by
/// it (KMS Developer Guide, conditions-kms.html#conditions-kms-grant-is-for-aws-resource).
#[test]
fn the_consoles_grant_statement_does_not_let_a_key_user_call_create_grant() {
    let (_, start, solved, _) = run("grant-for-aws-resource");
    assert_eq!(start.goals[0].actual, Decision::ImplicitDeny);
    assert!(goal_hint(&start, 0).contains("kms:GrantIsForAWSResource"));
    assert!(solved.solved());
}

#[test]
fn changes_outside_may_edit_are_named() {
    let exercise = load(&read("deny-wins.json"));
    let mut edited = exercise.scenario.clone();
    edited.principals[1].policies.clear();
    let edited = load(&edited.to_json());
    let outside = scenario::changes_outside(&exercise.scenario, &exercise.world, &edited.world);
    assert_eq!(outside, ["the IAM policies of David changed"]);
}

#[test]
fn exercise_fields_round_trip_through_export() {
    let text = read("cross-account.json");
    let first = Scenario::parse(&text).unwrap();
    let again = Scenario::parse(&first.to_json()).unwrap();
    assert_eq!(again.exercise.goals.len(), first.exercise.goals.len());
    assert_eq!(again.exercise.must_not.len(), 2);
    let scopes = again.exercise.may_edit.unwrap();
    assert_eq!(
        scopes.iter().map(|s| s.kind).collect::<Vec<_>>(),
        [EditKind::KeyPolicy, EditKind::Identity]
    );
    // An exported world keeps the exercise.
    let loaded = load(&text);
    let exported = Scenario::from_world(&loaded.world, &loaded.scenario);
    assert_eq!(exported.exercise.goals.len(), 1);
    assert_eq!(exported.exercise.may_edit.map(|s| s.len()), Some(2));
}

fn errors(text: &str) -> Vec<String> {
    Scenario::parse(text)
        .unwrap_err()
        .diagnostics
        .iter()
        .map(|d| d.one_line())
        .collect()
}

#[test]
fn exercise_fields_are_checked_with_line_and_column() {
    let base = r#"{"principals": [{"name": "Bob"}, {"name": "r", "arn": "arn:aws:iam::111122223333:root"}], "keys": [{"name": "K"}],"#;
    assert_eq!(
        errors(&format!(
            "{base}\n \"goals\": [{{\"principal\": \"Bob\", \"key\": \"K\", \"action\": \"kms:Encrypt\", \"decision\": \"allow\", \"note\": 1}}]}}"
        )),
        [
            "2:91: error: unknown field `note` (at goals[0].note); expected one of `principal`, `key`, `action`, `context`, `grant_tokens` or `decision`"
        ]
    );
    let bad_scopes = errors(&format!(
        "{base}\n \"goals\": [{{\"principal\": \"Bob\", \"key\": \"K\", \"action\": \"kms:Encrypt\", \"decision\": \"allow\"}}],\n \"may_edit\": [\"key-polcy:K\", \"identity:Bobby\", \"identity:r\", \"grants:K\"]}}"
    ));
    assert_eq!(bad_scopes.len(), 3, "{bad_scopes:#?}");
    assert!(bad_scopes[0].starts_with("3:15: error: `key-polcy:K` is not something"));
    assert!(bad_scopes[0].ends_with("did you mean `key-policy:...`?"));
    assert!(bad_scopes[1].contains("no principal named `Bobby`"));
    assert!(bad_scopes[2].contains("`r` holds no IAM policies"));
    let without_goals = errors(&format!("{base}\n \"may_edit\": [\"grants:K\"]}}"));
    assert_eq!(without_goals.len(), 1);
    assert!(
        without_goals[0].starts_with("2:14: error: `may_edit` belongs to an exercise"),
        "{without_goals:?}"
    );
}
