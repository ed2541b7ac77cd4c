//! The one authorizer: may this principal perform this KMS action on this key, and why?
//!
//! Every KMS operation, every cell of the access matrix and every scenario expectation is decided
//! here, by the procedure of KMS Developer Guide policy-evaluation.html combined with IAM's
//! evaluation logic (IAM User Guide, reference_policies_evaluation-logic.html and
//! reference_policies_evaluation-logic-cross-account.html):
//!
//! 1. IAM-only actions (`kms:CreateKey`, `kms:ListKeys`, `kms:ListAliases`, `kms:GenerateRandom`,
//!    `kms:ListRetirableGrants`, and the alias half of alias operations) consult identity
//!    policies alone.
//! 2. An explicit `Deny` that applies, in the key policy or in any of the caller's identity
//!    policies, decides an explicit deny. Identity denies count even when the key policy does not
//!    trust the caller's account (KMS Developer Guide, key-policies.html).
//! 3. Otherwise the request is allowed when
//!    - the key policy allows the caller itself (its ARN, its role, or `*`), or
//!    - the key policy allows the caller's account (`arn:aws:iam::ACCOUNT:root`, a delegation to
//!      IAM) and one of the caller's identity policies allows the action on the key's ARN, or
//!    - an effective grant covers the operation (for CreateGrant, when the request names the
//!      grant it creates, that grant must be within the caller's: a subset of its operations,
//!      with constraints at least as strict; KMS Developer Guide, create-grant-overview.html,
//!      "Granting CreateGrant permission").
//!
//!    A caller in another account needs both sides: the key policy must allow it or its account,
//!    and its own identity policies must allow the action on the key's ARN; and only the
//!    operations KMS supports across accounts can be allowed at all (KMS Developer Guide,
//!    key-policy-modifying-external-accounts.html).
//! 4. Otherwise: implicit deny.
//!
//! The root user of an account needs no identity policy in its own account, but it has no
//! implicit access to keys: a key policy must allow it or its account (KMS Developer Guide,
//! key-policy-default.html).
//!
//! The policy types that only limit (SCPs, RCPs, permissions boundaries, session policies) are
//! in [`guardrails`]: their Deny statements join step 2, an SCP that does not allow denies
//! whatever allows, and a boundary or session policy that does not allow cancels identity-based
//! allows and key-policy allows that reach the caller through its role.
//!
//! [`decide`] is the fast path (no explanation, no allocation when no policy has conditions);
//! [`explain`] returns the same [`Verdict`] with an [`Explanation`] a UI renders as it is. Both
//! feed the same per-policy outcomes to one combining function, so they cannot disagree.
//!
//! Authorization comes before the key-state check, as in KMS: a caller that may not use a key
//! learns nothing about its state. [`Explanation::key_state`] records what the state check then
//! says.

use crate::catalog::{Action, PermissionSource};
use crate::entropy::Timestamp;
use crate::error::{AccessDenied, DenialForm, KmsError};
use crate::policy::eval::{self, PolicyOutcome, PolicyTrace, StatementRef, StatementResult};
use crate::policy::{Policy, Statement};
use crate::request::{Context, ContextValue, PrincipalArn, PrincipalId, Request};
use crate::store::grants::{ChildGrant, Grant, GrantConstraints, GrantId, GrantQuery, GrantStore};
use crate::store::{Key, check_key};
use crate::world::{Principal, World};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::policy::eval::{CallerMatch, Decision};

mod guardrails;

pub use guardrails::Guardrail;

/// The name KMS gives a key policy (the only valid `PolicyName`).
pub const KEY_POLICY_NAME: &str = "default";

/// The request-specific values conditions can test, beyond who calls and which key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestParams {
    /// The `EncryptionContext` of a cryptographic request (`kms:EncryptionContext:*`,
    /// `kms:EncryptionContextKeys`).
    pub encryption_context: Option<BTreeMap<String, String>>,
    /// `kms:EncryptionAlgorithm`.
    pub encryption_algorithm: Option<String>,
    /// CreateGrant's `Operations` (`kms:GrantOperations`). When a request names them, a grant
    /// that gives the caller CreateGrant allows it only if the new grant is within that grant
    /// (its operations and [`RequestParams::grant_constraints`]; KMS Developer Guide,
    /// create-grant-overview.html, "Granting CreateGrant permission"). `None` asks whether the
    /// caller may call CreateGrant at all, as the access matrix does.
    pub grant_operations: Option<Vec<Action>>,
    /// CreateGrant's `Constraints`: the new grant's encryption-context constraints, which must be
    /// at least as strict as those of a grant that gives the caller CreateGrant.
    pub grant_constraints: Option<GrantConstraints>,
    /// CreateGrant's `GranteePrincipal` (`kms:GranteePrincipal`).
    pub grantee_principal: Option<String>,
    /// CreateGrant's `RetiringPrincipal` (`kms:RetiringPrincipal`).
    pub retiring_principal: Option<String>,
    /// CreateGrant's constraint type (`kms:GrantConstraintType`).
    pub grant_constraint_type: Option<String>,
    /// The alias name the request's `KeyId` used (`kms:RequestAlias`).
    pub request_alias: Option<String>,
    /// The integrated service the request came through, such as `ebs.us-east-1.amazonaws.com`
    /// (`kms:ViaService`; it also makes `kms:GrantIsForAWSResource` true).
    pub via_service: Option<String>,
    /// Grant tokens passed with the request.
    pub grant_tokens: Vec<String>,
    /// RetireGrant: the grant being retired (its retiring principal, grantee and issuing
    /// account decide who may retire it).
    pub grant_id: Option<String>,
    /// Operation-specific keys (`kms:BypassPolicyLockoutSafetyCheck`,
    /// `kms:ScheduleKeyDeletionPendingWindowInDays`, ...) and any extra keys the caller passes;
    /// these override the keys built from the world.
    pub context: Context,
}

/// What an authorization is about.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// No resource (IAM-only actions: the resource is `*`).
    Account,
    /// An alias, for the IAM half of CreateAlias, UpdateAlias and DeleteAlias: identity policies
    /// must allow the action on the alias ARN (KMS Developer Guide, alias-access.html).
    Alias {
        /// The alias ARN.
        arn: &'a str,
    },
    /// A key, under its own key policy.
    Key(&'a Key),
    /// A key judged under another key policy: PutKeyPolicy's lockout check asks whether the new
    /// policy would let the caller call PutKeyPolicy again.
    KeyWithPolicy {
        /// The key.
        key: &'a Key,
        /// The policy to judge by.
        policy: &'a Policy,
    },
}

impl<'a> Target<'a> {
    fn key(self) -> Option<&'a Key> {
        match self {
            Target::Key(key) | Target::KeyWithPolicy { key, .. } => Some(key),
            Target::Account | Target::Alias { .. } => None,
        }
    }

    fn key_policy(self) -> Option<&'a Policy> {
        match self {
            Target::Key(key) => Some(&key.policy.policy),
            Target::KeyWithPolicy { policy, .. } => Some(policy),
            Target::Account | Target::Alias { .. } => None,
        }
    }

    fn resource(self) -> &'a str {
        match self {
            Target::Account => "*",
            Target::Alias { arn } => arn,
            Target::Key(key) | Target::KeyWithPolicy { key, .. } => &key.arn,
        }
    }
}

/// One authorization question.
#[derive(Clone, Copy, Debug)]
pub struct AuthzRequest<'a> {
    /// Who asks.
    pub caller: &'a Principal,
    /// The permission needed.
    pub action: Action,
    /// On what.
    pub target: Target<'a>,
    /// Request values for conditions.
    pub params: &'a RequestParams,
    /// The simulated time (`aws:CurrentTime`; grant consistency).
    pub now: Timestamp,
}

impl AuthzRequest<'_> {
    /// The request as KMS authorizes it: an IAM-only action involves no key, whatever target
    /// was given (its resource is `*`).
    fn normalized(&self) -> Self {
        if self.action.permission_source() == PermissionSource::IamOnly {
            AuthzRequest {
                target: Target::Account,
                ..*self
            }
        } else {
            *self
        }
    }
}

/// Which identity-side permission applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum IdentityAllow {
    /// Statement `statement` of the caller's identity policy number `policy` (in
    /// [`World::identity_policies`] order).
    Policy {
        /// Index of the identity policy.
        policy: usize,
        /// Index of the statement in it.
        statement: usize,
    },
    /// The caller is its account's root user, which IAM policies do not restrict in its own
    /// account.
    RootUser,
}

/// Why a request was allowed or denied, compactly (what each matrix cell stores).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reason {
    /// The key policy allows the caller itself (same account).
    KeyPolicy {
        /// The allowing key-policy statement.
        statement: usize,
    },
    /// The key policy allows the caller or its account, and the identity side allows the action
    /// on the key: IAM delegation through the account principal, or a cross-account request.
    KeyPolicyAndIam {
        /// The allowing key-policy statement.
        key_statement: usize,
        /// Whether that statement names only the caller's account (a delegation to IAM).
        via_account: bool,
        /// The identity-side allow.
        identity: IdentityAllow,
    },
    /// An IAM-only action allowed by the identity side.
    Iam {
        /// The identity-side allow.
        identity: IdentityAllow,
    },
    /// A grant allows the operation.
    Grant,
    /// Only a grant would allow, and it is not yet consistent: it works only with its grant
    /// token until `effective_from` ("pending (token only)").
    GrantPendingTokenOnly {
        /// When the grant becomes effective without a token.
        effective_from: Timestamp,
        /// Whether the key policy allows the caller's account and only an IAM allow is missing
        /// (the AccessDeniedException then names the identity-based policy).
        identity_missing: bool,
    },
    /// A `Deny` in the key policy.
    ExplicitDenyInKeyPolicy {
        /// The denying statement.
        statement: usize,
    },
    /// A `Deny` in one of the caller's identity policies.
    ExplicitDenyInIdentityPolicy {
        /// Index of the identity policy.
        policy: usize,
        /// The denying statement.
        statement: usize,
    },
    /// Nothing on the resource side allows the caller: the key policy names neither it nor its
    /// account, and no grant applies.
    NoResourcePolicyAllows,
    /// The key policy allows the caller or its account, but no identity policy allows the
    /// action on the key.
    NoIdentityPolicyAllows,
    /// The action cannot be performed on a key in another account.
    NotCrossAccount,
    /// A `Deny` in an SCP, an RCP, the caller's permissions boundary or a session policy.
    ExplicitDenyInGuardrail {
        /// Which policy type.
        guardrail: Guardrail,
        /// Index of the policy among those that apply (SCPs, RCPs, boundary, session policies).
        policy: usize,
        /// The denying statement.
        statement: usize,
    },
    /// An SCP level, the permissions boundary or the session policies allow nothing here, and
    /// what would otherwise allow needs them to.
    GuardrailDoesNotAllow {
        /// Which policy type.
        guardrail: Guardrail,
    },
}

/// A decision and its compact reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Verdict {
    /// Allow, explicit deny or implicit deny.
    pub decision: Decision,
    /// Why.
    pub reason: Reason,
}

impl Verdict {
    /// Whether the request is allowed.
    pub fn is_allowed(self) -> bool {
        self.decision == Decision::Allow
    }

