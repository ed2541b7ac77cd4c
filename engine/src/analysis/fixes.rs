//! The changes that flip a cell, each verified by deciding again.
//!
//! To allow a denied request the search tries what KMS offers (KMS Developer Guide,
//! control-access.html): a key-policy statement for the caller; the account principal's
//! statement, which lets IAM policies count (with the IAM statement that then allows); an IAM
//! statement where the key policy already delegates; a grant for a grant operation; and, when the
//! key's state refuses the operation, enabling the key or cancelling its deletion. An explicit
//! Deny wins over every Allow (IAM User Guide, reference_policies_evaluation-logic.html), so a
//! cell denied explicitly is flipped only by removing or narrowing that Deny first.
//!
//! To deny an allowed request: remove or narrow the statement that allows, retire the grant that
//! allows, or add a Deny (in the key policy, or in the caller's IAM policy, which counts even
//! without delegation: KMS Developer Guide, key-policies.html).
//!
//! Each proposal is applied to a copy of the world and kept only if the cell flips; its side
//! effects are the other cells of the [`Universe`] whose outcome changes. Proposals are ranked by
//! side effects, then by how many statements, grants or key settings they edit.

use super::edit::{Change, Names, Scope, apply_changes, policy_holder, sid, statements_of};
use super::{CellQuery, IndexedMatrix, Outcome, Universe, outcome_for};
use crate::authz::{self, AuthzRequest, Guardrail, Reason, Target};
use crate::catalog::Action;
use crate::entropy::Timestamp;
use crate::matrix::Matrix;
use crate::policy::pattern;
use crate::request::PrincipalArn;
use crate::store::KeyState;
use crate::world::{PolicySource, Principal, World};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// How many proposals a report keeps at most.
pub const MAX_FIXES: usize = 8;

/// How many removals the search chains before giving up (an allow found in several places, or
/// several Denies).
const MAX_DEPTH: usize = 3;

/// A cell other than the target whose outcome a fix changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SideEffect {
    /// The principal's name.
    pub principal: String,
    /// The key's name.
    pub key: String,
    /// The action.
    pub action: String,
    /// The outcome before the fix.
    pub before: Outcome,
    /// The outcome after it.
    pub after: Outcome,
}

impl SideEffect {
    /// "also allows Charlie: kms:Encrypt on CMK-B".
    pub fn sentence(&self) -> String {
        let what = format!("{}: {} on {}", self.principal, self.action, self.key);
        match (self.before, self.after) {
            (_, Outcome::Allow) => format!("also allows {what}"),
            (Outcome::Allow, _) => format!("also takes away {what}"),
            (before, after) => format!(
                "also turns {what} from {} to {}",
                before.as_str(),
                after.as_str()
            ),
        }
    }
}

/// One verified way to flip the cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    /// "To allow: add statement … to the key policy of CMK-A".
    pub summary: String,
    /// The edits, in the order they are made.
    pub changes: Vec<Change>,
    /// What else changes.
    pub side_effects: Vec<SideEffect>,
    /// The target's outcome once the fix is made.
    pub after: Outcome,
}

impl Fix {
    /// The world with this fix made.
    pub fn apply(&self, world: &World, now: Timestamp) -> Option<World> {
        let mut fixed = world.clone();
        apply_changes(&mut fixed, &self.changes, now).ok()?;
        Some(fixed)
    }
}

/// The fixes for one cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FixReport {
    /// The cell's outcome now.
    pub decision: Outcome,
    /// Whether the fixes allow (`true`) or deny the request.
    pub to_allow: bool,
    /// The fixes, best first.
    pub fixes: Vec<Fix>,
    /// Why there are none, when there are none.
    pub note: Option<String>,
}

/// Everything the search needs about the target cell.
struct Search<'a> {
    names: &'a Names,
    query: &'a CellQuery,
    now: Timestamp,
}

