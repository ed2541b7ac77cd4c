//! IAM beyond a user's or role's own inline policies: managed policies, groups, permissions
//! boundaries, session policies, and AWS Organizations' service and resource control policies.
//!
//! - A managed policy (customer managed `arn:aws:iam::ACCOUNT:policy/PATH/NAME`, or AWS managed
//!   `arn:aws:iam::aws:policy/NAME`) is one document, its default version, that users, groups
//!   and roles attach by ARN (IAM User Guide, access_policies_managed-vs-inline.html).
//! - A group is never a principal: its inline and attached policies apply to its member users
//!   (IAM User Guide, id_groups.html).
//! - A permissions boundary is a managed policy set on a user or role: identity-based allows
//!   count only where it also allows (IAM User Guide, access_policies_boundaries.html).
//! - Session policies are passed when a role is assumed and limit the session the same way
//!   (IAM User Guide, access_policies.html#policies_session).
//! - SCPs limit the principals of member accounts, RCPs the resources of member accounts; neither
//!   applies to the management account (AWS Organizations User Guide,
//!   orgs_manage_policies_scps.html and orgs_manage_policies_rcps.html). Either attaches to the
//!   organization's root, to an organizational unit (OU) or to an account; an account gets the
//!   policies of every OU above it, up to the root. OUs nest at most five deep (AWS
//!   Organizations User Guide, orgs_reference_limits.html).
//! - A custom RCP may only deny: "The effect of `Allow` is only supported for the
//!   `RCPFullAWSAccess` policy", which AWS attaches to the root, every OU and every account and
//!   which cannot be detached (AWS Organizations User Guide, orgs_manage_policies_rcps_syntax.html).
//!   The world therefore holds only custom RCPs and refuses one with an `Allow` statement;
//!   `RCPFullAWSAccess` is always there without being listed.
//!
//! The world keeps, per user and role, the list of every identity policy that applies
//! ([`World::identity_policies`]), refreshed whenever a policy, an attachment or a membership
//! changes, so deciding never walks groups.

use super::{IdentityPolicy, PrincipalKind, World, WorldError, check_iam_name, check_iam_path};
use crate::policy::Policy;
use crate::policy::parse::{PolicyKind, parse_policy};
use crate::request::PrincipalArn;
use std::sync::Arc;

/// A managed policy: its ARN, name and default version's document.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedPolicy {
    /// `arn:aws:iam::ACCOUNT:policy/PATH/NAME` or `arn:aws:iam::aws:policy/PATH/NAME`.
    pub arn: String,
    /// The policy name (the ARN's last part).
    pub name: String,
    /// The default version's document as written.
    pub text: Arc<str>,
    /// The parsed document.
    pub policy: Arc<Policy>,
}

impl ManagedPolicy {
    /// Whether AWS manages it (`arn:aws:iam::aws:policy/...`).
    pub fn is_aws_managed(&self) -> bool {
        self.arn.starts_with("arn:aws:iam::aws:policy/")
    }
}

/// Where an identity policy that applies to a user or role is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicySource {
    /// An inline policy of the user or role.
    Inline {
        /// The user or role.
        holder: PrincipalArn,
        /// The policy name.
        name: String,
    },
    /// An inline policy of one of the user's groups.
    Group {
        /// The group's ARN.
        group: String,
        /// The policy name.
        name: String,
    },
    /// A managed policy attached to the user or role or to one of its groups.
    Managed {
        /// The policy's ARN.
        arn: String,
    },
}

/// An IAM group: policies that apply to its member users.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// `arn:aws:iam::ACCOUNT:group/PATH/NAME`.
    pub arn: String,
    /// The account.
    pub account: String,
    /// The group name.
    pub name: String,
    /// Its IAM path.
    pub path: String,
    /// Inline policies.
    pub policies: Vec<IdentityPolicy>,
    /// Attached managed policies, by ARN.
    pub attached: Vec<String>,
    /// The ARNs of its member users.
    pub members: Vec<PrincipalArn>,
}

/// A service control policy or resource control policy and where it is attached.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgPolicy {
    /// The policy id (`p-...`).
    pub id: String,
    /// The policy name.
    pub name: String,
    /// The document as written.
    pub text: Arc<str>,
    /// The parsed document.
    pub policy: Arc<Policy>,
    /// Where it is attached: member account ids, OU ids (`ou-...`: every account under the
    /// OU), or the organization's root (`root` or its `r-...` id): every member account.
    pub targets: Vec<String>,
}

