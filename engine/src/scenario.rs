//! Scenario files: one JSON document describing a whole playground world.
//!
//! The same format is what the web app exports, imports and puts in a share link, what the CLI
//! reads, and how the shipped presets are stored:
//!
//! ```json
//! {
//!   "name": "Lecture: 3 keys x 4 users",
//!   "account": "111122223333",
//!   "region": "us-east-1",
//!   "principals": [{"name": "Alice", "policies": [{"name": "AliceKms", "document": {"Version": "2012-10-17", "Statement": []}}]}],
//!   "keys": [{"name": "CMK-A", "aliases": ["alias/CMK-A"]}],
//!   "grants": [{"key": "CMK-A", "grantee": "Alice", "operations": ["Encrypt"]}],
//!   "actions": ["kms:Encrypt", "kms:Decrypt"],
//!   "expect": [{"principal": "Alice", "key": "CMK-A", "action": "kms:Encrypt", "decision": "allow"}]
//! }
//! ```
//!
//! - `account` (default `111122223333`) and `region` (default `us-east-1`) apply to anything that
//!   does not say otherwise.
//! - A principal's `arn` defaults to `arn:aws:iam::<account>:user/<name>`; `...:root` is an account's
//!   root user, `...:role/R` a role, `arn:aws:sts::A:assumed-role/R/S` a session of role `R`, which
//!   must be declared in the same file and whose identity policies the session uses. Users and
//!   roles may sit under an IAM path (`...:role/service-role/R`); a session's ARN has none.
//! - A key's `id` defaults to a stable UUID-shaped id derived from its name; `arn` may replace `id`
//!   and `region`. `state` is `Enabled` (default), `Disabled`, `PendingDeletion` or
//!   `PendingImport`; `origin` is `AWS_KMS` (default) or `EXTERNAL`; without `policy` the key gets
//!   the default key policy CreateKey gives (KMS Developer Guide, key-policy-default.html).
//!   `key_spec` is a name of the key-spec table (`catalog::KEY_SPECS`: `SYMMETRIC_DEFAULT`, the
//!   default, `HMAC_224` to `HMAC_512`, and the ECC and RSA specs); `key_usage`, optional, must be one the spec allows
//!   (`GENERATE_VERIFY_MAC` for HMAC keys; `ENCRYPT_DECRYPT`, the default, or `SIGN_VERIFY` for
//!   RSA keys).
//!   Any key may have origin `EXTERNAL` (in `PendingImport` it waits for its material: 32 bytes,
//!   an HMAC key's key length, or an asymmetric key's private key).
//! - A policy `document` is a JSON object, or a string holding JSON as AWS returns it.
//! - Grants and expectations name principals by name or ARN, keys by name, ARN, alias or alias ARN.
//!   Grants in the file are already in effect (past the eventual-consistency window).
//! - IAM beyond inline policies:
//!   - `managed_policies`: `{"arn"` (or `"name"` for a customer managed policy of `account`)`,
//!     "document", "attached_to": [users, roles or groups by name or ARN]}`;
//!   - `groups`: `{"name", "arn"` (optional, for a path)`, "members": [users], "policies": [...]}`;
//!   - on a user or role, `permissions_boundary`: a declared managed policy's ARN or name; on a
//!     session, `session_policies`: `{"name", "document"}` inline or `{"arn"}` managed;
//!   - `organization`: `{"id"?: "o-...", "management_account", "accounts"?: [account ids
//!     directly under the root], "units": [...], "scps": [...], "rcps": [...]}`; each OU
//!     `{"id": "ou-...", "name"?, "parent"?: "root" (default) or an OU id, "accounts": [account
//!     ids]}`; each policy `{"name", "id"?, "document", "targets": [member account ids, OU ids or
//!     "root"]}`. The members are the management account, the accounts under the root and those
//!     in an OU; any other account is outside: no SCP or RCP reaches it. An account gets the
//!     policies of every OU above it. A custom RCP may only deny (RCPFullAWSAccess, the only one
//!     AWS lets allow, is always attached and never listed). With an `id`, the requests of a
//!     member's principals carry it as `aws:PrincipalOrgID`.
//!   - a managed policy keeps only its default version: the one IAM evaluates.
//! - `actions` are the access matrix's default columns; `expect` entries are checked by
//!   [`check`] and `kmsplay check`.
//!
//! A scenario with `goals` is an exercise (`scenarios/exercises/` ships some); `description` is
//! its statement to the student:
//!
//! ```json
//! {
//!   "goals": [{"principal": "David", "key": "CMK-C", "action": "kms:Decrypt", "decision": "explicit-deny"}],
//!   "may_edit": ["key-policy:CMK-C", "identity:Bob", "grants:CMK-C", "key-state:CMK-C"],
//!   "must_not": [{"principal": "Alice", "key": "CMK-C", "action": "kms:Decrypt", "decision": "explicit-deny"}]
//! }
//! ```
//!
//! - `goals` are written like `expect` entries: decisions the student must make true. A goal
//!   or rule whose decision is `allow` holds only when the call would work, so the key's state
//!   must accept it too (a Disabled key refuses Decrypt even to an allowed caller).
//! - `may_edit` lists what the student may change: a key's policy (`key-policy:KEY`, which also
//!   covers its tags and aliases), a user's or role's IAM policies and tags
//!   (`identity:PRINCIPAL`), the grants on a key (`grants:KEY`) and a key's state
//!   (`key-state:KEY`). Without `may_edit` anything may change; with it, anything else is
//!   refused ([`changes_outside`]).
//! - `must_not` entries are side effects that fail the exercise when their decision holds, such
//!   as "David gains Decrypt".
//! - A solution is a scenario file of the world after the student's edits (what the app's
//!   Export writes while the exercise is open): `kmsplay check EXERCISE --solution SOLUTION`
//!   checks that it changes only what `may_edit` allows and that it meets every goal and no
//!   `must_not` rule. [`exercise_status`] evaluates an exercise against any world, with a hint
//!   per goal saying what decides the cell now.
//!
//! Unknown fields are errors. Every error carries a line, a column and a JSON path.
//!
//! [`load`] reads a file and builds its [`World`]; [`Scenario::from_world`] and
//! [`Scenario::to_json`] write a world back (export and share links; writing what was read gives
//! the same text); [`check`] evaluates the `expect` entries, [`explain_question`] one request;
//! [`MatrixReport`] is the access matrix under the scenario's names; [`lint`] adds the policy
//! linter's warnings; [`generate`] makes large worlds for performance work.

