//! The access matrix: for every principal × key × action, the authorizer's verdict.
//!
//! A [`Matrix`] is a pure function of the world and its three axes, stored so that one edit
//! recomputes only what it can change: an identity policy edit changes one principal's row (and
//! its sessions' rows, which share the role's policies), a key policy edit one key's column.
//! Cells hold the compact [`Verdict`]; [`Matrix::explain`] builds the full explanation of one
//! cell on demand.
//!
//! The matrix decides every cell exactly as [`authz::decide`] does, but in batches: each policy's
//! statements are sorted by action once and their `Resource` patterns cut into segments once
//! ([`PolicyPlan`]), each key's ARN is cut once per column, each (principal, key) pair keeps only
//! the statements whose principal and resource elements cover it, and a cell then looks only at
//! the statements that can apply to its action. A statement's conditions are judged once per
//! pair and request context, and the grant step sees only the grants that can concern the cell. Every element is still judged by
//! [`crate::policy::eval`]'s functions, and the combining rule is the authorizer's
//! ([`authz::verdict_from_outcomes`]); a test checks cell by cell that the two paths agree.

use crate::authz::{
    self, AuthzRequest, Explanation, GrantScope, KeyContext, RequestContexts, RequestParams,
    Target, Verdict,
};
use crate::catalog::{Action, PermissionSource};
use crate::entropy::Timestamp;
use crate::policy::condition;
use crate::policy::eval::{self, CallerFacts, PolicyOutcome, PrincipalMatch, StatementResult};
use crate::policy::pattern::{ArnParts, CompiledResource};
use crate::policy::{Policy, Statement};
use crate::request::{Context, PrincipalArn, Request, RequestPrincipal};
use crate::store::grants::{Grant, grantee_matches};
use crate::store::{Key, check_key};
use crate::world::{Principal, PrincipalKind, World};
use serde::Serialize;
use std::cell::OnceCell;
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
    pub principal: &'m PrincipalArn,
    /// The key's ARN.
    pub key: &'m str,
    /// The action.
    pub action: Action,
    /// The cell.
    pub cell: Cell,
}

/// The access matrix of a world over chosen principals, keys and actions.
///
/// Two matrices are equal when their axes, time and cells are; the evaluation plans they keep
/// are caches.
#[derive(Clone, Debug)]
pub struct Matrix {
    principals: Vec<PrincipalArn>,
    /// Key ARNs (a key id is not enough: a multi-Region replica shares its primary's).
    keys: Vec<String>,
    actions: Vec<Action>,
    now: Timestamp,
    /// Row-major: principal, then key, then action.
    cells: Vec<Cell>,
    /// Per column, the key policy sorted by action.
    key_plans: Vec<PolicyPlan>,
    /// Per row, the principal's identity policies sorted by action.
    identity_plans: Vec<Vec<PolicyPlan>>,
}

impl PartialEq for Matrix {
    fn eq(&self, other: &Matrix) -> bool {
        self.principals == other.principals
            && self.keys == other.keys
            && self.actions == other.actions
            && self.now == other.now
            && self.cells == other.cells
    }
}

/// The empty request parameters every matrix cell uses: the matrix asks "may P call A on K",
/// with no encryption context, grant tokens or service.
static NO_PARAMS: std::sync::LazyLock<RequestParams> =
    std::sync::LazyLock::new(RequestParams::default);

impl Matrix {
    /// Computes the matrix of `principals` (ARNs) × `keys` (key ARNs) × `actions` at time `now`.
    /// Principals and keys the world does not have are left out.
    pub fn compute(
        world: &World,
        principals: &[PrincipalArn],
        keys: &[String],
        actions: &[Action],
        now: Timestamp,
    ) -> Matrix {
        let principals: Vec<&Arc<Principal>> = principals
            .iter()
            .filter_map(|p| world.principal(p))
            .collect();
        let keys: Vec<&Arc<Key>> = keys
            .iter()
            .filter_map(|k| world.keys.get_by_arn(k))
            .collect();
        let key_plans: Vec<PolicyPlan> = keys
            .iter()
            .map(|key| PolicyPlan::new(&key.policy.policy, actions))
            .collect();
        let identity_plans: Vec<Vec<PolicyPlan>> = principals
            .iter()
            .map(|principal| identity_plans(world, principal, actions))
            .collect();
        let columns: Vec<Column<'_>> = keys.iter().map(|key| Column::new(world, key)).collect();
        let mut cells = Vec::with_capacity(principals.len() * keys.len() * actions.len());
        for (principal, plans) in principals.iter().zip(&identity_plans) {
            let row = Row::new(principal, plans);
            for (column, key_plan) in columns.iter().zip(&key_plans) {
                Pair {
                    world,
                    row: &row,
                    column,
                    key_plan,
                    actions,
                    now,
                }
                .fill(&mut cells);
            }
        }
        Matrix {
            principals: principals.iter().filter_map(|p| p.arn().cloned()).collect(),
            keys: keys.iter().map(|k| k.arn.clone()).collect(),
            actions: actions.to_vec(),
            now,
            cells,
            key_plans,
            identity_plans,
        }
    }