impl OrgPolicy {
    /// Whether the policy is attached to the organization's root.
    pub fn at_root(&self) -> bool {
        self.targets.iter().any(|t| is_root_target(t))
    }

    /// Whether the policy is attached to `account` itself, or to the OU with that id.
    pub fn at_account(&self, account: &str) -> bool {
        self.targets.iter().any(|t| t == account)
    }
}

/// Whether a target names the organization's root.
pub fn is_root_target(target: &str) -> bool {
    target == "root" || target.starts_with("r-")
}

/// Whether a target or parent names an organizational unit (`ou-...`).
pub fn is_unit_id(target: &str) -> bool {
    target.starts_with("ou-")
}

/// How deep organizational units nest under the root, at most (AWS Organizations User Guide,
/// orgs_reference_limits.html, "OU maximum nesting in a root": five levels).
pub const MAX_UNIT_DEPTH: usize = 5;

/// The most levels an account's SCPs can have: the root, five OUs, the account.
pub const MAX_SCP_LEVELS: usize = MAX_UNIT_DEPTH + 2;

/// An organizational unit: a branch of the organization's tree.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgUnit {
    /// The OU id (`ou-...`).
    pub id: String,
    /// The OU name.
    pub name: String,
    /// Its parent: the root (`root` or its `r-...` id) or another OU's id.
    pub parent: String,
    /// The member accounts placed directly in it.
    pub accounts: Vec<String>,
}

/// An AWS organization: its id, its management account, its member accounts (in OUs or
/// directly under the root), its tree of OUs and its SCPs and RCPs.
///
/// An account is a member only if the organization says so: its management account, an
/// account placed in an OU, or one listed directly under the root ([`Organization::is_member`]).
/// Other accounts of the world are outside it: no SCP or RCP applies to them and their
/// principals' requests carry no `aws:PrincipalOrgID`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Organization {
    /// The organization id (`o-` and 10 to 32 lowercase letters or digits), if known: the value
    /// of `aws:PrincipalOrgID` for the principals of member accounts.
    pub id: Option<String>,
    /// The management account: neither SCPs nor RCPs apply to it.
    pub management_account: String,
    /// The member accounts placed directly under the root (not in an OU).
    pub accounts: Vec<String>,
    /// The organizational units.
    pub units: Vec<OrgUnit>,
    /// Service control policies.
    pub scps: Vec<OrgPolicy>,
    /// Resource control policies (custom ones: deny statements only).
    pub rcps: Vec<OrgPolicy>,
}

