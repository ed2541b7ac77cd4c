//! The engine's analysis over what the playground shows: the fixes of the selected cell, the
//! audit's findings by key, the rows of principals nobody listed, and what each principal can
//! reach. Plain Rust, tested natively; the components only render what these return.

use crate::model::Playground;
use crate::state::CellSelection;
use kms_engine::analysis::edit::{Names, apply_changes};
use kms_engine::analysis::{
    self, CellQuery, Escalation, Finding, Fix, FixReport, SyntheticRow, Universe,
};
use kms_engine::authz::RequestParams;
use kms_engine::catalog::Action;
use kms_engine::request::PrincipalArn;

/// What the matrix shows besides the listed principals' access now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AnalysisView {
    /// Also show rows for principals nobody listed.
    pub synthetic: bool,
    /// Show what each principal can reach by its own permissions, not only what it has now.
    pub reachable: bool,
}

/// The names the matrix shows, for the analysis's sentences.
pub fn names(model: &Playground) -> Names {
    let mut names = Names::default();
    for row in model.rows() {
        names.set_principal(row.arn.as_str(), &row.name);
    }
    for column in model.columns() {
        names.set_key(&column.id, &column.name);
    }
    names
}

/// The matrix's rows × columns × actions, with `extra` actions.
pub fn universe(model: &Playground, extra: &[Action]) -> Universe {
    let mut actions = model.matrix().actions().to_vec();
    for &action in extra {
        if !actions.contains(&action) {
            actions.push(action);
        }
    }
    Universe {
        principals: model.rows().iter().map(|r| r.arn.clone()).collect(),
        keys: model.columns().iter().map(|c| c.id.clone()).collect(),
        actions,
    }
}

/// "This account": the first account of the world (the scenario's).
fn home_account(model: &Playground) -> String {
    model
        .world()
        .accounts()
        .first()
        .map(|a| a.id.clone())
        .unwrap_or_else(|| kms_engine::scenario::DEFAULT_ACCOUNT.to_owned())
}

/// The fixes of the selected cell for `action`.
pub fn fixes_for(
    model: &Playground,
    selection: &CellSelection,
    action: Action,
) -> Option<FixReport> {
    let query = CellQuery {
        principal: selection.principal.clone(),
        key: selection.key.clone(),
        action,
        params: RequestParams::default(),
    };
    analysis::propose_fixes(
        model.world(),
        &universe(model, &[action]),
        &names(model),
        &query,
        model.now(),
    )
}

/// Makes a fix on the playground's world, so that the matrix marks what it changed.
pub fn apply_fix(model: &mut Playground, fix: &Fix) -> Result<(), crate::model::ModelError> {
    let now = model.now();
    model
        .operate(|world, _| apply_changes(world, &fix.changes, now))
        .map_err(crate::model::ModelError::World)
}

/// The audit's findings over what the matrix shows.
pub fn findings(model: &Playground) -> Vec<Finding> {
    analysis::audit(
        model.world(),
        &universe(model, &[]),
        &names(model),
        &home_account(model),
        model.now(),
    )
}

/// How many cells (rows × columns) the headers' audit runs on by itself as the world changes;
/// above it the audit would slow typing down, and the CLI's `kmsplay audit` is the tool.
pub const HEADER_AUDIT_LIMIT: usize = 400;

/// The findings for the key headers: the audit, for worlds up to [`HEADER_AUDIT_LIMIT`] cells.
pub fn header_findings(model: &Playground) -> Vec<Finding> {
    if model.rows().len() * model.columns().len() > HEADER_AUDIT_LIMIT {
        return Vec::new();
    }
    findings(model)
}

/// The findings about `key`, for its column header.
pub fn findings_for_key<'a>(findings: &'a [Finding], key: &str) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.key_arn.as_deref() == Some(key))
        .collect()
}

/// The rows of principals nobody listed.
pub fn synthetic_rows(model: &Playground) -> Vec<SyntheticRow> {
    let universe = universe(model, &[]);
    analysis::synthetic_rows(
        model.world(),
        &home_account(model),
        &universe.keys,
        &universe.actions,
        model.now(),
    )
}

/// What each listed principal can reach on each key that it does not have now.
pub fn reachable(model: &Playground) -> Vec<Escalation> {
    analysis::reachable(model.world(), &universe(model, &[]), model.now())
        .into_iter()
        .filter(|e| e.key.is_some() && !e.gains.is_empty())
        .collect()
}

/// The reachable cell of `principal` on `key` for `action`, in words ("reachable in 1 step via
/// kms:PutKeyPolicy (default: \"Admins\")"), if it is reachable.
pub fn reachable_cell(
    escalations: &[Escalation],
    principal: &PrincipalArn,
    key: &str,
    action: Action,
) -> Option<String> {
    escalations
        .iter()
        .find(|e| {
            e.principal == *principal
                && e.key.as_deref() == Some(key)
                && e.path != analysis::EscalationPath::GrantPassesOn
                && e.gains.contains(&action)
        })
        .map(|e| {
            format!(
                "reachable in {} step via {} ({})",
                e.steps,
                e.path.permission(),
                e.via
            )
        })
}
