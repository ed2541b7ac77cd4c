//! Grants through the KMS API: the lecture's demonstration 1 end to end, who may create, use,
//! retire and revoke grants, tokens and eventual consistency, constraints, listing.
//!
//! Sources are named on each test: KMS Developer Guide grants.html, create-grant-overview.html,
//! grant-manage.html, conditions-kms.html, key-policy-default.html; KMS API Reference
//! CreateGrant, RetireGrant, RevokeGrant, ListGrants, GrantConstraints.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "fixtures fail the test on a bad setup"
)]

use crate::kms_common;

use std::collections::BTreeMap;

use kms_common::*;
use kms_engine::authz::{
    self, AuthzRequest, Note, Reason, RequestParams, StepKind, StepResult, Target,
};
use kms_engine::catalog::Action;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::error::DenialForm;
use kms_engine::error::KmsError;
use kms_engine::kms::{
    Caller, CreateGrantRequest, DecryptRequest, DescribeKeyRequest, EncryptRequest, Env,
    ListGrantsRequest, ListRetirableGrantsRequest, RetireGrantRequest, RevokeGrantRequest,
    ScheduleKeyDeletionRequest,
};
use kms_engine::matrix::Matrix;
use kms_engine::policy::eval::Decision;
use kms_engine::policy::{ConsoleKeySpec, console_key_policy};
use kms_engine::store::grants::{DEFAULT_PROPAGATION_WINDOW_MILLIS, GrantConstraints};
use kms_engine::world::World;

const MINUTE: i64 = 60_000;

fn at(rng: &mut SeededRandomness, minutes: i64) -> Env<'_> {
    Env::new(NOW.plus_millis(minutes * MINUTE), rng)
}

fn key_arn(world: &World, key: &str) -> String {
    world.keys.get_by_arn(key).unwrap().arn.clone()
}

fn encrypt_request(key: &str, tokens: &[&str]) -> EncryptRequest {
    EncryptRequest {
        key_id: key.to_owned(),
        plaintext: b"Friday".to_vec(),
        grant_tokens: tokens.iter().map(|t| (*t).to_owned()).collect(),
        ..EncryptRequest::default()
    }
}

fn grant_request(key: &str, grantee: &str, operations: &[&str]) -> CreateGrantRequest {
    CreateGrantRequest {
        key_id: key.to_owned(),
        grantee_principal: grantee.to_owned(),
        operations: operations.iter().map(|o| (*o).to_owned()).collect(),
        ..CreateGrantRequest::default()
    }
}

fn exception<T: std::fmt::Debug>(result: Result<T, KmsError>) -> &'static str {
    result.unwrap_err().exception_name()
}

/// The authorizer's explanation of a refused call on a key, checked against the refusal: the call
/// at `minutes` with `params` (the condition keys and grant tokens the operation passes).
fn refused<T: std::fmt::Debug>(
    result: Result<T, KmsError>,
    world: &World,
    minutes: i64,
    params: RequestParams,
) -> kms_engine::authz::Explanation {
    let error = result.unwrap_err();
    let Some(denied) = error.denial() else {
        panic!("expected AccessDeniedException, got {error:?}");
    };
    let explanation = authz::explain(
        world,
        &AuthzRequest {
            caller: world.principal(denied.caller.arn().unwrap()).unwrap(),
            action: denied.action,
            target: Target::Key(world.keys.get_by_arn(&denied.resource).unwrap()),
            params: &params,
            now: NOW.plus_millis(minutes * MINUTE),
        },
    );
    assert_eq!(
        explanation.to_error(),
        Some(error),
        "the refusal is not the explanation's"
    );
    explanation
}

fn encrypt_params(tokens: &[&str], context: Option<BTreeMap<String, String>>) -> RequestParams {
    RequestParams {
        encryption_context: context,
        grant_tokens: tokens.iter().map(|t| (*t).to_owned()).collect(),
        ..RequestParams::default()
    }
}

/// The lecture's demonstration 1. DemoKey has the console's policy with Alice as a key user.
/// Bob has no policies. Alice's IAM policy allows kms:CreateGrant and kms:RevokeGrant on the key
/// (effective through the console policy's root statement): the console's grants statement alone
/// would not let her call CreateGrant herself (KMS Developer Guide, conditions-kms.html,
/// kms:GrantIsForAWSResource).
struct Demo {
    world: World,
    key: String,
    alice: PrincipalArn,
    bob: PrincipalArn,
}

fn demo() -> Demo {
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let policy = console_key_policy(&ConsoleKeySpec {
        users: vec![alice.to_string()],
        ..ConsoleKeySpec::new(ACCOUNT)
    });
    let key = add_key(&mut world, ACCOUNT, Some(&policy), 1);
    let key = key_arn(&world, &key);
    world
        .put_identity_policy(
            &alice,
            "AliceManagesGrants",
            &allow_policy(&["kms:CreateGrant", "kms:RevokeGrant"], &[&key]),
        )
        .unwrap();
    Demo {
        world,
        key,
        alice,
        bob,
    }
}

