//! Evaluating one policy against one request.
//!
//! Sources: IAM User Guide, reference_policies_evaluation-logic.html (a matching `Deny` wins;
//! without a matching `Allow` the request is implicitly denied), reference_policies_elements_*.html
//! (each element), reference_policies_elements_principal.html and
//! reference_policies_elements_notprincipal.html (who a principal element names); KMS Developer
//! Guide, key-policy-default.html (the account principal delegates to IAM policies);
//! shared/kms-semantics.md §1.3, §1.4, §9.
//!
//! A statement applies to a request when its principal, action and resource elements match and
//! every condition holds. Within one policy an applying `Deny` always wins. An applying `Allow`
//! either names the caller itself (its ARN, its role for a role session, `"*"`, or — in an
//! identity policy, which has no `Principal` — its owner) or only the caller's account
//! (`arn:aws:iam::ACCOUNT:root`). The second is a delegation: KMS then also needs an allow from
//! the caller's identity policies, which is for the authorizer to check. [`PolicyOutcome`] keeps
//! the two apart.
//!
//! [`evaluate`] is the fast path: it allocates nothing unless a value holds a policy variable (or a
//! condition uses `BinaryEquals`). [`explain`] returns a [`PolicyTrace`] with the result of every
//! element of every statement and why; its outcome is computed by the same functions, so it is
//! the same as `evaluate`'s.

use crate::policy::condition::{self, ConditionTrace};
use crate::policy::document::{
    ActionBlock, Effect, Policy, PolicyVersion, PrincipalBlock, PrincipalEntry, PrincipalKey,
    PrincipalSet, ResourceBlock, Statement,
};
use crate::policy::pattern;
use crate::policy::variables::{self, Resolved};
use crate::request::{PrincipalId, PrincipalType, Request, RequestPrincipal};
use serde::Serialize;

/// The final answer for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied by a matching `Deny` statement; nothing can override it.
    ExplicitDeny,
    /// Denied because nothing allowed it.
    ImplicitDeny,
}

impl Decision {
    /// `allow`, `explicit-deny` or `implicit-deny`, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit-deny",
            Decision::ImplicitDeny => "implicit-deny",
        }
    }
}

/// Names one statement of one policy, for people and for the trace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StatementRef {
    /// The policy's name, such as `default` for a key policy or an IAM policy's name.
    pub policy: String,
    /// The statement's position in the policy, from 0.
    pub index: usize,
    /// The statement's `Sid`, if it has one.
    pub sid: Option<String>,
}

impl StatementRef {
    /// Refers to `statement` of the policy called `policy`.
    pub fn new(policy: impl Into<String>, statement: &Statement) -> StatementRef {
        StatementRef {
            policy: policy.into(),
            index: statement.index,
            sid: statement.sid.clone(),
        }
    }

    /// `policy` and the statement's label, such as `default: "Enable IAM User Permissions"` or
    /// `AliceKms: Statement[0]`.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => format!("{}: \"{sid}\"", self.policy),
            _ => format!("{}: Statement[{}]", self.policy, self.index),
        }
    }
}

/// A [`Decision`] with the statements that decided it: the denying statements for an explicit
/// deny, the allowing ones for an allow, none for an implicit deny.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Determination {
    /// The decision.
    pub decision: Decision,
    /// The statements that decided it.
    pub deciding: Vec<StatementRef>,
}

impl Determination {
    /// Nothing allowed the request.
    pub fn implicit_deny() -> Determination {
        Determination {
            decision: Decision::ImplicitDeny,
            deciding: Vec::new(),
        }
    }

    /// Denied by `statements`.
    pub fn explicit_deny(statements: Vec<StatementRef>) -> Determination {
        Determination {
            decision: Decision::ExplicitDeny,
            deciding: statements,
        }
    }

    /// Allowed by `statements`.
    pub fn allow(statements: Vec<StatementRef>) -> Determination {
        Determination {
            decision: Decision::Allow,
            deciding: statements,
        }
    }
}