mod build;
mod check;
mod exercise;
mod generate;
mod import;
mod lint;
mod read;
mod report;
mod write;

pub use check::{
    CheckResult, Question, QuestionError, Reasons, check, decide_question, explain_question,
};
pub use exercise::{ExerciseStatus, GoalStatus, changes_outside, evaluate_goal, exercise_status};
pub use generate::{GENERATED_ACTIONS, MAX_GENERATED_KEYS, MAX_GENERATED_PRINCIPALS, generate};
pub use import::{
    COMMANDS as IMPORT_COMMANDS, ImportError, ImportFile, Imported, Skipped, import, needs_key_id,
};
pub use lint::{lint, lint_document};
pub use read::{
    KEY_ORIGINS, KEY_STATES, alias_problem, grant_operation_names, is_key_id, parse_key_arn,
    parse_principal_arn, principal_path_and_name,
};
pub use report::{LEGEND, MatrixReport, ReportCell};

use crate::diagnostics::{Diagnostic, Span};
use crate::entropy::{Randomness, Timestamp};
use crate::world::World;

use crate::policy::eval::Decision;
use crate::request::{ContextValue, PrincipalArn, PrincipalType};
use sha2::{Digest, Sha256};
use std::fmt;

/// The account a scenario uses when it names none (the AWS documentation's example account).
pub const DEFAULT_ACCOUNT: &str = "111122223333";

/// The Region a scenario uses when it names none.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A scenario file, read and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// A title for people.
    pub name: Option<String>,
    /// Longer text for people.
    pub description: Option<String>,
    /// The default account.
    pub account: String,
    /// The default Region.
    pub region: String,
    /// The principals, in file order.
    pub principals: Vec<PrincipalEntry>,
    /// The keys, in file order.
    pub keys: Vec<KeyEntry>,
    /// Grants already in effect.
    pub grants: Vec<GrantEntry>,
    /// The matrix's default actions, such as `kms:Encrypt`.
    pub actions: Vec<String>,
    /// The expected decisions.
    pub expect: Vec<Expectation>,
    /// What the scenario asks of a student, when it is an exercise.
    pub exercise: Exercise,
    /// Managed policies, groups and the organization.
    pub iam: IamSetup,
}

