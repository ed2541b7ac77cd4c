//! Grants: per-key permissions for one grantee, created through the API, usable at once with a
//! grant token and by themselves after a propagation window.
//!
//! Rules (KMS Developer Guide, grants.html, create-grant-overview.html, grant-manage.html; API
//! Reference CreateGrant, ListGrants, RetireGrant, RevokeGrant, GrantConstraints):
//! - a grant names one key, one grantee principal and a list of grant operations; it can only
//!   allow, never deny, and never a management operation;
//! - its encryption-context constraints must hold for the request (keys compared
//!   case-insensitively, values exactly), except for `DescribeKey` and `RetireGrant`;
//! - a grant that lists `CreateGrant` lets its grantee create only grants within it: a subset of
//!   its operations, with constraints at least as strict as its own ([`ChildGrant`]);
//! - a new grant is effective everywhere only after eventual consistency (usually under five
//!   minutes); until then it works only when one of its grant tokens is passed in `GrantTokens`.
//!   The playground makes the window exact and configurable ([`GrantStore::set_propagation_window`]);
//! - a retired or revoked grant stops at once here; real KMS may honour it for a few more minutes.
//!
//! Where the documentation leaves a choice open, the playground decides (and says so here):
//! - a grantee that is an account (`arn:aws:iam::ACCOUNT:root`) reaches that account's root
//!   user, and its IAM users and roles only where an identity policy allows the operation, as an
//!   account principal does in a key policy;
//! - a grantee in another account needs no IAM policy of its own;
//! - `IssuingAccount` is the account of the principal that called CreateGrant;
//! - a token of a retired or revoked grant is still recognised: using it is a denial that names
//!   the ended grant, not an `InvalidGrantTokenException`; only malformed tokens and tokens never
//!   issued are invalid;
//! - an unknown grant id is `InvalidGrantIdException` for ListGrants, RetireGrant and RevokeGrant.
//!
//! This module holds the data and the pure rules. The authorizer ([`crate::authz`]) asks
//! [`GrantStore::matches`] which grants speak for a request; the API operations are in
//! [`crate::kms`].

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::catalog::Action;
use crate::entropy::{Randomness, RandomnessUnavailable, Timestamp};
use crate::error::KmsError;
use crate::format::hex;
use crate::request::{PrincipalArn, RequestPrincipal};

/// How long a new grant takes to become effective without a token by default: five minutes, the
/// "usually within five minutes" of the KMS Developer Guide (grants.html, eventual consistency).
pub const DEFAULT_PROPAGATION_WINDOW_MILLIS: i64 = 5 * 60 * 1000;
/// At most this many tokens in one `GrantTokens` list (API Reference, `GrantTokens`).
pub const MAX_GRANT_TOKENS: usize = 10;
/// At most this many pairs in one constraint (API Reference, `GrantConstraints`).
pub const MAX_CONSTRAINT_PAIRS: usize = 8;
/// At most this many characters in one constraint value (API Reference, `GrantConstraints`).
pub const MAX_CONSTRAINT_VALUE_CHARS: usize = 384;

/// The grant operation named `name` (API `GrantOperation` spelling, case-sensitive), if it is one.
pub fn parse_operation(name: &str) -> Option<Action> {
    Action::ALL
        .iter()
        .copied()
        .find(|a| a.grant_operation_name() == Some(name))
}

/// A grant id: 64 hexadecimal digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GrantId(String);

impl GrantId {
    /// A fresh id from 256 random bits.
    pub fn generate(rng: &mut dyn Randomness) -> Result<GrantId, RandomnessUnavailable> {
        let mut bytes = [0u8; 32];
        rng.fill(&mut bytes)?;
        Ok(GrantId(hex(&bytes)))
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An id from request text (any text: an unknown id is reported by the operation).
    pub fn from_text(text: &str) -> GrantId {
        GrantId(text.to_owned())
    }
}

impl fmt::Display for GrantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A grant token: opaque base64 text. Every token a grant was issued works the same way.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GrantToken(String);

/// The first bytes of every token this playground issues (before base64).
const TOKEN_PREFIX: [u8; 2] = [0x4b, 0x01];
/// Raw token length: prefix and 46 random bytes (64 base64 characters).
const TOKEN_BYTES: usize = 48;

impl GrantToken {
    fn generate(rng: &mut dyn Randomness) -> Result<GrantToken, RandomnessUnavailable> {
        let mut bytes = [0u8; TOKEN_BYTES];
        rng.fill(&mut bytes)?;
        if let Some(prefix) = bytes.get_mut(..TOKEN_PREFIX.len()) {
            prefix.copy_from_slice(&TOKEN_PREFIX);
        }
        Ok(GrantToken(BASE64.encode(bytes)))
    }

    /// The token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `text` has the shape of a token this playground issues.
    fn well_formed(text: &str) -> bool {
        BASE64
            .decode(text)
            .is_ok_and(|b| b.len() == TOKEN_BYTES && b.starts_with(&TOKEN_PREFIX))
    }
}

/// A constraint on the encryption context of requests a grant allows (API `GrantConstraints`).
/// Keys are compared case-insensitively and values exactly: the API Reference says so for grant
/// constraints (`GrantConstraints`), although the Developer Guide speaks of an exact match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    /// The request's context must be exactly these pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
    /// The request's context must include these pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
}

/// The two kinds of constraint, as `kms:GrantConstraintType` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ConstraintType {
    /// `EncryptionContextEquals`.
    EncryptionContextEquals,
    /// `EncryptionContextSubset`.
    EncryptionContextSubset,
}

impl ConstraintType {
    /// The name, as in `kms:GrantConstraintType` and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ConstraintType::EncryptionContextEquals => "EncryptionContextEquals",
            ConstraintType::EncryptionContextSubset => "EncryptionContextSubset",
        }
    }
}

fn has_pair(
    pairs: impl IntoIterator<Item = (impl AsRef<str>, impl AsRef<str>)>,
    key: &str,
    value: &str,
) -> bool {
    pairs
        .into_iter()
        .any(|(k, v)| k.as_ref().eq_ignore_ascii_case(key) && v.as_ref() == value)
}

/// Every pair of `inner` appears in `outer` (keys case-insensitive, values exact).
fn pairs_within(inner: &BTreeMap<String, String>, outer: &BTreeMap<String, String>) -> bool {
    inner.iter().all(|(k, v)| has_pair(outer, k, v))
}

/// No constraint at all: what a grant without `Constraints` holds.
const NO_CONSTRAINTS: GrantConstraints = GrantConstraints {
    encryption_context_equals: None,
    encryption_context_subset: None,
};

impl GrantConstraints {
    /// Whether no constraint is set.
    pub fn is_empty(&self) -> bool {
        self.encryption_context_equals.is_none() && self.encryption_context_subset.is_none()
    }

