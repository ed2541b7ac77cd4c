//! Exercises: whether a world meets a scenario's `goals` and avoids its `must_not` side effects,
//! a hint per goal saying what decides the cell now, and which changes between two worlds an
//! exercise's `may_edit` does not allow.

use super::check::{Question, explain_question};
use super::{EditKind, Expectation, Scenario};
use crate::authz::{Explanation, IdentityAllow, Reason};
use crate::entropy::Timestamp;
use crate::format::{counted, iso8601};
use crate::policy::document::Effect;
use crate::policy::eval::{Decision, PolicyTrace, StatementTrace};
use crate::request::ContextValue;
use crate::world::World;
use serde::Serialize;

/// One goal or side-effect rule evaluated against a world.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoalStatus {
    /// The entry's JSON path, such as `goals[0]`.
    pub path: String,
    /// The principal's name.
    pub principal: String,
    /// The key's name.
    pub key: String,
    /// The action.
    pub action: String,
    /// The request's own condition keys and grant tokens in words (`kms:EncryptionContext:dept
    /// = finance`), `None` for a plain request: goals on one cell that differ only there must
    /// read apart.
    pub request: Option<String>,
    /// The decision the entry names.
    pub expected: Decision,
    /// What the authorizer decides now.
    pub actual: Decision,
    /// For a request the policies allow, the exception the key's state answers it with.
    pub refused_by_key_state: Option<&'static str>,
    /// Whether the entry's decision holds now: a goal is met, a side effect happened. For
    /// `allow`, the request must also get past the key's state: a goal is about calls that work.
    pub holds: bool,
    /// What decides the cell now, in a sentence or two (never what to change).
    pub hint: String,
}

/// A whole exercise evaluated against a world.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExerciseStatus {
    /// The goals, in file order.
    pub goals: Vec<GoalStatus>,
    /// The side-effect rules, in file order.
    pub must_not: Vec<GoalStatus>,
}

impl ExerciseStatus {
    /// Every goal holds and no side effect happened.
    pub fn solved(&self) -> bool {
        !self.goals.is_empty()
            && self.goals.iter().all(|g| g.holds)
            && self.must_not.iter().all(|g| !g.holds)
    }

    /// How many goals hold.
    pub fn goals_met(&self) -> usize {
        self.goals.iter().filter(|g| g.holds).count()
    }
}

/// Evaluates `scenario`'s goals and side-effect rules against `world` at `now`. Entries name
/// principals and keys by their ARN in `scenario`, so `world` may be any world grown from it.
pub fn exercise_status(scenario: &Scenario, world: &World, now: Timestamp) -> ExerciseStatus {
    let evaluate = |list: &[Expectation]| -> Vec<GoalStatus> {
        list.iter()
            .filter_map(|e| evaluate_goal(scenario, e, world, now))
            .collect()
    };
    ExerciseStatus {
        goals: evaluate(&scenario.exercise.goals),
        must_not: evaluate(&scenario.exercise.must_not),
    }
}

/// Evaluates one goal-shaped entry (a goal, a side-effect rule, or any question written like an
/// `expect` entry) against `world`, with the hint for what decides it now.
pub fn evaluate_goal(
    scenario: &Scenario,
    entry: &Expectation,
    world: &World,
    now: Timestamp,
) -> Option<GoalStatus> {
    let principal = scenario.principals.get(entry.principal)?;
    let key = scenario.keys.get(entry.key)?;
    let question: Question = entry.question(scenario)?;
    let (actual, refused, hint) = match explain_question(world, &question, now) {
        Ok(x) => {
            let refused = x
                .key_state
                .as_ref()
                .and_then(|s| s.exception)
                .filter(|_| x.is_allowed());
            let hint = what_decides(&x, &principal.name, &key.name, &entry.action);
            (x.verdict.decision, refused, hint)
        }
        Err(e) => (Decision::ImplicitDeny, None, e.to_string()),
    };
    let holds = actual == entry.decision && !(actual == Decision::Allow && refused.is_some());
    Some(GoalStatus {
        path: entry.path.clone(),
        principal: principal.name.clone(),
        key: key.name.clone(),
        action: entry.action.clone(),
        request: request_words(entry),
        expected: entry.decision,
        actual,
        refused_by_key_state: refused,
        holds,
        hint,
    })
}