/// How a statement's principal element named the caller itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallerMatch {
    /// No principal element: an identity policy applies to the identity it is attached to.
    PolicyOwner,
    /// `"*"`: everyone.
    Everyone,
    /// The caller's own ARN (an IAM user, an assumed-role session, the account root user, a
    /// federated user) or its service name.
    Arn,
    /// The ARN of the role the caller is a session of (a role ARN names all its sessions).
    Role,
    /// A `NotPrincipal` element that does not exclude the caller.
    NotExcluded,
}

/// Whether a statement's principal element covers the caller, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "how", rename_all = "kebab-case")]
pub enum PrincipalMatch {
    /// The element names the caller itself.
    Caller(CallerMatch),
    /// The element names only the caller's account (`arn:aws:iam::ACCOUNT:root`). In an `Allow`
    /// this is a delegation to the account's IAM policies; in a `Deny` it covers every principal
    /// of the account.
    Account,
    /// The element does not cover the caller.
    NoMatch,
}

/// What one statement does to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "how", rename_all = "kebab-case")]
pub enum StatementResult {
    /// The statement does not apply.
    NotApplicable,
    /// A `Deny` that applies.
    Deny,
    /// An `Allow` that names the caller itself.
    Allow(CallerMatch),
    /// An `Allow` that names only the caller's account.
    AllowViaAccount,
}

/// What one policy says about a request. Statement numbers are positions in
/// [`Policy::statements`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PolicyOutcome {
    /// A `Deny` statement applies (the first one in document order).
    ExplicitDeny {
        /// The denying statement.
        statement: usize,
    },
    /// An `Allow` statement that names the caller itself applies, and no `Deny` does.
    Allow {
        /// The first such statement.
        statement: usize,
        /// How its principal element named the caller.
        principal: CallerMatch,
    },
    /// The only applying `Allow` statements name the caller's account: the policy delegates to
    /// the account's IAM policies but allows nothing by itself.
    AllowViaAccount {
        /// The first such statement.
        statement: usize,
    },
    /// No statement applies.
    NoMatch,
}

impl PolicyOutcome {
    /// The statement that decided the outcome, if any.
    pub fn statement(self) -> Option<usize> {
        match self {
            PolicyOutcome::ExplicitDeny { statement }
            | PolicyOutcome::Allow { statement, .. }
            | PolicyOutcome::AllowViaAccount { statement } => Some(statement),
            PolicyOutcome::NoMatch => None,
        }
    }

    /// Whether a `Deny` statement applies.
    pub fn is_explicit_deny(self) -> bool {
        matches!(self, PolicyOutcome::ExplicitDeny { .. })
    }

    /// Whether an `Allow` naming the caller itself applies (and no `Deny`).
    pub fn allows_caller(self) -> bool {
        matches!(self, PolicyOutcome::Allow { .. })
    }

    /// Whether the policy allows the caller, itself or through its account (and denies nothing).
    pub fn allows_caller_or_account(self) -> bool {
        matches!(
            self,
            PolicyOutcome::Allow { .. } | PolicyOutcome::AllowViaAccount { .. }
        )
    }
}

/// What the authorizer knows about the caller beyond its ARN that changes how a resource-based
/// policy reads. The policy language does not look these up; whoever evaluates a key policy
/// passes them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CallerFacts {
    /// The caller (an IAM user or role, or a session of a role) has a permissions boundary. A
    /// `Deny` statement with `NotPrincipal` then covers it whatever the list says (IAM User
    /// Guide, reference_policies_elements_notprincipal.html and access_policies_boundaries.html).
    pub permissions_boundary: bool,
}

/// Evaluates `policy` against `request`: the fast path, without a trace.
pub fn evaluate(policy: &Policy, request: &Request<'_>) -> PolicyOutcome {
    evaluate_for(policy, request, CallerFacts::default())
}

/// [`evaluate`] for a caller with `facts` (a key policy, read by the authorizer).
pub fn evaluate_for(policy: &Policy, request: &Request<'_>, facts: CallerFacts) -> PolicyOutcome {
    combine(
        policy
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| (i, statement_result_for(s, policy.version, request, facts))),
    )
}

