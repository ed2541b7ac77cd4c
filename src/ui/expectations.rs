//! The scenario's expectations as a test list: each `expect` entry with pass or fail, checked by
//! the engine again on every change, and a button that pins the selected cell as a new one.

use crate::state::{CellSelection, Intent};
use crate::ui::hooks::use_playground;
use crate::ui::icons::{Icon, IconSvg};
use crate::why::decision_words;
use yew::prelude::*;

/// The expectations panel.
#[component]
pub fn ExpectationsView() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let results = model.expectations();
    let passed = results.iter().filter(|r| r.passed).count();
    let add = handle.callback(|_: MouseEvent| Intent::AddExpectation);
    let has_selection = state.ui.selection.is_some();
    html! {
        <div id="expectations">
            <p class="why-actions">
                <strong id="expectations-summary">
                    { if results.is_empty() { "No expectations yet.".to_owned() } else { format!("{passed} of {} pass", results.len()) } }
                </strong>
                <button type="button" class="small" id="add-expectation" onclick={add} disabled={!has_selection}
                    title="Pin what the why panel decides for the selected cell (with its request) as an expectation">
                    { "Add the selected cell as an expectation" }
                </button>
            </p>
            if results.is_empty() {
                <p class="muted">{ "A scenario's \"expect\" entries are checked here as you type, as kmsplay check does. Select a cell and add it to pin its decision." }</p>
            }
            <ul class="tests">
                { for results.iter().map(|r| {
                    let open = {
                        let handle = handle.clone();
                        let found = model.rows().iter().find(|row| row.name == r.principal).map(|row| row.arn.clone())
                            .zip(model.columns().iter().find(|c| c.name == r.key).map(|c| c.id.clone()));
                        let action = kms_engine::catalog::Action::from_name(&r.action);
                        Callback::from(move |_: MouseEvent| {
                            if let Some((principal, key)) = found.clone() {
                                handle.select_cell(CellSelection { principal, key, action });
                            }
                        })
                    };
                    let verdict = if r.passed {
                        format!("{}: as expected", decision_words(r.actual))
                    } else {
                        format!("expected {}, got {}", decision_words(r.expected), decision_words(r.actual))
                    };
                    html! {
                        <li class={classes!(if r.passed { "pass" } else { "fail" })}>
                            <IconSvg icon={if r.passed { Icon::Allow } else { Icon::Deny }} />
                            <button type="button" class="link" onclick={open} title={r.reason.clone()}>
                                { format!("{} × {} {}", r.principal, r.key, r.action) }
                            </button>
                            <span class="muted">{ format!(" — {verdict}") }</span>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}
