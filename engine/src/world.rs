//! The simulated AWS world: accounts, IAM principals with their identity policies and tags, and
//! the key store.
//!
//! A [`World`] is plain data behind `Arc`s: cloning one is cheap (the app keeps a world per undo
//! step) and a change copies only the principal or key it touches. Setting up the world
//! (adding users, writing policies as an administrator would) goes through the methods here;
//! KMS API calls, which are authorized, are in [`crate::kms`].

use crate::crypto::KeyRing;
use crate::diagnostics::{Diagnostic, LineIndex, Severity};
use crate::entropy::{Randomness, Timestamp};
use crate::error::KmsError;
use crate::policy::parse::{PolicyKind, parse_policy};
use crate::policy::{Policy, PrincipalKey, PrincipalSet};
use crate::request::{PrincipalArn, PrincipalId, PrincipalType, RequestPrincipal};
use crate::store::grants::GrantStore;
use crate::store::{
    Alias, Key, KeyId, KeyPolicy, KeyState, KeyStore, KeyVersion, Origin, RotationType, Tag,
    alias_arn, validate_alias_name,
};
use serde::Serialize;
use std::collections::BTreeMap;

mod iam;

pub use iam::{
    Group, MAX_SCP_LEVELS, MAX_UNIT_DEPTH, ManagedPolicy, OrgPolicy, OrgUnit, Organization,
    PolicySource, ScpLevel, ScpLevels, is_organization_id, is_root_target, is_unit_id,
    parse_policy_arn, rcp_allow_statement,
};
use std::fmt;
use std::sync::Arc;

/// Removes policy `name` from `policies` of `holder`, or says it has none of that name.
fn remove_policy(
    policies: &mut Vec<IdentityPolicy>,
    holder: &str,
    name: &str,
) -> Result<(), WorldError> {
    let before = policies.len();
    policies.retain(|p| p.name != name);
    if policies.len() == before {
        return Err(WorldError::UnknownPolicy {
            principal: holder.to_owned(),
            name: name.to_owned(),
        });
    }
    Ok(())
}

/// The Region a new world's keys live in.
pub const DEFAULT_REGION: &str = "us-east-1";

/// What kind of IAM identity a principal is, with its names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum PrincipalKind {
    /// The account's root user, `arn:aws:iam::ACCOUNT:root`.
    AccountRoot,
    /// An IAM user.
    User {
        /// The user name.
        name: String,
    },
    /// An IAM role (as a caller, it stands for a session of itself).
    Role {
        /// The role name.
        name: String,
    },
    /// An assumed-role session; it has its role's policies and tags.
    AssumedRole {
        /// The role's name.
        role: String,
        /// The session name.
        session: String,
    },
    /// An AWS service principal such as `cloudtrail.amazonaws.com`. It is no IAM identity of any
    /// account: only a key policy statement naming the service (or `*`) speaks for it. It never
    /// lives in a world; the analysis decides for one ([`Principal::service`]).
    Service {
        /// The service principal name.
        name: String,
    },
}

/// A named identity (IAM) policy: the text as written and its parsed form.
#[derive(Clone, Debug, PartialEq)]
pub struct IdentityPolicy {
    /// The policy name, unique per principal.
    pub name: String,
    /// The document as written.
    pub text: Arc<str>,
    /// The parsed document.
    pub policy: Arc<Policy>,
}

/// An IAM identity that can call KMS.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    /// The principal's ARN, or for an AWS service principal its name.
    pub id: PrincipalId,
    /// The account id.
    pub account: String,
    /// What it is.
    pub kind: PrincipalKind,
    /// The IAM path of a user or role (`/` unless created under one, such as `/service-role/`);
    /// part of its ARN. A session's is its role's; its own ARN has no path (IAM User Guide,
    /// reference_identifiers.html, "IAM ARNs" and "Friendly names and paths").
    pub path: String,
    /// `aws:userid`: a unique id for users and roles, `ROLEID:session` for sessions, the account
    /// id for the root user (IAM User Guide, reference_policies_variables.html).
    pub user_id: String,
    /// Tags (for a session: its role's tags).
    pub tags: Vec<Tag>,
    /// Inline identity policies of this principal (a session's are its role's; the root user
    /// has none and needs none).
    pub policies: Vec<IdentityPolicy>,
    /// The ARNs of the managed policies attached to this user or role.
    pub attached: Vec<String>,
    /// The ARN of the managed policy that is this user's or role's permissions boundary.
    pub permissions_boundary: Option<String>,
    /// A session's session policies (`AssumeRole --policy` and `--policy-arns`): they limit
    /// what its role's identity policies allow (IAM User Guide, access_policies.html#policies_session).
    pub session_policies: Vec<IdentityPolicy>,
    /// Every identity policy that applies: the inline ones, the attached managed ones, and the
    /// inline and attached policies of the user's groups, in that order.
    effective: Vec<IdentityPolicy>,
    /// The principal as policy evaluation sees it.
    request: RequestPrincipal,
}

impl Principal {
    /// The ARN of an IAM principal (every principal of a world has one); `None` for an AWS
    /// service principal.
    pub fn arn(&self) -> Option<&PrincipalArn> {
        self.id.arn()
    }

    /// The principal as policy evaluation sees it.
    pub fn request_principal(&self) -> &RequestPrincipal {
        &self.request
    }