/// What `statement` does to `request`, evaluating elements cheapest first and stopping at the
/// first that does not match.
pub fn statement_result(
    statement: &Statement,
    version: PolicyVersion,
    request: &Request<'_>,
) -> StatementResult {
    statement_result_for(statement, version, request, CallerFacts::default())
}

/// [`statement_result`] for a caller with `facts`.
pub fn statement_result_for(
    statement: &Statement,
    version: PolicyVersion,
    request: &Request<'_>,
    facts: CallerFacts,
) -> StatementResult {
    let applies = action_match(statement.action.as_ref(), request.action).applies
        && resource_match(statement.resource.as_ref(), version, request).applies;
    if !applies {
        return StatementResult::NotApplicable;
    }
    let principal = statement_principal(statement, request.principal, facts).matched;
    if principal == PrincipalMatch::NoMatch {
        return StatementResult::NotApplicable;
    }
    let conditions_hold = statement
        .conditions
        .iter()
        .all(|c| condition::condition_holds(c, version, request));
    result_of(statement.effect, true, true, principal, conditions_hold)
}

/// The statement's result from its elements' results (public for callers that judge the
/// elements themselves, such as the access matrix).
pub fn result_of(
    effect: Effect,
    action: bool,
    resource: bool,
    principal: PrincipalMatch,
    conditions: bool,
) -> StatementResult {
    if !(action && resource && conditions) {
        return StatementResult::NotApplicable;
    }
    match (effect, principal) {
        (_, PrincipalMatch::NoMatch) => StatementResult::NotApplicable,
        (Effect::Deny, _) => StatementResult::Deny,
        (Effect::Allow, PrincipalMatch::Caller(how)) => StatementResult::Allow(how),
        (Effect::Allow, PrincipalMatch::Account) => StatementResult::AllowViaAccount,
    }
}

/// Combines statement results in document order: the first `Deny` wins at once; otherwise the
/// first `Allow` naming the caller, else the first naming its account.
pub fn combine(results: impl Iterator<Item = (usize, StatementResult)>) -> PolicyOutcome {
    let mut allow: Option<(usize, CallerMatch)> = None;
    let mut via_account: Option<usize> = None;
    for (i, result) in results {
        match result {
            StatementResult::Deny => return PolicyOutcome::ExplicitDeny { statement: i },
            StatementResult::Allow(how) => {
                allow.get_or_insert((i, how));
            }
            StatementResult::AllowViaAccount => {
                via_account.get_or_insert(i);
            }
            StatementResult::NotApplicable => {}
        }
    }
    match (allow, via_account) {
        (Some((statement, principal)), _) => PolicyOutcome::Allow {
            statement,
            principal,
        },
        (None, Some(statement)) => PolicyOutcome::AllowViaAccount { statement },
        (None, None) => PolicyOutcome::NoMatch,
    }
}

/// Whether `statement`'s `Action` / `NotAction` element lets it apply to `action` (a statement
/// without one applies to nothing): one of the checks of [`statement_result`], for callers that
/// evaluate one policy for many requests and sort statements by action once.
pub fn action_applies(statement: &Statement, action: &str) -> bool {
    action_match(statement.action.as_ref(), action).applies
}

/// Whether `statement`'s `Resource` / `NotResource` element lets it apply to `request.resource`:
/// one of the checks of [`statement_result`].
pub fn resource_applies(
    statement: &Statement,
    version: PolicyVersion,
    request: &Request<'_>,
) -> bool {
    resource_match(statement.resource.as_ref(), version, request).applies
}

/// How `statement`'s principal element covers `caller`: one of the checks of
/// [`statement_result`].
pub fn principal_applies(statement: &Statement, caller: &RequestPrincipal) -> PrincipalMatch {
    principal_applies_for(statement, caller, CallerFacts::default())
}

/// [`principal_applies`] for a caller with `facts`.
pub fn principal_applies_for(
    statement: &Statement,
    caller: &RequestPrincipal,
    facts: CallerFacts,
) -> PrincipalMatch {
    statement_principal(statement, caller, facts).matched
}

/// The result of matching an `Action` or `Resource` element (or their `Not` forms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockMatch {
    /// Whether the element lets the statement apply.
    applies: bool,
    /// The pattern that matched the request: for `Action` the one that lets the statement apply,
    /// for `NotAction` the one that excludes the request.
    pattern: Option<usize>,
}