/// IAM and AWS Organizations beyond users' and roles' inline policies: `managed_policies`,
/// `groups` and `organization`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IamSetup {
    /// Managed policies and what they are attached to.
    pub managed_policies: Vec<ManagedPolicyEntry>,
    /// IAM groups.
    pub groups: Vec<GroupEntry>,
    /// The organization, with its SCPs and RCPs.
    pub organization: Option<OrganizationEntry>,
}

/// A managed policy (its default version) and the users, roles and groups it is attached to.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedPolicyEntry {
    /// `arn:aws:iam::ACCOUNT:policy/PATH/NAME` or `arn:aws:iam::aws:policy/PATH/NAME`.
    pub arn: String,
    /// The document.
    pub document: PolicyText,
    /// The ARNs of the users, roles and groups it is attached to.
    pub attached_to: Vec<String>,
}

/// An IAM group: its members get its policies.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupEntry {
    /// The group name.
    pub name: String,
    /// `arn:aws:iam::ACCOUNT:group/PATH/NAME`.
    pub arn: String,
    /// The ARNs of its member users.
    pub members: Vec<PrincipalArn>,
    /// Inline policies.
    pub policies: Vec<NamedPolicy>,
}

/// An organization: its management account, OUs, SCPs and RCPs.
#[derive(Clone, Debug, PartialEq)]
pub struct OrganizationEntry {
    /// The organization id (`o-...`), if given: `aws:PrincipalOrgID` of member principals.
    pub id: Option<String>,
    /// The management account (neither SCPs nor RCPs apply to it).
    pub management_account: String,
    /// The member accounts directly under the root. An account that is neither the management
    /// account, nor here, nor in an OU is outside the organization.
    pub accounts: Vec<String>,
    /// The organizational units.
    pub units: Vec<OrgUnitEntry>,
    /// Service control policies.
    pub scps: Vec<OrgPolicyEntry>,
    /// Resource control policies.
    pub rcps: Vec<OrgPolicyEntry>,
}

/// An organizational unit and the accounts placed directly in it.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgUnitEntry {
    /// The OU id (`ou-...`).
    pub id: String,
    /// The OU name (its id when the file gives none).
    pub name: String,
    /// `root`, the root's `r-...` id, or the parent OU's id.
    pub parent: String,
    /// The accounts placed directly in it.
    pub accounts: Vec<String>,
}

/// An SCP or RCP and where it is attached.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgPolicyEntry {
    /// The policy name.
    pub name: String,
    /// The policy id (`p-...`), if known.
    pub id: Option<String>,
    /// The document.
    pub document: PolicyText,
    /// Account ids, OU ids (every account under the OU), or `root` (or the root's `r-...` id)
    /// for every member account.
    pub targets: Vec<String>,
}

/// A session policy: inline (`AssumeRole --policy`) or managed (`--policy-arns`).
#[derive(Clone, Debug, PartialEq)]
pub enum SessionPolicyEntry {
    /// An inline session policy.
    Inline(NamedPolicy),
    /// A managed policy's ARN.
    Managed(String),
}

/// An exercise: decisions the student must bring about, what they may change to get there, and
/// side effects that fail it. A scenario without goals is not an exercise.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exercise {
    /// Decisions the student must make true (`goals`).
    pub goals: Vec<Expectation>,
    /// What the student may change (`may_edit`); `None` when the file does not restrict it.
    pub may_edit: Option<Vec<EditScope>>,
    /// Decisions that must not hold once the goals are met (`must_not`).
    pub must_not: Vec<Expectation>,
}

impl Exercise {
    /// Whether the scenario is an exercise (it has goals).
    pub fn is_exercise(&self) -> bool {
        !self.goals.is_empty()
    }
}

/// One part of the world an exercise lets the student change, such as `key-policy:CMK-C`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditScope {
    /// What may change.
    pub kind: EditKind,
    /// The key's or principal's name in the scenario.
    pub name: String,
    /// The key's or principal's ARN, by which worlds are compared.
    pub arn: String,
}

