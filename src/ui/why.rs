//! The why panel: the engine's explanation of the selected cell, step by step in KMS's order,
//! with every statement that matched or failed, the deciding one, and AWS's error text.

use crate::model::{DocTarget, Playground};
use crate::state::CellSelection;
use crate::ui::hooks::use_playground;
use crate::ui::icons::{Icon, IconSvg};
use kms_engine::authz::{Bearing, Decision, Explanation, Reason};
use kms_engine::policy::Effect;
use kms_engine::policy::eval::{PolicyTrace, StatementRef, StatementResult};
use yew::prelude::*;

/// Where a statement of an explanation is written: its document and byte range.
fn statement_location(
    model: &Playground,
    selection: &CellSelection,
    statement: &StatementRef,
) -> Option<(crate::model::DocId, usize, usize)> {
    let world = model.world();
    if statement.policy == kms_engine::authz::KEY_POLICY_NAME {
        let doc = model.key_policy_doc(&selection.key)?;
        let key = world.keys.get(&selection.key)?;
        let span = key.policy.policy.statements.get(statement.index)?.span;
        return Some((doc.id, span.start as usize, span.end as usize));
    }
    let principal = world.principal(&selection.principal)?;
    let holder = principal
        .request_principal()
        .role_arn
        .clone()
        .unwrap_or_else(|| principal.arn.clone());
    let doc = model.identity_docs(&holder).find(
        |d| matches!(&d.target, DocTarget::Identity { name, .. } if *name == statement.policy),
    )?;
    let policy = world
        .identity_policies(principal)
        .iter()
        .find(|p| p.name == statement.policy)?;
    let span = policy.policy.statements.get(statement.index)?.span;
    Some((doc.id, span.start as usize, span.end as usize))
}

fn verdict_line(explanation: &Explanation) -> Html {
    let (class, icon, text) = match (explanation.verdict.decision, explanation.verdict.reason) {
        (Decision::Allow, _) => match &explanation.key_state {
            Some(check) if check.exception.is_some() => (
                "blocked",
                Icon::Blocked,
                format!("ALLOWED by policy, but the key is {}", check.state),
            ),
            _ => ("allow", Icon::Allow, "ALLOWED".to_owned()),
        },
        (Decision::ExplicitDeny, _) => ("deny", Icon::Deny, "DENIED, explicitly".to_owned()),
        (Decision::ImplicitDeny, Reason::GrantPendingTokenOnly { .. }) => (
            "pending",
            Icon::Pending,
            "DENIED for now: a grant allows it only with its grant token".to_owned(),
        ),
        (Decision::ImplicitDeny, _) => (
            "none",
            Icon::None,
            "DENIED, implicitly (nothing allows it)".to_owned(),
        ),
    };
    html! {
        <p class={classes!("verdict", class)} id="why-verdict">
            <IconSvg {icon} />{ text }
        </p>
    }
}

/// The class of a step's answer: what the answer does to the request, not whether it is a yes
/// ("Does an explicit Deny apply? Yes" denies).
fn bearing_class(bearing: Bearing) -> &'static str {
    match bearing {
        Bearing::Allow => "outcome-yes",
        Bearing::Deny | Bearing::Missing => "outcome-deny",
        Bearing::Neutral => "outcome-no",
    }
}

/// The operation name for AWS's error line (`kms:ReEncryptFrom` is checked by `ReEncrypt`).
fn operation_of(explanation: &Explanation) -> &'static str {
    explanation.action.operation()
}