impl BlockMatch {
    const MISSING: BlockMatch = BlockMatch {
        applies: false,
        pattern: None,
    };

    fn new(negated: bool, pattern: Option<usize>) -> BlockMatch {
        BlockMatch {
            applies: pattern.is_some() != negated,
            pattern,
        }
    }
}

/// `Action` / `NotAction` (IAM User Guide, reference_policies_elements_action.html,
/// reference_policies_elements_notaction.html). A statement without either applies to nothing.
fn action_match(block: Option<&ActionBlock>, action: &str) -> BlockMatch {
    let Some(block) = block else {
        return BlockMatch::MISSING;
    };
    let pattern = block
        .patterns
        .iter()
        .position(|p| pattern::action_matches(&p.text, action));
    BlockMatch::new(block.negated, pattern)
}

/// `Resource` / `NotResource` (IAM User Guide, reference_policies_elements_resource.html,
/// reference_policies_elements_notresource.html), with policy variables resolved.
fn resource_match(
    block: Option<&ResourceBlock>,
    version: PolicyVersion,
    request: &Request<'_>,
) -> BlockMatch {
    let Some(block) = block else {
        return BlockMatch::MISSING;
    };
    let pattern = block.patterns.iter().position(|p| {
        variables::resolve(&p.text, version, request).resource_matches(request.resource)
    });
    BlockMatch::new(block.negated, pattern)
}

/// The result of matching a principal element, with the entry that decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PrincipalOutcome {
    matched: PrincipalMatch,
    /// For `Principal`, the entry that matched; for `NotPrincipal`, the entry naming the caller
    /// (whether or not that was enough to exclude it).
    entry: Option<usize>,
    /// For `NotPrincipal`: what the list lacks to exclude the caller it names.
    missing: Option<MissingLink>,
    /// A `Deny` with `NotPrincipal` that covers the caller only because it has a permissions
    /// boundary: the list would exclude it otherwise.
    boundary: bool,
}

/// How `statement`'s principal element covers `caller`, the statement's effect included: "The
/// `NotPrincipal` element with a `Deny` effect will always deny any IAM principal that has a
/// permissions boundary policy attached, regardless of the values specified in the
/// `NotPrincipal` element" (IAM User Guide, reference_policies_elements_notprincipal.html and
/// access_policies_boundaries.html).
fn statement_principal(
    statement: &Statement,
    caller: &RequestPrincipal,
    facts: CallerFacts,
) -> PrincipalOutcome {
    let block = statement.principal.as_ref();
    let outcome = principal_match(block, caller);
    let bounded_deny = facts.permissions_boundary
        && statement.effect == Effect::Deny
        && block.is_some_and(|b| b.negated);
    if bounded_deny && outcome.matched == PrincipalMatch::NoMatch {
        PrincipalOutcome {
            matched: PrincipalMatch::Caller(CallerMatch::NotExcluded),
            boundary: true,
            ..outcome
        }
    } else {
        outcome
    }
}

/// What a `NotPrincipal` list lacks to exclude a caller it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MissingLink {
    /// The caller's account root.
    Account,
    /// The role of a role session.
    Role,
}

