//! Helpers shared by the KMS model's integration tests: worlds, keys, callers, decisions.

#![expect(clippy::unwrap_used, reason = "helpers fail the test on a bad fixture")]

pub use crate::common::arn;
use kms_engine::authz::{self, AuthzRequest, Explanation, RequestParams, Target, Verdict};
use kms_engine::catalog::Action;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::error::KmsError;
use kms_engine::kms::{Caller, CreateKeyRequest, Env};
pub use kms_engine::request::PrincipalArn;
use kms_engine::world::{KeySetup, World};

/// The lecture's account.
pub const ACCOUNT: &str = "111122223333";
/// Another account, for cross-account rules.
pub const OTHER: &str = "444455556666";

/// 2024-01-01T00:00:00Z.
pub const NOW: Timestamp = Timestamp(1_704_067_200_000);

/// `arn:aws:iam::ACCOUNT:user/NAME`.
pub fn user(account: &str, name: &str) -> PrincipalArn {
    crate::common::arn(&format!("arn:aws:iam::{account}:user/{name}"))
}

/// `arn:aws:iam::ACCOUNT:root`.
pub fn root(account: &str) -> PrincipalArn {
    crate::common::arn(&format!("arn:aws:iam::{account}:root"))
}

/// A world with the two accounts.
pub fn world() -> World {
    let mut world = World::default();
    world.add_account(ACCOUNT, "Lecture").unwrap();
    world.add_account(OTHER, "Partner").unwrap();
    world
}

/// Adds a key with `policy` (None: the default policy) to `account`.
pub fn add_key(world: &mut World, account: &str, policy: Option<&str>, seed: u64) -> String {
    let mut rng = SeededRandomness::new(seed);
    let setup = KeySetup {
        policy: policy.map(str::to_owned),
        ..KeySetup::new(account)
    };
    world.add_key(setup, NOW, &mut rng).unwrap()
}

/// The verdict of the fast path, checked against the explained path.
pub fn verdict(world: &World, caller: &PrincipalArn, key: &str, action: Action) -> Verdict {
    let explanation = explain(world, caller, key, action);
    let principal = world.principal(caller).unwrap();
    let key = world.keys.get_by_arn(key).unwrap();
    let params = RequestParams::default();
    let fast = authz::decide(
        world,
        &AuthzRequest {
            caller: principal,
            action,
            target: Target::Key(key),
            params: &params,
            now: NOW,
        },
    );
    assert_eq!(fast, explanation.verdict, "decide and explain disagree");
    // What operations call: the verdict when allowed, else the denial with the same explanation.
    let required = authz::require(
        world,
        &AuthzRequest {
            caller: principal,
            action,
            target: Target::Key(key),
            params: &params,
            now: NOW,
        },
    );
    match required {
        Ok(allowed) => assert_eq!(allowed, fast, "require and decide disagree"),
        Err(denied) => {
            assert!(!fast.is_allowed(), "require denied what decide allowed");
            assert_eq!(
                Some(denied),
                explanation.to_error(),
                "the denial differs from the explanation's"
            );
        }
    }
    fast
}

/// The explained decision.
pub fn explain(world: &World, caller: &PrincipalArn, key: &str, action: Action) -> Explanation {
    let principal = world.principal(caller).unwrap();
    let key = world.keys.get_by_arn(key).unwrap();
    let params = RequestParams::default();
    authz::explain(
        world,
        &AuthzRequest {
            caller: principal,
            action,
            target: Target::Key(key),
            params: &params,
            now: NOW,
        },
    )
}

/// A fresh environment at `NOW` (tests keep the generator alive in their own variable).
pub fn env(rng: &mut SeededRandomness) -> Env<'_> {
    Env::new(NOW, rng)
}

/// A direct call by `arn`.
pub fn caller(arn: &PrincipalArn) -> Caller {
    Caller::new(arn.clone())
}

/// An identity policy allowing `actions` on `resources`.
pub fn allow_policy(actions: &[&str], resources: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Allow", "Action": actions, "Resource": resources }]
    })
    .to_string()
}

/// An identity policy denying `actions` on `resources`.
pub fn deny_policy(actions: &[&str], resources: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{ "Effect": "Deny", "Action": actions, "Resource": resources }]
    })
    .to_string()
}

/// A world where Alice may do anything with KMS through an IAM policy and Bob has nothing:
/// `(world, Alice's ARN, Bob's ARN)`.
pub fn alice_admin_and_bob() -> (World, PrincipalArn, PrincipalArn) {
    let mut world = world();
    let alice = world.add_user(ACCOUNT, "Alice").unwrap();
    let bob = world.add_user(ACCOUNT, "Bob").unwrap();
    world
        .put_identity_policy(&alice, "Admin", &allow_policy(&["kms:*"], &["*"]))
        .unwrap();
    (world, alice, bob)
}

/// A seed no other call in this test binary has had, so each key made with it gets its own id.
pub fn fresh_seed() -> u64 {
    static SEED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(10_000);
    SEED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// CreateKey as `who` with `spec` and, when given, `usage` (API names); the new key's ARN.
pub fn create_key_of_spec(
    world: &mut World,
    who: &PrincipalArn,
    spec: &str,
    usage: Option<&str>,
    seed: u64,
) -> Result<String, KmsError> {
    let mut rng = SeededRandomness::new(seed);
    world
        .create_key(
            &caller(who),
            &mut env(&mut rng),
            CreateKeyRequest {
                key_spec: Some(spec.to_owned()),
                key_usage: usage.map(str::to_owned),
                ..CreateKeyRequest::default()
            },
        )
        .map(|r| r.key_metadata.arn)
}