/// The why panel for the selected cell.
#[component]
pub fn WhyPanel() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let Some(selection) = state.ui.selection.clone() else {
        return html! {
            <p class="muted" id="why-empty">
                { "Select a cell of the matrix (click it, or move there with the arrow keys and press Enter) to see why it says what it says." }
            </p>
        };
    };
    let (Some(row), Some(column)) = (
        model.row_of(&selection.principal),
        model.column_of(&selection.key),
    ) else {
        return html! { <p class="muted">{ "The selected principal or key no longer exists." }</p> };
    };
    let actions = model.matrix().actions().to_vec();
    // The action explained: the chosen one, else the one that decides the cell's word.
    // Cryptographic actions first: "may Bob encrypt?" is what a person asks before "may Bob
    // cancel a key deletion?".
    let mut order: Vec<usize> = (0..actions.len()).collect();
    kms_engine::sort::sort_by_key(&mut order, |&i| {
        actions.get(i).is_none_or(|a| !a.is_cryptographic())
    });
    let decisive = |wanted: fn(&kms_engine::matrix::Cell) -> bool| {
        order.iter().copied().find(|&i| {
            model
                .matrix()
                .cell(row, column, i)
                .is_some_and(|c| wanted(&c))
        })
    };
    let action_index = selection
        .action
        .and_then(|a| actions.iter().position(|&x| x == a))
        .or_else(|| decisive(|c| c.verdict.decision == Decision::ExplicitDeny))
        .or_else(|| decisive(|c| matches!(c.verdict.reason, Reason::GrantPendingTokenOnly { .. })))
        .or_else(|| decisive(|c| c.verdict.is_allowed()))
        .unwrap_or(0);
    let Some(explanation) = model.explain(row, column, action_index) else {
        return html! { <p class="muted">{ "Nothing to explain." }</p> };
    };
    let principal_name = model
        .rows()
        .get(row)
        .map_or("", |r| r.name.as_str())
        .to_owned();
    let key_name = model
        .columns()
        .get(column)
        .map_or("", |c| c.name.as_str())
        .to_owned();

    let choose_action = {
        let handle = handle.clone();
        let selection = selection.clone();
        let actions = actions.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Some(action) = actions.iter().find(|a| a.name() == select.value()) {
                    handle.select_cell(CellSelection {
                        action: Some(*action),
                        ..selection.clone()
                    });
                }
            }
        })
    };

    let show_statement = |statement: &StatementRef| -> Html {
        match statement_location(&model, &selection, statement) {
            Some((doc, start, end)) => {
                let handle = handle.clone();
                let stale = model.document(doc).is_some_and(|d| d.stale);
                let onclick =
                    Callback::from(move |_: MouseEvent| handle.reveal(doc, start, end, true));
                html! {
                    <button class="link small" {onclick} disabled={stale}
                        title={if stale { "The document has errors; fix them to jump to the statement" } else { "Select the statement in its editor" }}>
                        { "Show statement" }
                    </button>
                }
            }
            None => html! {},
        }
    };
    let statement_refs = |statements: &[StatementRef]| -> Html {
        if statements.is_empty() {
            return html! {};
        }
        html! {
            <ul class="stmts">
                { for statements.iter().map(|s| html! {
                    <li class="deciding">{ s.label() }{ " " }{ show_statement(s) }</li>
                }) }
            </ul>
        }
    };
    let trace = |title: String, policy: &str, trace: &PolicyTrace| -> Html {
        html! {
            <details>
                <summary>{ title }</summary>
                <ul class="stmts">
                    { for trace.statements.iter().map(|t| {
                        let reference = StatementRef { policy: policy.to_owned(), index: t.index, sid: t.sid.clone() };
                        let effect = match t.effect { Effect::Allow => "Allow", Effect::Deny => "Deny" };
                        let outcome = match t.result {
                            StatementResult::NotApplicable => t.why_not().map(|w| format!("does not apply: {w}")).unwrap_or_default(),
                            StatementResult::Deny => "applies: denies".to_owned(),
                            StatementResult::Allow(_) => "applies: allows the caller".to_owned(),
                            StatementResult::AllowViaAccount => "applies to the caller's account: delegates to IAM policies".to_owned(),
                        };
                        let deciding = trace.outcome.statement() == Some(t.index);
                        html! {
                            <li class={classes!(deciding.then_some("deciding"))}>
                                { format!("{} ({effect}) — {outcome}", reference.label()) }
                                { " " }{ show_statement(&reference) }
                            </li>
                        }
                    }) }
                </ul>
            </details>
        }
    };

    let error_line = explanation.access_denied_message.as_ref().map(|message| {
        format!(
            "An error occurred (AccessDeniedException) when calling the {} operation: {message}",
            operation_of(&explanation)
        )
    });

    html! {
        <div class="why" id="why-panel">
            <div class="why-actions">
                <strong>{ format!("{principal_name} × {key_name}") }</strong>
                <label for="why-action" class="visually-hidden">{ "Action explained" }</label>
                <select id="why-action" onchange={choose_action}>
                    { for actions.iter().enumerate().map(|(i, a)| {
                        let decision = model.matrix().cell(row, column, i).map(|c| match c.verdict.decision {
                            Decision::Allow => "allow",
                            Decision::ExplicitDeny => "explicit deny",
                            Decision::ImplicitDeny => "implicit deny",
                        }).unwrap_or_default();
                        html! {
                            <option value={a.name()} selected={i == action_index}>
                                { format!("{} — {decision}", a.name()) }
                            </option>
                        }
                    }) }
                </select>
            </div>
            { verdict_line(&explanation) }
            <p id="why-summary">{ explanation.summary.clone() }</p>
            <crate::ui::analysis::FixList selection={selection.clone()} action={explanation.action} />
            <ol class="steps">
                { for explanation.steps.iter().map(|step| {
                    let class = bearing_class(step.bearing);
                    html! {
                        <li>
                            <span class="step-title">{ step.question.clone() }</span>{ " " }
                            <span class={class}>{ step.result.answer() }</span>{ " — " }{ step.text.clone() }
                            { statement_refs(&step.statements) }
                        </li>
                    }
                }) }
            </ol>
            if !explanation.deciding.is_empty() {
                <p><strong>{ "Deciding: " }</strong></p>
                { statement_refs(&explanation.deciding) }
            }
            if let Some(grant) = &explanation.grant {
                <p>{ format!("Grant {grant} allows it.") }</p>
            }
            if let Some(line) = error_line {
                <p><strong>{ "AWS would print:" }</strong></p>
                <pre class="aws-error" id="why-error">{ line }</pre>
            }
            if let Some(check) = &explanation.key_state {
                if let (Some(exception), Some(message)) = (check.exception, &check.message) {
                    <pre class="aws-error">{ format!("An error occurred ({exception}) when calling the {} operation: {message}", operation_of(&explanation)) }</pre>
                }
            }
            { for explanation.notes.iter().map(|note| html! {
                <p class="note"><strong>{ "Real KMS: " }</strong>{ note.text() }</p>
            }) }
            if let Some(key_trace) = &explanation.key_policy_trace {
                { trace(format!("Key policy of {key_name}, statement by statement"), kms_engine::authz::KEY_POLICY_NAME, key_trace) }
            }
            { for explanation.identity_traces.iter().map(|(name, t)| trace(format!("IAM policy {name}, statement by statement"), name, t)) }
        </div>
    }
}
