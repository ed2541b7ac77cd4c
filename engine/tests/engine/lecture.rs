//! The lecture's access scenario (CMK-A/B/C × Alice, Bob, Charlie, David), written as the lecture
//! describes the policies, checked cell by cell with the reason for each answer.
//!
//! Source: the KMS access-control lecture (shared/seeds), whose outcomes match real KMS
//! (semantics §10): KMS Developer Guide, key-policies.html (IAM allows need the root statement;
//! key-policy allows need no IAM policy) and IAM User Guide,
//! reference_policies_evaluation-logic.html (an explicit deny overrides any allow).

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "fixtures fail the test on a bad setup"
)]

use crate::kms_common;

use kms_common::*;
use kms_engine::authz::{Bearing, Explanation, Reason, StepKind, StepResult};
use kms_engine::catalog::Action;
use kms_engine::matrix::Matrix;
use kms_engine::policy::eval::Decision;
use kms_engine::world::World;

/// The lecture's world. Key policies:
/// - CMK-A: the root account (enables IAM policies).
/// - CMK-B: Bob and Charlie, no root statement.
/// - CMK-C: the root account; explicit Deny for Bob, Charlie and David; full access for Alice.
///
/// IAM: Alice kms:* on CMK-A and CMK-B; Bob nothing; Charlie kms:Encrypt on CMK-A; David kms:* on
/// CMK-B and CMK-C.
fn lecture() -> (World, [String; 3]) {
    let mut world = world();
    for name in ["Alice", "Bob", "Charlie", "David"] {
        world.add_user(ACCOUNT, name).unwrap();
    }
    let cmk_a = add_key(&mut world, ACCOUNT, None, 1);
    let cmk_b_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Allow Bob and Charlie",
            "Effect": "Allow",
            "Principal": {"AWS": [user(ACCOUNT, "Bob"), user(ACCOUNT, "Charlie")]},
            "Action": "kms:*",
            "Resource": "*"
        }]
    })
    .to_string();
    let cmk_b = add_key(&mut world, ACCOUNT, Some(&cmk_b_policy), 2);
    let cmk_c_policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": root(ACCOUNT)},
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": "Deny Bob Charlie David",
                "Effect": "Deny",
                "Principal": {"AWS": [user(ACCOUNT, "Bob"), user(ACCOUNT, "Charlie"), user(ACCOUNT, "David")]},
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": "Full access for Alice",
                "Effect": "Allow",
                "Principal": {"AWS": user(ACCOUNT, "Alice")},
                "Action": "kms:*",
                "Resource": "*"
            }
        ]
    })
    .to_string();
    let cmk_c = add_key(&mut world, ACCOUNT, Some(&cmk_c_policy), 3);
    let arn = |id: &str| world.keys.get_by_arn(id).unwrap().arn.clone();
    let (a, b, c) = (arn(&cmk_a), arn(&cmk_b), arn(&cmk_c));
    world
        .put_identity_policy(
            &user(ACCOUNT, "Alice"),
            "AliceKms",
            &allow_policy(&["kms:*"], &[&a, &b]),
        )
        .unwrap();
    world
        .put_identity_policy(
            &user(ACCOUNT, "Charlie"),
            "CharlieEncrypt",
            &allow_policy(&["kms:Encrypt"], &[&a]),
        )
        .unwrap();
    world
        .put_identity_policy(
            &user(ACCOUNT, "David"),
            "DavidKms",
            &allow_policy(&["kms:*"], &[&b, &c]),
        )
        .unwrap();
    (world, [cmk_a, cmk_b, cmk_c])
}

/// What the lecture says, per (user, key): `Y` all use actions allowed, `E` Encrypt only,
/// `N` implicit deny, `D` explicit deny, with the reason KMS gives.
const EXPECTED: [(&str, [(char, &str); 3]); 4] = [
    (
        "Alice",
        [('Y', "iam"), ('N', "no-resource"), ('Y', "key-policy")],
    ),
    (
        "Bob",
        [('N', "no-identity"), ('Y', "key-policy"), ('D', "deny-key")],
    ),
    (
        "Charlie",
        [('E', "iam"), ('Y', "key-policy"), ('D', "deny-key")],
    ),
    (
        "David",
        [
            ('N', "no-identity"),
            ('N', "no-resource"),
            ('D', "deny-key"),
        ],
    ),
];