/// Lecture demo 1, end to end, with the five-minute window of KMS Developer Guide grants.html
/// ("eventual consistency": usually within five minutes; a grant token makes it usable at once).
#[test]
fn lecture_demo_1_bob_gets_encrypt_and_decrypt_through_alices_grant() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let mut rng = SeededRandomness::new(7);

    // Bob is denied: the key policy names only the account (a delegation to IAM) and Bob has no
    // IAM policy.
    let denied = refused(
        world.encrypt(
            &caller(&bob),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[]),
        ),
        &world,
        0,
        encrypt_params(&[], None),
    );
    assert_eq!(denied.verdict.reason, Reason::NoIdentityPolicyAllows);

    // Alice encrypts: she is a key user in the key policy.
    let alices = world
        .encrypt(
            &caller(&alice),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[]),
        )
        .unwrap();
    assert_eq!(alices.key_id, key);

    // Alice creates a grant for Bob with Encrypt and Decrypt.
    let grant = world
        .create_grant(
            &caller(&alice),
            &mut at(&mut rng, 1),
            grant_request(&key, bob.as_str(), &["Encrypt", "Decrypt"]),
        )
        .unwrap();
    assert_eq!(grant.grant_id.len(), 64);

    // Bob encrypts at once with the token...
    let token = grant.grant_token.as_str();
    world
        .encrypt(
            &caller(&bob),
            &mut at(&mut rng, 1),
            encrypt_request(&key, &[token]),
        )
        .unwrap();
    // ...is denied without it inside the window: the grant is pending (token only)...
    let pending = refused(
        world.encrypt(
            &caller(&bob),
            &mut at(&mut rng, 3),
            encrypt_request(&key, &[]),
        ),
        &world,
        3,
        encrypt_params(&[], None),
    );
    assert!(matches!(
        pending.verdict.reason,
        Reason::GrantPendingTokenOnly { effective_from, identity_missing: true }
            if effective_from == NOW.plus_millis(MINUTE + DEFAULT_PROPAGATION_WINDOW_MILLIS)
    ));
    assert!(
        pending
            .access_denied_message
            .as_deref()
            .unwrap()
            .ends_with("because no identity-based policy allows the kms:Encrypt action")
    );
    let step = pending
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Grant)
        .unwrap();
    assert_eq!(step.result, StepResult::No);
    assert!(step.text.contains("pending (token only)"), "{}", step.text);
    // The time it becomes consistent reads as the ISO time `aws:CurrentTime` uses, not as
    // milliseconds since the epoch.
    assert!(
        step.text.contains("consistent at 2024-01-01T00:06:00Z"),
        "{}",
        step.text
    );
    // ...and succeeds without it once the window is over.
    world
        .encrypt(
            &caller(&bob),
            &mut at(&mut rng, 6),
            encrypt_request(&key, &[]),
        )
        .unwrap();
    let decrypted = world
        .decrypt(
            &caller(&bob),
            &mut at(&mut rng, 6),
            DecryptRequest {
                ciphertext_blob: alices.ciphertext_blob.clone(),
                ..DecryptRequest::default()
            },
        )
        .unwrap();
    assert_eq!(decrypted.plaintext, b"Friday");

    // A revoked grant stops working at once (real KMS may honour it a few more minutes).
    world
        .revoke_grant(
            &caller(&alice),
            &mut at(&mut rng, 7),
            RevokeGrantRequest {
                key_id: key.clone(),
                grant_id: grant.grant_id.clone(),
                dry_run: None,
            },
        )
        .unwrap();
    let revoked = refused(
        world.encrypt(
            &caller(&bob),
            &mut at(&mut rng, 7),
            encrypt_request(&key, &[token]),
        ),
        &world,
        7,
        encrypt_params(&[token], None),
    );
    let step = revoked
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Grant)
        .unwrap();
    assert!(step.text.contains("revoked"), "{}", step.text);
    assert!(
        step.text.contains("real KMS may honour it"),
        "{}",
        step.text
    );
}

/// KMS Developer Guide, conditions-kms.html (kms:GrantIsForAWSResource): the console's grants
/// statement does not allow a key user to call CreateGrant directly, only through an integrated
/// service. The explanation says which statement allowed Alice.
#[test]
fn the_console_grants_statement_alone_does_not_allow_a_direct_create_grant() {
    let Demo {
        mut world,
        key,
        bob,
        ..
    } = demo();
    let carol = world.add_user(ACCOUNT, "Carol").unwrap();
    let policy = console_key_policy(&ConsoleKeySpec {
        users: vec![carol.to_string()],
        ..ConsoleKeySpec::new(ACCOUNT)
    });
    let carols_key = add_key(&mut world, ACCOUNT, Some(&policy), 2);
    let carols_key = key_arn(&world, &carols_key);
    let mut rng = SeededRandomness::new(8);

    let denied = refused(
        world.create_grant(
            &caller(&carol),
            &mut at(&mut rng, 0),
            grant_request(&carols_key, bob.as_str(), &["Encrypt"]),
        ),
        &world,
        0,
        RequestParams {
            grant_operations: Some(vec![Action::Encrypt]),
            grantee_principal: Some(bob.to_string()),
            ..RequestParams::default()
        },
    );
    assert!(denied.notes.contains(&Note::GrantStatementIsForAwsServices));

    // Through an integrated service, the same statement allows it.
    let via_ebs = Caller {
        via_service: Some("ec2.us-east-1.amazonaws.com".to_owned()),
        ..caller(&carol)
    };
    world
        .create_grant(
            &via_ebs,
            &mut at(&mut rng, 0),
            grant_request(&carols_key, bob.as_str(), &["Encrypt"]),
        )
        .unwrap();

    // Alice's direct call is allowed by her IAM policy through the root statement; the
    // explanation names both, and says grants are not limited to the creator's permissions.
    let alice = world.principal(&user(ACCOUNT, "Alice")).unwrap().clone();
    let explained = kms_engine::authz::explain(
        &world,
        &kms_engine::authz::AuthzRequest {
            caller: &alice,
            action: Action::CreateGrant,
            target: kms_engine::authz::Target::Key(world.keys.get_by_arn(&key).unwrap()),
            params: &kms_engine::authz::RequestParams::default(),
            now: NOW,
        },
    );
    assert!(matches!(
        explained.verdict.reason,
        Reason::KeyPolicyAndIam {
            via_account: true,
            ..
        }
    ));
    let labels: Vec<String> = explained.deciding.iter().map(|s| s.label()).collect();
    assert!(
        labels
            .iter()
            .any(|l| l.contains("Enable IAM User Permissions")),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l.contains("AliceManagesGrants")),
        "{labels:?}"
    );
    assert!(
        explained
            .notes
            .contains(&Note::GrantsAreNotASubsetOfTheCreatorsPermissions)
    );
}

/// KMS Developer Guide, grants.html ("About grants"): a principal with kms:CreateGrant from a
/// policy may grant operations it does not hold itself.
#[test]
fn create_grant_from_a_policy_may_grant_operations_the_creator_lacks() {
    let mut world = world();
    let erin = world.add_user(ACCOUNT, "Erin").unwrap();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Erin may only create grants",
            "Effect": "Allow",
            "Principal": {"AWS": erin},
            "Action": "kms:CreateGrant",
            "Resource": "*"
        }]
    })
    .to_string();
    let key = add_key(&mut world, ACCOUNT, Some(&policy), 3);
    let key = key_arn(&world, &key);
    world.grants.set_propagation_window(0);
    let mut rng = SeededRandomness::new(9);

    assert_eq!(
        exception(world.encrypt(
            &caller(&erin),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[])
        )),
        "AccessDeniedException"
    );
    world
        .create_grant(
            &caller(&erin),
            &mut at(&mut rng, 0),
            grant_request(&key, bob.as_str(), &["Encrypt"]),
        )
        .unwrap();
    world
        .encrypt(
            &caller(&bob),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[]),
        )
        .unwrap();
}

