//! Importing what the AWS CLI prints (`--output json`) into one scenario.
//!
//! Each file is recognised by its shape, not its name:
//!
//! | command | shape |
//! | --- | --- |
//! | `aws iam get-account-authorization-details` | `UserDetailList`, `GroupDetailList`, `RoleDetailList`, `Policies` |
//! | `aws kms list-keys` | `Keys` |
//! | `aws kms describe-key` | `KeyMetadata` |
//! | `aws kms get-key-policy` | `Policy` (a string); the key comes from `--key-id` or the file name |
//! | `aws kms list-aliases` | `Aliases` |
//! | `aws kms list-grants` | `Grants` |
//! | `aws organizations describe-policy` | `Policy.PolicySummary` and `Policy.Content` |
//! | `aws organizations list-targets-for-policy` | `Targets`; the policy id is the file name's start |
//! | `aws organizations describe-organization` | `Organization.Id` and `Organization.MasterAccountId` |
//! | `aws organizations list-roots` | `Roots` |
//! | `aws organizations list-organizational-units-for-parent` | `OrganizationalUnits`; the parent id (`r-...` or `ou-...`) is the file name's start |
//! | `aws organizations list-accounts-for-parent` | `Accounts`, in a file whose name starts with the parent id (the root's: the members directly under it) |
//! | `aws organizations list-accounts` | `Accounts` (members of the organization), in a file whose name does not start with `r-` or `ou-` |
//!
//! The OU tree comes from `list-organizational-units-for-parent` and `list-accounts-for-parent`
//! run for the root and each OU: an SCP or RCP attached to an OU applies to every account under
//! it. A policy attached to an OU the tree does not describe is reported and applied nowhere
//! there. `RCPFullAWSAccess` is left out (AWS attaches it everywhere; the scenario format assumes
//! it), and so is any other RCP with an `Allow` statement, which AWS would not accept. A managed
//! policy keeps only its default version (`IsDefaultVersion`), the one IAM evaluates.
//!
//! IAM returns policy documents URL-encoded (RFC 3986); the AWS CLI decodes them, other tools may
//! not: both forms are read (IAM API Reference, `PolicyVersion`, `Document`). Everything that
//! cannot be modelled is reported, one [`Skipped`] line per item, and left out; two different
//! policies for one key are an error naming both files. Principals that key policies or grants
//! name but the IAM data does not describe (other accounts' roles, say) are added without
//! policies, so the key policy stays one KMS would accept.

use super::{Scenario, ScenarioError, principal_path_and_name};
use crate::diagnostics::Diagnostic;
use crate::format::counted;
use crate::policy::parse::{PolicyKind, parse_policy};
use crate::policy::{PrincipalKey, PrincipalSet};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt;

/// One file to import.
#[derive(Clone, Copy, Debug)]
pub struct ImportFile<'a> {
    /// The file's name (its last path component is what the importer reads).
    pub name: &'a str,
    /// Its text.
    pub text: &'a str,
    /// The key a `get-key-policy` output belongs to (`--key-id` before the file).
    pub key_id: Option<&'a str>,
}

/// Something the importer left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The file it came from.
    pub file: String,
    /// What it is, such as `role/service-role/lambda-exec` or `alias/aws/ebs`.
    pub item: String,
    /// Why it was left out.
    pub why: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: skipped {}: {}", self.file, self.item, self.why)
    }
}

/// What an import produced.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The scenario file's text.
    pub text: String,
    /// The scenario it reads as.
    pub scenario: Scenario,
    /// What each file was recognised as, one line per file.
    pub read: Vec<String>,
    /// What was left out, one line per item.
    pub skipped: Vec<Skipped>,
}

/// Why an import failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    /// A file is not JSON.
    NotJson {
        /// The file.
        file: String,
        /// The syntax error, with line and column.
        diagnostic: Box<Diagnostic>,
    },
    /// A file's shape is none the importer knows.
    UnknownShape {
        /// The file.
        file: String,
        /// Its top-level keys.
        keys: Vec<String>,
    },
    /// A `get-key-policy` output whose key is named neither by `--key-id` nor by the file name.
    NoKeyForPolicy {
        /// The file.
        file: String,
    },
    /// Two files give one thing different contents.
    Conflict {
        /// What, such as "the key policy of 1234abcd-...".
        what: String,
        /// The first file.
        first: String,
        /// The second file.
        second: String,
    },
    /// The OU tree the outputs describe is not one AWS Organizations allows (a cycle, more than
    /// five levels, an account in two OUs).
    Organization(String),
    /// The merged scenario does not read (a bug in the importer or an input it did not check).
    Invalid(ScenarioError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotJson { file, diagnostic } => {
                write!(f, "{file}: not JSON: {}", diagnostic.one_line())
            }
            ImportError::UnknownShape { file, keys } => write!(
                f,
                "{file}: not an output of a command `kmsplay import --commands` lists (top-level keys: {})",
                keys.join(", ")
            ),
            ImportError::NoKeyForPolicy { file } => write!(
                f,
                "{file}: a get-key-policy output does not name its key: give `--key-id KEY` before the file, or name the file KEY-ID.json"
            ),
            ImportError::Conflict {
                what,
                first,
                second,
            } => write!(f, "{first} and {second} give {what} different contents"),
            ImportError::Organization(problem) => write!(
                f,
                "the OU tree of the list-organizational-units-for-parent and list-accounts-for-parent outputs: {problem}"
            ),
            ImportError::Invalid(error) => {
                write!(f, "the imported scenario does not read: {error}")
            }
        }
    }
}

impl std::error::Error for ImportError {}