/// The fixes that flip `query`'s cell in `world`, with side effects over `universe` (which
/// should contain the target's action), best first.
pub fn propose_fixes(
    world: &World,
    universe: &Universe,
    names: &Names,
    query: &CellQuery,
    now: Timestamp,
) -> Option<FixReport> {
    let search = Search { names, query, now };
    let decision = search.outcome(world)?;
    let to_allow = decision != Outcome::Allow;
    let mut candidates = Vec::new();
    if to_allow {
        search.allow_candidates(world, Vec::new(), MAX_DEPTH, &mut candidates);
    } else {
        search.deny_candidates(world, Vec::new(), MAX_DEPTH, &mut candidates);
    }
    let mut fixes: Vec<(usize, Fix)> = Vec::new();
    for (order, changes) in candidates.into_iter().enumerate() {
        if fixes.iter().any(|(_, f)| f.changes == changes) {
            continue;
        }
        if let Some(fix) = search.verify(world, universe, changes, to_allow) {
            fixes.push((order, fix));
        }
    }
    crate::sort::sort_by_key(&mut fixes, |(order, f)| {
        (f.side_effects.len(), f.changes.len(), *order)
    });
    let fixes: Vec<Fix> = fixes.into_iter().map(|(_, f)| f).take(MAX_FIXES).collect();
    let note = fixes.is_empty().then(|| search.why_none(world));
    Some(FixReport {
        decision,
        to_allow,
        fixes,
        note,
    })
}