fn pairs(p: &[(&str, &str)]) -> BTreeMap<String, String> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// KMS Developer Guide, create-grant-overview.html ("Granting CreateGrant permission"): CreateGrant
/// from a grant allows only a subset of that grant's operations, with constraints at least as
/// strict. A grant that does not cover the new grant allows nothing, so the refusal is the one
/// the policies give without it: on a key whose policy lets IAM policies allow (the account
/// principal), "no identity-based policy allows"; on one that does not, "no resource-based
/// policy allows" (the forms of IAM User Guide, troubleshoot_access-denied.html).
#[test]
fn create_grant_from_a_grant_is_limited_to_a_stricter_subset() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let carol = world.add_user(ACCOUNT, "Carol").unwrap();
    world.grants.set_propagation_window(0);
    let mut rng = SeededRandomness::new(10);
    world
        .create_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            CreateGrantRequest {
                constraints: Some(GrantConstraints {
                    encryption_context_subset: Some(pairs(&[("Department", "IT")])),
                    encryption_context_equals: None,
                }),
                ..grant_request(&key, bob.as_str(), &["Encrypt", "CreateGrant"])
            },
        )
        .unwrap();
    let child = |ops: &[&str], constraints: Option<GrantConstraints>| CreateGrantRequest {
        constraints,
        ..grant_request(&key, carol.as_str(), ops)
    };
    let equals_it = GrantConstraints {
        encryption_context_equals: Some(pairs(&[("Department", "IT")])),
        encryption_context_subset: None,
    };
    world
        .create_grant(
            &caller(&bob),
            &mut at(&mut rng, 0),
            child(&["Encrypt"], Some(equals_it.clone())),
        )
        .unwrap();
    let wider = world
        .create_grant(
            &caller(&bob),
            &mut at(&mut rng, 0),
            child(&["Encrypt", "Decrypt"], Some(equals_it)),
        )
        .unwrap_err();
    let denied = wider.denial().unwrap();
    assert_eq!(
        (denied.caller.as_str(), denied.action, denied.form),
        (
            bob.as_str(),
            Action::CreateGrant,
            DenialForm::NoIdentityPolicyAllows
        )
    );
    assert_eq!(
        exception(world.create_grant(
            &caller(&bob),
            &mut at(&mut rng, 0),
            child(&["Encrypt"], None)
        )),
        "AccessDeniedException"
    );
    // A key policy that names Alice alone, without the account principal.
    let alice_only = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": alice}, "Action": "kms:*", "Resource": "*"}]
    })
    .to_string();
    world.set_key_policy(&key, &alice_only).unwrap();
    let denied = world
        .create_grant(
            &caller(&bob),
            &mut at(&mut rng, 0),
            child(&["Encrypt"], None),
        )
        .unwrap_err();
    assert_eq!(
        denied.denial().unwrap().form,
        DenialForm::NoResourcePolicyAllows
    );
}

/// Demo 1's world where Bob holds a grant from Alice for Encrypt and CreateGrant, constrained to
/// the encryption context `Department=IT` (effective at once), and Carol, who gets Bob's grants.
fn bob_may_pass_on_encrypt() -> (Demo, PrincipalArn) {
    let mut demo = demo();
    let carol = demo.world.add_user(ACCOUNT, "Carol").unwrap();
    demo.world.grants.set_propagation_window(0);
    let mut rng = SeededRandomness::new(12);
    demo.world
        .create_grant(
            &caller(&demo.alice),
            &mut at(&mut rng, 0),
            CreateGrantRequest {
                constraints: Some(GrantConstraints {
                    encryption_context_subset: Some(pairs(&[("Department", "IT")])),
                    encryption_context_equals: None,
                }),
                ..grant_request(&demo.key, demo.bob.as_str(), &["Encrypt", "CreateGrant"])
            },
        )
        .unwrap();
    (demo, carol)
}

/// What CreateGrant passes the authorizer for a new grant with `operations` and `constraints`.
fn child_params(
    grantee: &PrincipalArn,
    operations: &[Action],
    constraints: Option<GrantConstraints>,
) -> RequestParams {
    RequestParams {
        encryption_context: constraints.as_ref().map(|c| {
            c.encryption_context_subset
                .iter()
                .chain(&c.encryption_context_equals)
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }),
        grant_operations: Some(operations.to_vec()),
        grantee_principal: Some(grantee.to_string()),
        grant_constraint_type: constraints
            .as_ref()
            .and_then(|c| c.types().first().map(|t| t.as_str().to_owned())),
        grant_constraints: constraints,
        ..RequestParams::default()
    }
}

fn it_equals() -> GrantConstraints {
    GrantConstraints {
        encryption_context_equals: Some(pairs(&[("Department", "IT")])),
        encryption_context_subset: None,
    }
}

/// KMS Developer Guide, create-grant-overview.html ("Granting CreateGrant permission"): a grant
/// with CreateGrant lets its grantee create only grants within it. The authorizer judges that,
/// so the explanation of a refused child grant is a refusal: its grant step says the grant does
/// not cover the new grant and names the operation it lacks, and no step says it allows.
#[test]
fn the_explanation_of_a_child_grant_beyond_its_parent_names_the_missing_operation() {
    let (
        Demo {
            mut world,
            key,
            bob,
            ..
        },
        carol,
    ) = bob_may_pass_on_encrypt();
    let mut rng = SeededRandomness::new(13);
    let params = child_params(
        &carol,
        &[Action::Encrypt, Action::Decrypt],
        Some(it_equals()),
    );
    let explanation = refused(
        world.create_grant(
            &caller(&bob),
            &mut at(&mut rng, 0),
            CreateGrantRequest {
                constraints: Some(it_equals()),
                ..grant_request(&key, carol.as_str(), &["Encrypt", "Decrypt"])
            },
        ),
        &world,
        0,
        params.clone(),
    );
    assert!(!explanation.is_allowed());
    assert_eq!(explanation.verdict.reason, Reason::NoIdentityPolicyAllows);
    assert_eq!(explanation.grant, None);
    assert!(
        explanation.summary.starts_with("Denied"),
        "{}",
        explanation.summary
    );
    assert!(
        explanation.summary.contains("asks for Decrypt"),
        "{}",
        explanation.summary
    );
    let grant_step = explanation
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Grant)
        .unwrap();
    assert_eq!(grant_step.result, StepResult::No);
    assert_eq!(grant_step.bearing, authz::Bearing::Missing);
    assert!(
        grant_step
            .text
            .contains("asks for Decrypt, which that grant does not give")
            && !grant_step.text.contains("Encrypt,"),
        "{}",
        grant_step.text
    );
    assert!(
        explanation
            .steps
            .iter()
            .all(|s| s.bearing != authz::Bearing::Allow),
        "{:#?}",
        explanation.steps
    );
    assert!(
        explanation
            .notes
            .contains(&Note::GrantsAreNotASubsetOfTheCreatorsPermissions)
    );
    // The fast path agrees, and the plain question (no grant operations, as the matrix asks it)
    // still finds that Bob may call CreateGrant through his grant.
    let bob_principal = world.principal(&bob).unwrap();
    let ask = |params: &RequestParams| {
        authz::decide(
            &world,
            &AuthzRequest {
                caller: bob_principal,
                action: Action::CreateGrant,
                target: Target::Key(world.keys.get_by_arn(&key).unwrap()),
                params,
                now: NOW,
            },
        )
    };
    assert_eq!(ask(&params), explanation.verdict);
    assert_eq!(ask(&RequestParams::default()).reason, Reason::Grant);
    // Its explanation (what the console's why link opens) says the grant is limited to grants
    // within it and that no grant to create was named.
    let plain = authz::explain(
        &world,
        &AuthzRequest {
            caller: bob_principal,
            action: Action::CreateGrant,
            target: Target::Key(world.keys.get_by_arn(&key).unwrap()),
            params: &RequestParams::default(),
            now: NOW,
        },
    );
    let plain_step = plain
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Grant)
        .unwrap();
    assert!(
        plain_step.text.contains("only grants within it")
            && plain_step.text.contains("names no grant to create"),
        "{}",
        plain_step.text
    );
    let matrix = Matrix::compute(
        &world,
        std::slice::from_ref(&bob),
        std::slice::from_ref(&key),
        &[Action::CreateGrant],
        NOW,
    );
    let cell = matrix.lookup(&bob, &key, Action::CreateGrant).unwrap();
    assert_eq!(cell.verdict.reason, Reason::Grant);
}

