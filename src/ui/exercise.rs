//! An exercise beside the playground: its statement, the goals as a live checklist with a hint
//! each, the side-effect rules, and what may be edited; and the "Save as exercise" dialog.
//! The checks and the file come from `crate::course`; this only renders and dispatches.

use crate::course::{CellGoal, CourseIntent, exercise_file};
use crate::state::Intent;
use crate::ui::browser::download;
use crate::ui::hooks::use_playground;
use kms_engine::policy::eval::Decision;
use kms_engine::scenario::{EditScope, GoalStatus};
use wasm_bindgen::JsCast;
use yew::prelude::*;

fn decision_words(decision: Decision) -> &'static str {
    match decision {
        Decision::Allow => "allowed",
        Decision::ImplicitDeny => "implicitly denied",
        Decision::ExplicitDeny => "explicitly denied",
    }
}

fn cell_words(g: &GoalStatus) -> String {
    match &g.request {
        Some(request) => format!("{} · {} · {} with {request}", g.principal, g.key, g.action),
        None => format!("{} · {} · {}", g.principal, g.key, g.action),
    }
}

#[component]
pub fn ExercisePanel() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let Some(session) = state.course.exercise.as_ref() else {
        return html! {};
    };
    let status = session.status(&state.model());
    let solved = status.solved();
    let scenario = &session.scenario;
    let close = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.dispatch(Intent::Course(CourseIntent::CloseExercise))
        })
    };
    let goals = status.goals.iter().map(|g| {
        let state_words = if g.holds { "met" } else { "not met" };
        let now = match g.refused_by_key_state {
            Some(exception) => format!("now allowed, but refused by the key's state ({exception})"),
            None => format!("now {}", decision_words(g.actual)),
        };
        html! {
            <li class={classes!("goal", if g.holds { "met" } else { "unmet" })}>
                <span class="goal-mark" aria-hidden="true">{ if g.holds { "✓" } else { "○" } }</span>
                <span class="goal-cell">{ cell_words(g) }</span>
                { format!(" must be {} ", decision_words(g.expected)) }
                <span class="visually-hidden">{ format!("({state_words})") }</span>
                if !g.holds {
                    <span class="muted">{ format!("({now})") }</span>
                    <details class="hint"><summary>{ "Hint" }</summary><p>{ g.hint.clone() }</p></details>
                }
            </li>
        }
    });
    let rules = status.must_not.iter().map(|g| {
        html! {
            <li class={classes!("goal", if g.holds { "violated" } else { "met" })}>
                <span class="goal-mark" aria-hidden="true">{ if g.holds { "✗" } else { "✓" } }</span>
                <span class="goal-cell">{ cell_words(g) }</span>
                { format!(" must not be {}", decision_words(g.expected)) }
                if g.holds { <strong>{ " — it is now" }</strong><p class="muted small">{ g.hint.clone() }</p> }
            </li>
        }
    });
    let may_edit = match &scenario.exercise.may_edit {
        Some(scopes) if scopes.is_empty() => "nothing".to_owned(),
        Some(scopes) => scopes
            .iter()
            .map(EditScope::describe)
            .collect::<Vec<_>>()
            .join(", "),
        None => "anything".to_owned(),
    };
    html! {
        <section class="course exercise" id="exercise" aria-label="Exercise">
            <div class="course-head">
                <span class="course-part">{ "Exercise" }</span>
                <h2 id="exercise-title">{ scenario.name.clone().unwrap_or_default() }</h2>
                <span class="spacer"></span>
                if solved {
                    <span class="solved" id="exercise-solved" role="status">{ "✓ Solved" }</span>
                } else {
                    <span class="score" id="exercise-progress" role="status">
                        { format!("{} of {} goals met", status.goals_met(), status.goals.len()) }
                    </span>
                }
                <button id="exercise-close" onclick={close}>{ "Close" }</button>
            </div>
            <div class="course-body">
                <div class="course-main">
                    <p class="course-text">{ scenario.description.clone().unwrap_or_default() }</p>
                    <p class="may-edit"><strong>{ "You may change: " }</strong>{ may_edit }</p>
                </div>
                <div class="goals">
                    <h3>{ "Goals" }</h3>
                    <ul id="goal-list">{ for goals }</ul>
                    if !status.must_not.is_empty() {
                        <h3>{ "Must not happen" }</h3>
                        <ul id="rule-list">{ for rules }</ul>
                    }
                </div>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SaveProps {
    pub on_close: Callback<()>,
}

fn input_value(event: &Event) -> String {
    event
        .target()
        .and_then(|t| {
            t.clone()
                .dyn_into::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|_| {
                    t.dyn_into::<web_sys::HtmlTextAreaElement>()
                        .map(|a| a.value())
                })
                .ok()
        })
        .unwrap_or_default()
}

