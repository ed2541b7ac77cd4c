//! The hands-on panels' views: the caller picker, the grants panel with its clock, the crypto
//! panel with the ciphertext inspector, and the `aws` console. They render
//! [`crate::panels`] and dispatch its intents; every KMS call happens there, in the engine.

use crate::panels::console::{ConsoleIntent, LineKind, REPLAY_CHARS_PER_TICK};
use crate::panels::crypto::{CryptoIntent, CryptoOutcome};
use crate::panels::fields::{PairEdit, PairRow};
use crate::panels::grants::{
    ConstraintChoice, GrantConsistency, GrantOutcome, GrantsIntent, clock_chip, grant_operations,
    grant_rows,
};
use crate::panels::{PanelIntent, Refusal, WhyLink, caller_choices, countdown, middle_ellipsis};
use crate::state::Intent;
use crate::ui::hooks::{PlaygroundHandle, use_playground};
use crate::ui::icons::{Icon, IconSvg};
use kms_engine::catalog::Action;
use kms_engine::crypto::BlobField;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

const MINUTE_MS: i64 = 60_000;

fn panel(handle: &PlaygroundHandle, intent: PanelIntent) {
    handle.dispatch(Intent::Panel(intent));
}

fn select_value(event: &Event) -> Option<String> {
    event
        .target_dyn_into::<HtmlSelectElement>()
        .map(|s| s.value())
}

fn input_value(event: &InputEvent) -> Option<String> {
    let target = event.target()?;
    if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        return Some(input.value());
    }
    target.dyn_ref::<HtmlTextAreaElement>().map(|t| t.value())
}

/// The header's caller picker: every panel acts as this principal.
#[component]
pub fn CallerPicker() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let choices = caller_choices(model.world());
    let current = state
        .panels
        .caller
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    // `selected` on an option only sets its default: once the user has picked, the browser keeps
    // showing their pick through re-renders. The state's caller is the one truth, so the
    // element's value is set from it after every render.
    let picker = use_node_ref();
    let current_for_effect = current.clone();
    {
        let picker = picker.clone();
        use_effect(move || {
            if let Some(select) = picker.cast::<HtmlSelectElement>() {
                if select.value() != current_for_effect {
                    select.set_value(&current_for_effect);
                }
            }
        });
    }
    let onchange = {
        let handle = handle.clone();
        Callback::from(move |e: Event| {
            if let Some(arn) = select_value(&e) {
                panel(&handle, PanelIntent::SetCaller(arn));
            }
        })
    };
    html! {
        <div class="field">
            <label for="caller">{ "Caller" }</label>
            <select id="caller" ref={picker} {onchange} title={current.clone()}>
                { for choices.iter().map(|c| html! {
                    <option value={c.arn.to_string()} selected={c.arn == current}>{ c.label() }</option>
                }) }
            </select>
        </div>
    }
}

/// A refusal as the AWS CLI prints it, with a link to the why panel for its cell.
pub(crate) fn refusal_view(handle: &PlaygroundHandle, refusal: &Refusal) -> Html {
    html! {
        <div class="result">
            <pre class="aws-error refusal">{ refusal.line.clone() }</pre>
            if let Some(summary) = &refusal.summary { <p class="muted">{ summary.clone() }</p> }
            if let Some(link) = &refusal.why { { why_button(handle, link) } }
        </div>
    }
}

fn why_button(handle: &PlaygroundHandle, link: &WhyLink) -> Html {
    let onclick = {
        let handle = handle.clone();
        let link = link.clone();
        Callback::from(move |_: MouseEvent| handle.dispatch(link.intent()))
    };
    html! {
        <button class="link small why-link" {onclick}>{ format!("Why? ({})", link.action.name()) }</button>
    }
}

pub(crate) fn pair_rows(
    id: &'static str,
    rows: &[PairRow],
    on_edit: Callback<PairEdit>,
    key_label: &'static str,
) -> Html {
    html! {
        <div class="pairs" id={id}>
            { for rows.iter().enumerate().map(|(i, row)| {
                let on_key = {
                    let on_edit = on_edit.clone();
                    Callback::from(move |e: InputEvent| on_edit.emit(PairEdit::Key(i, input_value(&e).unwrap_or_default())))
                };
                let on_value = {
                    let on_edit = on_edit.clone();
                    Callback::from(move |e: InputEvent| on_edit.emit(PairEdit::Value(i, input_value(&e).unwrap_or_default())))
                };
                let on_remove = {
                    let on_edit = on_edit.clone();
                    Callback::from(move |_: MouseEvent| on_edit.emit(PairEdit::Remove(i)))
                };
                html! {
                    <div class="pair">
                        <input type="text" aria-label={format!("{key_label} {} key", i + 1)} placeholder="key" value={row.key.clone()} oninput={on_key} />
                        <input type="text" aria-label={format!("{key_label} {} value", i + 1)} placeholder="value" value={row.value.clone()} oninput={on_value} />
                        <button type="button" class="small" aria-label={format!("Remove {key_label} {}", i + 1)} onclick={on_remove}>{ "×" }</button>
                    </div>
                }
            }) }
            <button type="button" class="small" onclick={on_edit.reform(|_: MouseEvent| PairEdit::Add)}>{ "Add pair" }</button>
        </div>
    }
}

