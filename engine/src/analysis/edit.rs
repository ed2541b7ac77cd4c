//! Concrete edits to a world: a statement added to, removed from or replaced in a key policy or
//! an identity policy, a grant created or retired, a key enabled or its deletion cancelled.
//!
//! A [`Change`] says exactly what it does and where (the statement's JSON, the policy it goes
//! into), so people can make the same edit by hand; [`apply_changes`] makes it on a world, the way
//! an administrator would, through the world's own setters (which reject a policy KMS would
//! reject).

use crate::entropy::{SeededRandomness, Timestamp};
use crate::request::PrincipalArn;
use crate::store::KeyState;
use crate::store::grants::{EndKind, GrantId, NewGrant, parse_operation};
use crate::world::{PrincipalKind, World, WorldError};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One edit of a world.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// Append `statement` to the key policy of `key`.
    AddKeyPolicyStatement {
        /// The key.
        key: String,
        /// The new statement.
        statement: Value,
    },
    /// Remove statement number `index` (from 0) of the key policy of `key`.
    RemoveKeyPolicyStatement {
        /// The key.
        key: String,
        /// The statement's position.
        index: usize,
        /// The statement removed.
        statement: Value,
    },
    /// Replace statement number `index` of the key policy of `key` by a narrower one.
    ReplaceKeyPolicyStatement {
        /// The key.
        key: String,
        /// The statement's position.
        index: usize,
        /// The statement as it was.
        before: Value,
        /// The statement as it becomes.
        after: Value,
    },
    /// Append `statement` to identity policy `policy` of `principal` (a user or role), creating
    /// the policy if the principal has none of that name.
    AddIdentityStatement {
        /// The user or role holding the policy.
        principal: PrincipalArn,
        /// The policy's name.
        policy: String,
        /// The new statement.
        statement: Value,
    },
    /// Remove statement number `index` of identity policy `policy` of `principal`.
    RemoveIdentityStatement {
        /// The user or role holding the policy.
        principal: PrincipalArn,
        /// The policy's name.
        policy: String,
        /// The statement's position.
        index: usize,
        /// The statement removed.
        statement: Value,
    },
    /// Replace statement number `index` of identity policy `policy` of `principal`.
    ReplaceIdentityStatement {
        /// The user or role holding the policy.
        principal: PrincipalArn,
        /// The policy's name.
        policy: String,
        /// The statement's position.
        index: usize,
        /// The statement as it was.
        before: Value,
        /// The statement as it becomes.
        after: Value,
    },
    /// Remove statement number `index` of inline policy `policy` of group `group`: every member
    /// loses it.
    RemoveGroupStatement {
        /// The group's ARN.
        group: String,
        /// The policy's name.
        policy: String,
        /// The statement's position.
        index: usize,
        /// The statement removed.
        statement: Value,
    },
    /// Replace statement number `index` of inline policy `policy` of group `group`.
    ReplaceGroupStatement {
        /// The group's ARN.
        group: String,
        /// The policy's name.
        policy: String,
        /// The statement's position.
        index: usize,
        /// The statement as it was.
        before: Value,
        /// The statement as it becomes.
        after: Value,
    },
    /// Append `statement` to managed policy `policy` (a new default version): every user, group
    /// and role it is attached to, or whose permissions boundary it is, gets it.
    AddManagedStatement {
        /// The managed policy's ARN.
        policy: String,
        /// The new statement.
        statement: Value,
    },
    /// Remove statement number `index` of managed policy `policy` (a new default version):
    /// every user, group and role it is attached to loses it.
    RemoveManagedStatement {
        /// The managed policy's ARN.
        policy: String,
        /// The statement's position.
        index: usize,
        /// The statement removed.
        statement: Value,
    },
    /// Replace statement number `index` of managed policy `policy` (a new default version).
    ReplaceManagedStatement {
        /// The managed policy's ARN.
        policy: String,
        /// The statement's position.
        index: usize,
        /// The statement as it was.
        before: Value,
        /// The statement as it becomes.
        after: Value,
    },
    /// CreateGrant on `key` for `grantee` with `operations`. Until the grant is consistent
    /// (about five minutes) the grantee passes the returned grant token to use it at once.
    CreateGrant {
        /// The key.
        key: String,
        /// The grantee's ARN.
        grantee: PrincipalArn,
        /// The grant operations, such as `Decrypt`.
        operations: Vec<String>,
    },
    /// RetireGrant (or RevokeGrant) of grant `grant_id` on `key`.
    RetireGrant {
        /// The key.
        key: String,
        /// The grant.
        grant_id: String,
    },
    /// EnableKey on a disabled key.
    EnableKey {
        /// The key.
        key: String,
    },
    /// CancelKeyDeletion, then EnableKey: cancelling leaves the key `Disabled` (KMS Developer
    /// Guide, deleting-keys-scheduling-key-deletion.html).
    CancelKeyDeletion {
        /// The key.
        key: String,
    },
}