/// Whether `id` is an organization id: "o-" followed by from 10 to 32 lowercase letters or
/// digits (AWS Organizations API Reference, Organization, `Id`: pattern `^o-[a-z0-9]{10,32}$`).
pub fn is_organization_id(id: &str) -> bool {
    id.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

impl Organization {
    /// Whether `account` belongs to the organization: its management account, an account in
    /// one of its OUs, or one listed directly under the root.
    pub fn is_member(&self, account: &str) -> bool {
        !account.is_empty()
            && (account == self.management_account
                || self.accounts.iter().any(|a| a == account)
                || self
                    .units
                    .iter()
                    .any(|u| u.accounts.iter().any(|a| a == account)))
    }

    /// The OU with this id.
    pub fn unit(&self, id: &str) -> Option<&OrgUnit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The root's id (`r-...`), when the organization names it: every unit parent and policy
    /// target that names the root by id names the same one (`root` says nothing of the id).
    pub fn root_id(&self) -> Option<&str> {
        let mut ids = self
            .units
            .iter()
            .map(|u| u.parent.as_str())
            .chain(
                self.scps
                    .iter()
                    .chain(&self.rcps)
                    .flat_map(|p| p.targets.iter().map(String::as_str)),
            )
            .filter(|t| t.starts_with("r-"));
        let first = ids.next()?;
        ids.all(|id| id == first).then_some(first)
    }

    /// `account`'s AWS Organizations entity path, `o-id/r-root/ou-.../` down to its own OU, as
    /// `aws:PrincipalOrgPaths` holds it (IAM User Guide, reference_policies_condition-keys.html,
    /// aws:PrincipalOrgPaths; access_policies_last-accessed-view-data-orgs.html, "Understand the
    /// AWS Organizations entity path"). `None` for a non-member, or when the organization's id
    /// or its root's id is unknown.
    pub fn path_of(&self, account: &str) -> Option<String> {
        let (id, root) = (self.id.as_deref()?, self.root_id()?);
        if !self.is_member(account) {
            return None;
        }
        let mut path = format!("{id}/{root}/");
        for unit in self.path_to(account) {
            path.push_str(&unit.id);
            path.push('/');
        }
        Some(path)
    }

    /// The OUs from the root down to `account`'s own OU (empty for an account directly under
    /// the root). Stops at a cycle or past [`MAX_UNIT_DEPTH`] levels, which
    /// [`World::set_organization`] refuses.
    pub fn path_to(&self, account: &str) -> Vec<&OrgUnit> {
        let mut path = Vec::new();
        let mut next = self
            .units
            .iter()
            .find(|u| u.accounts.iter().any(|a| a == account));
        while let Some(unit) = next {
            if path.len() > MAX_UNIT_DEPTH || path.iter().any(|u: &&OrgUnit| u.id == unit.id) {
                break;
            }
            path.push(unit);
            next = self.unit(&unit.parent);
        }
        path.reverse();
        path
    }

    /// What is wrong with the tree and the attachments, if anything: an OU whose parent is
    /// unknown, a cycle, nesting deeper than five, an account in two OUs, a target that names
    /// no OU, a custom RCP that allows.
    pub fn problem(&self) -> Option<String> {
        if let Some(id) = self.id.as_deref().filter(|id| !is_organization_id(id)) {
            return Some(format!(
                "`{id}` is not an organization id (`o-` and 10 to 32 lowercase letters or digits)"
            ));
        }
        for (i, account) in self.accounts.iter().enumerate() {
            if self.accounts.iter().skip(i + 1).any(|a| a == account) {
                return Some(format!(
                    "account `{account}` is listed twice under the root"
                ));
            }
            if let Some(unit) = self.units.iter().find(|u| u.accounts.contains(account)) {
                return Some(format!(
                    "account `{account}` is both under the root and in OU `{}`",
                    unit.id
                ));
            }
        }
        for (i, unit) in self.units.iter().enumerate() {
            if !is_unit_id(&unit.id) {
                return Some(format!("`{}` is not an OU id (`ou-...`)", unit.id));
            }
            if self.units.iter().skip(i + 1).any(|u| u.id == unit.id) {
                return Some(format!("OU `{}` is listed twice", unit.id));
            }
            if !is_root_target(&unit.parent) && self.unit(&unit.parent).is_none() {
                return Some(format!(
                    "the parent `{}` of OU `{}` is neither the root nor a listed OU",
                    unit.parent, unit.id
                ));
            }
            let mut depth = 1;
            let mut parent = self.unit(&unit.parent);
            while let Some(p) = parent {
                depth += 1;
                if p.id == unit.id || depth > MAX_UNIT_DEPTH {
                    return Some(format!(
                        "OU `{}` is more than {MAX_UNIT_DEPTH} levels below the root, or its own ancestor",
                        unit.id
                    ));
                }
                parent = self.unit(&p.parent);
            }
            for account in &unit.accounts {
                if let Some(other) = self
                    .units
                    .iter()
                    .skip(i + 1)
                    .find(|u| u.accounts.contains(account))
                {
                    return Some(format!(
                        "account `{account}` is in two OUs, `{}` and `{}`",
                        unit.id, other.id
                    ));
                }
            }
        }
        for policy in self.scps.iter().chain(&self.rcps) {
            // AttachPolicy takes the root, an OU or a member account.
            for target in policy.targets.iter() {
                if !is_unit_id(target) && !is_root_target(target) && !self.is_member(target) {
                    return Some(format!(
                        "policy `{}` is attached to account `{target}`, which is not a member of the organization",
                        policy.name
                    ));
                }
            }
            for target in policy.targets.iter().filter(|t| is_unit_id(t)) {
                if self.unit(target).is_none() {
                    return Some(format!(
                        "policy `{}` is attached to OU `{target}`, which is not listed",
                        policy.name
                    ));
                }
            }
        }
        for rcp in &self.rcps {
            if let Some(statement) = rcp_allow_statement(&rcp.policy) {
                return Some(format!(
                    "RCP `{}`: statement {statement} allows; only the AWS managed RCPFullAWSAccess may allow, and it is always attached",
                    rcp.name
                ));
            }
        }
        None
    }
}

/// The index of the first `Allow` statement of an RCP: AWS accepts `Allow` only in
/// `RCPFullAWSAccess` (AWS Organizations User Guide, orgs_manage_policies_rcps_syntax.html).
pub fn rcp_allow_statement(policy: &Policy) -> Option<usize> {
    policy
        .statements
        .iter()
        .position(|s| s.effect == crate::policy::Effect::Allow)
}

/// Where an SCP is attached, on an account's path from the root.
#[derive(Clone, Copy, Debug)]
pub enum ScpLevel<'a> {
    /// The organization's root.
    Root,
    /// An organizational unit above the account.
    Unit(&'a OrgUnit),
    /// The account itself.
    Account,
}

impl ScpLevel<'_> {
    /// The level in words: "the organization's root", "OU Production (ou-...)", "the account".
    pub fn describe(&self) -> String {
        match self {
            ScpLevel::Root => "the organization's root".to_owned(),
            ScpLevel::Unit(unit) => format!("OU {} ({})", unit.name, unit.id),
            ScpLevel::Account => "the account".to_owned(),
        }
    }
}