/// KMS Developer Guide, create-grant-overview.html ("Granting CreateGrant permission"): a child
/// grant with a subset of its parent's operations and constraints at least as strict (an equals
/// constraint within the parent's subset constraint) is allowed by the parent grant.
#[test]
fn a_child_grant_with_a_subset_of_its_parents_operations_is_allowed_by_the_grant() {
    let (
        Demo {
            mut world,
            key,
            bob,
            ..
        },
        carol,
    ) = bob_may_pass_on_encrypt();
    let params = child_params(&carol, &[Action::Encrypt], Some(it_equals()));
    let explanation = authz::explain(
        &world,
        &AuthzRequest {
            caller: world.principal(&bob).unwrap(),
            action: Action::CreateGrant,
            target: Target::Key(world.keys.get_by_arn(&key).unwrap()),
            params: &params,
            now: NOW,
        },
    );
    assert_eq!(explanation.verdict.reason, Reason::Grant);
    assert!(explanation.grant.is_some());
    let mut rng = SeededRandomness::new(14);
    world
        .create_grant(
            &caller(&bob),
            &mut at(&mut rng, 0),
            CreateGrantRequest {
                constraints: Some(it_equals()),
                ..grant_request(&key, carol.as_str(), &["Encrypt"])
            },
        )
        .unwrap();
}

/// KMS API Reference, GrantConstraints: a grant with a constraint that includes CreateGrant
/// requires "an equally strict or stricter encryption context constraint" of the grants created
/// with it (KMS Developer Guide, create-grant-overview.html, "Granting CreateGrant permission").
/// A child without a constraint, or with a subset constraint that drops the parent's pair, is
/// refused, and the explanation says its constraints are looser.
#[test]
fn a_child_grant_with_looser_constraints_is_refused() {
    let (
        Demo {
            mut world,
            key,
            bob,
            ..
        },
        carol,
    ) = bob_may_pass_on_encrypt();
    let mut rng = SeededRandomness::new(15);
    let other_pair = GrantConstraints {
        encryption_context_subset: Some(pairs(&[("Project", "x")])),
        encryption_context_equals: None,
    };
    for constraints in [None, Some(other_pair)] {
        let explanation = refused(
            world.create_grant(
                &caller(&bob),
                &mut at(&mut rng, 0),
                CreateGrantRequest {
                    constraints: constraints.clone(),
                    ..grant_request(&key, carol.as_str(), &["Encrypt"])
                },
            ),
            &world,
            0,
            child_params(&carol, &[Action::Encrypt], constraints),
        );
        let grant_step = explanation
            .steps
            .iter()
            .find(|s| s.kind == StepKind::Grant)
            .unwrap();
        assert_eq!(grant_step.result, StepResult::No);
        assert!(
            grant_step
                .text
                .contains("constraints are looser than that grant's")
                && !grant_step.text.contains("asks for"),
            "{}",
            grant_step.text
        );
    }
}

/// KMS Developer Guide, create-grant-overview.html ("Granting CreateGrant permission"): whatever
/// the child grant asks for, CreateGrant, `authz::decide` and `authz::explain` give one answer:
/// the call succeeds exactly when the authorizer allows, and a refusal is the explanation's
/// AccessDeniedException. Every set of Bob's grant's operations and a few beyond, with each kind
/// of constraint (none, looser, equal, stricter).
#[test]
fn create_grant_decide_and_explain_agree_on_every_child_grant() {
    let (
        Demo {
            world, key, bob, ..
        },
        carol,
    ) = bob_may_pass_on_encrypt();
    let candidates = [
        Action::Encrypt,
        Action::CreateGrant,
        Action::Decrypt,
        Action::DescribeKey,
    ];
    let constraint_kinds = [
        None,
        Some(GrantConstraints {
            encryption_context_subset: Some(pairs(&[("Project", "x")])),
            encryption_context_equals: None,
        }),
        Some(GrantConstraints {
            encryption_context_subset: Some(pairs(&[("Department", "IT")])),
            encryption_context_equals: None,
        }),
        Some(it_equals()),
    ];
    let mut allowed = 0;
    for mask in 1..(1u32 << candidates.len()) {
        let operations: Vec<Action> = candidates
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, op)| *op)
            .collect();
        let names: Vec<&str> = operations
            .iter()
            .map(|op| op.grant_operation_name().unwrap())
            .collect();
        for constraints in &constraint_kinds {
            let params = child_params(&carol, &operations, constraints.clone());
            let request = AuthzRequest {
                caller: world.principal(&bob).unwrap(),
                action: Action::CreateGrant,
                target: Target::Key(world.keys.get_by_arn(&key).unwrap()),
                params: &params,
                now: NOW,
            };
            let verdict = authz::decide(&world, &request);
            let explanation = authz::explain(&world, &request);
            assert_eq!(verdict, explanation.verdict, "{names:?} {constraints:?}");
            let mut copy = world.clone();
            let mut rng = SeededRandomness::new(u64::from(mask));
            let result = copy.create_grant(
                &caller(&bob),
                &mut at(&mut rng, 0),
                CreateGrantRequest {
                    constraints: constraints.clone(),
                    ..grant_request(&key, carol.as_str(), &names)
                },
            );
            match result {
                Ok(_) => {
                    assert!(verdict.is_allowed(), "{names:?} {constraints:?}");
                    allowed += 1;
                }
                Err(error) => assert_eq!(
                    Some(error),
                    explanation.to_error(),
                    "{names:?} {constraints:?}"
                ),
            }
        }
    }
    // Encrypt, CreateGrant or both, each with the two constraints at least as strict.
    assert_eq!(allowed, 6);
}

