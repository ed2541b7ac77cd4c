//! The audit: findings about a world that call for a look.
//!
//! - `public` (error): a key-policy statement for `*` lets a principal of any account use the
//!   key (KMS Developer Guide, key-policy-overview.html: `"AWS": "*"` without conditions gives
//!   every identity in every account access, limited only by their own IAM policies). A `*`
//!   statement whose conditions pin the caller to an organisation or account
//!   (`aws:PrincipalOrgID`, `aws:PrincipalAccount`, `kms:CallerAccount`) is not public.
//! - `cross-account` (warning): a principal of another account can use the key, by the key
//!   policy or by a grant (key-policy-modifying-external-accounts.html).
//! - `escalation` (warning): a principal can give itself access it does not have now
//!   ([`super::escalation`]).
//! - `no-admin` (error): no principal of the world can change the key policy any more; AWS
//!   Support is then the only way back (key-policy-default.html, "Allows access to the AWS
//!   account and enables IAM policies").
//! - `unused-statement` (info): an `Allow` that gives no listed or synthetic principal anything
//!   it does not get elsewhere.
//! - `grant-outlives` (warning): a grant whose grantee is not a principal of the world.

use super::edit::{Names, statements_of};
use super::escalation::{EscalationPath, allowed_by_parts, reachable};
use super::synthetic::{SyntheticKind, SyntheticWorld, decide_cell, is_org_or_account_pin};
use super::{Outcome, Universe};
use crate::authz::{self, AuthzRequest, RequestParams, Target};
use crate::catalog::{Action, PermissionSource};
use crate::entropy::Timestamp;
use crate::matrix::Matrix;
use crate::policy::document::{Effect, PrincipalKey, PrincipalSet};
use crate::policy::eval::StatementRef;
use crate::policy::{Policy, Statement, eval, pattern};
use crate::request::PrincipalArn;
use crate::world::{Principal, World};
use serde::Serialize;

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// Anyone can use the key.
    Public,
    /// A principal of another account can use the key.
    CrossAccount,
    /// A principal can give itself access.
    Escalation,
    /// Nobody can change the key policy.
    NoAdmin,
    /// An Allow statement that allows nothing new.
    UnusedStatement,
    /// A grant whose grantee does not exist.
    GrantOutlives,
}

impl FindingKind {
    /// The kind's severity.
    pub fn severity(self) -> Severity {
        match self {
            FindingKind::Public | FindingKind::NoAdmin => Severity::Error,
            FindingKind::CrossAccount | FindingKind::Escalation | FindingKind::GrantOutlives => {
                Severity::Warning
            }
            FindingKind::UnusedStatement => Severity::Info,
        }
    }
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Worth a look.
    Warning,
    /// Almost certainly wrong.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// What it is about.
    pub kind: FindingKind,
    /// How serious.
    pub severity: Severity,
    /// The key's name.
    pub key: Option<String>,
    /// The key's ARN (for the app's column headers).
    #[serde(skip)]
    pub key_arn: Option<String>,
    /// The principal's name or ARN.
    pub principal: Option<String>,
    /// The action or actions concerned.
    pub action: Option<String>,
    /// The statement that causes it (`default: "Sid"`, `AliceKms: Statement[0]`).
    pub statement: Option<String>,
    /// The chain behind it: statements, grants, permissions.
    pub via: Vec<String>,
    /// The finding in a sentence.
    pub message: String,
}

/// The actions a principal of another account can ever be allowed on a symmetric key.
fn cross_account_actions() -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| a.cross_account() && symmetric_key_action(*a))
        .collect()
}

/// The actions a symmetric key's policy or a grant can allow.
fn symmetric_key_action(action: Action) -> bool {
    action.permission_source() == PermissionSource::KeyPolicy
        && crate::catalog::some_key_supports(action)
}