/// The read-only AWS CLI commands whose outputs [`import`] reads, as a script.
pub const COMMANDS: &str = "\
# IAM: users, groups, roles, their inline and attached policies, boundaries, tags
aws iam get-account-authorization-details --output json > iam.json
# KMS: keys, their metadata, policies, aliases and grants
aws kms list-keys --output json > keys.json
aws kms list-aliases --output json > aliases.json
for k in $(aws kms list-keys --query 'Keys[].KeyId' --output text); do
  aws kms describe-key --key-id \"$k\" --output json > \"$k.key.json\"
  aws kms get-key-policy --key-id \"$k\" --policy-name default --output json > \"$k.policy.json\"
  aws kms list-grants --key-id \"$k\" --output json > \"$k.grants.json\"
done
# AWS Organizations (from the management account): the organization, SCPs and RCPs
aws organizations describe-organization --output json > organization.json
for p in $(aws organizations list-policies --filter SERVICE_CONTROL_POLICY --query 'Policies[].Id' --output text) \\
         $(aws organizations list-policies --filter RESOURCE_CONTROL_POLICY --query 'Policies[].Id' --output text); do
  aws organizations describe-policy --policy-id \"$p\" --output json > \"$p.policy.json\"
  aws organizations list-targets-for-policy --policy-id \"$p\" --output json > \"$p.targets.json\"