    /// The pairs the constraints name, which a CreateGrant request's `kms:EncryptionContext:*`
    /// and `kms:EncryptionContextKeys` test (KMS Developer Guide, conditions-kms.html: for
    /// CreateGrant they test the grant constraint's encryption context).
    pub fn condition_pairs(&self) -> BTreeMap<String, String> {
        let mut pairs = BTreeMap::new();
        for map in [
            &self.encryption_context_subset,
            &self.encryption_context_equals,
        ]
        .into_iter()
        .flatten()
        {
            pairs.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        pairs
    }

    /// The constraint types present, for `kms:GrantConstraintType`.
    pub fn types(&self) -> Vec<ConstraintType> {
        let mut types = Vec::new();
        if self.encryption_context_equals.is_some() {
            types.push(ConstraintType::EncryptionContextEquals);
        }
        if self.encryption_context_subset.is_some() {
            types.push(ConstraintType::EncryptionContextSubset);
        }
        types
    }

    /// Whether a request with encryption context `context` satisfies every constraint.
    pub fn allows(&self, context: &BTreeMap<String, String>) -> bool {
        let equals_ok = self.encryption_context_equals.as_ref().is_none_or(|pairs| {
            pairs.len() == context.len()
                && pairs_within(pairs, context)
                && pairs_within(context, pairs)
        });
        let subset_ok = self
            .encryption_context_subset
            .as_ref()
            .is_none_or(|pairs| pairs_within(pairs, context));
        equals_ok && subset_ok
    }

    /// Whether every request these constraints allow is also allowed by `parent`: the rule for a
    /// grant created with `CreateGrant` permission that came from the parent grant. A child may
    /// add pairs to a subset constraint or turn it into an equals constraint, never the reverse,
    /// and never drop pairs (KMS Developer Guide, create-grant-overview.html, "Granting
    /// CreateGrant permission").
    pub fn at_least_as_strict_as(&self, parent: &GrantConstraints) -> bool {
        if parent.is_empty() {
            return true;
        }
        if let Some(equals) = &self.encryption_context_equals {
            // The child allows at most the one context `equals`.
            return !self.allows(equals) || parent.allows(equals);
        }
        match (&self.encryption_context_subset, parent) {
            (
                Some(child),
                GrantConstraints {
                    encryption_context_equals: None,
                    encryption_context_subset: Some(parent),
                },
            ) => pairs_within(parent, child),
            // Open-ended (subset or no constraint) under an equals parent, or no constraint under
            // any constraint: the child would allow contexts the parent refuses.
            _ => false,
        }
    }

    /// Checks the limits of the API Reference (`GrantConstraints`): up to 8 pairs per constraint,
    /// values up to 384 characters. Returns the `ValidationException` message.
    pub fn validate(&self) -> Result<(), String> {
        for (name, pairs) in [
            ("encryptionContextEquals", &self.encryption_context_equals),
            ("encryptionContextSubset", &self.encryption_context_subset),
        ] {
            let Some(pairs) = pairs else { continue };
            if pairs.len() > MAX_CONSTRAINT_PAIRS {
                return Err(format!(
                    "1 validation error detected: Value at 'constraints.{name}' failed to satisfy constraint: Map must have at most {MAX_CONSTRAINT_PAIRS} entries"
                ));
            }
            if pairs
                .values()
                .any(|v| v.chars().count() > MAX_CONSTRAINT_VALUE_CHARS)
            {
                return Err(format!(
                    "1 validation error detected: Value at 'constraints.{name}' failed to satisfy constraint: Map value must have length less than or equal to {MAX_CONSTRAINT_VALUE_CHARS}"
                ));
            }
        }
        Ok(())
    }
}

/// How a grant ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum EndKind {
    /// `RetireGrant`.
    Retired,
    /// `RevokeGrant`.
    Revoked,
}

/// When and how a grant ended, and who ended it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrantEnd {
    /// Retired or revoked.
    pub kind: EndKind,
    /// When.
    pub at: Timestamp,
    /// The ARN of the principal who called RetireGrant or RevokeGrant.
    pub by: PrincipalArn,
}

/// A grantee or retiring principal as CreateGrant took it: the ARN of an IAM principal the world
/// can hold, or other text the request's checks let through and KMS keeps as written (an account
/// id, a federated user, an ARN of another partition; API Reference, CreateGrant,
/// GranteePrincipal). It matches a caller by its text, as KMS compares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantPrincipal {
    /// An account root, user, role or assumed-role session.
    Iam(PrincipalArn),
    /// Anything else CreateGrant accepted.
    Other(String),
}

impl GrantPrincipal {
    /// `text` as a grant keeps it: a [`PrincipalArn`] when it is one.
    pub fn new(text: &str) -> GrantPrincipal {
        match PrincipalArn::parse(text) {
            Ok(arn) => GrantPrincipal::Iam(arn),
            Err(_) => GrantPrincipal::Other(text.to_owned()),
        }
    }

    /// The principal as written.
    pub fn as_str(&self) -> &str {
        match self {
            GrantPrincipal::Iam(arn) => arn.as_str(),
            GrantPrincipal::Other(text) => text,
        }
    }

    /// The IAM principal's ARN, when the text is one.
    pub fn arn(&self) -> Option<&PrincipalArn> {
        match self {
            GrantPrincipal::Iam(arn) => Some(arn),
            GrantPrincipal::Other(_) => None,
        }
    }
}

impl From<PrincipalArn> for GrantPrincipal {
    fn from(arn: PrincipalArn) -> GrantPrincipal {
        GrantPrincipal::Iam(arn)
    }
}

impl std::fmt::Display for GrantPrincipal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for GrantPrincipal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A grant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Grant {
    /// The grant id.
    pub id: GrantId,
    /// The ARN of the key the grant is for.
    pub key_arn: String,
    /// The optional `Name` given at creation (idempotency only).
    pub name: Option<String>,
    /// The principal that gets the operations.
    pub grantee: GrantPrincipal,
    /// The principal that may retire the grant.
    pub retiring: Option<GrantPrincipal>,
    /// The account of the principal that created the grant (`IssuingAccount`, as an account id).
    pub issuing_account: String,
    /// The ARN of the principal that created the grant.
    pub created_by: PrincipalArn,
    /// The operations allowed, in the order given.
    pub operations: Vec<Action>,
    /// Encryption-context constraints.
    pub constraints: Option<GrantConstraints>,
    /// `CreationDate`.
    pub created: Timestamp,
    /// From this instant the grant works without a token (creation plus the propagation window).
    pub effective_from: Timestamp,
    /// Set once the grant was retired or revoked.
    pub ended: Option<GrantEnd>,
}

impl Grant {
    /// Whether the grant still exists (neither retired nor revoked).
    pub fn is_active(&self) -> bool {
        self.ended.is_none()
    }

    /// Whether the grant can speak for `caller` at all: as its grantee (itself, its role or its
    /// account) or for retiring it. When no grant on a key can, the grant step finds no grant
    /// for any of the caller's requests on that key, which lets the access matrix skip it.
    pub fn may_concern(&self, caller: &RequestPrincipal) -> bool {
        grantee_matches(&self.grantee, caller).is_some() || retire_basis(self, caller).is_some()
    }

    /// Whether the grant lists `action`.
    pub fn allows_operation(&self, action: Action) -> bool {
        self.operations.contains(&action)
    }

    /// Whether the grant's constraints apply to `action`: they do not for `DescribeKey` and
    /// `RetireGrant` (API Reference, `GrantConstraints`), and for `CreateGrant` they bound the
    /// child grant's constraints instead of the request's context.
    pub fn constraints_apply_to(action: Action) -> bool {
        !matches!(
            action,
            Action::DescribeKey | Action::RetireGrant | Action::CreateGrant
        )
    }

    /// The ListGrants entry for this grant (API `GrantListEntry`).
    pub fn list_entry(&self) -> GrantListEntry {
        GrantListEntry {
            key_id: self.key_arn.clone(),
            grant_id: self.id.clone(),
            name: self.name.clone().unwrap_or_default(),
            creation_date: self.created.as_epoch_seconds(),
            grantee_principal: self.grantee.to_string(),
            retiring_principal: self.retiring.as_ref().map(GrantPrincipal::to_string),
            issuing_account: format!("arn:aws:iam::{}:root", self.issuing_account),
            operations: self
                .operations
                .iter()
                .filter_map(|a| a.grant_operation_name())
                .map(str::to_owned)
                .collect(),
            constraints: self.constraints.clone(),
        }
    }
}

/// A grant as ListGrants and ListRetirableGrants return it; tokens never appear.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GrantListEntry {
    /// The key ARN.
    pub key_id: String,
    /// The grant id.
    pub grant_id: GrantId,
    /// The name, or empty. ListGrants returns no `Name` for a grant created without one (KMS API
    /// Reference, GrantListEntry: "Otherwise this value is null"), so an empty name is not printed.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Creation time in epoch seconds.
    pub creation_date: i64,
    /// The grantee.
    pub grantee_principal: String,
    /// The retiring principal, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retiring_principal: Option<String>,
    /// `arn:aws:iam::ACCOUNT:root` of the issuing account.
    pub issuing_account: String,
    /// The grant operations.
    pub operations: Vec<String>,
    /// The constraints, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraints: Option<GrantConstraints>,
}

/// What a CreateGrant request asks for, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct NewGrant {
    /// The key's ARN.
    pub key_arn: String,
    /// The grantee principal.
    pub grantee: GrantPrincipal,
    /// The retiring principal.
    pub retiring: Option<GrantPrincipal>,
    /// The operations.
    pub operations: Vec<Action>,
    /// The constraints.
    pub constraints: Option<GrantConstraints>,
    /// The name (idempotency).
    pub name: Option<String>,
    /// The caller's account.
    pub issuing_account: String,
    /// The caller's ARN.
    pub created_by: PrincipalArn,
}