    /// The whole matrix of a world: every principal, every key, the given actions.
    pub fn of_world(world: &World, actions: &[Action], now: Timestamp) -> Matrix {
        let principals: Vec<PrincipalArn> = world
            .principals()
            .filter_map(|p| p.arn().cloned())
            .collect();
        let keys: Vec<String> = world.keys.keys().map(|k| k.arn.clone()).collect();
        Matrix::compute(world, &principals, &keys, actions, now)
    }

    /// The principals (rows), as ARNs.
    pub fn principals(&self) -> &[PrincipalArn] {
        &self.principals
    }

    /// The keys (columns), as key ARNs.
    pub fn keys(&self) -> &[String] {
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

    /// The cell for a principal ARN, key ARN and action.
    pub fn lookup(&self, principal: &PrincipalArn, key: &str, action: Action) -> Option<Cell> {
        let p = self.principals.iter().position(|x| x == principal)?;
        let k = self.keys.iter().position(|x| x.as_str() == key)?;
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
    pub fn recompute_row(&mut self, world: &World, principal: &PrincipalArn) -> Vec<usize> {
        let role = world.principal(principal).and_then(|p| match &p.kind {
            PrincipalKind::Role { name } => Some((p.account.clone(), name.clone())),
            _ => None,
        });
        let is_session_of_role = |arn: &PrincipalArn| {
            role.as_ref().is_some_and(|(account, name)| {
                world.principal(arn).is_some_and(|p| {
                    p.account == *account
                        && matches!(&p.kind, PrincipalKind::AssumedRole { role, .. } if role == name)
                })
            })
        };
        let rows: Vec<usize> = self
            .principals
            .iter()
            .enumerate()
            .filter(|(_, arn)| *arn == principal || is_session_of_role(arn))
            .map(|(i, _)| i)
            .collect();
        let columns: Vec<Option<Column<'_>>> = self
            .keys
            .iter()
            .map(|k| world.keys.get_by_arn(k).map(|key| Column::new(world, key)))
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
            let plans = identity_plans(world, principal, &self.actions);
            let heads = Row::new(principal, &plans);
            for (index, column) in columns.iter().enumerate() {
                let (Some(column), Some(key_plan)) = (column, self.key_plans.get(index)) else {
                    continue;
                };
                buffer.clear();
                Pair {
                    world,
                    row: &heads,
                    column,
                    key_plan,
                    actions: &self.actions,
                    now: self.now,
                }
                .fill(&mut buffer);
                self.store(row, index, &buffer);
            }
            if let Some(slot) = self.identity_plans.get_mut(row) {
                *slot = plans;
            }
        }
        rows
    }

    /// Recomputes after a change to `key` (a key ARN; its policy, state, tags or aliases): its
    /// column. Returns the column, if the key is in the matrix.
    pub fn recompute_column(&mut self, world: &World, key: &str) -> Option<usize> {
        let column = self.keys.iter().position(|k| k.as_str() == key)?;
        let key = world.keys.get_by_arn(key)?;
        let key_plan = PolicyPlan::new(&key.policy.policy, &self.actions);
        let heads = Column::new(world, key);
        let mut buffer = Vec::with_capacity(self.actions.len());
        for row in 0..self.principals.len() {
            let (Some(principal), Some(plans)) = (
                self.principals
                    .get(row)
                    .and_then(|arn| world.principal(arn)),
                self.identity_plans.get(row),
            ) else {
                continue;
            };
            buffer.clear();
            Pair {
                world,
                row: &Row::new(principal, plans),
                column: &heads,
                key_plan: &key_plan,
                actions: &self.actions,
                now: self.now,
            }
            .fill(&mut buffer);
            self.store(row, column, &buffer);
        }
        if let Some(slot) = self.key_plans.get_mut(column) {
            *slot = key_plan;
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
        self.explain_with(world, principal, key, action, &NO_PARAMS)
    }

    /// The explanation of one cell's request made with `params` (an encryption context, grant
    /// tokens, condition keys set by hand) instead of the bare request the matrix decides.
    pub fn explain_with(
        &self,
        world: &World,
        principal: usize,
        key: usize,
        action: usize,
        params: &RequestParams,
    ) -> Option<Explanation> {
        let principal = world.principal(self.principals.get(principal)?)?;
        let key = world.keys.get_by_arn(self.keys.get(key)?)?;
        let action = *self.actions.get(action)?;
        Some(authz::explain(
            world,
            &AuthzRequest {
                caller: principal,
                action,
                target: Target::Key(key),
                params,
                now: self.now,
            },
        ))
    }
}

/// The identity-policy plans of a principal, in [`World::identity_policies`] order.
fn identity_plans(world: &World, principal: &Principal, actions: &[Action]) -> Vec<PolicyPlan> {
    world
        .identity_policies(principal)
        .iter()
        .map(|p| PolicyPlan::new(&p.policy, actions))
        .collect()
}

/// A set of the matrix's actions, by position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ActionSet(Vec<u64>);

impl ActionSet {
    fn insert(&mut self, i: usize) {
        let (word, bit) = (i / 64, i % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        if let Some(w) = self.0.get_mut(word) {
            *w |= 1 << bit;
        }
    }

    fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }
}

/// One statement, with the actions of the matrix its `Action` element applies to.
#[derive(Clone, Debug)]
struct StatementPlan {
    /// Position in the policy.
    index: usize,
    actions: ActionSet,
    resource: ResourcePlan,
}

/// How to judge a statement's resource element against a key ARN.
#[derive(Clone, Debug)]
enum ResourcePlan {
    /// A `Resource` of literal ARNs only (no `*`, `?` or `${`), sorted. A literal pattern
    /// matches exactly the one ARN equal to it (segment-wise equality is string equality), so a
    /// binary search answers what [`eval::resource_applies`] would.
    Literals(Vec<String>),
    /// Policy variables: judged per cell, with the request context.
    Variables,
    /// Anything else: each pattern cut into segments once, then matched against each key's ARN
    /// (cut once per column) as [`eval::resource_applies`] would. No pattern (a statement
    /// without a resource element) applies to nothing.
    Patterns {
        /// `NotResource`: the statement applies to the resources no pattern matches.
        negated: bool,
        patterns: Vec<CompiledResource>,
    },
}

impl ResourcePlan {
    fn of(statement: &Statement) -> ResourcePlan {
        let Some(block) = &statement.resource else {
            return ResourcePlan::Patterns {
                negated: false,
                patterns: Vec::new(),
            };
        };
        if block.patterns.iter().any(|p| p.text.contains("${")) {
            return ResourcePlan::Variables;
        }
        let literal = |text: &str| !text.contains(['*', '?', '$']) && text.starts_with("arn:");
        if !block.negated && block.patterns.iter().all(|p| literal(&p.text)) {
            let mut arns: Vec<String> = block.patterns.iter().map(|p| p.text.clone()).collect();
            crate::sort::sort(&mut arns);
            return ResourcePlan::Literals(arns);
        }
        ResourcePlan::Patterns {
            negated: block.negated,
            patterns: block
                .patterns
                .iter()
                .map(|p| CompiledResource::new(&p.text))
                .collect(),
        }
    }

    /// Whether the statement's resource element covers `key`; `None` when only the request's
    /// context can tell (policy variables).
    fn applies_to(&self, key: &ArnParts<'_>) -> Option<bool> {
        match self {
            ResourcePlan::Literals(arns) => Some(
                arns.binary_search_by(|a| a.as_str().cmp(key.text()))
                    .is_ok(),
            ),
            ResourcePlan::Variables => None,
            ResourcePlan::Patterns { negated, patterns } => {
                Some(patterns.iter().any(|p| p.matches(key)) != *negated)
            }
        }
    }
}

/// A policy's statements sorted by the matrix's actions once, so that a cell looks only at the
/// statements that can apply to its action.
#[derive(Clone, Debug)]
struct PolicyPlan {
    /// The policy the plan was made from. A plan serves only that very policy (the same
    /// allocation); for any other it is rebuilt on the spot, so a stale cache cannot mislead.
    policy: Arc<Policy>,
    /// The statements whose `Action` element applies to at least one of the actions.
    statements: Vec<StatementPlan>,
}

impl PolicyPlan {
    fn new(policy: &Arc<Policy>, actions: &[Action]) -> PolicyPlan {
        let statements = policy
            .statements
            .iter()
            .enumerate()
            .filter_map(|(index, statement)| {
                let mut set = ActionSet::default();
                for (i, action) in actions.iter().enumerate() {
                    if eval::action_applies(statement, action.name()) {
                        set.insert(i);
                    }
                }
                (!set.is_empty()).then(|| StatementPlan {
                    index,
                    actions: set,
                    resource: ResourcePlan::of(statement),
                })
            })
            .collect();
        PolicyPlan {
            policy: Arc::clone(policy),
            statements,
        }
    }

    fn is_for(&self, policy: &Arc<Policy>) -> bool {
        Arc::ptr_eq(&self.policy, policy)
    }
}

/// What one statement can do for one (principal, key) pair, known before looking at actions.
#[derive(Clone, Debug)]
struct PairStatement<'p> {
    index: usize,
    statement: &'p Statement,
    actions: &'p ActionSet,
    principal: PrincipalMatch,
    /// `None` when the resource element holds policy variables: judged per cell, in context.
    resource: Option<bool>,
    /// Whether the conditions hold, per context slot (see [`Pair::fill`]), once judged. A
    /// condition reads only the request's context and caller, and a pair's cells of one slot
    /// share both, so the statement's conditions are judged once per slot, not once per action.
    conditions: [std::cell::Cell<Option<bool>>; 2],
}

impl PairStatement<'_> {
    fn needs_context(&self) -> bool {
        self.resource.is_none() || !self.statement.conditions.is_empty()
    }
}

