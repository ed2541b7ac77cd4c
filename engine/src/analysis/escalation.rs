//! Who can give themselves access: cells not allowed now that a principal can reach by its own
//! KMS permissions.
//!
//! - `kms:PutKeyPolicy` on a key lets a principal write a key policy that allows it everything
//!   on the key (KMS Developer Guide, key-policy-default.html: administrators with `kms:Put*` can
//!   change the key policy). Only an IAM Deny of its own still stops it.
//! - `kms:CreateGrant` from a key policy or IAM policy lets a principal grant itself any grant
//!   operation, including ones it lacks (KMS Developer Guide, grants.html, "About grants"); the
//!   CreateGrant request's own conditions (`kms:GrantOperations`, `kms:GranteePrincipal`) are
//!   decided for each operation.
//! - A grant with the `CreateGrant` operation lets its grantee pass on that grant's operations
//!   to anyone (create-grant-overview.html, "Granting CreateGrant permission").
//! - `kms:CreateKey` lets a principal create keys whose policy it writes.
//!
//! Each step is made on a copy of the world and the cells decided again.

use super::edit::Names;
use super::{Outcome, Universe, outcome_for};
use crate::authz::{self, AuthzRequest, KEY_POLICY_NAME, Reason, RequestParams, Target};
use crate::catalog::Action;
use crate::entropy::Timestamp;
use crate::matrix::Matrix;
use crate::policy::Policy;
use crate::policy::eval::StatementRef;
use crate::policy::parse::{PolicyKind, parse_policy};
use crate::request::PrincipalArn;
use crate::store::Key;
use crate::store::grants::NewGrant;
use crate::world::{Principal, World};
use serde::Serialize;

/// How a principal reaches more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EscalationPath {
    /// It may call PutKeyPolicy on the key.
    PutKeyPolicy,
    /// It may call CreateGrant on the key by policy, for itself.
    CreateGrant,
    /// A grant gives it CreateGrant: it can pass the grant's operations on to anyone.
    GrantPassesOn,
    /// It may call CreateKey: it can make keys whose policy it writes.
    CreateKey,
}

impl EscalationPath {
    /// The permission the path uses.
    pub fn permission(self) -> &'static str {
        match self {
            EscalationPath::PutKeyPolicy => "kms:PutKeyPolicy",
            EscalationPath::CreateGrant | EscalationPath::GrantPassesOn => "kms:CreateGrant",
            EscalationPath::CreateKey => "kms:CreateKey",
        }
    }
}

/// One way a principal reaches cells it does not have now.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Escalation {
    /// The principal's ARN.
    pub principal: PrincipalArn,
    /// The key (none for CreateKey).
    pub key: Option<String>,
    /// How.
    pub path: EscalationPath,
    /// How many calls it takes.
    pub steps: usize,
    /// The statement or grant that allows the first call.
    pub via: String,
    /// The actions it gains on the key (for GrantPassesOn: the operations it can pass on).
    pub gains: Vec<Action>,
}

impl Escalation {
    /// "reachable in 1 step via kms:PutKeyPolicy (statement …)".
    pub fn sentence(&self, world: &World, names: &Names) -> String {
        let who = names.principal(world, self.principal.as_str());
        let gains: Vec<&str> = self.gains.iter().map(|a| a.name()).collect();
        match (self.path, &self.key) {
            (EscalationPath::CreateKey, _) => format!(
                "{who} may call kms:CreateKey ({}): it can create keys and write their key policies.",
                self.via
            ),
            (EscalationPath::GrantPassesOn, Some(key)) => format!(
                "{who} holds a grant on {} with CreateGrant ({}): it can pass on {} to anyone.",
                names.key(world, key),
                self.via,
                gains.join(", ")
            ),
            (path, Some(key)) => format!(
                "{who} can give itself {} on {}: reachable in {} step via {} ({}).",
                gains.join(", "),
                names.key(world, key),
                self.steps,
                path.permission(),
                self.via
            ),
            (_, None) => String::new(),
        }
    }
}