impl NewGrant {
    /// Refuses a grantee or retiring principal that is an IAM group. A group is not a principal
    /// (IAM User Guide, reference_policies_elements_principal.html; API Reference, CreateGrant,
    /// GranteePrincipal: "Valid principals include AWS accounts, IAM users, IAM roles, federated
    /// users, and assumed role users"), so KMS answers as for any ARN it cannot resolve to a
    /// principal: `InvalidArnException: ARN does not refer to a valid principal: ARN`.
    pub fn check_principals(&self) -> Result<(), KmsError> {
        for principal in std::iter::once(&self.grantee).chain(&self.retiring) {
            let arn = principal.as_str();
            let mut parts = arn.splitn(6, ':');
            let is_group = parts.next() == Some("arn")
                && parts.next().is_some()
                && parts.next() == Some("iam")
                && parts.next().is_some()
                && parts.next().is_some()
                && parts
                    .next()
                    .is_some_and(|resource| resource.starts_with("group/"));
            if is_group {
                return Err(KmsError::InvalidArn(format!(
                    "ARN does not refer to a valid principal: {arn}"
                )));
            }
        }
        Ok(())
    }

    /// Whether `grant` has the same properties, including the name: a retried CreateGrant that
    /// returns the existing grant (KMS Developer Guide, create-grant-overview.html).
    fn is_retry_of(&self, grant: &Grant) -> bool {
        let same_ops = |a: &[Action], b: &[Action]| {
            a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
        };
        self.name.is_some()
            && grant.is_active()
            && self.name == grant.name
            && self.key_arn == grant.key_arn
            && self.grantee == grant.grantee
            && self.retiring == grant.retiring
            && same_ops(&self.operations, &grant.operations)
            && self.constraints == grant.constraints
    }
}

/// What [`GrantStore::create`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// The new grant's id, or the existing one's for a retry.
    pub id: GrantId,
    /// A fresh token for it.
    pub token: GrantToken,
    /// False when an existing grant with the same properties and name was returned.
    pub new: bool,
}

/// Why a grant token in a request was refused (`InvalidGrantTokenException`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TokenProblem {
    /// Not the shape of a grant token.
    Malformed,
    /// Well formed, but no grant was ever issued this token.
    Unknown,
}

/// A `GrantId` filter that names no active grant of the key (`InvalidGrantIdException`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownGrantId(pub String);

/// How one grant bears on a request, for the authorizer's explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum GrantStanding {
    /// The grant allows the request (`via_token`: it was not yet effective, and one of its tokens
    /// was passed).
    Allows {
        /// Whether a token made it usable before the propagation window ended.
        via_token: bool,
    },
    /// Created, not yet effective, and none of its tokens was passed: "pending (token only)".
    PendingTokenOnly {
        /// When it becomes effective without a token.
        effective_from: Timestamp,
    },
    /// The request's encryption context does not satisfy the grant's constraints.
    ConstraintNotMet,
    /// CreateGrant: the grant gives CreateGrant, but the grant being created is not within it.
    DoesNotCover(Uncovered),
    /// The grant was retired or revoked.
    Ended(GrantEnd),
}

/// What a grant created with CreateGrant permission from a grant asks for beyond that grant
/// (KMS Developer Guide, create-grant-overview.html, "Granting CreateGrant permission").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Uncovered {
    /// The requested operations the grant does not list, in the request's order.
    pub operations: Vec<Action>,
    /// Whether the requested constraints are looser than the grant's (they would allow an
    /// encryption context the grant's constraints refuse).
    pub looser_constraints: bool,
}

/// What a CreateGrant request asks for the grant it creates: a grant that gives the caller
/// CreateGrant allows the request only when this is within it (KMS Developer Guide,
/// create-grant-overview.html, "Granting CreateGrant permission": "Principals who get permission
/// to create grants from a grant are limited in the grants that they can create"; API
/// Reference, `GrantConstraints`: a grant with a constraint that includes CreateGrant requires
/// "an equally strict or stricter encryption context constraint").
#[derive(Clone, Copy, Debug)]
pub struct ChildGrant<'a> {
    /// The new grant's operations.
    pub operations: &'a [Action],
    /// The new grant's constraints (`None`: none).
    pub constraints: Option<&'a GrantConstraints>,
}

impl ChildGrant<'_> {
    /// What the child asks for beyond `parent`, or `None` when `parent` covers it: every
    /// operation is one `parent` lists, and the constraints are at least as strict as its own.
    pub fn beyond(&self, parent: &Grant) -> Option<Uncovered> {
        let operations: Vec<Action> = self
            .operations
            .iter()
            .copied()
            .filter(|op| !parent.allows_operation(*op))
            .collect();
        let looser_constraints = !self
            .constraints
            .unwrap_or(&NO_CONSTRAINTS)
            .at_least_as_strict_as(parent.constraints.as_ref().unwrap_or(&NO_CONSTRAINTS));
        (!operations.is_empty() || looser_constraints).then_some(Uncovered {
            operations,
            looser_constraints,
        })
    }
}

impl GrantStanding {
    /// Whether this grant allows the request.
    pub fn allows(&self) -> bool {
        matches!(self, GrantStanding::Allows { .. })
    }
}

/// A grant that names the caller and the requested operation, and how it stands.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrantMatch {
    /// The grant id.
    pub grant_id: GrantId,
    /// The grantee as the grant names it (the caller, its role, or its account).
    pub grantee: GrantPrincipal,
    /// How the grantee matched the caller.
    pub matched_as: GranteeMatch,
    /// The grant's standing for this request.
    pub standing: GrantStanding,
}

/// How a grant's grantee principal matched the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GranteeMatch {
    /// The grantee is the caller's own ARN.
    Caller,
    /// The grantee is the role the caller's session belongs to (grants to a role reach the users
    /// who assume it: KMS Developer Guide, create-grant-overview.html).
    Role,
    /// The grantee is the caller's account. Like an account principal in a key policy, it reaches
    /// the account's root user, and its IAM principals only where their identity policies allow
    /// the operation: the authorizer checks that.
    Account,
}

/// How a grantee principal matches `caller`, if it does.
pub fn grantee_matches(
    grantee: &GrantPrincipal,
    caller: &RequestPrincipal,
) -> Option<GranteeMatch> {
    let grantee = grantee.as_str();
    if grantee == caller.id.as_str() {
        Some(GranteeMatch::Caller)
    } else if caller.role_arn.as_ref().is_some_and(|role| role == grantee) {
        Some(GranteeMatch::Role)
    } else if !caller.account.is_empty()
        && (grantee == caller.account || is_root_arn_of(grantee, &caller.account))
    {
        Some(GranteeMatch::Account)
    } else {
        None
    }
}

/// The request a grant is checked against.
#[derive(Clone, Copy, Debug)]
pub struct GrantQuery<'a> {
    /// The key's ARN.
    pub key_arn: &'a str,
    /// The caller.
    pub caller: &'a RequestPrincipal,
    /// The operation.
    pub action: Action,
    /// The request's encryption context.
    pub context: &'a BTreeMap<String, String>,
    /// The grants whose tokens the request passed (see [`GrantStore::resolve_tokens`]).
    pub tokens: &'a [GrantId],
    /// The simulated time.
    pub now: Timestamp,
    /// For CreateGrant, the grant the request creates, when the request names it (the access
    /// matrix asks without one: may the caller call CreateGrant at all?).
    pub child: Option<ChildGrant<'a>>,
}

/// Every grant of the world, retired and revoked ones included (they explain denials).
#[derive(Clone, Debug, PartialEq)]
pub struct GrantStore {
    /// In creation order.
    grants: Vec<Grant>,
    /// Every token issued → its grant.
    tokens: BTreeMap<GrantToken, GrantId>,
    propagation_window_millis: i64,
}

impl Default for GrantStore {
    fn default() -> GrantStore {
        GrantStore {
            grants: Vec::new(),
            tokens: BTreeMap::new(),
            propagation_window_millis: DEFAULT_PROPAGATION_WINDOW_MILLIS,
        }
    }
}

impl GrantStore {
    /// An empty store with the default five-minute propagation window.
    pub fn new() -> GrantStore {
        GrantStore::default()
    }

    /// How long new grants take to work without a token, in milliseconds.
    pub fn propagation_window_millis(&self) -> i64 {
        self.propagation_window_millis
    }

    /// Sets the propagation window for grants created from now on (0 = effective at once;
    /// negative values count as 0).
    pub fn set_propagation_window(&mut self, millis: i64) {
        self.propagation_window_millis = millis.max(0);
    }

    /// The grant with `id`, active or ended.
    pub fn get(&self, id: &GrantId) -> Option<&Grant> {
        self.grants.iter().find(|g| &g.id == id)
    }

    /// The active grant with `id` on key `key_arn`.
    pub fn active(&self, key_arn: &str, id: &GrantId) -> Option<&Grant> {
        self.grants
            .iter()
            .find(|g| &g.id == id && g.key_arn == key_arn && g.is_active())
    }