/// The kinds of change an exercise can allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditKind {
    /// `key-policy:KEY`: the key's policy document.
    KeyPolicy,
    /// `identity:PRINCIPAL`: the principal's IAM policies.
    Identity,
    /// `grants:KEY`: creating, retiring and revoking grants on the key.
    Grants,
    /// `key-state:KEY`: enabling, disabling, scheduling or cancelling deletion of the key.
    KeyState,
}

impl EditKind {
    /// Every kind, in the order the format documents them.
    pub const ALL: [EditKind; 4] = [
        EditKind::KeyPolicy,
        EditKind::Identity,
        EditKind::Grants,
        EditKind::KeyState,
    ];

    /// The prefix a `may_edit` entry uses, such as `key-policy`.
    pub fn prefix(self) -> &'static str {
        match self {
            EditKind::KeyPolicy => "key-policy",
            EditKind::Identity => "identity",
            EditKind::Grants => "grants",
            EditKind::KeyState => "key-state",
        }
    }

    /// The kind a `may_edit` prefix names.
    pub fn from_prefix(prefix: &str) -> Option<EditKind> {
        EditKind::ALL.into_iter().find(|k| k.prefix() == prefix)
    }
}

impl EditScope {
    /// The entry as written in a file, such as `key-policy:CMK-C`.
    pub fn entry(&self) -> String {
        format!("{}:{}", self.kind.prefix(), self.name)
    }

    /// The scope in words, such as "the key policy of CMK-C".
    pub fn describe(&self) -> String {
        match self.kind {
            EditKind::KeyPolicy => format!("the key policy of {}", self.name),
            EditKind::Identity => format!("the IAM policies of {}", self.name),
            EditKind::Grants => format!("the grants on {}", self.name),
            EditKind::KeyState => format!("the state of {}", self.name),
        }
    }
}

/// What kind of principal an ARN names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalRole {
    /// `arn:aws:iam::A:root`.
    AccountRoot,
    /// `arn:aws:iam::A:user/N`.
    User,
    /// `arn:aws:iam::A:role/R`.
    Role,
    /// `arn:aws:sts::A:assumed-role/R/S`.
    AssumedRole {
        /// The role's name.
        role: String,
    },
}

/// A declared principal.
#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalEntry {
    /// The name other entries use to refer to it (and the CLI's profile name).
    pub name: String,
    /// Its ARN.
    pub arn: PrincipalArn,
    /// The account in its ARN.
    pub account: String,
    /// What it is.
    pub role: PrincipalRole,
    /// Principal tags (`aws:PrincipalTag/...`).
    pub tags: Vec<(String, String)>,
    /// Identity policies.
    pub policies: Vec<NamedPolicy>,
    /// The ARN of the managed policy that is a user's or role's permissions boundary.
    pub permissions_boundary: Option<String>,
    /// A session's session policies.
    pub session_policies: Vec<SessionPolicyEntry>,
    /// Where it is declared.
    pub span: Span,
}

/// A named identity policy.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedPolicy {
    /// The policy's name.
    pub name: String,
    /// Its document.
    pub document: PolicyText,
}

/// A policy document's text, and where in the scenario file it was written.
///
/// A document written as a JSON object is kept in its canonical pretty-printed form (two-space
/// indentation, members in written order), which is what the app's editor shows; a document
/// written as a string is kept exactly as written. [`Scenario::to_json`] writes a canonical text
/// back as an object and any other text as a string, so loading and saving never changes a
/// document's text.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyText {
    /// The document's JSON text.
    pub text: String,
    /// The document's value in the scenario file.
    pub span: Span,
}

impl PolicyText {
    /// A policy text that does not come from a file.
    pub fn new(text: impl Into<String>) -> PolicyText {
        PolicyText {
            text: text.into(),
            span: Span::default(),
        }
    }
}