/// People's names for keys and principals, as a scenario gives them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    keys: BTreeMap<String, String>,
    principals: BTreeMap<String, String>,
}

impl Names {
    /// Names from a scenario, for the keys and principals it declares.
    pub fn of_scenario(scenario: &crate::scenario::Scenario, world: &World) -> Names {
        let mut names = Names::default();
        for k in &scenario.keys {
            if let Some(key) = world.keys.get_by_arn(&k.arn) {
                names.keys.insert(key.arn.clone(), k.name.clone());
            }
        }
        for p in &scenario.principals {
            names.principals.insert(p.arn.to_string(), p.name.clone());
        }
        names
    }

    /// Adds or replaces a principal's name.
    pub fn set_principal(&mut self, arn: &str, name: &str) {
        self.principals.insert(arn.to_owned(), name.to_owned());
    }

    /// Adds or replaces a key's name.
    pub fn set_key(&mut self, key: &str, name: &str) {
        self.keys.insert(key.to_owned(), name.to_owned());
    }

    /// A key's name (`key` is its key ARN): the scenario's, else its first alias, else its id.
    pub fn key(&self, world: &World, key: &str) -> String {
        if let Some(name) = self.keys.get(key) {
            return name.clone();
        }
        let Some(found) = world.keys.get_by_arn(key) else {
            return key.to_owned();
        };
        world
            .keys
            .aliases_for(found)
            .next()
            .map(|a| a.name.trim_start_matches("alias/").to_owned())
            .unwrap_or_else(|| found.id.to_string())
    }

    /// A principal's name: the scenario's, else its display name, else the ARN.
    pub fn principal(&self, world: &World, arn: &str) -> String {
        if let Some(name) = self.principals.get(arn) {
            return name.clone();
        }
        world
            .find_principal(arn)
            .map_or_else(|| arn.to_owned(), |p| p.display_name())
    }
}

