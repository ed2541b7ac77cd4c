//! Turning a [`Scenario`] into a [`World`], and a world back into a scenario.

use super::{
    Constraint, ConstraintKind, EditKind, EditScope, Exercise, Expectation, GrantEntry, GroupEntry,
    IamSetup, KeyEntry, ManagedPolicyEntry, NamedPolicy, OrgPolicyEntry, OrgUnitEntry,
    OrganizationEntry, PolicyText, PrincipalEntry, PrincipalRole, Scenario, ScenarioError,
    SessionPolicyEntry, principal_path_and_name,
};
use crate::diagnostics::{Diagnostic, LineIndex, Severity, Span};
use crate::entropy::{Randomness, Timestamp};
use crate::json::{self, Value, ValueKind};
use crate::policy::parse::{PolicyKind, parse_policy};
use crate::request::PrincipalArn;
use crate::store::grants::{GrantConstraints, GrantPrincipal, NewGrant, parse_operation};
use crate::store::{DAY_MILLIS, KeyId, KeyState, Origin, Tag};
use crate::world::{KeySetup, PrincipalKind, World, WorldError};
use crate::world::{OrgPolicy, OrgUnit, Organization};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The waiting period a scenario key in `PendingDeletion` is given (the API default, 30 days).
const DEFAULT_WINDOW_DAYS: u32 = 30;

struct Builder<'s> {
    text: &'s str,
    index: LineIndex,
    errors: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn error(&mut self, path: String, span: Span, error: &WorldError) {
        self.errors.push(Diagnostic::new(
            &self.index,
            Severity::Error,
            "rejected",
            error.to_string(),
            path,
            span,
        ));
    }

    /// Diagnostics about a policy found by the world (principals KMS cannot find), moved to where
    /// the policy is written in the file.
    fn policy_errors(&mut self, path: &str, policy: &PolicyText, diagnostics: &[Diagnostic]) {
        let root = json::parse(self.text).value;
        let written = root.as_ref().and_then(|r| value_at_span(r, policy.span));
        for d in diagnostics {
            let span = written
                .and_then(|v| locate(v, &d.path))
                .unwrap_or(policy.span);
            let mut moved = Diagnostic::new(
                &self.index,
                d.severity,
                d.code,
                d.message.clone(),
                if d.path.is_empty() {
                    path.to_owned()
                } else {
                    format!("{path}.{}", d.path)
                },
                span,
            );
            moved.hint = d.hint.clone();
            moved.kms_exception = d.kms_exception;
            self.errors.push(moved);
        }
    }
}

/// The value whose text is exactly `span`.
fn value_at_span(value: &Value, span: Span) -> Option<&Value> {
    if value.span == span {
        return Some(value);
    }
    if value.span.start > span.start || value.span.end < span.end {
        return None;
    }
    match &value.kind {
        ValueKind::Object(o) => o.members.iter().find_map(|m| value_at_span(&m.value, span)),
        ValueKind::Array(items) => items.iter().find_map(|v| value_at_span(v, span)),
        _ => None,
    }
}

/// The value at a diagnostic path such as `Statement[1].Principal[0]` inside a policy written as
/// an object. `Principal[i]` counts the principal strings in written order; a statement written
/// as a single object answers `Statement[0]`.
fn locate<'v>(policy: &'v Value, path: &str) -> Option<Span> {
    let mut current: &'v Value = policy;
    for segment in path.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let next = current.as_object()?.get(name)?;
        current = match (index, &next.kind) {
            (None, _) => next,
            (Some(i), ValueKind::Array(items)) => items.get(i)?,
            (Some(0), ValueKind::Object(_)) if name == "Statement" => next,
            (Some(i), ValueKind::Object(o)) => {
                let strings: Vec<&Value> = o
                    .members
                    .iter()
                    .flat_map(|m| match &m.value.kind {
                        ValueKind::Array(items) => items.iter().collect::<Vec<_>>(),
                        _ => vec![&m.value],
                    })
                    .collect();
                strings.get(i).copied()?
            }
            (Some(_), _) => next,
        };
    }
    Some(current.span)
}

fn tags(pairs: &[(String, String)]) -> Vec<Tag> {
    pairs
        .iter()
        .map(|(k, v)| Tag {
            tag_key: k.clone(),
            tag_value: v.clone(),
        })
        .collect()
}

