//! The why panel: the engine's explanation of the selected cell, step by step in KMS's order,
//! with every statement that matched or failed, the deciding one, and AWS's error text.

use crate::model::{DocTarget, Playground};
use crate::panels::fields::{PairEdit, PairRow, edit_pairs};
use crate::share::{SharedFocus, encode_focus, encode_share};
use crate::state::CellSelection;
use crate::state::Intent;
use crate::ui::browser::{copy_to_clipboard, location_base};
use crate::ui::hooks::PlaygroundHandle;
use crate::ui::hooks::use_playground;
use crate::ui::icons::{Icon, IconSvg};
use crate::ui::panels::pair_rows;
use crate::why::{RequestEdit, RequestInputs, VerdictLook, rows_of};
use kms_engine::authz::{Bearing, Explanation};
use kms_engine::policy::Effect;
use kms_engine::policy::eval::Decision;
use kms_engine::policy::eval::{PolicyTrace, StatementRef, StatementResult};
use web_sys::HtmlInputElement;
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
        let key = world.keys.get_by_arn(&selection.key)?;
        let span = key.policy.policy.statements.get(statement.index)?.span;
        return Some((doc.id, span.start as usize, span.end as usize));
    }
    let principal = world.principal(&selection.principal)?;
    let holder = principal
        .request_principal()
        .role_arn
        .clone()
        .unwrap_or_else(|| selection.principal.clone());
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
    let (look, text) = crate::why::verdict(explanation);
    let icon = match look {
        VerdictLook::Allow => Icon::Allow,
        VerdictLook::Blocked => Icon::Blocked,
        VerdictLook::Deny => Icon::Deny,
        VerdictLook::Pending => Icon::Pending,
        VerdictLook::None => Icon::None,
    };
    html! {
        <p class={classes!("verdict", look.class())} id="why-verdict">
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

/// The request form: what the decision depends on beyond principal, key and action. Every
/// change re-decides the cell at once.
fn request_form(
    handle: &PlaygroundHandle,
    inputs: &RequestInputs,
    problem: Option<&String>,
    custom: bool,
) -> Html {
    let edit = |make: fn(String) -> RequestEdit| {
        let handle = handle.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                handle.dispatch(Intent::EditRequest(make(input.value())));
            }
        })
    };
    let pairs = |current: &[(String, String)], make: fn(Vec<PairRow>) -> RequestEdit| {
        let handle = handle.clone();
        let current = rows_of(current);
        Callback::from(move |change: PairEdit| {
            let mut rows = current.clone();
            edit_pairs(&mut rows, change);
            handle.dispatch(Intent::EditRequest(make(rows)));
        })
    };
    let context_rows = rows_of(&inputs.encryption_context);
    let tag_rows = rows_of(&inputs.principal_tags);
    let reset = handle.callback(|_: MouseEvent| Intent::EditRequest(RequestEdit::Reset));
    let grant = inputs.grant_rows();
    html! {
        <details class="request" id="why-request" open={custom}>
            <summary>{ if custom { "Request: with the context below" } else { "Request: no context, no grant tokens (as the matrix)" } }</summary>
            <div class="form-grid">
                { for grant.into_iter().map(|(label, id, text)| html! {
                    <>
                        <span class="label">{ label }</span>
                        <span class="mono" id={id}>{ text }</span>
                    </>
                }) }
                <span class="label">{ "Encryption context" }</span>
                { pair_rows("why-context", &context_rows, pairs(&inputs.encryption_context, RequestEdit::EncryptionContext), "context pair") }
                <label for="why-tokens">{ "Grant tokens" }</label>
                <input id="why-tokens" type="text" class="mono" value={inputs.grant_tokens.clone()} oninput={edit(RequestEdit::GrantTokens)} placeholder="one or more, separated by spaces" />
                <label for="why-via">{ "kms:ViaService" }</label>
                <input id="why-via" type="text" value={inputs.via_service.clone()} oninput={edit(RequestEdit::ViaService)} placeholder="ec2.us-east-1.amazonaws.com" />
                <label for="why-source-ip">{ "aws:SourceIp" }</label>
                <input id="why-source-ip" type="text" value={inputs.source_ip.clone()} oninput={edit(RequestEdit::SourceIp)} placeholder="203.0.113.7" />
                <label for="why-time">{ "aws:CurrentTime" }</label>
                <input id="why-time" type="text" value={inputs.current_time.clone()} oninput={edit(RequestEdit::CurrentTime)} placeholder="the simulated clock; or 2026-01-01T12:00:00Z" />
                <span class="label">{ "aws:PrincipalTag" }</span>
                { pair_rows("why-principal-tags", &tag_rows, pairs(&inputs.principal_tags, RequestEdit::PrincipalTags), "principal tag") }
            </div>
            if let Some(problem) = problem {
                <p class="err" role="alert">{ problem.clone() }</p>
            }
            if custom {
                <button type="button" class="small" id="why-request-reset" onclick={reset}>{ "Back to the bare request" }</button>
            }
        </details>
    }
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
        model.row_of(selection.principal.as_str()),
        model.column_of(&selection.key),
    ) else {
        return html! { <p class="muted">{ "The selected principal or key no longer exists." }</p> };
    };
    let actions = model.matrix().actions().to_vec();
    let action_index = crate::why::explained_action(&model, row, column, selection.action);
    // The request decided: the bare one the matrix shows, or the one set in the request form.
    let inputs = state.ui.request.clone();
    let params = inputs.params();
    let custom = !inputs.is_bare();
    let explained = crate::why::explain_cell(&model, row, column, action_index, &inputs);
    let Some(explanation) = explained else {
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

    let spec = model
        .columns()
        .get(column)
        .map_or(kms_engine::catalog::KeySpec::SymmetricDefault, |c| c.spec);
    let action_menu = html! {
        <>
            <label for="why-action" class="visually-hidden">{ "Action explained" }</label>
            <select id="why-action" onchange={choose_action}>
                { for actions.iter().enumerate().filter(|(i, a)| spec.row().supports(**a) || *i == action_index).map(|(i, a)| {
                    let decision = if spec.row().supports(*a) {
                        model.matrix().cell(row, column, i).map(|c| match c.verdict.decision {
                            Decision::Allow => "allow",
                            Decision::ExplicitDeny => "explicit deny",
                            Decision::ImplicitDeny => "implicit deny",
                        }).unwrap_or_default()
                    } else {
                        "not for this key"
                    };
                    html! {
                        <option value={a.name()} selected={i == action_index}>
                            { format!("{} — {decision}", a.name()) }
                        </option>
                    }
                }) }
            </select>
        </>
    };
    // An action the key's type does not support is refused before any policy is read.
    if let Some(line) = crate::why::key_usage_line(&model, column, explanation.action) {
        return html! {
            <div class="why" id="why-panel">
                <div class="why-actions">
                    <strong>{ format!("{principal_name} × {key_name}") }</strong>
                    { action_menu }
                </div>
                <p id="why-summary">{ format!(
                    "{key_name} is a {} key (key usage {}): {} does not apply to it, so KMS refuses it whatever the policies say.",
                    spec.as_str(), spec.row().usage_name, explanation.action.name()
                ) }</p>
                <p><strong>{ "AWS would print:" }</strong></p>
                <pre class="aws-error" id="why-error">{ line }</pre>
            </div>
        };
    }
    let error_line = crate::why::access_denied_line(&explanation);
    let request_form = request_form(&handle, &inputs, params.as_ref().err(), custom);
    let link = {
        let focus = SharedFocus {
            principal: selection.principal.to_string(),
            key: selection.key.to_string(),
            action: actions.get(action_index).map(|a| a.name().to_owned()),
            request: inputs.clone(),
        };
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            let text = handle.state().model().export().to_json();
            let link = format!(
                "{}#{}{}",
                location_base(),
                encode_share(&text, kms_engine::VERSION),
                encode_focus(&focus)
            );
            copy_to_clipboard(&link);
            handle.dispatch(Intent::ShowShareLink(Some(link)));
        })
    };
    let copy = |markdown: bool| {
        let text = crate::why::trace_text(&explanation, &principal_name, &key_name, markdown);
        Callback::from(move |_: MouseEvent| copy_to_clipboard(&text))
    };

    html! {
        <div class="why" id="why-panel">
            <div class="why-actions">
                <strong>{ format!("{principal_name} × {key_name}") }</strong>
                { action_menu }
                <span class="spacer"></span>
                <button type="button" class="small" id="why-copy-text" onclick={copy(false)} title="Copy this explanation as plain text">{ "Copy as text" }</button>
                <button type="button" class="small" id="why-copy-markdown" onclick={copy(true)} title="Copy this explanation as Markdown">{ "Copy as Markdown" }</button>
                <button type="button" class="small" id="why-add-expectation" onclick={handle.callback(|_: MouseEvent| Intent::AddExpectation)}
                    disabled={inputs.expectation_problem().is_some()}
                    title={inputs.expectation_problem().unwrap_or("Pin this decision as an expectation of the scenario, checked on every change")}>{ "Add as expectation" }</button>
                <button type="button" class="small" id="why-link" onclick={link} title="Copy a link that opens this world at this cell, with this request">{ "Link to this" }</button>
            </div>
            { request_form }
            if custom {
                <p class="note" id="why-custom">{ "Decided for the request above; the matrix shows the request without context or tokens." }</p>
            }
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
            if let Some(line) = crate::why::key_state_line(&explanation) {
                <pre class="aws-error">{ line }</pre>
            }
            { for explanation.notes.iter().map(|note| html! {
                <p class="note"><strong>{ "Real KMS: " }</strong>{ note.text() }</p>
            }) }
            if let Some(key_trace) = &explanation.key_policy_trace {
                { trace(format!("Key policy of {key_name}, statement by statement"), kms_engine::authz::KEY_POLICY_NAME, key_trace) }
            }
            { for explanation.identity_traces.iter().map(|(name, t)| trace(format!("IAM policy {name}, statement by statement"), name, t)) }
            { for explanation.guardrail_traces.iter().map(|g| trace(format!("{} {}, statement by statement", g.guardrail.name(), g.name), &g.name, &g.trace)) }
        </div>
    }
}