/// A label for what allowed a decision: the key-policy or IAM statement, or the grant.
pub(crate) fn allowed_by(
    world: &World,
    caller: &Principal,
    key: Option<&Key>,
    reason: Reason,
) -> String {
    allowed_by_parts(world, caller, key, reason).join(" and ")
}

/// What allowed a decision, key-policy statement first, then the IAM statement or the grant.
pub(crate) fn allowed_by_parts(
    world: &World,
    caller: &Principal,
    key: Option<&Key>,
    reason: Reason,
) -> Vec<String> {
    let key_ref = |i: usize| {
        key.and_then(|k| k.policy.policy.statements.get(i))
            .map(|s| StatementRef::new(KEY_POLICY_NAME, s).label())
    };
    let identity_ref = |identity: authz::IdentityAllow| match identity {
        authz::IdentityAllow::Policy { policy, statement } => {
            world.identity_policies(caller).get(policy).and_then(|p| {
                p.policy
                    .statements
                    .get(statement)
                    .map(|s| StatementRef::new(p.name.as_str(), s).label())
            })
        }
        authz::IdentityAllow::RootUser => Some("the root user".to_owned()),
    };
    let parts: Vec<String> = match reason {
        Reason::KeyPolicy { statement } => key_ref(statement).into_iter().collect(),
        Reason::KeyPolicyAndIam {
            key_statement,
            identity,
            ..
        } => key_ref(key_statement)
            .into_iter()
            .chain(identity_ref(identity))
            .collect(),
        Reason::Iam { identity } => identity_ref(identity).into_iter().collect(),
        Reason::Grant => vec!["a grant".to_owned()],
        _ => Vec::new(),
    };
    parts
}

/// A key policy that allows `arn` everything: what a principal that may call PutKeyPolicy can
/// write for itself.
fn own_policy(arn: &str) -> Option<Policy> {
    let text = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": arn}, "Action": "kms:*", "Resource": "*"}],
    })
    .to_string();
    parse_policy(&text, PolicyKind::KeyPolicy).policy
}

/// Every escalation of the universe's principals on its keys, over its actions.
pub fn reachable(world: &World, universe: &Universe, now: Timestamp) -> Vec<Escalation> {
    let mut out = Vec::new();
    let now_matrix = Matrix::compute(
        world,
        &universe.principals,
        &universe.keys,
        &universe.actions,
        now,
    );
    let no_params = RequestParams::default();
    for arn in &universe.principals {
        let Some(caller) = world.principal(arn) else {
            continue;
        };
        let create_key = authz::decide(
            world,
            &AuthzRequest {
                caller,
                action: Action::CreateKey,
                target: Target::Account,
                params: &no_params,
                now,
            },
        );
        if create_key.is_allowed() {
            out.push(Escalation {
                principal: arn.clone(),
                key: None,
                path: EscalationPath::CreateKey,
                steps: 1,
                via: allowed_by(world, caller, None, create_key.reason),
                gains: Vec::new(),
            });
        }
        let own = own_policy(arn.as_str());
        let Some(row) = now_matrix.principals().iter().position(|p| p == arn) else {
            continue;
        };
        for (column, id) in now_matrix.keys().iter().enumerate() {
            let Some(key) = world.keys.get_by_arn(id) else {
                continue;
            };
            // What the principal lacks on the key now, read from the matrix.
            let missing: Vec<Action> = now_matrix
                .actions()
                .iter()
                .enumerate()
                .filter(|&(a, _)| {
                    now_matrix
                        .cell(row, column, a)
                        .is_none_or(|c| Outcome::of_cell(c) != Outcome::Allow)
                })
                .map(|(_, &action)| action)
                .collect();
            if !missing.is_empty() {
                out.extend(key_escalations(
                    world,
                    (caller, arn),
                    key,
                    own.as_ref(),
                    &missing,
                    now,
                ));
            }
        }
    }
    out
}

