//! The policy types that only limit: AWS Organizations' service control policies (SCPs) and
//! resource control policies (RCPs), permissions boundaries and session policies. None of them
//! allows anything by itself; a Deny in any of them denies (IAM User Guide,
//! reference_policies_evaluation-logic_policy-eval-denyallow.html).
//!
//! - SCPs apply to the principals of member accounts, not to the management account's, and not
//!   to AWS service principals. At every level where SCPs are attached (the organization's root,
//!   each OU on the way down to the account, the account) one of them must allow; otherwise the
//!   request is denied, whatever a key policy or grant says (AWS Organizations User Guide,
//!   orgs_manage_policies_scps_evaluation.html).
//! - RCPs apply to the resources (keys) of member accounts, not to the management account's,
//!   and never to requests by AWS service principals. AWS attaches `RCPFullAWSAccess` everywhere
//!   and it cannot be detached, and custom RCPs may only deny (the world refuses others), so only
//!   an RCP's Deny statements change a decision. RCPs do not impact `kms:RetireGrant`.
//! - Neither SCPs nor RCPs restrict a service-linked role (a role whose path is
//!   `/aws-service-role/`, or a session of one): "SCPs do not affect any service-linked role"
//!   (AWS Organizations User Guide, orgs_manage_policies_scps.html) and "RCPs do not impact the
//!   effective permissions of any service-linked role" (orgs_manage_policies_rcps.html, "Resources
//!   and entities not restricted by RCPs"); service-linked roles: IAM User Guide,
//!   using-service-linked-roles.html.
//! - A permissions boundary (a user's or role's; a session has its role's) and session policies
//!   limit identity-based allows: those count only where the boundary, and the session policies
//!   when there are any, also allow. A key-policy allow that names an IAM user's ARN or a role
//!   session's ARN is not limited by them; one that names the role's ARN (or everyone) is (IAM
//!   User Guide, access_policies_boundaries.html, "Evaluating effective permissions with
//!   boundaries", and reference_policies_evaluation-logic_policy-eval-denyallow.html).

use super::AuthzRequest;
use crate::policy::Policy;
use crate::policy::eval::{self, PolicyOutcome, PolicyTrace};
use crate::request::Request;
use crate::world::{MAX_SCP_LEVELS, Principal, PrincipalKind, ScpLevel, World};
use serde::Serialize;

/// A policy type that only limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Guardrail {
    /// An AWS Organizations service control policy, on the caller's account.
    Scp,
    /// An AWS Organizations resource control policy, on the key's account.
    Rcp,
    /// The caller's permissions boundary.
    PermissionsBoundary,
    /// The session policies passed when the caller's role was assumed.
    SessionPolicy,
}

impl Guardrail {
    /// The policy type in words, singular: "service control policy".
    pub fn name(self) -> &'static str {
        match self {
            Guardrail::Scp => "service control policy",
            Guardrail::Rcp => "resource control policy",
            Guardrail::PermissionsBoundary => "permissions boundary",
            Guardrail::SessionPolicy => "session policy",
        }
    }
}

/// One guardrail policy that applies to a request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Applying<'a> {
    pub guardrail: Guardrail,
    /// The policy's name (an SCP's or RCP's name, the boundary's name, a session policy's name
    /// or ARN).
    pub name: &'a str,
    pub policy: &'a Policy,
    /// For SCPs, the index of the level (0: the organization's root, then the OUs down to the
    /// account, then the account) where one must allow.
    pub level: usize,
    /// For SCPs, where the policy is attached.
    pub scp_level: Option<ScpLevel<'a>>,
}

/// The guardrail policies that apply to `request`, SCPs first, then RCPs, the boundary and the
/// session policies. Empty, without allocating, in a world without any.
pub(crate) fn applying<'a>(world: &'a World, request: &AuthzRequest<'a>) -> Vec<Applying<'a>> {
    let caller = request.caller;
    let mut out = Vec::new();
    if caller.is_service() {
        return out;
    }
    if world.organization().is_some() && !is_service_linked_role(caller) {
        for (level, (at, policies)) in world
            .scps_for(&caller.account)
            .levels
            .into_iter()
            .enumerate()
        {
            out.extend(policies.into_iter().map(|p| Applying {
                guardrail: Guardrail::Scp,
                name: p.name.as_str(),
                policy: &p.policy,
                level,
                scp_level: Some(at),
            }));
        }
        // RCPs do not impact kms:RetireGrant (orgs_manage_policies_rcps.html; KMS Developer
        // Guide, grant-delete.html).
        if let Some(key) = request
            .target
            .key()
            .filter(|_| super::key_policy_applies(request.action))
        {
            out.extend(world.rcps_for(&key.account).into_iter().map(|p| Applying {
                guardrail: Guardrail::Rcp,
                name: p.name.as_str(),
                policy: &p.policy,
                level: 0,
                scp_level: None,
            }));
        }
    }
    if let Some(boundary) = world.permissions_boundary(caller) {
        out.push(Applying {
            guardrail: Guardrail::PermissionsBoundary,
            name: boundary.name.as_str(),
            policy: &boundary.policy,
            level: 0,
            scp_level: None,
        });
    }
    out.extend(caller.session_policies.iter().map(|p| Applying {
        guardrail: Guardrail::SessionPolicy,
        name: p.name.as_str(),
        policy: &p.policy,
        level: 0,
        scp_level: None,
    }));
    out
}

