//! The left column: the principals and the keys, each opening its documents in the editor.

use crate::state::Owner;
use crate::ui::hooks::use_playground;
use yew::prelude::*;

/// The principals and keys lists.
#[component]
pub fn Sidebar() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let current = state.ui.owner.clone();

    let principals = model.rows().iter().map(|row| {
        let owner = Owner::Principal(row.arn.clone());
        let is_current = current.as_ref() == Some(&owner);
        let docs: Vec<_> = model.identity_docs(&row.arn).collect();
        let problems: usize = docs.iter().map(|d| d.error_count()).sum();
        let onclick = {
            let handle = handle.clone();
            Callback::from(move |_: MouseEvent| handle.select_owner(owner.clone()))
        };
        html! {
            <li>
                <button class="item" aria-current={is_current.to_string()} {onclick} title={row.arn.clone()}>
                    <span class="name">{ row.name.clone() }</span>
                    if problems > 0 {
                        <span class="badge problems" aria-label={format!("{problems} problems")}>{ format!("!{problems}") }</span>
                    } else if docs.is_empty() {
                        <span class="badge">{ row.kind }</span>
                    } else {
                        <span class="badge">{ format!("{} IAM", docs.len()) }</span>
                    }
                </button>
            </li>
        }
    });
    let keys = model.columns().iter().map(|column| {
        let owner = Owner::Key(column.id.clone());
        let is_current = current.as_ref() == Some(&owner);
        let problems = model
            .key_policy_doc(&column.id)
            .map_or(0, |d| d.error_count());
        let onclick = {
            let handle = handle.clone();
            Callback::from(move |_: MouseEvent| handle.select_owner(owner.clone()))
        };
        html! {
            <li>
                <button class="item" aria-current={is_current.to_string()} {onclick} title={column.arn.clone()}>
                    <span class="name">{ column.name.clone() }</span>
                    if problems > 0 {
                        <span class="badge problems" aria-label={format!("{problems} problems")}>{ format!("!{problems}") }</span>
                    } else if column.state != "Enabled" {
                        <span class="badge">{ column.state }</span>
                    }
                </button>
            </li>
        }
    });
    html! {
        <nav class="pane sidebar" aria-label="Principals and keys">
            <div class="pane-body">
                <div class="section">
                    <div class="section-head"><span id="principals-title">{ "Principals" }</span></div>
                    <ul aria-labelledby="principals-title" id="principal-list">{ for principals }</ul>
                </div>
                <div class="section">
                    <div class="section-head"><span id="keys-title">{ "Keys" }</span></div>
                    <ul aria-labelledby="keys-title" id="key-list">{ for keys }</ul>
                </div>
            </div>
        </nav>
    }
}
