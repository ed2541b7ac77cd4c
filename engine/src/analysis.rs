//! Answers beyond single decisions: the change that flips a cell ([`fixes`]), what principals
//! nobody listed could do ([`synthetic`]), who could give themselves access ([`escalation`]),
//! and the findings of an audit ([`audit`]).
//!
//! Every answer is verified by the authorizer itself: a fix is applied to a copy of the world
//! and the cell decided again; a synthetic principal is a fresh principal of its kind decided like
//! any other; an escalation is the world after the step, decided again. Nothing here has access
//! rules of its own beyond which changes to try.
//!
//! This layer sits above [`crate::authz`], [`crate::matrix`] and [`crate::scenario`]: it uses them
//! and nothing below uses it.

pub mod audit;
pub mod edit;
pub mod escalation;
pub mod fixes;
pub mod synthetic;

use crate::authz::{self, AuthzRequest, RequestParams, Target};
use crate::catalog::Action;
use crate::entropy::Timestamp;
use crate::matrix::{Cell, Matrix};
use crate::request::PrincipalArn;
use crate::scenario::Scenario;
use crate::store::check_key;
use crate::world::{Principal, World};
use serde::Serialize;
use std::collections::BTreeMap;

pub use audit::{Finding, FindingKind, Severity, audit};
pub use edit::{Change, apply_changes};
pub use escalation::{Escalation, EscalationPath, reachable};
pub use fixes::{Fix, FixReport, SideEffect, propose_fixes};
pub use synthetic::{SyntheticCell, SyntheticKind, SyntheticRow, synthetic_rows};

/// What a request comes to: the authorizer's decision, and for an allowed request whether the
/// key's state then refuses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Allowed, and the key's state allows the operation: the call succeeds.
    Allow,
    /// Allowed by the policies, but the key's state refuses the operation.
    KeyStateRefuses,
    /// Denied by an explicit `Deny`.
    ExplicitDeny,
    /// Denied because nothing allows it.
    ImplicitDeny,
}

impl Outcome {
    /// The outcome of a matrix cell.
    pub fn of_cell(cell: Cell) -> Outcome {
        match cell.verdict.decision {
            crate::policy::eval::Decision::Allow if cell.state_error.is_some() => {
                Outcome::KeyStateRefuses
            }
            crate::policy::eval::Decision::Allow => Outcome::Allow,
            crate::policy::eval::Decision::ExplicitDeny => Outcome::ExplicitDeny,
            crate::policy::eval::Decision::ImplicitDeny => Outcome::ImplicitDeny,
        }
    }

    /// `allow`, `key-state-refuses`, `explicit-deny` or `implicit-deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::KeyStateRefuses => "key-state-refuses",
            Outcome::ExplicitDeny => "explicit-deny",
            Outcome::ImplicitDeny => "implicit-deny",
        }
    }
}

/// The cells the analysis looks at: principals (ARNs) × keys × actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Universe {
    /// The listed principals' ARNs.
    pub principals: Vec<PrincipalArn>,
    /// The keys.
    pub keys: Vec<String>,
    /// The actions.
    pub actions: Vec<Action>,
}

impl Universe {
    /// A scenario's principals and keys, with its actions (Encrypt and Decrypt when it names
    /// none) and `extra` actions.
    pub fn of_scenario(scenario: &Scenario, world: &World, extra: &[Action]) -> Universe {
        let mut actions: Vec<Action> = scenario
            .actions
            .iter()
            .filter_map(|a| Action::from_name(a))
            .collect();
        if actions.is_empty() {
            actions = vec![Action::Encrypt, Action::Decrypt];
        }
        for &action in extra {
            if !actions.contains(&action) {
                actions.push(action);
            }
        }
        Universe {
            principals: scenario
                .principals
                .iter()
                .filter(|p| world.principal(&p.arn).is_some())
                .map(|p| p.arn.clone())
                .collect(),
            keys: scenario
                .keys
                .iter()
                .filter_map(|k| world.keys.get_by_arn(&k.arn).map(|key| key.arn.clone()))
                .collect(),
            actions,
        }
    }

    /// Every principal and key of a world, with `actions`.
    pub fn of_world(world: &World, actions: &[Action]) -> Universe {
        Universe {
            principals: world
                .principals()
                .filter_map(|p| p.arn().cloned())
                .collect(),
            keys: world.keys.keys().map(|k| k.arn.clone()).collect(),
            actions: actions.to_vec(),
        }
    }
}

/// One request: who, which key, which action, with which parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct CellQuery {
    /// The caller's ARN.
    pub principal: PrincipalArn,
    /// The key.
    pub key: String,
    /// The action.
    pub action: Action,
    /// The request's parameters (encryption context, service, grant tokens, ...).
    pub params: RequestParams,
}

/// Decides `caller` calling `action` on `key` with `params` at `now`, key state included.
pub(crate) fn outcome_for(
    world: &World,
    caller: &Principal,
    key: &str,
    action: Action,
    params: &RequestParams,
    now: Timestamp,
) -> Option<Outcome> {
    let key = world.keys.get_by_arn(key)?;
    let verdict = authz::decide(
        world,
        &AuthzRequest {
            caller,
            action,
            target: Target::Key(key),
            params,
            now,
        },
    );
    let state_error = verdict.is_allowed() && check_key(key, action, now).is_err();
    Some(Outcome::of_cell(Cell {
        verdict,
        state_error: state_error.then_some("refused"),
    }))
}

/// Decides a query in `world` at `now`.
pub fn decide_query(world: &World, query: &CellQuery, now: Timestamp) -> Option<Outcome> {
    let caller = world.principal(&query.principal)?;
    outcome_for(world, caller, &query.key, query.action, &query.params, now)
}

/// A matrix with its rows and columns indexed, so that a smaller matrix over some of its
/// principals and keys (and the same actions, in the same order) can be compared cell by cell.
pub(crate) struct IndexedMatrix<'m> {
    matrix: &'m Matrix,
    rows: BTreeMap<&'m str, usize>,
    columns: BTreeMap<&'m String, usize>,
}

impl<'m> IndexedMatrix<'m> {
    pub(crate) fn new(matrix: &'m Matrix) -> IndexedMatrix<'m> {
        IndexedMatrix {
            matrix,
            rows: crate::sort::map_from(
                matrix
                    .principals()
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.as_str(), i)),
            ),
            columns: crate::sort::map_from(matrix.keys().iter().enumerate().map(|(i, k)| (k, i))),
        }
    }

    /// The cells of `after` whose outcome differs from this matrix's, as (principal, key,
    /// action, before, after). `after` must have this matrix's actions in the same order.
    pub(crate) fn differences<'a>(
        &'a self,
        after: &'a Matrix,
    ) -> impl Iterator<Item = (&'a str, &'a String, Action, Outcome, Outcome)> + 'a {
        let actions = after.actions();
        after
            .principals()
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((i, p.as_str(), *self.rows.get(p.as_str())?)))
            .flat_map(move |(i, p, row)| {
                after
                    .keys()
                    .iter()
                    .enumerate()
                    .filter_map(move |(j, k)| Some((j, k, *self.columns.get(k)?)))
                    .flat_map(move |(j, k, column)| {
                        actions.iter().enumerate().filter_map(move |(a, &action)| {
                            let before = Outcome::of_cell(self.matrix.cell(row, column, a)?);
                            let now = Outcome::of_cell(after.cell(i, j, a)?);
                            (before != now).then_some((p, k, action, before, now))
                        })
                    })
            })
    }
}