/// "Save as exercise": the current world, the cells chosen as goals and side-effect rules, the
/// documents the student may edit, and a statement, downloaded as an exercise file.
#[function_component]
pub fn SaveExerciseDialog(props: &SaveProps) -> Html {
    let handle = use_playground();
    let state = handle.state();
    let title = use_state(|| "My exercise".to_owned());
    let statement = use_state(String::new);
    let goals = use_state(Vec::<CellGoal>::new);
    let rules = use_state(Vec::<CellGoal>::new);
    let scopes = use_state(Vec::<String>::new);
    let decision = use_state(|| Decision::Allow);
    let error = use_state(|| None::<String>);
    let model = state.model();
    let selected = state.ui.selection.as_ref().and_then(|s| {
        let key = model.world().keys.get_by_arn(&s.key)?.arn.clone();
        let action = s
            .action
            .map(|a| a.name().to_owned())
            .unwrap_or_else(|| "kms:Decrypt".to_owned());
        Some((s.principal.to_string(), key, action))
    });
    let add = |list: UseStateHandle<Vec<CellGoal>>| {
        let selected = selected.clone();
        let decision = decision.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some((principal, key, action)) = selected.clone() {
                let mut next = (*list).clone();
                next.push(CellGoal {
                    principal,
                    key,
                    action,
                    decision: *decision,
                });
                list.set(next);
            }
        })
    };
    let on_decision = {
        let decision = decision.clone();
        Callback::from(move |event: Event| {
            let value = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .map(|s| s.value())
                .unwrap_or_default();
            decision.set(match value.as_str() {
                "explicit-deny" => Decision::ExplicitDeny,
                "implicit-deny" => Decision::ImplicitDeny,
                _ => Decision::Allow,
            });
        })
    };
    let name_of = |arn: &str| {
        model
            .rows()
            .iter()
            .find(|r| r.arn == arn)
            .map(|r| r.name.clone())
            .or_else(|| {
                model
                    .columns()
                    .iter()
                    .find(|c| c.arn == arn)
                    .map(|c| c.name.clone())
            })
            .unwrap_or_else(|| arn.to_owned())
    };
    let describe = |g: &CellGoal| {
        format!(
            "{} · {} · {} → {}",
            name_of(&g.principal),
            name_of(&g.key),
            g.action,
            g.decision.as_str()
        )
    };
    let mut scope_choices: Vec<String> = model
        .columns()
        .iter()
        .flat_map(|c| {
            ["key-policy", "grants", "key-state"]
                .into_iter()
                .map(move |kind| format!("{kind}:{}", c.name))
        })
        .collect();
    scope_choices.extend(model.rows().iter().map(|r| format!("identity:{}", r.name)));
    let scope_boxes = scope_choices.into_iter().map(|entry| {
        let checked = scopes.contains(&entry);
        let scopes = scopes.clone();
        let value = entry.clone();
        let onchange = Callback::from(move |_: Event| {
            let mut next = (*scopes).clone();
            if let Some(i) = next.iter().position(|s| *s == value) {
                next.remove(i);
            } else {
                next.push(value.clone());
            }
            scopes.set(next);
        });
        html! { <label class="scope"><input type="checkbox" {checked} {onchange} />{ entry }</label> }
    });
    let save = {
        let title = title.clone();
        let statement = statement.clone();
        let goals = goals.clone();
        let rules = rules.clone();
        let scopes = scopes.clone();
        let error = error.clone();
        let handle = handle.clone();
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| {
            let state = handle.state();
            let model = state.model();
            match exercise_file(&model, &title, &statement, &goals, &rules, &scopes) {
                Ok(text) => {
                    download(
                        &format!("{}.json", crate::ui::topbar::file_stem(&title)),
                        "application/json",
                        &text,
                    );
                    on_close.emit(());
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let cancel = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let on_title = {
        let title = title.clone();
        Callback::from(move |e: Event| title.set(input_value(&e)))
    };
    let on_statement = {
        let statement = statement.clone();
        Callback::from(move |e: Event| statement.set(input_value(&e)))
    };
    html! {
        <div class="dialog-backdrop">
            <div class="dialog save-exercise" role="dialog" aria-modal="true" aria-labelledby="save-exercise-title" id="save-exercise">
                <h2 id="save-exercise-title">{ "Save this world as an exercise" }</h2>
                <label>{ "Title" }<input type="text" value={(*title).clone()} onchange={on_title} /></label>
                <label>{ "Statement for the student" }<textarea class="plain wide" rows="3" onchange={on_statement} value={(*statement).clone()} /></label>
                <p class="muted small">{ "Select a cell in the matrix (and an action in the Why tab), choose a decision, then add it as a goal or as something that must not happen." }</p>
                <div class="group">
                    <select onchange={on_decision} aria-label="Decision">
                        <option value="allow" selected={*decision == Decision::Allow}>{ "allow" }</option>
                        <option value="implicit-deny" selected={*decision == Decision::ImplicitDeny}>{ "implicit-deny" }</option>
                        <option value="explicit-deny" selected={*decision == Decision::ExplicitDeny}>{ "explicit-deny" }</option>
                    </select>
                    <button onclick={add(goals.clone())} disabled={selected.is_none()}>{ "Add selected cell as a goal" }</button>
                    <button onclick={add(rules.clone())} disabled={selected.is_none()}>{ "Add as must-not" }</button>
                </div>
                <p><strong>{ "Goals: " }</strong>{ goals.iter().map(describe).collect::<Vec<_>>().join("; ") }</p>
                <p><strong>{ "Must not: " }</strong>{ rules.iter().map(describe).collect::<Vec<_>>().join("; ") }</p>
                <fieldset class="scopes"><legend>{ "The student may change" }</legend>{ for scope_boxes }</fieldset>
                if let Some(e) = (*error).clone() { <p class="error" role="alert">{ e }</p> }
                <div class="group">
                    <button class="primary" onclick={save}>{ "Download exercise file" }</button>
                    <button onclick={cancel}>{ "Cancel" }</button>
                </div>
            </div>
        </div>
    }
}