    /// `aws:username` for IAM users (absent for other principals).
    pub fn user_name(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::User { name } => Some(name),
            _ => None,
        }
    }

    /// A short name for people: the user, role or session name, or "root (ACCOUNT)".
    pub fn display_name(&self) -> String {
        match &self.kind {
            PrincipalKind::AccountRoot => format!("root ({})", self.account),
            PrincipalKind::User { name } | PrincipalKind::Role { name } => name.clone(),
            PrincipalKind::AssumedRole { role, session } => format!("{role}/{session}"),
            PrincipalKind::Service { name } => name.clone(),
        }
    }

    /// An AWS service principal calling KMS itself, such as `cloudtrail.amazonaws.com`: it has
    /// no account, no identity policies and no tags (IAM User Guide,
    /// reference_policies_elements_principal.html, "AWS service principals").
    pub fn service(name: &str) -> Principal {
        Principal {
            id: PrincipalId::Service(name.to_owned()),
            account: String::new(),
            kind: PrincipalKind::Service {
                name: name.to_owned(),
            },
            path: String::new(),
            user_id: name.to_owned(),
            tags: Vec::new(),
            policies: Vec::new(),
            attached: Vec::new(),
            permissions_boundary: None,
            session_policies: Vec::new(),
            effective: Vec::new(),
            request: RequestPrincipal {
                id: PrincipalId::Service(name.to_owned()),
                account: String::new(),
                kind: PrincipalType::Service,
                role_arn: None,
            },
        }
    }

    /// Whether this is an AWS service principal.
    pub fn is_service(&self) -> bool {
        matches!(self.kind, PrincipalKind::Service { .. })
    }

    /// Whether this is an account's root user.
    pub fn is_root(&self) -> bool {
        self.kind == PrincipalKind::AccountRoot
    }
}

/// An AWS account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The 12-digit account id.
    pub id: String,
    /// A name for people, such as "Production".
    pub name: String,
}

/// Why a change to the world's setup was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum WorldError {
    /// An account id is not 12 digits.
    InvalidAccountId(String),
    /// The account is not in the world.
    UnknownAccount(String),
    /// The account already exists.
    DuplicateAccount(String),
    /// A user, role or session name breaks IAM's naming rules.
    InvalidName {
        /// "user", "role", "session" or "path".
        what: &'static str,
        /// The name given.
        name: String,
    },
    /// A principal with this ARN already exists.
    DuplicatePrincipal(String),
    /// No principal has this ARN.
    UnknownPrincipal(String),
    /// No key has this id or ARN.
    UnknownKey(String),
    /// No group has this ARN.
    UnknownGroup(String),
    /// No managed policy has this ARN.
    UnknownManagedPolicy(String),
    /// Only an IAM user of the group's account can be a member of a group.
    NotAUser(String),
    /// Only an assumed-role session has session policies.
    NotASession(String),
    /// The principal cannot hold identity policies (root user, sessions).
    NoPoliciesFor(String),
    /// No policy of that name is attached.
    UnknownPolicy {
        /// The principal.
        principal: String,
        /// The policy name.
        name: String,
    },
    /// The policy document has errors.
    InvalidPolicy(Vec<Diagnostic>),
    /// KMS would refuse the setup (an invalid alias name, a duplicate alias, ...).
    Kms(KmsError),
    /// AWS Organizations would refuse the organization (its tree or a policy), with why.
    Organization(String),
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorldError::InvalidAccountId(id) => write!(f, "account id `{id}` is not 12 digits"),
            WorldError::UnknownAccount(id) => write!(f, "no account `{id}`"),
            WorldError::DuplicateAccount(id) => write!(f, "account `{id}` already exists"),
            WorldError::InvalidName { what, name } => {
                write!(f, "`{name}` is not a valid IAM {what} name")
            }
            WorldError::DuplicatePrincipal(arn) => write!(f, "`{arn}` already exists"),
            WorldError::UnknownPrincipal(arn) => write!(f, "no principal `{arn}`"),
            WorldError::UnknownKey(key) => write!(f, "no key `{key}`"),
            WorldError::UnknownGroup(arn) => write!(f, "no group `{arn}`"),
            WorldError::UnknownManagedPolicy(arn) => write!(f, "no managed policy `{arn}`"),
            WorldError::NotAUser(arn) => {
                write!(f, "`{arn}` is not an IAM user of the group's account")
            }
            WorldError::NotASession(arn) => write!(f, "`{arn}` is not an assumed-role session"),
            WorldError::NoPoliciesFor(arn) => {
                write!(f, "`{arn}` cannot have identity policies")
            }
            WorldError::UnknownPolicy { principal, name } => {
                write!(f, "`{principal}` has no policy `{name}`")
            }
            WorldError::Kms(error) => write!(f, "{}: {}", error.exception_name(), error.message()),
            WorldError::Organization(problem) => write!(f, "the organization: {problem}"),
            WorldError::InvalidPolicy(diagnostics) => {
                let first = diagnostics.first().map(Diagnostic::one_line);
                write!(
                    f,
                    "the policy has {} problem(s){}",
                    diagnostics.len(),
                    first.map(|d| format!(": {d}")).unwrap_or_default()
                )
            }
        }
    }
}

impl std::error::Error for WorldError {}