impl Search<'_> {
    fn caller<'w>(&self, world: &'w World) -> Option<&'w Principal> {
        world.principal(&self.query.principal).map(AsRef::as_ref)
    }

    fn outcome(&self, world: &World) -> Option<Outcome> {
        outcome_for(
            world,
            self.caller(world)?,
            &self.query.key,
            self.query.action,
            &self.query.params,
            self.now,
        )
    }

    /// The target cell's request in `world`.
    fn request<'w>(&'w self, world: &'w World) -> Option<AuthzRequest<'w>> {
        Some(AuthzRequest {
            caller: self.caller(world)?,
            action: self.query.action,
            target: Target::Key(world.keys.get_by_arn(&self.query.key)?),
            params: &self.query.params,
            now: self.now,
        })
    }

    fn reason(&self, world: &World) -> Option<Reason> {
        Some(authz::decide(world, &self.request(world)?).reason)
    }

    fn names(&self, world: &World) -> (String, String, &'static str) {
        (
            self.names.principal(world, self.query.principal.as_str()),
            self.names.key(world, &self.query.key),
            self.query.action.name().trim_start_matches("kms:"),
        )
    }

    /// Applies `changes` to a copy of `world`.
    fn after(&self, world: &World, changes: &[Change]) -> Option<World> {
        let mut next = world.clone();
        apply_changes(&mut next, changes, self.now).ok()?;
        Some(next)
    }

    /// Where both candidate searches start: the cell's outcome in `world` and the reason for it.
    fn standing(&self, world: &World) -> Option<(Outcome, Reason)> {
        Some((self.outcome(world)?, self.reason(world)?))
    }

    /// Each of `removals` applied to `world` on its own, with the change list that leads there
    /// (`prefix` and the removal): the step both searches recurse through.
    fn each_removed<'a>(
        &'a self,
        world: &'a World,
        prefix: &'a [Change],
        removals: Vec<Change>,
    ) -> impl Iterator<Item = (World, Vec<Change>)> + 'a {
        removals.into_iter().filter_map(move |removal| {
            let next = self.after(world, std::slice::from_ref(&removal))?;
            Some((next, with(prefix, [removal])))
        })
    }

    /// Candidate change lists that may allow the request in `world` after `prefix`.
    fn allow_candidates(
        &self,
        world: &World,
        prefix: Vec<Change>,
        depth: usize,
        out: &mut Vec<Vec<Change>>,
    ) {
        let Some((outcome, reason)) = self.standing(world) else {
            return;
        };
        match outcome {
            Outcome::Allow => out.push(prefix),
            Outcome::KeyStateRefuses => {
                out.extend(self.state_change(world).map(|c| with(&prefix, [c])));
            }
            Outcome::ExplicitDeny if depth > 0 => {
                let removals = self.deny_removals(world, reason);
                for (next, changes) in self.each_removed(world, &prefix, removals) {
                    self.allow_candidates(&next, changes, depth - 1, out);
                }
            }
            Outcome::ExplicitDeny => {}
            Outcome::ImplicitDeny => {
                if reason == Reason::NotCrossAccount {
                    return;
                }
                for addition in self.allow_additions(world, reason) {
                    let Some(next) = self.after(world, &addition) else {
                        continue;
                    };
                    let mut changes = with(&prefix, addition);
                    match self.outcome(&next) {
                        Some(Outcome::Allow) => out.push(changes),
                        Some(Outcome::KeyStateRefuses) => {
                            if let Some(c) = self.state_change(&next) {
                                changes.push(c);
                                out.push(changes);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    /// The key-state change that lets an allowed request through, if a setting can. A transient
    /// state (`Creating`, `Updating`) ends by itself: no change is offered for it.
    fn state_change(&self, world: &World) -> Option<Change> {
        let key = world.keys.get_by_arn(&self.query.key)?;
        match key.state_at(self.now) {
            KeyState::Disabled => Some(Change::EnableKey {
                key: key.arn.clone(),
            }),
            KeyState::PendingDeletion { .. } | KeyState::PendingReplicaDeletion { .. } => {
                Some(Change::CancelKeyDeletion {
                    key: key.arn.clone(),
                })
            }
            KeyState::Enabled
            | KeyState::PendingImport
            | KeyState::Creating
            | KeyState::Updating => None,
        }
    }

    /// Ways to take the deciding Deny away: remove the statement, or narrow it so that it no
    /// longer covers the caller or the action.
    fn deny_removals(&self, world: &World, reason: Reason) -> Vec<Change> {
        match reason {
            Reason::ExplicitDenyInKeyPolicy { statement } => {
                self.key_statement_removals(world, statement)
            }
            Reason::ExplicitDenyInIdentityPolicy { policy, statement } => {
                self.identity_statement_removals(world, policy, statement)
            }
            Reason::ExplicitDenyInGuardrail {
                guardrail: Guardrail::PermissionsBoundary,
                statement,
                ..
            } => self.boundary_statement_removals(world, statement),
            _ => Vec::new(),
        }
    }

    /// The caller's permissions boundary (a managed policy): its ARN.
    fn boundary_arn(&self, world: &World) -> Option<String> {
        world
            .permissions_boundary(self.caller(world)?)
            .map(|b| b.arn.clone())
    }

    /// Remove statement `index` of the caller's permissions boundary, or narrow it away from
    /// the action.
    fn boundary_statement_removals(&self, world: &World, index: usize) -> Vec<Change> {
        let Some(arn) = self.boundary_arn(world) else {
            return Vec::new();
        };
        let Some(statement) = world
            .managed_policy(&arn)
            .and_then(|m| statements_of(&m.text))
            .and_then(|(_, s)| s.get(index).cloned())
        else {
            return Vec::new();
        };
        let mut out: Vec<Change> = without_action(&statement, self.query.action)
            .map(|after| Change::ReplaceManagedStatement {
                policy: arn.clone(),
                index,
                before: statement.clone(),
                after,
            })
            .into_iter()
            .collect();
        out.push(Change::RemoveManagedStatement {
            policy: arn,
            index,
            statement,
        });
        out
    }

    /// Remove key-policy statement `index`, or narrow it away from the caller or the action.
    fn key_statement_removals(&self, world: &World, index: usize) -> Vec<Change> {
        let Some(key) = world.keys.get_by_arn(&self.query.key) else {
            return Vec::new();
        };
        let Some(statement) =
            statements_of(&key.policy.text).and_then(|(_, s)| s.get(index).cloned())
        else {
            return Vec::new();
        };
        let caller_names = self.caller_names(world);
        let mut out = Vec::new();
        for after in [
            without_principal(&statement, &caller_names),
            without_action(&statement, self.query.action),
        ]
        .into_iter()
        .flatten()
        {
            out.push(Change::ReplaceKeyPolicyStatement {
                key: key.arn.clone(),
                index,
                before: statement.clone(),
                after,
            });
        }
        out.push(Change::RemoveKeyPolicyStatement {
            key: key.arn.clone(),
            index,
            statement,
        });
        out
    }

    /// Remove statement `index` of the caller's identity policy number `policy`, or narrow it
    /// away from the action or the key.
    fn identity_statement_removals(
        &self,
        world: &World,
        policy: usize,
        index: usize,
    ) -> Vec<Change> {
        let (Some(caller), Some(holder)) = (
            self.caller(world),
            policy_holder(world, &self.query.principal),
        ) else {
            return Vec::new();
        };
        let Some(named) = world.identity_policies(caller).get(policy) else {
            return Vec::new();
        };
        let Some(statement) = statements_of(&named.text).and_then(|(_, s)| s.get(index).cloned())
        else {
            return Vec::new();
        };
        // A group's or a managed policy's statement is edited where it is written.
        let source = world.identity_policy_source(caller, policy);
        let (replace, remove): (Box<dyn Fn(Value) -> Change>, Change) = match source {
            Some(PolicySource::Group { group, name }) => (
                {
                    let (group, name, before) = (group.clone(), name.clone(), statement.clone());
                    Box::new(move |after| Change::ReplaceGroupStatement {
                        group: group.clone(),
                        policy: name.clone(),
                        index,
                        before: before.clone(),
                        after,
                    })
                },
                Change::RemoveGroupStatement {
                    group,
                    policy: name,
                    index,
                    statement: statement.clone(),
                },
            ),
            Some(PolicySource::Managed { arn }) => (
                {
                    let (arn, before) = (arn.clone(), statement.clone());
                    Box::new(move |after| Change::ReplaceManagedStatement {
                        policy: arn.clone(),
                        index,
                        before: before.clone(),
                        after,
                    })
                },
                Change::RemoveManagedStatement {
                    policy: arn,
                    index,
                    statement: statement.clone(),
                },
            ),
            Some(PolicySource::Inline { .. }) | None => (
                {
                    let (holder, name, before) =
                        (holder.clone(), named.name.clone(), statement.clone());
                    Box::new(move |after| Change::ReplaceIdentityStatement {
                        principal: holder.clone(),
                        policy: name.clone(),
                        index,
                        before: before.clone(),
                        after,
                    })
                },
                Change::RemoveIdentityStatement {
                    principal: holder,
                    policy: named.name.clone(),
                    index,
                    statement: statement.clone(),
                },
            ),
        };
        let key_arn = world
            .keys
            .get_by_arn(&self.query.key)
            .map(|k| k.arn.clone())
            .unwrap_or_default();
        let mut out = Vec::new();
        for after in [
            without_action(&statement, self.query.action),
            without_resource(&statement, &key_arn),
        ]
        .into_iter()
        .flatten()
        {
            out.push(replace(after));
        }
        out.push(remove);
        out
    }

    /// The ARNs a principal element may name the caller by: its own, and a session's role.
    fn caller_names(&self, world: &World) -> Vec<String> {
        let Some(caller) = self.caller(world) else {
            return Vec::new();
        };
        let principal = caller.request_principal();
        std::iter::once(principal.id.to_string())
            .chain(principal.role_arn.as_ref().map(PrincipalArn::to_string))
            .collect()
    }

    /// The additions that may allow an implicitly denied request, each a list of one or two
    /// changes.
    fn allow_additions(&self, world: &World, reason: Reason) -> Vec<Vec<Change>> {
        let (Some(caller), Some(key)) =
            (self.caller(world), world.keys.get_by_arn(&self.query.key))
        else {
            return Vec::new();
        };
        let (who, key_name, op) = self.names(world);
        let action = self.query.action.name();
        let cross_account = caller.account != key.account;
        let holder = policy_holder(world, &self.query.principal);
        let iam_allow = holder.as_ref().map(|holder| Change::AddIdentityStatement {
            principal: holder.clone(),
            policy: identity_policy_name(world, holder),
            statement: json!({
                "Sid": sid(&["Allow", op, &key_name]),
                "Effect": "Allow",
                "Action": action,
                "Resource": key.arn,
            }),
        });
        let key_allow = Change::AddKeyPolicyStatement {
            key: key.arn.clone(),
            statement: json!({
                "Sid": sid(&["Allow", &who, op]),
                "Effect": "Allow",
                "Principal": {"AWS": self.query.principal.as_str()},
                "Action": action,
                "Resource": "*",
            }),
        };
        let account_root = format!("arn:aws:iam::{}:root", caller.account);
        let delegate = |all: bool| Change::AddKeyPolicyStatement {
            key: key.arn.clone(),
            statement: if all && !cross_account {
                json!({
                    "Sid": "Enable IAM User Permissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": account_root},
                    "Action": "kms:*",
                    "Resource": "*",
                })
            } else {
                json!({
                    "Sid": sid(&["Delegate", op, "To", &caller.account]),
                    "Effect": "Allow",
                    "Principal": {"AWS": account_root},
                    "Action": action,
                    "Resource": "*",
                })
            },
        };
        // An IAM allow is needed where the key policy delegates, and from another account
        // always (KMS Developer Guide, key-policy-modifying-external-accounts.html); the caller
        // may hold one already, so both forms are tried and verification keeps what works.
        let mut out = Vec::new();
        match (&iam_allow, reason) {
            (Some(iam), Reason::NoIdentityPolicyAllows) => out.push(vec![iam.clone()]),
            (Some(iam), _) if cross_account => {
                out.push(vec![key_allow.clone()]);
                out.push(vec![key_allow.clone(), iam.clone()]);
            }
            _ => out.push(vec![key_allow.clone()]),
        }
        if caller.is_root() {
            out.push(vec![delegate(false)]);
        } else if let Some(iam) = &iam_allow {
            if reason != Reason::NoIdentityPolicyAllows {
                out.push(vec![delegate(false), iam.clone()]);
                out.push(vec![delegate(true), iam.clone()]);
                // The caller may already hold an IAM allow that the delegation makes count.
                out.push(vec![delegate(false)]);
                out.push(vec![delegate(true)]);
            }
        }
        // A boundary that does not allow: widen the boundary (a managed policy) for this key.
        if reason
            == (Reason::GuardrailDoesNotAllow {
                guardrail: Guardrail::PermissionsBoundary,
            })
        {
            if let Some(arn) = self.boundary_arn(world) {
                out.push(vec![Change::AddManagedStatement {
                    policy: arn,
                    statement: json!({
                        "Sid": sid(&["Allow", op, &key_name]),
                        "Effect": "Allow",
                        "Action": action,
                        "Resource": key.arn,
                    }),
                }]);
            }
        }
        if let Some(operation) = self.query.action.grant_operation_name() {
            if key.spec.row().allows_grant_operation(self.query.action) {
                out.push(vec![Change::CreateGrant {
                    key: key.arn.clone(),
                    grantee: self.query.principal.clone(),
                    operations: vec![operation.to_owned()],
                }]);
            }
        }
        out
    }

    /// Candidate change lists that may deny the request in `world` after `prefix`.
    fn deny_candidates(
        &self,
        world: &World,
        prefix: Vec<Change>,
        depth: usize,
        out: &mut Vec<Vec<Change>>,
    ) {
        let Some((outcome, reason)) = self.standing(world) else {
            return;
        };
        if outcome != Outcome::Allow {
            out.push(prefix);
            return;
        }
        if prefix.is_empty() {
            out.extend(self.deny_additions(world).into_iter().map(|c| vec![c]));
        }
        if depth == 0 {
            return;
        }
        let removals = self.allow_removals(world, reason);
        for (next, changes) in self.each_removed(world, &prefix, removals) {
            self.deny_candidates(&next, changes, depth - 1, out);
        }
    }

    /// Deny statements for the caller and the action: in the key policy, and in the caller's
    /// IAM policy.
    fn deny_additions(&self, world: &World) -> Vec<Change> {
        let (Some(_), Some(key)) = (self.caller(world), world.keys.get_by_arn(&self.query.key))
        else {
            return Vec::new();
        };
        let (who, key_name, op) = self.names(world);
        let action = self.query.action.name();
        let mut out = vec![Change::AddKeyPolicyStatement {
            key: key.arn.clone(),
            statement: json!({
                "Sid": sid(&["Deny", &who, op]),
                "Effect": "Deny",
                "Principal": {"AWS": self.query.principal.as_str()},
                "Action": action,
                "Resource": "*",
            }),
        }];
        if let Some(holder) = policy_holder(world, &self.query.principal) {
            out.push(Change::AddIdentityStatement {
                policy: identity_policy_name(world, &holder),
                principal: holder,
                statement: json!({
                    "Sid": sid(&["Deny", op, &key_name]),
                    "Effect": "Deny",
                    "Action": action,
                    "Resource": key.arn,
                }),
            });
        }
        out
    }

    /// Ways to take away what allows the request now.
    fn allow_removals(&self, world: &World, reason: Reason) -> Vec<Change> {
        let identity_index = |identity| match identity {
            authz::IdentityAllow::Policy { policy, statement } => Some((policy, statement)),
            authz::IdentityAllow::RootUser => None,
        };
        match reason {
            Reason::KeyPolicy { statement } => self.key_statement_removals(world, statement),
            Reason::KeyPolicyAndIam {
                key_statement,
                identity,
                ..
            } => {
                let mut out = identity_index(identity)
                    .map(|(p, s)| self.identity_statement_removals(world, p, s))
                    .unwrap_or_default();
                out.extend(self.key_statement_removals(world, key_statement));
                out
            }
            Reason::Grant => self.grant_retirements(world),
            _ => Vec::new(),
        }
    }

    /// The explanation of the target cell.
    fn explain(&self, world: &World) -> Option<authz::Explanation> {
        Some(authz::explain(world, &self.request(world)?))
    }

    /// Retiring the grant that allows.
    fn grant_retirements(&self, world: &World) -> Vec<Change> {
        self.explain(world)
            .and_then(|explanation| explanation.grant)
            .map(|grant_id| Change::RetireGrant {
                key: self.query.key.clone(),
                grant_id,
            })
            .into_iter()
            .collect()
    }

    /// Applies `changes`, checks that the target flips, and measures the side effects.
    fn verify(
        &self,
        world: &World,
        universe: &Universe,
        changes: Vec<Change>,
        to_allow: bool,
    ) -> Option<Fix> {
        let fixed = self.after(world, &changes)?;
        let after = self.outcome(&fixed)?;
        if (after == Outcome::Allow) != to_allow {
            return None;
        }
        let side_effects = side_effects(
            world, &fixed, universe, &changes, self.names, self.query, self.now,
        );
        let (who, key, _) = self.names(world);
        let edits: Vec<String> = changes
            .iter()
            .map(|c| c.describe(world, self.names))
            .collect();
        let mut summary = format!(
            "To {} {who} {} on {key}: {}",
            if to_allow { "allow" } else { "deny" },
            self.query.action.name(),
            edits.join("; then ")
        );
        match side_effects.as_slice() {
            [] => summary.push_str(". Nothing else changes."),
            [one] => summary.push_str(&format!(". It {}.", one.sentence())),
            [first, rest @ ..] => summary.push_str(&format!(
                ". It {} and changes {} other cell(s).",
                first.sentence(),
                rest.len()
            )),
        }
        Some(Fix {
            summary,
            changes,
            side_effects,
            after,
        })
    }

    fn why_none(&self, world: &World) -> String {
        let organization = "only the organization's management account can change or detach it, and no change to a key policy, an IAM policy or a grant in this account flips this cell";
        match self.reason(world) {
            Some(Reason::ExplicitDenyInGuardrail {
                guardrail: guardrail @ (Guardrail::Scp | Guardrail::Rcp),
                policy,
                ..
            }) => {
                let explanation = self.explain(world);
                let trace = explanation
                    .as_ref()
                    .and_then(|e| e.guardrail_traces.get(policy));
                let name = trace.map_or("?", |t| t.name.as_str());
                let at = trace
                    .and_then(|t| t.attached_at.as_deref())
                    .map(|at| format!(", attached at {at},"))
                    .unwrap_or_default();
                format!(
                    "The {} {name}{at} denies {}: a Deny wins, {organization}.",
                    guardrail.name(),
                    self.query.action.name()
                )
            }
            Some(Reason::GuardrailDoesNotAllow {
                guardrail: Guardrail::Scp,
            }) => {
                let step = self.explain(world).and_then(|e| {
                    e.steps
                        .into_iter()
                        .find(|s| s.kind == authz::StepKind::ServiceControlPolicies)
                        .map(|s| s.text)
                });
                format!(
                    "{} The service control policies block it: {organization}.",
                    step.unwrap_or_default()
                )
                .trim_start()
                .to_owned()
            }
            Some(Reason::GuardrailDoesNotAllow {
                guardrail: Guardrail::SessionPolicy,
            }) => "The session policies passed when the role was assumed do not allow it: assume the role again with session policies that do (or none).".to_owned(),
            Some(Reason::NotCrossAccount) => format!(
                "{} cannot be used on a key in another account, whatever the policies say: no change of policy or grant flips this cell.",
                self.query.action.name()
            ),
            _ if world
                .keys
                .get_by_arn(&self.query.key)
                .is_some_and(|k| k.state_at(self.now).is_transient()) =>
            {
                "The key is in a transient multi-Region state (Creating or Updating), which ends by itself after a few seconds: wait, then try again."
                    .to_owned()
            }
            _ if world
                .keys
                .get_by_arn(&self.query.key)
                .is_some_and(|k| k.state_at(self.now) == KeyState::PendingImport) =>
            {
                "The key is waiting for its key material (PendingImport): import it first."
                    .to_owned()
            }
            _ => "No change the playground tries flips this cell.".to_owned(),
        }
    }
}

/// `prefix` followed by `more`.
fn with(prefix: &[Change], more: impl IntoIterator<Item = Change>) -> Vec<Change> {
    prefix.iter().cloned().chain(more).collect()
}

/// The identity policy new statements for `holder` go into: its first, or a new one.
fn identity_policy_name(world: &World, holder: &PrincipalArn) -> String {
    world
        .principal(holder)
        .and_then(|p| p.policies.first())
        .map_or_else(|| "KmsAccess".to_owned(), |p| p.name.clone())
}

/// The statement without `names` in its `Principal` list, if others remain.
fn without_principal(statement: &Value, names: &[String]) -> Option<Value> {
    let mut after = statement.clone();
    let aws = after.get_mut("Principal")?.get_mut("AWS")?;
    let Value::Array(list) = aws else {
        return None;
    };
    let before = list.len();
    list.retain(|v| !v.as_str().is_some_and(|s| names.iter().any(|n| n == s)));
    (list.len() < before && !list.is_empty()).then_some(after)
}

/// The statement without the entries of its `Action` list that name `action` exactly, if
/// others remain.
fn without_action(statement: &Value, action: Action) -> Option<Value> {
    let mut after = statement.clone();
    let Value::Array(list) = after.get_mut("Action")? else {
        return None;
    };
    let before = list.len();
    list.retain(|v| {
        !v.as_str()
            .is_some_and(|s| !s.contains(['*', '?']) && pattern::action_matches(s, action.name()))
    });
    (list.len() < before && !list.is_empty()).then_some(after)
}

/// The statement without `arn` in its `Resource` list, if others remain.
fn without_resource(statement: &Value, arn: &str) -> Option<Value> {
    let mut after = statement.clone();
    let Value::Array(list) = after.get_mut("Resource")? else {
        return None;
    };
    let before = list.len();
    list.retain(|v| v.as_str() != Some(arn));
    (list.len() < before && !list.is_empty()).then_some(after)
}

/// The cells of the universe, other than the target, whose outcome differs in `fixed`: only the
/// columns of the keys and the rows of the principals (with a role's sessions) that `changes`
/// touch are decided again, in both worlds.
pub(crate) fn side_effects(
    world: &World,
    fixed: &World,
    universe: &Universe,
    changes: &[Change],
    names: &Names,
    target: &CellQuery,
    now: Timestamp,
) -> Vec<SideEffect> {
    let mut keys: Vec<String> = Vec::new();
    let mut principals: Vec<PrincipalArn> = Vec::new();
    for change in changes {
        match change.scope() {
            Scope::Key(key) => {
                if universe.keys.contains(key) && !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
            Scope::Principals => {
                for arn in &universe.principals {
                    if !principals.contains(arn) {
                        principals.push(arn.clone());
                    }
                }
            }
            Scope::Principal(holder) => {
                for arn in &universe.principals {
                    let uses_policies_of = arn == holder
                        || world.principal(arn).is_some_and(|p| {
                            p.request_principal().role_arn.as_ref() == Some(holder)
                        });
                    if uses_policies_of && !principals.contains(arn) {
                        principals.push(arn.clone());
                    }
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (rows, columns) in [
        (universe.principals.as_slice(), keys.as_slice()),
        (principals.as_slice(), universe.keys.as_slice()),
    ] {
        if rows.is_empty() || columns.is_empty() {
            continue;
        }
        let before = Matrix::compute(world, rows, columns, &universe.actions, now);
        let after = Matrix::compute(fixed, rows, columns, &universe.actions, now);
        let indexed = IndexedMatrix::new(&before);
        for (principal, key, action, was, is) in indexed.differences(&after) {
            let is_target =
                target.principal == principal && &target.key == key && target.action == action;
            if is_target || !seen.insert((principal.to_owned(), key.clone(), action)) {
                continue;
            }
            out.push(SideEffect {
                principal: names.principal(world, principal),
                key: names.key(world, key),
                action: action.name().to_owned(),
                before: was,
                after: is,
            });
        }
    }
    out
}
