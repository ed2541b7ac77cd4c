//! The centre column: the selected principal's identity policies or the selected key's policy,
//! one tab per document, in the JSON editor.

use crate::model::{DocId, DocTarget};
use crate::state::{Intent, Owner};
use crate::ui::editor::{JsonEditor, Reveal};
use crate::ui::hooks::use_playground;
use crate::ui::problems::{ProblemList, document_title};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The editor pane.
#[component]
pub fn EditorPane() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let new_policy_name = use_state(String::new);
    let renaming = use_state(|| None::<String>);

    let owner = state.ui.owner.clone();
    let (owner_title, owner_detail, docs): (String, String, Vec<DocId>) = match &owner {
        Some(Owner::Key(key)) => match model.world().keys.get_by_arn(key) {
            Some(k) => (
                model.key_name(key),
                format!("{} · {}", k.arn, k.state_at(model.now()).as_str()),
                model
                    .key_policy_doc(key)
                    .map(|d| d.id)
                    .into_iter()
                    .collect(),
            ),
            None => (String::new(), String::new(), Vec::new()),
        },
        Some(Owner::Principal(arn)) => match model.world().principal(arn) {
            Some(p) => (
                p.display_name(),
                arn.to_string(),
                model.identity_docs(arn).map(|d| d.id).collect(),
            ),
            None => (String::new(), String::new(), Vec::new()),
        },
        None => (String::new(), String::new(), Vec::new()),
    };
    let current = state
        .ui
        .document
        .filter(|d| docs.contains(d))
        .or_else(|| docs.first().copied());
    let document = current.and_then(|id| model.document(id)).cloned();

    let tabs = docs.iter().map(|&id| {
        let Some(doc) = model.document(id) else {
            return html! {};
        };
        let label = match &doc.target {
            DocTarget::KeyPolicy(_) => "Key policy".to_owned(),
            DocTarget::Identity { name, .. } => name.clone(),
        };
        let errors = doc.error_count();
        let onclick = {
            let handle = handle.clone();
            Callback::from(move |_: MouseEvent| handle.select_document(id))
        };
        html! {
            <button role="tab" aria-selected={(current == Some(id)).to_string()} {onclick}>
                { label }
                if errors > 0 { <span class="count" aria-label={format!("{errors} errors")}>{ format!("!{errors}") }</span> }
            </button>
        }
    });

    let principal_tools = match &owner {
        Some(Owner::Principal(arn)) => {
            let holds_policies = model.world().principal(arn).is_some_and(|p| {
                matches!(
                    p.kind,
                    kms_engine::world::PrincipalKind::User { .. }
                        | kms_engine::world::PrincipalKind::Role { .. }
                )
            });
            if holds_policies {
                let oninput = {
                    let new_policy_name = new_policy_name.clone();
                    Callback::from(move |e: InputEvent| {
                        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                            new_policy_name.set(input.value());
                        }
                    })
                };
                let onsubmit = {
                    let handle = handle.clone();
                    let arn = arn.clone();
                    let new_policy_name = new_policy_name.clone();
                    Callback::from(move |e: SubmitEvent| {
                        e.prevent_default();
                        let name = new_policy_name.trim().to_owned();
                        if !name.is_empty() {
                            handle.dispatch(Intent::AddPolicy {
                                principal: arn.clone(),
                                name,
                            });
                            new_policy_name.set(String::new());
                        }
                    })
                };
                html! {
                    <form class="add-policy" {onsubmit}>
                        <label for="new-policy-name" class="visually-hidden">{ "New policy name" }</label>
                        <input id="new-policy-name" type="text" placeholder="New policy name" value={(*new_policy_name).clone()} {oninput} size="16" />
                        <button type="submit">{ "Add policy" }</button>
                    </form>
                }
            } else {
                html! {
                    <span class="muted">{ "This principal has no identity policies of its own (a root user needs none; a session uses its role's)." }</span>
                }
            }
        }
        _ => html! {},
    };

    let doc_tools = match document.as_ref().map(|d| (&d.target, d.id)) {
        Some((DocTarget::Identity { name, .. }, id)) => {
            let rename = match (*renaming).clone() {
                Some(value) => {
                    let oninput = {
                        let renaming = renaming.clone();
                        Callback::from(move |e: InputEvent| {
                            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                                renaming.set(Some(input.value()));
                            }
                        })
                    };
                    let onsubmit = {
                        let handle = handle.clone();
                        let renaming = renaming.clone();
                        let value = value.clone();
                        Callback::from(move |e: SubmitEvent| {
                            e.prevent_default();
                            handle.dispatch(Intent::RenamePolicy {
                                doc: id,
                                name: value.trim().to_owned(),
                            });
                            renaming.set(None);
                        })
                    };
                    html! {
                        <form {onsubmit}>
                            <label for="rename-policy" class="visually-hidden">{ "New name" }</label>
                            <input id="rename-policy" type="text" {value} {oninput} size="16" />
                            <button type="submit">{ "Rename" }</button>
                        </form>
                    }
                }
                None => {
                    let renaming = renaming.clone();
                    let name = name.clone();
                    let onclick =
                        Callback::from(move |_: MouseEvent| renaming.set(Some(name.clone())));
                    html! { <button class="small" {onclick}>{ "Rename" }</button> }
                }
            };
            let onremove = {
                let handle = handle.clone();
                Callback::from(move |_: MouseEvent| handle.dispatch(Intent::RemovePolicy(id)))
            };
            html! {
                <>
                    { rename }
                    <button class="small" onclick={onremove}>{ "Remove policy" }</button>
                </>
            }
        }
        _ => html! {},
    };

    // A key's grants, read-only here; the grants panel creates, retires and revokes them.
    let key_grants = match &owner {
        Some(Owner::Key(key)) => {
            let rows = crate::panels::grants::grant_rows(
                model.world(),
                key,
                state.panels.clock_origin,
                model.now(),
            );
            let open_grants = {
                let handle = handle.clone();
                Callback::from(move |_: MouseEvent| {
                    handle.open_drawer(Some(crate::state::DrawerTab::Grants))
                })
            };
            html! {
                <details class="key-grants" id="key-grants">
                    <summary>{ format!("Grants on this key ({})", rows.len()) }</summary>
                    if rows.is_empty() {
                        <p class="muted">{ "No grants. Grants are made with CreateGrant, never in the key policy." }</p>
                    } else {
                        <table class="list">
                            <thead><tr><th>{ "Grantee" }</th><th>{ "Operations" }</th><th>{ "Standing" }</th></tr></thead>
                            <tbody>
                                { for rows.iter().map(|row| html! {
                                    <tr>
                                        <td title={row.grantee.clone()}>{ row.grantee_name.clone() }</td>
                                        <td>{ row.operations.join(", ") }</td>
                                        <td>{ match row.standing {
                                            crate::panels::grants::GrantConsistency::Pending { .. } => "pending (token only)",
                                            crate::panels::grants::GrantConsistency::Effective => "effective",
                                        } }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    }
                    <button class="link small" onclick={open_grants}>{ "Manage grants" }</button>
                </details>
            }
        }
        _ => html! {},
    };

    // A multi-Region key's Regions: replicate it, make a replica the primary.
    let key_regions = match &owner {
        Some(Owner::Key(key)) => html! {
            <crate::ui::regions::KeyRegions key_arn={AttrValue::from(key.clone())} />
        },
        _ => html! {},
    };

    let editor = match &document {
        Some(doc) => {
            let id = doc.id;
            let on_change = {
                let handle = handle.clone();
                Callback::from(move |text: String| handle.edit_document(id, text))
            };
            let reveal = state.ui.reveal.filter(|r| r.doc == id).map(|r| Reveal {
                start: r.start,
                end: r.end,
                focus: r.focus,
                serial: r.serial,
            });
            let statement = state.ui.highlight.filter(|h| h.0 == id).map(|h| (h.1, h.2));
            let title = document_title(&model, id);
            let errors = doc.error_count();
            html! {
                <>
                    if doc.stale {
                        <div class="stale-band" role="status" id="stale-band">
                            { format!("Using the last valid version of {title}: fix {errors} problem{} to update the matrix.", if errors == 1 { "" } else { "s" }) }
                        </div>
                    }
                    <JsonEditor key={format!("doc-{}", id.0)} id="policy-editor" text={AttrValue::from(doc.text.clone())}
                        diagnostics={doc.diagnostics.clone()} {on_change} label={AttrValue::from(title)}
                        {reveal} {statement} />
                    <div class="editor-problems">
                        <ProblemList doc={Some(id)} />
                    </div>
                    { key_grants }
                    { key_regions }
                </>
            }
        }
        None => html! {
            <p class="muted pad">{ "Pick a principal or a key on the left to edit its policies." }</p>
        },
    };

    html! {
        <section class="pane editor-pane" aria-label="Policy editor">
            <div class="pane-head">
                <h2>{ owner_title }</h2>
                <div class="doc-tabs" role="tablist" aria-label="Documents">{ for tabs }</div>
            </div>
            <div class="doc-meta">
                <span class="mono muted" title={owner_detail.clone()}>{ owner_detail }</span>
                { principal_tools }
                { doc_tools }
            </div>
            { editor }
        </section>
    }
}