/// The SCPs that apply to a principal of a member account, by level: at every level from the
/// root down to the account, an SCP must allow (AWS Organizations User Guide,
/// orgs_manage_policies_scps_evaluation.html, "How SCPs work with Allow"). Levels where nothing
/// is attached are left out.
#[derive(Clone, Debug, Default)]
pub struct ScpLevels<'a> {
    /// `(level, the policies attached there)`: the root, the OUs from the top down, then the
    /// account.
    pub levels: Vec<(ScpLevel<'a>, Vec<&'a OrgPolicy>)>,
}

impl ScpLevels<'_> {
    /// Whether no SCP applies.
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// Every applying SCP, root level first.
    pub fn policies(&self) -> impl Iterator<Item = &OrgPolicy> {
        self.levels
            .iter()
            .flat_map(|(_, policies)| policies.iter().copied())
    }
}

/// Parses a policy of `kind`, or returns its diagnostics as an error.
fn parsed(text: &str, kind: PolicyKind) -> Result<Policy, WorldError> {
    let result = parse_policy(text, kind);
    result
        .policy
        .ok_or(WorldError::InvalidPolicy(result.diagnostics))
}

/// `(account or "aws", path, name)` of a managed policy ARN.
pub fn parse_policy_arn(arn: &str) -> Option<(&str, String, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let account_ok =
        account == "aws" || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    let rest = resource.strip_prefix("policy/")?;
    let (path, name) = match rest.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_owned(), rest),
    };
    let name_ok = check_iam_name("policy", name, 128).is_ok() && check_iam_path(&path).is_ok();
    (account_ok && name_ok).then_some((account, path, name))
}

impl World {
    /// Adds or replaces managed policy `arn` with `text` as its default version. Every user,
    /// group and role it is attached to gets the new version.
    pub fn put_managed_policy(&mut self, arn: &str, text: &str) -> Result<(), WorldError> {
        let Some((account, _, name)) = parse_policy_arn(arn) else {
            return Err(WorldError::InvalidName {
                what: "managed policy ARN",
                name: arn.to_owned(),
            });
        };
        if account != "aws" && self.account(account).is_none() {
            return Err(WorldError::UnknownAccount(account.to_owned()));
        }
        let policy = parsed(text, PolicyKind::IdentityPolicy)?;
        let replaced = self.managed.contains_key(arn);
        self.managed.insert(
            arn.to_owned(),
            Arc::new(ManagedPolicy {
                arn: arn.to_owned(),
                name: name.to_owned(),
                text: Arc::from(text),
                policy: Arc::new(policy),
            }),
        );
        if replaced {
            self.refresh_all();
        }
        Ok(())
    }

    /// The managed policy with this ARN.
    pub fn managed_policy(&self, arn: &str) -> Option<&Arc<ManagedPolicy>> {
        self.managed.get(arn)
    }

    /// Every managed policy, by ARN.
    pub fn managed_policies(&self) -> impl Iterator<Item = &Arc<ManagedPolicy>> {
        self.managed.values()
    }