    /// Every grant, in creation order, ended ones included.
    pub fn all(&self) -> impl Iterator<Item = &Grant> {
        self.grants.iter()
    }

    /// The active grants on key `key_arn`, in creation order.
    pub fn on_key<'a>(&'a self, key_arn: &'a str) -> impl Iterator<Item = &'a Grant> {
        self.grants
            .iter()
            .filter(move |g| g.key_arn == key_arn && g.is_active())
    }

    /// Every grant on `key_arn`, in any state.
    pub fn all_on_key<'a>(&'a self, key_arn: &'a str) -> impl Iterator<Item = &'a Grant> {
        self.grants.iter().filter(move |g| g.key_arn == key_arn)
    }

    /// The grant a token was issued for (possibly ended).
    pub fn grant_for_token(&self, token: &str) -> Result<&Grant, TokenProblem> {
        if !GrantToken::well_formed(token) {
            return Err(TokenProblem::Malformed);
        }
        self.tokens
            .get(&GrantToken(token.to_owned()))
            .and_then(|id| self.get(id))
            .ok_or(TokenProblem::Unknown)
    }

    /// The grants named by a request's `GrantTokens`; the first bad token is an error.
    pub fn resolve_tokens(&self, tokens: &[String]) -> Result<Vec<GrantId>, TokenProblem> {
        tokens
            .iter()
            .map(|t| self.grant_for_token(t).map(|g| g.id.clone()))
            .collect()
    }

    /// Creates a grant, or for a retry (same properties including a name) returns the existing
    /// one with a new token (KMS Developer Guide, create-grant-overview.html).
    ///
    /// Fails, creating nothing, when the random source fails.
    pub fn create(
        &mut self,
        spec: NewGrant,
        now: Timestamp,
        rng: &mut dyn Randomness,
    ) -> Result<Created, RandomnessUnavailable> {
        let token = GrantToken::generate(rng)?;
        if let Some(existing) = self.grants.iter().find(|g| spec.is_retry_of(g)) {
            let id = existing.id.clone();
            self.tokens.insert(token.clone(), id.clone());
            return Ok(Created {
                id,
                token,
                new: false,
            });
        }
        let id = GrantId::generate(rng)?;
        self.grants.push(Grant {
            id: id.clone(),
            key_arn: spec.key_arn,
            name: spec.name,
            grantee: spec.grantee,
            retiring: spec.retiring,
            issuing_account: spec.issuing_account,
            created_by: spec.created_by,
            operations: spec.operations,
            constraints: spec.constraints,
            created: now,
            effective_from: now.plus_millis(self.propagation_window_millis),
            ended: None,
        });
        self.tokens.insert(token.clone(), id.clone());
        Ok(Created {
            id,
            token,
            new: true,
        })
    }

    /// Ends an active grant (retire or revoke). Returns false if it was not active.
    pub fn end(&mut self, id: &GrantId, kind: EndKind, by: &PrincipalArn, now: Timestamp) -> bool {
        match self
            .grants
            .iter_mut()
            .find(|g| &g.id == id && g.is_active())
        {
            Some(grant) => {
                grant.ended = Some(GrantEnd {
                    kind,
                    at: now,
                    by: by.clone(),
                });
                true
            }
            None => false,
        }
    }

    /// The grants on the query's key that name the caller (directly, through its role, or its
    /// account) and list the operation, with how each stands. Ended grants are included so
    /// that explanations can say a grant was retired or revoked.
    pub fn matches(&self, query: &GrantQuery<'_>) -> Vec<GrantMatch> {
        matches_in(self.grants.iter(), query)
    }

    /// The active grants on `key_arn`, filtered (API ListGrants), in creation order.
    pub fn list(
        &self,
        key_arn: &str,
        grant_id: Option<&GrantId>,
        grantee: Option<&str>,
    ) -> Result<Vec<GrantListEntry>, UnknownGrantId> {
        if let Some(id) = grant_id
            && self.active(key_arn, id).is_none()
        {
            return Err(UnknownGrantId(id.to_string()));
        }
        Ok(self
            .on_key(key_arn)
            .filter(|g| {
                grant_id.is_none_or(|id| &g.id == id)
                    && grantee.is_none_or(|p| g.grantee.as_str() == p)
            })
            .map(Grant::list_entry)
            .collect())
    }

    /// The active grants whose retiring principal is `retiring` (API ListRetirableGrants).
    pub fn list_retirable(&self, retiring: &str) -> Vec<GrantListEntry> {
        self.grants
            .iter()
            .filter(|g| {
                g.is_active() && g.retiring.as_ref().map(GrantPrincipal::as_str) == Some(retiring)
            })
            .map(Grant::list_entry)
            .collect()
    }
}

/// On what ground a grant speaks for the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GrantBasis {
    /// The caller is the grantee (itself, through its role, or through its account) and the
    /// grant lists the operation.
    Grantee(GranteeMatch),
    /// RetireGrant: the caller is the grant's retiring principal (or, for an account, one of
    /// its principals).
    RetiringPrincipal(GranteeMatch),
    /// RetireGrant: the caller belongs to the account that created the grant.
    IssuingAccount,
}

/// What the authorizer's grant step found (KMS Developer Guide, grants.html; RetireGrant: API
/// Reference, RetireGrant).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum GrantFinding {
    /// Grants cannot allow this action (it is not a grant operation, or there is no key).
    NotApplicable,
    /// No grant on the key names the caller for this operation.
    NoGrant,
    /// A grant allows the operation.
    Allowed {
        /// The grant's id.
        grant_id: String,
        /// Whether it counted only because its grant token was passed (it is not yet
        /// eventually consistent).
        via_token: bool,
        /// Why the grant speaks for the caller.
        basis: GrantBasis,
        /// The grant reaches the caller only through its account: an identity policy of the
        /// caller must allow the action too (the root user needs none).
        needs_identity: bool,
    },
    /// The grant exists but is not yet effective and none of its tokens was passed:
    /// "pending (token only)".
    PendingTokenOnly {
        /// The grant's id.
        grant_id: String,
        /// When it becomes effective without a token.
        effective_from: Timestamp,
    },
    /// The grant lists the operation, but the request's encryption context does not satisfy its
    /// constraints.
    ConstraintNotMet {
        /// The grant's id.
        grant_id: String,
    },
    /// CreateGrant: the grant gives the caller CreateGrant, but the grant being created asks for
    /// more than it holds, so it allows nothing here.
    DoesNotCover {
        /// The grant's id.
        grant_id: String,
        /// What the new grant asks for beyond it.
        uncovered: Uncovered,
    },
    /// The grant was retired or revoked.
    Ended {
        /// The grant's id.
        grant_id: String,
        /// How and when it ended.
        end: GrantEnd,
    },
}

impl GrantFinding {
    /// Whether the grant step allows, given whether an identity policy of the caller allows the
    /// action (needed when the grant names the caller's account).
    pub fn allows(&self, identity_allows: bool) -> bool {
        match self {
            GrantFinding::Allowed { needs_identity, .. } => !needs_identity || identity_allows,
            _ => false,
        }
    }

    /// For a grant that would allow once effective: when that is.
    pub fn pending_until(&self) -> Option<Timestamp> {
        match self {
            GrantFinding::PendingTokenOnly { effective_from, .. } => Some(*effective_from),
            _ => None,
        }
    }

