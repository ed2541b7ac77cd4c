//! The create-key wizard, step by step as the AWS console words it; it renders
//! [`crate::panels::wizard`], whose Finish calls the engine's CreateKey and CreateAlias as the
//! caller.

use crate::panels::PanelIntent;
use crate::panels::fields::PairEdit;
use crate::panels::wizard::{FinishError, Wizard, WizardIntent, WizardStep, usage_words};
use crate::state::Intent;
use crate::ui::editor::JsonEditor;
use crate::ui::hooks::{PlaygroundHandle, use_playground};
use kms_engine::catalog::{KEY_SPECS, KeySpec};
use kms_engine::store::Origin;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

fn send(handle: &PlaygroundHandle, intent: WizardIntent) {
    handle.dispatch(Intent::Panel(PanelIntent::Wizard(intent)));
}

fn text_of(event: &InputEvent) -> String {
    let Some(target) = event.target() else {
        return String::new();
    };
    if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        return input.value();
    }
    target
        .dyn_ref::<HtmlTextAreaElement>()
        .map(|t| t.value())
        .unwrap_or_default()
}

fn on_text(handle: &PlaygroundHandle, make: fn(String) -> WizardIntent) -> Callback<InputEvent> {
    let handle = handle.clone();
    Callback::from(move |e: InputEvent| send(&handle, make(text_of(&e))))
}

fn on_click(handle: &PlaygroundHandle, intent: WizardIntent) -> Callback<MouseEvent> {
    let handle = handle.clone();
    Callback::from(move |_: MouseEvent| send(&handle, intent.clone()))
}