/// The AccessDeniedException of a refused child grant is the one the policies give without the
/// grant (IAM User Guide, troubleshoot_access-denied.html: "because no identity-based policy
/// allows"), word for word; KMS Developer Guide, create-grant-overview.html.
#[test]
fn a_refused_child_grant_keeps_the_message_of_the_policies_without_grants() {
    let (
        Demo {
            mut world,
            key,
            bob,
            ..
        },
        carol,
    ) = bob_may_pass_on_encrypt();
    let mut rng = SeededRandomness::new(16);
    let error = world
        .create_grant(
            &caller(&bob),
            &mut at(&mut rng, 0),
            CreateGrantRequest {
                constraints: Some(it_equals()),
                ..grant_request(&key, carol.as_str(), &["Decrypt"])
            },
        )
        .unwrap_err();
    assert_eq!(
        error.message(),
        format!(
            "User: {bob} is not authorized to perform: kms:CreateGrant on resource: {key} \
             because no identity-based policy allows the kms:CreateGrant action"
        )
    );
}

/// KMS Developer Guide, conditions-kms.html: kms:GrantOperations, kms:GranteePrincipal and
/// kms:GrantConstraintType limit what a CreateGrant permission allows.
#[test]
fn grant_condition_keys_limit_create_grant() {
    let mut world = world();
    let admin = world.add_user(ACCOUNT, "Admin").unwrap();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    let carol = world.add_user(ACCOUNT, "Carol").unwrap();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Decrypt-only grants to Bob with a constraint",
            "Effect": "Allow",
            "Principal": {"AWS": admin},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {
                "ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt", "DescribeKey"]},
                "StringEquals": {"kms:GranteePrincipal": bob, "kms:GrantConstraintType": "EncryptionContextEquals"}
            }
        }]
    })
    .to_string();
    let key = add_key(&mut world, ACCOUNT, Some(&policy), 4);
    let key = key_arn(&world, &key);
    let mut rng = SeededRandomness::new(11);
    let constrained = |grantee: &str, ops: &[&str]| CreateGrantRequest {
        constraints: Some(GrantConstraints {
            encryption_context_equals: Some(pairs(&[("app", "payroll")])),
            encryption_context_subset: None,
        }),
        ..grant_request(&key, grantee, ops)
    };
    world
        .create_grant(
            &caller(&admin),
            &mut at(&mut rng, 0),
            constrained(bob.as_str(), &["Decrypt"]),
        )
        .unwrap();
    for request in [
        constrained(bob.as_str(), &["Decrypt", "Encrypt"]),
        constrained(carol.as_str(), &["Decrypt"]),
        grant_request(&key, bob.as_str(), &["Decrypt"]),
    ] {
        assert_eq!(
            exception(world.create_grant(&caller(&admin), &mut at(&mut rng, 0), request)),
            "AccessDeniedException"
        );
    }
}

/// KMS API Reference, CreateGrant: Operations must be grant operations valid for the key
/// (ValidationException; KMS Developer Guide grants.html calls it a validation error); DryRun
/// answers DryRunOperationException and creates nothing (programming-dryrun.html).
#[test]
fn create_grant_validates_operations_and_honours_dry_run() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let mut rng = SeededRandomness::new(12);
    for ops in [
        &["Sign"][..],
        &["GenerateMac"],
        &["Frobnicate"],
        &["encrypt"],
        &[],
    ] {
        assert_eq!(
            exception(world.create_grant(
                &caller(&alice),
                &mut at(&mut rng, 0),
                grant_request(&key, bob.as_str(), ops)
            )),
            "ValidationException",
            "{ops:?}"
        );
    }
    let dry = CreateGrantRequest {
        dry_run: Some(true),
        ..grant_request(&key, bob.as_str(), &["Encrypt"])
    };
    assert_eq!(
        exception(world.create_grant(&caller(&alice), &mut at(&mut rng, 0), dry.clone())),
        "DryRunOperationException"
    );
    assert_eq!(world.grants.all().count(), 0);
    // A dry run by someone not allowed is an AccessDeniedException.
    assert_eq!(
        exception(world.create_grant(&caller(&bob), &mut at(&mut rng, 0), dry)),
        "AccessDeniedException"
    );
}

/// KMS Developer Guide, create-grant-overview.html: the same properties and Name return the
/// existing grant; each call returns a new token, and tokens are interchangeable.
#[test]
fn a_named_retry_returns_the_same_grant_with_an_interchangeable_token() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let mut rng = SeededRandomness::new(13);
    let named = CreateGrantRequest {
        name: Some("demo-bob-encrypt".to_owned()),
        ..grant_request(&key, bob.as_str(), &["Encrypt"])
    };
    let first = world
        .create_grant(&caller(&alice), &mut at(&mut rng, 0), named.clone())
        .unwrap();
    let second = world
        .create_grant(&caller(&alice), &mut at(&mut rng, 0), named)
        .unwrap();
    assert_eq!(first.grant_id, second.grant_id);
    assert_ne!(first.grant_token, second.grant_token);
    world
        .encrypt(
            &caller(&bob),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[&second.grant_token]),
        )
        .unwrap();
}

/// KMS API Reference, GrantConstraints: constraints hold for cryptographic operations, with keys
/// compared case-insensitively and values exactly; DescribeKey ignores them.
#[test]
fn constraints_are_enforced_when_the_grant_is_used() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    world.grants.set_propagation_window(0);
    let mut rng = SeededRandomness::new(14);
    world
        .create_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            CreateGrantRequest {
                constraints: Some(GrantConstraints {
                    encryption_context_equals: Some(pairs(&[("Department", "IT")])),
                    encryption_context_subset: None,
                }),
                ..grant_request(&key, bob.as_str(), &["Encrypt", "DescribeKey"])
            },
        )
        .unwrap();
    let with_context = |context: &[(&str, &str)]| EncryptRequest {
        encryption_context: Some(pairs(context)),
        ..encrypt_request(&key, &[])
    };
    world
        .encrypt(
            &caller(&bob),
            &mut at(&mut rng, 0),
            with_context(&[("department", "IT")]),
        )
        .unwrap();
    for wrong in [
        &[][..],
        &[("Department", "it")],
        &[("Department", "IT"), ("x", "y")],
    ] {
        let denied = refused(
            world.encrypt(&caller(&bob), &mut at(&mut rng, 0), with_context(wrong)),
            &world,
            0,
            encrypt_params(&[], Some(pairs(wrong))),
        );
        let step = denied
            .steps
            .iter()
            .find(|s| s.kind == StepKind::Grant)
            .unwrap();
        assert!(step.text.contains("constraints"), "{}", step.text);
    }
    world
        .describe_key(
            &caller(&bob),
            &mut at(&mut rng, 0),
            DescribeKeyRequest {
                key_id: key.clone(),
                grant_tokens: Vec::new(),
            },
        )
        .unwrap();
}