/// A key to add to the world during setup ([`World::add_key`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySetup {
    /// The owning account.
    pub account: String,
    /// The key id; `None` draws a fresh UUID.
    pub id: Option<KeyId>,
    /// The key's Region; `None` is the world's.
    pub region: Option<String>,
    /// The description.
    pub description: String,
    /// The key policy text; `None` gives the API's default policy.
    pub policy: Option<String>,
    /// `AWS_KMS` or `EXTERNAL`.
    pub origin: Origin,
    /// The key spec (its usage is the spec's row's); only a spec whose row has
    /// `import_material_bytes` (`SYMMETRIC_DEFAULT`, the HMAC specs) may be `EXTERNAL`.
    pub spec: crate::catalog::KeySpec,
    /// Alias names (`alias/...`).
    pub aliases: Vec<String>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// The starting state. A key in `PendingImport` has no material; an `EXTERNAL` key in any
    /// other state starts with material as if it had been imported.
    pub state: KeyState,
    /// The key ARN of the multi-Region primary key this key is a replica of (`None`: not a
    /// replica). A replica takes its primary's key id, spec, origin and material.
    pub replica_of: Option<String>,
}

impl KeySetup {
    /// An enabled `AWS_KMS` key of `account` with the default policy.
    pub fn new(account: impl Into<String>) -> KeySetup {
        KeySetup {
            account: account.into(),
            id: None,
            region: None,
            description: String::new(),
            policy: None,
            origin: Origin::AwsKms,
            spec: crate::catalog::KeySpec::SymmetricDefault,
            aliases: Vec::new(),
            tags: Vec::new(),
            state: KeyState::Enabled,
            replica_of: None,
        }
    }
}

/// The simulated world: accounts, principals, keys.
#[derive(Clone, Debug)]
pub struct World {
    region: String,
    accounts: Vec<Account>,
    principals: Vec<Arc<Principal>>,
    principal_index: BTreeMap<PrincipalArn, usize>,
    /// `ACCOUNT/user/NAME` and `ACCOUNT/role/NAME` to the ARN (with its path).
    names: BTreeMap<String, PrincipalArn>,
    /// Managed policies by ARN.
    managed: BTreeMap<String, Arc<ManagedPolicy>>,
    /// IAM groups.
    groups: Vec<Arc<Group>>,
    /// The AWS organization the accounts belong to, if any.
    organization: Option<Arc<Organization>>,
    /// The key store (keys, aliases).
    pub keys: KeyStore,
    /// Every grant, with the propagation window of new grants.
    pub grants: GrantStore,
}

impl Default for World {
    fn default() -> World {
        World::new(DEFAULT_REGION)
    }
}

impl World {
    /// An empty world whose keys live in `region`.
    pub fn new(region: impl Into<String>) -> World {
        World {
            region: region.into(),
            accounts: Vec::new(),
            principals: Vec::new(),
            principal_index: BTreeMap::new(),
            names: BTreeMap::new(),
            managed: BTreeMap::new(),
            groups: Vec::new(),
            organization: None,
            keys: KeyStore::new(),
            grants: GrantStore::new(),
        }
    }

