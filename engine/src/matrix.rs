//! The access matrix: for every principal × key × action, the authorizer's verdict.
//!
//! A [`Matrix`] is a pure function of the world and its three axes, stored so that one edit
//! recomputes only what it can change: an identity policy edit changes one principal's row (and
//! its sessions' rows, which share the role's policies), a key policy edit one key's column.
//! Cells hold the compact [`Verdict`]; [`Matrix::explain`] builds the full explanation of one
//! cell on demand.

use crate::authz::{self, AuthzRequest, Explanation, RequestParams, Target, Verdict};
use crate::entropy::Timestamp;
use crate::kms::Action;
use crate::request::Context;
use crate::store::{Key, KeyId, check_key_state};
use crate::world::{Principal, PrincipalKind, World};
use serde::Serialize;
use std::sync::Arc;

/// One cell: the authorizer's verdict, and what the key state then says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Allowed or denied, and why.
    pub verdict: Verdict,
    /// For an allowed request on a key whose state refuses the operation: the exception
    /// (`DisabledException`, `KMSInvalidStateException`, ...).
    pub state_error: Option<&'static str>,
}

impl Cell {
    /// Allowed by policy and by key state: the call would succeed.
    pub fn succeeds(self) -> bool {
        self.verdict.is_allowed() && self.state_error.is_none()
    }
}

/// A cell with its coordinates, as [`Matrix::cells`] lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CellRef<'m> {
    /// The principal's ARN.
    pub principal: &'m str,
    /// The key's id.
    pub key: &'m KeyId,
    /// The action.
    pub action: Action,
    /// The cell.
    pub cell: Cell,
}

/// The access matrix of a world over chosen principals, keys and actions.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    principals: Vec<String>,
    keys: Vec<KeyId>,
    actions: Vec<Action>,
    now: Timestamp,
    /// Row-major: principal, then key, then action.
    cells: Vec<Cell>,
}

/// The empty request parameters every matrix cell uses: the matrix asks "may P call A on K",
/// with no encryption context, grant tokens or service.
static NO_PARAMS: std::sync::LazyLock<RequestParams> =
    std::sync::LazyLock::new(RequestParams::default);

impl Matrix {
    /// Computes the matrix of `principals` (ARNs) × `keys` × `actions` at time `now`.
    /// Principals and keys the world does not have are left out.
    pub fn compute(
        world: &World,
        principals: &[String],
        keys: &[KeyId],
        actions: &[Action],
        now: Timestamp,
    ) -> Matrix {
        let principals: Vec<String> = principals
            .iter()
            .filter(|p| world.principal(p).is_some())
            .cloned()
            .collect();
        let keys: Vec<KeyId> = keys
            .iter()
            .filter(|k| world.keys.get(k).is_some())
            .cloned()
            .collect();
        let mut matrix = Matrix {
            cells: Vec::with_capacity(principals.len() * keys.len() * actions.len()),
            principals,
            keys,
            actions: actions.to_vec(),
            now,
        };
        let resolved_keys: Vec<Arc<Key>> = matrix
            .keys
            .iter()
            .filter_map(|k| world.keys.get(k).cloned())
            .collect();
        for arn in &matrix.principals {
            let Some(principal) = world.principal(arn) else {
                continue;
            };
            for key in &resolved_keys {
                fill(
                    world,
                    principal,
                    key,
                    &matrix.actions,
                    now,
                    &mut matrix.cells,
                );
            }
        }
        matrix
    }

    /// The whole matrix of a world: every principal, every key, the given actions.
    pub fn of_world(world: &World, actions: &[Action], now: Timestamp) -> Matrix {
        let principals: Vec<String> = world.principals().map(|p| p.arn.clone()).collect();
        let keys: Vec<KeyId> = world.keys.keys().map(|k| k.id.clone()).collect();
        Matrix::compute(world, &principals, &keys, actions, now)
    }

    /// The principals (rows), as ARNs.
    pub fn principals(&self) -> &[String] {
        &self.principals
    }

    /// The keys (columns).
    pub fn keys(&self) -> &[KeyId] {
        &self.keys
    }

    /// The actions of each cell group.
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The time the matrix was computed for.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    fn index(&self, principal: usize, key: usize, action: usize) -> Option<usize> {
        (principal < self.principals.len() && key < self.keys.len() && action < self.actions.len())
            .then(|| (principal * self.keys.len() + key) * self.actions.len() + action)
    }

    /// The cell at row `principal`, column `key`, action number `action`.
    pub fn cell(&self, principal: usize, key: usize, action: usize) -> Option<Cell> {
        self.index(principal, key, action)
            .and_then(|i| self.cells.get(i))
            .copied()
    }

    /// The cell for a principal ARN, key id and action.
    pub fn lookup(&self, principal: &str, key: &KeyId, action: Action) -> Option<Cell> {
        let p = self.principals.iter().position(|x| x == principal)?;
        let k = self.keys.iter().position(|x| x == key)?;
        let a = self.actions.iter().position(|&x| x == action)?;
        self.cell(p, k, a)
    }

