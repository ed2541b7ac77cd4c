//! The left column: the principals and the keys, each opening its documents in the editor, with
//! forms to add and remove them.

use crate::model::NewPrincipal;
use crate::state::{Intent, Owner};
use crate::ui::hooks::use_playground;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

fn input_value(event: &InputEvent) -> Option<String> {
    event
        .target_dyn_into::<HtmlInputElement>()
        .map(|input| input.value())
}

#[component]
fn AddPrincipalForm() -> Html {
    let handle = use_playground();
    let kind = use_state(|| "user".to_owned());
    let name = use_state(String::new);
    let account = use_state(String::new);
    let onkind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                kind.set(select.value());
            }
        })
    };
    let onname = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| name.set(input_value(&e).unwrap_or_default()))
    };
    let onaccount = {
        let account = account.clone();
        Callback::from(move |e: InputEvent| account.set(input_value(&e).unwrap_or_default()))
    };
    let is_root = *kind == "root";
    // The name is cleared once the principal exists; a name the model rejects stays, to be fixed.
    let principal_count = handle.state().model().rows().len();
    {
        let name = name.clone();
        let seen = use_mut_ref(|| principal_count);
        use_effect_with(principal_count, move |&count| {
            if count > *seen.borrow() {
                name.set(String::new());
            }
            *seen.borrow_mut() = count;
        });
    }
    let onsubmit = {
        let (handle, kind, name, account) =
            (handle.clone(), kind.clone(), name.clone(), account.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let new_kind = match kind.as_str() {
                "role" => NewPrincipal::Role,
                "root" => NewPrincipal::AccountRoot,
                _ => NewPrincipal::User,
            };
            let account_id = account.trim().to_owned();
            handle.dispatch(Intent::AddPrincipal {
                kind: new_kind,
                name: name.trim().to_owned(),
                account: (!account_id.is_empty()).then_some(account_id),
            });
        })
    };
    html! {
        <form class="add-form" {onsubmit} aria-label="Add a principal">
            <div class="row">
                <label for="new-principal-kind" class="visually-hidden">{ "Kind" }</label>
                <select id="new-principal-kind" onchange={onkind}>
                    <option value="user" selected={*kind == "user"}>{ "User" }</option>
                    <option value="role" selected={*kind == "role"}>{ "Role" }</option>
                    <option value="root" selected={is_root}>{ "Account root" }</option>
                </select>
                if !is_root {
                    <label for="new-principal-name" class="visually-hidden">{ "Name" }</label>
                    <input id="new-principal-name" type="text" placeholder="Name" size="8" value={(*name).clone()} oninput={onname} />
                }
            </div>
            <div class="row">
                <label for="new-principal-account" class="visually-hidden">{ "Account (12 digits, optional)" }</label>
                <input id="new-principal-account" type="text" inputmode="numeric" placeholder="Account (optional)" size="10"
                    value={(*account).clone()} oninput={onaccount} />
                <button type="submit">{ "Add" }</button>
            </div>
        </form>
    }
}

#[component]
fn AddKeyForm() -> Html {
    let handle = use_playground();
    let name = use_state(String::new);
    let onname = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| name.set(input_value(&e).unwrap_or_default()))
    };
    let onsubmit = {
        let (handle, name) = (handle.clone(), name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = name.trim().to_owned();
            if !value.is_empty() {
                handle.dispatch(Intent::AddKey { name: value });
                name.set(String::new());
            }
        })
    };
    html! {
        <form class="add-form" {onsubmit} aria-label="Add a key">
            <div class="row">
                <label for="new-key-name" class="visually-hidden">{ "Key name (becomes its alias)" }</label>
                <input id="new-key-name" type="text" placeholder="Key name" size="10" value={(*name).clone()} oninput={onname} />
                <button type="submit">{ "Add" }</button>
            </div>
        </form>
    }
}

/// The principals and keys lists.
#[component]
pub fn Sidebar() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let current = state.ui.owner.clone();
    let adding_principal = use_state(|| false);
    let adding_key = use_state(|| false);

    let principals = model.rows().iter().map(|row| {
        let owner = Owner::Principal(row.arn.clone());
        let is_current = current.as_ref() == Some(&owner);
        let docs: Vec<_> = model.identity_docs(&row.arn).collect();
        let problems: usize = docs.iter().map(|d| d.error_count()).sum();
        let onclick = {
            let handle = handle.clone();
            Callback::from(move |_: MouseEvent| handle.select_owner(owner.clone()))
        };
        let remove = {
            let handle = handle.clone();
            let arn = row.arn.clone();
            Callback::from(move |_: MouseEvent| handle.dispatch(Intent::RemovePrincipal(arn.clone())))
        };
        html! {
            <li>
                <button class="item" aria-current={is_current.to_string()} {onclick} title={row.arn.to_string()}>
                    <span class="name">{ row.name.clone() }</span>
                    if problems > 0 {
                        <span class="badge problems" aria-label={format!("{problems} problems")}>{ format!("!{problems}") }</span>
                    } else if docs.is_empty() {
                        <span class="badge">{ row.kind }</span>
                    } else {
                        <span class="badge">{ format!("{} IAM", docs.len()) }</span>
                    }
                </button>
                if is_current {
                    <button class="link small remove" onclick={remove} aria-label={format!("Remove {}", row.name)}>{ "Remove" }</button>
                }
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
        let remove = {
            let handle = handle.clone();
            let id = column.id.clone();
            Callback::from(move |_: MouseEvent| handle.dispatch(Intent::RemoveKey(id.clone())))
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
                if is_current {
                    <button class="link small remove" onclick={remove} aria-label={format!("Remove {}", column.name)}>{ "Remove" }</button>
                }
            </li>
        }
    });
    let open_wizard =
        handle.callback(|_: MouseEvent| Intent::Panel(crate::panels::PanelIntent::OpenWizard));
    let toggle = |flag: &UseStateHandle<bool>| {
        let flag = flag.clone();
        Callback::from(move |_: MouseEvent| flag.set(!*flag))
    };
    html! {
        <nav class="pane sidebar" aria-label="Principals and keys">
            <div class="pane-body">
                <div class="section">
                    <div class="section-head">
                        <span id="principals-title">{ "Principals" }</span>
                        <button class="small" id="add-principal" aria-expanded={adding_principal.to_string()}
                            aria-label="Add a principal" onclick={toggle(&adding_principal)}>{ "+" }</button>
                    </div>
                    if *adding_principal { <AddPrincipalForm /> }
                    <ul aria-labelledby="principals-title" id="principal-list">{ for principals }</ul>
                </div>
                <div class="section">
                    <div class="section-head">
                        <span id="keys-title">{ "Keys" }</span>
                        <span>
                            <button class="small" id="create-key" onclick={open_wizard}
                                title="Create a key as the caller, as the AWS console does">{ "Create key…" }</button>
                            <button class="small" id="add-key" aria-expanded={adding_key.to_string()}
                                aria-label="Add a key with the default policy" onclick={toggle(&adding_key)}>{ "+" }</button>
                        </span>
                    </div>
                    if *adding_key { <AddKeyForm /> }
                    <ul aria-labelledby="keys-title" id="key-list">{ for keys }</ul>
                </div>
            </div>
        </nav>
    }
}