/// The IAM path of every service-linked role (IAM User Guide, using-service-linked-roles.html).
pub(crate) const SERVICE_LINKED_ROLE_PATH: &str = "/aws-service-role/";

/// Whether `caller` is a service-linked role or a session of one: its (role's) path starts with
/// `/aws-service-role/`. SCPs and RCPs do not restrict it.
pub(crate) fn is_service_linked_role(caller: &Principal) -> bool {
    matches!(
        caller.kind,
        PrincipalKind::Role { .. } | PrincipalKind::AssumedRole { .. }
    ) && caller.path.starts_with(SERVICE_LINKED_ROLE_PATH)
}

/// What the guardrails say about a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Findings {
    /// The first Deny: `(guardrail, index in the applying list, statement)`.
    pub deny: Option<(Guardrail, usize, usize)>,
    /// The first SCP level (an index as in [`Applying::level`]) where no attached policy allows.
    pub scp_missing: Option<usize>,
    /// Whether the boundary allows, when there is one.
    pub boundary: Option<bool>,
    /// Whether a session policy allows, when there are any.
    pub session: Option<bool>,
}

impl Findings {
    /// The guardrail that stops an identity-based allow (or a key-policy allow of the caller's
    /// role), if one does.
    pub fn limit(&self) -> Option<Guardrail> {
        if self.boundary == Some(false) {
            Some(Guardrail::PermissionsBoundary)
        } else if self.session == Some(false) {
            Some(Guardrail::SessionPolicy)
        } else {
            None
        }
    }
}

/// Combines the outcomes of the `applying` policies, in the same order.
pub(crate) fn findings(
    applying: &[Applying<'_>],
    outcomes: impl Iterator<Item = PolicyOutcome>,
) -> Findings {
    let mut findings = Findings::default();
    let mut scp_levels = [(false, false); MAX_SCP_LEVELS];
    for (i, (policy, outcome)) in applying.iter().zip(outcomes).enumerate() {
        let allows = match outcome {
            PolicyOutcome::ExplicitDeny { statement } => {
                findings
                    .deny
                    .get_or_insert((policy.guardrail, i, statement));
                false
            }
            PolicyOutcome::Allow { .. } | PolicyOutcome::AllowViaAccount { .. } => true,
            PolicyOutcome::NoMatch => false,
        };
        match policy.guardrail {
            Guardrail::Scp => {
                if let Some((present, allowed)) = scp_levels.get_mut(policy.level) {
                    *present = true;
                    *allowed |= allows;
                }
            }
            Guardrail::Rcp => {}
            Guardrail::PermissionsBoundary => {
                *findings.boundary.get_or_insert(false) |= allows;
            }
            Guardrail::SessionPolicy => {
                *findings.session.get_or_insert(false) |= allows;
            }
        }
    }
    findings.scp_missing = scp_levels
        .iter()
        .position(|&(present, allowed)| present && !allowed);
    findings
}

/// Evaluates the applying policies against `request` (the fast path).
pub(crate) fn evaluate(applying: &[Applying<'_>], request: &Request<'_>) -> Findings {
    findings(
        applying,
        applying.iter().map(|a| eval::evaluate(a.policy, request)),
    )
}

/// Evaluates the applying policies against `request` with a trace each (the explaining path).
pub(crate) fn explain(applying: &[Applying<'_>], request: &Request<'_>) -> Vec<PolicyTrace> {
    applying
        .iter()
        .map(|a| eval::explain(a.policy, request))
        .collect()
}

/// Whether any applying policy needs the request context for `action`.
pub(crate) fn need_context(applying: &[Applying<'_>], action: &str) -> bool {
    applying
        .iter()
        .any(|a| super::needs_context_for(a.policy, action))
}