    /// The Region (`aws:RequestedRegion`, and the Region in every key ARN).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The accounts, in the order they were added.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Adds an account and its root user.
    pub fn add_account(&mut self, id: &str, name: &str) -> Result<(), WorldError> {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WorldError::InvalidAccountId(id.to_owned()));
        }
        if self.account(id).is_some() {
            return Err(WorldError::DuplicateAccount(id.to_owned()));
        }
        self.accounts.push(Account {
            id: id.to_owned(),
            name: name.to_owned(),
        });
        self.insert_principal(id, PrincipalKind::AccountRoot, "/", Vec::new())
            .map(|_| ())
    }

    /// Adds IAM user `name` to `account`; returns its ARN.
    pub fn add_user(&mut self, account: &str, name: &str) -> Result<PrincipalArn, WorldError> {
        self.add_user_at(account, "/", name)
    }

    /// Adds IAM user `name` under IAM path `path` (such as `/engineering/`) to `account`;
    /// returns its ARN, `arn:aws:iam::ACCOUNT:user/engineering/NAME`.
    pub fn add_user_at(
        &mut self,
        account: &str,
        path: &str,
        name: &str,
    ) -> Result<PrincipalArn, WorldError> {
        check_iam_name("user", name, 64)?;
        check_iam_path(path)?;
        self.insert_principal(
            account,
            PrincipalKind::User {
                name: name.to_owned(),
            },
            path,
            Vec::new(),
        )
    }

    /// Adds IAM role `name` to `account`; returns its ARN.
    pub fn add_role(&mut self, account: &str, name: &str) -> Result<PrincipalArn, WorldError> {
        self.add_role_at(account, "/", name)
    }

    /// Adds IAM role `name` under IAM path `path` (such as `/service-role/`) to `account`;
    /// returns its ARN, `arn:aws:iam::ACCOUNT:role/service-role/NAME`.
    pub fn add_role_at(
        &mut self,
        account: &str,
        path: &str,
        name: &str,
    ) -> Result<PrincipalArn, WorldError> {
        check_iam_name("role", name, 64)?;
        check_iam_path(path)?;
        self.insert_principal(
            account,
            PrincipalKind::Role {
                name: name.to_owned(),
            },
            path,
            Vec::new(),
        )
    }

    /// The ARN of role `name` of `account`, whatever its path.
    pub fn role_arn(&self, account: &str, name: &str) -> Option<&PrincipalArn> {
        self.names.get(&name_key(account, "role", name))
    }

    /// Adds a session of role `role_arn` named `session`; returns the session's ARN
    /// (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    pub fn add_session(
        &mut self,
        role_arn: &PrincipalArn,
        session: &str,
    ) -> Result<PrincipalArn, WorldError> {
        if session.len() < 2 {
            return Err(WorldError::InvalidName {
                what: "session",
                name: session.to_owned(),
            });
        }
        check_iam_name("session", session, 64)?;
        let role = self
            .principal(role_arn)
            .ok_or_else(|| WorldError::UnknownPrincipal(role_arn.to_string()))?;
        let PrincipalKind::Role { name } = &role.kind else {
            return Err(WorldError::UnknownPrincipal(role_arn.to_string()));
        };
        let (account, tags, path) = (role.account.clone(), role.tags.clone(), role.path.clone());
        let kind = PrincipalKind::AssumedRole {
            role: name.clone(),
            session: session.to_owned(),
        };
        self.insert_principal(&account, kind, &path, tags)
    }

    fn insert_principal(
        &mut self,
        account: &str,
        kind: PrincipalKind,
        path: &str,
        tags: Vec<Tag>,
    ) -> Result<PrincipalArn, WorldError> {
        if self.account(account).is_none() {
            return Err(WorldError::UnknownAccount(account.to_owned()));
        }
        let (arn, principal_type, role_arn) = match &kind {
            PrincipalKind::AccountRoot => (
                format!("arn:aws:iam::{account}:root"),
                PrincipalType::AccountRoot,
                None,
            ),
            PrincipalKind::User { name } => (
                format!("arn:aws:iam::{account}:user{path}{name}"),
                PrincipalType::User,
                None,
            ),
            PrincipalKind::Role { name } => {
                let arn = format!("arn:aws:iam::{account}:role{path}{name}");
                (arn.clone(), PrincipalType::Role, Some(arn))
            }
            // A session's ARN has no path; its role's has (IAM User Guide,
            // reference_identifiers.html).
            PrincipalKind::AssumedRole { role, session } => (
                format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
                PrincipalType::AssumedRole,
                Some(format!("arn:aws:iam::{account}:role{path}{role}")),
            ),
            // A service principal belongs to no account of the world.
            PrincipalKind::Service { name } => {
                return Err(WorldError::InvalidName {
                    what: "IAM principal",
                    name: name.clone(),
                });
            }
        };
        // The names and the path were checked; an ARN that still does not parse is refused as
        // the name it was made from.
        let invalid = |e: crate::request::InvalidPrincipalArn| WorldError::InvalidName {
            what: "principal",
            name: e.0,
        };
        let arn = PrincipalArn::parse(&arn).map_err(invalid)?;
        let role_arn = role_arn
            .map(|role| PrincipalArn::parse(&role))
            .transpose()
            .map_err(invalid)?;
        if self.principal_index.contains_key(&arn) {
            return Err(WorldError::DuplicatePrincipal(arn.into_string()));
        }
        // User and role names are unique in an account whatever their paths.
        let name = match &kind {
            PrincipalKind::User { name } => Some(name_key(account, "user", name)),
            PrincipalKind::Role { name } => Some(name_key(account, "role", name)),
            _ => None,
        };
        if let Some(name) = &name {
            if let Some(existing) = self.names.get(name) {
                return Err(WorldError::DuplicatePrincipal(existing.to_string()));
            }
        }
        let user_id = match &kind {
            PrincipalKind::AccountRoot => account.to_owned(),
            PrincipalKind::User { .. } => unique_id("AIDA", arn.as_str()),
            PrincipalKind::Role { .. } => unique_id("AROA", arn.as_str()),
            PrincipalKind::AssumedRole { session, .. } => {
                let role_arn = role_arn.as_ref().map_or("", PrincipalArn::as_str);
                format!("{}:{session}", unique_id("AROA", role_arn))
            }
            PrincipalKind::Service { name } => name.clone(),
        };
        let principal = Principal {
            request: RequestPrincipal {
                id: PrincipalId::Arn(arn.clone()),
                account: account.to_owned(),
                kind: principal_type,
                role_arn,
            },
            id: PrincipalId::Arn(arn.clone()),
            account: account.to_owned(),
            kind,
            path: path.to_owned(),
            user_id,
            tags,
            policies: Vec::new(),
            attached: Vec::new(),
            permissions_boundary: None,
            session_policies: Vec::new(),
            effective: Vec::new(),
        };
        self.principal_index
            .insert(arn.clone(), self.principals.len());
        if let Some(name) = name {
            self.names.insert(name, arn.clone());
        }
        self.principals.push(Arc::new(principal));
        Ok(arn)
    }

    /// Every principal, in the order they were added.
    pub fn principals(&self) -> impl Iterator<Item = &Arc<Principal>> {
        self.principals.iter()
    }

    /// The principal with this ARN.
    pub fn principal(&self, arn: &PrincipalArn) -> Option<&Arc<Principal>> {
        self.principal_index
            .get(arn)
            .and_then(|&i| self.principals.get(i))
    }

    /// The principal whose ARN is `text`, for text from outside (a grantee, a profile, a form
    /// field): `None` when `text` is no principal ARN or the world has no such principal.
    pub fn find_principal(&self, text: &str) -> Option<&Arc<Principal>> {
        PrincipalArn::parse(text)
            .ok()
            .and_then(|arn| self.principal(&arn))
    }

    fn principal_mut(&mut self, arn: &PrincipalArn) -> Result<&mut Principal, WorldError> {
        let i = *self
            .principal_index
            .get(arn)
            .ok_or_else(|| WorldError::UnknownPrincipal(arn.to_string()))?;
        self.principals
            .get_mut(i)
            .map(Arc::make_mut)
            .ok_or_else(|| WorldError::UnknownPrincipal(arn.to_string()))
    }

    /// The identity policies that apply to `principal`: its inline policies, its attached
    /// managed policies and its groups' inline and attached policies, in that order; for a
    /// session, its role's.
    pub fn identity_policies<'a>(&'a self, principal: &'a Principal) -> &'a [IdentityPolicy] {
        match (&principal.kind, &principal.request.role_arn) {
            (PrincipalKind::AssumedRole { .. }, Some(role_arn)) => self
                .principal(role_arn)
                .map_or(&[], |role| role.effective.as_slice()),
            _ => &principal.effective,
        }
    }

    /// Attaches (or replaces) identity policy `name` of `principal_arn` from `text`. Users and
    /// roles hold policies; a session uses its role's.
    pub fn put_identity_policy(
        &mut self,
        principal_arn: &PrincipalArn,
        name: &str,
        text: &str,
    ) -> Result<(), WorldError> {
        self.check_policy_holder(principal_arn)?;
        let policy = parse_identity_policy(text).map_err(WorldError::InvalidPolicy)?;
        self.put_parsed_identity_policy(principal_arn, name, text, policy)
    }

    /// Users and roles hold identity policies; other principals get an error.
    fn check_policy_holder(&self, principal_arn: &PrincipalArn) -> Result<(), WorldError> {
        let principal = self
            .principal(principal_arn)
            .ok_or_else(|| WorldError::UnknownPrincipal(principal_arn.to_string()))?;
        match principal.kind {
            PrincipalKind::User { .. } | PrincipalKind::Role { .. } => Ok(()),
            _ => Err(WorldError::NoPoliciesFor(principal_arn.to_string())),
        }
    }

    /// [`World::put_identity_policy`] for text the caller has parsed already (`policy` is the
    /// parse of `text`): the text is not parsed again.
    pub fn put_parsed_identity_policy(
        &mut self,
        principal_arn: &PrincipalArn,
        name: &str,
        text: &str,
        policy: Policy,
    ) -> Result<(), WorldError> {
        self.check_policy_holder(principal_arn)?;
        let entry = IdentityPolicy {
            name: name.to_owned(),
            text: Arc::from(text),
            policy: Arc::new(policy),
        };
        let principal = self.principal_mut(principal_arn)?;
        match principal.policies.iter_mut().find(|p| p.name == name) {
            Some(existing) => *existing = entry,
            None => principal.policies.push(entry),
        }
        self.refresh(std::slice::from_ref(principal_arn));
        Ok(())
    }

    /// Detaches identity policy `name` from `principal_arn`.
    pub fn delete_identity_policy(
        &mut self,
        principal_arn: &PrincipalArn,
        name: &str,
    ) -> Result<(), WorldError> {
        let principal = self.principal_mut(principal_arn)?;
        remove_policy(&mut principal.policies, principal_arn.as_str(), name)?;
        self.refresh(std::slice::from_ref(principal_arn));
        Ok(())
    }

    /// Removes a user, role or session (a role takes its sessions with it). Account root users
    /// stay as long as their account. Returns the ARNs removed.
    pub fn remove_principal(
        &mut self,
        arn: &PrincipalArn,
    ) -> Result<Vec<PrincipalArn>, WorldError> {
        let principal = self
            .principal(arn)
            .ok_or_else(|| WorldError::UnknownPrincipal(arn.to_string()))?;
        let removed: Vec<PrincipalArn> = match &principal.kind {
            PrincipalKind::AccountRoot => return Err(WorldError::NoPoliciesFor(arn.to_string())),
            PrincipalKind::Role { name } => {
                let (account, name) = (principal.account.clone(), name.clone());
                self.principals
                    .iter()
                    .filter(|p| {
                        p.id == *arn
                            || (p.account == account
                                && matches!(&p.kind, PrincipalKind::AssumedRole { role, .. } if *role == name))
                    })
                    .filter_map(|p| p.arn().cloned())
                    .collect()
            }
            PrincipalKind::User { .. }
            | PrincipalKind::AssumedRole { .. }
            | PrincipalKind::Service { .. } => vec![arn.clone()],
        };
        self.principals
            .retain(|p| p.arn().is_none_or(|arn| !removed.contains(arn)));
        self.names.retain(|_, arn| !removed.contains(arn));
        for group in &mut self.groups {
            if group.members.iter().any(|m| removed.contains(m)) {
                Arc::make_mut(group)
                    .members
                    .retain(|m| !removed.contains(m));
            }
        }
        self.principal_index = crate::sort::map_from(
            self.principals
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some((p.arn()?.clone(), i))),
        );
        Ok(removed)
    }

    /// Removes a key and its aliases at once, as an administrator editing the world would
    /// (ScheduleKeyDeletion is the KMS way, with its waiting period).
    pub fn remove_key(&mut self, key: &str) -> Result<(), WorldError> {
        self.keys
            .remove(key)
            .map(|_| ())
            .ok_or_else(|| WorldError::UnknownKey(key.to_owned()))
    }

    /// Replaces the tags of a user or role (its sessions get the same tags).
    pub fn set_principal_tags(
        &mut self,
        arn: &PrincipalArn,
        tags: Vec<Tag>,
    ) -> Result<(), WorldError> {
        let role_name = match &self
            .principal(arn)
            .ok_or_else(|| WorldError::UnknownPrincipal(arn.to_string()))?
            .kind
        {
            PrincipalKind::Role { name } => Some(name.clone()),
            PrincipalKind::User { .. } => None,
            _ => return Err(WorldError::NoPoliciesFor(arn.to_string())),
        };
        self.principal_mut(arn)?.tags = tags.clone();
        if let Some(role_name) = role_name {
            let sessions: Vec<PrincipalArn> = self
                .principals
                .iter()
                .filter(|p| {
                    matches!(&p.kind, PrincipalKind::AssumedRole { role, .. } if *role == role_name)
                        && p.account == arn.account()
                })
                .filter_map(|p| p.arn().cloned())
                .collect();
            for session in sessions {
                self.principal_mut(&session)?.tags = tags.clone();
            }
        }
        Ok(())
    }

    /// Whether `arn` names a principal KMS would accept in a key policy: an existing user, role
    /// or session of an account in this world, any account principal (`arn:aws:iam::ID:root`),
    /// `*`, or an AWS service principal.
    pub fn is_valid_policy_principal(&self, key: PrincipalKey, value: &str) -> bool {
        match key {
            PrincipalKey::Service => value.ends_with(".amazonaws.com"),
            PrincipalKey::Federated | PrincipalKey::CanonicalUser => false,
            PrincipalKey::Aws => {
                if value == "*" {
                    return true;
                }
                if let Some(account) = value
                    .strip_prefix("arn:aws:iam::")
                    .and_then(|rest| rest.strip_suffix(":root"))
                {
                    return account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
                }
                if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                    return true;
                }
                self.find_principal(value).is_some()
            }
        }
    }

    /// The principals of a key policy that KMS would reject ("Policy contains a statement with
    /// one or more invalid principals"), as diagnostics on `text`.
    pub fn invalid_policy_principals(&self, text: &str, policy: &Policy) -> Vec<Diagnostic> {
        let index = LineIndex::new(text);
        let mut problems = Vec::new();
        for statement in &policy.statements {
            let Some(block) = &statement.principal else {
                continue;
            };
            let PrincipalSet::Specific(entries) = &block.principals else {
                continue;
            };
            for (i, entry) in entries.iter().enumerate() {
                if !self.is_valid_policy_principal(entry.kind, &entry.value) {
                    problems.push(
                        Diagnostic::new(
                            &index,
                            Severity::Error,
                            "invalid-principal",
                            format!(
                                "`{}` is not a principal KMS can find: KMS rejects the policy \
                                 (MalformedPolicyDocumentException)",
                                entry.value
                            ),
                            format!("Statement[{}].Principal[{i}]", statement.index),
                            entry.span,
                        )
                        .with_hint(
                            "name an existing IAM user, role or session, an account, or \"*\"",
                        ),
                    );
                }
            }
        }
        problems
    }

    /// Every problem KMS would find in a key policy: the parser's diagnostics and the principals
    /// it cannot find. What the app's key-policy editor shows.
    pub fn key_policy_diagnostics(&self, text: &str) -> Vec<Diagnostic> {
        let parsed = parse_policy(text, PolicyKind::KeyPolicy);
        let mut diagnostics = parsed.diagnostics;
        if let Some(policy) = &parsed.policy {
            diagnostics.extend(self.invalid_policy_principals(text, policy));
        }
        diagnostics
    }

    fn setup_key_policy(&self, text: &str) -> Result<KeyPolicy, WorldError> {
        let parsed = parse_policy(text, PolicyKind::KeyPolicy);
        let Some(policy) = parsed.policy else {
            return Err(WorldError::InvalidPolicy(parsed.diagnostics));
        };
        self.checked_key_policy(text, policy)
    }

    /// `policy`, the parse of `text`, as a key policy, if every principal it names is one KMS
    /// can find.
    fn checked_key_policy(&self, text: &str, policy: Policy) -> Result<KeyPolicy, WorldError> {
        let invalid = self.invalid_policy_principals(text, &policy);
        if !invalid.is_empty() {
            return Err(WorldError::InvalidPolicy(invalid));
        }
        Ok(KeyPolicy {
            text: Arc::from(text),
            policy: Arc::new(policy),
        })
    }

    /// Adds a key as the account's administrators would have set it up, without authorizing
    /// anything (scenario files and the app's world editor); returns its key ARN. The policy
    /// must still be one KMS accepts; the lockout check does not apply.
    ///
    /// A key with `replica_of` is a multi-Region replica of that primary key (its key ARN): it
    /// takes the primary's key id, key spec, origin, key material and rotation, which related
    /// multi-Region keys share (KMS Developer Guide, multi-region-keys-overview.html), and keeps
    /// its own policy, description, tags, aliases and state.
    pub fn add_key(
        &mut self,
        setup: KeySetup,
        now: Timestamp,
        rng: &mut dyn Randomness,
    ) -> Result<String, WorldError> {
        if self.account(&setup.account).is_none() {
            return Err(WorldError::UnknownAccount(setup.account));
        }
        let text = setup
            .policy
            .unwrap_or_else(|| crate::policy::default_key_policy(&setup.account));
        let policy = self.setup_key_policy(&text)?;
        let region = setup.region.unwrap_or_else(|| self.region.clone());
        for name in &setup.aliases {
            validate_alias_name(name).map_err(WorldError::Kms)?;
            if self.keys.alias(&region, &setup.account, name).is_some() {
                return Err(WorldError::Kms(KmsError::AlreadyExists(format!(
                    "An alias with the name {} already exists",
                    alias_arn(&region, &setup.account, name)
                ))));
            }
        }
        let primary = match &setup.replica_of {
            None => None,
            Some(arn) => {
                let primary = self
                    .keys
                    .get_by_arn(arn)
                    .ok_or_else(|| WorldError::UnknownKey(arn.clone()))?;
                if primary.multi_region_key_type() != Some("PRIMARY") {
                    return Err(WorldError::Kms(KmsError::UnsupportedOperation(format!(
                        "{arn} is not a multi-Region primary key"
                    ))));
                }
                if primary.account != setup.account {
                    return Err(WorldError::Kms(KmsError::UnsupportedOperation(format!(
                        "a replica key is in its primary key's account, {}",
                        primary.account
                    ))));
                }
                Some(Arc::clone(primary))
            }
        };
        let id = match (&primary, setup.id) {
            (Some(primary), _) => primary.id.clone(),
            (None, Some(id)) => id,
            (None, None) => KeyId::generate(rng).map_err(|e| WorldError::Kms(e.into()))?,
        };
        let (origin, spec) = match &primary {
            Some(primary) => (primary.origin, primary.spec),
            None => (setup.origin, setup.spec),
        };
        if setup.state == KeyState::PendingImport && origin != Origin::External {
            return Err(WorldError::Kms(KmsError::UnsupportedOperation(
                "only a key with origin EXTERNAL can be PendingImport".to_owned(),
            )));
        }
        let row = spec.row();
        let (ring, versions) = match &primary {
            _ if setup.state == KeyState::PendingImport => {
                (KeyRing::without_material(spec), Vec::new())
            }
            Some(primary) => (primary.ring.clone(), primary.versions.clone()),
            None => {
                let random = |e: crate::entropy::RandomnessUnavailable| WorldError::Kms(e.into());
                (
                    KeyRing::generate_for(spec, rng).map_err(random)?,
                    vec![KeyVersion::new(rng, now, RotationType::Initial).map_err(random)?],
                )
            }
        };
        let key = Key {
            description: setup.description,
            tags: setup.tags,
            ring,
            versions,
            spec,
            usage: row.usage,
            replica: primary.is_some(),
            rotation: primary.as_ref().map(|p| p.rotation).unwrap_or_default(),
            imported_digest: primary.as_ref().and_then(|p| p.imported_digest),
            ..Key::new(
                id,
                setup.account.clone(),
                region.clone(),
                origin,
                setup.state,
                now,
                policy,
            )
        };
        let arn = key.arn.clone();
        let id = key.id.clone();
        self.keys.insert(key).map_err(WorldError::Kms)?;
        for name in setup.aliases {
            self.keys.put_alias(Alias {
                arn: alias_arn(&region, &setup.account, &name),
                name,
                account: setup.account.clone(),
                region: region.clone(),
                target: id.clone(),
                created: now,
                updated: now,
            });
        }
        Ok(arn)
    }

    /// Replaces a key's policy as an administrator would, without authorization or lockout
    /// check (the app's key-policy editor). The policy must be one KMS accepts.
    pub fn set_key_policy(&mut self, key: &str, text: &str) -> Result<(), WorldError> {
        let policy = self.setup_key_policy(text)?;
        self.install_key_policy(key, policy)
    }

    /// [`World::set_key_policy`] for text the caller has parsed already (`policy` is the parse of
    /// `text`, as an editor that checks each keystroke has): the text is not parsed again.
    pub fn set_parsed_key_policy(
        &mut self,
        key: &str,
        text: &str,
        policy: Policy,
    ) -> Result<(), WorldError> {
        let policy = self.checked_key_policy(text, policy)?;
        self.install_key_policy(key, policy)
    }

    fn install_key_policy(&mut self, key: &str, policy: KeyPolicy) -> Result<(), WorldError> {
        let key = self
            .keys
            .get_mut_by_arn(key)
            .ok_or_else(|| WorldError::UnknownKey(key.to_owned()))?;
        key.policy = policy;
        Ok(())
    }

    /// Sets a key `Enabled` or `Disabled` without authorization (world setup). Keys pending
    /// deletion or import are left as they are and reported as an error.
    pub fn set_key_enabled(&mut self, key: &str, enabled: bool) -> Result<(), WorldError> {
        let arn;
        {
            let target = self
                .keys
                .get_mut_by_arn(key)
                .ok_or_else(|| WorldError::UnknownKey(key.to_owned()))?;
            arn = target.arn.clone();
            if matches!(target.state, KeyState::Enabled | KeyState::Disabled) {
                target.state = if enabled {
                    KeyState::Enabled
                } else {
                    KeyState::Disabled
                };
                return Ok(());
            }
        }
        Err(WorldError::Kms(KmsError::InvalidState(format!(
            "{arn} is neither Enabled nor Disabled."
        ))))
    }
}