/// `Principal` / `NotPrincipal` (IAM User Guide, reference_policies_elements_principal.html,
/// reference_policies_elements_notprincipal.html).
fn principal_match(block: Option<&PrincipalBlock>, caller: &RequestPrincipal) -> PrincipalOutcome {
    let Some(block) = block else {
        return PrincipalOutcome {
            matched: PrincipalMatch::Caller(CallerMatch::PolicyOwner),
            entry: None,
            missing: None,
            boundary: false,
        };
    };
    let entries: &[PrincipalEntry] = match &block.principals {
        PrincipalSet::Everyone => &[],
        PrincipalSet::Specific(entries) => entries,
    };
    let everyone = matches!(block.principals, PrincipalSet::Everyone);
    if block.negated {
        return not_principal_match(everyone, entries, caller);
    }
    if everyone {
        return PrincipalOutcome {
            matched: PrincipalMatch::Caller(CallerMatch::Everyone),
            entry: None,
            missing: None,
            boundary: false,
        };
    }
    // An entry naming the caller itself beats one naming its account.
    let mut account: Option<usize> = None;
    for (i, entry) in entries.iter().enumerate() {
        match entry_match(entry, caller) {
            PrincipalMatch::Caller(how) => {
                return PrincipalOutcome {
                    matched: PrincipalMatch::Caller(how),
                    entry: Some(i),
                    missing: None,
                    boundary: false,
                };
            }
            PrincipalMatch::Account => {
                account.get_or_insert(i);
            }
            PrincipalMatch::NoMatch => {}
        }
    }
    PrincipalOutcome {
        matched: if account.is_some() {
            PrincipalMatch::Account
        } else {
            PrincipalMatch::NoMatch
        },
        entry: account,
        missing: None,
        boundary: false,
    }
}

/// `NotPrincipal`: the statement covers every caller the list does not exclude.
///
/// IAM User Guide, reference_policies_elements_notprincipal.html: AWS may check the account first,
/// then the role, then the session, so listing a user or role without its account "might deny
/// access to the entire account". The playground takes the strict reading: a caller is excluded
/// only when the list names it (an IAM user or federated user by its ARN, a role session by its
/// role's ARN, the root user or a service by itself) *and* names its account
/// (`arn:aws:iam::ACCOUNT:root`). A `Deny` is thus never narrowed by a half-written list.
fn not_principal_match(
    everyone: bool,
    entries: &[PrincipalEntry],
    caller: &RequestPrincipal,
) -> PrincipalOutcome {
    let first = |wanted: PrincipalMatch| {
        entries
            .iter()
            .position(|e| entry_match(e, caller) == wanted)
    };
    let everyone_entry = first(PrincipalMatch::Caller(CallerMatch::Everyone));
    let self_entry = first(PrincipalMatch::Caller(CallerMatch::Arn));
    let role_entry = first(PrincipalMatch::Caller(CallerMatch::Role));
    let account_entry = first(PrincipalMatch::Account);
    let (named, missing) = if everyone || everyone_entry.is_some() {
        (everyone_entry, None)
    } else {
        // The identity that must be listed, then the account above it.
        let named = match caller.kind {
            PrincipalType::AssumedRole => role_entry.or(self_entry),
            PrincipalType::Role => role_entry.or(self_entry),
            _ => self_entry,
        };
        let missing = match caller.kind {
            PrincipalType::AssumedRole if role_entry.is_none() => Some(MissingLink::Role),
            // Nothing is above the root user or a service.
            PrincipalType::AccountRoot | PrincipalType::Service => None,
            _ if account_entry.is_none() => Some(MissingLink::Account),
            _ => None,
        };
        (named, missing)
    };
    let excluded = (everyone || everyone_entry.is_some()) || (named.is_some() && missing.is_none());
    PrincipalOutcome {
        matched: if excluded {
            PrincipalMatch::NoMatch
        } else {
            PrincipalMatch::Caller(CallerMatch::NotExcluded)
        },
        entry: named,
        missing,
        boundary: false,
    }
}