fn constraints(list: &[Constraint]) -> Option<GrantConstraints> {
    if list.is_empty() {
        return None;
    }
    let mut out = GrantConstraints::default();
    for c in list {
        let map: BTreeMap<String, String> = crate::sort::map_from(c.pairs.iter().cloned());
        match c.kind {
            ConstraintKind::Equals => out.encryption_context_equals = Some(map),
            ConstraintKind::Subset => out.encryption_context_subset = Some(map),
        }
    }
    Some(out)
}

/// The last `/`-separated part of an ARN's resource (a user's or role's name).
fn last_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl Scenario {
    /// Builds the world this scenario describes, at time `now`; key material and grant tokens
    /// come from `rng`. `text` is the scenario file the scenario was read from (for locating
    /// problems the world finds, such as a key policy naming a principal that does not exist).
    pub fn build(
        &self,
        text: &str,
        now: Timestamp,
        rng: &mut dyn Randomness,
    ) -> Result<World, ScenarioError> {
        let mut b = Builder {
            text,
            index: LineIndex::new(text),
            errors: Vec::new(),
        };
        let mut world = World::new(self.region.clone());
        let mut accounts: Vec<&str> = vec![self.account.as_str()];
        let org_accounts = self.iam.organization.iter().flat_map(|org| {
            std::iter::once(org.management_account.as_str())
                .chain(
                    org.scps
                        .iter()
                        .chain(&org.rcps)
                        .flat_map(|p| p.targets.iter().map(String::as_str))
                        .filter(|t| {
                            !crate::world::is_root_target(t) && !crate::world::is_unit_id(t)
                        }),
                )
                .chain(org.accounts.iter().map(String::as_str))
                .chain(
                    org.units
                        .iter()
                        .flat_map(|u| u.accounts.iter().map(String::as_str)),
                )
        });
        let policy_accounts = self
            .iam
            .managed_policies
            .iter()
            .filter_map(|m| crate::world::parse_policy_arn(&m.arn).map(|(account, _, _)| account))
            .filter(|account| *account != "aws");
        for account in self
            .principals
            .iter()
            .map(|p| p.account.as_str())
            .chain(self.keys.iter().map(|k| k.account.as_str()))
            .chain(org_accounts)
            .chain(policy_accounts)
        {
            if !accounts.contains(&account) {
                accounts.push(account);
            }
        }
        for account in accounts {
            if let Err(e) = world.add_account(account, account) {
                b.error(String::new(), Span::default(), &e);
            }
        }
        // Users and roles first, then sessions (they need their role), then policies and tags.
        for (i, p) in self.principals.iter().enumerate() {
            let result = match p.role {
                PrincipalRole::AccountRoot => Ok(()),
                PrincipalRole::User => {
                    let (path, name) = principal_path_and_name(p.arn.as_str());
                    world.add_user_at(&p.account, &path, name).map(|_| ())
                }
                PrincipalRole::Role => {
                    let (path, name) = principal_path_and_name(p.arn.as_str());
                    world.add_role_at(&p.account, &path, name).map(|_| ())
                }
                PrincipalRole::AssumedRole { .. } => continue,
            };
            if let Err(e) = result {
                b.error(format!("principals[{i}]"), p.span, &e);
            }
        }
        for (i, p) in self.principals.iter().enumerate() {
            if let PrincipalRole::AssumedRole { role } = &p.role {
                let role_arn = match world.role_arn(&p.account, role) {
                    Some(arn) => Ok(arn.clone()),
                    None => PrincipalArn::parse(&format!("arn:aws:iam::{}:role/{role}", p.account)),
                };
                let added = match role_arn {
                    Ok(role_arn) => world
                        .add_session(&role_arn, last_name(p.arn.as_str()))
                        .map(|_| ()),
                    Err(e) => Err(WorldError::UnknownPrincipal(e.0)),
                };
                if let Err(e) = added {
                    b.error(format!("principals[{i}]"), p.span, &e);
                }
            }
        }
        for (i, p) in self.principals.iter().enumerate() {
            let arn = &p.arn;
            if !p.tags.is_empty() {
                if let Err(e) = world.set_principal_tags(arn, tags(&p.tags)) {
                    b.error(format!("principals[{i}].tags"), p.span, &e);
                }
            }
            for (j, policy) in p.policies.iter().enumerate() {
                if let Err(e) = world.put_identity_policy(arn, &policy.name, &policy.document.text)
                {
                    let path = format!("principals[{i}].policies[{j}].document");
                    match &e {
                        WorldError::InvalidPolicy(diagnostics) => {
                            b.policy_errors(&path, &policy.document, diagnostics)
                        }
                        _ => b.error(path, policy.document.span, &e),
                    }
                }
            }
        }
        self.build_iam(&mut world, &mut b);
        // Primary keys first, so that each replica finds its primary (a file may declare a
        // replica before it).
        let (replicas, others): (Vec<_>, Vec<_>) = self
            .keys
            .iter()
            .enumerate()
            .partition(|(_, k)| k.replica_of.is_some());
        for (i, k) in others.into_iter().chain(replicas) {
            let state = match k.state {
                "Disabled" => KeyState::Disabled,
                "PendingImport" => KeyState::PendingImport,
                "PendingDeletion" => KeyState::PendingDeletion {
                    deletion_date: now.plus_millis(i64::from(DEFAULT_WINDOW_DAYS) * DAY_MILLIS),
                    window_days: DEFAULT_WINDOW_DAYS,
                },
                "PendingReplicaDeletion" => KeyState::PendingReplicaDeletion {
                    window_days: DEFAULT_WINDOW_DAYS,
                },
                _ => KeyState::Enabled,
            };
            let setup = KeySetup {
                account: k.account.clone(),
                id: KeyId::parse(&k.id),
                region: Some(k.region.clone()),
                description: k.description.clone(),
                policy: k.policy.as_ref().map(|p| p.text.clone()),
                origin: if k.origin == "EXTERNAL" {
                    Origin::External
                } else {
                    Origin::AwsKms
                },
                spec: k.spec,
                aliases: k.aliases.clone(),
                tags: tags(&k.tags),
                state,
                replica_of: k
                    .replica_of
                    .and_then(|p| self.keys.get(p))
                    .map(|p| p.arn.clone()),
            };
            if let Err(e) = world.add_key(setup, now, rng) {
                match (&e, &k.policy) {
                    (WorldError::InvalidPolicy(diagnostics), Some(policy)) => {
                        b.policy_errors(&format!("keys[{i}].policy"), policy, diagnostics);
                    }
                    _ => b.error(format!("keys[{i}]"), k.span, &e),
                }
            }
        }
        // Grants in the file are already in effect: created one propagation window ago.
        let created = now.plus_millis(-world.grants.propagation_window_millis());
        for (i, grant) in self.grants.iter().enumerate() {
            let Some(key) = self.keys.get(grant.key) else {
                continue;
            };
            // A key of an account that is not 12 digits was refused above.
            let Ok(root) = PrincipalArn::account_root(&key.account) else {
                continue;
            };
            let operations: Vec<_> = grant
                .operations
                .iter()
                .filter_map(|o| parse_operation(o))
                .collect();
            // A grant in a file may list only what CreateGrant would accept for its key's spec.
            if let Some(built) = world.keys.get_by_arn(&key.arn)
                && let Err(e) = crate::kms::check_operations_for_key(built, &operations)
            {
                b.error(
                    format!("grants[{i}].operations"),
                    grant.span,
                    &WorldError::Kms(e),
                );
                continue;
            }
            let spec = NewGrant {
                key_arn: key.arn.clone(),
                grantee: GrantPrincipal::new(&grant.grantee),
                retiring: grant.retiring_principal.as_deref().map(GrantPrincipal::new),
                operations,
                constraints: constraints(&grant.constraints),
                name: grant.name.clone(),
                issuing_account: key.account.clone(),
                created_by: root,
            };
            if let Err(e) = world.grants.create(spec, created, rng) {
                b.error(
                    format!("grants[{i}]"),
                    grant.span,
                    &WorldError::Kms(e.into()),
                );
            }
        }
        if b.errors.is_empty() {
            Ok(world)
        } else {
            Err(ScenarioError::new(b.errors))
        }
    }

    /// Managed policies, groups, attachments, boundaries, session policies and the
    /// organization.
    fn build_iam(&self, world: &mut World, b: &mut Builder<'_>) {
        for (i, m) in self.iam.managed_policies.iter().enumerate() {
            if let Err(e) = world.put_managed_policy(&m.arn, &m.document.text) {
                b.error(format!("managed_policies[{i}]"), m.document.span, &e);
            }
        }
        for (i, g) in self.iam.groups.iter().enumerate() {
            let path = format!("groups[{i}]");
            let (account, group_path, name) = group_parts(&g.arn);
            let added = world.add_group(account, &group_path, name).and_then(|arn| {
                for policy in &g.policies {
                    world.put_group_policy(&arn, &policy.name, &policy.document.text)?;
                }
                for member in &g.members {
                    world.add_user_to_group(&arn, member)?;
                }
                Ok(())
            });
            if let Err(e) = added {
                b.error(path, Span::default(), &e);
            }
        }
        for (i, m) in self.iam.managed_policies.iter().enumerate() {
            for holder in &m.attached_to {
                if let Err(e) = world.attach_policy(holder, &m.arn) {
                    b.error(
                        format!("managed_policies[{i}].attached_to"),
                        m.document.span,
                        &e,
                    );
                }
            }
        }
        for (i, p) in self.principals.iter().enumerate() {
            let p_arn = &p.arn;
            if let Some(boundary) = &p.permissions_boundary {
                if let Err(e) = world.set_permissions_boundary(p_arn, Some(boundary)) {
                    b.error(format!("principals[{i}].permissions_boundary"), p.span, &e);
                }
            }
            for (j, session) in p.session_policies.iter().enumerate() {
                let added = match session {
                    SessionPolicyEntry::Inline(policy) => {
                        world.add_session_policy(p_arn, &policy.name, Some(&policy.document.text))
                    }
                    SessionPolicyEntry::Managed(arn) => world.add_session_policy(p_arn, arn, None),
                };
                if let Err(e) = added {
                    b.error(format!("principals[{i}].session_policies[{j}]"), p.span, &e);
                }
            }
        }
        if let Some(org) = &self.iam.organization {
            let policies = |list: &[OrgPolicyEntry], kind: PolicyKind, b: &mut Builder<'_>| {
                list.iter()
                    .filter_map(|entry| {
                        let parsed = parse_policy(&entry.document.text, kind);
                        let Some(policy) = parsed.policy else {
                            b.policy_errors("organization", &entry.document, &parsed.diagnostics);
                            return None;
                        };
                        Some(OrgPolicy {
                            id: entry.id.clone().unwrap_or_default(),
                            name: entry.name.clone(),
                            text: Arc::from(entry.document.text.as_str()),
                            policy: Arc::new(policy),
                            targets: entry.targets.clone(),
                        })
                    })
                    .collect()
            };
            let organization = Organization {
                id: org.id.clone(),
                management_account: org.management_account.clone(),
                accounts: org.accounts.clone(),
                units: org
                    .units
                    .iter()
                    .map(|u| OrgUnit {
                        id: u.id.clone(),
                        name: u.name.clone(),
                        parent: u.parent.clone(),
                        accounts: u.accounts.clone(),
                    })
                    .collect(),
                scps: policies(&org.scps, PolicyKind::IdentityPolicy, b),
                rcps: policies(&org.rcps, PolicyKind::KeyPolicy, b),
            };
            if let Err(e) = world.set_organization(Some(organization)) {
                b.error("organization".to_owned(), Span::default(), &e);
            }
        }
    }

    /// The scenario a world is: every user, role, session and account root that has a name or a
    /// policy worth keeping, every key with its aliases and policy, every active grant. `base`
    /// supplies names, the title, the actions and the expectations to keep (principals and keys
    /// it does not know are named after their ARN's last part).
    pub fn from_world(world: &World, base: &Scenario) -> Scenario {
        let default_policy = |account: &str| crate::policy::default_key_policy(account);
        let mut principals: Vec<PrincipalEntry> = Vec::new();
        for p in world.principals() {
            // A service principal never lives in a world.
            let Some(arn) = p.arn() else {
                continue;
            };
            let declared = base.principals.iter().find(|d| d.arn == *arn);
            if p.is_root() && declared.is_none() {
                continue;
            }
            let (role, mut name) = match &p.kind {
                PrincipalKind::Service { .. } => continue,
                PrincipalKind::AccountRoot => {
                    (PrincipalRole::AccountRoot, format!("root-{}", p.account))
                }
                PrincipalKind::User { name } => (PrincipalRole::User, name.clone()),
                PrincipalKind::Role { name } => (PrincipalRole::Role, name.clone()),
                PrincipalKind::AssumedRole { role, session } => (
                    PrincipalRole::AssumedRole { role: role.clone() },
                    session.clone(),
                ),
            };
            if let Some(d) = declared {
                name.clone_from(&d.name);
            }
            while principals.iter().any(|q| q.name == name) {
                name.push('_');
            }
            let own_tags = !matches!(p.kind, PrincipalKind::AssumedRole { .. });
            principals.push(PrincipalEntry {
                name,
                arn: arn.clone(),
                account: p.account.clone(),
                role,
                tags: if own_tags {
                    p.tags
                        .iter()
                        .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
                        .collect()
                } else {
                    Vec::new()
                },
                policies: named_policies(&p.policies),
                permissions_boundary: p.permissions_boundary.clone(),
                session_policies: p
                    .session_policies
                    .iter()
                    .map(|sp| {
                        if world.managed_policy(&sp.name).is_some() {
                            SessionPolicyEntry::Managed(sp.name.clone())
                        } else {
                            SessionPolicyEntry::Inline(NamedPolicy {
                                name: sp.name.clone(),
                                document: PolicyText::new(sp.text.to_string()),
                            })
                        }
                    })
                    .collect(),
                span: Span::default(),
            });
        }
        let mut keys: Vec<KeyEntry> = Vec::new();
        for k in world.keys.keys() {
            let declared = base.keys.iter().find(|d| d.arn == k.arn);
            let mut name = declared.map_or_else(|| k.id.to_string(), |d| d.name.clone());
            while keys.iter().any(|q| q.name == name) {
                name.push('_');
            }
            let policy_text = k.policy.text.to_string();
            let policy =
                (policy_text != default_policy(&k.account)).then(|| PolicyText::new(policy_text));
            keys.push(KeyEntry {
                name,
                id: k.id.to_string(),
                arn: k.arn.clone(),
                account: k.account.clone(),
                region: k.region.clone(),
                aliases: world.keys.aliases_for(k).map(|a| a.name.clone()).collect(),
                description: k.description.clone(),
                state: k.state.as_str(),
                origin: if k.origin == Origin::External {
                    "EXTERNAL"
                } else {
                    "AWS_KMS"
                },
                spec: k.spec,
                tags: k
                    .tags
                    .iter()
                    .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
                    .collect(),
                policy,
                replica_of: None,
                span: Span::default(),
            });
        }
        // A replica names its primary: the key of its set (same account and id) that is not a
        // replica.
        for (i, k) in world.keys.keys().enumerate() {
            if !k.replica {
                continue;
            }
            let primary = keys.iter().position(|e| {
                e.id == k.id.as_str()
                    && e.account == k.account
                    && world.keys.get_by_arn(&e.arn).is_some_and(|p| !p.replica)
            });
            if let Some(entry) = keys.get_mut(i) {
                entry.replica_of = primary;
            }
        }
        let grants = world
            .grants
            .all()
            .filter(|g| g.is_active())
            .filter_map(|g| {
                let key = keys.iter().position(|k| k.arn == g.key_arn)?;
                let mut list = Vec::new();
                if let Some(c) = &g.constraints {
                    if let Some(m) = &c.encryption_context_subset {
                        list.push(Constraint {
                            kind: ConstraintKind::Subset,
                            pairs: m.clone().into_iter().collect(),
                        });
                    }
                    if let Some(m) = &c.encryption_context_equals {
                        list.push(Constraint {
                            kind: ConstraintKind::Equals,
                            pairs: m.clone().into_iter().collect(),
                        });
                    }
                }
                Some(GrantEntry {
                    key,
                    grantee: g.grantee.to_string(),
                    operations: g
                        .operations
                        .iter()
                        .filter_map(|a| a.grant_operation_name())
                        .map(str::to_owned)
                        .collect(),
                    constraints: list,
                    retiring_principal: g.retiring.as_ref().map(GrantPrincipal::to_string),
                    name: g.name.clone(),
                    span: Span::default(),
                })
            })
            .collect();
        // Expectations, goals and side-effect rules survive when their principal and key still
        // exist; so does what an exercise lets the student edit.
        let keep = |list: &[Expectation]| -> Vec<Expectation> {
            list.iter()
                .filter_map(|e| {
                    let p_arn = &base.principals.get(e.principal)?.arn;
                    let k_arn = &base.keys.get(e.key)?.arn;
                    let mut kept = e.clone();
                    kept.principal = principals.iter().position(|p| &p.arn == p_arn)?;
                    kept.key = keys.iter().position(|k| &k.arn == k_arn)?;
                    kept.span = Span::default();
                    Some(kept)
                })
                .collect()
        };
        let expect = keep(&base.expect);
        let exercise = Exercise {
            goals: keep(&base.exercise.goals),
            must_not: keep(&base.exercise.must_not),
            may_edit: base.exercise.may_edit.as_ref().map(|scopes| {
                scopes
                    .iter()
                    .filter_map(|scope| {
                        let name = if scope.kind == EditKind::Identity {
                            &principals.iter().find(|p| p.arn == scope.arn)?.name
                        } else {
                            &keys.iter().find(|k| k.arn == scope.arn)?.name
                        };
                        Some(EditScope {
                            name: name.clone(),
                            ..scope.clone()
                        })
                    })
                    .collect()
            }),
        };
        Scenario {
            name: base.name.clone(),
            description: base.description.clone(),
            account: base.account.clone(),
            region: world.region().to_owned(),
            principals,
            keys,
            grants,
            actions: base.actions.clone(),
            expect,
            exercise,
            iam: iam_of(world),
        }
    }
}