    /// A few words for a matrix cell's tooltip, such as "key policy" or "explicit deny (IAM)".
    pub fn short_reason(self) -> &'static str {
        match self.reason {
            Reason::KeyPolicy { .. } => "key policy",
            Reason::KeyPolicyAndIam {
                via_account: true, ..
            } => "key policy delegates to IAM policy",
            Reason::KeyPolicyAndIam { .. } => "key policy and IAM policy",
            Reason::Iam { .. } => "IAM policy",
            Reason::Grant => "grant",
            Reason::GrantPendingTokenOnly { .. } => "grant pending (token only)",
            Reason::ExplicitDenyInKeyPolicy { .. } => "explicit deny (key policy)",
            Reason::ExplicitDenyInIdentityPolicy { .. } => "explicit deny (IAM policy)",
            Reason::NoResourcePolicyAllows => "key policy does not allow",
            Reason::NoIdentityPolicyAllows => "no IAM policy allows",
            Reason::NotCrossAccount => "not available across accounts",
            Reason::ExplicitDenyInGuardrail { guardrail, .. } => match guardrail {
                Guardrail::Scp => "explicit deny (SCP)",
                Guardrail::Rcp => "explicit deny (RCP)",
                Guardrail::PermissionsBoundary => "explicit deny (permissions boundary)",
                Guardrail::SessionPolicy => "explicit deny (session policy)",
            },
            Reason::GuardrailDoesNotAllow { guardrail } => match guardrail {
                Guardrail::Scp => "no SCP allows",
                Guardrail::Rcp => "no RCP allows",
                Guardrail::PermissionsBoundary => "permissions boundary does not allow",
                Guardrail::SessionPolicy => "session policy does not allow",
            },
        }
    }

    /// The `AccessDeniedException` KMS gives for this denial (semantics §1.6), or `None` when
    /// allowed.
    pub fn denial(
        self,
        caller: &PrincipalId,
        action: Action,
        resource: &str,
    ) -> Option<AccessDenied> {
        let form = match self.reason {
            Reason::ExplicitDenyInKeyPolicy { .. } => DenialForm::ExplicitDenyInResourcePolicy,
            Reason::ExplicitDenyInIdentityPolicy { .. } => DenialForm::ExplicitDenyInIdentityPolicy,
            Reason::NoIdentityPolicyAllows
            | Reason::GrantPendingTokenOnly {
                identity_missing: true,
                ..
            } => DenialForm::NoIdentityPolicyAllows,
            Reason::NoResourcePolicyAllows
            | Reason::NotCrossAccount
            | Reason::GrantPendingTokenOnly { .. } => DenialForm::NoResourcePolicyAllows,
            Reason::ExplicitDenyInGuardrail { guardrail, .. } => match guardrail {
                Guardrail::Scp => DenialForm::ExplicitDenyInServiceControlPolicy,
                Guardrail::Rcp => DenialForm::ExplicitDenyInResourceControlPolicy,
                Guardrail::PermissionsBoundary => DenialForm::ExplicitDenyInPermissionsBoundary,
                Guardrail::SessionPolicy => DenialForm::ExplicitDenyInSessionPolicy,
            },
            Reason::GuardrailDoesNotAllow { guardrail } => match guardrail {
                Guardrail::Scp | Guardrail::Rcp => DenialForm::NoServiceControlPolicyAllows,
                Guardrail::PermissionsBoundary => DenialForm::NoPermissionsBoundaryAllows,
                Guardrail::SessionPolicy => DenialForm::NoSessionPolicyAllows,
            },
            Reason::KeyPolicy { .. }
            | Reason::KeyPolicyAndIam { .. }
            | Reason::Iam { .. }
            | Reason::Grant => return None,
        };
        Some(AccessDenied::new(caller, action, resource, form))
    }
}

pub use crate::store::grants::GrantFinding;

/// The grant step of the authorizer: does a grant on the key cover the caller and the operation
/// (KMS Developer Guide, grants.html)? Grants are kept and matched by [`crate::store::grants`]; this is
/// the single place the authorizer asks.
fn grant_step(world: &World, request: &AuthzRequest<'_>, scope: GrantScope<'_>) -> GrantFinding {
    let Some(key) = request.target.key() else {
        return GrantFinding::NotApplicable;
    };
    if let GrantScope::Among([]) = scope {
        return GrantFinding::without_grants(request.action);
    }
    let params = request.params;
    // Operations reject malformed and unknown tokens before authorizing; here they only count
    // for the grants they name.
    let tokens: Vec<GrantId> = params
        .grant_tokens
        .iter()
        .filter_map(|t| world.grants.grant_for_token(t).ok())
        .map(|g| g.id.clone())
        .collect();
    // A static empty map: the access matrix asks this for every cell, with no context.
    static EMPTY: BTreeMap<String, String> = BTreeMap::new();
    let retiring = params.grant_id.as_deref().map(GrantId::from_text);
    let query = GrantQuery {
        key_arn: &key.arn,
        caller: request.caller.request_principal(),
        action: request.action,
        context: params.encryption_context.as_ref().unwrap_or(&EMPTY),
        tokens: &tokens,
        now: request.now,
        // A CreateGrant request that names the grant it creates: a grant giving CreateGrant
        // must cover it (KMS Developer Guide, create-grant-overview.html, "Granting CreateGrant
        // permission").
        child: match (request.action, &params.grant_operations) {
            (Action::CreateGrant, Some(operations)) => Some(ChildGrant {
                operations,
                constraints: params.grant_constraints.as_ref(),
            }),
            _ => None,
        },
    };
    match scope {
        GrantScope::Store => world.grants.finding(&query, retiring.as_ref()),
        GrantScope::Among(candidates) => {
            GrantStore::finding_among(candidates, &query, retiring.as_ref())
        }
    }
}

/// Which grants the grant step looks at.
#[derive(Clone, Copy, Debug)]
pub(crate) enum GrantScope<'g> {
    /// Every grant of the world.
    Store,
    /// Only these: the caller knows that no other grant can concern the request (see
    /// [`crate::store::grants::Grant::may_concern`]).
    Among(&'g [&'g Grant]),
}

/// What the identity policies say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IdentitySide {
    Deny { policy: usize, statement: usize },
    Allow(IdentityAllow),
    Nothing,
}

/// The per-policy results one decision combines.
#[derive(Clone, Copy, Debug)]
struct Findings {
    key_policy: Option<PolicyOutcome>,
    identity: IdentitySide,
    guardrails: guardrails::Findings,
    grant_allows: bool,
    /// A grant that would allow, pending until this instant (token only until then).
    grant_pending: Option<Timestamp>,
}

impl Findings {
    fn new(
        key_policy: Option<PolicyOutcome>,
        identity: IdentitySide,
        guardrails: guardrails::Findings,
        grant: &GrantFinding,
    ) -> Findings {
        let identity_allows =
            matches!(identity, IdentitySide::Allow(_)) && guardrails.limit().is_none();
        Findings {
            key_policy,
            identity,
            guardrails,
            grant_allows: grant.allows(identity_allows),
            grant_pending: grant.pending_until(),
        }
    }
}

/// Whether a key-policy allow reaches the caller without its permissions boundary and session
/// policies limiting it: the statement names an IAM user's or a role session's own ARN (IAM
/// User Guide, access_policies_boundaries.html: within one account, a resource-based policy
/// naming the user or the session is not limited by an implicit deny in a boundary or session
/// policy; one naming the role is).
fn names_caller_directly(caller: &Principal, how: CallerMatch) -> bool {
    how == CallerMatch::Arn
        && matches!(
            caller.kind,
            crate::world::PrincipalKind::User { .. }
                | crate::world::PrincipalKind::AssumedRole { .. }
        )
}

/// Whether the key policy has any effect on `action`. An action decided by its grant
/// (`kms:RetireGrant`) is not: "The kms:RetireGrant permission is not effective in a key policy
/// or resource control policy. To deny permission to retire a grant, you can use a Deny action
/// with the kms:RetireGrant permission in your IAM policies" (KMS Developer Guide,
/// grant-delete.html). Neither a key-policy Allow nor a key-policy Deny counts; nor does an RCP.
pub(crate) fn key_policy_applies(action: Action) -> bool {
    action.permission_source() != PermissionSource::Grant
}

/// Whether `caller` uses `key` from another account. An AWS service principal belongs to no
/// account: a key policy statement naming it (or `*`) is all it needs, and no identity policy
/// of any account speaks for it (KMS Developer Guide, key-policy-services.html; IAM User Guide,
/// reference_policies_elements_principal.html).
fn crosses_accounts(caller: &Principal, key: &Key) -> bool {
    !caller.is_service() && caller.account != key.account
}

/// Combines the findings: the procedure of the module documentation, in one place.
fn combine(request: &AuthzRequest<'_>, findings: &Findings) -> Verdict {
    let deny = |reason| Verdict {
        decision: Decision::ExplicitDeny,
        reason,
    };
    let implicit = |reason| Verdict {
        decision: Decision::ImplicitDeny,
        reason,
    };
    let allow = |reason| Verdict {
        decision: Decision::Allow,
        reason,
    };

    if let Some(PolicyOutcome::ExplicitDeny { statement }) = findings.key_policy {
        return deny(Reason::ExplicitDenyInKeyPolicy { statement });
    }
    if let IdentitySide::Deny { policy, statement } = findings.identity {
        return deny(Reason::ExplicitDenyInIdentityPolicy { policy, statement });
    }
    if let Some((guardrail, policy, statement)) = findings.guardrails.deny {
        return deny(Reason::ExplicitDenyInGuardrail {
            guardrail,
            policy,
            statement,
        });
    }
    let limit = findings.guardrails.limit();
    let raw_identity_allow = match findings.identity {
        IdentitySide::Allow(allow) => Some(allow),
        IdentitySide::Deny { .. } | IdentitySide::Nothing => None,
    };
    // A boundary or session policy that does not allow cancels every identity-based allow.
    let identity_allow = raw_identity_allow.filter(|_| limit.is_none());
    let no_identity_allow = match (raw_identity_allow, limit) {
        (Some(_), Some(guardrail)) => Reason::GuardrailDoesNotAllow { guardrail },
        _ => Reason::NoIdentityPolicyAllows,
    };
    let scp_missing = findings.guardrails.scp_missing.is_some();

    let Some(key) = request.target.key() else {
        // IAM-only: identity policies alone, within the SCPs.
        if scp_missing {
            return implicit(Reason::GuardrailDoesNotAllow {
                guardrail: Guardrail::Scp,
            });
        }
        return match identity_allow {
            Some(identity) => allow(Reason::Iam { identity }),
            None => implicit(no_identity_allow),
        };
    };
    // A grant that would allow but is not yet consistent is the reason to show: "pending (token
    // only)".
    let or_pending = |reason: Reason| {
        findings
            .grant_pending
            .map_or(reason, |effective_from| Reason::GrantPendingTokenOnly {
                effective_from,
                identity_missing: reason == Reason::NoIdentityPolicyAllows,
            })
    };
    let no_resource_allow = or_pending(Reason::NoResourcePolicyAllows);
    let cross_account = crosses_accounts(request.caller, key);
    if cross_account && !request.action.cross_account() {
        return implicit(Reason::NotCrossAccount);
    }
    if scp_missing {
        // Nothing allows what the caller's SCPs do not: no key policy, IAM policy or grant.
        return implicit(Reason::GuardrailDoesNotAllow {
            guardrail: Guardrail::Scp,
        });
    }
    if request.action.permission_source() == PermissionSource::Grant {
        // kms:RetireGrant in a key policy or IAM policy does not allow retiring (API RetireGrant).
        return if findings.grant_allows {
            allow(Reason::Grant)
        } else {
            implicit(no_resource_allow)
        };
    }
    let key_side = match findings.key_policy {
        Some(PolicyOutcome::Allow {
            statement,
            principal,
        }) => Some((statement, false, principal)),
        Some(PolicyOutcome::AllowViaAccount { statement }) => {
            Some((statement, true, CallerMatch::Arn))
        }
        _ => None,
    };
    // A key-policy allow of the caller itself counts on its own, unless it reaches the caller
    // through its role (or everyone) and a boundary or session policy does not allow.
    let own_allow_limited =
        |how: CallerMatch| limit.filter(|_| !names_caller_directly(request.caller, how));
    match (key_side, identity_allow) {
        (Some((statement, false, how)), _)
            if !cross_account && own_allow_limited(how).is_none() =>
        {
            allow(Reason::KeyPolicy { statement })
        }
        (Some((key_statement, via_account, _)), Some(identity)) => allow(Reason::KeyPolicyAndIam {
            key_statement,
            via_account,
            identity,
        }),
        _ if findings.grant_allows => allow(Reason::Grant),
        (Some((_, false, how)), None) if !cross_account => match own_allow_limited(how) {
            Some(guardrail) => implicit(or_pending(Reason::GuardrailDoesNotAllow { guardrail })),
            None => implicit(or_pending(no_identity_allow)),
        },
        (Some(_), None) => implicit(or_pending(no_identity_allow)),
        (None, _) => implicit(no_resource_allow),
    }
}