/// Audits `world`: findings over the universe's principals and keys, synthetic principals of
/// `account` ("this account") included, sorted by severity (errors first), then kind and key.
pub fn audit(
    world: &World,
    universe: &Universe,
    names: &Names,
    account: &str,
    now: Timestamp,
) -> Vec<Finding> {
    let synthetic = SyntheticWorld::new(world, account);
    let mut findings = Vec::new();
    for id in &universe.keys {
        outside_findings(world, &synthetic, names, id, now, &mut findings);
        no_admin_finding(world, names, id, now, &mut findings);
    }
    for escalation in reachable(world, universe, now) {
        if escalation.path == EscalationPath::CreateKey {
            continue;
        }
        let key_name = escalation.key.as_ref().map(|k| names.key(world, k));
        findings.push(Finding {
            kind: FindingKind::Escalation,
            severity: FindingKind::Escalation.severity(),
            key: key_name,
            key_arn: escalation.key.clone(),
            principal: Some(names.principal(world, escalation.principal.as_str())),
            action: Some(
                escalation
                    .gains
                    .iter()
                    .map(|a| a.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            statement: Some(escalation.via.clone()),
            via: vec![
                escalation.via.clone(),
                escalation.path.permission().to_owned(),
            ],
            message: escalation.sentence(world, names),
        });
    }
    unused_statements(&synthetic, universe, names, now, &mut findings);
    for grant in world.grants.all().filter(|g| g.is_active()) {
        if grant
            .grantee
            .arn()
            .is_some_and(|arn| world.principal(arn).is_some())
        {
            continue;
        }
        let key = world.keys.get_by_arn(&grant.key_arn);
        findings.push(Finding {
            kind: FindingKind::GrantOutlives,
            severity: FindingKind::GrantOutlives.severity(),
            key: key.map(|k| names.key(world, &k.arn)),
            key_arn: key.map(|k| k.arn.clone()),
            principal: Some(grant.grantee.to_string()),
            action: Some(
                grant
                    .operations
                    .iter()
                    .map(|a| a.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            statement: None,
            via: vec![format!("grant {}", grant.id.as_str())],
            message: format!(
                "Grant {} names {}, which is not a principal of this world: retire or revoke it before someone of that name appears.",
                grant.id.as_str(),
                grant.grantee
            ),
        });
    }
    crate::sort::sort_by(&mut findings, |a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.kind.cmp(&b.kind))
            .then(a.key.cmp(&b.key))
    });
    findings
}

/// A statement for `*` that lets outside principals in: the actions, and the condition keys a
/// caller must send (empty when none).
type OpenStatement = (StatementRef, Vec<Action>, Vec<(String, String)>);

/// `public` and `cross-account` findings for one key.
fn outside_findings(
    world: &World,
    synthetic: &SyntheticWorld,
    names: &Names,
    id: &str,
    now: Timestamp,
    findings: &mut Vec<Finding>,
) {
    let Some(key) = synthetic.world.keys.get_by_arn(id) else {
        return;
    };
    let key_name = names.key(world, id);
    let actions = cross_account_actions();
    // Statements for "*": decided for a fresh principal of another account and a fresh service.
    let mut by_statement: Vec<OpenStatement> = Vec::new();
    for kind in [SyntheticKind::OtherAccount, SyntheticKind::Service] {
        let Some(principal) = synthetic.principal(kind) else {
            continue;
        };
        for &action in &actions {
            let cell = decide_cell(&synthetic.world, principal, key, action, now);
            if !cell.may_use() {
                continue;
            }
            let Some(statement) = cell.statement.clone().or(cell.requires_statement.clone()) else {
                continue;
            };
            match by_statement.iter_mut().find(|(s, _, _)| *s == statement) {
                Some((_, list, _)) if !list.contains(&action) => list.push(action),
                Some(_) => {}
                None => by_statement.push((statement, vec![action], cell.requires.clone())),
            }
        }
    }
    for (statement, actions, requires) in by_statement {
        let pinned = key
            .policy
            .policy
            .statements
            .get(statement.index)
            .is_some_and(|s| s.conditions.iter().any(|c| is_org_or_account_pin(&c.key)));
        let kind = if pinned {
            FindingKind::CrossAccount
        } else {
            FindingKind::Public
        };
        let list: Vec<&str> = actions.iter().map(|a| a.name()).collect();
        let who = if requires.is_empty() {
            "anyone in any AWS account whose own IAM policy allows it".to_owned()
        } else {
            format!(
                "anyone who sends {}",
                requires
                    .iter()
                    .map(|(k, v)| format!("`{k} = {v}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        };
        findings.push(Finding {
            kind,
            severity: kind.severity(),
            key: Some(key_name.clone()),
            key_arn: Some(id.to_owned()),
            principal: Some("*".to_owned()),
            action: Some(list.join(", ")),
            statement: Some(statement.label()),
            via: requires.iter().map(|(k, v)| format!("{k} = {v}")).collect(),
            message: format!(
                "{} lets {who} call {} on {key_name}.",
                statement.label(),
                list.join(", ")
            ),
        });
    }
    // Principals of other accounts: listed ones, and a fresh one with full IAM permissions in
    // each account the key policy names.
    let mut outside_world = world.clone();
    let mut callers: Vec<PrincipalArn> = world
        .principals()
        .filter(|p| p.account != key.account)
        .filter_map(|p| p.arn().cloned())
        .collect();
    for account in named_accounts(world, id) {
        if account == key.account {
            continue;
        }
        if outside_world.account(&account).is_none()
            && outside_world.add_account(&account, &account).is_err()
        {
            continue;
        }
        if let Ok(arn) = outside_world.add_user(&account, "AnyPrincipalWithFullIam") {
            if outside_world
                .put_identity_policy(
                    &arn,
                    "AllowEverything",
                    r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
                )
                .is_ok()
            {
                callers.push(arn);
            }
        }
    }
    let Some(key) = outside_world.keys.get_by_arn(id) else {
        return;
    };
    for arn in callers {
        let Some(caller) = outside_world.principal(&arn) else {
            continue;
        };
        let mut allowed = Vec::new();
        let mut via = None;
        for &action in &actions {
            let verdict = authz::decide(
                &outside_world,
                &AuthzRequest {
                    caller,
                    action,
                    target: Target::Key(key),
                    params: &RequestParams::default(),
                    now,
                },
            );
            if verdict.is_allowed() {
                allowed.push(action.name());
                via.get_or_insert_with(|| {
                    allowed_by_parts(&outside_world, caller, Some(key), verdict.reason)
                });
            }
        }
        let Some(via) = via else {
            continue;
        };
        let statement = via.first().cloned().unwrap_or_default();
        // A `*` statement already reported as public or cross-account covers this one.
        if findings
            .iter()
            .any(|f| f.key_arn.as_deref() == Some(id) && f.statement.as_ref() == Some(&statement))
        {
            continue;
        }
        let who = if world.principal(&arn).is_some() {
            names.principal(world, arn.as_str())
        } else {
            format!("any principal of account {}", caller.account)
        };
        findings.push(Finding {
            kind: FindingKind::CrossAccount,
            severity: FindingKind::CrossAccount.severity(),
            key: Some(key_name.clone()),
            key_arn: Some(id.to_owned()),
            principal: Some(who.clone()),
            action: Some(allowed.join(", ")),
            statement: Some(statement),
            message: format!(
                "{who} (account {}) can call {} on {key_name}, allowed by {}.",
                caller.account,
                allowed.join(", "),
                via.join(" and ")
            ),
            via,
        });
    }
}

/// The accounts a key's policy allows by account principal or by a principal's ARN.
fn named_accounts(world: &World, id: &str) -> Vec<String> {
    let Some(key) = world.keys.get_by_arn(id) else {
        return Vec::new();
    };
    let mut accounts: Vec<String> = Vec::new();
    for statement in &key.policy.policy.statements {
        if statement.effect != Effect::Allow {
            continue;
        }
        let Some(block) = &statement.principal else {
            continue;
        };
        let PrincipalSet::Specific(entries) = &block.principals else {
            continue;
        };
        for entry in entries.iter().filter(|e| e.kind == PrincipalKey::Aws) {
            let value = entry.normalized.as_str();
            let account = if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                Some(value)
            } else {
                value.split(':').nth(4)
            };
            if let Some(account) = account.filter(|a| !a.is_empty()) {
                if !accounts.iter().any(|a| a == account) {
                    accounts.push(account.to_owned());
                }
            }
        }
    }
    accounts
}

/// `no-admin`: nobody in the world may call PutKeyPolicy on the key.
fn no_admin_finding(
    world: &World,
    names: &Names,
    id: &str,
    now: Timestamp,
    findings: &mut Vec<Finding>,
) {
    let Some(key) = world.keys.get_by_arn(id) else {
        return;
    };
    let params = RequestParams::default();
    let can_manage = |caller: &Principal| {
        authz::decide(
            world,
            &AuthzRequest {
                caller,
                action: Action::PutKeyPolicy,
                target: Target::Key(key),
                params: &params,
                now,
            },
        )
        .is_allowed()
    };
    if world.principals().any(|p| can_manage(p)) {
        return;
    }
    let key_name = names.key(world, id);
    findings.push(Finding {
        kind: FindingKind::NoAdmin,
        severity: FindingKind::NoAdmin.severity(),
        key: Some(key_name.clone()),
        key_arn: Some(id.to_owned()),
        principal: None,
        action: Some(Action::PutKeyPolicy.name().to_owned()),
        statement: None,
        via: Vec::new(),
        message: format!(
            "Nobody can change the key policy of {key_name}, not even the account's root user: the key can no longer be managed (only AWS Support can help). Allow the account principal arn:aws:iam::{}:root, or a key administrator, kms:PutKeyPolicy.",
            key.account
        ),
    });
}

/// The actions an unused-statement check compares: every action a symmetric key's policy can
/// allow.
fn key_actions() -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| symmetric_key_action(*a))
        .collect()
}

/// Whether `statement`'s `Principal` names an AWS service (`{"Service": "cloudtrail.amazonaws.com"}`):
/// the rows compared are IAM principals, so what it gives that service is not judged here.
fn names_a_service(statement: &Statement) -> bool {
    statement.principal.as_ref().is_some_and(|block| {
        !block.negated
            && matches!(&block.principals, crate::policy::document::PrincipalSet::Specific(entries)
                if entries.iter().any(|e| e.kind == crate::policy::document::PrincipalKey::Service))
    })
}

/// `unused-statement`: key-policy and identity-policy `Allow` statements whose removal changes no
/// cell of any listed or synthetic principal.
fn unused_statements(
    synthetic: &SyntheticWorld,
    universe: &Universe,
    names: &Names,
    now: Timestamp,
    findings: &mut Vec<Finding>,
) {
    let actions = key_actions();
    let mut principals: Vec<PrincipalArn> = universe.principals.clone();
    principals.extend(synthetic.arns.values().cloned());
    let world = &synthetic.world;
    // Removing a statement can change only the actions it names, and (for an identity
    // statement) only the keys its Resource covers: each trial decides just those cells, in the
    // world with and without the statement.
    let unchanged =
        |edited: &World, rows: &[PrincipalArn], keys: &[String], statement: &Statement| {
            let relevant: Vec<Action> = actions
                .iter()
                .copied()
                .filter(|a| eval::action_applies(statement, a.name()))
                .collect();
            if relevant.is_empty() || rows.is_empty() || keys.is_empty() {
                return true;
            }
            let before = Matrix::compute(world, rows, keys, &relevant, now);
            let after = Matrix::compute(edited, rows, keys, &relevant, now);
            before
                .cells()
                .zip(after.cells())
                .all(|(b, a)| Outcome::of_cell(b.cell) == Outcome::of_cell(a.cell))
        };
    for id in &universe.keys {
        let Some(key) = world.keys.get_by_arn(id) else {
            continue;
        };
        for (index, statement) in key.policy.policy.statements.iter().enumerate() {
            if statement.effect != Effect::Allow
                || statement.action.is_none()
                || names_a_service(statement)
            {
                continue;
            }
            // Judged on the parsed policy: a key policy cannot be saved without statements, but
            // the question is only what this one adds.
            let mut without = Policy::clone(&key.policy.policy);
            without.statements.remove(index);
            let mut edited = world.clone();
            if let Some(target) = edited.keys.get_mut_by_arn(id) {
                target.policy.policy = std::sync::Arc::new(without);
            }
            // Only callers its Principal element covers can lose anything by its removal.
            let covered: Vec<PrincipalArn> = principals
                .iter()
                .filter(|arn| {
                    world.principal(arn).is_some_and(|p| {
                        eval::principal_applies(statement, p.request_principal())
                            != eval::PrincipalMatch::NoMatch
                    })
                })
                .cloned()
                .collect();
            if unchanged(&edited, &covered, std::slice::from_ref(id), statement) {
                let label = StatementRef::new(authz::KEY_POLICY_NAME, statement).label();
                let key_name = names.key(world, id);
                findings.push(unused_finding(
                    Some((key_name.clone(), id.clone())),
                    None,
                    label.clone(),
                    format!(
                        "{label} of {key_name} allows no listed or synthetic principal anything it does not get elsewhere{}.",
                        conditions_note(statement)
                    ),
                ));
            }
        }
    }
    for arn in &universe.principals {
        let Some(principal) = world.principal(arn) else {
            continue;
        };
        if principal.request_principal().role_arn.is_some()
            && !matches!(principal.kind, crate::world::PrincipalKind::Role { .. })
        {
            // A session uses its role's policies: the role's own row judges them.
            continue;
        }
        for named in &principal.policies {
            let Some((_, statements)) = statements_of(&named.text) else {
                continue;
            };
            for (index, statement) in named.policy.statements.iter().enumerate() {
                if statement.effect != Effect::Allow || index >= statements.len() {
                    continue;
                }
                let mut without = statements.clone();
                without.remove(index);
                let mut edited = world.clone();
                let edit = if without.is_empty() {
                    edited.delete_identity_policy(arn, &named.name)
                } else {
                    let text = replace_statements(&named.text, without);
                    edited.put_identity_policy(arn, &named.name, &text)
                };
                if edit.is_err() {
                    continue;
                }
                let rows: Vec<PrincipalArn> = principals
                    .iter()
                    .filter(|p| {
                        *p == arn
                            || world.principal(p).is_some_and(|q| {
                                q.request_principal().role_arn.as_ref() == Some(arn)
                            })
                    })
                    .cloned()
                    .collect();
                let keys = keys_covered(world, statement, &universe.keys);
                if unchanged(&edited, &rows, &keys, statement)
                    && iam_only_unchanged(world, &edited, arn, now)
                {
                    let label = StatementRef::new(named.name.as_str(), statement).label();
                    let who = names.principal(world, arn.as_str());
                    findings.push(unused_finding(
                        None,
                        Some(who.clone()),
                        label.clone(),
                        format!(
                            "{label} of {who} allows nothing on the keys: no key policy lets it count, or something else already allows or denies what it allows."
                        ),
                    ));
                }
            }
        }
    }
}

/// The keys an identity statement's `Resource` can cover: all of them for `NotResource` or a
/// pattern with a policy variable, else those whose ARN a pattern matches.
fn keys_covered(world: &World, statement: &Statement, keys: &[String]) -> Vec<String> {
    let Some(block) = &statement.resource else {
        return Vec::new();
    };
    if block.negated || block.patterns.iter().any(|p| p.text.contains("${")) {
        return keys.to_vec();
    }
    keys.iter()
        .filter(|id| {
            world.keys.get_by_arn(id).is_some_and(|key| {
                block
                    .patterns
                    .iter()
                    .any(|p| pattern::resource_matches(p.text.as_str(), &key.arn))
            })
        })
        .cloned()
        .collect()
}

/// Whether the IAM-only actions (CreateKey, ListKeys, ...) come out the same in both worlds.
fn iam_only_unchanged(before: &World, after: &World, arn: &PrincipalArn, now: Timestamp) -> bool {
    let params = RequestParams::default();
    let decide = |world: &World, action: Action| {
        world.principal(arn).map(|caller| {
            authz::decide(
                world,
                &AuthzRequest {
                    caller,
                    action,
                    target: Target::Account,
                    params: &params,
                    now,
                },
            )
            .decision
        })
    };
    Action::ALL
        .iter()
        .filter(|a| a.permission_source() == PermissionSource::IamOnly)
        .all(|&a| decide(before, a) == decide(after, a))
}

/// For a statement with conditions: which keys it tests, since a direct call without them is
/// what the audit asks about (a console grant statement serves AWS services, for example).
fn conditions_note(statement: &crate::policy::Statement) -> String {
    if statement.conditions.is_empty() {
        return String::new();
    }
    let keys: Vec<&str> = statement
        .conditions
        .iter()
        .map(|c| c.key.as_str())
        .collect();
    let tested = match keys.as_slice() {
        [one] => format!("its condition on {one} holds"),
        _ => format!("its conditions on {} hold", keys.join(", ")),
    };
    format!(
        " in a direct call (it applies only when {tested}, as in a request an AWS service makes for a user)"
    )
}

fn unused_finding(
    key: Option<(String, String)>,
    principal: Option<String>,
    label: String,
    message: String,
) -> Finding {
    Finding {
        kind: FindingKind::UnusedStatement,
        severity: FindingKind::UnusedStatement.severity(),
        key_arn: key.as_ref().map(|(_, id)| id.clone()),
        key: key.map(|(name, _)| name),
        principal,
        action: None,
        statement: Some(label.clone()),
        via: vec![label],
        message,
    }
}

/// `text` with its statements replaced.
fn replace_statements(text: &str, statements: Vec<serde_json::Value>) -> String {
    let Some((mut document, _)) = statements_of(text) else {
        return text.to_owned();
    };
    document.insert("Statement".to_owned(), serde_json::Value::Array(statements));
    serde_json::to_string_pretty(&serde_json::Value::Object(document)).unwrap_or_default()
}