    /// Every cell with its coordinates, row by row.
    pub fn cells(&self) -> impl Iterator<Item = CellRef<'_>> {
        let per_row = self.keys.len() * self.actions.len();
        self.cells.iter().enumerate().filter_map(move |(i, &cell)| {
            let principal = self.principals.get(i / per_row.max(1))?;
            let key = self
                .keys
                .get(i % per_row.max(1) / self.actions.len().max(1))?;
            let action = *self.actions.get(i % self.actions.len().max(1))?;
            Some(CellRef {
                principal,
                key,
                action,
                cell,
            })
        })
    }

    /// How many cells there are.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the matrix has no cells.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Recomputes after an identity-policy (or principal tag) change of `principal`: its row and,
    /// for a role, the rows of its sessions. Returns the rows recomputed.
    pub fn recompute_row(&mut self, world: &World, principal: &str) -> Vec<usize> {
        let role = world.principal(principal).and_then(|p| match &p.kind {
            PrincipalKind::Role { name } => Some((p.account.clone(), name.clone())),
            _ => None,
        });
        let rows: Vec<usize> = self
            .principals
            .iter()
            .enumerate()
            .filter(|(_, arn)| {
                arn.as_str() == principal
                    || role.as_ref().is_some_and(|(account, name)| {
                        world.principal(arn).is_some_and(|p| {
                            p.account == *account
                                && matches!(&p.kind, PrincipalKind::AssumedRole { role, .. } if role == name)
                        })
                    })
            })
            .map(|(i, _)| i)
            .collect();
        let keys: Vec<Option<Arc<Key>>> = self
            .keys
            .iter()
            .map(|k| world.keys.get(k).cloned())
            .collect();
        let mut buffer = Vec::with_capacity(self.actions.len());
        for &row in &rows {
            let Some(principal) = self
                .principals
                .get(row)
                .and_then(|arn| world.principal(arn))
            else {
                continue;
            };
            for (column, key) in keys.iter().enumerate() {
                let Some(key) = key else { continue };
                buffer.clear();
                fill(world, principal, key, &self.actions, self.now, &mut buffer);
                self.store(row, column, &buffer);
            }
        }
        rows
    }

    /// Recomputes after a change to `key` (its policy, state, tags or aliases): its column.
    /// Returns the column, if the key is in the matrix.
    pub fn recompute_column(&mut self, world: &World, key: &KeyId) -> Option<usize> {
        let column = self.keys.iter().position(|k| k == key)?;
        let key = world.keys.get(key)?.clone();
        let mut buffer = Vec::with_capacity(self.actions.len());
        for row in 0..self.principals.len() {
            let Some(principal) = self
                .principals
                .get(row)
                .and_then(|arn| world.principal(arn))
            else {
                continue;
            };
            buffer.clear();
            fill(world, principal, &key, &self.actions, self.now, &mut buffer);
            self.store(row, column, &buffer);
        }
        Some(column)
    }

    fn store(&mut self, row: usize, column: usize, values: &[Cell]) {
        let Some(start) = self.index(row, column, 0) else {
            return;
        };
        if let Some(slot) = self.cells.get_mut(start..start + values.len()) {
            slot.copy_from_slice(values);
        }
    }

    /// The full explanation of one cell.
    pub fn explain(
        &self,
        world: &World,
        principal: usize,
        key: usize,
        action: usize,
    ) -> Option<Explanation> {
        let principal = world.principal(self.principals.get(principal)?)?;
        let key = world.keys.get(self.keys.get(key)?)?;
        let action = *self.actions.get(action)?;
        Some(authz::explain(
            world,
            &AuthzRequest {
                caller: principal,
                action,
                target: Target::Key(key),
                params: &NO_PARAMS,
                now: self.now,
            },
        ))
    }
}

/// Appends the cells of one (principal, key) pair, one per action. The request context is built
/// at most twice per pair (grant-list actions carry `kms:GrantIsForAWSResource`, others do not),
/// and only when a policy involved has conditions or policy variables.
fn fill(
    world: &World,
    principal: &Principal,
    key: &Key,
    actions: &[Action],
    now: Timestamp,
    out: &mut Vec<Cell>,
) {
    let needs_context = authz::needs_context(&key.policy.policy)
        || world
            .identity_policies(principal)
            .iter()
            .any(|p| authz::needs_context(&p.policy));
    let empty = Context::new();
    let mut contexts: [Option<Context>; 2] = [None, None];
    for &action in actions {
        let request = AuthzRequest {
            caller: principal,
            action,
            target: Target::Key(key),
            params: &NO_PARAMS,
            now,
        };
        let context = if needs_context {
            let slot = usize::from(matches!(
                action,
                Action::CreateGrant | Action::ListGrants | Action::RevokeGrant
            ));
            match contexts.get_mut(slot) {
                Some(cached) => {
                    &*cached.get_or_insert_with(|| authz::request_context(world, &request))
                }
                None => &empty,
            }
        } else {
            &empty
        };
        let verdict = authz::decide_in(world, &request, context);
        let state_error = if verdict.is_allowed() {
            check_key_state(key.state, key.origin, action, &key.arn)
                .err()
                .map(|e| e.exception_name())
        } else {
            None
        };
        out.push(Cell {
            verdict,
            state_error,
        });
    }
}