/// The statements of one policy that can apply to a pair (their principal element covers the
/// caller and their resource element the key, or cannot be judged without context), in
/// document order.
fn pair_statements<'p>(
    plan: &'p PolicyPlan,
    caller: &RequestPrincipal,
    facts: CallerFacts,
    key: &ArnParts<'_>,
) -> Vec<PairStatement<'p>> {
    plan.statements
        .iter()
        .filter_map(|s| {
            let statement = plan.policy.statements.get(s.index)?;
            let principal = eval::principal_applies_for(statement, caller, facts);
            if principal == PrincipalMatch::NoMatch {
                return None;
            }
            let resource = s.resource.applies_to(key);
            if resource == Some(false) {
                return None;
            }
            Some(PairStatement {
                index: s.index,
                statement,
                actions: &s.actions,
                principal,
                resource,
                conditions: Default::default(),
            })
        })
        .collect()
}

/// A policy's outcome for action number `action`, from the pair's statements; `slot` names the
/// request context `request` carries (see [`Pair::fill`]).
fn policy_outcome(
    statements: &[PairStatement<'_>],
    policy: &Policy,
    action: usize,
    slot: usize,
    request: &Request<'_>,
) -> PolicyOutcome {
    eval::combine(
        statements
            .iter()
            .filter(|s| s.actions.contains(action))
            .map(|s| {
                let resource = s.resource.unwrap_or_else(|| {
                    eval::resource_applies(s.statement, policy.version, request)
                });
                let judge = || {
                    s.statement
                        .conditions
                        .iter()
                        .all(|c| condition::condition_holds(c, policy.version, request))
                };
                let conditions = match s.conditions.get(slot) {
                    Some(memo) => memo.get().unwrap_or_else(|| {
                        let holds = judge();
                        memo.set(Some(holds));
                        holds
                    }),
                    None => judge(),
                };
                let result =
                    eval::result_of(s.statement.effect, true, resource, s.principal, conditions);
                (s.index, result)
            })
            .filter(|(_, result)| *result != StatementResult::NotApplicable),
    )
}

/// What every cell of one row shares: the principal, its plans, and its condition keys, built the
/// first time a cell of the row needs them.
struct Row<'a> {
    principal: &'a Principal,
    identity_plans: &'a [PolicyPlan],
    context: OnceCell<Arc<Context>>,
}