/// The key of [`World::names`].
fn name_key(account: &str, kind: &str, name: &str) -> String {
    format!("{account}/{kind}/{name}")
}

/// IAM paths: `/`, or `/` followed by segments each ending in `/`, of printable ASCII other than
/// space, at most 512 characters (IAM API Reference, CreateRole and CreateUser, `Path`).
pub fn check_iam_path(path: &str) -> Result<(), WorldError> {
    if crate::request::is_iam_path(path) {
        Ok(())
    } else {
        Err(WorldError::InvalidName {
            what: "path",
            name: path.to_owned(),
        })
    }
}

/// IAM names: 1–`max` characters of letters, digits and `+=,.@_-` (IAM User Guide,
/// reference_iam-quotas.html, "IAM name requirements").
fn check_iam_name(what: &'static str, name: &str, max: usize) -> Result<(), WorldError> {
    let ok = !name.is_empty()
        && name.len() <= max
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(WorldError::InvalidName {
            what,
            name: name.to_owned(),
        })
    }
}

/// A stable IAM-style unique id (`AIDA...` for users, `AROA...` for roles): 17 characters derived
/// from the ARN, so the same world always has the same ids without drawing randomness.
fn unique_id(prefix: &str, arn: &str) -> String {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = Sha256::digest(arn.as_bytes());
    let tail: String = digest
        .iter()
        .take(17)
        .map(|b| char::from(ALPHABET.get(usize::from(b % 32)).copied().unwrap_or(b'A')))
        .collect();
    format!("{prefix}{tail}")
}