/// The managed policies (with what they are attached to), groups and organization of a world.
fn iam_of(world: &World) -> IamSetup {
    let managed_policies = world
        .managed_policies()
        .map(|m| ManagedPolicyEntry {
            arn: m.arn.clone(),
            document: PolicyText::new(m.text.to_string()),
            attached_to: world
                .principals()
                .filter(|p| p.attached.contains(&m.arn))
                .map(|p| p.id.to_string())
                .chain(
                    world
                        .groups()
                        .filter(|g| g.attached.contains(&m.arn))
                        .map(|g| g.arn.clone()),
                )
                .collect(),
        })
        .collect();
    let groups = world
        .groups()
        .map(|g| GroupEntry {
            name: g.name.clone(),
            arn: g.arn.clone(),
            members: g.members.clone(),
            policies: named_policies(&g.policies),
        })
        .collect();
    let entries = |list: &[OrgPolicy]| {
        list.iter()
            .map(|p| OrgPolicyEntry {
                name: p.name.clone(),
                id: (!p.id.is_empty()).then(|| p.id.clone()),
                document: PolicyText::new(p.text.to_string()),
                targets: p.targets.clone(),
            })
            .collect()
    };
    IamSetup {
        managed_policies,
        groups,
        organization: world.organization().map(|org| OrganizationEntry {
            id: org.id.clone(),
            management_account: org.management_account.clone(),
            accounts: org.accounts.clone(),
            units: org
                .units
                .iter()
                .map(|u| OrgUnitEntry {
                    id: u.id.clone(),
                    name: u.name.clone(),
                    parent: u.parent.clone(),
                    accounts: u.accounts.clone(),
                })
                .collect(),
            scps: entries(&org.scps),
            rcps: entries(&org.rcps),
        }),
    }
}