done
# The organization's tree: the root, then each parent's OUs and accounts, named after the parent
aws organizations list-roots --output json > roots.json
walk() {
  aws organizations list-organizational-units-for-parent --parent-id \"$1\" --output json > \"$1.ous.json\"
  aws organizations list-accounts-for-parent --parent-id \"$1\" --output json > \"$1.accounts.json\"
  for ou in $(aws organizations list-organizational-units-for-parent --parent-id \"$1\" --query 'OrganizationalUnits[].Id' --output text); do
    walk \"$ou\"
  done
}
walk \"$(aws organizations list-roots --query 'Roots[0].Id' --output text)\"
";

/// A user's or role's IAM data.
#[derive(Default)]
struct Identity {
    role: bool,
    policies: Vec<Value>,
    attached: Vec<String>,
    boundary: Option<String>,
    tags: Map<String, Value>,
    groups: Vec<String>,
}

#[derive(Default)]
struct KeyData {
    arn: String,
    policy: Option<(String, String)>,
    description: Option<String>,
    state: Option<String>,
    origin: Option<String>,
    aliases: Vec<String>,
}

struct OrgPolicy {
    id: String,
    name: String,
    rcp: bool,
    document: Value,
}

#[derive(Default)]
struct Merge {
    account: Option<String>,
    region: Option<String>,
    /// Users and roles by ARN, in the order met.
    identities: Vec<(String, Identity)>,
    identity_index: BTreeMap<String, usize>,
    /// Groups by ARN: name, inline policies, attached ARNs.
    groups: Vec<(String, Vec<Value>, Vec<String>)>,
    /// Managed policies by ARN: the default version's document.
    managed: BTreeMap<String, Value>,
    keys: BTreeMap<String, KeyData>,
    grants: Vec<(String, Value)>,
    management_account: Option<String>,
    /// The organization id, from describe-organization.
    org_id: Option<String>,
    /// Member accounts directly under the root, from list-accounts-for-parent of the root.
    root_accounts: Option<Vec<String>>,
    /// Member accounts whose place is not said (list-accounts).
    member_accounts: Vec<String>,
    org_policies: Vec<OrgPolicy>,
    targets: BTreeMap<String, Vec<String>>,
    /// OUs by id: name and parent (`root` or an OU id), from list-organizational-units-for-parent.
    units: BTreeMap<String, (String, String)>,
    /// Accounts by the OU they sit in, from list-accounts-for-parent.
    unit_accounts: BTreeMap<String, Vec<String>>,
    read: Vec<String>,
    skipped: Vec<Skipped>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// RFC 3986 percent-decoding.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A policy document as the CLI prints it (an object) or as IAM returns it (a URL-encoded
/// string, or a plain JSON string as KMS and Organizations return theirs).
fn document(v: &Value) -> Option<Value> {
    match v {
        Value::Object(_) => Some(v.clone()),
        Value::String(s) => {
            let trimmed = s.trim_start();
            let decoded = if trimmed.starts_with('{') {
                s.clone()
            } else {
                percent_decode(s)?
            };
            serde_json::from_str(&decoded).ok()
        }
        _ => None,
    }
}

/// Whether `document` parses as a policy of `kind` (its first problem otherwise).
fn policy_problem(document: &Value, kind: PolicyKind) -> Option<String> {
    let parsed = parse_policy(&document.to_string(), kind);
    match parsed.policy {
        Some(_) => None,
        None => Some(parsed.diagnostics.first().map_or_else(
            || "the policy does not parse".to_owned(),
            |d| d.message.clone(),
        )),
    }
}

/// Whether an RCP's document has an `Allow` statement (the rule is the world's).
fn rcp_allows(document: &Value) -> bool {
    parse_policy(&document.to_string(), PolicyKind::KeyPolicy)
        .policy
        .is_some_and(|p| crate::world::rcp_allow_statement(&p).is_some())
}

fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// A file name without `.json` (and `.policy` before it): where a `get-key-policy` output's key
/// id is read from.
fn name_stem(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(".json")?;
    Some(stem.strip_suffix(".policy").unwrap_or(stem))
}

/// Whether `file` is a `get-key-policy` output whose name does not say its key, so its key id
/// must be given ([`ImportFile::key_id`]); a file that is not JSON or has another shape is not.
pub fn needs_key_id(name: &str, text: &str) -> bool {
    // Only a small object with a string `Policy` can be one: skip the parse for anything else.
    if !text.contains("\"Policy\"") {
        return false;
    }
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    matches!(value.get("Policy"), Some(Value::String(_)))
        && !name_stem(base_name(name)).is_some_and(super::is_key_id)
}

/// The last path component of a file name, without directories.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

impl Merge {
    fn skip(&mut self, file: &str, item: impl Into<String>, why: impl Into<String>) {
        self.skipped.push(Skipped {
            file: file.to_owned(),
            item: item.into(),
            why: why.into(),
        });
    }

    fn note_account(&mut self, arn: &str) {
        if self.account.is_none() {
            self.account = arn_account(arn).map(str::to_owned);
        }
    }

    /// The user or role with this ARN, added when first met.
    fn identity(&mut self, arn: &str) -> Option<&mut Identity> {
        let i = match self.identity_index.get(arn) {
            Some(&i) => i,
            None => {
                let i = self.identities.len();
                self.identities.push((arn.to_owned(), Identity::default()));
                self.identity_index.insert(arn.to_owned(), i);
                i
            }
        };
        self.identities.get_mut(i).map(|(_, identity)| identity)
    }

    /// Inline policies (`PolicyName`, `PolicyDocument`) as scenario entries; ones that do not
    /// parse are skipped.
    fn inline_policies(&mut self, file: &str, owner: &str, entries: &[Value]) -> Vec<Value> {
        let mut out = Vec::new();
        for entry in entries {
            let name = text(entry, "PolicyName").unwrap_or_default();
            match entry.get("PolicyDocument").and_then(document) {
                Some(doc) => match policy_problem(&doc, PolicyKind::IdentityPolicy) {
                    None => out.push(json!({"name": name, "document": doc})),
                    Some(problem) => self.skip(file, format!("policy {name} of {owner}"), problem),
                },
                None => self.skip(
                    file,
                    format!("policy {name} of {owner}"),
                    "its document is neither JSON nor URL-encoded JSON",
                ),
            }
        }
        out
    }

    fn attached(entry: &Value) -> Vec<String> {
        list(entry, "AttachedManagedPolicies")
            .iter()
            .filter_map(|p| text(p, "PolicyArn"))
            .collect()
    }

    fn authorization_details(&mut self, file: &str, v: &Value) {
        for (list_key, role) in [("UserDetailList", false), ("RoleDetailList", true)] {
            for entry in list(v, list_key) {
                let Some(arn) = text(entry, "Arn") else {
                    continue;
                };
                self.note_account(&arn);
                let what = if role {
                    "RolePolicyList"
                } else {
                    "UserPolicyList"
                };
                let policies = self.inline_policies(file, &arn, list(entry, what));
                let attached = Self::attached(entry);
                let boundary = entry
                    .get("PermissionsBoundary")
                    .and_then(|b| text(b, "PermissionsBoundaryArn"));
                let tags: Map<String, Value> = list(entry, "Tags")
                    .iter()
                    .filter_map(|t| Some((text(t, "Key")?, Value::String(text(t, "Value")?))))
                    .collect();
                let groups: Vec<String> = list(entry, "GroupList")
                    .iter()
                    .filter_map(|g| g.as_str().map(str::to_owned))
                    .collect();
                if let Some(identity) = self.identity(&arn) {
                    *identity = Identity {
                        role,
                        policies,
                        attached,
                        boundary,
                        tags,
                        groups,
                    };
                }
            }
        }
        for entry in list(v, "GroupDetailList") {
            let Some(arn) = text(entry, "Arn") else {
                continue;
            };
            let policies = self.inline_policies(file, &arn, list(entry, "GroupPolicyList"));
            let attached = Self::attached(entry);
            self.groups.push((arn, policies, attached));
        }
        for entry in list(v, "Policies") {
            let Some(arn) = text(entry, "Arn") else {
                continue;
            };
            let default = list(entry, "PolicyVersionList")
                .iter()
                .find(|version| version.get("IsDefaultVersion") == Some(&Value::Bool(true)))
                .and_then(|version| version.get("Document"))
                .and_then(document);
            match default {
                Some(doc) => match policy_problem(&doc, PolicyKind::IdentityPolicy) {
                    None => {
                        self.managed.insert(arn, doc);
                    }
                    Some(problem) => self.skip(file, format!("managed policy {arn}"), problem),
                },
                None => self.skip(
                    file,
                    format!("managed policy {arn}"),
                    "no default version with a readable document",
                ),
            }
        }
        self.read.push(format!(
            "{file}: IAM authorization details ({}, {}, {}, {})",
            counted(list(v, "UserDetailList").len(), "user", "users"),
            counted(list(v, "GroupDetailList").len(), "group", "groups"),
            counted(list(v, "RoleDetailList").len(), "role", "roles"),
            counted(
                list(v, "Policies").len(),
                "managed policy",
                "managed policies"
            )
        ));
    }

    fn key(&mut self, arn: &str) -> Option<&mut KeyData> {
        let (account, region, id) = super::parse_key_arn(arn)?;
        if self.account.is_none() {
            self.account = Some(account);
        }
        if self.region.is_none() {
            self.region = Some(region);
        }
        let entry = self.keys.entry(id).or_default();
        entry.arn = arn.to_owned();
        Some(entry)
    }

    fn key_policy(&mut self, file: &str, key: &str, policy: &str) -> Result<(), ImportError> {
        let id = key.rsplit('/').next().unwrap_or(key).to_owned();
        if !super::is_key_id(&id) {
            return Err(ImportError::NoKeyForPolicy {
                file: file.to_owned(),
            });
        }
        let Some(doc) = serde_json::from_str::<Value>(policy).ok() else {
            self.skip(
                file,
                format!("key policy of {id}"),
                "the policy is not JSON",
            );
            return Ok(());
        };
        let entry = self.keys.entry(id.clone()).or_default();
        if let Some((first, existing)) = &entry.policy {
            let same = serde_json::from_str::<Value>(existing).ok() == Some(doc.clone());
            if !same {
                return Err(ImportError::Conflict {
                    what: format!("the key policy of {id}"),
                    first: first.clone(),
                    second: file.to_owned(),
                });
            }
        }
        entry.policy = Some((file.to_owned(), policy.to_owned()));
        self.read.push(format!("{file}: key policy of {id}"));
        Ok(())
    }

    fn file(&mut self, file: &ImportFile<'_>) -> Result<(), ImportError> {
        let name = base_name(file.name);
        let syntax = crate::json::parse(file.text);
        if let Some(d) = syntax.diagnostics.into_iter().next() {
            return Err(ImportError::NotJson {
                file: name.to_owned(),
                diagnostic: Box::new(d),
            });
        }
        let v: Value = serde_json::from_str(file.text).map_err(|_| ImportError::UnknownShape {
            file: name.to_owned(),
            keys: Vec::new(),
        })?;
        let has = |key: &str| v.get(key).is_some();
        if ["UserDetailList", "RoleDetailList", "GroupDetailList"]
            .iter()
            .any(|k| has(k))
        {
            self.authorization_details(name, &v);
        } else if let Some(metadata) = v.get("KeyMetadata") {
            let arn = text(metadata, "Arn").unwrap_or_default();
            let description = text(metadata, "Description");
            let state = text(metadata, "KeyState");
            let origin = text(metadata, "Origin");
            let manager = text(metadata, "KeyManager");
            match self.key(&arn) {
                Some(key) => {
                    key.description = description.filter(|d| !d.is_empty());
                    key.state = state;
                    key.origin = origin;
                    self.read.push(format!("{name}: key metadata of {arn}"));
                    if manager.as_deref() == Some("AWS") {
                        self.read.push(format!(
                            "{name}: {arn} is an AWS managed key: its policy is AWS's"
                        ));
                    }
                }
                None => self.skip(name, format!("key {arn}"), "not a KMS key ARN"),
            }
        } else if let Some(Value::String(policy)) = v.get("Policy") {
            let key = file
                .key_id
                .map(str::to_owned)
                .or_else(|| name_stem(name).map(str::to_owned))
                .ok_or_else(|| ImportError::NoKeyForPolicy {
                    file: name.to_owned(),
                })?;
            self.key_policy(name, &key, policy)?;
        } else if let Some(policy) = v.get("Policy").filter(|p| p.get("PolicySummary").is_some()) {
            let summary = policy.get("PolicySummary").unwrap_or(&Value::Null);
            let id = text(summary, "Id").unwrap_or_default();
            let policy_name = text(summary, "Name").unwrap_or_else(|| id.clone());
            let kind = text(summary, "Type").unwrap_or_default();
            let rcp = match kind.as_str() {
                "SERVICE_CONTROL_POLICY" => false,
                "RESOURCE_CONTROL_POLICY" => true,
                other => {
                    self.skip(
                        name,
                        format!("policy {policy_name}"),
                        format!("{other} policies decide nothing about KMS access"),
                    );
                    return Ok(());
                }
            };
            let kind = if rcp {
                PolicyKind::KeyPolicy
            } else {
                PolicyKind::IdentityPolicy
            };
            if rcp && id == "p-RCPFullAWSAccess" {
                self.skip(
                    name,
                    format!("policy {policy_name}"),
                    "AWS attaches RCPFullAWSAccess to the root, every OU and every account, and it cannot be detached: the playground always assumes it",
                );
                return Ok(());
            }
            match policy.get("Content").and_then(document) {
                Some(doc) if rcp && rcp_allows(&doc) => self.skip(
                    name,
                    format!("policy {policy_name}"),
                    "an RCP with an Allow statement: AWS accepts Allow only in RCPFullAWSAccess (AWS Organizations User Guide, RCP syntax)",
                ),
                Some(doc) => match policy_problem(&doc, kind) {
                    None => {
                        self.read.push(format!(
                            "{name}: {} {policy_name} ({id})",
                            if rcp { "RCP" } else { "SCP" }
                        ));
                        self.org_policies.push(OrgPolicy {
                            id,
                            name: policy_name,
                            rcp,
                            document: doc,
                        });
                    }
                    Some(problem) => self.skip(name, format!("policy {policy_name}"), problem),
                },
                None => self.skip(name, format!("policy {policy_name}"), "no readable Content"),
            }
        } else if let Some(org) = v.get("Organization") {
            self.management_account = text(org, "MasterAccountId");
            self.org_id = text(org, "Id").filter(|id| crate::world::is_organization_id(id));
            self.read.push(format!(
                "{name}: organization, management account {}",
                self.management_account.as_deref().unwrap_or("?")
            ));
        } else if has("Targets") {
            let id = name.split('.').next().unwrap_or(name).to_owned();
            let mut targets = Vec::new();
            for target in list(&v, "Targets") {
                let target_id = text(target, "TargetId").unwrap_or_default();
                match text(target, "Type").as_deref() {
                    // The root by its id when the output gives one: it makes the entity path
                    // (`aws:PrincipalOrgPaths`) known.
                    Some("ROOT") if target_id.starts_with("r-") => targets.push(target_id),
                    Some("ROOT") => targets.push("root".to_owned()),
                    Some("ACCOUNT" | "ORGANIZATIONAL_UNIT") => targets.push(target_id),
                    other => self.skip(
                        name,
                        format!("target {target_id}"),
                        format!("an unknown target type {}", other.unwrap_or("(none)")),
                    ),
                }
            }
            self.read.push(format!(
                "{name}: targets of policy {id} ({})",
                targets.len()
            ));
            self.targets.insert(id, targets);
        } else if has("Roots") {
            let ids: Vec<String> = list(&v, "Roots")
                .iter()
                .filter_map(|r| text(r, "Id"))
                .collect();
            self.read.push(format!(
                "{name}: the organization's root {}",
                ids.join(", ")
            ));
        } else if has("OrganizationalUnits") {
            let parent = name.split('.').next().unwrap_or(name);
            let parent = if crate::world::is_root_target(parent) || crate::world::is_unit_id(parent)
            {
                parent
            } else {
                self.skip(
                    name,
                    "its OUs",
                    "the file name does not start with the parent's id (`r-...` or `ou-...`)",
                );
                return Ok(());
            };
            let units = list(&v, "OrganizationalUnits");
            for unit in units {
                let Some(id) = text(unit, "Id") else {
                    continue;
                };
                let unit_name = text(unit, "Name").unwrap_or_else(|| id.clone());
                self.units.insert(id, (unit_name, parent.to_owned()));
            }
            let units = counted(units.len(), "OU", "OUs");
            self.read.push(format!("{name}: {units} under {parent}"));
        } else if has("Accounts") {
            let parent = name.split('.').next().unwrap_or(name);
            let accounts: Vec<String> = list(&v, "Accounts")
                .iter()
                .filter_map(|a| text(a, "Id"))
                .collect();
            let count = counted(accounts.len(), "account", "accounts");
            if crate::world::is_unit_id(parent) {
                self.read.push(format!("{name}: {count} in OU {parent}"));
                self.unit_accounts
                    .entry(parent.to_owned())
                    .or_default()
                    .extend(accounts);
            } else if crate::world::is_root_target(parent) {
                self.read
                    .push(format!("{name}: {count} directly under the root"));
                self.root_accounts
                    .get_or_insert_with(Vec::new)
                    .extend(accounts);
            } else {
                self.read
                    .push(format!("{name}: {count} of the organization"));
                self.member_accounts.extend(accounts);
            }
        } else if has("Keys") {
            for entry in list(&v, "Keys") {
                let arn = text(entry, "KeyArn").unwrap_or_default();
                if self.key(&arn).is_none() {
                    self.skip(name, format!("key {arn}"), "not a KMS key ARN");
                }
            }
            let keys = counted(list(&v, "Keys").len(), "key", "keys");
            self.read.push(format!("{name}: {keys}"));
        } else if has("Aliases") {
            for alias in list(&v, "Aliases") {
                let alias_name = text(alias, "AliasName").unwrap_or_default();
                let Some(target) = text(alias, "TargetKeyId") else {
                    self.skip(name, alias_name, "it points at no key");
                    continue;
                };
                if alias_name.starts_with("alias/aws/") {
                    self.skip(
                        name,
                        alias_name,
                        "an AWS managed key's alias (its key policy is AWS's)",
                    );
                    continue;
                }
                match self.keys.get_mut(&target) {
                    Some(key) => key.aliases.push(alias_name),
                    None => {
                        let arn = text(alias, "AliasArn").unwrap_or_default();
                        let key_arn = arn
                            .rsplit_once(":alias/")
                            .map(|(prefix, _)| format!("{prefix}:key/{target}"))
                            .unwrap_or_default();
                        match self.key(&key_arn) {
                            Some(key) => key.aliases.push(alias_name),
                            None => self.skip(name, alias_name, "its key is not known"),
                        }
                    }
                }
            }
            let aliases = counted(list(&v, "Aliases").len(), "alias", "aliases");
            self.read.push(format!("{name}: {aliases}"));
        } else if has("Grants") {
            for grant in list(&v, "Grants") {
                let key = text(grant, "KeyId").unwrap_or_default();
                self.grants.push((name.to_owned(), grant.clone()));
                if self.key(&key).is_none() {
                    self.skip(name, format!("grants on {key}"), "not a KMS key ARN");
                }
            }
            let grants = counted(list(&v, "Grants").len(), "grant", "grants");
            self.read.push(format!("{name}: {grants}"));
        } else {
            return Err(ImportError::UnknownShape {
                file: name.to_owned(),
                keys: v
                    .as_object()
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default(),
            });
        }
        Ok(())
    }
}

/// The members of a JSON object built with `json!`.
fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Names unique among `taken`: `base`, else `base (role)` and so on.
fn unique_name(taken: &mut BTreeMap<String, ()>, base: &str, kind: &str) -> String {
    let mut name = base.to_owned();
    if taken.contains_key(&name) {
        name = format!("{base} ({kind})");
    }
    while taken.contains_key(&name) {
        name.push('_');
    }
    taken.insert(name.clone(), ());
    name
}

/// Imports `files` into one scenario named `name`.
pub fn import(files: &[ImportFile<'_>], name: Option<&str>) -> Result<Imported, ImportError> {
    let mut merge = Merge::default();
    for file in files {
        merge.file(file)?;
    }
    build(merge, name)
}

fn build(mut m: Merge, name: Option<&str>) -> Result<Imported, ImportError> {
    let account = m
        .account
        .clone()
        .unwrap_or_else(|| super::DEFAULT_ACCOUNT.to_owned());
    let region = m
        .region
        .clone()
        .unwrap_or_else(|| super::DEFAULT_REGION.to_owned());

    // Keys: a policy each (a key without one keeps the default policy, with a note).
    let mut keys = Vec::new();
    let mut key_names: BTreeMap<String, ()> = BTreeMap::new();
    let mut named_principals: Vec<String> = Vec::new();
    let key_entries: Vec<(String, KeyData)> = std::mem::take(&mut m.keys).into_iter().collect();
    let mut key_names_by_id: BTreeMap<String, String> = BTreeMap::new();
    for (id, key) in key_entries {
        let arn = if key.arn.is_empty() {
            format!("arn:aws:kms:{region}:{account}:key/{id}")
        } else {
            key.arn.clone()
        };
        let base = key
            .aliases
            .first()
            .map_or(id.as_str(), |a| a.trim_start_matches("alias/"));
        let key_name = unique_name(&mut key_names, base, "key");
        let mut entry = object(json!({"name": key_name, "arn": arn}));
        if !key.aliases.is_empty() {
            entry.insert("aliases".to_owned(), json!(key.aliases));
        }
        if let Some(d) = &key.description {
            entry.insert("description".to_owned(), json!(d));
        }
        match key.state.as_deref() {
            Some(s @ ("Disabled" | "PendingDeletion" | "PendingImport")) => {
                entry.insert("state".to_owned(), json!(s));
            }
            Some("Enabled") | None => {}
            // A scenario describes keys as they settle: Creating and Updating last seconds
            // (KMS Developer Guide, key-state.html).
            Some(s @ ("Creating" | "Updating")) => m.skip(
                "describe-key",
                format!("state {s} of {id}"),
                "Creating and Updating are transient multi-Region states that end after a few seconds; the key is imported Enabled",
            ),
            Some(other) => m.skip(
                "describe-key",
                format!("state {other} of {id}"),
                "the playground models Enabled, Disabled, PendingDeletion and PendingImport; the key is imported Enabled",
            ),
        }
        if key.origin.as_deref() == Some("EXTERNAL") {
            entry.insert("origin".to_owned(), json!("EXTERNAL"));
        }
        match &key.policy {
            Some((file, text)) => {
                let doc: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                let parsed = parse_policy(text, PolicyKind::KeyPolicy);
                match parsed.policy {
                    Some(policy) => {
                        for statement in &policy.statements {
                            let Some(block) = &statement.principal else {
                                continue;
                            };
                            if let PrincipalSet::Specific(entries) = &block.principals {
                                for e in entries {
                                    if e.kind == PrincipalKey::Aws {
                                        named_principals.push(e.value.clone());
                                    }
                                }
                            }
                        }
                        entry.insert("policy".to_owned(), doc);
                    }
                    None => {
                        let problem = parsed
                            .diagnostics
                            .first()
                            .map_or_else(String::new, |d| d.message.clone());
                        m.skip(
                            file,
                            format!("key {id}"),
                            format!("its key policy does not parse: {problem}"),
                        );
                        continue;
                    }
                }
            }
            None => m.read.push(format!(
                "note: no get-key-policy output for {id}: it gets the default key policy, which may not be its real one"
            )),
        }
        key_names_by_id.insert(id, key_name);
        keys.push(entry);
    }

    // Principals: users and roles with their IAM data, then those only named elsewhere.
    let mut principal_names: BTreeMap<String, ()> = BTreeMap::new();
    let mut principals = Vec::new();
    let mut declared: BTreeMap<String, String> = BTreeMap::new();
    for (arn, identity) in &m.identities {
        let (_, short) = principal_path_and_name(arn);
        let kind = if identity.role { "role" } else { "user" };
        let name = unique_name(&mut principal_names, short, kind);
        let mut entry = object(json!({"name": name, "arn": arn}));
        if !identity.tags.is_empty() {
            entry.insert("tags".to_owned(), Value::Object(identity.tags.clone()));
        }
        if !identity.policies.is_empty() {
            entry.insert("policies".to_owned(), json!(identity.policies));
        }
        if let Some(boundary) = &identity.boundary {
            if m.managed.contains_key(boundary) {
                entry.insert("permissions_boundary".to_owned(), json!(boundary));
            } else {
                m.skipped.push(Skipped {
                    file: "iam".to_owned(),
                    item: format!("permissions boundary of {arn}"),
                    why: format!("{boundary} is not in the import's Policies"),
                });
            }
        }
        declared.insert(arn.clone(), name);
        principals.push(entry);
    }
    // Principals named by key policies and grants must exist for KMS to accept them.
    let grantees: Vec<String> = m
        .grants
        .iter()
        .filter_map(|(_, g)| text(g, "GranteePrincipal"))
        .collect();
    for arn in named_principals.iter().chain(&grantees) {
        if declared.contains_key(arn) {
            continue;
        }
        let Some((_, role)) = super::parse_principal_arn(arn) else {
            continue;
        };
        let mut add = |arn: &str,
                       principals: &mut Vec<Map<String, Value>>,
                       declared: &mut BTreeMap<String, String>| {
            let (_, short) = principal_path_and_name(arn);
            let short = if short.is_empty() { arn } else { short };
            let name = unique_name(&mut principal_names, short, "named");
            principals.push(object(json!({"name": name, "arn": arn})));
            declared.insert(arn.to_owned(), name);
        };
        match role {
            super::PrincipalRole::AccountRoot => continue,
            super::PrincipalRole::AssumedRole { role } => {
                let role_account = arn_account(arn).unwrap_or_default();
                let role_arn = format!("arn:aws:iam::{role_account}:role/{role}");
                let known_role = m.identities.iter().any(|(a, i)| {
                    i.role
                        && arn_account(a) == Some(role_account)
                        && principal_path_and_name(a).1 == role
                });
                if !known_role && !declared.contains_key(&role_arn) {
                    add(&role_arn, &mut principals, &mut declared);
                }
                add(arn, &mut principals, &mut declared);
            }
            super::PrincipalRole::User | super::PrincipalRole::Role => {
                add(arn, &mut principals, &mut declared)
            }
        }
        m.read.push(format!(
            "note: added {arn}, named by a key policy or grant, without IAM data"
        ));
    }

    // Groups and managed policies with their attachments.
    let mut groups = Vec::new();
    let mut attached: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut group_names: BTreeMap<String, ()> = BTreeMap::new();
    for (arn, policies, group_attached) in &m.groups {
        let (_, short) = principal_path_and_name(arn);
        let name = unique_name(&mut group_names, short, "group");
        let members: Vec<&String> = m
            .identities
            .iter()
            .filter(|(_, i)| !i.role && i.groups.iter().any(|g| g == short))
            .map(|(a, _)| a)
            .collect();
        let mut entry = object(json!({"name": name, "arn": arn}));
        if !members.is_empty() {
            entry.insert("members".to_owned(), json!(members));
        }
        if !policies.is_empty() {
            entry.insert("policies".to_owned(), json!(policies));
        }
        groups.push(entry);
        for policy in group_attached {
            attached
                .entry(policy.clone())
                .or_default()
                .push(arn.clone());
        }
    }
    for (arn, identity) in &m.identities {
        for policy in &identity.attached {
            attached
                .entry(policy.clone())
                .or_default()
                .push(arn.clone());
        }
    }
    let mut managed_policies = Vec::new();
    for arn in attached.keys() {
        if !m.managed.contains_key(arn) {
            m.skipped.push(Skipped {
                file: "iam".to_owned(),
                item: format!("attachments of {arn}"),
                why: "the policy's document is not in the import's Policies".to_owned(),
            });
        }
    }
    for (arn, doc) in &m.managed {
        let mut entry = object(json!({"arn": arn, "document": doc}));
        if let Some(holders) = attached.get(arn) {
            entry.insert("attached_to".to_owned(), json!(holders));
        }
        managed_policies.push(entry);
    }

    // Grants on imported keys.
    let mut grants = Vec::new();
    for (file, g) in &m.grants {
        let key_arn = text(g, "KeyId").unwrap_or_default();
        let id = key_arn.rsplit('/').next().unwrap_or_default();
        let Some(key_name) = key_names_by_id.get(id) else {
            continue;
        };
        let grantee = text(g, "GranteePrincipal").unwrap_or_default();
        if super::parse_principal_arn(&grantee).is_none() {
            m.skipped.push(Skipped {
                file: file.clone(),
                item: format!("grant {}", text(g, "GrantId").unwrap_or_default()),
                why: format!("its grantee `{grantee}` is not an IAM principal ARN"),
            });
            continue;
        }
        let operations: Vec<String> = list(g, "Operations")
            .iter()
            .filter_map(|o| o.as_str().map(str::to_owned))
            .collect();
        let mut entry =
            object(json!({"key": key_name, "grantee": grantee, "operations": operations}));
        if let Some(constraints) = g.get("Constraints").filter(|c| c.is_object()) {
            entry.insert("constraints".to_owned(), constraints.clone());
        }
        if let Some(r) = text(g, "RetiringPrincipal") {
            if super::parse_principal_arn(&r).is_some() {
                entry.insert("retiring_principal".to_owned(), json!(r));
            }
        }
        if let Some(n) = text(g, "Name").filter(|n| !n.is_empty()) {
            entry.insert("name".to_owned(), json!(n));
        }
        grants.push(entry);
    }

    let mut scenario = object(json!({
        "name": name.unwrap_or("Imported from AWS"),
        "account": account,
        "region": region,
        "principals": principals,
        "keys": keys,
    }));
    if !grants.is_empty() {
        scenario.insert("grants".to_owned(), json!(grants));
    }
    if !managed_policies.is_empty() {
        scenario.insert("managed_policies".to_owned(), json!(managed_policies));
    }
    if !groups.is_empty() {
        scenario.insert("groups".to_owned(), json!(groups));
    }
    if !m.org_policies.is_empty() || m.management_account.is_some() || !m.units.is_empty() {
        let management = m.management_account.clone().unwrap_or_else(|| {
            m.skipped.push(Skipped {
                file: "organizations".to_owned(),
                item: "management account".to_owned(),
                why: "no describe-organization output: the management account and the organization id are unknown".to_owned(),
            });
            "000000000000".to_owned()
        });
        // OUs: those a parent's listing names, and those only met as a parent or in an
        // accounts listing, placed under the root with a note.
        let mut units = std::mem::take(&mut m.units);
        let orphans: Vec<String> = units
            .values()
            .map(|(_, parent)| parent.clone())
            .chain(m.unit_accounts.keys().cloned())
            .filter(|id| crate::world::is_unit_id(id) && !units.contains_key(id))
            .collect();
        for id in orphans {
            if units.contains_key(&id) {
                continue;
            }
            m.skipped.push(Skipped {
                file: "organizations".to_owned(),
                item: format!("the parent of OU {id}"),
                why: "no list-organizational-units-for-parent output lists it: it is placed directly under the root, and the SCPs and RCPs of any OU between are not applied".to_owned(),
            });
            units.insert(id.clone(), (id, "root".to_owned()));
        }
        // Members directly under the root: the root's listing, and any member (from
        // list-accounts, or an account a policy is attached to) that no listing places.
        let placed = |account: &String, root: &[String]| {
            *account == management
                || root.contains(account)
                || m.unit_accounts.values().any(|list| list.contains(account))
        };
        if m.root_accounts.is_none() {
            m.skipped.push(Skipped {
                file: "organizations".to_owned(),
                item: "the accounts directly under the root".to_owned(),
                why: "no list-accounts-for-parent output for the root: only the accounts the other outputs name are members of the organization".to_owned(),
            });
        }
        let mut root_accounts = m.root_accounts.clone().unwrap_or_default();
        root_accounts.retain(|a| *a != management);
        let targeted: Vec<String> = m
            .targets
            .values()
            .flatten()
            .filter(|t| !crate::world::is_root_target(t) && !crate::world::is_unit_id(t))
            .cloned()
            .collect();
        for account in m.member_accounts.iter().chain(&targeted) {
            if !placed(account, &root_accounts) {
                m.skipped.push(Skipped {
                    file: "organizations".to_owned(),
                    item: format!("the place of account {account}"),
                    why: "a member that no list-accounts-for-parent output places: it is placed directly under the root, and the SCPs and RCPs of any OU above it are not applied".to_owned(),
                });
                root_accounts.push(account.clone());
            }
        }
        let tree = crate::world::Organization {
            accounts: root_accounts.clone(),
            units: units
                .iter()
                .map(|(id, (unit_name, parent))| crate::world::OrgUnit {
                    id: id.clone(),
                    name: unit_name.clone(),
                    parent: parent.clone(),
                    accounts: m.unit_accounts.get(id).cloned().unwrap_or_default(),
                })
                .collect(),
            ..crate::world::Organization::default()
        };
        if let Some(problem) = tree.problem() {
            return Err(ImportError::Organization(problem));
        }
        let unit_values: Vec<Value> = tree
            .units
            .iter()
            .map(
                |u| json!({"id": u.id, "name": u.name, "parent": u.parent, "accounts": u.accounts}),
            )
            .collect();
        let mut unknown_units = Vec::new();
        for (policy, targets) in &mut m.targets {
            targets.retain(|t| {
                let known = !crate::world::is_unit_id(t) || units.contains_key(t);
                if !known {
                    unknown_units.push(Skipped {
                        file: format!("{policy}.targets.json"),
                        item: format!("target {t}"),
                        why: "the OU's place and accounts are unknown: add the outputs of `list-organizational-units-for-parent` and `list-accounts-for-parent` (see `kmsplay import --commands`); until then the policy is not applied to the OU's accounts".to_owned(),
                    });
                }
                known
            });
        }
        m.skipped.extend(unknown_units);
        let entry = |p: &OrgPolicy, targets: Option<&Vec<String>>| {
            json!({"name": p.name, "id": p.id, "document": p.document,
                   "targets": targets.cloned().unwrap_or_default()})
        };
        let scps: Vec<Value> = m
            .org_policies
            .iter()
            .filter(|p| !p.rcp)
            .map(|p| entry(p, m.targets.get(&p.id)))
            .collect();
        let rcps: Vec<Value> = m
            .org_policies
            .iter()
            .filter(|p| p.rcp)
            .map(|p| entry(p, m.targets.get(&p.id)))
            .collect();
        for p in &m.org_policies {
            if !m.targets.contains_key(&p.id) {
                m.skipped.push(Skipped {
                    file: "organizations".to_owned(),
                    item: format!("targets of {} ({})", p.name, p.id),
                    why: format!(
                        "no list-targets-for-policy output named {}.json: the policy is attached nowhere",
                        p.id
                    ),
                });
            }
        }
        let mut org = object(json!({"management_account": management}));
        if let Some(id) = &m.org_id {
            org.insert("id".to_owned(), json!(id));
        }
        if !root_accounts.is_empty() {
            org.insert("accounts".to_owned(), json!(root_accounts));
        }
        if !unit_values.is_empty() {
            org.insert("units".to_owned(), json!(unit_values));
        }
        if !scps.is_empty() {
            org.insert("scps".to_owned(), json!(scps));
        }
        if !rcps.is_empty() {
            org.insert("rcps".to_owned(), json!(rcps));
        }
        scenario.insert("organization".to_owned(), Value::Object(org));
    }
    let text = serde_json::to_string_pretty(&scenario).unwrap_or_default() + "\n";
    let read = super::read::read(&text).map_err(ImportError::Invalid)?;
    Ok(Imported {
        text,
        scenario: read,
        read: m.read,
        skipped: m.skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"{"Policy": "{\"Version\": \"2012-10-17\", \"Statement\": []}", "PolicyName": "default"}"#;

    /// `get-key-policy` prints `Policy` and `PolicyName` only (KMS API Reference, GetKeyPolicy,
    /// Response Syntax): the key comes from the file name, else it must be given.
    #[test]
    fn a_key_policy_output_needs_a_key_id_unless_its_name_gives_one() {
        let id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        assert!(needs_key_id("other-key-policy.json", POLICY));
        assert!(needs_key_id("policy", POLICY));
        assert!(!needs_key_id(&format!("{id}.json"), POLICY));
        assert!(!needs_key_id(&format!("exports/{id}.policy.json"), POLICY));
        // Other shapes, and text that is not JSON, never ask for a key.
        assert!(!needs_key_id("keys.json", r#"{"Keys": []}"#));
        assert!(!needs_key_id(
            "p-1.policy.json",
            r#"{"Policy": {"PolicySummary": {}, "Content": "{}"}}"#
        ));
        assert!(!needs_key_id("broken.json", r#"{"Policy": "#));
        // Given a key id, the same file imports.
        let files = [ImportFile {
            name: "other-key-policy.json",
            text: POLICY,
            key_id: Some(id),
        }];
        let imported = import(&files, None).unwrap();
        assert_eq!(
            imported.read,
            vec![format!("other-key-policy.json: key policy of {id}")]
        );
    }

    /// KMS Developer Guide, key-state.html: Creating and Updating are transient multi-Region
    /// states. A describe-key output caught in one imports the key settled (Enabled) and says so.
    #[test]
    fn a_key_described_while_creating_imports_enabled_with_a_note() {
        let arn = "arn:aws:kms:eu-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
        let text = format!(
            r#"{{"KeyMetadata": {{"Arn": "{arn}", "KeyState": "Creating", "Origin": "AWS_KMS", "KeyManager": "CUSTOMER"}}}}"#
        );
        let files = [ImportFile {
            name: "describe-key.json",
            text: &text,
            key_id: None,
        }];
        let imported = import(&files, None).unwrap();
        assert!(
            imported
                .skipped
                .iter()
                .any(|s| s.item.starts_with("state Creating of") && s.why.contains("transient")),
            "{:?}",
            imported.skipped
        );
        assert!(!imported.text.contains(r#""state""#), "{}", imported.text);
    }
}