/// KMS API Reference, CreateGrant/Encrypt: a malformed or unknown grant token is
/// InvalidGrantTokenException; at most 10 tokens. A token of another grantee's grant gives
/// nothing.
#[test]
fn bad_grant_tokens_are_rejected() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let mut rng = SeededRandomness::new(15);
    let grant = world
        .create_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            grant_request(&key, bob.as_str(), &["Encrypt"]),
        )
        .unwrap();
    assert_eq!(
        exception(world.encrypt(
            &caller(&bob),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &["not-a-token"])
        )),
        "InvalidGrantTokenException"
    );
    let forged = "SwEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(
        exception(world.encrypt(
            &caller(&bob),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[forged])
        )),
        "InvalidGrantTokenException"
    );
    assert_eq!(
        exception(world.describe_key(
            &caller(&bob),
            &mut at(&mut rng, 0),
            DescribeKeyRequest {
                key_id: key.clone(),
                grant_tokens: vec!["%%%".to_owned()],
            },
        )),
        "InvalidGrantTokenException"
    );
    let eleven: Vec<&str> = vec![grant.grant_token.as_str(); 11];
    assert_eq!(
        exception(world.encrypt(
            &caller(&bob),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &eleven)
        )),
        "ValidationException"
    );
    // Carol passing Bob's token gets nothing from it.
    let carol = world.add_user(ACCOUNT, "Carol").unwrap();
    assert_eq!(
        exception(world.encrypt(
            &caller(&carol),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[&grant.grant_token])
        )),
        "AccessDeniedException"
    );
}

/// KMS API Reference, RetireGrant; KMS Developer Guide, grant-manage.html: a grant may be retired
/// by its retiring principal, by its grantee if it includes RetireGrant, and by the account that
/// created it; kms:RetireGrant in a key policy has no effect.
#[test]
fn retire_rights_follow_the_grant() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let carol = world.add_user(ACCOUNT, "Carol").unwrap();
    let dave = world.add_user(ACCOUNT, "Dave").unwrap();
    let partner = world.add_user(OTHER, "Partner").unwrap();
    // Dave is allowed kms:RetireGrant by the key policy only: that allows nothing.
    let key_id = world.keys.get_by_arn(&key).unwrap().arn.clone();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": root(ACCOUNT)}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Alice uses the key", "Effect": "Allow", "Principal": {"AWS": alice},
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
            {"Sid": "Dave retires (no effect)", "Effect": "Allow",
             "Principal": {"AWS": [dave.clone(), partner.clone()]}, "Action": "kms:RetireGrant", "Resource": "*"}
        ]
    })
    .to_string();
    world.set_key_policy(&key_id, &policy).unwrap();
    let mut rng = SeededRandomness::new(16);
    let mut new_grant = |world: &mut World, ops: &[&str], retiring: Option<&str>| {
        world
            .create_grant(
                &caller(&alice),
                &mut at(&mut rng, 0),
                CreateGrantRequest {
                    retiring_principal: retiring.map(str::to_owned),
                    ..grant_request(&key, bob.as_str(), ops)
                },
            )
            .unwrap()
            .grant_id
    };
    let retire = |world: &mut World, who: &PrincipalArn, grant_id: &str| {
        let mut rng = SeededRandomness::new(17);
        world.retire_grant(
            &caller(who),
            &mut at(&mut rng, 1),
            RetireGrantRequest {
                key_id: Some(key.clone()),
                grant_id: Some(grant_id.to_owned()),
                ..RetireGrantRequest::default()
            },
        )
    };

    // The retiring principal may, even from another account; a stranger may not.
    let g = new_grant(&mut world, &["Encrypt"], Some(partner.as_str()));
    assert_eq!(
        exception(retire(&mut world, &carol, &g)),
        "AccessDeniedException"
    );
    retire(&mut world, &partner, &g).unwrap();
    // The grantee may only if the grant includes RetireGrant.
    let g = new_grant(&mut world, &["Encrypt"], None);
    assert_eq!(
        exception(retire(&mut world, &bob, &g)),
        "AccessDeniedException"
    );
    let g2 = new_grant(&mut world, &["Encrypt", "RetireGrant"], None);
    retire(&mut world, &bob, &g2).unwrap();
    // kms:RetireGrant in the key policy gives Dave nothing.
    let denied = refused(
        retire(&mut world, &dave, &g),
        &world,
        1,
        RequestParams {
            grant_id: Some(g.clone()),
            ..RequestParams::default()
        },
    );
    assert_eq!(denied.verdict.reason, Reason::NoResourcePolicyAllows);
    // The issuing account: its root user, and IAM principals with kms:RetireGrant in IAM.
    let root_user = world
        .principal(&root(ACCOUNT))
        .unwrap()
        .arn()
        .unwrap()
        .clone();
    let g3 = new_grant(&mut world, &["Encrypt"], None);
    retire(&mut world, &root_user, &g3).unwrap();
    world
        .put_identity_policy(
            &dave,
            "RetireGrants",
            &allow_policy(&["kms:RetireGrant"], &[&key]),
        )
        .unwrap();
    retire(&mut world, &dave, &g).unwrap();
    // An explicit deny still counts for the retiring principal.
    let g4 = new_grant(&mut world, &["Encrypt"], Some(carol.as_str()));
    world
        .put_identity_policy(
            &carol,
            "NoRetire",
            &deny_policy(&["kms:RetireGrant"], &["*"]),
        )
        .unwrap();
    let denied = refused(
        retire(&mut world, &carol, &g4),
        &world,
        1,
        RequestParams {
            grant_id: Some(g4.clone()),
            ..RequestParams::default()
        },
    );
    assert_eq!(denied.verdict.decision, Decision::ExplicitDeny);
    assert_eq!(world.grants.on_key(&key).count(), 1);
}