/// Parses an identity policy; errors are the parser's diagnostics.
fn parse_identity_policy(text: &str) -> Result<Policy, Vec<Diagnostic>> {
    let parsed = parse_policy(text, PolicyKind::IdentityPolicy);
    parsed.policy.ok_or(parsed.diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededRandomness;

    const A: &str = "111122223333";

    fn world() -> World {
        let mut world = World::default();
        world.add_account(A, "Main").unwrap();
        world
    }

    #[test]
    fn principal_arns_and_ids_follow_iam() {
        // IAM User Guide, reference_identifiers.html: ARN forms and unique-id prefixes (AIDA users,
        // AROA roles; a session's aws:userid is ROLEID:session).
        let mut world = world();
        let user = world.add_user(A, "Alice").unwrap();
        let role = world.add_role(A, "App").unwrap();
        let session = world.add_session(&role, "build-7").unwrap();
        assert_eq!(user, format!("arn:aws:iam::{A}:user/Alice"));
        assert_eq!(
            session,
            format!("arn:aws:sts::{A}:assumed-role/App/build-7")
        );
        let user_id = &world.principal(&user).unwrap().user_id;
        assert!(user_id.starts_with("AIDA") && user_id.len() == 21);
        let role_id = world.principal(&role).unwrap().user_id.clone();
        assert_eq!(
            world.principal(&session).unwrap().user_id,
            format!("{role_id}:build-7")
        );
        assert_eq!(
            world
                .principal(&PrincipalArn::account_root(A).unwrap())
                .unwrap()
                .user_id,
            A
        );
        assert!(matches!(
            world.add_user(A, "bad name"),
            Err(WorldError::InvalidName { what: "user", .. })
        ));
        assert!(matches!(
            world.add_user(A, "Alice"),
            Err(WorldError::DuplicatePrincipal(_))
        ));
        assert!(matches!(
            world.add_user("999999999999", "Bob"),
            Err(WorldError::UnknownAccount(_))
        ));
    }

    #[test]
    fn sessions_use_their_roles_policies_and_tags() {
        // IAM User Guide, id_roles.html: a session has its role's permissions; role tags are
        // principal tags of its sessions.
        let mut world = world();
        let role = world.add_role(A, "App").unwrap();
        let session = world.add_session(&role, "s1").unwrap();
        world
            .put_identity_policy(
                &role,
                "Use",
                r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}}"#,
            )
            .unwrap();
        let tags = vec![Tag {
            tag_key: "team".into(),
            tag_value: "blue".into(),
        }];
        world.set_principal_tags(&role, tags.clone()).unwrap();
        let session = world.principal(&session).unwrap();
        assert_eq!(world.identity_policies(session).len(), 1);
        assert_eq!(session.tags, tags);
        assert!(matches!(
            world.put_identity_policy(&session.arn().unwrap().clone(), "X", "{}"),
            Err(WorldError::NoPoliciesFor(_))
        ));
    }

    #[test]
    fn removing_a_role_removes_its_sessions() {
        let mut world = world();
        let role = world.add_role(A, "App").unwrap();
        let session = world.add_session(&role, "s1").unwrap();
        let user = world.add_user(A, "Alice").unwrap();
        let removed = world.remove_principal(&role).unwrap();
        assert_eq!(removed, vec![role.clone(), session.clone()]);
        assert!(world.principal(&session).is_none());
        assert_eq!(world.principal(&user).unwrap().arn(), Some(&user));
        assert!(
            world
                .remove_principal(&PrincipalArn::account_root(A).unwrap())
                .is_err()
        );
    }

    #[test]
    fn key_policy_diagnostics_point_at_principals_kms_cannot_find() {
        // KMS Developer Guide, key-policy-overview.html: principals must exist.
        let world = world();
        let text = format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\",\n \"Principal\": {{\"AWS\": \"arn:aws:iam::{A}:user/Ghost\"}}, \"Action\": \"kms:*\", \"Resource\": \"*\"}}]}}"
        );
        let diagnostics = world.key_policy_diagnostics(&text);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "invalid-principal");
        assert_eq!(diagnostics[0].start.line, 2);
    }

    #[test]
    fn worlds_share_unchanged_keys_and_principals_when_cloned() {
        let mut world = world();
        let user = world.add_user(A, "Alice").unwrap();
        let mut rng = SeededRandomness::new(1);
        let key = world
            .add_key(KeySetup::new(A), crate::entropy::Timestamp(0), &mut rng)
            .unwrap();
        let before = world.clone();
        world.set_key_enabled(&key, false).unwrap();
        assert_eq!(
            before.keys.get_by_arn(&key).unwrap().state,
            KeyState::Enabled
        );
        assert_eq!(
            world.keys.get_by_arn(&key).unwrap().state,
            KeyState::Disabled
        );
        assert!(Arc::ptr_eq(
            before.principal(&user).unwrap(),
            world.principal(&user).unwrap()
        ));
        world.remove_key(&key).unwrap();
        assert!(world.keys.get_by_arn(&key).is_none());
    }
}