/// Whether evaluating `policy` can read the request context: it has conditions, or policy
/// variables in a `Resource`. Policies that cannot are evaluated against an empty context.
pub fn needs_context(policy: &Policy) -> bool {
    policy.statements.iter().any(statement_needs_context)
}

fn statement_needs_context(statement: &Statement) -> bool {
    !statement.conditions.is_empty()
        || statement
            .resource
            .as_ref()
            .is_some_and(|r| r.patterns.iter().any(|p| p.text.contains("${")))
}

/// Whether evaluating `policy` for `action` can read the request context: a statement that can
/// apply to the action needs it. Statements for other actions do not apply whatever the context
/// holds, so a console policy's grant statement (with its condition) costs Encrypt nothing.
fn needs_context_for(policy: &Policy, action: &str) -> bool {
    policy
        .statements
        .iter()
        .any(|s| statement_needs_context(s) && eval::action_applies(s, action))
}

/// Condition keys KMS puts in the request context for IAM policies only: a key policy never sees
/// them (KMS Developer Guide, conditions-kms.html: `kms:ResourceAliases`, "Policy type: IAM
/// policies only").
const IAM_POLICY_ONLY_KEYS: [&str; 1] = ["kms:ResourceAliases"];

/// The context a key policy is evaluated against, when it differs from the request context
/// `context`: the same keys without those KMS gives IAM policies only ([`request_context`] builds
/// the IAM view). `None` when `context` has none of them, so the common case copies nothing.
pub fn key_policy_context(context: &Context) -> Option<Context> {
    if IAM_POLICY_ONLY_KEYS
        .iter()
        .all(|key| context.get(key).is_none())
    {
        return None;
    }
    let mut stripped = context.clone();
    for key in IAM_POLICY_ONLY_KEYS {
        stripped.remove(key);
    }
    Some(stripped)
}

/// Whether any policy this request consults needs the request context.
fn request_needs_context(world: &World, request: &AuthzRequest<'_>) -> bool {
    let action = request.action.name();
    request
        .target
        .key_policy()
        .is_some_and(|p| needs_context_for(p, action))
        || world
            .identity_policies(request.caller)
            .iter()
            .any(|p| needs_context_for(&p.policy, action))
        || guardrails::need_context(&guardrails::applying(world, request), action)
}

/// The condition keys every request of `caller` at `now` carries, whatever it asks for: built
/// once per caller and shared by its requests' contexts ([`request_context_with`]).
///
/// Global keys: `aws:PrincipalArn` (a session's role ARN), `aws:PrincipalAccount`,
/// `aws:PrincipalType`, `aws:username` (IAM users), `aws:userid`, `aws:PrincipalTag/*`,
/// `aws:RequestedRegion`, `aws:CurrentTime`, `aws:EpochTime`, `aws:SecureTransport`,
/// `aws:PrincipalIsAWSService`, `aws:ViaAWSService` (`false` here: a direct call;
/// [`request_context_with`] sets it `true` for a request a service makes for the caller) and,
/// for a principal of a member account of an organization whose id the world knows,
/// `aws:PrincipalOrgID` (IAM User Guide, reference_policies_condition-keys.html);
/// `kms:CallerAccount` (KMS Developer Guide, conditions-kms.html).
///
/// `aws:PrincipalOrgPaths` (`o-id/r-root/ou-.../`, [`Organization::path_of`]) is set only when
/// the world knows the organization's id and its root's id (a unit's `parent` or a policy target
/// written as `r-...`, as `import` writes it); with the root written only as `root`, the key is
/// absent.
///
/// [`Organization::path_of`]: crate::world::Organization::path_of
pub fn caller_context(world: &World, caller: &Principal, now: Timestamp) -> Arc<Context> {
    let principal = caller.request_principal();
    let mut context = Context::new();
    let principal_arn = principal
        .role_arn
        .as_ref()
        .map_or(principal.id.as_str(), PrincipalArn::as_str);
    context.set("aws:PrincipalArn", principal_arn);
    // A service principal has no account: the account keys are absent from its requests.
    if !caller.account.is_empty() {
        context.set("aws:PrincipalAccount", caller.account.as_str());
        context.set("kms:CallerAccount", caller.account.as_str());
    }
    context.set("aws:PrincipalType", principal.kind.aws_principal_type());
    if let Some(name) = caller.user_name() {
        context.set("aws:username", name);
    }
    context.set("aws:userid", caller.user_id.as_str());
    for tag in &caller.tags {
        context.set(
            format!("aws:PrincipalTag/{}", tag.tag_key),
            tag.tag_value.as_str(),
        );
    }
    context.set("aws:RequestedRegion", world.region());
    context.set("aws:CurrentTime", crate::format::iso8601(now));
    context.set("aws:EpochTime", now.as_epoch_seconds().to_string());
    context.set("aws:SecureTransport", "true");
    context.set("kms:CallerAccount", caller.account.as_str());
    // "present in the request context for all signed API requests that use AWS credentials":
    // true for a service principal, false for an IAM principal. KMS takes no anonymous requests.
    context.set(
        "aws:PrincipalIsAWSService",
        if caller.is_service() { "true" } else { "false" },
    );
    // "always included in the request context"; false "when the principal makes the call
    // directly".
    context.set("aws:ViaAWSService", "false");
    // "included in the request context only if the principal is a member of an organization".
    if let Some(org_id) = world.organization_id_of(&caller.account) {
        context.set("aws:PrincipalOrgID", org_id);
    }
    // The same, multivalued: the account's entity path.
    if let Some(path) = world
        .organization()
        .and_then(|org| org.path_of(&caller.account))
    {
        context.insert("aws:PrincipalOrgPaths", ContextValue::Multi(vec![path]));
    }
    Arc::new(context)
}

/// The condition keys every request on one key carries, as IAM policies see them and as the
/// key's policy does (without the keys KMS gives IAM policies only): built once per key and
/// shared by its requests' contexts ([`request_context_with`]).
#[derive(Clone, Debug)]
pub struct KeyContext {
    iam: Arc<Context>,
    key_policy: Arc<Context>,
}

impl KeyContext {
    /// `aws:ResourceAccount` (the key's account), `aws:ResourceTag/*`, `kms:KeyOrigin`,
    /// `kms:KeySpec`, `kms:KeyUsage`, `kms:MultiRegion` and, for IAM policies,
    /// `kms:ResourceAliases` (IAM User Guide, reference_policies_condition-keys.html; KMS
    /// Developer Guide, conditions-kms.html).
    pub fn of(world: &World, key: &Key) -> KeyContext {
        let mut context = Context::new();
        // "always included in the request context for most service actions" (KMS is not among
        // the exceptions): the account that owns the key.
        context.set("aws:ResourceAccount", key.account.as_str());
        for tag in &key.tags {
            context.set(
                format!("aws:ResourceTag/{}", tag.tag_key),
                tag.tag_value.as_str(),
            );
        }
        context.set("kms:KeyOrigin", key.origin.as_str());
        context.set("kms:KeySpec", key.spec.as_str());
        context.set("kms:KeyUsage", key.usage.as_str());
        match key.multi_region_key_type() {
            // KMS Developer Guide, conditions-kms.html#conditions-kms-multiregion-key-type:
            // PRIMARY or REPLICA.
            Some(key_type) => {
                context.set("kms:MultiRegion", "true");
                context.set("kms:MultiRegionKeyType", key_type);
            }
            None => context.set("kms:MultiRegion", "false"),
        }
        let key_policy = Arc::new(context);
        let aliases: Vec<String> = world
            .keys
            .aliases_for(key)
            .map(|a| a.name.clone())
            .collect();
        if aliases.is_empty() {
            return KeyContext {
                iam: Arc::clone(&key_policy),
                key_policy,
            };
        }
        let mut iam = Context::layered([Arc::clone(&key_policy)]);
        iam.insert("kms:ResourceAliases", ContextValue::Multi(aliases));
        KeyContext {
            iam: Arc::new(iam),
            key_policy,
        }
    }
}

/// A request's context as IAM policies see it, and as the key policy sees it.
#[derive(Clone, Debug)]
pub struct RequestContexts {
    /// What identity policies are evaluated against.
    pub iam: Context,
    /// What the key policy is evaluated against: the same keys without those KMS gives IAM
    /// policies only.
    pub key_policy: Context,
}

/// The condition keys of a request as IAM policies see them (see [`RequestParams`] for the
/// request-specific ones; [`key_policy_context`] for the key policy's view).
pub fn request_context(world: &World, request: &AuthzRequest<'_>) -> Context {
    let key = request.target.key().map(|key| KeyContext::of(world, key));
    request_context_with(
        &caller_context(world, request.caller, request.now),
        key.as_ref(),
        request,
    )
    .iam
}

/// A request's contexts from the caller's and the key's shared keys ([`caller_context`],
/// [`KeyContext::of`]) and the request's own: `kms:RequestAlias`, `kms:ViaService`,
/// `kms:GrantIsForAWSResource`, `kms:EncryptionContext:*`, `kms:EncryptionContextKeys`,
/// `kms:EncryptionAlgorithm`, `kms:GrantOperations`, `kms:GranteePrincipal`,
/// `kms:RetiringPrincipal`, `kms:GrantConstraintType` (KMS Developer Guide, conditions-kms.html),
/// and the keys the caller passes ([`RequestParams::context`]), which override the others.
pub fn request_context_with(
    caller: &Arc<Context>,
    key: Option<&KeyContext>,
    request: &AuthzRequest<'_>,
) -> RequestContexts {
    let params = request.params;
    let mut own = Context::new();
    if let Some(alias) = &params.request_alias {
        own.set("kms:RequestAlias", alias.as_str());
    }
    if let Some(service) = &params.via_service {
        own.set("kms:ViaService", service.as_str());
    }
    if matches!(
        request.action,
        Action::CreateGrant | Action::ListGrants | Action::RevokeGrant
    ) {
        let for_service = if params.via_service.is_some() {
            "true"
        } else {
            "false"
        };
        own.set("kms:GrantIsForAWSResource", for_service);
    }
    if let Some(pairs) = &params.encryption_context {
        for (k, v) in pairs {
            own.set(format!("kms:EncryptionContext:{k}"), v.as_str());
        }
        own.insert(
            "kms:EncryptionContextKeys",
            ContextValue::Multi(pairs.keys().cloned().collect()),
        );
    }
    if let Some(algorithm) = &params.encryption_algorithm {
        own.set("kms:EncryptionAlgorithm", algorithm.as_str());
    }
    if let Some(operations) = &params.grant_operations {
        own.insert(
            "kms:GrantOperations",
            ContextValue::Multi(
                operations
                    .iter()
                    .filter_map(|op| op.grant_operation_name())
                    .map(str::to_owned)
                    .collect(),
            ),
        );
    }
    if let Some(grantee) = &params.grantee_principal {
        own.set("kms:GranteePrincipal", grantee.as_str());
    }
    if let Some(retiring) = &params.retiring_principal {
        own.set("kms:RetiringPrincipal", retiring.as_str());
    }
    if let Some(constraint) = &params.grant_constraint_type {
        own.set("kms:GrantConstraintType", constraint.as_str());
    }
    if !params.context.is_empty() {
        for (name, value) in params.context.iter() {
            own.insert(name, value.clone());
        }
    }
    // A request a service makes on the caller's behalf (it carries `kms:ViaService`) has
    // `aws:ViaAWSService` true, unless the caller's context says otherwise (IAM User Guide,
    // reference_policies_condition-keys.html#condition-keys-viaawsservice).
    if own.get("kms:ViaService").is_some() && params.context.get("aws:ViaAWSService").is_none() {
        own.set("aws:ViaAWSService", "true");
    }
    let layers = |key_layer: Option<&Arc<Context>>| {
        key_layer
            .into_iter()
            .chain([caller])
            .map(Arc::clone)
            .collect::<Vec<_>>()
    };
    let mut key_policy = Context::layered(layers(key.map(|k| &k.key_policy)));
    let mut iam = Context::layered(layers(key.map(|k| &k.iam)));
    if own.is_empty() {
        // The usual case of the access matrix: nothing of the request's own to add.
        return RequestContexts { iam, key_policy };
    }
    for (name, value) in own.iter() {
        iam.insert(name, value.clone());
        if !IAM_POLICY_ONLY_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(name))
        {
            key_policy.insert(name, value.clone());
        }
    }
    RequestContexts { iam, key_policy }
}