/// KMS Developer Guide, grant-delete.html: "The kms:RetireGrant permission is not effective in a
/// key policy or resource control policy. To deny permission to retire a grant, you can use a
/// Deny action with the kms:RetireGrant permission in your IAM policies." AWS Organizations User
/// Guide, orgs_manage_policies_rcps.html: "RCPs do not impact the kms:RetireGrant permission."
#[test]
fn key_policy_and_rcp_statements_have_no_effect_on_retire_grant_but_an_iam_deny_does() {
    let text = r#"{
      "principals": [{"name": "Ret"}, {"name": "Ret2"}, {"name": "Ret3",
        "policies": [{"name": "NoRetire", "document": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Deny", "Action": "kms:RetireGrant", "Resource": "*"}]}}]},
        {"name": "Bob"}],
      "keys": [{"name": "K", "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Ret"}, "Action": "kms:RetireGrant", "Resource": "*"}]}}],
      "grants": [
        {"key": "K", "grantee": "Bob", "operations": ["Encrypt"], "retiring_principal": "Ret", "name": "g1"},
        {"key": "K", "grantee": "Bob", "operations": ["Encrypt"], "retiring_principal": "Ret2", "name": "g2"},
        {"key": "K", "grantee": "Bob", "operations": ["Encrypt"], "retiring_principal": "Ret3", "name": "g3"}],
      "organization": {"management_account": "999999999999", "rcps": [{"name": "NoRetire", "targets": ["root"],
        "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
          "Action": "kms:RetireGrant", "Resource": "*"}]}}]}
    }"#;
    let mut rng = SeededRandomness::new(1);
    let loaded = kms_engine::scenario::load(text, NOW, &mut rng).unwrap();
    let mut world = loaded.world;
    let key = world.keys.keys().next().unwrap().arn.clone();
    let grant_id = |world: &World, name: &str| {
        world
            .grants
            .on_key(&key)
            .find(|g| g.name.as_deref() == Some(name))
            .unwrap()
            .id
            .to_string()
    };
    let user = |name: &str| user(ACCOUNT, name);
    let retire = |world: &mut World, who: &kms_engine::request::PrincipalArn, grant_id: &str| {
        let mut rng = SeededRandomness::new(2);
        world.retire_grant(
            &caller(who),
            &mut at(&mut rng, 60),
            RetireGrantRequest {
                key_id: Some(key.clone()),
                grant_id: Some(grant_id.to_owned()),
                ..RetireGrantRequest::default()
            },
        )
    };
    // The key policy's Deny (naming Ret) and the RCP's Deny (everyone) count for nothing.
    let g1 = grant_id(&world, "g1");
    retire(&mut world, &user("Ret"), &g1).unwrap();
    let g2 = grant_id(&world, "g2");
    retire(&mut world, &user("Ret2"), &g2).unwrap();
    // An IAM Deny still stops the retiring principal.
    let g3 = grant_id(&world, "g3");
    let denied = refused(
        retire(&mut world, &user("Ret3"), &g3),
        &world,
        60,
        RequestParams {
            grant_id: Some(g3.clone()),
            ..RequestParams::default()
        },
    );
    assert_eq!(denied.verdict.decision, Decision::ExplicitDeny);
    assert!(matches!(
        denied.verdict.reason,
        Reason::ExplicitDenyInIdentityPolicy { .. }
    ));
    assert!(
        denied.steps.iter().any(
            |s| s.question == "Does the key policy apply to kms:RetireGrant?"
                && s.text.contains("not effective in a key policy")
        ),
        "{:?}",
        denied.steps
    );
    assert!(
        denied.guardrail_traces.is_empty(),
        "no RCP is evaluated for RetireGrant"
    );
}

/// KMS API Reference, RetireGrant: a grant token identifies the grant even before it is
/// consistent; the grant stops working at once.
#[test]
fn retire_by_token_works_before_consistency_and_stops_the_grant() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let mut rng = SeededRandomness::new(18);
    let grant = world
        .create_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            CreateGrantRequest {
                retiring_principal: Some(bob.to_string()),
                ..grant_request(&key, bob.as_str(), &["Encrypt"])
            },
        )
        .unwrap();
    world
        .retire_grant(
            &caller(&bob),
            &mut at(&mut rng, 0),
            RetireGrantRequest {
                grant_token: Some(grant.grant_token.clone()),
                ..RetireGrantRequest::default()
            },
        )
        .unwrap();
    let denied = refused(
        world.encrypt(
            &caller(&bob),
            &mut at(&mut rng, 10),
            encrypt_request(&key, &[&grant.grant_token]),
        ),
        &world,
        10,
        encrypt_params(&[&grant.grant_token], None),
    );
    let step = denied
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Grant)
        .unwrap();
    assert!(step.text.contains("retired"), "{}", step.text);
    assert_eq!(
        exception(world.retire_grant(
            &caller(&bob),
            &mut at(&mut rng, 10),
            RetireGrantRequest::default()
        )),
        "ValidationException"
    );
}

/// KMS API Reference, RevokeGrant: kms:RevokeGrant from a policy (the console grants statement
/// needs kms:GrantIsForAWSResource); unknown grant id is InvalidGrantIdException.
#[test]
fn revoke_needs_kms_revoke_grant_and_a_known_grant() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let mut rng = SeededRandomness::new(19);
    let grant = world
        .create_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            grant_request(&key, bob.as_str(), &["Encrypt"]),
        )
        .unwrap();
    let revoke = |id: &str| RevokeGrantRequest {
        key_id: key.clone(),
        grant_id: id.to_owned(),
        dry_run: None,
    };
    assert_eq!(
        exception(world.revoke_grant(&caller(&bob), &mut at(&mut rng, 0), revoke(&grant.grant_id))),
        "AccessDeniedException"
    );
    assert_eq!(
        exception(world.revoke_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            revoke(&"0".repeat(64))
        )),
        "InvalidGrantIdException"
    );
    world
        .revoke_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            revoke(&grant.grant_id),
        )
        .unwrap();
    assert_eq!(
        exception(world.revoke_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            revoke(&grant.grant_id)
        )),
        "InvalidGrantIdException"
    );
}

