//! Principals nobody listed: what could another IAM principal of the account, a principal of
//! another account, an AWS service or an anonymous caller do with each key?
//!
//! Each kind is a fresh principal added to a copy of the world (or, for a service, made on its
//! own) and decided by the authorizer like any other; since no statement names a fresh principal,
//! only statements for `*` or for an account reach it. Where a `*` statement allows only under
//! conditions the caller itself controls (`kms:ViaService`, the encryption context, ...), the
//! cell also says what the caller must send, verified by deciding again with those values.

use super::Outcome;
use crate::authz::{self, AuthzRequest, KEY_POLICY_NAME, Reason, RequestParams, Target};
use crate::catalog::Action;
use crate::entropy::Timestamp;
use crate::policy::document::{OperatorKind, PrincipalSet, Statement};
use crate::policy::eval::StatementRef;
use crate::request::{ContextValue, PrincipalArn, PrincipalId};
use crate::store::{Key, check_key};
use crate::world::{Principal, World};
use serde::Serialize;
use std::collections::BTreeMap;

/// The kinds of principal nobody listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyntheticKind {
    /// Another IAM user of the account whose IAM policy allows everything.
    IamFull,
    /// Another IAM user of the account with no IAM policy.
    IamNone,
    /// An IAM user of another AWS account whose own IAM policy allows everything.
    OtherAccount,
    /// An AWS service principal no statement names.
    Service,
    /// A caller that does not sign its requests.
    Anonymous,
}

impl SyntheticKind {
    /// Every kind, in the order the matrix shows them.
    pub const ALL: [SyntheticKind; 5] = [
        SyntheticKind::IamFull,
        SyntheticKind::IamNone,
        SyntheticKind::OtherAccount,
        SyntheticKind::Service,
        SyntheticKind::Anonymous,
    ];

    /// The row's label.
    pub fn label(self) -> &'static str {
        match self {
            SyntheticKind::IamFull => {
                "another IAM principal of this account, with full IAM permissions"
            }
            SyntheticKind::IamNone => "another IAM principal of this account, with no IAM policy",
            SyntheticKind::OtherAccount => {
                "a principal of another AWS account (its own IAM allows everything)"
            }
            SyntheticKind::Service => "an AWS service principal",
            SyntheticKind::Anonymous => "anyone (anonymous)",
        }
    }

    /// Whether this kind is outside the account: a cell it may use is a finding.
    pub fn is_outside(self) -> bool {
        matches!(
            self,
            SyntheticKind::OtherAccount | SyntheticKind::Service | SyntheticKind::Anonymous
        )
    }
}

/// The account a fresh outside principal lives in: one the world does not have.
pub(crate) fn outside_account(world: &World) -> String {
    (0u64..)
        .map(|n| format!("{:012}", 999_999_999_999 - n))
        .find(|id| world.account(id).is_none())
        .unwrap_or_default()
}

/// The name of the fresh service principal: one no statement can name by accident.
pub const FRESH_SERVICE: &str = "fresh-service.amazonaws.com";

/// An IAM policy that allows every action on every resource.
const ALLOW_EVERYTHING: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

/// A world with the fresh principals added, and their ARNs.
pub struct SyntheticWorld {
    /// The world with the fresh users (and the outside account) added.
    pub world: World,
    /// The fresh principal of each kind that lives in the world.
    pub arns: BTreeMap<SyntheticKind, PrincipalArn>,
    /// The fresh service principal.
    pub service: Principal,
}