/// Whether one principal entry names the caller, its account, or neither.
fn entry_match(entry: &PrincipalEntry, caller: &RequestPrincipal) -> PrincipalMatch {
    let value = entry.normalized.as_str();
    match entry.kind {
        PrincipalKey::Aws => {
            if value == "*" {
                return PrincipalMatch::Caller(CallerMatch::Everyone);
            }
            if caller.kind == PrincipalType::Service {
                return PrincipalMatch::NoMatch;
            }
            let is_role_session = matches!(
                caller.kind,
                PrincipalType::AssumedRole | PrincipalType::Role
            );
            // A role acting directly is a session of itself: naming it is naming the role.
            let names_role = caller.role_arn.as_ref().is_some_and(|role| role == value)
                || (caller.kind == PrincipalType::Role && value == caller.id.as_str());
            if is_role_session && names_role {
                PrincipalMatch::Caller(CallerMatch::Role)
            } else if value == caller.id.as_str() {
                PrincipalMatch::Caller(CallerMatch::Arn)
            } else if names_account_of(value, caller) {
                PrincipalMatch::Account
            } else {
                PrincipalMatch::NoMatch
            }
        }
        PrincipalKey::Service => {
            if value == "*" {
                PrincipalMatch::Caller(CallerMatch::Everyone)
            } else if caller.kind == PrincipalType::Service
                && value.eq_ignore_ascii_case(caller.id.as_str())
            {
                PrincipalMatch::Caller(CallerMatch::Arn)
            } else {
                PrincipalMatch::NoMatch
            }
        }
        // Identity providers and S3 canonical users never make KMS requests themselves; an exact
        // match is all that can name a caller.
        PrincipalKey::Federated | PrincipalKey::CanonicalUser => {
            if value == caller.id.as_str() {
                PrincipalMatch::Caller(CallerMatch::Arn)
            } else {
                PrincipalMatch::NoMatch
            }
        }
    }
}

/// Whether `value` is `arn:PARTITION:iam::ACCOUNT:root` for the caller's account and partition.
fn names_account_of(value: &str, caller: &RequestPrincipal) -> bool {
    if caller.account.is_empty() {
        return false;
    }
    // From the end first: most entries name users and roles, and fail at `:root` at once.
    let Some(partition) = value
        .strip_suffix(":root")
        .and_then(|rest| rest.strip_suffix(caller.account.as_str()))
        .and_then(|rest| rest.strip_suffix(":iam::"))
        .and_then(|rest| rest.strip_prefix("arn:"))
    else {
        return false;
    };
    // The caller's partition has no colon, so equal partitions mean `value` is exactly
    // `arn:PARTITION:iam::ACCOUNT:root`.
    let caller_partition = caller
        .id
        .as_str()
        .strip_prefix("arn:")
        .and_then(|rest| rest.split_once(':'))
        .map_or("aws", |(partition, _)| partition);
    partition == caller_partition
}

/// Everything [`explain`] found about one policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyTrace {
    /// The same outcome [`evaluate`] returns.
    pub outcome: PolicyOutcome,
    /// One entry per statement, in document order.
    pub statements: Vec<StatementTrace>,
}

impl PolicyTrace {
    /// The trace of the statement that decided the outcome, if any.
    pub fn deciding_statement(&self) -> Option<&StatementTrace> {
        self.outcome
            .statement()
            .and_then(|i| self.statements.get(i))
    }
}

/// One statement's evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementTrace {
    /// The statement's index in the document.
    pub index: usize,
    /// Its `Sid`, if any.
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// The principal element's result.
    pub principal: PrincipalTrace,
    /// The `Action` / `NotAction` element's result.
    pub action: ElementTrace,
    /// The `Resource` / `NotResource` element's result.
    pub resource: ElementTrace,
    /// Each condition's result, in document order.
    pub conditions: Vec<ConditionTrace>,
    /// What the statement does to the request.
    pub result: StatementResult,
}

impl StatementTrace {
    /// The conditions that kept an `Allow` statement from applying when everything else about
    /// it fits the request (it names the caller, the action and the resource): the statement
    /// would apply with another request context. Empty otherwise.
    pub fn failed_conditions_only(&self) -> Vec<&ConditionTrace> {
        if self.result != StatementResult::NotApplicable
            || self.effect != Effect::Allow
            || !self.principal.matched()
            || !self.action.applies
            || !self.resource.applies
        {
            return Vec::new();
        }
        self.conditions.iter().filter(|c| !c.holds).collect()
    }

    /// Why the statement does not apply, in plain words (`None` when it applies).
    pub fn why_not(&self) -> Option<String> {
        if self.result != StatementResult::NotApplicable {
            return None;
        }
        let mut reasons = Vec::new();
        if !self.principal.matched() {
            reasons.push(self.principal.summary.clone());
        }
        if !self.action.applies {
            reasons.push(self.action.summary());
        }
        if !self.resource.applies {
            reasons.push(self.resource.summary());
        }
        reasons.extend(
            self.conditions
                .iter()
                .filter(|c| !c.holds)
                .map(ConditionTrace::summary),
        );
        Some(reasons.join("; "))
    }
}