/// What an entry's request carries beyond the principal, key and action, in words.
fn request_words(entry: &Expectation) -> Option<String> {
    let mut parts: Vec<String> = entry
        .context
        .iter()
        .map(|(key, value)| match value {
            ContextValue::Single(v) => format!("{key} = {v}"),
            ContextValue::Multi(vs) => format!("{key} = [{}]", vs.join(", ")),
        })
        .collect();
    if !entry.grant_tokens.is_empty() {
        parts.push(counted(
            entry.grant_tokens.len(),
            "grant token",
            "grant tokens",
        ));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A statement's label: its `Sid` in quotes, or its position.
fn label(trace: Option<&PolicyTrace>, index: usize) -> String {
    match trace
        .and_then(|t| t.statements.get(index))
        .and_then(|s| s.sid.as_deref())
    {
        Some(sid) if !sid.is_empty() => format!("\"{sid}\""),
        _ => format!("Statement[{index}]"),
    }
}

/// An Allow statement that names the caller (or its account), covers the action and the key,
/// and fails only on a condition: the closest the policy comes to allowing.
fn near_miss(trace: &PolicyTrace) -> Option<&StatementTrace> {
    trace.statements.iter().find(|s| {
        s.effect == Effect::Allow
            && s.principal.matched()
            && s.action.applies
            && s.resource.applies
            && s.conditions.iter().any(|c| !c.holds)
    })
}

/// What decides `x` now, in words a student can act on without being told the fix.
fn what_decides(x: &Explanation, who: &str, key: &str, action: &str) -> String {
    let key_trace = x.key_policy_trace.as_ref();
    let identity = |policy: usize, statement: usize| -> String {
        let trace = x.identity_traces.get(policy);
        let name = trace.map_or("?", |(n, _)| n.as_str());
        format!(
            "statement {} of {who}'s IAM policy {name}",
            label(trace.map(|(_, t)| t), statement)
        )
    };
    let identity_allow = |allow: IdentityAllow| match allow {
        IdentityAllow::Policy { policy, statement } => identity(policy, statement),
        IdentityAllow::RootUser => format!("{who} is the account's root user"),
    };
    let mut text = match x.verdict.reason {
        Reason::ExplicitDenyInKeyPolicy { statement } => format!(
            "Statement {} of {key}'s key policy denies {who} {action}. An explicit Deny overrides every Allow.",
            label(key_trace, statement)
        ),
        Reason::ExplicitDenyInIdentityPolicy { policy, statement } => format!(
            "{} denies {action} on {key}. An explicit Deny in an IAM policy counts even where the key policy does not delegate to IAM.",
            capitalize(&identity(policy, statement))
        ),
        Reason::NoResourcePolicyAllows => format!(
            "{key}'s key policy has no statement that allows {who} {action}, neither by naming {who} nor by delegating to {who}'s account (its `:root` principal), and no grant covers it."
        ),
        Reason::NoIdentityPolicyAllows => format!(
            "{key}'s key policy lets IAM policies in {who}'s account decide {action}, but no IAM policy of {who} allows it on this key."
        ),
        Reason::NotCrossAccount => format!(
            "{action} cannot be used on a key in another account, whatever the policies say."
        ),
        Reason::ExplicitDenyInGuardrail { guardrail, .. } => format!(
            "A {} denies {who} {action}. An explicit Deny overrides every Allow.",
            guardrail.name()
        ),
        Reason::GuardrailDoesNotAllow { guardrail } => format!(
            "{who}'s {} does not allow {action}, so what else allows it does not count.",
            guardrail.name()
        ),
        Reason::GrantPendingTokenOnly { effective_from, .. } => format!(
            "Only a grant allows this, and it is still propagating: it works with its grant token now, and without it from {}.",
            iso8601(effective_from)
        ),
        Reason::KeyPolicy { statement } => format!(
            "Allowed now: statement {} of {key}'s key policy names {who}.",
            label(key_trace, statement)
        ),
        Reason::KeyPolicyAndIam {
            key_statement,
            via_account,
            identity,
        } => format!(
            "Allowed now: statement {} of {key}'s key policy {}, and {} allows it.",
            label(key_trace, key_statement),
            if via_account {
                "delegates to the account"
            } else {
                "allows the caller's account"
            },
            identity_allow(identity)
        ),
        Reason::Iam { identity } => format!("Allowed now: {}.", identity_allow(identity)),
        Reason::Grant => match &x.grant {
            Some(id) => format!("Allowed now by grant {id} on {key}."),
            None => format!("Allowed now by a grant on {key}."),
        },
    };
    if !x.is_allowed() && x.verdict.decision == Decision::ImplicitDeny {
        let misses = key_trace
            .map(|t| ("the key policy", t))
            .into_iter()
            .chain(x.identity_traces.iter().map(|(n, t)| (n.as_str(), t)));
        for (policy, trace) in misses {
            if let Some(s) = near_miss(trace) {
                let failing: Vec<String> = s
                    .conditions
                    .iter()
                    .filter(|c| !c.holds)
                    .map(|c| c.summary())
                    .collect();
                text.push_str(&format!(
                    " Statement {} of {policy} would apply, but its condition does not hold: {}.",
                    label(Some(trace), s.index),
                    failing.join("; ")
                ));
                break;
            }
        }
    }
    if let Some(state) = x.key_state.as_ref().filter(|_| x.is_allowed()) {
        if let Some(exception) = state.exception {
            text.push_str(&format!(
                " But {key} is {}: KMS refuses {action} with {exception}, whatever the policies allow.",
                state.state
            ));
        }
    }
    text
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The changes from `before` to `after` that `scenario`'s `may_edit` does not allow, one
/// sentence each (empty when the file does not restrict edits).
pub fn changes_outside(scenario: &Scenario, before: &World, after: &World) -> Vec<String> {
    let Some(scopes) = &scenario.exercise.may_edit else {
        return Vec::new();
    };
    let allowed = |kind: EditKind, arn: &str| scopes.iter().any(|s| s.kind == kind && s.arn == arn);
    let name_of_key = |arn: &str| scenario.key_name(arn);
    let name_of_principal = |arn: &str| scenario.principal_name(arn);
    let mut out = Vec::new();
    for k in before.keys.keys() {
        let name = name_of_key(&k.arn);
        let Some(now) = after.keys.get_by_arn(&k.arn) else {
            out.push(format!("the key {name} was deleted"));
            continue;
        };
        if k.policy.text != now.policy.text && !allowed(EditKind::KeyPolicy, &k.arn) {
            out.push(format!("the key policy of {name} changed"));
        }
        if k.state.as_str() != now.state.as_str() && !allowed(EditKind::KeyState, &k.arn) {
            out.push(format!(
                "the state of {name} changed ({} to {})",
                k.state.as_str(),
                now.state.as_str()
            ));
        }
        if (k.tags != now.tags || aliases(before, k) != aliases(after, now))
            && !allowed(EditKind::KeyPolicy, &k.arn)
        {
            out.push(format!("the tags or aliases of {name} changed"));
        }
        // By content, not id: two loads of the same file give its grants different ids.
        let grants = |w: &World| -> Vec<String> {
            let mut list: Vec<String> = w
                .grants
                .on_key(&k.arn)
                .filter(|g| g.is_active())
                .map(|g| {
                    format!(
                        "{} {:?} {:?} {:?} {:?}",
                        g.grantee, g.operations, g.constraints, g.retiring, g.name
                    )
                })
                .collect();
            crate::sort::sort(&mut list);
            list
        };
        if grants(before) != grants(after) && !allowed(EditKind::Grants, &k.arn) {
            out.push(format!("the grants on {name} changed"));
        }
    }
    for k in after.keys.keys() {
        if before.keys.get_by_arn(&k.arn).is_none() {
            out.push(format!("a key was created ({})", k.arn));
        }
    }
    for p in before.principals() {
        let Some(arn) = p.arn() else {
            continue;
        };
        let name = name_of_principal(arn.as_str());
        let Some(now) = after.principal(arn) else {
            out.push(format!("the principal {name} was removed"));
            continue;
        };
        let documents = |policies: &[crate::world::IdentityPolicy]| -> Vec<(String, String)> {
            policies
                .iter()
                .map(|ip| (ip.name.clone(), ip.text.to_string()))
                .collect()
        };
        if documents(&p.policies) != documents(&now.policies)
            && !allowed(EditKind::Identity, arn.as_str())
        {
            out.push(format!("the IAM policies of {name} changed"));
        }
        if p.tags != now.tags && !allowed(EditKind::Identity, arn.as_str()) {
            out.push(format!("the tags of {name} changed"));
        }
    }
    for arn in after.principals().filter_map(|p| p.arn()) {
        if before.principal(arn).is_none() {
            out.push(format!("a principal was added ({arn})"));
        }
    }
    out
}

fn aliases(world: &World, key: &crate::store::Key) -> Vec<String> {
    world
        .keys
        .aliases_for(key)
        .map(|a| a.name.clone())
        .collect()
}