/// Decides `request`: the fast path, without an explanation.
pub fn decide(world: &World, request: &AuthzRequest<'_>) -> Verdict {
    decide_among(world, request, GrantScope::Store)
}

/// [`decide`] with the grants `grants` names; the request's context is built only when a policy
/// that applies has a condition.
fn decide_among(world: &World, request: &AuthzRequest<'_>, grants: GrantScope<'_>) -> Verdict {
    let request = &request.normalized();
    if !request_needs_context(world, request) {
        let empty = Context::new();
        return decide_with(world, request, &empty, &empty, grants);
    }
    let contexts = contexts_of(world, request);
    decide_with(world, request, &contexts.iam, &contexts.key_policy, grants)
}

/// Both views of `request`'s context, built from scratch.
fn contexts_of(world: &World, request: &AuthzRequest<'_>) -> RequestContexts {
    let key = request.target.key().map(|key| KeyContext::of(world, key));
    request_context_with(
        &caller_context(world, request.caller, request.now),
        key.as_ref(),
        request,
    )
}

/// What a key policy must know about the caller beyond its ARN: whether it has a permissions
/// boundary (a session has its role's), which makes every `Deny` with `NotPrincipal` cover it
/// (IAM User Guide, reference_policies_elements_notprincipal.html).
pub(crate) fn caller_facts(world: &World, caller: &Principal) -> eval::CallerFacts {
    eval::CallerFacts {
        permissions_boundary: world.permissions_boundary(caller).is_some(),
    }
}

/// Decides `request` with a context built beforehand.
pub fn decide_in(world: &World, request: &AuthzRequest<'_>, context: &Context) -> Verdict {
    let key_context = key_policy_context(context);
    decide_with(
        world,
        &request.normalized(),
        context,
        key_context.as_ref().unwrap_or(context),
        GrantScope::Store,
    )
}

/// Decides `request` against the IAM policies' view of its context and the key policy's.
fn decide_with(
    world: &World,
    request: &AuthzRequest<'_>,
    context: &Context,
    key_context: &Context,
    grants: GrantScope<'_>,
) -> Verdict {
    let eval_request = Request {
        principal: request.caller.request_principal(),
        action: request.action.name(),
        resource: request.target.resource(),
        context,
    };
    let key_request = Request {
        context: key_context,
        ..eval_request
    };
    let facts = caller_facts(world, request.caller);
    let key_policy = request
        .target
        .key_policy()
        .map(|policy| eval::evaluate_for(policy, &key_request, facts));
    verdict_from_outcomes(
        world,
        request,
        key_policy,
        world
            .identity_policies(request.caller)
            .iter()
            .map(|p| eval::evaluate(&p.policy, &eval_request)),
        grants,
        Some(context),
    )
}

/// The verdict from the outcomes of the key policy and of the caller's identity policies (in
/// [`World::identity_policies`] order), however they were computed: the identity side, the grant
/// step and the combining rule shared by [`decide`], [`explain`] and the access matrix, which
/// evaluates policies in batches. Identity outcomes are read lazily: a deny stops the reading.
/// `grants` says which grants the grant step looks at. The guardrail policies (SCPs, RCPs,
/// boundary, session policies) are evaluated here against `context` (the IAM view of the
/// request), or, when the caller passes none, against a context built for them if they need
/// one.
pub(crate) fn verdict_from_outcomes(
    world: &World,
    request: &AuthzRequest<'_>,
    key_policy: Option<PolicyOutcome>,
    identity: impl Iterator<Item = PolicyOutcome>,
    grants: GrantScope<'_>,
    context: Option<&Context>,
) -> Verdict {
    let key_policy = key_policy.filter(|_| key_policy_applies(request.action));
    if let Some(PolicyOutcome::ExplicitDeny { statement }) = key_policy {
        return Verdict {
            decision: Decision::ExplicitDeny,
            reason: Reason::ExplicitDenyInKeyPolicy { statement },
        };
    }
    let identity = identity_side(request.caller, identity);
    let applying = guardrails::applying(world, request);
    let guardrail_findings = if applying.is_empty() {
        guardrails::Findings::default()
    } else {
        let built;
        let empty = Context::new();
        let context = match context {
            Some(context) => context,
            None if guardrails::need_context(&applying, request.action.name()) => {
                built = contexts_of(world, request).iam;
                &built
            }
            None => &empty,
        };
        guardrails::evaluate(
            &applying,
            &Request {
                principal: request.caller.request_principal(),
                action: request.action.name(),
                resource: request.target.resource(),
                context,
            },
        )
    };
    let grant = grant_step(world, request, grants);
    combine(
        request,
        &Findings::new(key_policy, identity, guardrail_findings, &grant),
    )
}

/// The identity side: the first `Deny` in any policy, else the first `Allow`, else nothing. The
/// root user is allowed by IAM in its own account without policies.
fn identity_side(
    caller: &Principal,
    outcomes: impl Iterator<Item = PolicyOutcome>,
) -> IdentitySide {
    let mut allow = None;
    for (i, outcome) in outcomes.enumerate() {
        match outcome {
            PolicyOutcome::ExplicitDeny { statement } => {
                return IdentitySide::Deny {
                    policy: i,
                    statement,
                };
            }
            PolicyOutcome::Allow { statement, .. }
            | PolicyOutcome::AllowViaAccount { statement } => {
                allow.get_or_insert(IdentityAllow::Policy {
                    policy: i,
                    statement,
                });
            }
            PolicyOutcome::NoMatch => {}
        }
    }
    if caller.is_root() {
        return IdentitySide::Allow(IdentityAllow::RootUser);
    }
    allow.map_or(IdentitySide::Nothing, IdentitySide::Allow)
}

/// The answer to a step's question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepResult {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Not looked at: an earlier step decided, or the step does not apply.
    NotChecked,
}

impl StepResult {
    /// The answer as a word: `Yes`, `No` or `Not checked`.
    pub fn answer(self) -> &'static str {
        match self {
            StepResult::Yes => "Yes",
            StepResult::No => "No",
            StepResult::NotChecked => "Not checked",
        }
    }
}

/// What a step's answer does to the request, whatever the answer is: an explicit Deny that
/// applies is a "yes" that denies, a key policy that names the caller is a "yes" that allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bearing {
    /// The answer allows the request, or is part of what allows it.
    Allow,
    /// The answer denies the request: an explicit Deny, an action that cannot cross accounts,
    /// a key state that refuses it.
    Deny,
    /// The request lacked what the step looks for: a reason for an implicit deny.
    Missing,
    /// Neither: a fact on the way to the decision.
    Neutral,
}

/// Which question a step answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// Is this an IAM-only action (no key policy involved)?
    IamOnly,
    /// Does the key policy, or an identity policy, explicitly deny?
    ExplicitDeny,
    /// Can this action be used on a key in another account?
    CrossAccount,
    /// Does the key policy allow the caller itself?
    KeyPolicyAllowsCaller,
    /// Does the key policy allow the caller's account (delegate to IAM)?
    KeyPolicyTrustsAccount,
    /// Does an identity policy of the caller allow the action on this resource?
    IdentityPolicyAllows,
    /// Does an effective grant cover the operation?
    Grant,
    /// Does the key's state allow the operation (checked after authorization)?
    KeyState,
    /// Do the service control policies of the caller's account allow the action?
    ServiceControlPolicies,
    /// Do the resource control policies of the key's account let the request through?
    ResourceControlPolicies,
    /// Does the caller's permissions boundary allow the action?
    PermissionsBoundary,
    /// Do the caller's session policies allow the action?
    SessionPolicies,
}

/// One step of an explanation: a question about the request, its answer and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Which question.
    pub kind: StepKind,
    /// The question in words, such as "Does an explicit Deny apply?".
    pub question: String,
    /// The answer.
    pub result: StepResult,
    /// What the answer does to the request.
    pub bearing: Bearing,
    /// Why the answer is what it is, in a sentence or two.
    pub text: String,
    /// The statements the answer rests on.
    pub statements: Vec<StatementRef>,
}

/// What the key-state check says once authorization allowed the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyStateCheck {
    /// The key's state at the request's time (`Enabled`, `Disabled`, `PendingDeletion`,
    /// `PendingImport`, `PendingReplicaDeletion`, `Creating`, `Updating`).
    pub state: &'static str,
    /// The exception the operation gets in that state, if any.
    pub exception: Option<&'static str>,
    /// Its message.
    pub message: Option<String>,
}

/// Where the lecture simplifies and KMS differs, noted on the explanations they concern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Note {
    /// The key policy's `root` principal means the account (a delegation to IAM), not the root user.
    RootMeansAccount,
    /// An identity-policy deny counted although the key policy does not trust the account.
    IdentityDenyWithoutDelegation,
    /// A key-policy deny overrides the root statement's delegation and any IAM allow.
    DenyOverridesDelegation,
    /// "Key administrators cannot use the key" holds only for this action: their `kms:Put*` or
    /// `kms:Create*` permission lets them rewrite the policy or grant themselves use.
    AdministratorsCanGrantThemselves,
    /// The console's grant statement requires `kms:GrantIsForAWSResource`: a key user calling
    /// CreateGrant, ListGrants or RevokeGrant directly is not allowed by it.
    GrantStatementIsForAwsServices,
    /// Cross-account use needs both the key policy and the caller's own IAM policy.
    CrossAccountNeedsBothSides,
    /// The request is allowed but the key's state refuses it: the lecture's matrix ignores key
    /// state.
    KeyStateRefuses,
    /// CreateGrant permission from a policy is not limited to the caller's own permissions; only
    /// CreateGrant permission from a grant is.
    GrantsAreNotASubsetOfTheCreatorsPermissions,
    /// A key-policy `Deny` with `NotPrincipal` covered the caller although the list names it:
    /// the caller has a permissions boundary.
    NotPrincipalDenyIgnoresListForBoundaries,
    /// The caller is a service-linked role: the organization's SCPs and RCPs do not restrict it.
    ServiceLinkedRoleOutsideOrganizationPolicies,
}