/// The principal element's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrincipalTrace {
    /// `Principal`, `NotPrincipal`, or `None` for an identity policy.
    pub element: Option<&'static str>,
    /// How the element covers the caller.
    pub result: PrincipalMatch,
    /// The entry that decided it, as written.
    pub entry: Option<String>,
    /// The caller's ARN (or service name).
    pub caller: PrincipalId,
    /// The result in plain words.
    pub summary: String,
    /// A `Deny` with `NotPrincipal` covers the caller only because it has a permissions boundary.
    pub boundary_overrides_not_principal: bool,
}

impl PrincipalTrace {
    /// Whether the element covers the caller (itself or through its account).
    pub fn matched(&self) -> bool {
        self.result != PrincipalMatch::NoMatch
    }
}

/// The result of an `Action`/`NotAction` or `Resource`/`NotResource` element.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ElementTrace {
    /// `Action`, `NotAction`, `Resource` or `NotResource`; `None` when the statement lacks it.
    pub element: Option<&'static str>,
    /// The request's action or resource.
    pub value: String,
    /// Whether the element lets the statement apply.
    pub applies: bool,
    /// The pattern that matched the request, as written (for a `Not` element, the one that
    /// excludes it).
    pub pattern: Option<String>,
    /// Patterns whose policy variables had no value in the request (they match nothing).
    pub unresolved: Vec<String>,
}