/// A declared key.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyEntry {
    /// The name other entries use to refer to it, such as `CMK-A`.
    pub name: String,
    /// The key id.
    pub id: String,
    /// The key ARN.
    pub arn: String,
    /// The owning account.
    pub account: String,
    /// The key's Region.
    pub region: String,
    /// Alias names (`alias/...`).
    pub aliases: Vec<String>,
    /// The description.
    pub description: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, `PendingImport` or `PendingReplicaDeletion`.
    pub state: &'static str,
    /// `AWS_KMS` or `EXTERNAL`.
    pub origin: &'static str,
    /// The key spec (`key_spec`, default `SYMMETRIC_DEFAULT`); its key usage is the spec's row's.
    pub spec: crate::catalog::KeySpec,
    /// Resource tags.
    pub tags: Vec<(String, String)>,
    /// The key policy; `None` for the default key policy.
    pub policy: Option<PolicyText>,
    /// For a multi-Region replica key (`replica_of`): its primary key, as an index into
    /// [`Scenario::keys`]. A replica has its primary's key id, spec and origin.
    pub replica_of: Option<usize>,
    /// Where it is declared.
    pub span: Span,
}

/// `EncryptionContextSubset` or `EncryptionContextEquals`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintKind {
    /// The request's context must contain every pair.
    Subset,
    /// The request's context must be exactly these pairs.
    Equals,
}

/// A grant constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    /// Its kind.
    pub kind: ConstraintKind,
    /// The encryption-context pairs.
    pub pairs: Vec<(String, String)>,
}

/// A grant already in effect.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantEntry {
    /// The key, as an index into [`Scenario::keys`].
    pub key: usize,
    /// The grantee's ARN.
    pub grantee: String,
    /// Grant operations such as `Encrypt`.
    pub operations: Vec<String>,
    /// Constraints (at most one of each kind).
    pub constraints: Vec<Constraint>,
    /// The retiring principal's ARN.
    pub retiring_principal: Option<String>,
    /// The grant's name.
    pub name: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// An expected decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// The caller, as an index into [`Scenario::principals`].
    pub principal: usize,
    /// The key, as an index into [`Scenario::keys`].
    pub key: usize,
    /// The action, such as `kms:Decrypt`.
    pub action: String,
    /// Condition keys the request carries.
    pub context: Vec<(String, ContextValue)>,
    /// Grant tokens the request passes.
    pub grant_tokens: Vec<String>,
    /// The alias the entry names its key by (`alias/NAME`, also when written as an alias ARN):
    /// the request names the key that way, so it carries `kms:RequestAlias` (KMS Developer
    /// Guide, conditions-kms.html#conditions-kms-request-alias).
    pub request_alias: Option<String>,
    /// The expected decision.
    pub decision: Decision,
    /// Its JSON path, such as `expect[3]`.
    pub path: String,
    /// Where it is written.
    pub span: Span,
}

impl Scenario {
    /// Reads and checks scenario text.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        read::read(text)
    }

    /// The principal with this name or ARN.
    pub fn principal_index(&self, reference: &str) -> Option<usize> {
        self.principals
            .iter()
            .position(|p| p.name == reference)
            .or_else(|| self.principals.iter().position(|p| p.arn == reference))
    }

    /// The declared name of the principal with this ARN, or the ARN itself.
    pub fn principal_name(&self, arn: &str) -> String {
        self.principals
            .iter()
            .find(|p| p.arn == arn)
            .map_or_else(|| arn.to_owned(), |p| p.name.clone())
    }

    /// The declared name of the key with this ARN, or the ARN itself.
    pub fn key_name(&self, arn: &str) -> String {
        self.keys
            .iter()
            .find(|k| k.arn == arn)
            .map_or_else(|| arn.to_owned(), |k| k.name.clone())
    }

    /// The key with this name, ARN, alias name or alias ARN.
    pub fn key_index(&self, reference: &str) -> Option<usize> {
        if let Some(i) = self.keys.iter().position(|k| k.name == reference) {
            return Some(i);
        }
        if let Some(i) = self.keys.iter().position(|k| k.arn == reference) {
            return Some(i);
        }
        if reference.starts_with("alias/") {
            return self
                .keys
                .iter()
                .position(|k| {
                    k.account == self.account
                        && k.region == self.region
                        && k.aliases.iter().any(|a| a == reference)
                })
                .or_else(|| {
                    self.keys
                        .iter()
                        .position(|k| k.aliases.iter().any(|a| a == reference))
                });
        }
        let (region, account, alias) = alias_arn_parts(reference)?;
        self.keys
            .iter()
            .position(|k| k.region == region && k.account == account && k.aliases.contains(&alias))
    }
}