impl SyntheticWorld {
    /// Adds fresh principals of every kind to a copy of `world`; `account` is "this account".
    pub fn new(world: &World, account: &str) -> SyntheticWorld {
        let mut world = world.clone();
        let mut arns = BTreeMap::new();
        let fresh_name = |world: &World, account: &str, base: &str| {
            (0..)
                .map(|n| {
                    if n == 0 {
                        base.to_owned()
                    } else {
                        format!("{base}{n}")
                    }
                })
                .find(|name| {
                    PrincipalArn::parse(&format!("arn:aws:iam::{account}:user/{name}"))
                        .map_or(true, |arn| world.principal(&arn).is_none())
                })
                .unwrap_or_default()
        };
        let outside = outside_account(&world);
        if world.add_account(&outside, "Another account").is_ok() {
            let name = fresh_name(&world, &outside, "AnyExternalPrincipal");
            if let Ok(arn) = world.add_user(&outside, &name) {
                if world
                    .put_identity_policy(&arn, "AllowEverything", ALLOW_EVERYTHING)
                    .is_ok()
                {
                    arns.insert(SyntheticKind::OtherAccount, arn);
                }
            }
        }
        if world.account(account).is_some() {
            let name = fresh_name(&world, account, "AnyIamPrincipalFullIam");
            if let Ok(arn) = world.add_user(account, &name) {
                if world
                    .put_identity_policy(&arn, "AllowEverything", ALLOW_EVERYTHING)
                    .is_ok()
                {
                    arns.insert(SyntheticKind::IamFull, arn);
                }
            }
            let name = fresh_name(&world, account, "AnyIamPrincipalNoPolicy");
            if let Ok(arn) = world.add_user(account, &name) {
                arns.insert(SyntheticKind::IamNone, arn);
            }
        }
        SyntheticWorld {
            world,
            arns,
            service: Principal::service(FRESH_SERVICE),
        }
    }

    /// The fresh principal of `kind`; `None` for the anonymous caller (KMS has none).
    pub fn principal(&self, kind: SyntheticKind) -> Option<&Principal> {
        match kind {
            SyntheticKind::Service => Some(&self.service),
            SyntheticKind::Anonymous => None,
            _ => self
                .arns
                .get(&kind)
                .and_then(|arn| self.world.principal(arn))
                .map(AsRef::as_ref),
        }
    }
}

/// One cell of a synthetic row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SyntheticCell {
    /// The key.
    pub key: String,
    /// The action.
    pub action: Action,
    /// The outcome for a request without extra context.
    pub outcome: Outcome,
    /// The key-policy statement that allows, when one does.
    pub statement: Option<StatementRef>,
    /// When the request is denied but a `*` statement allows callers who send certain condition
    /// keys: those keys and values ("anyone who sends `kms:ViaService = …`"), and the statement.
    pub requires: Vec<(String, String)>,
    /// The statement that allows under `requires`.
    pub requires_statement: Option<StatementRef>,
    /// Why, in a sentence.
    pub why: String,
}

impl SyntheticCell {
    /// Whether the principal may use the key, with or without sending condition keys.
    pub fn may_use(&self) -> bool {
        self.outcome == Outcome::Allow
            || self.outcome == Outcome::KeyStateRefuses
            || !self.requires.is_empty()
    }
}

/// A synthetic principal's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SyntheticRow {
    /// What kind of principal.
    pub kind: SyntheticKind,
    /// Its label.
    pub label: &'static str,
    /// The fresh principal's ARN or, for a service, its name; `None` for the anonymous caller.
    pub id: Option<PrincipalId>,
    /// Its cells, key by key, action by action.
    pub cells: Vec<SyntheticCell>,
}

/// The rows of every synthetic kind over `keys` × `actions`; `account` is "this account".
pub fn synthetic_rows(
    world: &World,
    account: &str,
    keys: &[String],
    actions: &[Action],
    now: Timestamp,
) -> Vec<SyntheticRow> {
    let synthetic = SyntheticWorld::new(world, account);
    SyntheticKind::ALL
        .iter()
        .map(|&kind| {
            let principal = synthetic.principal(kind);
            let cells = keys
                .iter()
                .filter_map(|id| synthetic.world.keys.get_by_arn(id))
                .flat_map(|key| actions.iter().map(move |&action| (key, action)))
                .map(|(key, action)| match principal {
                    Some(p) => decide_cell(&synthetic.world, p, key, action, now),
                    None => anonymous_cell(key, action),
                })
                .collect();
            SyntheticRow {
                kind,
                label: kind.label(),
                id: principal.map(|p| p.id.clone()),
                cells,
            }
        })
        .collect()
}