    /// Adds group `name` under `path` to `account`; returns its ARN.
    pub fn add_group(
        &mut self,
        account: &str,
        path: &str,
        name: &str,
    ) -> Result<String, WorldError> {
        check_iam_name("group", name, 128)?;
        check_iam_path(path)?;
        if self.account(account).is_none() {
            return Err(WorldError::UnknownAccount(account.to_owned()));
        }
        let arn = format!("arn:aws:iam::{account}:group{path}{name}");
        if self
            .groups
            .iter()
            .any(|g| g.account == account && g.name == name)
        {
            return Err(WorldError::DuplicatePrincipal(arn));
        }
        self.groups.push(Arc::new(Group {
            arn: arn.clone(),
            account: account.to_owned(),
            name: name.to_owned(),
            path: path.to_owned(),
            policies: Vec::new(),
            attached: Vec::new(),
            members: Vec::new(),
        }));
        Ok(arn)
    }

    /// Every group, in the order they were added.
    pub fn groups(&self) -> impl Iterator<Item = &Arc<Group>> {
        self.groups.iter()
    }

    /// The group with this ARN.
    pub fn group(&self, arn: &str) -> Option<&Arc<Group>> {
        self.groups.iter().find(|g| g.arn == arn)
    }

    fn group_mut(&mut self, arn: &str) -> Result<&mut Group, WorldError> {
        self.groups
            .iter_mut()
            .find(|g| g.arn == arn)
            .map(Arc::make_mut)
            .ok_or_else(|| WorldError::UnknownGroup(arn.to_owned()))
    }

    /// Adds (or replaces) inline policy `name` of group `group_arn`.
    pub fn put_group_policy(
        &mut self,
        group_arn: &str,
        name: &str,
        text: &str,
    ) -> Result<(), WorldError> {
        let policy = parsed(text, PolicyKind::IdentityPolicy)?;
        let entry = IdentityPolicy {
            name: name.to_owned(),
            text: Arc::from(text),
            policy: Arc::new(policy),
        };
        let group = self.group_mut(group_arn)?;
        match group.policies.iter_mut().find(|p| p.name == name) {
            Some(existing) => *existing = entry,
            None => group.policies.push(entry),
        }
        let members = group.members.clone();
        self.refresh(&members);
        Ok(())
    }

    /// Deletes inline policy `name` of group `group_arn` (IAM's DeleteGroupPolicy).
    pub fn delete_group_policy(&mut self, group_arn: &str, name: &str) -> Result<(), WorldError> {
        let group = self.group_mut(group_arn)?;
        super::remove_policy(&mut group.policies, group_arn, name)?;
        let members = group.members.clone();
        self.refresh(&members);
        Ok(())
    }

    /// Makes user `user_arn` a member of group `group_arn` (of the same account).
    pub fn add_user_to_group(
        &mut self,
        group_arn: &str,
        user_arn: &PrincipalArn,
    ) -> Result<(), WorldError> {
        let user = self
            .principal(user_arn)
            .ok_or_else(|| WorldError::UnknownPrincipal(user_arn.to_string()))?;
        if !matches!(user.kind, PrincipalKind::User { .. }) {
            return Err(WorldError::NotAUser(user_arn.to_string()));
        }
        let account = user.account.clone();
        let group = self.group_mut(group_arn)?;
        if group.account != account {
            return Err(WorldError::NotAUser(user_arn.to_string()));
        }
        if !group.members.contains(user_arn) {
            group.members.push(user_arn.clone());
        }
        self.refresh(std::slice::from_ref(user_arn));
        Ok(())
    }

    /// Attaches managed policy `policy_arn` to a user, role or group (`holder_arn`: a group's
    /// ARN or a principal's).
    pub fn attach_policy(&mut self, holder_arn: &str, policy_arn: &str) -> Result<(), WorldError> {
        if !self.managed.contains_key(policy_arn) {
            return Err(WorldError::UnknownManagedPolicy(policy_arn.to_owned()));
        }
        if self.group(holder_arn).is_some() {
            let group = self.group_mut(holder_arn)?;
            if !group.attached.iter().any(|a| a == policy_arn) {
                group.attached.push(policy_arn.to_owned());
            }
            let members = group.members.clone();
            self.refresh(&members);
            return Ok(());
        }
        let holder = PrincipalArn::parse(holder_arn)
            .map_err(|_| WorldError::UnknownPrincipal(holder_arn.to_owned()))?;
        self.check_policy_holder(&holder)?;
        let principal = self.principal_mut(&holder)?;
        if !principal.attached.iter().any(|a| a == policy_arn) {
            principal.attached.push(policy_arn.to_owned());
        }
        self.refresh(std::slice::from_ref(&holder));
        Ok(())
    }