fn principal_table(
    handle: &PlaygroundHandle,
    wizard: &Wizard,
    world: &kms_engine::world::World,
    chosen: &[String],
    toggle: fn(String) -> WizardIntent,
    caption: &'static str,
) -> Html {
    let candidates = wizard.candidates(world);
    html! {
        <>
            <label for="wizard-filter" class="visually-hidden">{ "Filter" }</label>
            <input id="wizard-filter" type="search" placeholder="Filter by name" value={wizard.filter.clone()}
                oninput={on_text(handle, WizardIntent::SetFilter)} />
            <table class="list">
                <caption class="visually-hidden">{ caption }</caption>
                <thead><tr><th></th><th>{ "Name" }</th><th>{ "Type" }</th><th>{ "ARN" }</th></tr></thead>
                <tbody>
                    { for candidates.iter().map(|c| {
                        let arn = c.arn.to_string();
                        let checked = chosen.contains(&arn);
                        let onchange = {
                            let handle = handle.clone();
                            let arn = arn.clone();
                            Callback::from(move |_: Event| send(&handle, toggle(arn.clone())))
                        };
                        html! {
                            <tr>
                                <td><input type="checkbox" {checked} {onchange} aria-label={format!("{}: {}", caption, c.name)} value={arn.clone()} /></td>
                                <td>{ c.name.clone() }</td>
                                <td>{ c.kind }</td>
                                <td class="mono muted">{ arn }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </>
    }
}

fn step_body(handle: &PlaygroundHandle, wizard: &Wizard, world: &kms_engine::world::World) -> Html {
    match wizard.step {
        WizardStep::Configure => {
            let set_origin = |origin: Origin| {
                let handle = handle.clone();
                Callback::from(move |_: Event| send(&handle, WizardIntent::SetOrigin(origin)))
            };
            let set_spec = |spec: KeySpec| {
                let handle = handle.clone();
                Callback::from(move |_: Event| send(&handle, WizardIntent::SetKeySpec(spec)))
            };
            let set_multi_region = |yes: bool| {
                let handle = handle.clone();
                Callback::from(move |_: Event| send(&handle, WizardIntent::SetMultiRegion(yes)))
            };
            let asymmetric = wizard.key_spec.row().asymmetric;
            let first_asymmetric = KEY_SPECS
                .iter()
                .find(|row| row.asymmetric)
                .map(|row| row.spec);
            let specs = wizard.spec_choices();
            let acknowledge = {
                let handle = handle.clone();
                let acknowledged = wizard.external_acknowledged;
                Callback::from(move |_: Event| {
                    send(&handle, WizardIntent::AcknowledgeExternal(!acknowledged))
                })
            };
            html! {
                <>
                    <fieldset>
                        <legend>{ "Key type" }</legend>
                        <label><input type="radio" name="key-type" id="key-type-symmetric" checked={!asymmetric} onchange={set_spec(KeySpec::SymmetricDefault)} />{ " Symmetric" }</label>
                        if let Some(first) = first_asymmetric {
                            <label><input type="radio" name="key-type" id="key-type-asymmetric" checked={asymmetric} onchange={set_spec(first)} />{ " Asymmetric" }</label>
                        }
                        // The RSA and elliptic-curve code loads when this key type is chosen.
                        if asymmetric {
                            <crate::ui::asymmetric::ModuleStatus />
                        }
                    </fieldset>
                    <fieldset>
                        <legend>{ "Key usage" }</legend>
                        { for wizard.usage_choices().into_iter().map(|(usage, spec)| html! {
                            <label><input type="radio" name="key-usage" value={spec.row().usage_name} checked={wizard.key_spec.row().usage == usage} onchange={set_spec(spec)} />{ format!(" {}", usage_words(usage)) }</label>
                        }) }
                    </fieldset>
                    if specs.len() > 1 {
                        <fieldset>
                            <legend>{ "Key spec" }</legend>
                            { for specs.iter().map(|&spec| html! {
                                <label><input type="radio" name="key-spec" value={spec.as_str()} checked={wizard.key_spec == spec} onchange={set_spec(spec)} />{ format!(" {}", spec.as_str()) }</label>
                            }) }
                        </fieldset>
                    }
                    <button class="link" aria-expanded={wizard.advanced_open.to_string()} id="wizard-advanced"
                        onclick={on_click(handle, WizardIntent::ToggleAdvanced)}>{ "Advanced options" }</button>
                    if wizard.advanced_open {
                        <fieldset>
                            <legend>{ "Key material origin" }</legend>
                            <label><input type="radio" name="origin" checked={wizard.origin == Origin::AwsKms} onchange={set_origin(Origin::AwsKms)} />{ " KMS" }</label>
                            <label><input type="radio" name="origin" id="origin-external" checked={wizard.origin == Origin::External} onchange={set_origin(Origin::External)} />{ " External (Import key material)" }</label>
                            if wizard.origin == Origin::External {
                                <label class="warning-box">
                                    <input type="checkbox" checked={wizard.external_acknowledged} onchange={acknowledge} />
                                    { " I understand the security, availability, and durability implications of using an imported key." }
                                </label>
                                <div class="muted">{ "The key is created Pending import. The aws console's get-parameters-for-import hands out its RSA wrapping key and import token; wrapping the key material takes openssl and files, so import-key-material is for kmsplay aws on your machine." }</div>
                            }
                        </fieldset>
                    }
                    if wizard.advanced_open {
                        <fieldset>
                            <legend>{ "Regionality" }</legend>
                            <label><input type="radio" name="regionality" id="regionality-single" checked={!wizard.multi_region} onchange={set_multi_region(false)} />{ " Single-Region key" }</label>
                            <label><input type="radio" name="regionality" id="regionality-multi" checked={wizard.multi_region} onchange={set_multi_region(true)} />{ " Multi-Region key" }</label>
                            if wizard.multi_region {
                                <div class="muted">{ "A multi-Region primary key (its key id starts with mrk-). Replicate it into other Regions from its key page; its key administrators may also replicate it and change its primary Region." }</div>
                            }
                        </fieldset>
                    }
                </>
            }
        }
        WizardStep::Labels => {
            let on_tag = {
                let handle = handle.clone();
                Callback::from(move |edit: PairEdit| send(&handle, WizardIntent::Tag(edit)))
            };
            html! {
                <>
                    <div class="form-grid">
                        <label for="wizard-alias">{ "Alias" }</label>
                        <div>
                            <input id="wizard-alias" type="text" value={wizard.alias.clone()} oninput={on_text(handle, WizardIntent::SetAlias)} />
                            <div class="muted">{ "Required. The alias cannot begin with aws/." }</div>
                        </div>
                        <label for="wizard-description">{ "Description" }</label>
                        <input id="wizard-description" type="text" value={wizard.description.clone()} oninput={on_text(handle, WizardIntent::SetDescription)} />
                        <span class="label">{ "Tags" }</span>
                        <div>
                            { for wizard.tags.iter().enumerate().map(|(i, row)| {
                                let key = { let h = handle.clone(); Callback::from(move |e: InputEvent| send(&h, WizardIntent::Tag(PairEdit::Key(i, text_of(&e))))) };
                                let value = { let h = handle.clone(); Callback::from(move |e: InputEvent| send(&h, WizardIntent::Tag(PairEdit::Value(i, text_of(&e))))) };
                                let remove = { let h = handle.clone(); Callback::from(move |_: MouseEvent| send(&h, WizardIntent::Tag(PairEdit::Remove(i)))) };
                                html! {
                                    <div class="pair">
                                        <input type="text" placeholder="Tag key" aria-label={format!("Tag {} key", i + 1)} value={row.key.clone()} oninput={key} />
                                        <input type="text" placeholder="Tag value" aria-label={format!("Tag {} value", i + 1)} value={row.value.clone()} oninput={value} />
                                        <button class="small" onclick={remove} aria-label={format!("Remove tag {}", i + 1)}>{ "×" }</button>
                                    </div>
                                }
                            }) }
                            <button class="small" onclick={on_tag.reform(|_: MouseEvent| PairEdit::Add)}>{ "Add tag" }</button>
                        </div>
                    </div>
                    <p class="warning-box">{ "Do not include confidential or sensitive information in the alias, description, or tags. Aliases and tags can also allow or deny access to the key (attribute-based access control)." }</p>
                </>
            }
        }
        WizardStep::Administrators => {
            let allow_delete = {
                let handle = handle.clone();
                let allowed = wizard.allow_admins_to_delete;
                Callback::from(move |_: Event| {
                    send(&handle, WizardIntent::SetAllowDelete(!allowed))
                })
            };
            html! {
                <>
                    <h3>{ "Key administrators" }</h3>
                    <p class="muted">{ "Choose the IAM users and roles who can administer this key through the KMS API." }</p>
                    { principal_table(handle, wizard, world, &wizard.administrators, WizardIntent::ToggleAdministrator, "Key administrator") }
                    <h3>{ "Key deletion" }</h3>
                    <label>
                        <input type="checkbox" id="allow-delete" checked={wizard.allow_admins_to_delete} onchange={allow_delete} />
                        { " Allow key administrators to delete this key." }
                    </label>
                </>
            }
        }
        WizardStep::Users => html! {
            <>
                <h3>{ "Key users" }</h3>
                <p class="muted">{ "Choose the IAM users and roles who can use the key in cryptographic operations." }</p>
                { principal_table(handle, wizard, world, &wizard.users, WizardIntent::ToggleUser, "Key user") }
                <h3>{ "Other AWS accounts" }</h3>
                { for wizard.other_accounts.iter().enumerate().map(|(i, account)| {
                    let set = { let h = handle.clone(); Callback::from(move |e: InputEvent| send(&h, WizardIntent::SetAccount(i, text_of(&e)))) };
                    html! {
                        <div class="pair">
                            { "arn:aws:iam::" }
                            <input type="text" inputmode="numeric" aria-label={format!("Other account {}", i + 1)} value={account.clone()} oninput={set} size="14" />
                            { ":root " }
                            <button class="small" onclick={on_click(handle, WizardIntent::RemoveAccount(i))}>{ "Remove" }</button>
                        </div>
                    }
                }) }
                <button class="small" onclick={on_click(handle, WizardIntent::AddAccount)}>{ "Add another AWS account" }</button>
                <p class="muted">{ "The administrators of other accounts must also give their users and roles IAM permissions to use this key." }</p>
            </>
        },
        WizardStep::Policy => {
            let diagnostics = Rc::new(wizard.policy_diagnostics(world));
            let on_change = {
                let handle = handle.clone();
                Callback::from(move |text: String| send(&handle, WizardIntent::EditPolicy(text)))
            };
            html! {
                <>
                    <div class="why-actions">
                        <button aria-pressed={(!wizard.editing).to_string()} onclick={on_click(handle, WizardIntent::SetEditing(false))}>{ "Preview" }</button>
                        <button id="wizard-edit-policy" aria-pressed={wizard.editing.to_string()} onclick={on_click(handle, WizardIntent::SetEditing(true))}>{ "Edit" }</button>
                        if wizard.policy_edit.is_some() {
                            <button onclick={on_click(handle, WizardIntent::DiscardPolicyEdits)}>{ "Discard edits" }</button>
                        }
                        if wizard.edited_by_hand() {
                            <span class="muted">{ "Edited by hand: the choices of steps 3 and 4 no longer apply." }</span>
                        }
                    </div>
                    <JsonEditor id="wizard-policy" text={AttrValue::from(wizard.policy_text())} {diagnostics}
                        {on_change} label="Key policy" readonly={!wizard.editing} />
                </>
            }
        }
        WizardStep::Review => {
            let edit = |step: WizardStep| on_click(handle, WizardIntent::GoTo(step));
            let names = |arns: &[String]| {
                if arns.is_empty() {
                    "none".to_owned()
                } else {
                    arns.iter()
                        .map(|a| crate::panels::principal_name(world, a))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let tags = wizard.tag_list();
            let tags = if tags.is_empty() {
                "none".to_owned()
            } else {
                tags.iter()
                    .map(|t| format!("{}={}", t.tag_key, t.tag_value))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            html! {
                <>
                    <dl class="kv" id="wizard-review">
                        <dt>{ "Key" }</dt>
                        <dd>{ wizard.key_summary() } <button class="link small" onclick={edit(WizardStep::Configure)}>{ "Edit" }</button></dd>
                        <dt>{ "Alias" }</dt>
                        <dd>{ wizard.alias_name() } <button class="link small" onclick={edit(WizardStep::Labels)}>{ "Edit" }</button></dd>
                        <dt>{ "Description" }</dt><dd>{ wizard.description.clone() }</dd>
                        <dt>{ "Tags" }</dt>
                        <dd>{ tags } <button class="link small" onclick={edit(WizardStep::Labels)}>{ "Edit" }</button></dd>
                        <dt>{ "Key administrators" }</dt>
                        <dd>{ names(&wizard.administrators) }{ if wizard.allow_admins_to_delete { " (may delete the key)" } else { "" } } <button class="link small" onclick={edit(WizardStep::Administrators)}>{ "Edit" }</button></dd>
                        <dt>{ "Key users" }</dt>
                        <dd>{ names(&wizard.users) } <button class="link small" onclick={edit(WizardStep::Users)}>{ "Edit" }</button></dd>
                    </dl>
                    <h3>{ "Key policy" } <button class="link small" onclick={edit(WizardStep::Policy)}>{ "Edit" }</button></h3>
                    <pre class="aws-error policy-preview" id="wizard-policy-review">{ wizard.policy_text() }</pre>
                    <details>
                        <summary>{ "Show as CLI" }</summary>
                        <pre class="aws-error">{ wizard.as_cli() }</pre>
                    </details>
                    <p class="note">{ "The console writes this policy. CreateKey through the API without a policy gives only the root statement (\"Enable IAM User Permissions\")." }</p>
                </>
            }
        }
    }
}

/// The wizard dialog, while it is open.
#[component]
pub fn WizardDialog() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let Some(wizard) = state.panels.wizard.clone() else {
        return html! {};
    };
    let model = state.model();
    let world = model.world();
    let problems = wizard.problems(world, wizard.step);
    let shown_problems = wizard.visible_problems(world, wizard.step);
    let cancel = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.dispatch(Intent::Panel(PanelIntent::CloseWizard))
        })
    };
    let finish = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.dispatch(Intent::Panel(PanelIntent::FinishWizard))
        })
    };
    let onkeydown = {
        let handle = handle.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                handle.dispatch(Intent::Panel(PanelIntent::CloseWizard));
            }
        })
    };
    let caller = state
        .panels
        .caller
        .as_ref()
        .map(|arn| crate::panels::principal_name(world, arn.as_str()))
        .unwrap_or_default();
    let error = state.panels.wizard_error.as_ref().map(|e| match e {
        FinishError::Incomplete(step, problem) => html! {
            <p class="err">{ format!("Step {} ({}): {problem}", step.number(), step.title()) }</p>
        },
        FinishError::Refused(refusal) => html! {
            <div>
                <pre class="aws-error refusal" id="wizard-refusal">{ refusal.line.clone() }</pre>
                if let Some(summary) = &refusal.summary { <p class="muted">{ summary.clone() }</p> }
            </div>
        },
    });
    html! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="wizard-title" id="wizard" {onkeydown}>
                <header>
                    <h2 id="wizard-title">{ format!("Create key — step {} of 6: {}", wizard.step.number(), wizard.step.title()) }</h2>
                    <span class="muted">{ format!("As {caller}, in account {}", wizard.account) }</span>
                </header>
                <ol class="steps-nav">
                    { for WizardStep::ALL.iter().map(|step| html! {
                        <li aria-current={(*step == wizard.step).then_some("step")}>{ format!("Step {}: {}", step.number(), step.title()) }</li>
                    }) }
                </ol>
                <div class="content">
                    if wizard.step == WizardStep::Configure {
                        if let Some(refused) = &wizard.create_key_refused {
                            <div class="warning-box" id="wizard-caller-denied" role="alert">
                                <p>{ format!("{caller} may not create keys here: KMS would refuse CreateKey at Finish. Choose another caller in the top bar (the account's root user may) to create this key; the steps can still be explored.") }</p>
                                <pre class="aws-error">{ refused.clone() }</pre>
                            </div>
                        }
                    }
                    { step_body(&handle, &wizard, world) }
                    // One stable container: messages that come and go must not shift the step's
                    // inputs in the tree, or the one being typed in is rebuilt and loses focus.
                    <div class="wizard-problems">
                        { for shown_problems.iter().map(|p| html! { <p class="err" role="alert">{ p.clone() }</p> }) }
                        { error.unwrap_or_default() }
                    </div>
                </div>
                <footer>
                    <button id="wizard-cancel" onclick={cancel}>{ "Cancel" }</button>
                    <button id="wizard-previous" disabled={wizard.step == WizardStep::Configure}
                        onclick={on_click(&handle, WizardIntent::Previous)}>{ "Previous" }</button>
                    if wizard.step == WizardStep::Review {
                        <button id="wizard-finish" class="primary" onclick={finish}>{ "Finish" }</button>
                    } else {
                        <button id="wizard-next" class="primary" disabled={!problems.is_empty()}
                            onclick={on_click(&handle, WizardIntent::Next)}>{ "Next" }</button>
                    }
                </footer>
            </div>
        </div>
    }
}

/// What the wizard's last Finish created, until dismissed.
#[component]
pub fn CreatedReport() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let Some(created) = state.panels.created.clone() else {
        return html! {};
    };
    let dismiss = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.dispatch(Intent::Panel(PanelIntent::DismissCreated))
        })
    };
    html! {
        <div class="notice" role="status" id="created-key">
            <span>{ format!("Created key {}", created.arn) }</span>
            { match &created.alias {
                Ok(alias) => html! { <span>{ format!(" with alias {alias}.") }</span> },
                Err(refusal) => html! { <span class="err">{ format!(" but CreateAlias failed: {}", refusal.line) }</span> },
            } }
            <button class="small" onclick={dismiss}>{ "Dismiss" }</button>
        </div>
    }
}