/// KMS authenticates every request: an unsigned request never reaches authorization (KMS API
/// Reference, Welcome, "Signing requests": requests must be signed with an access key).
fn anonymous_cell(key: &Key, action: Action) -> SyntheticCell {
    SyntheticCell {
        key: key.arn.clone(),
        action,
        outcome: Outcome::ImplicitDeny,
        statement: None,
        requires: Vec::new(),
        requires_statement: None,
        why: "KMS accepts only signed requests: an anonymous caller is refused before any policy is read, even a statement for \"*\".".to_owned(),
    }
}

/// Decides one synthetic cell, and what a `*` statement would need the caller to send.
pub(crate) fn decide_cell(
    world: &World,
    principal: &Principal,
    key: &Key,
    action: Action,
    now: Timestamp,
) -> SyntheticCell {
    let decide = |params: &RequestParams| {
        authz::decide(
            world,
            &AuthzRequest {
                caller: principal,
                action,
                target: Target::Key(key),
                params,
                now,
            },
        )
    };
    let verdict = decide(&RequestParams::default());
    let statement_ref = |index: usize| {
        key.policy
            .policy
            .statements
            .get(index)
            .map(|s| StatementRef::new(KEY_POLICY_NAME, s))
    };
    let statement = match verdict.reason {
        Reason::KeyPolicy { statement } => statement_ref(statement),
        Reason::KeyPolicyAndIam { key_statement, .. } => statement_ref(key_statement),
        _ => None,
    };
    let state_refuses = verdict.is_allowed() && check_key(key, action, now).is_err();
    let outcome = match verdict.decision {
        crate::policy::eval::Decision::Allow if state_refuses => Outcome::KeyStateRefuses,
        crate::policy::eval::Decision::Allow => Outcome::Allow,
        crate::policy::eval::Decision::ExplicitDeny => Outcome::ExplicitDeny,
        crate::policy::eval::Decision::ImplicitDeny => Outcome::ImplicitDeny,
    };
    let mut cell = SyntheticCell {
        key: key.arn.clone(),
        action,
        outcome,
        why: verdict.short_reason().to_owned(),
        statement,
        requires: Vec::new(),
        requires_statement: None,
    };
    if outcome == Outcome::ImplicitDeny {
        for s in &key.policy.policy.statements {
            let Some(needed) = presentable_conditions(s, action) else {
                continue;
            };
            if decide(&params_with(&needed)).is_allowed() {
                cell.requires = needed;
                cell.requires_statement = Some(StatementRef::new(KEY_POLICY_NAME, s));
                break;
            }
        }
    }
    cell
}

/// Condition keys that describe who the caller is: a caller cannot choose to send them, so a
/// `*` statement that tests them is pinned, not open.
pub(crate) fn is_identity_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "kms:calleraccount",
        "aws:principalarn",
        "aws:principaltype",
        "aws:userid",
        "aws:username",
        "aws:principalisawsservice",
        "aws:principalservicename",
    ]
    .contains(&key.as_str())
        || key.starts_with("aws:principaltag/")
}

/// Condition keys that describe the key, which every request on it carries whoever calls
/// (`aws:ResourceAccount`, the key's account: IAM User Guide,
/// reference_policies_condition-keys.html): a caller cannot send them, so a statement's
/// condition on one is decided as the world is, never presented as something to send.
pub(crate) fn is_resource_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("aws:ResourceAccount")
}

/// Condition keys that pin a `*` statement to an organisation or an account (then it is not
/// public).
pub(crate) fn is_org_or_account_pin(key: &str) -> bool {
    [
        "aws:principalorgid",
        "aws:principalaccount",
        "kms:calleraccount",
    ]
    .contains(&key.to_ascii_lowercase().as_str())
}