impl Change {
    /// The key or principal the change edits, and whether it is a key (its column changes) or a
    /// principal's identity policy (its row changes).
    pub(crate) fn scope(&self) -> Scope<'_> {
        match self {
            Change::AddKeyPolicyStatement { key, .. }
            | Change::RemoveKeyPolicyStatement { key, .. }
            | Change::ReplaceKeyPolicyStatement { key, .. }
            | Change::CreateGrant { key, .. }
            | Change::RetireGrant { key, .. }
            | Change::EnableKey { key }
            | Change::CancelKeyDeletion { key } => Scope::Key(key),
            Change::AddIdentityStatement { principal, .. }
            | Change::RemoveIdentityStatement { principal, .. }
            | Change::ReplaceIdentityStatement { principal, .. } => Scope::Principal(principal),
            Change::RemoveGroupStatement { .. }
            | Change::ReplaceGroupStatement { .. }
            | Change::AddManagedStatement { .. }
            | Change::RemoveManagedStatement { .. }
            | Change::ReplaceManagedStatement { .. } => Scope::Principals,
        }
    }

    /// The change in a sentence, with the scenario's names.
    pub fn describe(&self, world: &World, names: &Names) -> String {
        let key = |k: &String| names.key(world, k);
        let who = |p: &str| names.principal(world, p);
        let group_name = |g: &str| {
            world
                .group(g)
                .map_or_else(|| g.to_owned(), |g| g.name.clone())
        };
        let sid = |s: &Value| {
            s.get("Sid")
                .and_then(Value::as_str)
                .map(|sid| format!(" \"{sid}\""))
                .unwrap_or_default()
        };
        match self {
            Change::AddKeyPolicyStatement { key: k, statement } => {
                format!(
                    "add statement{} to the key policy of {}",
                    sid(statement),
                    key(k)
                )
            }
            Change::RemoveKeyPolicyStatement {
                key: k,
                index,
                statement,
            } => format!(
                "remove statement {index}{} from the key policy of {}",
                sid(statement),
                key(k)
            ),
            Change::ReplaceKeyPolicyStatement {
                key: k,
                index,
                before,
                ..
            } => format!(
                "narrow statement {index}{} of the key policy of {}",
                sid(before),
                key(k)
            ),
            Change::AddIdentityStatement {
                principal,
                policy,
                statement,
            } => format!(
                "add statement{} to IAM policy {policy} of {}",
                sid(statement),
                who(principal.as_str())
            ),
            Change::RemoveIdentityStatement {
                principal,
                policy,
                index,
                statement,
            } => format!(
                "remove statement {index}{} from IAM policy {policy} of {}",
                sid(statement),
                who(principal.as_str())
            ),
            Change::ReplaceIdentityStatement {
                principal,
                policy,
                index,
                before,
                ..
            } => format!(
                "narrow statement {index}{} of IAM policy {policy} of {}",
                sid(before),
                who(principal.as_str())
            ),
            Change::RemoveGroupStatement {
                group,
                policy,
                index,
                statement,
            } => format!(
                "remove statement {index}{} from policy {policy} of group {}",
                sid(statement),
                group_name(group)
            ),
            Change::ReplaceGroupStatement {
                group,
                policy,
                index,
                before,
                ..
            } => format!(
                "narrow statement {index}{} of policy {policy} of group {}",
                sid(before),
                group_name(group)
            ),
            Change::AddManagedStatement { policy, statement } => format!(
                "add statement{} to managed policy {policy} (a new default version, for everyone it is attached to or bounds)",
                sid(statement)
            ),
            Change::RemoveManagedStatement {
                policy,
                index,
                statement,
            } => format!(
                "remove statement {index}{} from managed policy {policy} (a new default version, for everyone it is attached to)",
                sid(statement)
            ),
            Change::ReplaceManagedStatement {
                policy,
                index,
                before,
                ..
            } => format!(
                "narrow statement {index}{} of managed policy {policy} (a new default version, for everyone it is attached to)",
                sid(before)
            ),
            Change::CreateGrant {
                key: k,
                grantee,
                operations,
            } => format!(
                "create a grant on {} for {} with operations {} (pass its grant token to use it at once)",
                key(k),
                who(grantee.as_str()),
                operations.join(", ")
            ),
            Change::RetireGrant { key: k, grant_id } => {
                format!("retire grant {grant_id} on {}", key(k))
            }
            Change::EnableKey { key: k } => format!("enable {}", key(k)),
            Change::CancelKeyDeletion { key: k } => {
                format!("cancel the deletion of {} and enable it", key(k))
            }
        }
    }
}