impl Note {
    /// The note in plain words.
    pub fn text(self) -> &'static str {
        match self {
            Note::RootMeansAccount => {
                "The principal arn:aws:iam::ACCOUNT:root in a key policy stands for the account: it \
                 lets the account's IAM policies grant access to the key. It is not the root user, \
                 and by itself it allows no IAM user or role anything."
            }
            Note::IdentityDenyWithoutDelegation => {
                "An explicit Deny in an IAM policy counts even when the key policy does not \
                 delegate to IAM: only IAM allows need that delegation."
            }
            Note::DenyOverridesDelegation => {
                "The key policy's Deny wins over every Allow, including the root statement's \
                 delegation to IAM and any IAM policy."
            }
            Note::AdministratorsCanGrantThemselves => {
                "Key administrators \"cannot use the key\" only as long as they do not use their \
                 other permissions: kms:Put* lets them rewrite this key policy and kms:Create* \
                 lets them create a grant for themselves."
            }
            Note::GrantStatementIsForAwsServices => {
                "The console's \"Allow attachment of persistent resources\" statement requires \
                 kms:GrantIsForAWSResource: it lets AWS services create grants for key users, \
                 not key users calling CreateGrant themselves."
            }
            Note::CrossAccountNeedsBothSides => {
                "A caller in another account needs both: the key policy must allow it (or its \
                 account), and an IAM policy in its own account must allow the action on this \
                 key's ARN."
            }
            Note::GrantsAreNotASubsetOfTheCreatorsPermissions => {
                "The lecture says key users delegate \"a subset of their own permissions\" with \
                 grants. In KMS, a principal whose kms:CreateGrant comes from a key policy or an \
                 IAM policy can create a grant for any grant operation, including ones it does not \
                 have itself. Only CreateGrant permission that comes from a grant is limited: to a \
                 subset of that grant's operations, with constraints at least as strict."
            }
            Note::NotPrincipalDenyIgnoresListForBoundaries => {
                "A Deny statement with NotPrincipal always denies an IAM user or role that has a \
                 permissions boundary (and the role's sessions), whatever the NotPrincipal list \
                 names (IAM User Guide, NotPrincipal and permissions boundaries). To exempt such \
                 a principal, use Principal \"*\" with an ArnNotEquals condition on \
                 aws:PrincipalArn instead."
            }
            Note::ServiceLinkedRoleOutsideOrganizationPolicies => {
                "The caller is a service-linked role (its path is /aws-service-role/): service \
                 control policies and resource control policies do not restrict service-linked \
                 roles, so none of the organization's SCPs or RCPs was evaluated."
            }
            Note::KeyStateRefuses => {
                "Permissions are not the whole story: the key's state decides too, and a key that \
                 is not Enabled refuses cryptographic operations even to allowed callers."
            }
        }
    }
}

/// One SCP, RCP, permissions boundary or session policy of an explanation, with its trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GuardrailTrace {
    /// Which policy type.
    pub guardrail: Guardrail,
    /// The policy's name.
    pub name: String,
    /// For an SCP, where it is attached on the caller's account's path: "the organization's
    /// root", "OU Production (ou-...)" or "the account".
    pub attached_at: Option<String>,
    /// The trace, statement by statement.
    pub trace: PolicyTrace,
}

/// Why a request was allowed or denied, ready to render.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The caller's ARN (or service name).
    pub caller: PrincipalId,
    /// The permission.
    pub action: Action,
    /// The resource ARN (`*` for IAM-only actions).
    pub resource: String,
    /// The decision and its compact reason (the same as [`decide`] returns).
    pub verdict: Verdict,
    /// The decision in one sentence.
    pub summary: String,
    /// The steps, in the order KMS applies them.
    pub steps: Vec<Step>,
    /// The statements that decided: the deny, or the allows that together allowed.
    pub deciding: Vec<StatementRef>,
    /// The grant that allowed, if one did.
    pub grant: Option<String>,
    /// For a denial, the `AccessDeniedException` message KMS gives.
    pub access_denied_message: Option<String>,
    /// For a key, what its state says about the operation.
    pub key_state: Option<KeyStateCheck>,
    /// Where the lecture simplifies.
    pub notes: Vec<Note>,
    /// The key policy's trace, statement by statement.
    pub key_policy_trace: Option<PolicyTrace>,
    /// Each identity policy's name and trace.
    pub identity_traces: Vec<(String, PolicyTrace)>,
    /// Each SCP, RCP, permissions boundary and session policy that applies, with its trace.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub guardrail_traces: Vec<GuardrailTrace>,
    /// The request's condition keys, as evaluated.
    pub context: Vec<(String, Vec<String>)>,
}

impl Explanation {
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.verdict.is_allowed()
    }

    /// The `AccessDeniedException` for a denial.
    pub fn to_error(&self) -> Option<KmsError> {
        self.verdict
            .denial(&self.caller, self.action, &self.resource)
            .map(KmsError::AccessDenied)
    }
}

/// A refusal in one sentence, from the denial alone: for front ends that show a refused call
/// whose resource is not a cell of the matrix (CreateKey, an alias). A key's refusal is better
/// explained by [`explain`]ing its cell.
pub fn denial_summary(denied: &AccessDenied) -> String {
    let action = denied.action.name();
    let who = &denied.caller;
    match denied.form {
        DenialForm::ExplicitDenyInResourcePolicy => {
            "Denied explicitly by the key policy: a Deny wins over every Allow.".to_owned()
        }
        DenialForm::ExplicitDenyInIdentityPolicy => {
            "Denied explicitly by an IAM policy: a Deny wins over every Allow.".to_owned()
        }
        DenialForm::NoIdentityPolicyAllows => {
            format!(
                "Denied: {action} is an IAM-only permission and no IAM policy of {who} allows it."
            )
        }
        DenialForm::NoResourcePolicyAllows => format!("Denied: nothing allows {action}."),
        DenialForm::ExplicitDenyInServiceControlPolicy => {
            "Denied explicitly by a service control policy: a Deny wins over every Allow."
                .to_owned()
        }
        DenialForm::ExplicitDenyInResourceControlPolicy => {
            "Denied explicitly by a resource control policy: a Deny wins over every Allow."
                .to_owned()
        }
        DenialForm::ExplicitDenyInPermissionsBoundary => {
            "Denied explicitly by a permissions boundary: a Deny wins over every Allow.".to_owned()
        }
        DenialForm::ExplicitDenyInSessionPolicy => {
            "Denied explicitly by a session policy: a Deny wins over every Allow.".to_owned()
        }
        DenialForm::NoServiceControlPolicyAllows => {
            format!("Denied: no service control policy of {who}'s account allows {action}.")
        }
        DenialForm::NoPermissionsBoundaryAllows => {
            format!("Denied: {who}'s permissions boundary does not allow {action}.")
        }
        DenialForm::NoSessionPolicyAllows => {
            format!("Denied: {who}'s session policies do not allow {action}.")
        }
    }
}

/// Decides `request` and explains the decision.
pub fn explain(world: &World, request: &AuthzRequest<'_>) -> Explanation {
    let request = &request.normalized();
    let contexts = contexts_of(world, request);
    let eval_request = Request {
        principal: request.caller.request_principal(),
        action: request.action.name(),
        resource: request.target.resource(),
        context: &contexts.iam,
    };
    let key_request = Request {
        context: &contexts.key_policy,
        ..eval_request
    };
    let facts = caller_facts(world, request.caller);
    let key_trace = request
        .target
        .key_policy()
        .map(|policy| eval::explain_for(policy, &key_request, facts));
    let policies = world.identity_policies(request.caller);
    let identity_traces: Vec<(String, PolicyTrace)> = policies
        .iter()
        .map(|p| (p.name.clone(), eval::explain(&p.policy, &eval_request)))
        .collect();
    let identity = identity_side(
        request.caller,
        identity_traces.iter().map(|(_, t)| t.outcome),
    );
    let applying = guardrails::applying(world, request);
    let guardrail_traces = guardrails::explain(&applying, &eval_request);
    let guardrail_findings =
        guardrails::findings(&applying, guardrail_traces.iter().map(|t| t.outcome));
    let grant = grant_step(world, request, GrantScope::Store);
    let findings = Findings::new(
        key_trace
            .as_ref()
            .map(|t| t.outcome)
            .filter(|_| key_policy_applies(request.action)),
        identity,
        guardrail_findings,
        &grant,
    );
    let verdict = combine(request, &findings);
    let guardrail_traces: Vec<GuardrailTrace> = applying
        .iter()
        .zip(guardrail_traces)
        .map(|(a, trace)| GuardrailTrace {
            guardrail: a.guardrail,
            name: a.name.to_owned(),
            attached_at: a.scp_level.map(|level| level.describe()),
            trace,
        })
        .collect();

    let builder = ExplanationBuilder {
        world,
        request,
        verdict,
        // The steps and notes read no key-policy statement for an action the key policy does
        // not govern (kms:RetireGrant).
        key_trace: key_trace
            .as_ref()
            .filter(|_| key_policy_applies(request.action)),
        identity_traces: &identity_traces,
        identity,
        guardrail_traces: &guardrail_traces,
        guardrails: guardrail_findings,
        scp_missing_at: guardrail_findings.scp_missing.and_then(|level| {
            applying
                .iter()
                .find(|a| a.guardrail == Guardrail::Scp && a.level == level)
                .and_then(|a| a.scp_level)
                .map(|at| at.describe())
        }),
        grant: &grant,
    };
    let steps = builder.steps();
    let deciding = builder.deciding();
    let notes = builder.notes(&key_request);
    let resource = request.target.resource().to_owned();
    let access_denied_message = verdict
        .denial(&request.caller.id, request.action, &resource)
        .map(|denied| denied.message().to_owned());
    let key_state = request.target.key().map(|key| {
        let check = check_key(key, request.action, request.now);
        KeyStateCheck {
            state: key.state_at(request.now).as_str(),
            exception: check.as_ref().err().map(KmsError::exception_name),
            message: check.err().map(|e| e.message().to_owned()),
        }
    });
    let mut notes = notes;
    if verdict.is_allowed() && key_state.as_ref().is_some_and(|s| s.exception.is_some()) {
        notes.push(Note::KeyStateRefuses);
    }
    let mut steps = steps;
    if let Some(state) = &key_state {
        steps.push(key_state_step(request.action, verdict, state));
    }
    Explanation {
        caller: request.caller.id.clone(),
        action: request.action,
        summary: builder.summary(&resource),
        resource,
        verdict,
        steps,
        deciding,
        grant: match grant {
            GrantFinding::Allowed { grant_id, .. } => Some(grant_id),
            _ => None,
        },
        access_denied_message,
        key_state,
        notes,
        key_policy_trace: key_trace,
        identity_traces,
        guardrail_traces,
        context: contexts
            .iam
            .iter()
            .map(|(k, v)| (k.to_owned(), v.values().map(str::to_owned).collect()))
            .collect(),
    }
}

/// The last step: the key-state check, which KMS makes only for authorized requests.
fn key_state_step(action: Action, verdict: Verdict, state: &KeyStateCheck) -> Step {
    let operation = action.operation();
    let (result, bearing, text) = match (verdict.is_allowed(), state.exception, &state.message) {
        (false, _, _) => (
            StepResult::NotChecked,
            Bearing::Neutral,
            format!(
                "KMS checks the key state only for requests it authorized. (The key is {}.)",
                state.state
            ),
        ),
        (true, Some(exception), Some(message)) => (
            StepResult::No,
            Bearing::Deny,
            format!(
                "The key is {}: {operation} fails with {exception}: {message}",
                state.state
            ),
        ),
        (true, _, _) => (
            StepResult::Yes,
            Bearing::Neutral,
            format!("The key is {}, which allows {operation}.", state.state),
        ),
    };
    Step {
        kind: StepKind::KeyState,
        question: format!("Does the key's state allow {operation}?"),
        result,
        bearing,
        text,
        statements: Vec::new(),
    }
}

/// Authorizes `request` for an operation: the verdict when allowed, the
/// `AccessDeniedException` (carrying the explanation) when not.
///
/// The decision is made on the fast path; the explanation, which costs several times the
/// decision, is built only for a denial, the one case that shows it. Both paths share
/// [`combine`], so the explanation always agrees with the verdict.
pub fn require(world: &World, request: &AuthzRequest<'_>) -> Result<Verdict, KmsError> {
    let verdict = decide(world, request);
    if verdict.is_allowed() {
        return Ok(verdict);
    }
    let explanation = explain(world, request);
    match explanation.to_error() {
        Some(error) => Err(error),
        None => Ok(explanation.verdict),
    }
}