/// Whether a statement is an `Allow` for everyone (`"*"` or `{"AWS": "*"}`) covering `action`.
pub(crate) fn allows_everyone(statement: &Statement, action: Action) -> bool {
    statement.effect == crate::policy::document::Effect::Allow
        && statement.principal.as_ref().is_some_and(|p| {
            !p.negated
                && match &p.principals {
                    PrincipalSet::Everyone => true,
                    PrincipalSet::Specific(entries) => entries.iter().any(|e| e.value == "*"),
                }
        })
        && crate::policy::eval::action_applies(statement, action.name())
}

/// For a `*` statement covering `action` whose conditions the caller could satisfy by what it
/// sends: the keys and values to send. `None` when the statement is not for everyone, has no
/// conditions, or tests who the caller is.
fn presentable_conditions(statement: &Statement, action: Action) -> Option<Vec<(String, String)>> {
    if !allows_everyone(statement, action) || statement.conditions.is_empty() {
        return None;
    }
    let mut needed = Vec::new();
    for condition in &statement.conditions {
        if is_identity_key(&condition.key) || is_resource_key(&condition.key) {
            return None;
        }
        let first = condition.values.first().map(|v| v.text.as_str());
        let value = match (condition.operator.kind, first) {
            (OperatorKind::Null, Some(v)) if v.eq_ignore_ascii_case("false") => "x".to_owned(),
            (OperatorKind::Null, _) => continue,
            (
                OperatorKind::StringEquals
                | OperatorKind::StringEqualsIgnoreCase
                | OperatorKind::ArnEquals
                | OperatorKind::Bool
                | OperatorKind::NumericEquals
                | OperatorKind::DateEquals,
                Some(v),
            ) => v.to_owned(),
            (OperatorKind::StringLike | OperatorKind::ArnLike, Some(v)) => {
                v.replace(['*', '?'], "x")
            }
            (OperatorKind::IpAddress, Some(v)) => v.split('/').next().unwrap_or(v).to_owned(),
            // Negated operators hold when the key is absent; nothing to send.
            _ if condition.operator.if_exists => continue,
            (
                OperatorKind::StringNotEquals
                | OperatorKind::StringNotEqualsIgnoreCase
                | OperatorKind::StringNotLike
                | OperatorKind::ArnNotEquals
                | OperatorKind::ArnNotLike
                | OperatorKind::NotIpAddress
                | OperatorKind::NumericNotEquals
                | OperatorKind::DateNotEquals,
                _,
            ) => continue,
            _ => return None,
        };
        needed.push((condition.key.clone(), value));
    }
    (!needed.is_empty()).then_some(needed)
}

/// Request parameters carrying `pairs`: encryption-context keys as the encryption context (so
/// grant constraints see them too), `kms:ViaService` as the service, the rest as they are.
pub(crate) fn params_with(pairs: &[(String, String)]) -> RequestParams {
    const CONTEXT_PREFIX: &str = "kms:encryptioncontext:";
    let mut params = RequestParams::default();
    let mut context = BTreeMap::new();
    for (key, value) in pairs {
        let lower = key.to_ascii_lowercase();
        if lower.starts_with(CONTEXT_PREFIX) {
            let pair_key = key.get(CONTEXT_PREFIX.len()..).unwrap_or_default();
            context.insert(pair_key.to_owned(), value.clone());
        } else if lower == "kms:viaservice" {
            params.via_service = Some(value.clone());
        } else if lower == "kms:encryptioncontextkeys" {
            context.insert(value.clone(), "x".to_owned());
        } else {
            params
                .context
                .insert(key.clone(), ContextValue::Single(value.clone()));
        }
    }
    if !context.is_empty() {
        params.encryption_context = Some(context);
    }
    params
}