/// What a change touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope<'a> {
    /// A key's column.
    Key(&'a String),
    /// A principal's row (and its sessions' rows, for a role).
    Principal(&'a PrincipalArn),
    /// Any principal's row: a group's or a managed policy's edit.
    Principals,
}

/// Makes `changes` on `world`, in order, at `now`. Grants are created already in effect, as
/// scenario files hold them.
pub fn apply_changes(
    world: &mut World,
    changes: &[Change],
    now: Timestamp,
) -> Result<(), WorldError> {
    for change in changes {
        apply(world, change, now)?;
    }
    Ok(())
}

fn apply(world: &mut World, change: &Change, now: Timestamp) -> Result<(), WorldError> {
    match change {
        Change::AddKeyPolicyStatement { key, statement } => {
            edit_key_policy(world, key, |list| push(list, statement))
        }
        Change::RemoveKeyPolicyStatement { key, index, .. } => {
            edit_key_policy(world, key, |list| remove(list, *index))
        }
        Change::ReplaceKeyPolicyStatement {
            key, index, after, ..
        } => edit_key_policy(world, key, |list| replace(list, *index, after)),
        Change::AddIdentityStatement {
            principal,
            policy,
            statement,
        } => edit_identity_policy(world, principal, policy, true, |list| push(list, statement)),
        Change::RemoveIdentityStatement {
            principal,
            policy,
            index,
            ..
        } => edit_identity_policy(world, principal, policy, false, |list| remove(list, *index)),
        Change::ReplaceIdentityStatement {
            principal,
            policy,
            index,
            after,
            ..
        } => edit_identity_policy(world, principal, policy, false, |list| {
            replace(list, *index, after)
        }),
        Change::RemoveGroupStatement {
            group,
            policy,
            index,
            ..
        } => edit_group_policy(world, group, policy, |list| remove(list, *index)),
        Change::ReplaceGroupStatement {
            group,
            policy,
            index,
            after,
            ..
        } => edit_group_policy(world, group, policy, |list| replace(list, *index, after)),
        Change::AddManagedStatement { policy, statement } => {
            edit_managed_policy(world, policy, |list| push(list, statement))
        }
        Change::RemoveManagedStatement { policy, index, .. } => {
            edit_managed_policy(world, policy, |list| remove(list, *index))
        }
        Change::ReplaceManagedStatement {
            policy,
            index,
            after,
            ..
        } => edit_managed_policy(world, policy, |list| replace(list, *index, after)),
        Change::CreateGrant {
            key,
            grantee,
            operations,
        } => {
            let key = world
                .keys
                .get_by_arn(key)
                .ok_or_else(|| WorldError::UnknownKey(key.to_string()))?;
            let spec = NewGrant {
                key_arn: key.arn.clone(),
                grantee: grantee.clone().into(),
                retiring: None,
                operations: operations
                    .iter()
                    .filter_map(|o| parse_operation(o))
                    .collect(),
                constraints: None,
                name: None,
                issuing_account: key.account.clone(),
                created_by: PrincipalArn::account_root(&key.account)
                    .map_err(|e| WorldError::UnknownAccount(e.0))?,
            };
            let created = now.plus_millis(-world.grants.propagation_window_millis());
            let seed = world.grants.all().count() as u64;
            world
                .grants
                .create(spec, created, &mut SeededRandomness::new(seed))
                .map_err(|e| WorldError::Kms(e.into()))?;
            Ok(())
        }
        Change::RetireGrant { key, grant_id } => {
            let by = world
                .keys
                .get_by_arn(key)
                .ok_or_else(|| WorldError::UnknownKey(key.to_string()))
                .and_then(|k| {
                    PrincipalArn::account_root(&k.account)
                        .map_err(|e| WorldError::UnknownAccount(e.0))
                })?;
            if world
                .grants
                .end(&GrantId::from_text(grant_id), EndKind::Retired, &by, now)
            {
                Ok(())
            } else {
                Err(WorldError::UnknownKey(format!("{key} (grant {grant_id})")))
            }
        }
        Change::EnableKey { key } => world.set_key_enabled(key, true),
        Change::CancelKeyDeletion { key } => {
            let target = world
                .keys
                .get_mut_by_arn(key)
                .ok_or_else(|| WorldError::UnknownKey(key.to_string()))?;
            target.state = KeyState::Enabled;
            Ok(())
        }
    }
}

/// A policy's statements as a list (a single statement object becomes a list of one).
pub(crate) fn statements_of(text: &str) -> Option<(Map<String, Value>, Vec<Value>)> {
    let Value::Object(mut document) = serde_json::from_str::<Value>(text).ok()? else {
        return None;
    };
    let statements = match document.remove("Statement") {
        Some(Value::Array(list)) => list,
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    Some((document, statements))
}

/// A policy document from its other members and its statements, pretty-printed.
fn document_text(mut document: Map<String, Value>, statements: Vec<Value>) -> String {
    document.insert("Statement".to_owned(), Value::Array(statements));
    serde_json::to_string_pretty(&Value::Object(document)).unwrap_or_default()
}

fn unreadable(what: &str) -> WorldError {
    WorldError::InvalidPolicy(vec![crate::diagnostics::Diagnostic::new(
        &crate::diagnostics::LineIndex::new(""),
        crate::diagnostics::Severity::Error,
        "analysis",
        format!("{what}: the edit does not fit the policy as it is now"),
        String::new(),
        crate::diagnostics::Span::default(),
    )])
}

fn edit_key_policy(
    world: &mut World,
    key: &str,
    edit: impl FnOnce(&mut Vec<Value>) -> bool,
) -> Result<(), WorldError> {
    let text = world
        .keys
        .get_by_arn(key)
        .map(|k| k.policy.text.to_string())
        .ok_or_else(|| WorldError::UnknownKey(key.to_string()))?;
    let (document, mut statements) =
        statements_of(&text).ok_or_else(|| unreadable("key policy"))?;
    if !edit(&mut statements) {
        return Err(unreadable("key policy"));
    }
    world.set_key_policy(key, &document_text(document, statements))
}

fn edit_identity_policy(
    world: &mut World,
    principal: &PrincipalArn,
    name: &str,
    create: bool,
    edit: impl FnOnce(&mut Vec<Value>) -> bool,
) -> Result<(), WorldError> {
    let holder = world
        .principal(principal)
        .ok_or_else(|| WorldError::UnknownPrincipal(principal.to_string()))?;
    let existing = holder
        .policies
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.text.to_string());
    let (document, mut statements) = match existing {
        Some(text) => statements_of(&text).ok_or_else(|| unreadable("IAM policy"))?,
        None if create => {
            let mut document = Map::new();
            document.insert("Version".to_owned(), Value::from("2012-10-17"));
            (document, Vec::new())
        }
        None => {
            return Err(WorldError::UnknownPolicy {
                principal: principal.to_string(),
                name: name.to_owned(),
            });
        }
    };
    if !edit(&mut statements) {
        return Err(unreadable("IAM policy"));
    }
    // A policy needs a statement: taking its last one away deletes it.
    if statements.is_empty() && !create {
        return world.delete_identity_policy(principal, name);
    }
    world.put_identity_policy(principal, name, &document_text(document, statements))
}

fn push(list: &mut Vec<Value>, statement: &Value) -> bool {
    list.push(statement.clone());
    true
}

fn remove(list: &mut Vec<Value>, index: usize) -> bool {
    (index < list.len()).then(|| list.remove(index)).is_some()
}

fn replace(list: &mut [Value], index: usize, after: &Value) -> bool {
    match list.get_mut(index) {
        Some(slot) => {
            *slot = after.clone();
            true
        }
        None => false,
    }
}

fn edit_group_policy(
    world: &mut World,
    group: &str,
    name: &str,
    edit: impl FnOnce(&mut Vec<Value>) -> bool,
) -> Result<(), WorldError> {
    let text = world
        .group(group)
        .ok_or_else(|| WorldError::UnknownGroup(group.to_owned()))?
        .policies
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.text.to_string())
        .ok_or_else(|| WorldError::UnknownPolicy {
            principal: group.to_owned(),
            name: name.to_owned(),
        })?;
    let (document, mut statements) =
        statements_of(&text).ok_or_else(|| unreadable("group policy"))?;
    if !edit(&mut statements) {
        return Err(unreadable("group policy"));
    }
    // A policy needs a statement: taking its last one away deletes it.
    if statements.is_empty() {
        return world.delete_group_policy(group, name);
    }
    world.put_group_policy(group, name, &document_text(document, statements))
}