/// Inline policies as the scenario format names them.
fn named_policies(policies: &[crate::world::IdentityPolicy]) -> Vec<NamedPolicy> {
    policies
        .iter()
        .map(|ip| NamedPolicy {
            name: ip.name.clone(),
            document: PolicyText::new(ip.text.to_string()),
        })
        .collect()
}

/// `(account, path, name)` of a group ARN the reader checked.
fn group_parts(arn: &str) -> (&str, String, &str) {
    let rest = arn.strip_prefix("arn:aws:iam::").unwrap_or(arn);
    let (account, resource) = rest.split_once(":group/").unwrap_or((rest, ""));
    match resource.rsplit_once('/') {
        Some((path, name)) => (account, format!("/{path}/"), name),
        None => (account, "/".to_owned(), resource),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededRandomness;

    const NOW: Timestamp = Timestamp(1_704_067_200_000);

    fn export(text: &str) -> String {
        let loaded = super::super::load(text, NOW, &mut SeededRandomness::new(3))
            .unwrap_or_else(|e| panic!("{e}"));
        Scenario::from_world(&loaded.world, &loaded.scenario).to_json()
    }

    #[test]
    fn exporting_a_world_is_stable() {
        for text in [
            include_str!("../../../scenarios/lecture.json"),
            &super::super::generate(30, 8, 5).to_json(),
        ] {
            let once = export(text);
            let twice = export(&once);
            assert_eq!(once, twice);
        }
        // The lecture's policies keep their text; its expectations survive.
        let once = export(include_str!("../../../scenarios/lecture.json"));
        let again = Scenario::parse(&once).unwrap();
        assert_eq!(again.expect.len(), 24);
        assert_eq!(again.keys[2].aliases, ["alias/CMK-C"]);
    }

    #[test]
    fn a_key_policy_naming_a_missing_principal_is_located_in_the_file() {
        let text = "{\"keys\": [{\"name\": \"K\", \"policy\": {\"Version\": \"2012-10-17\", \"Statement\": [\n  {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": [\"arn:aws:iam::111122223333:root\",\n   \"arn:aws:iam::111122223333:user/Ghost\"]}, \"Action\": \"kms:*\", \"Resource\": \"*\"}]}}]}";
        let err = super::super::load(text, NOW, &mut SeededRandomness::new(3)).unwrap_err();
        let lines: Vec<String> = err.diagnostics.iter().map(Diagnostic::one_line).collect();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("3:4: error:"), "{lines:?}");
        assert!(lines[0].contains("user/Ghost"), "{lines:?}");
        assert!(
            lines[0].contains("(at keys[0].policy.Statement[0].Principal[1])"),
            "{lines:?}"
        );
    }

    #[test]
    fn grants_in_the_file_are_already_in_effect_and_sessions_use_their_role() {
        let text = r#"{"principals": [
              {"name": "Ops", "arn": "arn:aws:iam::111122223333:role/Ops", "tags": {"team": "red"}},
              {"name": "s", "arn": "arn:aws:sts::111122223333:assumed-role/Ops/s1"},
              {"name": "Bob"}],
            "keys": [{"name": "K", "state": "PendingDeletion"}],
            "grants": [{"key": "K", "grantee": "Bob", "operations": ["Decrypt"]}]}"#;
        let loaded = super::super::load(text, NOW, &mut SeededRandomness::new(3))
            .unwrap_or_else(|e| panic!("{e}"));
        let session = loaded
            .world
            .principal(
                &crate::request::PrincipalArn::parse(
                    "arn:aws:sts::111122223333:assumed-role/Ops/s1",
                )
                .unwrap(),
            )
            .unwrap();
        assert_eq!(session.tags[0].tag_value, "red");
        let grant = loaded.world.grants.all().next().unwrap();
        assert!(grant.effective_from <= NOW);
        let key = loaded.world.keys.keys().next().unwrap();
        assert_eq!(key.state.as_str(), "PendingDeletion");
    }

    /// A grant in a file lists only what CreateGrant accepts for its key's spec: a grant for
    /// `Sign` on a symmetric encryption key is CreateGrant's ValidationException (KMS Developer
    /// Guide, grants.html, "Grant operations"; API Reference, CreateGrant).
    #[test]
    fn a_grant_in_the_file_may_list_only_operations_its_key_supports() {
        let text = r#"{"principals": [{"name": "Bob"}],
            "keys": [{"name": "K"}],
            "grants": [{"key": "K", "grantee": "Bob", "operations": ["Decrypt", "Sign"]}]}"#;
        let error = super::super::load(text, NOW, &mut SeededRandomness::new(3))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with("3:24: error: ValidationException"),
            "{error}"
        );
        assert!(error.contains("Sign"), "{error}");
        assert!(error.contains("(at grants[0].operations)"), "{error}");
    }
}