    /// The grant step in one sentence, for `who` and `action` (`kms:Encrypt`).
    pub fn step_text(&self, who: &str, action: &str) -> String {
        match self {
            GrantFinding::NotApplicable => format!("Grants cannot allow {action}."),
            GrantFinding::NoGrant => format!("No grant on this key gives {who} {action}."),
            GrantFinding::Allowed {
                grant_id,
                via_token,
                basis,
                needs_identity,
            } => {
                let how = match basis {
                    GrantBasis::Grantee(GranteeMatch::Caller) => {
                        format!("Grant {grant_id} gives {who} {action}")
                    }
                    GrantBasis::Grantee(GranteeMatch::Role) => {
                        format!("Grant {grant_id} gives {who}'s role {action}")
                    }
                    GrantBasis::Grantee(GranteeMatch::Account) => {
                        format!("Grant {grant_id} gives {who}'s account {action}")
                    }
                    GrantBasis::RetiringPrincipal(_) => {
                        format!("{who} is the retiring principal of grant {grant_id}")
                    }
                    GrantBasis::IssuingAccount => format!(
                        "{who} belongs to the account that created grant {grant_id}, which may retire it"
                    ),
                };
                let token = if *via_token {
                    " (not yet consistent: it counts because its grant token was passed)"
                } else {
                    ""
                };
                let identity = if *needs_identity {
                    "; through an account, it reaches an IAM user or role only where an IAM policy allows the action"
                } else {
                    ""
                };
                format!("{how}{token}{identity}.")
            }
            GrantFinding::PendingTokenOnly {
                grant_id,
                effective_from,
            } => format!(
                "Grant {grant_id} gives {who} {action} but is pending (token only): until it is \
                 consistent at {} it works only when its grant token is passed.",
                crate::format::iso8601(*effective_from)
            ),
            GrantFinding::ConstraintNotMet { grant_id } => format!(
                "Grant {grant_id} gives {who} {action} only with the encryption context its \
                 constraints require, and this request does not have it."
            ),
            GrantFinding::DoesNotCover {
                grant_id,
                uncovered,
            } => format!(
                "Grant {grant_id} gives {who} {action}, but a grant created with CreateGrant \
                 permission from a grant may hold only that grant's operations, with constraints \
                 at least as strict: {}. So it does not allow this request.",
                uncovered.describe()
            ),
            GrantFinding::Ended { grant_id, end } => format!(
                "Grant {grant_id} gave {who} {action} but was {} at {}: here it stops at once \
                 (real KMS may honour it for a few minutes until the change is consistent).",
                match end.kind {
                    EndKind::Retired => "retired",
                    EndKind::Revoked => "revoked",
                },
                crate::format::iso8601(end.at)
            ),
        }
    }
}

impl Uncovered {
    /// What the new grant asks for beyond the grant that gives CreateGrant, in words: "the new
    /// grant asks for Decrypt, which that grant does not give".
    pub fn describe(&self) -> String {
        let names: Vec<&str> = self
            .operations
            .iter()
            .filter_map(|op| op.grant_operation_name())
            .collect();
        let operations = match names.as_slice() {
            [] => None,
            [one] => Some(format!(
                "the new grant asks for {one}, which that grant does not give"
            )),
            [init @ .., last] => Some(format!(
                "the new grant asks for {} and {last}, which that grant does not give",
                init.join(", ")
            )),
        };
        const LOOSER: &str = "encryption-context constraints are looser than that grant's \
                              (they would allow a context it refuses)";
        match (operations, self.looser_constraints) {
            (Some(ops), true) => format!("{ops}, and its {LOOSER}"),
            (Some(ops), false) => ops,
            (None, true) => format!("the new grant's {LOOSER}"),
            (None, false) => "the new grant is within that grant".to_owned(),
        }
    }
}

impl GrantFinding {
    /// The finding when no grant can concern the request (what [`GrantStore::finding_among`]
    /// answers for no candidates, without building its lists): the access matrix's usual case.
    pub fn without_grants(action: Action) -> GrantFinding {
        if action.is_grant_operation() {
            GrantFinding::NoGrant
        } else {
            GrantFinding::NotApplicable
        }
    }
}

impl GrantStore {
    /// The grant step for `query`: the best finding among the grants on the key.
    ///
    /// For `RetireGrant`, `retiring` names the grant being retired (any retirable grant on the
    /// key when `None`, as the access matrix asks): it may be retired by its retiring principal,
    /// by its grantee when it lists `RetireGrant`, and by the account that created it, whose IAM
    /// principals need an identity policy allowing `kms:RetireGrant` (API Reference,
    /// RetireGrant; KMS Developer Guide, grant-manage.html).
    pub fn finding(&self, query: &GrantQuery<'_>, retiring: Option<&GrantId>) -> GrantFinding {
        finding_in(self.grants.iter(), query, retiring)
    }

    /// [`GrantStore::finding`] among `candidates` only: the caller knows no other grant can
    /// concern the query (the access matrix keeps, per principal and key, the grants that
    /// [`Grant::may_concern`] the principal).
    pub fn finding_among(
        candidates: &[&Grant],
        query: &GrantQuery<'_>,
        retiring: Option<&GrantId>,
    ) -> GrantFinding {
        finding_in(candidates.iter().copied(), query, retiring)
    }

    /// The earliest instant after `now` at which a grant becomes effective: when an access
    /// matrix computed at `now` goes stale.
    pub fn next_change_after(&self, now: Timestamp) -> Option<Timestamp> {
        self.grants
            .iter()
            .filter(|g| g.is_active() && g.effective_from > now)
            .map(|g| g.effective_from)
            .min()
    }

    /// Keeps only the grants whose key `exists` (grants go with their key when it is deleted).
    pub fn retain_keys(&mut self, exists: impl Fn(&str) -> bool) {
        self.grants.retain(|g| exists(&g.key_arn));
        let live: Vec<&GrantId> = self.grants.iter().map(|g| &g.id).collect();
        self.tokens.retain(|_, id| live.contains(&&*id));
    }
}

/// Who may retire `grant`: its retiring principal, its grantee when it lists `RetireGrant`, and
/// its issuing account. The flag says whether an identity policy must also allow it (callers
/// reached through an account).
/// [`GrantStore::matches`] among `grants`.
fn matches_in<'g>(
    grants: impl Iterator<Item = &'g Grant>,
    query: &GrantQuery<'_>,
) -> Vec<GrantMatch> {
    grants
        .filter(|g| g.key_arn == query.key_arn && g.allows_operation(query.action))
        .filter_map(|g| {
            let matched_as = grantee_matches(&g.grantee, query.caller)?;
            Some(GrantMatch {
                grant_id: g.id.clone(),
                grantee: g.grantee.clone(),
                matched_as,
                standing: standing(g, query),
            })
        })
        .collect()
}

/// [`GrantStore::finding`] among `grants`.
fn finding_in<'g>(
    grants: impl Iterator<Item = &'g Grant>,
    query: &GrantQuery<'_>,
    retiring: Option<&GrantId>,
) -> GrantFinding {
    if !query.action.is_grant_operation() {
        return GrantFinding::NotApplicable;
    }
    if query.action == Action::RetireGrant {
        return retire_finding_in(grants, query, retiring);
    }
    let rank = |m: &GrantMatch| match (&m.standing, m.matched_as) {
        (GrantStanding::Allows { via_token: false }, GranteeMatch::Caller | GranteeMatch::Role) => {
            0
        }
        (GrantStanding::Allows { .. }, GranteeMatch::Caller | GranteeMatch::Role) => 1,
        (GrantStanding::Allows { .. }, GranteeMatch::Account) => 2,
        (GrantStanding::PendingTokenOnly { .. }, _) => 3,
        (GrantStanding::ConstraintNotMet | GrantStanding::DoesNotCover(_), _) => 4,
        (GrantStanding::Ended(_), _) => 5,
    };
    let mut matches = matches_in(grants, query);
    crate::sort::sort_by_key(&mut matches, rank);
    let Some(best) = matches.into_iter().next() else {
        return GrantFinding::NoGrant;
    };
    let grant_id = best.grant_id.to_string();
    match best.standing {
        GrantStanding::Allows { via_token } => GrantFinding::Allowed {
            grant_id,
            via_token,
            basis: GrantBasis::Grantee(best.matched_as),
            needs_identity: best.matched_as == GranteeMatch::Account,
        },
        GrantStanding::PendingTokenOnly { effective_from } => GrantFinding::PendingTokenOnly {
            grant_id,
            effective_from,
        },
        GrantStanding::ConstraintNotMet => GrantFinding::ConstraintNotMet { grant_id },
        GrantStanding::DoesNotCover(uncovered) => GrantFinding::DoesNotCover {
            grant_id,
            uncovered,
        },
        GrantStanding::Ended(end) => GrantFinding::Ended { grant_id, end },
    }
}

fn retire_finding_in<'g>(
    grants: impl Iterator<Item = &'g Grant>,
    query: &GrantQuery<'_>,
    retiring: Option<&GrantId>,
) -> GrantFinding {
    let candidates = grants.filter(|g| {
        g.key_arn == query.key_arn && g.is_active() && retiring.is_none_or(|id| &g.id == id)
    });
    let mut best: Option<(u8, GrantFinding)> = None;
    for grant in candidates {
        let Some((basis, needs_identity)) = retire_basis(grant, query.caller) else {
            continue;
        };
        let rank = u8::from(needs_identity);
        if best.as_ref().is_some_and(|(r, _)| *r <= rank) {
            continue;
        }
        best = Some((
            rank,
            GrantFinding::Allowed {
                grant_id: grant.id.to_string(),
                via_token: false,
                basis,
                needs_identity,
            },
        ));
    }
    best.map_or(GrantFinding::NoGrant, |(_, finding)| finding)
}