impl ElementTrace {
    /// The result in plain words.
    pub fn summary(&self) -> String {
        let value = &self.value;
        match (self.element, &self.pattern) {
            (None, _) => {
                "the statement has no Action or Resource element, so it applies to nothing"
                    .to_owned()
            }
            (Some(element), Some(pattern)) if self.applies => {
                format!("{element} `{pattern}` matches `{value}`")
            }
            (Some(element), Some(pattern)) => {
                format!(
                    "{element} lists `{pattern}`, which matches `{value}`, so the statement does not apply"
                )
            }
            (Some(element), None) if self.applies => {
                format!("no pattern in {element} matches `{value}`, so the statement applies")
            }
            (Some(element), None) => {
                let mut text = format!("no pattern in {element} matches `{value}`");
                if !self.unresolved.is_empty() {
                    text.push_str(&format!(
                        " (unresolved policy variables in {})",
                        self.unresolved
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                text
            }
        }
    }
}

/// Evaluates `policy` against `request` and records every element of every statement.
pub fn explain(policy: &Policy, request: &Request<'_>) -> PolicyTrace {
    explain_for(policy, request, CallerFacts::default())
}

/// [`explain`] for a caller with `facts` (a key policy, read by the authorizer).
pub fn explain_for(policy: &Policy, request: &Request<'_>, facts: CallerFacts) -> PolicyTrace {
    let version = policy.version;
    let statements: Vec<StatementTrace> = policy
        .statements
        .iter()
        .map(|s| explain_statement(s, version, request, facts))
        .collect();
    let outcome = combine(statements.iter().enumerate().map(|(i, s)| (i, s.result)));
    PolicyTrace {
        outcome,
        statements,
    }
}

fn explain_statement(
    statement: &Statement,
    version: PolicyVersion,
    request: &Request<'_>,
    facts: CallerFacts,
) -> StatementTrace {
    let action = action_match(statement.action.as_ref(), request.action);
    let resource = resource_match(statement.resource.as_ref(), version, request);
    let principal = statement_principal(statement, request.principal, facts);
    let conditions: Vec<ConditionTrace> = statement
        .conditions
        .iter()
        .map(|c| condition::explain_condition(c, version, request))
        .collect();
    let result = result_of(
        statement.effect,
        action.applies,
        resource.applies,
        principal.matched,
        conditions.iter().all(|c| c.holds),
    );
    let action_trace = ElementTrace {
        element: statement
            .action
            .as_ref()
            .map(|b| if b.negated { "NotAction" } else { "Action" }),
        value: request.action.to_owned(),
        applies: action.applies,
        pattern: statement
            .action
            .as_ref()
            .and_then(|b| action.pattern.and_then(|i| b.patterns.get(i)))
            .map(|p| p.text.clone()),
        unresolved: Vec::new(),
    };
    let resource_trace = ElementTrace {
        element: statement
            .resource
            .as_ref()
            .map(|b| if b.negated { "NotResource" } else { "Resource" }),
        value: request.resource.to_owned(),
        applies: resource.applies,
        pattern: statement
            .resource
            .as_ref()
            .and_then(|b| resource.pattern.and_then(|i| b.patterns.get(i)))
            .map(|p| p.text.clone()),
        unresolved: statement
            .resource
            .iter()
            .flat_map(|b| b.patterns.iter())
            .filter(|p| {
                matches!(
                    variables::resolve(&p.text, version, request),
                    Resolved::Unresolvable { .. }
                )
            })
            .map(|p| p.text.clone())
            .collect(),
    };
    StatementTrace {
        index: statement.index,
        sid: statement.sid.clone(),
        effect: statement.effect,
        principal: principal_trace(statement, principal, request.principal),
        action: action_trace,
        resource: resource_trace,
        conditions,
        result,
    }
}

fn principal_trace(
    statement: &Statement,
    outcome: PrincipalOutcome,
    caller: &RequestPrincipal,
) -> PrincipalTrace {
    let block = statement.principal.as_ref();
    let entry = block.and_then(|b| match (&b.principals, outcome.entry) {
        (PrincipalSet::Specific(entries), Some(i)) => entries.get(i).map(|e| e.value.clone()),
        _ => None,
    });
    let element = block.map(|b| {
        if b.negated {
            "NotPrincipal"
        } else {
            "Principal"
        }
    });
    let who = &caller.id;
    let summary = match (block, outcome.matched) {
        (None, _) => format!("identity policy: it applies to its owner `{who}`"),
        (Some(b), PrincipalMatch::NoMatch) if b.negated => match &entry {
            Some(e) => {
                format!("NotPrincipal lists `{e}` (and its account), so it excludes `{who}`")
            }
            None => format!("NotPrincipal excludes everyone, including `{who}`"),
        },
        (Some(_), PrincipalMatch::NoMatch) => {
            format!("Principal names neither `{who}` nor its account")
        }
        (Some(_), PrincipalMatch::Caller(CallerMatch::NotExcluded)) if outcome.boundary => {
            let listed = match &entry {
                Some(e) => format!("NotPrincipal lists `{e}`"),
                None => "NotPrincipal excludes everyone".to_owned(),
            };
            format!(
                "{listed}, but `{who}` has a permissions boundary: a Deny with NotPrincipal \
                 denies every IAM principal with a permissions boundary, whatever the list says"
            )
        }
        (Some(_), PrincipalMatch::Caller(CallerMatch::NotExcluded)) => {
            match (&entry, outcome.missing) {
                (Some(e), Some(MissingLink::Account)) => format!(
                    "NotPrincipal lists `{e}` but not its account root, so it does not exclude `{who}`"
                ),
                (Some(e), Some(MissingLink::Role)) => format!(
                    "NotPrincipal lists the session `{e}` but not its role, so it does not exclude `{who}`"
                ),
                _ => format!("NotPrincipal does not list `{who}`, so the statement covers it"),
            }
        }
        (Some(_), PrincipalMatch::Caller(CallerMatch::Everyone)) => {
            "Principal `*` covers everyone".to_owned()
        }
        (Some(_), PrincipalMatch::Caller(CallerMatch::Role)) => format!(
            "Principal names the role `{}`, which covers its session `{who}`",
            entry.as_deref().unwrap_or_default()
        ),
        (Some(_), PrincipalMatch::Caller(_)) => format!("Principal names `{who}` itself"),
        (Some(_), PrincipalMatch::Account) => format!(
            "Principal names the account `{}` of `{who}`, not the caller itself",
            entry.as_deref().unwrap_or_default()
        ),
    };
    PrincipalTrace {
        element,
        result: outcome.matched,
        entry,
        caller: caller.id.clone(),
        summary,
        boundary_overrides_not_principal: outcome.boundary,
    }
}