/// The simulated clock: the time since the scenario opened, when the next grant becomes
/// consistent, and buttons to move it forward.
#[component]
pub fn ClockControls() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let chip = clock_chip(model.world(), state.panels.clock_origin, model.now());
    let advance = |minutes: i64| {
        handle.callback(move |_: MouseEvent| Intent::AdvanceClock {
            millis: minutes * MINUTE_MS,
        })
    };
    html! {
        <div class="clock">
            <span class="clock-chip" id="clock" role="status">
                <IconSvg icon={Icon::Pending} />
                { chip.now.clone() }
                if let Some((at, left)) = &chip.consistent_at {
                    { format!(" · consistent at {at} (in {left})") }
                }
            </span>
            <button id="clock-1" onclick={advance(1)}>{ "+1 min" }</button>
            <button id="clock-5" onclick={advance(5)}>{ "+5 min" }</button>
        </div>
    }
}

/// The grants panel: create a grant as the caller, list each key's grants, retire and revoke.
#[component]
pub fn GrantsView() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let world = model.world();
    let grants = &state.panels.grants;
    let form = &grants.form;
    let people = caller_choices(world);
    let send = |make: fn(String) -> GrantsIntent| {
        let handle = handle.clone();
        move |value: String| panel(&handle, PanelIntent::Grants(make(value)))
    };
    let on_key = {
        let send = send(GrantsIntent::SetKey);
        Callback::from(move |e: Event| send(select_value(&e).unwrap_or_default()))
    };
    let on_grantee = {
        let send = send(GrantsIntent::SetGrantee);
        Callback::from(move |e: Event| send(select_value(&e).unwrap_or_default()))
    };
    let on_retiring = {
        let send = send(GrantsIntent::SetRetiring);
        Callback::from(move |e: Event| send(select_value(&e).unwrap_or_default()))
    };
    let on_name = {
        let send = send(GrantsIntent::SetName);
        Callback::from(move |e: InputEvent| send(input_value(&e).unwrap_or_default()))
    };
    let on_constraint = {
        let handle = handle.clone();
        Callback::from(move |e: Event| {
            let kind = match select_value(&e).as_deref() {
                Some("equals") => ConstraintChoice::Equals,
                Some("subset") => ConstraintChoice::Subset,
                _ => ConstraintChoice::None,
            };
            panel(
                &handle,
                PanelIntent::Grants(GrantsIntent::SetConstraint(kind)),
            );
        })
    };
    let on_pair = {
        let handle = handle.clone();
        Callback::from(move |edit: PairEdit| {
            panel(
                &handle,
                PanelIntent::Grants(GrantsIntent::ConstraintPair(edit)),
            )
        })
    };
    let create = {
        let handle = handle.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            panel(&handle, PanelIntent::Grants(GrantsIntent::Create));
        })
    };
    let caller_name = state
        .panels
        .caller
        .as_ref()
        .map(|arn| crate::panels::principal_name(world, arn.as_str()))
        .unwrap_or_default();

    let outcome_view = |outcome: &Option<GrantOutcome>| match outcome {
        None => html! {},
        Some(GrantOutcome::Created(issued)) => {
            let token = issued.grant_token.clone();
            let copy = {
                let token = token.clone();
                Callback::from(move |_: MouseEvent| crate::ui::browser::copy_to_clipboard(&token))
            };
            let copy_id = {
                let id = issued.grant_id.clone();
                Callback::from(move |_: MouseEvent| crate::ui::browser::copy_to_clipboard(&id))
            };
            let use_token = {
                let handle = handle.clone();
                let token = token.clone();
                Callback::from(move |_: MouseEvent| {
                    panel(&handle, PanelIntent::UseGrantToken(token.clone()));
                    handle.open_drawer(Some(crate::state::DrawerTab::Crypto));
                })
            };
            html! {
                <div class="result" id="grant-result">
                    <p class="ok">{ "CreateGrant succeeded." }</p>
                    <dl class="kv">
                        <dt>{ "GrantId" }</dt>
                        <dd id="grant-id" title={issued.grant_id.clone()}>{ middle_ellipsis(&issued.grant_id, 40) }</dd>
                        <dt>{ "GrantToken" }</dt>
                        <dd id="grant-token" title={token.clone()} data-token={token.clone()}>{ middle_ellipsis(&token, 40) }</dd>
                    </dl>
                    // Inside the create form: only the form's own button may submit it.
                    <button type="button" class="small" onclick={copy_id}>{ "Copy id" }</button>
                    { " " }
                    <button type="button" class="small" onclick={copy}>{ "Copy token" }</button>
                    { " " }
                    <button type="button" class="small" onclick={use_token}>{ "Use the token in Encrypt/Decrypt" }</button>
                </div>
            }
        }
        Some(GrantOutcome::Ended { grant_id, how }) => html! {
            <p class="result ok">{ format!("Grant {} {how}.", middle_ellipsis(grant_id, 24)) }</p>
        },
        Some(GrantOutcome::Refused(refusal)) => refusal_view(&handle, refusal),
        Some(GrantOutcome::Invalid(problem)) => {
            html! { <p class="result err">{ problem.clone() }</p> }
        }
    };
    let outcome = outcome_view(&grants.outcome);
    let list_outcome = outcome_view(&grants.list_outcome);

    let key_columns = model.columns();
    let lists = key_columns.iter().map(|column| {
        let rows = grant_rows(world, &column.id, state.panels.clock_origin, model.now());
        html! {
            <div class="grant-list">
                <h4>{ format!("{} ({} grant{})", column.name, rows.len(), if rows.len() == 1 { "" } else { "s" }) }</h4>
                if !rows.is_empty() {
                    <table class="list">
                        <thead><tr><th>{ "Grantee" }</th><th>{ "Operations" }</th><th>{ "Standing" }</th><th>{ "GrantId" }</th><th></th></tr></thead>
                        <tbody>
                            { for rows.iter().map(|row| {
                                let retire = {
                                    let handle = handle.clone();
                                    let (key, grant) = (row.key.clone(), row.grant_id.to_string());
                                    Callback::from(move |_: MouseEvent| panel(&handle, PanelIntent::Grants(GrantsIntent::Retire { key: key.clone(), grant: grant.clone() })))
                                };
                                let revoke = {
                                    let handle = handle.clone();
                                    let (key, grant) = (row.key.clone(), row.grant_id.to_string());
                                    Callback::from(move |_: MouseEvent| panel(&handle, PanelIntent::Grants(GrantsIntent::Revoke { key: key.clone(), grant: grant.clone() })))
                                };
                                let standing = match row.standing {
                                    GrantConsistency::Pending { until } => html! {
                                        <span class="pending-word"><IconSvg icon={Icon::Pending} />{ format!("pending: token only for {}", countdown(model.now(), until)) }</span>
                                    },
                                    GrantConsistency::Effective => html! { <span>{ "effective" }</span> },
                                };
                                html! {
                                    <tr>
                                        <td title={row.grantee.clone()}>{ row.grantee_name.clone() }</td>
                                        <td>
                                            { row.operations.join(", ") }
                                            if let Some(c) = &row.constraints { <div class="muted">{ c.clone() }</div> }
                                        </td>
                                        <td>{ standing }</td>
                                        <td class="mono" title={row.grant_id.to_string()}>{ middle_ellipsis(&row.grant_id.to_string(), 16) }</td>
                                        <td class="nowrap">
                                            <button class="small" onclick={retire}>{ "Retire" }</button>
                                            <button class="small" onclick={revoke}>{ "Revoke" }</button>
                                        </td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                }
            </div>
        }
    });

    html! {
        <div class="panel-cols" id="grants-panel">
            <form onsubmit={create} aria-label="Create a grant">
                <h3>{ format!("Create a grant as {caller_name}") }</h3>
                <div class="form-grid">
                    <label for="grant-key">{ "Key" }</label>
                    <select id="grant-key" onchange={on_key}>
                        { for key_columns.iter().map(|c| html! {
                            <option value={c.id.to_string()} selected={c.id.as_str() == form.key}>{ c.name.clone() }</option>
                        }) }
                    </select>
                    <label for="grant-grantee">{ "Grantee" }</label>
                    <select id="grant-grantee" onchange={on_grantee}>
                        <option value="" selected={form.grantee.is_empty()}>{ "Choose…" }</option>
                        { for people.iter().map(|p| html! {
                            <option value={p.arn.to_string()} selected={p.arn == form.grantee}>{ p.label() }</option>
                        }) }
                    </select>
                    <span class="label">{ "Operations" }</span>
                    <div class="checks" role="group" aria-label="Grant operations">
                        { for grant_operations().iter().map(|action| {
                            let action = *action;
                            let checked = form.operations.contains(&action);
                            let onchange = {
                                let handle = handle.clone();
                                Callback::from(move |_: Event| panel(&handle, PanelIntent::Grants(GrantsIntent::ToggleOperation(action))))
                            };
                            let name = action.grant_operation_name().unwrap_or(action.operation());
                            html! {
                                <label><input type="checkbox" {checked} {onchange} value={name} />{ name }</label>
                            }
                        }) }
                    </div>
                    <label for="grant-constraint">{ "Constraint" }</label>
                    <select id="grant-constraint" onchange={on_constraint}>
                        <option value="none" selected={form.constraint == ConstraintChoice::None}>{ "None" }</option>
                        <option value="equals" selected={form.constraint == ConstraintChoice::Equals}>{ "EncryptionContextEquals" }</option>
                        <option value="subset" selected={form.constraint == ConstraintChoice::Subset}>{ "EncryptionContextSubset" }</option>
                    </select>
                    if form.constraint != ConstraintChoice::None {
                        <span class="label">{ "Context pairs" }</span>
                        { pair_rows("grant-constraint-pairs", &form.constraint_pairs, on_pair, "constraint pair") }
                    }
                    <label for="grant-retiring">{ "Retiring principal" }</label>
                    <select id="grant-retiring" onchange={on_retiring}>
                        <option value="" selected={form.retiring.is_empty()}>{ "None" }</option>
                        { for people.iter().map(|p| html! {
                            <option value={p.arn.to_string()} selected={p.arn == form.retiring}>{ p.name.clone() }</option>
                        }) }
                    </select>
                    <label for="grant-name">{ "Name" }</label>
                    <input id="grant-name" type="text" value={form.name.clone()} oninput={on_name} placeholder="optional" />
                </div>
                <p><button type="submit" class="primary" id="create-grant">{ "Create grant" }</button></p>
                { outcome }
            </form>
            <div>
                <ClockControls />
                <div id="grant-list-result">{ list_outcome }</div>
                { for lists }
            </div>
        </div>
    }
}

/// The ciphertext inspector: the blob as a ruler of labelled parts, the tampered byte marked.
fn inspector(
    bytes: &[u8],
    inspection: &kms_engine::crypto::BlobInspection,
    tampered: Option<usize>,
) -> Html {
    let class_of = |field: BlobField| match field {
        BlobField::Nonce => "nonce",
        BlobField::Tag => "tag",
        BlobField::Body => "body",
        _ => "header",
    };
    html! {
        <div class="inspector" id="inspector">
            <p class="muted">
                { format!("{} bytes", inspection.length) }
                if let Some(arn) = &inspection.key_arn { { format!(" · key {arn}") } }
                if let Some(v) = inspection.key_version { { format!(" · backing-key version {v}") } }
            </p>
            if let Some(problem) = &inspection.problem {
                <p class="err">{ problem.to_string() }</p>
            }
            <div class="ruler">
                { for inspection.parts.iter().map(|part| html! {
                    <div class={classes!("part", class_of(part.field))} title={part.field.description()}>
                        <span class="label">{ format!("{} · {}–{}", part.field.label(), part.start, part.end.saturating_sub(1)) }</span>
                        <span class="bytes">{ part_bytes(bytes, part.start, part.end, part.field, tampered) }</span>
                    </div>
                }) }
            </div>
        </div>
    }
}

/// How many bytes of each end of a long part the ruler shows.
const RULER_ENDS: usize = 16;

/// One part's bytes on the ruler: the key ARN as text, the rest in hex. A long part shows both
/// ends and, when it holds the tampered byte, that byte with its neighbours, so the mark is
/// always in view.
fn part_bytes(
    bytes: &[u8],
    start: usize,
    end: usize,
    field: BlobField,
    tampered: Option<usize>,
) -> Html {
    let slice = bytes.get(start..end).unwrap_or_default();
    if field == BlobField::KeyArn {
        return html! { <span>{ String::from_utf8_lossy(slice).into_owned() }</span> };
    }
    let mut shown: Vec<usize> = (0..slice.len())
        .filter(|&i| i < RULER_ENDS || i + RULER_ENDS >= slice.len())
        .collect();
    if let Some(i) = tampered
        .filter(|t| (start..end).contains(t))
        .map(|t| t - start)
    {
        shown.extend(i.saturating_sub(2)..(i + 3).min(slice.len()));
    }
    kms_engine::sort::sort(&mut shown);
    shown.dedup();
    let mut out = Vec::with_capacity(shown.len() + 2);
    let mut previous: Option<usize> = None;
    for i in shown {
        if previous.is_some_and(|p| p + 1 != i) {
            out.push(html! { <span class="gap" aria-hidden="true">{ "…" }</span> });
        }
        previous = Some(i);
        let offset = start + i;
        let byte = slice.get(i).copied().unwrap_or_default();
        let flipped = tampered == Some(offset);
        out.push(html! {
            <span class={classes!(flipped.then_some("flipped"))}
                title={if flipped { format!("byte {offset}: tampered") } else { format!("byte {offset}") }}>
                { format!("{byte:02x}") }
            </span>
        });
    }
    out.into_iter().collect()
}

/// The encrypt/decrypt panel.
#[component]
pub fn CryptoView() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let crypto = &state.panels.crypto;
    let model = state.model();
    let send_text = |make: fn(String) -> CryptoIntent| {
        let handle = handle.clone();
        Callback::from(move |e: InputEvent| {
            panel(
                &handle,
                PanelIntent::Crypto(make(input_value(&e).unwrap_or_default())),
            )
        })
    };
    let act = |intent: CryptoIntent| {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| panel(&handle, PanelIntent::Crypto(intent.clone())))
    };
    let on_pair = {
        let handle = handle.clone();
        Callback::from(move |edit: PairEdit| {
            panel(&handle, PanelIntent::Crypto(CryptoIntent::Context(edit)))
        })
    };
    let key_options: Vec<String> = model
        .columns()
        .iter()
        .flat_map(|c| {
            let world = model.world();
            let mut names: Vec<String> = world
                .keys
                .get_by_arn(&c.id)
                .into_iter()
                .flat_map(|key| world.keys.aliases_for(key))
                .map(|a| a.name.clone())
                .collect();
            names.push(c.arn.clone());
            names
        })
        .collect();
    let caller_name = state
        .panels
        .caller
        .as_ref()
        .map(|arn| crate::panels::principal_name(model.world(), arn.as_str()))
        .unwrap_or_default();
    let outcome = match &crypto.outcome {
        None => html! {},
        Some(CryptoOutcome::Encrypted { key_id, .. }) => html! {
            <p class="result ok" id="crypto-result">{ format!("Encrypted under {key_id}. The CiphertextBlob is in the box above.") }</p>
        },
        Some(CryptoOutcome::Decrypted {
            key_id,
            plaintext,
            base64,
        }) => html! {
            <div class="result" id="crypto-result">
                <p class="ok">{ format!("Decrypted (KeyId {key_id}).") }</p>
                <dl class="kv"><dt>{ if *base64 { "Plaintext (base64)" } else { "Plaintext" } }</dt><dd id="decrypted">{ plaintext.clone() }</dd></dl>
            </div>
        },
        Some(CryptoOutcome::DataKey {
            key_id,
            plaintext,
            ciphertext,
        }) => html! {
            <div class="result" id="crypto-result">
                <p class="ok">{ format!("GenerateDataKey under {key_id}.") }</p>
                <dl class="kv">
                    <dt>{ "Plaintext (base64)" }</dt><dd>{ plaintext.clone() }</dd>
                    <dt>{ "CiphertextBlob" }</dt><dd>{ middle_ellipsis(ciphertext, 60) }</dd>
                </dl>
            </div>
        },
        Some(CryptoOutcome::ReEncrypted {
            source_key_id,
            key_id,
            ..
        }) => html! {
            <p class="result ok" id="crypto-result">{ format!("Re-encrypted from {source_key_id} to {key_id}.") }</p>
        },
        Some(CryptoOutcome::Tampered { offset, field }) => html! {
            <p class="result" id="crypto-result">
                { format!("Flipped one bit of byte {offset}{}. Decrypt it now: the authentication tag no longer matches.",
                    field.map(|f| format!(" ({})", f.label())).unwrap_or_default()) }
            </p>
        },
        Some(CryptoOutcome::MacGenerated {
            key_id,
            mac,
            mac_algorithm,
        }) => html! {
            <div class="result" id="crypto-result">
                <p class="ok">{ format!("GenerateMac with {key_id} ({mac_algorithm}). The Mac is in the box below.") }</p>
                <dl class="kv"><dt>{ "Mac (base64)" }</dt><dd class="mono" id="generated-mac">{ mac.clone() }</dd></dl>
            </div>
        },
        Some(CryptoOutcome::MacVerified {
            key_id,
            mac_valid,
            mac_algorithm,
        }) => html! {
            <div class="result" id="crypto-result">
                <p class="ok">{ format!("VerifyMac with {key_id} ({mac_algorithm}).") }</p>
                <dl class="kv"><dt>{ "MacValid" }</dt><dd id="mac-valid">{ mac_valid.to_string() }</dd></dl>
            </div>
        },
        Some(CryptoOutcome::Signed {
            key_id,
            signature,
            signing_algorithm,
        }) => html! {
            <div class="result" id="crypto-result">
                <p class="ok">{ format!("Sign with {key_id} ({signing_algorithm}). The Signature is in the box beside.") }</p>
                <dl class="kv"><dt>{ "Signature (base64)" }</dt><dd class="mono" id="signature-made">{ middle_ellipsis(signature, 60) }</dd></dl>
            </div>
        },
        Some(CryptoOutcome::Verified {
            key_id,
            signature_valid,
            signing_algorithm,
        }) => html! {
            <div class="result" id="crypto-result">
                <p class="ok">{ format!("Verify with {key_id} ({signing_algorithm}).") }</p>
                <dl class="kv"><dt>{ "SignatureValid" }</dt><dd id="signature-valid">{ signature_valid.to_string() }</dd></dl>
            </div>
        },
        Some(CryptoOutcome::PublicKey {
            key_id,
            public_key,
            key_spec,
            key_usage,
        }) => html! {
            <div class="result" id="crypto-result">
                <p class="ok">{ format!("GetPublicKey of {key_id}: {key_spec}, {key_usage}. Anyone may hold it: it verifies signatures or encrypts outside KMS.") }</p>
                <label for="public-key">{ "PublicKey (DER SubjectPublicKeyInfo, base64)" }</label>
                <textarea id="public-key" class="plain mono wide" rows="4" readonly=true value={public_key.clone()} />
            </div>
        },
        Some(CryptoOutcome::Refused(refusal)) => {
            html! { <div id="crypto-result">{ refusal_view(&handle, refusal) }</div> }
        }
        Some(CryptoOutcome::Invalid(problem)) => {
            html! { <p class="result err" id="crypto-result">{ problem.clone() }</p> }
        }
    };
    let inspection = crypto.inspection();
    // What the panel offers follows the key's row of the key-spec table: encryption for a
    // symmetric encryption key (or a key it does not know: KMS answers), MACs for an HMAC key.
    let row = crypto.key_row(model.world());
    let encrypts = row.is_none_or(|r| r.supports(Action::Encrypt));
    let macs = row.is_some_and(|r| r.supports(Action::GenerateMac));
    let signs = row.is_some_and(|r| r.supports(Action::Sign));
    let asymmetric = row.is_some_and(|r| r.asymmetric);
    // An asymmetric key computes with the RSA and elliptic-curve code, which loads on demand.
    let module_note = html! {
        if asymmetric {
            <crate::ui::asymmetric::ModuleStatus />
        }
    };
    let public_key_button = html! {
        if asymmetric {
            <button id="get-public-key" onclick={act(CryptoIntent::GetPublicKey)}>{ "GetPublicKey" }</button>
        }
    };
    let key_field = html! {
        <>
            <label for="crypto-key">{ "Key (id, ARN or alias)" }</label>
            <input id="crypto-key" type="text" list="crypto-keys" value={crypto.key.clone()} oninput={send_text(CryptoIntent::SetKey)} />
            <datalist id="crypto-keys">{ for key_options.iter().map(|k| html! { <option value={k.clone()} /> }) }</datalist>
        </>
    };
    if macs {
        return html! {
            <div class="panel-cols" id="crypto-panel">
                <div>
                    <h3>{ format!("Generate and verify MACs as {caller_name}") }</h3>
                    <div class="form-grid">
                        { key_field.clone() }
                        <label for="crypto-plaintext">{ "Message" }</label>
                        <input id="crypto-plaintext" type="text" value={crypto.plaintext.clone()} oninput={send_text(CryptoIntent::SetPlaintext)} />
                        <label for="mac-algorithm">{ "MAC algorithm" }</label>
                        <select id="mac-algorithm">
                            { for row.map(|r| r.mac_algorithms).unwrap_or_default().iter().map(|a| html! { <option value={a.as_str()} selected=true>{ a.as_str() }</option> }) }
                        </select>
                        <label for="crypto-tokens">{ "Grant tokens" }</label>
                        <textarea id="crypto-tokens" class="plain mono" rows="2" value={crypto.grant_tokens.clone()} oninput={send_text(CryptoIntent::SetGrantTokens)} />
                    </div>
                    <p class="why-actions">
                        <button class="primary" id="generate-mac" onclick={act(CryptoIntent::GenerateMac)}>{ "GenerateMac" }</button>
                        <button id="verify-mac" onclick={act(CryptoIntent::VerifyMac)}>{ "VerifyMac" }</button>
                    </p>
                    { outcome }
                </div>
                <div>
                    <label for="mac"><strong>{ "Mac (base64)" }</strong></label>
                    <textarea id="mac" class="plain mono wide" rows="3" value={crypto.mac.clone()} oninput={send_text(CryptoIntent::SetMac)} />
                    <p class="muted">{ "VerifyMac computes the HMAC of the message with the key and compares it with this Mac: a changed message or Mac fails with KMSInvalidMacException." }</p>
                </div>
            </div>
        };
    }
    if signs {
        let algorithm = crypto.signing_algorithm(model.world());
        let on_algorithm = {
            let handle = handle.clone();
            Callback::from(move |e: Event| {
                let value = e
                    .target_dyn_into::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default();
                panel(
                    &handle,
                    PanelIntent::Crypto(CryptoIntent::SetSigningAlgorithm(value)),
                );
            })
        };
        return html! {
            <div class="panel-cols" id="crypto-panel">
                <div>
                    <h3>{ format!("Sign and verify as {caller_name}") }</h3>
                    <div class="form-grid">
                        { key_field.clone() }
                        <label for="crypto-plaintext">{ "Message" }</label>
                        <input id="crypto-plaintext" type="text" value={crypto.plaintext.clone()} oninput={send_text(CryptoIntent::SetPlaintext)} />
                        <label for="signing-algorithm">{ "Signing algorithm" }</label>
                        <select id="signing-algorithm" onchange={on_algorithm}>
                            { for row.map(|r| r.signing_algorithms).unwrap_or_default().iter().map(|a| html! { <option value={*a} selected={*a == algorithm}>{ *a }</option> }) }
                        </select>
                        <label for="crypto-tokens">{ "Grant tokens" }</label>
                        <textarea id="crypto-tokens" class="plain mono" rows="2" value={crypto.grant_tokens.clone()} oninput={send_text(CryptoIntent::SetGrantTokens)} />
                    </div>
                    <p class="why-actions">
                        <button class="primary" id="sign" onclick={act(CryptoIntent::Sign)}>{ "Sign" }</button>
                        <button id="verify" onclick={act(CryptoIntent::Verify)}>{ "Verify" }</button>
                        { public_key_button }
                    </p>
                    { module_note }
                    { outcome }
                </div>
                <div>
                    <label for="signature"><strong>{ "Signature (base64)" }</strong></label>
                    <textarea id="signature" class="plain mono wide" rows="4" value={crypto.signature.clone()} oninput={send_text(CryptoIntent::SetSignature)} />
                    <p class="muted">{ "Sign hashes the message (MessageType RAW) and signs the digest with the private key, which never leaves KMS. Verify checks this signature over the message: a changed message or signature fails with KMSInvalidSignatureException. GetPublicKey hands out the public key, to verify outside KMS." }</p>
                </div>
            </div>
        };
    }
    if !encrypts {
        return html! {
            <div class="panel-cols" id="crypto-panel">
                <div>
                    <h3>{ format!("Use a key as {caller_name}") }</h3>
                    <div class="form-grid">
                        { key_field.clone() }
                    </div>
                    <p class="why-actions">{ public_key_button }</p>
                    { module_note }
                    { outcome }
                    <p class="muted">{ format!("This key ({}) neither encrypts, signs nor makes MACs; the console panel runs its other operations (DeriveSharedSecret for a key agreement key).", row.map_or("", |r| r.name)) }</p>
                </div>
            </div>
        };
    }
    html! {
        <div class="panel-cols" id="crypto-panel">
            <div>
                <h3>{ format!("Encrypt and decrypt as {caller_name}") }</h3>
                <div class="form-grid">
                    { key_field }
                    <label for="crypto-plaintext">{ "Plaintext" }</label>
                    <input id="crypto-plaintext" type="text" value={crypto.plaintext.clone()} oninput={send_text(CryptoIntent::SetPlaintext)} />
                    <span class="label">{ "Encryption context" }</span>
                    { pair_rows("crypto-context", &crypto.context, on_pair, "context pair") }
                    <label for="crypto-tokens">{ "Grant tokens" }</label>
                    <textarea id="crypto-tokens" class="plain mono" rows="2" value={crypto.grant_tokens.clone()} oninput={send_text(CryptoIntent::SetGrantTokens)} />
                    <label for="crypto-destination">{ "ReEncrypt to" }</label>
                    <input id="crypto-destination" type="text" list="crypto-keys" value={crypto.destination.clone()} oninput={send_text(CryptoIntent::SetDestination)} />
                </div>
                <p class="why-actions">
                    <button class="primary" id="encrypt" onclick={act(CryptoIntent::Encrypt)}>{ "Encrypt" }</button>
                    <button id="decrypt" onclick={act(CryptoIntent::Decrypt)}>{ "Decrypt" }</button>
                    <button id="generate-data-key" onclick={act(CryptoIntent::GenerateDataKey)}>{ "GenerateDataKey" }</button>
                    <button id="re-encrypt" onclick={act(CryptoIntent::ReEncrypt)}>{ "ReEncrypt" }</button>
                    { public_key_button }
                </p>
                if let Some(algorithm) = crypto.encryption_algorithm(model.world()) {
                    <p class="muted">{ format!("An RSA key encrypts with {algorithm} and no encryption context; its ciphertext is the bare RSA output, which names no key, so Decrypt sends the key and the algorithm.") }</p>
                }
                { module_note }
                { outcome }
            </div>
            <div>
                <label for="ciphertext"><strong>{ "CiphertextBlob (base64)" }</strong></label>
                <textarea id="ciphertext" class="plain mono wide" rows="4" value={crypto.ciphertext.clone()} oninput={send_text(CryptoIntent::SetCiphertext)} />
                <p>
                    <button id="tamper" onclick={act(CryptoIntent::Tamper)} disabled={crypto.blob().is_none()}
                        title="Flip one bit of one byte of the ciphertext">{ "Tamper" }</button>
                    if let Some(at) = crypto.tampered { <span class="muted">{ format!(" byte {at} flipped") }</span> }
                </p>
                if let Some((bytes, inspection)) = inspection {
                    { inspector(&bytes, &inspection, crypto.tampered) }
                }
            </div>
        </div>
    }
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// The `aws` console: a terminal over the engine's emulator, on the live world.
#[component]
pub fn ConsoleView() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let console = &state.panels.console;
    let input_ref = use_node_ref();
    let output_ref = use_node_ref();
    let replaying = console.replay.is_some();

    // A replay types on a timer, a few characters per tick, as a person would.
    {
        let handle = handle.clone();
        use_effect_with(replaying, move |&replaying| {
            let interval = replaying.then(|| {
                gloo::timers::callback::Interval::new(40, move || {
                    panel(&handle, PanelIntent::Console(ConsoleIntent::ReplayTick));
                })
            });
            move || drop(interval)
        });
    }
    // Keep the newest output in view.
    {
        let output_ref = output_ref.clone();
        let count = console.lines.len();
        use_effect_with((count, console.input.len()), move |_| {
            if let Some(el) = output_ref.cast::<HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let oninput = {
        let handle = handle.clone();
        Callback::from(move |e: InputEvent| {
            panel(
                &handle,
                PanelIntent::Console(ConsoleIntent::SetInput(input_value(&e).unwrap_or_default())),
            )
        })
    };
    let onkeydown = {
        let handle = handle.clone();
        Callback::from(move |e: KeyboardEvent| {
            let ctrl = e.ctrl_key() || e.meta_key();
            let intent = match e.key().as_str() {
                "Enter" => ConsoleIntent::Submit,
                "ArrowUp" => ConsoleIntent::HistoryUp,
                "ArrowDown" => ConsoleIntent::HistoryDown,
                "l" | "L" if ctrl => ConsoleIntent::Clear,
                "c" | "C" if ctrl => {
                    // With text selected, Ctrl+C copies it, as in a terminal.
                    let selected = e
                        .target_dyn_into::<HtmlInputElement>()
                        .is_some_and(|i| i.selection_start().ok() != i.selection_end().ok());
                    if selected {
                        return;
                    }
                    ConsoleIntent::Cancel
                }
                _ => return,
            };
            e.prevent_default();
            panel(&handle, PanelIntent::Console(intent));
        })
    };
    let focus_input = {
        let input_ref = input_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        })
    };
    let replay = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            if replaying {
                panel(&handle, PanelIntent::Console(ConsoleIntent::StopReplay));
                return;
            }
            panel(&handle, PanelIntent::Console(ConsoleIntent::ReplayDemo1));
            // Typing on a timer is motion; with reduced motion the whole replay runs at once.
            if prefers_reduced_motion() {
                panel(&handle, PanelIntent::Console(ConsoleIntent::ReplayToEnd));
            }
        })
    };
    let clear = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            panel(&handle, PanelIntent::Console(ConsoleIntent::Clear))
        })
    };
    let progress = console.replay.as_ref().map(|r| r.progress());
    html! {
        <div class="console-wrap" id="console-panel">
            <div class="why-actions">
                <button id="replay-demo1" onclick={replay}>
                    { if replaying { "Stop replay" } else { "Replay demo 1" } }
                </button>
                <button onclick={clear}>{ "Clear" }</button>
                if let Some((done, total)) = progress {
                    <span class="muted" role="status">{ format!("replaying: command {done} of {total}") }</span>
                }
                <span class="muted">{ format!("Commands run as the caller unless --profile says otherwise; Up/Down for history, Ctrl+L clears, Ctrl+C drops the line. ({REPLAY_CHARS_PER_TICK} characters per tick when replaying)") }</span>
            </div>
            <div class="console" onclick={focus_input}>
                <div class="out" ref={output_ref} id="console-output" role="log" aria-live="polite">
                    { for console.lines.iter().map(|line| {
                        let class = match line.kind {
                            LineKind::Command => "cmd",
                            LineKind::Stdout => "stdout",
                            LineKind::Stderr => "err",
                            LineKind::Note => "note",
                        };
                        html! {
                            <div class={classes!("line", class)}>
                                if line.kind == LineKind::Command { <span class="prompt">{ "$ " }</span> }
                                { line.text.clone() }
                                if let Some(link) = &line.why { { " " }{ why_button(&handle, link) } }
                            </div>
                        }
                    }) }
                </div>
                <div class="prompt-line">
                    <label for="console-input" class="prompt">{ "$" }</label>
                    <input id="console-input" ref={input_ref} type="text" spellcheck="false" autocomplete="off"
                        aria-label="aws command" value={console.input.clone()} {oninput} {onkeydown} readonly={replaying} />
                </div>
            </div>
        </div>
    }
}