/// The Region, account and alias name (`alias/NAME`) of an alias ARN
/// (`arn:aws:kms:REGION:ACCOUNT:alias/NAME`).
fn alias_arn_parts(reference: &str) -> Option<(&str, &str, String)> {
    let (prefix, alias) = reference.split_once(":alias/")?;
    let mut parts = prefix.split(':');
    let (Some("arn"), Some("aws"), Some("kms"), Some(region), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some((region, account, format!("alias/{alias}")))
}

/// A scenario file read and built into its world.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The scenario as read.
    pub scenario: Scenario,
    /// The world it describes.
    pub world: World,
}

impl PrincipalRole {
    /// The kind of principal `arn` names.
    pub fn of(arn: &PrincipalArn) -> PrincipalRole {
        match arn.principal_type() {
            PrincipalType::User => PrincipalRole::User,
            PrincipalType::Role => PrincipalRole::Role,
            PrincipalType::AssumedRole => PrincipalRole::AssumedRole {
                role: arn.session_role().unwrap_or_default().to_owned(),
            },
            _ => PrincipalRole::AccountRoot,
        }
    }
}

impl Loaded {
    /// The ARN of the principal `reference` names: a scenario name or ARN, any principal ARN in
    /// the world, or a scenario name in another case.
    pub fn principal_arn(&self, reference: &str) -> Option<PrincipalArn> {
        let named = self
            .scenario
            .principal_index(reference)
            .and_then(|i| self.scenario.principals.get(i));
        if let Some(p) = named {
            return Some(p.arn.clone());
        }
        if let Ok(arn) = PrincipalArn::parse(reference) {
            if self.world.principal(&arn).is_some() {
                return Some(arn);
            }
        }
        self.scenario
            .principals
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(reference))
            .map(|p| p.arn.clone())
    }
}

/// Reads scenario text and builds its world at `now`, drawing key material from `rng`.
pub fn load(text: &str, now: Timestamp, rng: &mut dyn Randomness) -> Result<Loaded, ScenarioError> {
    let scenario = Scenario::parse(text)?;
    let world = scenario.build(text, now, rng)?;
    Ok(Loaded { scenario, world })
}

/// A stable UUID-shaped key id derived from the key's account, Region and name, so that a
/// scenario without ids gives the same ARNs every time it is loaded.
pub fn derived_key_id(account: &str, region: &str, name: &str) -> String {
    let digest =
        Sha256::digest(format!("kms-playground-key\0{account}\0{region}\0{name}").as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let part = |a: usize, b: usize| hex.get(a..b).unwrap_or_default().to_owned();
    format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    )
}

/// A scenario file that cannot be used, with every problem found.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    /// The problems, each with line, column and JSON path.
    pub diagnostics: Vec<Diagnostic>,
}

impl ScenarioError {
    fn new(mut diagnostics: Vec<Diagnostic>) -> ScenarioError {
        // In file order, as a person reads the file.
        crate::sort::sort_by_key(&mut diagnostics, |d| (d.start, d.span.end));
        ScenarioError { diagnostics }
    }
}