/// The escalations of one principal on one key.
fn key_escalations(
    world: &World,
    (caller, arn): (&Principal, &PrincipalArn),
    key: &Key,
    own: Option<&Policy>,
    missing: &[Action],
    now: Timestamp,
) -> Vec<Escalation> {
    let mut out = Vec::new();
    let no_params = RequestParams::default();
    let decide = |action: Action, params: &RequestParams| {
        authz::decide(
            world,
            &AuthzRequest {
                caller,
                action,
                target: Target::Key(key),
                params,
                now,
            },
        )
    };
    let put = decide(Action::PutKeyPolicy, &no_params);
    if put.is_allowed() && !missing.is_empty() {
        if let Some(policy) = own {
            let gains: Vec<Action> = missing
                .iter()
                .copied()
                .filter(|&action| {
                    authz::decide(
                        world,
                        &AuthzRequest {
                            caller,
                            action,
                            target: Target::KeyWithPolicy { key, policy },
                            params: &no_params,
                            now,
                        },
                    )
                    .is_allowed()
                })
                .collect();
            if !gains.is_empty() {
                out.push(Escalation {
                    principal: arn.clone(),
                    key: Some(key.arn.clone()),
                    path: EscalationPath::PutKeyPolicy,
                    steps: 1,
                    via: allowed_by(world, caller, Some(key), put.reason),
                    gains,
                });
            }
        }
    }
    // CreateGrant by policy, decided for each operation with the request's own parameters.
    let mut grantable = Vec::new();
    let mut via = None;
    for &action in missing {
        if action.grant_operation_name().is_none()
            || !crate::catalog::grant_operations_of_any_key().contains(&action)
        {
            continue;
        }
        let params = RequestParams {
            grant_operations: Some(vec![action]),
            grantee_principal: Some(arn.to_string()),
            ..RequestParams::default()
        };
        let verdict = decide(Action::CreateGrant, &params);
        if verdict.is_allowed() && verdict.reason != Reason::Grant {
            via.get_or_insert_with(|| allowed_by(world, caller, Some(key), verdict.reason));
            grantable.push(action);
        }
    }
    if let (Some(via), false) = (via, grantable.is_empty()) {
        let mut granted = world.clone();
        // The hypothetical grant's ids come from a fixed seed, whose stream cannot run out.
        let _ = granted.grants.create(
            NewGrant {
                key_arn: key.arn.clone(),
                grantee: arn.clone().into(),
                retiring: None,
                operations: grantable.clone(),
                constraints: None,
                name: None,
                issuing_account: caller.account.clone(),
                created_by: arn.clone(),
            },
            now.plus_millis(-granted.grants.propagation_window_millis()),
            &mut crate::entropy::SeededRandomness::new(0),
        );
        let gains: Vec<Action> = grantable
            .into_iter()
            .filter(|&a| {
                outcome_for(&granted, caller, &key.arn, a, &no_params, now) == Some(Outcome::Allow)
            })
            .collect();
        if !gains.is_empty() {
            out.push(Escalation {
                principal: arn.clone(),
                key: Some(key.arn.clone()),
                path: EscalationPath::CreateGrant,
                steps: 1,
                via,
                gains,
            });
        }
    }
    // A grant with CreateGrant: its operations can be passed on.
    let grant_create = decide(Action::CreateGrant, &no_params);
    if grant_create.reason == Reason::Grant {
        for grant in world.grants.on_key(&key.arn) {
            let names_caller =
                crate::store::grants::grantee_matches(&grant.grantee, caller.request_principal())
                    .is_some();
            if names_caller && grant.operations.contains(&Action::CreateGrant) {
                out.push(Escalation {
                    principal: arn.clone(),
                    key: Some(key.arn.clone()),
                    path: EscalationPath::GrantPassesOn,
                    steps: 1,
                    via: format!("grant {}", grant.id.as_str()),
                    gains: grant.operations.clone(),
                });
            }
        }
    }
    out
}