const USE_ACTIONS: [Action; 5] = [
    Action::Encrypt,
    Action::Decrypt,
    Action::GenerateDataKey,
    Action::ReEncryptFrom,
    Action::DescribeKey,
];

fn reason_tag(reason: Reason) -> &'static str {
    match reason {
        Reason::KeyPolicy { .. } => "key-policy",
        Reason::KeyPolicyAndIam { .. } => "iam",
        Reason::NoResourcePolicyAllows => "no-resource",
        Reason::NoIdentityPolicyAllows => "no-identity",
        Reason::ExplicitDenyInKeyPolicy { .. } => "deny-key",
        other => panic!("unexpected reason {other:?}"),
    }
}

#[test]
fn lecture_matrix_matches_every_cell_and_reason() {
    let (world, keys) = lecture();
    for (name, row) in EXPECTED {
        let arn = user(ACCOUNT, name);
        for (key, (expected, why)) in keys.iter().zip(row) {
            for action in USE_ACTIONS {
                let verdict = verdict(&world, &arn, key, action);
                let want = match (expected, action) {
                    ('Y', _) | ('E', Action::Encrypt) => Decision::Allow,
                    ('D', _) => Decision::ExplicitDeny,
                    _ => Decision::ImplicitDeny,
                };
                assert_eq!(verdict.decision, want, "{name} {action} on key {key}");
                if want != Decision::ImplicitDeny || expected != 'E' {
                    assert_eq!(
                        reason_tag(verdict.reason),
                        why,
                        "{name} {action} on key {key}"
                    );
                } else {
                    // Charlie's IAM policy allows only Encrypt on CMK-A.
                    assert_eq!(reason_tag(verdict.reason), "no-identity");
                }
            }
        }
    }
}

#[test]
fn the_matrix_module_agrees_with_single_decisions() {
    let (world, keys) = lecture();
    let principals: Vec<PrincipalArn> = ["Alice", "Bob", "Charlie", "David"]
        .iter()
        .map(|n| user(ACCOUNT, n))
        .collect();
    let matrix = Matrix::compute(&world, &principals, &keys, &USE_ACTIONS, NOW);
    assert_eq!(matrix.len(), 4 * 3 * USE_ACTIONS.len());
    for cell in matrix.cells() {
        let single = verdict(&world, cell.principal, cell.key, cell.action);
        assert_eq!(cell.cell.verdict, single);
        assert_eq!(cell.cell.state_error, None);
    }
}

#[test]
fn denials_carry_the_access_denied_message_kms_gives() {
    // Message forms of semantics §1.6 (public AccessDeniedException reports).
    let (world, [cmk_a, cmk_b, cmk_c]) = lecture();
    let arn = |k: &str| world.keys.get_by_arn(k).unwrap().arn.clone();
    let bob = user(ACCOUNT, "Bob");
    let david = user(ACCOUNT, "David");
    assert_eq!(
        explain(&world, &bob, &cmk_a, Action::Decrypt)
            .access_denied_message
            .unwrap(),
        format!(
            "User: {bob} is not authorized to perform: kms:Decrypt on resource: {} because no identity-based policy allows the kms:Decrypt action",
            arn(&cmk_a)
        )
    );
    assert_eq!(
        explain(&world, &david, &cmk_b, Action::Decrypt)
            .access_denied_message
            .unwrap(),
        format!(
            "User: {david} is not authorized to perform: kms:Decrypt on resource: {} because no resource-based policy allows the kms:Decrypt action",
            arn(&cmk_b)
        )
    );
    assert_eq!(
        explain(&world, &david, &cmk_c, Action::Decrypt)
            .access_denied_message
            .unwrap(),
        format!(
            "User: {david} is not authorized to perform: kms:Decrypt on resource: {} with an explicit deny in a resource-based policy",
            arn(&cmk_c)
        )
    );
    assert_eq!(
        explain(&world, &user(ACCOUNT, "Alice"), &cmk_c, Action::Decrypt).access_denied_message,
        None
    );
}