impl<'a> Row<'a> {
    fn new(principal: &'a Principal, identity_plans: &'a [PolicyPlan]) -> Row<'a> {
        Row {
            principal,
            identity_plans,
            context: OnceCell::new(),
        }
    }
}

/// What every cell of one column shares: the key, the grants on it, and its condition keys, built
/// the first time a cell of the column needs them.
struct Column<'a> {
    key: &'a Key,
    /// The key's ARN cut into segments once, for every statement's resource patterns.
    arn: ArnParts<'a>,
    grants: Vec<&'a Grant>,
    context: OnceCell<KeyContext>,
}

impl<'a> Column<'a> {
    fn new(world: &'a World, key: &'a Key) -> Column<'a> {
        Column {
            key,
            arn: ArnParts::new(&key.arn),
            grants: world.grants.all_on_key(&key.arn).collect(),
            context: OnceCell::new(),
        }
    }
}

/// One (principal, key) pair of the matrix.
struct Pair<'a> {
    world: &'a World,
    row: &'a Row<'a>,
    column: &'a Column<'a>,
    key_plan: &'a PolicyPlan,
    actions: &'a [Action],
    now: Timestamp,
}

impl Pair<'_> {
    /// Appends the pair's cells, one per action. The request context is built only for cells
    /// where a statement that can apply has conditions or policy variables, at most twice per
    /// pair (CreateGrant, ListGrants and RevokeGrant carry `kms:GrantIsForAWSResource`), from
    /// the row's and the column's shared keys.
    fn fill(&self, out: &mut Vec<Cell>) {
        let principal = self.row.principal;
        let key = self.column.key;
        let caller = principal.request_principal();
        let rebuilt_key;
        let key_plan = if self.key_plan.is_for(&key.policy.policy) {
            self.key_plan
        } else {
            rebuilt_key = PolicyPlan::new(&key.policy.policy, self.actions);
            &rebuilt_key
        };
        let policies = self.world.identity_policies(principal);
        let current = policies.len() == self.row.identity_plans.len()
            && policies
                .iter()
                .zip(self.row.identity_plans)
                .all(|(p, plan)| plan.is_for(&p.policy));
        let rebuilt_identity;
        let identity_plans = if current {
            self.row.identity_plans
        } else {
            rebuilt_identity = identity_plans(self.world, principal, self.actions);
            &rebuilt_identity
        };
        let grants: Vec<&Grant> = self
            .column
            .grants
            .iter()
            .copied()
            .filter(|g| g.may_concern(caller))
            .collect();
        // Only a grant whose grantee is the caller can allow an operation other than RetireGrant
        // (the others concern the caller only as one who may retire them): most pairs have none,
        // and the grant step then answers at once.
        let grantee_grants: Vec<&Grant> = grants
            .iter()
            .copied()
            .filter(|g| grantee_matches(&g.grantee, caller).is_some())
            .collect();

        let facts = crate::authz::caller_facts(self.world, principal);
        let key_statements = pair_statements(key_plan, caller, facts, &self.column.arn);
        let identity_statements: Vec<Vec<PairStatement<'_>>> = identity_plans
            .iter()
            .map(|plan| pair_statements(plan, caller, CallerFacts::default(), &self.column.arn))
            .collect();
        // Per slot: the request context as IAM policies and as the key policy see it.
        let mut contexts: [Option<RequestContexts>; 2] = [None, None];
        let empty = Context::new();

        for (i, &action) in self.actions.iter().enumerate() {
            let request = AuthzRequest {
                caller: principal,
                action,
                target: Target::Key(key),
                params: &NO_PARAMS,
                now: self.now,
            };
            // The request context's slot: CreateGrant, ListGrants and RevokeGrant carry
            // `kms:GrantIsForAWSResource`, the other actions share one context.
            let slot = usize::from(matches!(
                action,
                Action::CreateGrant | Action::ListGrants | Action::RevokeGrant
            ));
            let verdict = if action.permission_source() == PermissionSource::IamOnly {
                // Not about this key at all: the authorizer's own path.
                authz::decide(self.world, &request)
            } else {
                let needs_context = key_statements
                    .iter()
                    .chain(identity_statements.iter().flatten())
                    .any(|s| s.actions.contains(i) && s.needs_context());
                let (context, key_context) = if needs_context {
                    match contexts.get_mut(slot) {
                        Some(cached) => {
                            let contexts = cached.get_or_insert_with(|| {
                                authz::request_context_with(
                                    self.row.context.get_or_init(|| {
                                        authz::caller_context(self.world, principal, self.now)
                                    }),
                                    Some(
                                        self.column
                                            .context
                                            .get_or_init(|| KeyContext::of(self.world, key)),
                                    ),
                                    &request,
                                )
                            });
                            (&contexts.iam, &contexts.key_policy)
                        }
                        None => (&empty, &empty),
                    }
                } else {
                    (&empty, &empty)
                };
                let eval_request = Request {
                    principal: caller,
                    action: action.name(),
                    resource: &key.arn,
                    context,
                };
                let key_outcome = policy_outcome(
                    &key_statements,
                    &key_plan.policy,
                    i,
                    slot,
                    &Request {
                        context: key_context,
                        ..eval_request
                    },
                );
                authz::verdict_from_outcomes(
                    self.world,
                    &request,
                    Some(key_outcome),
                    identity_statements
                        .iter()
                        .zip(identity_plans)
                        .map(|(statements, plan)| {
                            policy_outcome(statements, &plan.policy, i, slot, &eval_request)
                        }),
                    GrantScope::Among(if action == Action::RetireGrant {
                        &grants
                    } else {
                        &grantee_grants
                    }),
                    None,
                )
            };
            let state_error = if verdict.is_allowed() {
                check_key(key, action, self.now)
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
}