fn edit_managed_policy(
    world: &mut World,
    arn: &str,
    edit: impl FnOnce(&mut Vec<Value>) -> bool,
) -> Result<(), WorldError> {
    let text = world
        .managed_policy(arn)
        .map(|m| m.text.to_string())
        .ok_or_else(|| WorldError::UnknownManagedPolicy(arn.to_owned()))?;
    let (document, mut statements) =
        statements_of(&text).ok_or_else(|| unreadable("managed policy"))?;
    if !edit(&mut statements) {
        return Err(unreadable("managed policy"));
    }
    world.put_managed_policy(arn, &document_text(document, statements))
}

/// The user or role whose identity policies a principal uses: itself, or a session's role.
pub(crate) fn policy_holder(world: &World, arn: &PrincipalArn) -> Option<PrincipalArn> {
    let principal = world.principal(arn)?;
    match &principal.kind {
        PrincipalKind::User { .. } | PrincipalKind::Role { .. } => principal.arn().cloned(),
        PrincipalKind::AssumedRole { .. } => principal.request_principal().role_arn.clone(),
        PrincipalKind::AccountRoot | PrincipalKind::Service { .. } => None,
    }
}

/// A `Sid` made of letters and digits (IAM policies allow nothing else in one).
pub(crate) fn sid(parts: &[&str]) -> String {
    parts
        .iter()
        .flat_map(|p| p.chars())
        .filter(char::is_ascii_alphanumeric)
        .collect()
}