#[test]
fn explanations_name_the_deciding_statements_and_the_lecture_nuances() {
    let (world, [cmk_a, _, cmk_c]) = lecture();
    // Alice on CMK-A: the root statement delegates, her IAM policy allows.
    let alice = explain(&world, &user(ACCOUNT, "Alice"), &cmk_a, Action::Encrypt);
    let labels: Vec<String> = alice.deciding.iter().map(|s| s.label()).collect();
    assert_eq!(
        labels,
        [
            "default: \"Enable IAM User Permissions\"",
            "AliceKms: Statement[0]"
        ]
    );
    assert!(
        alice
            .notes
            .contains(&kms_engine::authz::Note::RootMeansAccount)
    );
    // David on CMK-C: denied by the key policy although the root statement delegates and his IAM
    // policy allows.
    let david = explain(&world, &user(ACCOUNT, "David"), &cmk_c, Action::Encrypt);
    assert_eq!(
        david.deciding[0].sid.as_deref(),
        Some("Deny Bob Charlie David")
    );
    assert!(
        david
            .notes
            .contains(&kms_engine::authz::Note::DenyOverridesDelegation)
    );
}

/// The answer and bearing of the step of `kind`.
fn answer(explanation: &Explanation, kind: StepKind) -> (StepResult, Bearing, String) {
    let step = explanation
        .steps
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} step"));
    assert!(step.question.ends_with('?'), "{}", step.question);
    (step.result, step.bearing, step.text.clone())
}

// Each step is a question whose answer is the fact, and whose bearing says what the fact does:
// the lecture's cells read as the decision procedure of KMS Developer Guide,
// policy-evaluation.html ("Does the key policy ALLOW the caller's account to use IAM policies...?",
// "Does an IAM policy allow the caller to perform this action?").
#[test]
fn explanation_steps_are_questions_with_answers_that_say_what_they_do() {
    let (world, [cmk_a, cmk_b, cmk_c]) = lecture();
    use StepKind::*;

    // Alice on CMK-B: her IAM policy allows, to no effect; what is missing is the key policy.
    let alice = explain(&world, &user(ACCOUNT, "Alice"), &cmk_b, Action::Decrypt);
    // A key's own operation does not open with "Is it authorized by IAM policies alone? No":
    // the walk starts with the denies.
    assert!(alice.steps.iter().all(|s| s.kind != IamOnly));
    assert_eq!(alice.steps[0].kind, ExplicitDeny);
    assert_eq!(answer(&alice, ExplicitDeny).0, StepResult::No);
    assert_eq!(answer(&alice, ExplicitDeny).1, Bearing::Neutral);
    assert_eq!(answer(&alice, KeyPolicyAllowsCaller).1, Bearing::Missing);
    assert_eq!(answer(&alice, KeyPolicyTrustsAccount).1, Bearing::Missing);
    let (result, bearing, text) = answer(&alice, IdentityPolicyAllows);
    assert_eq!((result, bearing), (StepResult::Yes, Bearing::Neutral));
    assert!(text.contains("no effect"), "{text}");

    // Bob on CMK-C: the Deny is a "yes" that denies; nothing after it was needed.
    let bob = explain(&world, &user(ACCOUNT, "Bob"), &cmk_c, Action::Decrypt);
    assert_eq!(answer(&bob, ExplicitDeny).0, StepResult::Yes);
    assert_eq!(answer(&bob, ExplicitDeny).1, Bearing::Deny);
    for kind in [KeyPolicyAllowsCaller, IdentityPolicyAllows, Grant, KeyState] {
        assert_eq!(answer(&bob, kind).0, StepResult::NotChecked, "{kind:?}");
    }

    // Charlie on CMK-A: Encrypt through the delegation; Decrypt lacks the IAM allow.
    let encrypt = explain(&world, &user(ACCOUNT, "Charlie"), &cmk_a, Action::Encrypt);
    assert_eq!(
        answer(&encrypt, KeyPolicyTrustsAccount).1,
        Bearing::Allow,
        "the delegation is part of the allow"
    );
    assert_eq!(answer(&encrypt, IdentityPolicyAllows).1, Bearing::Allow);
    let decrypt = explain(&world, &user(ACCOUNT, "Charlie"), &cmk_a, Action::Decrypt);
    assert_eq!(answer(&decrypt, IdentityPolicyAllows).0, StepResult::No);
    assert_eq!(answer(&decrypt, IdentityPolicyAllows).1, Bearing::Missing);

    // The root user on CMK-A: the root statement names it; the account question does not apply
    // (it used to answer "the key policy does not allow account 111122223333", which is false).
    let root = explain(&world, &root(ACCOUNT), &cmk_a, Action::Decrypt);
    assert_eq!(answer(&root, KeyPolicyAllowsCaller).1, Bearing::Allow);
    assert_eq!(
        answer(&root, KeyPolicyTrustsAccount).0,
        StepResult::NotChecked
    );
}