    /// Sets (or with `None` removes) the permissions boundary of a user or role.
    pub fn set_permissions_boundary(
        &mut self,
        principal_arn: &PrincipalArn,
        policy_arn: Option<&str>,
    ) -> Result<(), WorldError> {
        if let Some(arn) = policy_arn {
            if !self.managed.contains_key(arn) {
                return Err(WorldError::UnknownManagedPolicy(arn.to_owned()));
            }
        }
        self.check_policy_holder(principal_arn)?;
        self.principal_mut(principal_arn)?.permissions_boundary = policy_arn.map(str::to_owned);
        Ok(())
    }

    /// The permissions boundary that limits `principal`: its own, or for a session its role's.
    pub fn permissions_boundary(&self, principal: &super::Principal) -> Option<&ManagedPolicy> {
        let holder = match (&principal.kind, &principal.request.role_arn) {
            (PrincipalKind::AssumedRole { .. }, Some(role_arn)) => self.principal(role_arn)?,
            _ => principal,
        };
        holder
            .permissions_boundary
            .as_deref()
            .and_then(|arn| self.managed.get(arn))
            .map(AsRef::as_ref)
    }

    /// Adds a session policy to session `session_arn`: an inline one (`name` and `text`), as
    /// `AssumeRole --policy` passes it, or a managed one (`name` is its ARN, `text` `None`), as
    /// `--policy-arns` does.
    pub fn add_session_policy(
        &mut self,
        session_arn: &PrincipalArn,
        name: &str,
        text: Option<&str>,
    ) -> Result<(), WorldError> {
        let entry = match text {
            Some(text) => IdentityPolicy {
                name: name.to_owned(),
                text: Arc::from(text),
                policy: Arc::new(parsed(text, PolicyKind::IdentityPolicy)?),
            },
            None => {
                let managed = self
                    .managed
                    .get(name)
                    .ok_or_else(|| WorldError::UnknownManagedPolicy(name.to_owned()))?;
                IdentityPolicy {
                    name: managed.arn.clone(),
                    text: Arc::clone(&managed.text),
                    policy: Arc::clone(&managed.policy),
                }
            }
        };
        let principal = self.principal_mut(session_arn)?;
        if !matches!(principal.kind, PrincipalKind::AssumedRole { .. }) {
            return Err(WorldError::NotASession(session_arn.to_string()));
        }
        principal.session_policies.push(entry);
        Ok(())
    }

    /// Replaces the organization (`None`: the accounts belong to none).
    pub fn set_organization(
        &mut self,
        organization: Option<Organization>,
    ) -> Result<(), WorldError> {
        if let Some(org) = &organization {
            if self.account(&org.management_account).is_none() {
                return Err(WorldError::UnknownAccount(org.management_account.clone()));
            }
            let accounts = org
                .scps
                .iter()
                .chain(&org.rcps)
                .flat_map(|p| &p.targets)
                .filter(|t| !is_root_target(t) && !is_unit_id(t))
                .chain(&org.accounts)
                .chain(org.units.iter().flat_map(|u| &u.accounts));
            for account in accounts {
                if self.account(account).is_none() {
                    return Err(WorldError::UnknownAccount(account.clone()));
                }
            }
            if let Some(problem) = org.problem() {
                return Err(WorldError::Organization(problem));
            }
        }
        self.organization = organization.map(Arc::new);
        Ok(())
    }

    /// The organization, if the world has one.
    pub fn organization(&self) -> Option<&Organization> {
        self.organization.as_deref()
    }

    /// The id of the organization `account` belongs to (`aws:PrincipalOrgID` of its
    /// principals): `None` outside the organization, or when the organization's id is unknown.
    pub fn organization_id_of(&self, account: &str) -> Option<&str> {
        self.organization()
            .filter(|org| org.is_member(account))
            .and_then(|org| org.id.as_deref())
    }