impl fmt::Display for ScenarioError {
    /// One problem per line, `line:column: error: message (at path); hint`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            f.write_str(&d.one_line())?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        Scenario::parse(text)
            .unwrap_err()
            .diagnostics
            .iter()
            .map(Diagnostic::one_line)
            .collect()
    }

    #[test]
    fn the_issue_example_reads_with_its_defaults() {
        let text = r#"{
  "name": "Lecture: 3 keys x 4 users",
  "description": "optional text",
  "account": "111122223333",
  "region": "us-east-1",
  "principals": [
    {"name": "Alice",
     "arn": "arn:aws:iam::111122223333:user/Alice",
     "tags": {"dept": "eng"},
     "policies": [{"name": "AliceKms", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]},
    {"name": "Bob"},
    {"name": "Charlie", "policies": [{"name": "p", "document": "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"kms:Encrypt\", \"Resource\": \"*\"}}"}]}
  ],
  "keys": [
    {"name": "CMK-A",
     "id": "1234abcd-12ab-34cd-56ef-1234567890ab",
     "region": "us-east-1",
     "aliases": ["alias/CMK-A"],
     "description": "optional",
     "state": "Enabled",
     "origin": "AWS_KMS",
     "tags": {"team": "blue"},
     "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}},
    {"name": "CMK-B"}
  ],
  "grants": [
    {"key": "CMK-A", "grantee": "Bob", "operations": ["Encrypt", "Decrypt"],
     "constraints": {"EncryptionContextSubset": {"dept": "eng"}},
     "retiring_principal": "Alice", "name": "demo"}
  ],
  "actions": ["kms:Encrypt", "kms:Decrypt"],
  "expect": [
    {"principal": "Charlie", "key": "alias/CMK-A", "action": "kms:Decrypt", "decision": "implicit-deny"},
    {"principal": "Bob", "key": "arn:aws:kms:us-east-1:111122223333:alias/CMK-A", "action": "kms:Encrypt",
     "context": {"kms:EncryptionContext:dept": "eng"}, "grant_tokens": [], "decision": "allow"}
  ]
}"#;
        let s = Scenario::parse(text).unwrap();
        assert_eq!(s.principals[1].arn, "arn:aws:iam::111122223333:user/Bob");
        assert_eq!(
            s.principals[0].tags,
            [("dept".to_owned(), "eng".to_owned())]
        );
        assert_eq!(
            s.principals[0].policies[0].document.text,
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"kms:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
        );
        assert!(
            s.principals[2].policies[0]
                .document
                .text
                .starts_with("{\"Version\": \"2012-10-17\", \"Statement\": {")
        );
        assert_eq!(
            s.keys[0].arn,
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        );
        assert!(is_key_id(&s.keys[1].id));
        assert_eq!(
            s.keys[1].id,
            derived_key_id("111122223333", "us-east-1", "CMK-B")
        );
        assert_eq!(
            (
                s.keys[1].state,
                s.keys[1].origin,
                s.keys[1].policy.is_none()
            ),
            ("Enabled", "AWS_KMS", true)
        );
        assert_eq!(s.grants[0].grantee, "arn:aws:iam::111122223333:user/Bob");
        assert_eq!(
            s.grants[0].retiring_principal.as_deref(),
            Some("arn:aws:iam::111122223333:user/Alice")
        );
        assert_eq!(s.grants[0].constraints[0].kind, ConstraintKind::Subset);
        assert_eq!((s.expect[0].key, s.expect[1].key), (0, 0));
        assert_eq!(s.expect[1].decision, Decision::Allow);
        assert_eq!(
            s.expect[1].context,
            [(
                "kms:EncryptionContext:dept".to_owned(),
                ContextValue::Single("eng".to_owned())
            )]
        );
    }

    #[test]
    fn principal_kinds_come_from_the_arn() {
        let s = Scenario::parse(
            r#"{"account": "444455556666", "principals": [
                {"name": "root", "arn": "arn:aws:iam::444455556666:root"},
                {"name": "Admin", "arn": "arn:aws:iam::444455556666:role/Admin"},
                {"name": "s", "arn": "arn:aws:sts::444455556666:assumed-role/Admin/alice"},
                {"name": "other", "arn": "arn:aws:iam::999988887777:user/Zed"}]}"#,
        )
        .unwrap();
        let roles: Vec<_> = s.principals.iter().map(|p| p.role.clone()).collect();
        assert_eq!(
            roles,
            [
                PrincipalRole::AccountRoot,
                PrincipalRole::Role,
                PrincipalRole::AssumedRole {
                    role: "Admin".to_owned()
                },
                PrincipalRole::User
            ]
        );
        assert_eq!(s.principals[3].account, "999988887777");
        let with_path = Scenario::parse(
            r#"{"principals": [{"name": "z", "arn": "arn:aws:iam::999988887777:user/div/Zed"}]}"#,
        )
        .unwrap();
        assert_eq!(with_path.principals[0].role, PrincipalRole::User);
        for bad in ["user//Zed", "user/div//Zed", "user/div/", "role/a b/R"] {
            let text = format!(
                r#"{{"principals": [{{"name": "z", "arn": "arn:aws:iam::999988887777:{bad}"}}]}}"#
            );
            assert_eq!(errors(&text).len(), 1, "{bad}");
        }
    }

    #[test]
    fn errors_carry_line_column_and_path() {
        assert_eq!(
            errors(
                "{\n  \"principals\": [{\"name\": \"A\", \"arn\": \"arn:aws:iam::1:user/A\"}],\n  \"kees\": []\n}"
            ),
            [
                "2:39: error: `arn:aws:iam::1:user/A` is not an ARN of an account root, IAM user, IAM role or assumed-role session (at principals[0].arn); for example `arn:aws:iam::111122223333:user/Alice`, `arn:aws:iam::111122223333:role/Admin` or `arn:aws:sts::111122223333:assumed-role/Admin/session`",
                "3:3: error: unknown field `kees` (at kees); did you mean `keys`?",
            ]
        );
        assert_eq!(
            errors(
                "{\"principals\": [{\"name\": \"Alice\"}], \"keys\": [{\"name\": \"K\"}],\n \"expect\": [{\"principal\": \"Alise\", \"key\": \"K\", \"action\": \"kms:Encrypt\", \"decision\": \"allow\"}]}"
            ),
            [
                "2:27: error: no principal named `Alise` is declared (at expect[0].principal); did you mean `Alice`?"
            ]
        );
        let syntax = errors("{\"keys\": [}");
        assert_eq!(syntax.len(), 1);
        assert!(syntax[0].starts_with("1:11: error:"), "{syntax:?}");
    }

    #[test]
    fn invalid_values_are_reported_each_where_it_is() {
        let all = errors(
            r#"{"account": "12", "principals": [{"name": "s", "arn": "arn:aws:sts::111122223333:assumed-role/Missing/x"}],
               "keys": [{"name": "K", "state": "Enabld", "aliases": ["alias/aws/x", "nope"]}, {"name": "K"}],
               "grants": [{"key": "K", "grantee": "s", "operations": ["Encrypt", "Frobnicate"]}],
               "expect": [{"principal": "s", "key": "K", "action": "Encrypt", "decision": "deny"}]}"#,
        );
        let text = all.join("\n");
        for needle in [
            "`12` is not an AWS account id",
            "needs its role `arn:aws:iam::111122223333:role/Missing` declared",
            "`Enabld` is not a valid state (at keys[0].state); did you mean `Enabled`?",
            "reserved for AWS managed keys",
            "`nope` must start with `alias/`",
            "a key named `K` is already declared",
            "`Frobnicate` is not a grant operation",
            "`Encrypt` is not a KMS action",
            "`deny` is not a decision",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }

    /// IAM and KMS reject a policy without statements (IAM User Guide, reference_policies_grammar.html):
    /// the scenario is rejected at the statement list, and the key stays known (no second error).
    #[test]
    fn policy_errors_point_into_the_scenario_file() {
        let all = errors(
            "{\"keys\": [{\"name\": \"K\",\n  \"policy\": {\"Version\": \"2012-10-17\", \"Statement\": []}}],\n \"actions\": [\"kms:Encrpyt\"],\n \"expect\": [{\"principal\": \"x\", \"key\": \"K\", \"action\": \"kms:Encrypt\", \"decision\": \"allow\"}]}",
        );
        assert_eq!(all.len(), 3, "{all:#?}");
        assert!(
            all[0].starts_with("2:52: error: `Statement` is empty (at keys[0].policy.Statement)"),
            "{all:#?}"
        );
        assert!(
            all[1].contains(
                "`kms:Encrpyt` is not a KMS action (at actions[0]); did you mean `kms:Encrypt`?"
            ),
            "{all:#?}"
        );
        assert!(all[2].contains("no principal named `x`"), "{all:#?}");
        let quoted = errors(
            r#"{"principals": [{"name": "A", "policies": [{"name": "p", "document": "{\"Statement\": {\"Effect\": \"Alow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}"}]}]}"#,
        );
        assert_eq!(quoted.len(), 1, "{quoted:#?}");
        assert!(
            quoted[0].contains("of the policy in this string"),
            "{quoted:#?}"
        );
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let a = derived_key_id("111122223333", "us-east-1", "CMK-A");
        assert_eq!(a, derived_key_id("111122223333", "us-east-1", "CMK-A"));
        assert_ne!(a, derived_key_id("111122223333", "us-east-1", "CMK-B"));
        assert!(is_key_id(&a));
    }
}
