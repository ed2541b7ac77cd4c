//! A multi-Region key's Regions under its policy, as the console's "Regionality" tab: the
//! primary key and its replicas with their states, Replicate on the primary (a Region picked
//! from those the world knows, or typed) and Make primary on each replica. It renders
//! [`crate::panels::regions`], whose calls are the engine's ReplicateKey and UpdatePrimaryRegion
//! as the caller.

use crate::panels::PanelIntent;
use crate::panels::regions::{RegionOutcome, RegionsIntent, region_choices, related_keys};
use crate::state::{Intent, Owner};
use crate::ui::hooks::{PlaygroundHandle, use_playground};
use crate::ui::panels::refusal_view;
use web_sys::HtmlInputElement;
use yew::prelude::*;

fn send(handle: &PlaygroundHandle, intent: RegionsIntent) {
    handle.dispatch(Intent::Panel(PanelIntent::Regions(intent)));
}

/// Props of [`KeyRegions`].
#[derive(Properties, PartialEq)]
pub struct KeyRegionsProps {
    /// The key whose page this is (its ARN).
    pub key_arn: AttrValue,
}

/// The Regions of the key `key_arn`; nothing for a single-Region key.
#[component]
pub fn KeyRegions(props: &KeyRegionsProps) -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let key = props.key_arn.to_string();
    let Some(set) = related_keys(model.world(), &key, model.now()) else {
        return html! {};
    };
    let this_is_primary = set.iter().any(|k| k.primary && k.arn == key);
    let rows = set.iter().map(|k| {
        let open = {
            let handle = handle.clone();
            let arn = k.arn.clone();
            Callback::from(move |_: MouseEvent| handle.select_owner(Owner::Key(arn.clone())))
        };
        let make_primary = {
            let handle = handle.clone();
            let arn = k.arn.clone();
            Callback::from(move |_: MouseEvent| send(&handle, RegionsIntent::MakePrimary(arn.clone())))
        };
        let state_text = match &k.settles_in {
            Some(left) => format!("{} ({left})", k.state),
            None => k.state.to_owned(),
        };
        html! {
            <tr data-region={k.region.clone()}>
                <td>
                    if k.arn == key {
                        <span class="mono" title={k.arn.clone()}>{ k.region.clone() }</span>
                    } else {
                        <button class="link small mono" title={k.arn.clone()} onclick={open}>{ k.region.clone() }</button>
                    }
                </td>
                <td>{ if k.primary { "Primary" } else { "Replica" } }</td>
                <td class="key-state">{ state_text }</td>
                <td>
                    if !k.primary {
                        <button class="small" onclick={make_primary} aria-label={format!("Make the key in {} the primary key", k.region)}>{ "Make primary" }</button>
                    }
                </td>
            </tr>
        }
    });

    let replicate = if this_is_primary {
        let choices = region_choices(model.world(), &key);
        let oninput = {
            let handle = handle.clone();
            Callback::from(move |e: InputEvent| {
                if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                    send(&handle, RegionsIntent::SetRegion(input.value()));
                }
            })
        };
        let onsubmit = {
            let handle = handle.clone();
            let key = key.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                send(&handle, RegionsIntent::Replicate(key.clone()));
            })
        };
        html! {
            <form class="add-policy" id="replicate-form" {onsubmit}>
                <label for="replica-region">{ "Replica Region" }</label>
                <input id="replica-region" type="text" list="replica-regions" placeholder="eu-west-2" size="14"
                    autocomplete="off" spellcheck="false" value={state.panels.regions.region.clone()} {oninput} />
                <datalist id="replica-regions">
                    { for choices.iter().map(|r| html! { <option value={r.clone()} /> }) }
                </datalist>
                <button type="submit" id="replicate">{ "Replicate" }</button>
            </form>
        }
    } else {
        html! {}
    };

    let outcome = match state.panels.regions.outcome_for(model.world(), &key) {
        Some(RegionOutcome::Replicated {
            arn,
            region,
            state: key_state,
        }) => {
            let name = model.key_name(arn);
            html! {
                <p class="muted" role="status" id="regions-result">
                    { format!("ReplicateKey made {name} in {region}: {key_state}. It becomes Enabled after a few seconds of the simulated clock.") }
                </p>
            }
        }
        Some(RegionOutcome::PrimaryChanged { region }) => html! {
            <p class="muted" role="status" id="regions-result">
                { format!("UpdatePrimaryRegion: the key in {region} is the primary key now; both keys are Updating for a few seconds.") }
            </p>
        },
        Some(RegionOutcome::Refused(refusal)) => html! {
            <div id="regions-result">{ refusal_view(&handle, refusal) }</div>
        },
        Some(RegionOutcome::Invalid(problem)) => html! {
            <p class="result err" role="alert" id="regions-result">{ problem.clone() }</p>
        },
        None => html! {},
    };

    html! {
        <section class="key-regions" id="key-regions" aria-labelledby="key-regions-title">
            <h3 id="key-regions-title">{ format!("Regionality: multi-Region {} key", if this_is_primary { "primary" } else { "replica" }) }</h3>
            // The action and what it did first, so they stay in view when the pane is short.
            { replicate }
            { outcome }
            <table class="list">
                <thead><tr><th>{ "Region" }</th><th>{ "Key type" }</th><th>{ "State" }</th><th></th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </section>
    }
}