    /// The SCPs that limit the principals of `account`: none for the management account, an
    /// account outside the organization, or a world without an organization.
    pub fn scps_for(&self, account: &str) -> ScpLevels<'_> {
        let Some(org) = self.organization() else {
            return ScpLevels::default();
        };
        if !org.is_member(account) || account == org.management_account {
            return ScpLevels::default();
        }
        let at = |level: &ScpLevel<'_>| -> Vec<&OrgPolicy> {
            org.scps
                .iter()
                .filter(|p| match level {
                    ScpLevel::Root => p.at_root(),
                    ScpLevel::Unit(unit) => p.at_account(&unit.id),
                    ScpLevel::Account => p.at_account(account),
                })
                .collect()
        };
        let levels = std::iter::once(ScpLevel::Root)
            .chain(org.path_to(account).into_iter().map(ScpLevel::Unit))
            .chain(std::iter::once(ScpLevel::Account))
            .map(|level| (level, at(&level)))
            .filter(|(_, policies)| !policies.is_empty())
            .collect();
        ScpLevels { levels }
    }

    /// The RCPs that limit what principals may do with the resources (keys) of `account`: those
    /// attached to the root, to an OU above the account, or to the account; any of them may
    /// deny (AWS Organizations User Guide, orgs_manage_policies_rcps_evaluation.html). None
    /// for the management account or an account outside the organization.
    pub fn rcps_for(&self, account: &str) -> Vec<&OrgPolicy> {
        let Some(org) = self.organization() else {
            return Vec::new();
        };
        if !org.is_member(account) || account == org.management_account {
            return Vec::new();
        }
        let path = org.path_to(account);
        org.rcps
            .iter()
            .filter(|p| {
                p.at_root() || p.at_account(account) || path.iter().any(|u| p.at_account(&u.id))
            })
            .collect()
    }

    /// Recomputes the identity policies that apply to every user and role.
    pub(super) fn refresh_all(&mut self) {
        let arns: Vec<PrincipalArn> = self
            .principals
            .iter()
            .filter_map(|p| p.arn().cloned())
            .collect();
        self.refresh(&arns);
    }

    /// The identity policies that apply to user or role `arn`, each with where it is written:
    /// its inline policies, its attached managed policies, then each of its groups' inline and
    /// attached policies. Empty for other principals.
    pub fn effective_with_sources(
        &self,
        arn: &PrincipalArn,
    ) -> Vec<(IdentityPolicy, PolicySource)> {
        let Some(principal) = self.principal(arn) else {
            return Vec::new();
        };
        if !matches!(
            principal.kind,
            PrincipalKind::User { .. } | PrincipalKind::Role { .. }
        ) {
            return Vec::new();
        }
        let managed = |policy_arn: &String| {
            self.managed.get(policy_arn).map(|m| {
                (
                    IdentityPolicy {
                        name: m.name.clone(),
                        text: Arc::clone(&m.text),
                        policy: Arc::clone(&m.policy),
                    },
                    PolicySource::Managed { arn: m.arn.clone() },
                )
            })
        };
        let mut effective: Vec<(IdentityPolicy, PolicySource)> = principal
            .policies
            .iter()
            .map(|p| {
                let source = PolicySource::Inline {
                    holder: arn.clone(),
                    name: p.name.clone(),
                };
                (p.clone(), source)
            })
            .collect();
        effective.extend(principal.attached.iter().filter_map(managed));
        for group in self.groups.iter().filter(|g| g.members.contains(arn)) {
            effective.extend(group.policies.iter().map(|p| {
                let policy = IdentityPolicy {
                    name: format!("{}/{}", group.name, p.name),
                    ..p.clone()
                };
                let source = PolicySource::Group {
                    group: group.arn.clone(),
                    name: p.name.clone(),
                };
                (policy, source)
            }));
            effective.extend(group.attached.iter().filter_map(managed));
        }
        effective
    }

    /// Where identity policy number `index` of [`World::identity_policies`] of `principal` is
    /// written (a session's are its role's).
    pub fn identity_policy_source(
        &self,
        principal: &super::Principal,
        index: usize,
    ) -> Option<PolicySource> {
        let holder = match (&principal.kind, &principal.request.role_arn) {
            (PrincipalKind::AssumedRole { .. }, Some(role_arn)) => role_arn,
            _ => principal.arn()?,
        };
        self.effective_with_sources(holder)
            .into_iter()
            .nth(index)
            .map(|(_, source)| source)
    }

    /// Recomputes the identity policies that apply to these users and roles
    /// ([`World::effective_with_sources`]).
    pub(super) fn refresh(&mut self, arns: &[PrincipalArn]) {
        for arn in arns {
            if self.principal(arn).is_none() {
                continue;
            }
            let effective = self
                .effective_with_sources(arn)
                .into_iter()
                .map(|(policy, _)| policy)
                .collect();
            if let Ok(principal) = self.principal_mut(arn) {
                principal.effective = effective;
            }
        }
    }
}