/// Whether `arn` is `arn:aws:iam::ACCOUNT:root` for `account` (without building that ARN: this
/// runs for every grant the authorizer looks at).
fn is_root_arn_of(arn: &str, account: &str) -> bool {
    arn.strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.strip_suffix(":root"))
        == Some(account)
}

fn retire_basis(grant: &Grant, caller: &RequestPrincipal) -> Option<(GrantBasis, bool)> {
    if let Some(m) = grant
        .retiring
        .as_ref()
        .and_then(|r| grantee_matches(r, caller))
    {
        return Some((GrantBasis::RetiringPrincipal(m), m == GranteeMatch::Account));
    }
    if grant.allows_operation(Action::RetireGrant)
        && let Some(m) = grantee_matches(&grant.grantee, caller)
    {
        return Some((GrantBasis::Grantee(m), m == GranteeMatch::Account));
    }
    (caller.account == grant.issuing_account).then_some((GrantBasis::IssuingAccount, true))
}

fn standing(grant: &Grant, query: &GrantQuery<'_>) -> GrantStanding {
    if let Some(end) = &grant.ended {
        return GrantStanding::Ended(end.clone());
    }
    // A grant that cannot cover the grant being created would not allow it with a token either:
    // say so before whether it is consistent yet.
    if query.action == Action::CreateGrant
        && let Some(uncovered) = query.child.and_then(|child| child.beyond(grant))
    {
        return GrantStanding::DoesNotCover(uncovered);
    }
    let effective = query.now >= grant.effective_from;
    let via_token = !effective && query.tokens.contains(&grant.id);
    if !effective && !via_token {
        return GrantStanding::PendingTokenOnly {
            effective_from: grant.effective_from,
        };
    }
    if Grant::constraints_apply_to(query.action)
        && let Some(constraints) = &grant.constraints
        && !constraints.allows(query.context)
    {
        return GrantStanding::ConstraintNotMet;
    }
    GrantStanding::Allows { via_token }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededRandomness;
    use crate::request::PrincipalType;

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const BOB: &str = "arn:aws:iam::111122223333:user/Bob";
    const ALICE: &str = "arn:aws:iam::111122223333:user/Alice";

    fn principal(arn: &str) -> PrincipalArn {
        PrincipalArn::parse(arn).unwrap()
    }

    fn user(arn: &str) -> RequestPrincipal {
        RequestPrincipal {
            id: principal(arn).into(),
            account: "111122223333".to_owned(),
            kind: PrincipalType::User,
            role_arn: None,
        }
    }

    fn pairs(p: &[(&str, &str)]) -> BTreeMap<String, String> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn ctx(p: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs(p)
    }

    fn equals(p: &[(&str, &str)]) -> GrantConstraints {
        GrantConstraints {
            encryption_context_equals: Some(pairs(p)),
            encryption_context_subset: None,
        }
    }

    fn subset(p: &[(&str, &str)]) -> GrantConstraints {
        GrantConstraints {
            encryption_context_equals: None,
            encryption_context_subset: Some(pairs(p)),
        }
    }

    fn new_grant(ops: &[Action], name: Option<&str>) -> NewGrant {
        NewGrant {
            key_arn: KEY.to_owned(),
            grantee: GrantPrincipal::new(BOB),
            retiring: None,
            operations: ops.to_vec(),
            constraints: None,
            name: name.map(str::to_owned),
            issuing_account: "111122223333".to_owned(),
            created_by: principal(ALICE),
        }
    }

    #[test]
    fn grant_operation_names_round_trip_and_reject_non_grant_actions() {
        // KMS API Reference, CreateGrant: Operations is a list of GrantOperation values.
        assert_eq!(parse_operation("Encrypt"), Some(Action::Encrypt));
        assert_eq!(
            parse_operation("ReEncryptFrom"),
            Some(Action::ReEncryptFrom)
        );
        assert_eq!(parse_operation("encrypt"), None);
        assert_eq!(parse_operation("PutKeyPolicy"), None);
        assert_eq!(parse_operation("ScheduleKeyDeletion"), None);
        for op in crate::catalog::grant_operations_of_any_key() {
            assert_eq!(
                parse_operation(op.grant_operation_name().unwrap()),
                Some(op)
            );
        }
    }

    /// KMS Developer Guide, grants.html: an EncryptionContextSubset constraint is satisfied by any
    /// context that includes its pairs; EncryptionContextEquals only by exactly its pairs.
    #[test]
    fn constraints_follow_the_developer_guide_examples() {
        let c = subset(&[("Department", "Finance"), ("Classification", "Public")]);
        assert!(c.allows(&ctx(&[
            ("Department", "Finance"),
            ("Classification", "Public")
        ])));
        assert!(c.allows(&ctx(&[
            ("Customer", "12345"),
            ("Department", "Finance"),
            ("Classification", "Public"),
            ("Purpose", "Test"),
        ])));
        assert!(!c.allows(&ctx(&[("Department", "Finance")])));
        assert!(!c.allows(&ctx(&[("Classification", "Public"), ("Customer", "12345")])));
        // Values are case-sensitive.
        assert!(!c.allows(&ctx(&[
            ("Department", "finance"),
            ("Classification", "public")
        ])));

        let e = equals(&[("Department", "IT")]);
        assert!(e.allows(&ctx(&[("Department", "IT")])));
        assert!(!e.allows(&ctx(&[("Department", "IT"), ("Purpose", "Test")])));
        assert!(!e.allows(&ctx(&[])));
    }

    /// KMS API Reference, GrantConstraints: "the key of each pair is not case sensitive, the
    /// value is".
    #[test]
    fn constraint_keys_are_case_insensitive_and_values_are_not() {
        assert!(equals(&[("Department", "IT")]).allows(&ctx(&[("department", "IT")])));
        assert!(subset(&[("DEPARTMENT", "IT")]).allows(&ctx(&[("Department", "IT"), ("x", "y")])));
        assert!(!equals(&[("Department", "IT")]).allows(&ctx(&[("Department", "it")])));
    }

    /// KMS Developer Guide, create-grant-overview.html: a child grant may add pairs to a subset
    /// constraint or turn it into an equals constraint, not the reverse, and may not drop pairs.
    #[test]
    fn child_constraints_must_be_at_least_as_strict() {
        let parent = subset(&[("Department", "IT")]);
        assert!(subset(&[("Department", "IT"), ("Project", "x")]).at_least_as_strict_as(&parent));
        assert!(equals(&[("Department", "IT")]).at_least_as_strict_as(&parent));
        assert!(equals(&[("Department", "IT"), ("a", "b")]).at_least_as_strict_as(&parent));
        assert!(!subset(&[]).at_least_as_strict_as(&parent));
        assert!(!GrantConstraints::default().at_least_as_strict_as(&parent));
        assert!(!equals(&[("Department", "HR")]).at_least_as_strict_as(&parent));

        let parent = equals(&[("Department", "IT")]);
        assert!(equals(&[("department", "IT")]).at_least_as_strict_as(&parent));
        assert!(!subset(&[("Department", "IT")]).at_least_as_strict_as(&parent));
        assert!(!equals(&[("Department", "IT"), ("a", "b")]).at_least_as_strict_as(&parent));

        assert!(subset(&[("a", "b")]).at_least_as_strict_as(&GrantConstraints::default()));
        assert!(GrantConstraints::default().at_least_as_strict_as(&GrantConstraints::default()));
    }

    #[test]
    fn constraint_limits_are_validated() {
        let nine: Vec<(String, String)> =
            (0..9).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        let too_many = GrantConstraints {
            encryption_context_subset: Some(nine.into_iter().collect()),
            encryption_context_equals: None,
        };
        assert!(too_many.validate().is_err());
        let long_value = "x".repeat(385);
        assert!(equals(&[("k", long_value.as_str())]).validate().is_err());
        assert!(
            equals(&[("k", "x".repeat(384).as_str())])
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn a_new_grant_is_pending_until_the_window_ends_unless_its_token_is_passed() {
        let mut rng = SeededRandomness::new(1);
        let mut store = GrantStore::new();
        let t0 = Timestamp(1_000_000);
        let created = store
            .create(new_grant(&[Action::Encrypt], None), t0, &mut rng)
            .unwrap();
        let bob = user(BOB);
        let empty = BTreeMap::new();
        let query = |now: Timestamp, tokens: &[GrantId]| {
            store.matches(&GrantQuery {
                key_arn: KEY,
                caller: &bob,
                action: Action::Encrypt,
                context: &empty,
                tokens,
                now,
                child: None,
            })
        };
        let pending = query(t0.plus_millis(1000), &[]);
        assert_eq!(
            pending[0].standing,
            GrantStanding::PendingTokenOnly {
                effective_from: t0.plus_millis(DEFAULT_PROPAGATION_WINDOW_MILLIS)
            }
        );
        let with_token = query(t0.plus_millis(1000), std::slice::from_ref(&created.id));
        assert_eq!(
            with_token[0].standing,
            GrantStanding::Allows { via_token: true }
        );
        let later = query(t0.plus_millis(DEFAULT_PROPAGATION_WINDOW_MILLIS), &[]);
        assert_eq!(
            later[0].standing,
            GrantStanding::Allows { via_token: false }
        );
    }

    #[test]
    fn a_zero_window_makes_grants_effective_at_once() {
        let mut rng = SeededRandomness::new(2);
        let mut store = GrantStore::new();
        store.set_propagation_window(0);
        let created = store
            .create(new_grant(&[Action::Decrypt], None), Timestamp(5), &mut rng)
            .unwrap();
        assert_eq!(store.get(&created.id).unwrap().effective_from, Timestamp(5));
        store.set_propagation_window(-7);
        assert_eq!(store.propagation_window_millis(), 0);
    }

    #[test]
    fn only_the_listed_operations_on_that_key_for_that_grantee_match() {
        let mut rng = SeededRandomness::new(3);
        let mut store = GrantStore::new();
        store.set_propagation_window(0);
        store
            .create(new_grant(&[Action::Encrypt], None), Timestamp(0), &mut rng)
            .unwrap();
        let empty = BTreeMap::new();
        let q = |caller: &RequestPrincipal, key: &str, action: Action| {
            store
                .matches(&GrantQuery {
                    key_arn: key,
                    caller,
                    action,
                    context: &empty,
                    tokens: &[],
                    now: Timestamp(1),
                    child: None,
                })
                .len()
        };
        assert_eq!(q(&user(BOB), KEY, Action::Encrypt), 1);
        assert_eq!(q(&user(BOB), KEY, Action::Decrypt), 0);
        assert_eq!(q(&user(ALICE), KEY, Action::Encrypt), 0);
        assert_eq!(
            q(
                &user(BOB),
                "arn:aws:kms:us-east-1:111122223333:key/other",
                Action::Encrypt
            ),
            0
        );
    }

    #[test]
    fn a_grant_giving_create_grant_covers_only_children_within_it() {
        // KMS Developer Guide, create-grant-overview.html ("Granting CreateGrant permission"):
        // a grant created with CreateGrant from a grant holds a subset of its operations, with
        // constraints at least as strict. A grant that cannot cover the child is not "pending"
        // (its token would not help); a pending one that covers is the finding to show, since
        // its token would make it allow.
        let mut rng = SeededRandomness::new(5);
        let mut store = GrantStore::new();
        let mut narrow = new_grant(&[Action::Encrypt, Action::CreateGrant], None);
        narrow.constraints = Some(subset(&[("Department", "IT")]));
        let narrow = store.create(narrow, Timestamp(0), &mut rng).unwrap().id;
        let bob = user(BOB);
        let none = BTreeMap::new();
        let later = Timestamp(DEFAULT_PROPAGATION_WINDOW_MILLIS);
        let it = equals(&[("Department", "IT")]);
        let finding = |store: &GrantStore, operations: &[Action], constraints, now| {
            store.finding(
                &GrantQuery {
                    key_arn: KEY,
                    caller: &bob,
                    action: Action::CreateGrant,
                    context: &none,
                    tokens: &[],
                    now,
                    child: Some(ChildGrant {
                        operations,
                        constraints,
                    }),
                },
                None,
            )
        };
        assert!(matches!(
            finding(&store, &[Action::Encrypt], Some(&it), later),
            GrantFinding::Allowed { .. }
        ));
        let GrantFinding::DoesNotCover { uncovered, .. } = finding(
            &store,
            &[Action::Encrypt, Action::Decrypt, Action::Sign],
            Some(&it),
            Timestamp(0),
        ) else {
            panic!("a child with more operations is not covered")
        };
        assert_eq!(
            uncovered,
            Uncovered {
                operations: vec![Action::Decrypt, Action::Sign],
                looser_constraints: false
            }
        );
        assert_eq!(
            uncovered.describe(),
            "the new grant asks for Decrypt and Sign, which that grant does not give"
        );
        let GrantFinding::DoesNotCover { uncovered, .. } =
            finding(&store, &[Action::Encrypt], None, later)
        else {
            panic!("a child without constraints is not covered")
        };
        assert!(uncovered.looser_constraints && uncovered.operations.is_empty());
        // A second grant, pending, that covers Decrypt: it is the finding until it is consistent.
        let wide = new_grant(&[Action::Decrypt, Action::CreateGrant], None);
        let wide = store.create(wide, Timestamp(1), &mut rng).unwrap().id;
        assert!(matches!(
            finding(&store, &[Action::Decrypt], None, Timestamp(2)),
            GrantFinding::PendingTokenOnly { grant_id, .. } if grant_id == wide.to_string()
        ));
        assert!(matches!(
            finding(&store, &[Action::Decrypt], None, later.plus_millis(1)),
            GrantFinding::Allowed { grant_id, .. } if grant_id == wide.to_string()
        ));
        // Without the child (the matrix's question), the narrow grant allows CreateGrant.
        let plain = store.finding(
            &GrantQuery {
                key_arn: KEY,
                caller: &bob,
                action: Action::CreateGrant,
                context: &none,
                tokens: &[],
                now: later,
                child: None,
            },
            None,
        );
        assert!(
            matches!(plain, GrantFinding::Allowed { grant_id, .. } if grant_id == narrow.to_string())
        );
    }

    #[test]
    fn constraints_are_ignored_for_describe_key_and_retire_grant() {
        // KMS API Reference, GrantConstraints: grants with constraints can include DescribeKey
        // and RetireGrant, but the constraint doesn't apply to them.
        let mut rng = SeededRandomness::new(4);
        let mut store = GrantStore::new();
        store.set_propagation_window(0);
        let mut spec = new_grant(
            &[Action::Decrypt, Action::DescribeKey, Action::RetireGrant],
            None,
        );
        spec.constraints = Some(equals(&[("app", "payroll")]));
        store.create(spec, Timestamp(0), &mut rng).unwrap();
        let bob = user(BOB);
        let none = BTreeMap::new();
        let standing = |action: Action, context: &BTreeMap<String, String>| {
            store.matches(&GrantQuery {
                key_arn: KEY,
                caller: &bob,
                action,
                context,
                tokens: &[],
                now: Timestamp(0),
                child: None,
            })[0]
                .standing
                .clone()
        };
        assert_eq!(
            standing(Action::Decrypt, &none),
            GrantStanding::ConstraintNotMet
        );
        assert!(standing(Action::Decrypt, &ctx(&[("app", "payroll")])).allows());
        assert!(standing(Action::DescribeKey, &none).allows());
        assert!(standing(Action::RetireGrant, &none).allows());
    }

    #[test]
    fn grant_principals_keep_their_text_and_know_the_iam_principals_among_them() {
        // API Reference, CreateGrant, GranteePrincipal: AWS accounts, IAM users, IAM roles,
        // federated users and assumed role users; KMS returns the text as given (ListGrants).
        for text in [
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:role/service-role/exec",
            "arn:aws:sts::111122223333:assumed-role/Ops/s1",
        ] {
            let principal = GrantPrincipal::new(text);
            assert_eq!(principal.arn().map(PrincipalArn::as_str), Some(text));
            assert_eq!(principal.to_string(), text);
        }
        for text in [
            "111122223333",
            "arn:aws:sts::111122223333:federated-user/Bob",
            "arn:aws-cn:iam::111122223333:user/Bob",
            "kms.amazonaws.com",
        ] {
            let principal = GrantPrincipal::new(text);
            assert_eq!(principal, GrantPrincipal::Other(text.to_owned()));
            assert_eq!(principal.as_str(), text);
            assert_eq!(
                serde_json::to_string(&principal).unwrap(),
                format!("\"{text}\"")
            );
        }
        // A group is no principal: CreateGrant refuses it with KMS's own words.
        let group = NewGrant {
            grantee: GrantPrincipal::new("arn:aws:iam::111122223333:group/Admins"),
            ..new_grant(&[Action::Encrypt], None)
        };
        assert_eq!(
            group.check_principals().unwrap_err().message(),
            "ARN does not refer to a valid principal: arn:aws:iam::111122223333:group/Admins"
        );
    }

    #[test]
    fn grants_to_a_role_reach_its_sessions_and_grants_to_an_account_are_marked() {
        let session = RequestPrincipal {
            id: principal("arn:aws:sts::111122223333:assumed-role/Ops/s1").into(),
            account: "111122223333".to_owned(),
            kind: PrincipalType::AssumedRole,
            role_arn: Some(principal("arn:aws:iam::111122223333:role/Ops")),
        };
        assert_eq!(
            grantee_matches(
                &GrantPrincipal::new("arn:aws:iam::111122223333:role/Ops"),
                &session
            ),
            Some(GranteeMatch::Role)
        );
        assert_eq!(
            grantee_matches(
                &GrantPrincipal::new("arn:aws:iam::111122223333:root"),
                &session
            ),
            Some(GranteeMatch::Account)
        );
        assert_eq!(
            grantee_matches(
                &GrantPrincipal::new("arn:aws:iam::444455556666:root"),
                &session
            ),
            None
        );
        assert_eq!(
            grantee_matches(&GrantPrincipal::new(BOB), &user(BOB)),
            Some(GranteeMatch::Caller)
        );
    }

    #[test]
    fn ended_grants_stop_at_once_and_say_how_they_ended() {
        let mut rng = SeededRandomness::new(5);
        let mut store = GrantStore::new();
        store.set_propagation_window(0);
        let created = store
            .create(new_grant(&[Action::Encrypt], None), Timestamp(0), &mut rng)
            .unwrap();
        assert!(store.end(
            &created.id,
            EndKind::Revoked,
            &principal(ALICE),
            Timestamp(10)
        ));
        assert!(!store.end(
            &created.id,
            EndKind::Retired,
            &principal(ALICE),
            Timestamp(11)
        ));
        let bob = user(BOB);
        let empty = BTreeMap::new();
        let found = store.matches(&GrantQuery {
            key_arn: KEY,
            caller: &bob,
            action: Action::Encrypt,
            context: &empty,
            tokens: std::slice::from_ref(&created.id),
            now: Timestamp(10),
            child: None,
        });
        assert_eq!(
            found[0].standing,
            GrantStanding::Ended(GrantEnd {
                kind: EndKind::Revoked,
                at: Timestamp(10),
                by: principal(ALICE)
            })
        );
        assert_eq!(store.on_key(KEY).count(), 0);
        // Its token is still recognised (so using it is a denial, not an invalid token).
        assert!(store.grant_for_token(created.token.as_str()).is_ok());
    }

    #[test]
    fn tokens_are_opaque_base64_interchangeable_and_checked() {
        let mut rng = SeededRandomness::new(6);
        let mut store = GrantStore::new();
        let first = store
            .create(
                new_grant(&[Action::Encrypt], Some("retry-me")),
                Timestamp(0),
                &mut rng,
            )
            .unwrap();
        let again = store
            .create(
                new_grant(&[Action::Encrypt], Some("retry-me")),
                Timestamp(1),
                &mut rng,
            )
            .unwrap();
        // KMS Developer Guide, create-grant-overview.html: same properties and name ⇒ the
        // existing grant; a new token, interchangeable with the first.
        assert_eq!(first.id, again.id);
        assert!(!again.new);
        assert_ne!(first.token, again.token);
        assert_eq!(
            store.grant_for_token(first.token.as_str()).unwrap().id,
            first.id
        );
        assert_eq!(
            store.grant_for_token(again.token.as_str()).unwrap().id,
            first.id
        );
        assert_eq!(store.all().count(), 1);
        assert!(BASE64.decode(first.token.as_str()).is_ok());

        assert_eq!(
            store.grant_for_token("not a token"),
            Err(TokenProblem::Malformed)
        );
        assert_eq!(store.grant_for_token(""), Err(TokenProblem::Malformed));
        let forged = GrantToken::generate(&mut rng).unwrap();
        assert_eq!(
            store.grant_for_token(forged.as_str()),
            Err(TokenProblem::Unknown)
        );
        assert_eq!(
            store.resolve_tokens(&[first.token.0.clone(), "AAAA".to_owned()]),
            Err(TokenProblem::Malformed)
        );
    }

    #[test]
    fn without_a_name_or_with_other_properties_a_new_grant_is_created() {
        let mut rng = SeededRandomness::new(7);
        let mut store = GrantStore::new();
        let a = store
            .create(new_grant(&[Action::Encrypt], None), Timestamp(0), &mut rng)
            .unwrap();
        let b = store
            .create(new_grant(&[Action::Encrypt], None), Timestamp(0), &mut rng)
            .unwrap();
        assert_ne!(a.id, b.id);
        let c = store
            .create(
                new_grant(&[Action::Encrypt], Some("n")),
                Timestamp(0),
                &mut rng,
            )
            .unwrap();
        let d = store
            .create(
                new_grant(&[Action::Decrypt], Some("n")),
                Timestamp(0),
                &mut rng,
            )
            .unwrap();
        assert_ne!(c.id, d.id);
        let e = store
            .create(
                new_grant(&[Action::Decrypt], Some("n")),
                Timestamp(0),
                &mut rng,
            )
            .unwrap();
        assert_eq!(d.id, e.id);
        assert_eq!(a.id.as_str().len(), 64);
        assert!(a.id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn listing_filters_by_id_and_grantee_and_rejects_unknown_ids() {
        let mut rng = SeededRandomness::new(8);
        let mut store = GrantStore::new();
        let mut ids = Vec::new();
        for i in 0..5 {
            let mut spec = new_grant(&[Action::Encrypt], None);
            if i % 2 == 1 {
                spec.grantee = GrantPrincipal::new(ALICE);
                spec.retiring = Some(GrantPrincipal::new(BOB));
            }
            ids.push(store.create(spec, Timestamp(i), &mut rng).unwrap().id);
        }
        store.end(&ids[4], EndKind::Retired, &principal(BOB), Timestamp(9));

        let all = store.list(KEY, None, None).unwrap();
        assert_eq!(
            all.iter().map(|g| &g.grant_id).collect::<Vec<_>>(),
            ids[..4].iter().collect::<Vec<_>>()
        );
        assert_eq!(store.list(KEY, None, Some(ALICE)).unwrap().len(), 2);
        assert_eq!(store.list(KEY, Some(&ids[2]), None).unwrap().len(), 1);
        // KMS API Reference, ListGrants: an unknown GrantId is InvalidGrantIdException.
        assert_eq!(
            store.list(KEY, Some(&ids[4]), None),
            Err(UnknownGrantId(ids[4].to_string()))
        );
        assert_eq!(store.list_retirable(BOB).len(), 2);
    }

    #[test]
    fn list_entries_use_the_api_field_names_and_never_show_tokens() {
        let mut rng = SeededRandomness::new(9);
        let mut store = GrantStore::new();
        let mut spec = new_grant(&[Action::Encrypt, Action::Decrypt], None);
        spec.constraints = Some(subset(&[("Department", "IT")]));
        let created = store
            .create(spec, Timestamp(1_568_565_290_000), &mut rng)
            .unwrap();
        let entry = store.get(&created.id).unwrap().list_entry();
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["KeyId"], KEY);
        // KMS API Reference, GrantListEntry: without a name in CreateGrant, `Name` is null.
        assert!(json.get("Name").is_none());
        assert_eq!(json["IssuingAccount"], "arn:aws:iam::111122223333:root");
        assert_eq!(
            json["Operations"],
            serde_json::json!(["Encrypt", "Decrypt"])
        );
        assert_eq!(json["CreationDate"], 1_568_565_290);
        assert_eq!(
            json["Constraints"],
            serde_json::json!({"EncryptionContextSubset": {"Department": "IT"}})
        );
        assert!(json.get("RetiringPrincipal").is_none());
        assert!(!json.to_string().contains(created.token.as_str()));
    }

    #[test]
    fn removing_a_key_forgets_its_grants_and_tokens() {
        let mut rng = SeededRandomness::new(10);
        let mut store = GrantStore::new();
        let created = store
            .create(new_grant(&[Action::Encrypt], None), Timestamp(0), &mut rng)
            .unwrap();
        store.retain_keys(|arn| arn != KEY);
        assert_eq!(store.all().count(), 0);
        assert_eq!(
            store.grant_for_token(created.token.as_str()),
            Err(TokenProblem::Unknown)
        );
    }
}