/// Builds the human parts of an explanation from the traces.
struct ExplanationBuilder<'a> {
    world: &'a World,
    request: &'a AuthzRequest<'a>,
    verdict: Verdict,
    key_trace: Option<&'a PolicyTrace>,
    identity_traces: &'a [(String, PolicyTrace)],
    identity: IdentitySide,
    guardrail_traces: &'a [GuardrailTrace],
    guardrails: guardrails::Findings,
    /// Where the first SCP level that allows nothing is attached.
    scp_missing_at: Option<String>,
    grant: &'a GrantFinding,
}

impl ExplanationBuilder<'_> {
    fn key_ref(&self, statement: usize) -> Option<StatementRef> {
        let policy = self.request.target.key_policy()?;
        policy
            .statements
            .get(statement)
            .map(|s| StatementRef::new(KEY_POLICY_NAME, s))
    }

    fn identity_ref(&self, policy: usize, statement: usize) -> Option<StatementRef> {
        let policies = self.world.identity_policies(self.request.caller);
        let p = policies.get(policy)?;
        p.policy
            .statements
            .get(statement)
            .map(|s| StatementRef::new(p.name.as_str(), s))
    }

    fn identity_allow_ref(&self, allow: IdentityAllow) -> Option<StatementRef> {
        match allow {
            IdentityAllow::Policy { policy, statement } => self.identity_ref(policy, statement),
            IdentityAllow::RootUser => None,
        }
    }

    /// The key-policy statements whose result is `wanted`.
    fn key_statements(&self, wanted: impl Fn(StatementResult) -> bool) -> Vec<StatementRef> {
        self.key_trace
            .map(|trace| {
                trace
                    .statements
                    .iter()
                    .filter(|s| wanted(s.result))
                    .filter_map(|s| self.key_ref(s.index))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn deciding(&self) -> Vec<StatementRef> {
        match self.verdict.reason {
            Reason::KeyPolicy { statement } | Reason::ExplicitDenyInKeyPolicy { statement } => {
                self.key_ref(statement).into_iter().collect()
            }
            Reason::KeyPolicyAndIam {
                key_statement,
                identity,
                ..
            } => self
                .key_ref(key_statement)
                .into_iter()
                .chain(self.identity_allow_ref(identity))
                .collect(),
            Reason::Iam { identity } => self.identity_allow_ref(identity).into_iter().collect(),
            Reason::ExplicitDenyInIdentityPolicy { policy, statement } => {
                self.identity_ref(policy, statement).into_iter().collect()
            }
            Reason::ExplicitDenyInGuardrail {
                policy, statement, ..
            } => self.guardrail_ref(policy, statement).into_iter().collect(),
            Reason::Grant
            | Reason::GrantPendingTokenOnly { .. }
            | Reason::NoResourcePolicyAllows
            | Reason::NoIdentityPolicyAllows
            | Reason::NotCrossAccount
            | Reason::GuardrailDoesNotAllow { .. } => Vec::new(),
        }
    }

    /// Statement `statement` of the applying guardrail policy number `policy`.
    fn guardrail_ref(&self, policy: usize, statement: usize) -> Option<StatementRef> {
        let trace = self.guardrail_traces.get(policy)?;
        let found = trace.trace.statements.get(statement)?;
        let at = trace
            .attached_at
            .as_deref()
            .map(|at| format!(", attached at {at}"))
            .unwrap_or_default();
        Some(StatementRef {
            policy: format!("{} {}{at}", trace.guardrail.name(), trace.name),
            index: found.index,
            sid: found.sid.clone(),
        })
    }

    /// The decision in one sentence, and for a CreateGrant that a grant would have allowed but
    /// for the grant being created, a second one that says so.
    fn summary(&self, resource: &str) -> String {
        let summary = self.decision_summary(resource);
        match self.grant {
            GrantFinding::DoesNotCover {
                grant_id,
                uncovered,
            } if !self.verdict.is_allowed() => format!(
                "{summary} Grant {grant_id} gives {} {} but does not cover the grant being \
                 created: {}.",
                self.request.caller.id,
                self.request.action.name(),
                uncovered.describe()
            ),
            _ => summary,
        }
    }

    fn decision_summary(&self, resource: &str) -> String {
        let who = &self.request.caller.id;
        let action = self.request.action.name();
        let label = |r: Option<StatementRef>| r.map(|r| r.label()).unwrap_or_default();
        match self.verdict.reason {
            Reason::KeyPolicy { statement } if self.request.caller.is_root() => format!(
                "Allowed: the key policy allows the account principal {who} ({}), which lets the account's root user in without any IAM policy.",
                label(self.key_ref(statement))
            ),
            Reason::KeyPolicy { statement } => format!(
                "Allowed: the key policy allows {who} itself ({}).",
                label(self.key_ref(statement))
            ),
            Reason::KeyPolicyAndIam {
                key_statement,
                via_account: true,
                identity,
            } => format!(
                "Allowed: the key policy delegates to the account's IAM policies ({}) and {} allows {action}.",
                label(self.key_ref(key_statement)),
                self.identity_text(identity)
            ),
            Reason::KeyPolicyAndIam {
                key_statement,
                identity,
                ..
            } => format!(
                "Allowed: the key policy allows the caller ({}) and {} allows {action} in the caller's account.",
                label(self.key_ref(key_statement)),
                self.identity_text(identity)
            ),
            Reason::Iam { identity } => format!(
                "Allowed: {action} is an IAM-only permission and {} allows it.",
                self.identity_text(identity)
            ),
            Reason::Grant => match self.grant {
                GrantFinding::Allowed {
                    grant_id,
                    via_token,
                    ..
                } => format!(
                    "Allowed by grant {grant_id}{}.",
                    if *via_token {
                        " (through its grant token)"
                    } else {
                        ""
                    }
                ),
                _ => "Allowed by a grant.".to_owned(),
            },
            Reason::GrantPendingTokenOnly { .. } => format!(
                "Denied: only a grant would allow {who} {action}, and it is pending (token only): \
                 until it is consistent it works only when its grant token is passed."
            ),
            Reason::ExplicitDenyInKeyPolicy { statement } => format!(
                "Denied explicitly by the key policy ({}): a Deny wins over every Allow.",
                label(self.key_ref(statement))
            ),
            Reason::ExplicitDenyInIdentityPolicy { policy, statement } => format!(
                "Denied explicitly by an IAM policy ({}): a Deny wins over every Allow.",
                label(self.identity_ref(policy, statement))
            ),
            Reason::NoResourcePolicyAllows if self.request.target.key().is_some() => format!(
                "Denied: the key policy of {resource} allows neither {who} nor its account, and no grant applies."
            ),
            Reason::NoResourcePolicyAllows => format!("Denied: nothing allows {action}."),
            Reason::NoIdentityPolicyAllows if self.request.target.key().is_none() => format!(
                "Denied: {action} is an IAM-only permission and no IAM policy of {who} allows it."
            ),
            Reason::NoIdentityPolicyAllows => format!(
                "Denied: the key policy relies on IAM for {who}, but none of its IAM policies allows {action} on {resource}."
            ),
            Reason::NotCrossAccount => format!(
                "Denied: {action} cannot be used on a key in another account, whatever the policies say."
            ),
            Reason::ExplicitDenyInGuardrail {
                guardrail,
                policy,
                statement,
            } => format!(
                "Denied explicitly by a {} ({}): a Deny wins over every Allow.",
                guardrail.name(),
                label(self.guardrail_ref(policy, statement))
            ),
            Reason::GuardrailDoesNotAllow {
                guardrail: Guardrail::Scp,
            } => format!(
                "Denied: no service control policy of {}'s account allows {action}, so no key policy, IAM policy or grant can.",
                self.request.caller.account
            ),
            Reason::GuardrailDoesNotAllow { guardrail } => format!(
                "Denied: the {} of {who} does not allow {action}, so its IAM policies' allows (and a key-policy allow of its role) do not count.",
                guardrail.name()
            ),
        }
    }

    fn identity_text(&self, identity: IdentityAllow) -> String {
        match identity {
            IdentityAllow::Policy { policy, statement } => format!(
                "IAM policy {}",
                self.identity_ref(policy, statement)
                    .map(|r| r.label())
                    .unwrap_or_default()
            ),
            IdentityAllow::RootUser => "the root user's implicit IAM permissions".to_owned(),
        }
    }

    /// The caller in a few words: its name, or "the root user of ACCOUNT".
    fn who(&self) -> String {
        let caller = self.request.caller;
        if caller.is_root() {
            format!("the root user of {}", caller.account)
        } else {
            caller.display_name()
        }
    }

    /// Whether an explicit Deny decided, or the action cannot be used across accounts: the
    /// reason the later steps were not needed, if one of them is.
    fn decided_early(&self) -> Option<&'static str> {
        match self.verdict.reason {
            Reason::ExplicitDenyInKeyPolicy { .. }
            | Reason::ExplicitDenyInIdentityPolicy { .. }
            | Reason::ExplicitDenyInGuardrail { .. } => Some("An explicit Deny already decided."),
            Reason::NotCrossAccount => {
                Some("The action cannot be used across accounts, so nothing else can allow it.")
            }
            _ => None,
        }
    }

    /// The steps, in the order KMS applies them, each a question with its answer.
    fn steps(&self) -> Vec<Step> {
        let mut steps: Vec<Step> = self.iam_only_step().into_iter().collect();
        steps.push(self.deny_step());
        steps.extend(self.guardrail_step(Guardrail::Scp));
        steps.extend(self.guardrail_step(Guardrail::Rcp));
        if let Some(key) = self.request.target.key() {
            if crosses_accounts(self.request.caller, key) {
                steps.push(self.cross_account_step(key));
            }
            if key_policy_applies(self.request.action) {
                steps.push(self.key_allows_caller_step());
                steps.push(self.key_trusts_account_step());
            } else {
                steps.push(self.key_policy_not_effective_step());
            }
        }
        steps.push(self.identity_step());
        steps.extend(self.guardrail_step(Guardrail::PermissionsBoundary));
        steps.extend(self.guardrail_step(Guardrail::SessionPolicy));
        if *self.grant != GrantFinding::NotApplicable {
            steps.push(self.grant_step());
        }
        steps
    }

    /// The step of one guardrail type, when a policy of that type applies.
    fn guardrail_step(&self, guardrail: Guardrail) -> Option<Step> {
        let traces: Vec<(usize, &GuardrailTrace)> = self
            .guardrail_traces
            .iter()
            .enumerate()
            .filter(|(_, t)| t.guardrail == guardrail)
            .collect();
        if traces.is_empty() {
            return None;
        }
        let who = self.who();
        let action = self.request.action.name();
        let names: Vec<&str> = traces.iter().map(|(_, t)| t.name.as_str()).collect();
        let names = names.join(", ");
        let (kind, question) = match guardrail {
            Guardrail::Scp => (
                StepKind::ServiceControlPolicies,
                format!(
                    "Do the service control policies of account {} allow {action}?",
                    self.request.caller.account
                ),
            ),
            Guardrail::Rcp => (
                StepKind::ResourceControlPolicies,
                format!(
                    "Do the resource control policies on the key's account let {action} through?"
                ),
            ),
            Guardrail::PermissionsBoundary => (
                StepKind::PermissionsBoundary,
                format!("Does {who}'s permissions boundary allow {action}?"),
            ),
            Guardrail::SessionPolicy => (
                StepKind::SessionPolicies,
                format!("Do {who}'s session policies allow {action}?"),
            ),
        };
        let allows = |(_, t): &&(usize, &GuardrailTrace)| {
            matches!(
                t.trace.outcome,
                PolicyOutcome::Allow { .. } | PolicyOutcome::AllowViaAccount { .. }
            )
        };
        let allowing: Vec<StatementRef> = traces
            .iter()
            .filter(allows)
            .filter_map(|(i, t)| {
                t.trace
                    .outcome
                    .statement()
                    .and_then(|s| self.guardrail_ref(*i, s))
            })
            .collect();
        let deny = self
            .guardrails
            .deny
            .filter(|(g, _, _)| *g == guardrail)
            .and_then(|(_, policy, statement)| self.guardrail_ref(policy, statement));
        let decisive = self.verdict.reason == Reason::GuardrailDoesNotAllow { guardrail };
        let (result, bearing, text, statements) = if let Some(deny) = deny {
            (
                StepResult::No,
                Bearing::Deny,
                format!("{} denies it: a Deny wins over every Allow.", deny.label()),
                vec![deny],
            )
        } else if guardrail == Guardrail::Rcp {
            (
                StepResult::Yes,
                Bearing::Neutral,
                format!(
                    "No statement of {names} denies it (RCPFullAWSAccess, attached everywhere, allows the rest)."
                ),
                Vec::new(),
            )
        } else {
            let missing = match guardrail {
                Guardrail::Scp => self.guardrails.scp_missing.is_some(),
                Guardrail::PermissionsBoundary => self.guardrails.boundary == Some(false),
                _ => self.guardrails.session == Some(false),
            };
            if !missing {
                // Name only the policies that allow; a policy with nothing to say about the
                // request (a Deny-only SCP whose Deny does not apply) allows nothing.
                let distinct = |want: bool| {
                    let mut out: Vec<&str> = Vec::new();
                    for entry in traces.iter().filter(|e| allows(e) == want) {
                        if !out.contains(&entry.1.name.as_str()) {
                            out.push(entry.1.name.as_str());
                        }
                    }
                    out
                };
                let allow_names = distinct(true);
                let silent = distinct(false);
                let mut text = format!(
                    "{} allow{} it.",
                    allow_names.join(", "),
                    if allow_names.len() == 1 { "s" } else { "" }
                );
                if !silent.is_empty() {
                    text.push_str(&format!(
                        " {} neither allow{} nor den{} it.",
                        silent.join(", "),
                        if silent.len() == 1 { "s" } else { "" },
                        if silent.len() == 1 { "ies" } else { "y" }
                    ));
                }
                (StepResult::Yes, Bearing::Neutral, text, allowing)
            } else if guardrail == Guardrail::Scp {
                (
                    StepResult::No,
                    if decisive {
                        Bearing::Missing
                    } else {
                        Bearing::Neutral
                    },
                    {
                        let at = self.scp_missing_at.as_deref().unwrap_or("some level");
                        let there: Vec<&str> = traces
                            .iter()
                            .filter(|(_, t)| t.attached_at.as_deref() == Some(at))
                            .map(|(_, t)| t.name.as_str())
                            .collect();
                        format!(
                            "At {at}, no service control policy ({}) allows {action}: every level from the root down to the account must allow, so nothing can allow it for principals of this account.",
                            there.join(", ")
                        )
                    },
                    Vec::new(),
                )
            } else if decisive {
                (
                    StepResult::No,
                    Bearing::Missing,
                    format!(
                        "{names} does not allow {action}: it cancels the allows of {who}'s IAM policies, and a key-policy allow that names {who}'s role rather than {who} itself."
                    ),
                    Vec::new(),
                )
            } else {
                (
                    StepResult::No,
                    Bearing::Neutral,
                    format!(
                        "{names} does not allow {action}. It limits only identity-based allows and key-policy allows of {who}'s role; a key policy naming {who}'s own ARN, or a grant, is not limited."
                    ),
                    Vec::new(),
                )
            }
        };
        Some(Step {
            kind,
            question,
            result,
            bearing,
            text,
            statements,
        })
    }

    /// For an action that is not about one key, the first question: IAM policies alone decide.
    /// A key's own operations start with the denies instead; that their key policy decides is
    /// what the following steps show.
    fn iam_only_step(&self) -> Option<Step> {
        let action = self.request.action.name();
        let text = match self.request.target {
            Target::Account => format!(
                "{action} is not about one key: no key policy takes part, IAM policies alone decide."
            ),
            Target::Alias { arn } => format!(
                "For the alias {arn}, IAM policies alone decide; the key's own permission is a separate check."
            ),
            Target::Key(_) | Target::KeyWithPolicy { .. } => return None,
        };
        Some(Step {
            kind: StepKind::IamOnly,
            question: format!("Is {action} authorized by IAM policies alone?"),
            result: StepResult::Yes,
            bearing: Bearing::Neutral,
            text,
            statements: Vec::new(),
        })
    }

    fn deny_step(&self) -> Step {
        let who = self.who();
        let action = self.request.action.name();
        let key_denies = self.key_statements(|r| r == StatementResult::Deny);
        let identity_denies: Vec<StatementRef> = self
            .identity_traces
            .iter()
            .enumerate()
            .flat_map(|(p, (_, trace))| {
                trace
                    .statements
                    .iter()
                    .filter(|s| s.result == StatementResult::Deny)
                    .filter_map(move |s| self.identity_ref(p, s.index))
            })
            .collect();
        const WINS: &str = "A Deny wins over every Allow, grants included.";
        let guardrail_deny = self
            .guardrails
            .deny
            .and_then(|(guardrail, policy, statement)| {
                Some((guardrail, self.guardrail_ref(policy, statement)?))
            });
        let (result, text) = match (key_denies.is_empty(), identity_denies.is_empty()) {
            (true, true) if guardrail_deny.is_some() => (
                StepResult::Yes,
                format!(
                    "A {} denies it. {WINS}",
                    guardrail_deny.as_ref().map_or("policy", |(g, _)| g.name())
                ),
            ),
            (true, true) if self.request.caller.is_root() => (
                StepResult::No,
                format!(
                    "No statement of the key policy denies {action} (the root user has no IAM policies)."
                ),
            ),
            (true, true)
                if self.request.target.key().is_some()
                    && !key_policy_applies(self.request.action) =>
            {
                (
                    StepResult::No,
                    format!(
                        "No statement of {who}'s IAM policies denies {action} (the key policy does not apply to it)."
                    ),
                )
            }
            (true, true) if self.request.target.key().is_some() => (
                StepResult::No,
                format!(
                    "No statement of the key policy or of {who}'s IAM policies denies {action}."
                ),
            ),
            (true, true) => (
                StepResult::No,
                format!("No statement of {who}'s IAM policies denies {action}."),
            ),
            (false, true) => (StepResult::Yes, format!("The key policy denies it. {WINS}")),
            (true, false) => (
                StepResult::Yes,
                format!(
                    "An IAM policy of {who} denies it. {WINS} An IAM Deny counts even where the key policy does not delegate to IAM."
                ),
            ),
            (false, false) => (
                StepResult::Yes,
                format!("Both the key policy and an IAM policy of {who} deny it. {WINS}"),
            ),
        };
        Step {
            kind: StepKind::ExplicitDeny,
            question: "Does an explicit Deny apply?".to_owned(),
            bearing: if result == StepResult::Yes {
                Bearing::Deny
            } else {
                Bearing::Neutral
            },
            result,
            text,
            statements: key_denies
                .into_iter()
                .chain(identity_denies)
                .chain(guardrail_deny.map(|(_, r)| r))
                .collect(),
        }
    }

    fn cross_account_step(&self, key: &Key) -> Step {
        let action = self.request.action.name();
        let who = self.who();
        let caller_account = &self.request.caller.account;
        let supported = self.request.action.cross_account();
        let (result, bearing, text) = if self.verdict.decision == Decision::ExplicitDeny {
            (
                StepResult::NotChecked,
                Bearing::Neutral,
                "An explicit Deny already decided.".to_owned(),
            )
        } else if supported {
            (
                StepResult::Yes,
                Bearing::Neutral,
                format!(
                    "{who} is in account {caller_account}, the key in {}: {action} works across accounts when both sides allow it, the key policy and an IAM policy in {caller_account}.",
                    key.account
                ),
            )
        } else {
            (
                StepResult::No,
                Bearing::Deny,
                format!(
                    "{who} is in account {caller_account}, the key in {}: {action} cannot be used across accounts, whatever the policies say.",
                    key.account
                ),
            )
        };
        Step {
            kind: StepKind::CrossAccount,
            question: format!("Can {action} be used on a key in another account?"),
            result,
            bearing,
            text,
            statements: Vec::new(),
        }
    }

    /// The first key-policy statement that would allow the caller but for its conditions: its
    /// label and the conditions that failed, in words.
    fn key_conditions_failed(&self) -> Option<(StatementRef, String)> {
        self.key_trace?.statements.iter().find_map(|s| {
            let failed = s.failed_conditions_only();
            if failed.is_empty() {
                return None;
            }
            let conditions = failed
                .iter()
                .map(|c| c.summary())
                .collect::<Vec<_>>()
                .join("; ");
            Some((self.key_ref(s.index)?, conditions))
        })
    }

    /// How the key policy's first statement allowing the caller names it.
    fn caller_match(&self) -> Option<eval::CallerMatch> {
        self.key_trace?
            .statements
            .iter()
            .find_map(|s| match s.result {
                StatementResult::Allow(how) => Some(how),
                _ => None,
            })
    }

    fn key_allows_caller_step(&self) -> Step {
        let who = self.who();
        let action = self.request.action.name();
        let mut statements = self.key_statements(|r| matches!(r, StatementResult::Allow(_)));
        let cross_account = self
            .request
            .target
            .key()
            .is_some_and(|key| crosses_accounts(self.request.caller, key));
        let (result, bearing, text) = if let Some(reason) = self.decided_early() {
            (StepResult::NotChecked, Bearing::Neutral, reason.to_owned())
        } else if statements.is_empty() {
            let held_back = self.key_conditions_failed();
            let text = match &held_back {
                Some((statement, conditions)) => format!(
                    "No key-policy statement allows {who} to call {action}: statement {} names {who} for it, but its condition does not hold: {conditions}.",
                    statement.sid.as_deref().map_or_else(
                        || format!("[{}]", statement.index),
                        |sid| format!("\"{sid}\"")
                    )
                ),
                None => format!(
                    "No key-policy statement allows {who} to call {action}: none names {who}{} or \"*\" for it.",
                    if self.request.caller.request_principal().role_arn.is_some() {
                        ", its role"
                    } else {
                        ""
                    }
                ),
            };
            statements.extend(held_back.map(|(statement, _)| statement));
            (
                StepResult::No,
                self.bearing_when_missing(Reason::NoResourcePolicyAllows),
                text,
            )
        } else {
            let how = match self.caller_match() {
                Some(eval::CallerMatch::Everyone) => "allows everyone (\"*\")".to_owned(),
                Some(eval::CallerMatch::Role) => format!("names {who}'s role"),
                Some(eval::CallerMatch::NotExcluded) => {
                    format!("covers everyone its NotPrincipal does not list, {who} included")
                }
                _ if self.request.caller.is_root() => format!(
                    "allows the account principal {}, which names the root user too,",
                    self.request.caller.id
                ),
                _ => format!("names {who}"),
            };
            let enough = if cross_account {
                format!(" From another account, an IAM policy of {who} must allow {action} too.")
            } else {
                " In the key's own account that is enough.".to_owned()
            };
            let bearing = match self.verdict.reason {
                Reason::KeyPolicy { .. }
                | Reason::KeyPolicyAndIam {
                    via_account: false, ..
                } => Bearing::Allow,
                _ => Bearing::Neutral,
            };
            (
                StepResult::Yes,
                bearing,
                format!("The key policy {how} for {action}.{enough}"),
            )
        };
        Step {
            kind: StepKind::KeyPolicyAllowsCaller,
            question: format!("Does the key policy allow {who} directly?"),
            result,
            bearing,
            text,
            statements,
        }
    }

    /// For `kms:RetireGrant`: the key policy (and any RCP) has no effect; the grant decides.
    fn key_policy_not_effective_step(&self) -> Step {
        let action = self.request.action.name();
        Step {
            kind: StepKind::KeyPolicyAllowsCaller,
            question: format!("Does the key policy apply to {action}?"),
            result: StepResult::No,
            bearing: Bearing::Neutral,
            text: format!(
                "{action} is not effective in a key policy or a resource control policy: neither \
                 their Allow nor their Deny statements count. The grant decides who may retire \
                 it (its retiring principal, its grantee when it lists RetireGrant, the account \
                 that created it); a Deny in an IAM policy still stops it."
            ),
            statements: Vec::new(),
        }
    }

    fn key_trusts_account_step(&self) -> Step {
        let action = self.request.action.name();
        let account = &self.request.caller.account;
        let principal = self.request.caller.request_principal().account_root_arn();
        let trusts = self.key_statements(|r| r == StatementResult::AllowViaAccount);
        let (result, bearing, text) = if let Some(reason) = self.decided_early() {
            (StepResult::NotChecked, Bearing::Neutral, reason.to_owned())
        } else if self.request.caller.is_root() {
            (
                StepResult::NotChecked,
                Bearing::Neutral,
                "Not needed for the root user: IAM policies do not govern it, so only the previous question counts.".to_owned(),
            )
        } else if trusts.is_empty() {
            (
                StepResult::No,
                self.bearing_when_missing(Reason::NoResourcePolicyAllows),
                format!(
                    "No statement allows the account principal {principal} for {action}, so no IAM policy of the account can allow it on this key."
                ),
            )
        } else {
            let bearing = match self.verdict.reason {
                Reason::KeyPolicyAndIam {
                    via_account: true, ..
                } => Bearing::Allow,
                _ => Bearing::Neutral,
            };
            (
                StepResult::Yes,
                bearing,
                format!(
                    "The key policy allows the account principal {principal}: IAM policies of the account can allow {action}. By itself that allows no user or role anything."
                ),
            )
        };
        Step {
            kind: StepKind::KeyPolicyTrustsAccount,
            question: format!(
                "Does the key policy let IAM policies of account {account} allow {action}?"
            ),
            result,
            bearing,
            text,
            statements: trusts,
        }
    }

    /// `Missing` for a "no" that is what the request lacked (`missing` is the verdict's reason).
    fn bearing_when_missing(&self, missing: Reason) -> Bearing {
        if self.verdict.reason == missing {
            Bearing::Missing
        } else {
            Bearing::Neutral
        }
    }

    fn identity_step(&self) -> Step {
        let who = self.who();
        let action = self.request.action.name();
        let on = match self.request.target {
            Target::Account => String::new(),
            Target::Alias { arn } => format!(" on the alias {arn}"),
            Target::Key(_) | Target::KeyWithPolicy { .. } => " on this key".to_owned(),
        };
        let question = if self.request.caller.is_root() {
            format!("Does {who} need an IAM policy for {action}{on}?")
        } else {
            format!("Does an IAM policy of {who} allow {action}{on}?")
        };
        let on_key = self.request.target.key().is_some();
        // IAM allows count where the key policy delegates to the caller's account, or names a
        // caller in another account; IAM-only actions need nothing else.
        let counts = !on_key
            || self.key_trace.is_some_and(|t| {
                t.statements.iter().any(|s| {
                    s.result == StatementResult::AllowViaAccount
                        || matches!(s.result, StatementResult::Allow(_))
                            && self
                                .request
                                .target
                                .key()
                                .is_some_and(|key| crosses_accounts(self.request.caller, key))
                })
            });
        let decisive = matches!(
            self.verdict.reason,
            Reason::KeyPolicyAndIam { .. } | Reason::Iam { .. }
        );
        let (result, bearing, text, statements) = if let Some(reason) = self.decided_early() {
            (
                StepResult::NotChecked,
                Bearing::Neutral,
                reason.to_owned(),
                Vec::new(),
            )
        } else {
            match self.identity {
                IdentitySide::Allow(IdentityAllow::RootUser) => (
                    StepResult::No,
                    Bearing::Neutral,
                    "IAM policies do not restrict the root user in its own account or across accounts; only SCPs can.".to_owned(),
                    Vec::new(),
                ),
                IdentitySide::Allow(allow @ IdentityAllow::Policy { .. }) => {
                    let label = self
                        .identity_allow_ref(allow)
                        .map(|r| r.label())
                        .unwrap_or_default();
                    let text = if counts {
                        format!("{label} allows it.")
                    } else if matches!(self.verdict.reason, Reason::KeyPolicy { .. }) {
                        format!("{label} allows it; not needed, the key policy already allows {who}.")
                    } else {
                        format!(
                            "{label} allows it, but to no effect: an IAM allow counts only where the key policy delegates to the account, and this one does not."
                        )
                    };
                    (
                        StepResult::Yes,
                        if decisive {
                            Bearing::Allow
                        } else {
                            Bearing::Neutral
                        },
                        text,
                        self.identity_allow_ref(allow).into_iter().collect(),
                    )
                }
                IdentitySide::Deny { .. } | IdentitySide::Nothing => (
                    StepResult::No,
                    if matches!(
                        self.verdict.reason,
                        Reason::NoIdentityPolicyAllows
                            | Reason::GrantPendingTokenOnly {
                                identity_missing: true,
                                ..
                            }
                    ) {
                        Bearing::Missing
                    } else {
                        Bearing::Neutral
                    },
                    if matches!(self.verdict.reason, Reason::KeyPolicy { .. }) {
                        format!(
                            "None of {who}'s IAM policies allows {action}{on}; not needed, the key policy already allows {who}."
                        )
                    } else {
                        format!("None of {who}'s IAM policies allows {action}{on}.")
                    },
                    Vec::new(),
                ),
            }
        };
        Step {
            kind: StepKind::IdentityPolicyAllows,
            question,
            result,
            bearing,
            text,
            statements,
        }
    }

    fn grant_step(&self) -> Step {
        let who = self.who();
        let action = self.request.action.name();
        let allowed = self
            .grant
            .allows(matches!(self.identity, IdentitySide::Allow(_)));
        let finding = self.grant.step_text(&who, action);
        let (result, bearing, text) = if let Some(reason) = self.decided_early() {
            let text = if self.verdict.decision == Decision::ExplicitDeny {
                "An explicit Deny already decided, and a grant cannot override a Deny.".to_owned()
            } else {
                reason.to_owned()
            };
            (StepResult::NotChecked, Bearing::Neutral, text)
        } else if allowed {
            let bearing = if self.verdict.reason == Reason::Grant {
                Bearing::Allow
            } else {
                Bearing::Neutral
            };
            let text = if self.request.action == Action::CreateGrant
                && self.request.params.grant_operations.is_none()
            {
                // The plain question (the matrix's): no grant to create was named, so none was
                // judged against this grant.
                format!(
                    "{finding} It lets {who} create only grants within it: a subset of its \
                     operations, with constraints at least as strict. This request names no \
                     grant to create, so only whether {who} may call CreateGrant was asked."
                )
            } else {
                finding
            };
            (StepResult::Yes, bearing, text)
        } else if self.verdict.is_allowed() {
            (
                StepResult::NotChecked,
                Bearing::Neutral,
                format!("The policies already allow it. {finding}"),
            )
        } else {
            let bearing = match (self.verdict.reason, self.grant) {
                (Reason::GrantPendingTokenOnly { .. }, _)
                | (_, GrantFinding::DoesNotCover { .. }) => Bearing::Missing,
                _ => Bearing::Neutral,
            };
            (StepResult::No, bearing, finding)
        };
        Step {
            kind: StepKind::Grant,
            question: format!("Does a grant give {who} {action} on this key?"),
            result,
            bearing,
            text,
            statements: Vec::new(),
        }
    }

    fn notes(&self, key_request: &Request<'_>) -> Vec<Note> {
        let request = self.request;
        let mut notes = Vec::new();
        let Some(key) = request.target.key() else {
            return notes;
        };
        let trusts_account = self.key_trace.is_some_and(|t| {
            t.statements
                .iter()
                .any(|s| s.result == StatementResult::AllowViaAccount)
        });
        let names_account_root = self.key_trace.is_some_and(|t| {
            t.statements.iter().any(|s| {
                s.principal
                    .entry
                    .as_deref()
                    .is_some_and(|e| e.ends_with(":root"))
            })
        });
        match self.verdict.reason {
            Reason::KeyPolicyAndIam {
                via_account: true, ..
            }
            | Reason::NoIdentityPolicyAllows => notes.push(Note::RootMeansAccount),
            Reason::ExplicitDenyInKeyPolicy { .. } if trusts_account || names_account_root => {
                notes.push(Note::DenyOverridesDelegation);
            }
            Reason::ExplicitDenyInIdentityPolicy { .. } if !trusts_account => {
                notes.push(Note::IdentityDenyWithoutDelegation);
            }
            _ => {}
        }
        if self.key_trace.is_some_and(|t| {
            t.statements.iter().any(|s| {
                s.result == StatementResult::Deny && s.principal.boundary_overrides_not_principal
            })
        }) {
            notes.push(Note::NotPrincipalDenyIgnoresListForBoundaries);
        }
        if self.world.organization().is_some() && guardrails::is_service_linked_role(request.caller)
        {
            notes.push(Note::ServiceLinkedRoleOutsideOrganizationPolicies);
        }
        if crosses_accounts(request.caller, key) && request.action.cross_account() {
            notes.push(Note::CrossAccountNeedsBothSides);
        }
        if matches!(
            request.action,
            Action::CreateGrant | Action::ListGrants | Action::RevokeGrant
        ) && self.grant_statement_blocked()
        {
            notes.push(Note::GrantStatementIsForAwsServices);
        }
        if request.action == Action::CreateGrant
            && (self.verdict.is_allowed()
                || matches!(self.grant, GrantFinding::DoesNotCover { .. }))
        {
            notes.push(Note::GrantsAreNotASubsetOfTheCreatorsPermissions);
        }
        if !self.verdict.is_allowed()
            && request.action.is_cryptographic()
            && self.is_key_administrator(key_request)
        {
            notes.push(Note::AdministratorsCanGrantThemselves);
        }
        notes
    }

    /// A key-policy statement that would apply but for `kms:GrantIsForAWSResource`.
    fn grant_statement_blocked(&self) -> bool {
        self.key_trace.is_some_and(|trace| {
            trace.statements.iter().any(|s| {
                s.result == StatementResult::NotApplicable
                    && s.principal.matched()
                    && s.action.applies
                    && s.resource.applies
                    && s.conditions.iter().any(|c| {
                        !c.holds && c.key.eq_ignore_ascii_case("kms:GrantIsForAWSResource")
                    })
                    && s.conditions
                        .iter()
                        .all(|c| c.holds || c.key.eq_ignore_ascii_case("kms:GrantIsForAWSResource"))
            })
        })
    }

    /// Whether the key policy lets the caller itself call PutKeyPolicy or CreateGrant
    /// (`key_request` carries the key policy's view of the context).
    fn is_key_administrator(&self, key_request: &Request<'_>) -> bool {
        let Some(policy) = self.request.target.key_policy() else {
            return false;
        };
        [Action::PutKeyPolicy, Action::CreateGrant]
            .iter()
            .any(|action| {
                let probe = Request {
                    action: action.name(),
                    ..*key_request
                };
                eval::evaluate_for(
                    policy,
                    &probe,
                    caller_facts(self.world, self.request.caller),
                )
                .allows_caller()
            })
    }
}