/// KMS API Reference, ListGrants (filters, Limit/Marker, InvalidGrantIdException) and
/// ListRetirableGrants (IAM-only).
#[test]
fn list_grants_filters_and_pages_and_list_retirable_grants_is_iam_only() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let root_user = root(ACCOUNT);
    let mut rng = SeededRandomness::new(20);
    let mut ids = Vec::new();
    for i in 0..3 {
        let grantee = if i == 2 { alice.clone() } else { bob.clone() };
        ids.push(
            world
                .create_grant(
                    &caller(&alice),
                    &mut at(&mut rng, 0),
                    CreateGrantRequest {
                        retiring_principal: Some(alice.to_string()),
                        ..grant_request(&key, grantee.as_str(), &["Decrypt"])
                    },
                )
                .unwrap()
                .grant_id,
        );
    }
    let list = |world: &mut World, request: ListGrantsRequest| {
        let mut rng = SeededRandomness::new(21);
        world.list_grants(&caller(&root_user), &mut at(&mut rng, 0), request)
    };
    let first = list(
        &mut world,
        ListGrantsRequest {
            key_id: key.clone(),
            limit: Some(2),
            ..ListGrantsRequest::default()
        },
    )
    .unwrap();
    assert_eq!(first.grants.len(), 2);
    assert!(first.truncated);
    let second = list(
        &mut world,
        ListGrantsRequest {
            key_id: key.clone(),
            limit: Some(2),
            marker: first.next_marker.clone(),
            ..ListGrantsRequest::default()
        },
    )
    .unwrap();
    assert_eq!(second.grants[0].grant_id.as_str(), ids[2]);
    let bobs = list(
        &mut world,
        ListGrantsRequest {
            key_id: key.clone(),
            grantee_principal: Some(bob.to_string()),
            ..ListGrantsRequest::default()
        },
    )
    .unwrap();
    assert_eq!(bobs.grants.len(), 2);
    let json = serde_json::to_value(&bobs).unwrap();
    assert_eq!(
        json["Grants"][0]["Operations"],
        serde_json::json!(["Decrypt"])
    );
    assert_eq!(json["Truncated"], false);
    assert!(json["Grants"][0].get("GrantToken").is_none());
    // A grant created without a Name lists no Name (KMS API Reference, GrantListEntry: "If a name
    // was provided in the CreateGrant request, that name is returned. Otherwise this value is null.")
    assert!(json["Grants"][0].get("Name").is_none());
    assert_eq!(
        exception(list(
            &mut world,
            ListGrantsRequest {
                key_id: key.clone(),
                grant_id: Some("f".repeat(64)),
                ..ListGrantsRequest::default()
            },
        )),
        "InvalidGrantIdException"
    );

    let retirable = ListRetirableGrantsRequest {
        retiring_principal: alice.to_string(),
        ..ListRetirableGrantsRequest::default()
    };
    assert_eq!(
        exception(world.list_retirable_grants(
            &caller(&alice),
            &mut at(&mut rng, 0),
            retirable.clone()
        )),
        "AccessDeniedException"
    );
    world
        .put_identity_policy(
            &alice,
            "ListRetirable",
            &allow_policy(&["kms:ListRetirableGrants"], &["*"]),
        )
        .unwrap();
    let listed = world
        .list_retirable_grants(&caller(&alice), &mut at(&mut rng, 0), retirable)
        .unwrap();
    assert_eq!(listed.grants.len(), 3);
}

/// The access matrix shows a grant's state: pending (token only) inside the window, allowed by
/// the grant after it.
#[test]
fn the_matrix_shows_pending_grants_then_allows() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let mut rng = SeededRandomness::new(22);
    world
        .create_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            grant_request(&key, bob.as_str(), &["Encrypt"]),
        )
        .unwrap();
    let key_id = world.keys.get_by_arn(&key).unwrap().arn.clone();
    let cell = |now: Timestamp| {
        Matrix::compute(
            &world,
            std::slice::from_ref(&bob),
            std::slice::from_ref(&key_id),
            &[Action::Encrypt, Action::Decrypt],
            now,
        )
    };
    let early = cell(NOW.plus_millis(MINUTE));
    let encrypt = early.lookup(&bob, &key_id, Action::Encrypt).unwrap();
    assert!(matches!(
        encrypt.verdict.reason,
        Reason::GrantPendingTokenOnly { .. }
    ));
    assert_eq!(encrypt.verdict.short_reason(), "grant pending (token only)");
    assert_eq!(
        early
            .lookup(&bob, &key_id, Action::Decrypt)
            .unwrap()
            .verdict
            .reason,
        Reason::NoIdentityPolicyAllows
    );
    assert_eq!(
        world.grants.next_change_after(NOW),
        Some(NOW.plus_millis(DEFAULT_PROPAGATION_WINDOW_MILLIS))
    );
    let later = cell(NOW.plus_millis(DEFAULT_PROPAGATION_WINDOW_MILLIS));
    assert_eq!(
        later
            .lookup(&bob, &key_id, Action::Encrypt)
            .unwrap()
            .verdict
            .reason,
        Reason::Grant
    );
}

/// A grant to an account reaches that account's IAM principals only where their IAM policies
/// allow the operation, like an account principal in a key policy (playground choice: the docs
/// leave account grantees open; KMS Developer Guide, key-policy-default.html for the analogy).
#[test]
fn a_grant_to_an_account_needs_an_iam_allow_for_its_users() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let partner = world.add_user(OTHER, "Partner").unwrap();
    world.grants.set_propagation_window(0);
    let mut rng = SeededRandomness::new(23);
    world
        .create_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            grant_request(&key, root(OTHER).as_str(), &["Encrypt"]),
        )
        .unwrap();
    assert_eq!(
        exception(world.encrypt(
            &caller(&partner),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[])
        )),
        "AccessDeniedException"
    );
    world
        .put_identity_policy(&partner, "UseKey", &allow_policy(&["kms:Encrypt"], &[&key]))
        .unwrap();
    world
        .encrypt(
            &caller(&partner),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[]),
        )
        .unwrap();
    // Bob is not in that account.
    assert_eq!(
        exception(world.encrypt(
            &caller(&bob),
            &mut at(&mut rng, 0),
            encrypt_request(&key, &[])
        )),
        "AccessDeniedException"
    );
}

/// Grants go with their key (KMS Developer Guide, deleting-keys.html: the key and its metadata
/// are deleted).
#[test]
fn deleting_a_key_deletes_its_grants() {
    let Demo {
        mut world,
        key,
        alice,
        bob,
    } = demo();
    let mut rng = SeededRandomness::new(24);
    world
        .create_grant(
            &caller(&alice),
            &mut at(&mut rng, 0),
            grant_request(&key, bob.as_str(), &["Encrypt"]),
        )
        .unwrap();
    world
        .schedule_key_deletion(
            &caller(&root(ACCOUNT)),
            &mut at(&mut rng, 0),
            ScheduleKeyDeletionRequest {
                key_id: key.clone(),
                pending_window_in_days: Some(7),
            },
        )
        .unwrap();
    assert_eq!(world.grants.all().count(), 1);
    world.advance_time(&mut at(&mut rng, 7 * 24 * 60 + 1));
    assert!(world.keys.get_by_arn(&key).is_none());
    assert_eq!(world.grants.all().count(), 0);
}
