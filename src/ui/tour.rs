//! The course strip above the workspace: the lecture tour (this file) or an exercise
//! (`ui::exercise`), and the top bar's entry points to both. Everything shown comes from
//! `crate::course`; this only renders and dispatches.

use crate::course::{self, CourseIntent, EXERCISES, TOUR, Tour};
use crate::state::Intent;
use crate::ui::exercise::{ExercisePanel, SaveExerciseDialog};
use crate::ui::hooks::use_playground;
use kms_engine::policy::eval::Decision;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The three answers a prediction offers, with the words the page uses for them.
const CHOICES: [(Decision, &str, &str); 3] = [
    (Decision::Allow, "predict-allow", "Allow"),
    (Decision::ImplicitDeny, "predict-implicit", "Implicit deny"),
    (Decision::ExplicitDeny, "predict-explicit", "Explicit deny"),
];

fn decision_words(decision: Decision) -> &'static str {
    CHOICES
        .iter()
        .find(|(d, _, _)| *d == decision)
        .map_or("?", |(_, _, words)| words)
}

/// Puts `fragment` (or nothing) in the address bar without reloading, so a reload returns to
/// the same place in the course.
fn set_fragment(fragment: Option<&str>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let base = crate::ui::browser::location_base();
    let url = format!("{base}{}", fragment.unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Marks the matrix cells a step is about (the matrix owns its cells; the mark is an attribute
/// the matrix itself never sets).
fn mark_cells(cells: &[(usize, usize)]) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(marked) = document.query_selector_all("[data-tour-cell]") {
        for i in 0..marked.length() {
            if let Some(element) = marked
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                let _ = element.remove_attribute("data-tour-cell");
            }
        }
    }
    for (row, column) in cells {
        if let Some(element) = document.get_element_by_id(&format!("cell-{row}-{column}")) {
            let _ = element.set_attribute("data-tour-cell", "");
        }
    }
}

/// The top bar's entry points: the lecture tour, the exercises, and "Save as exercise".
#[component]
pub fn CourseMenu() -> Html {
    let handle = use_playground();
    let saving = use_state(|| false);
    let open_tour = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            let step = handle.state().course.tour.as_ref().map_or(0, |t| t.step);
            handle.dispatch(Intent::Course(CourseIntent::OpenTour(step)));
        })
    };
    let on_exercise = {
        let handle = handle.clone();
        let saving = saving.clone();
        Callback::from(move |event: Event| {
            let Some(select) = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            else {
                return;
            };
            let value = select.value();
            select.set_value("");
            match value.as_str() {
                "" => {}
                "save" => saving.set(true),
                id => handle.dispatch(Intent::Course(CourseIntent::OpenExercise(id.to_owned()))),
            }
        })
    };
    let close = {
        let saving = saving.clone();
        Callback::from(move |()| saving.set(false))
    };
    // Read once: parsing every shipped exercise on every render cost each keystroke.
    let names = use_memo((), |_| {
        EXERCISES
            .iter()
            .map(|e| {
                let name = kms_engine::scenario::Scenario::parse(e.text)
                    .ok()
                    .and_then(|s| s.name)
                    .unwrap_or_else(|| e.id.to_owned());
                (e.id, name)
            })
            .collect::<Vec<(&'static str, String)>>()
    });
    html! {
        <div class="group course-menu">
            <button id="tour-button" onclick={open_tour} title="A guided tour of the lecture, with questions">{ "Lecture" }</button>
            <label for="exercise-menu" class="visually-hidden">{ "Exercises" }</label>
            <select id="exercise-menu" onchange={on_exercise}>
                <option value="" selected=true>{ "Exercises…" }</option>
                { for names.iter().map(|(id, name)| html! { <option value={*id}>{ name.clone() }</option> }) }
                <option value="save">{ "Save this world as an exercise…" }</option>
            </select>
            if *saving { <SaveExerciseDialog on_close={close} /> }
        </div>
    }
}

/// The tour or the exercise, whichever is open.
#[component]
pub fn CoursePanel() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let fragment = course::fragment(&state.course);
    use_effect_with(fragment.clone(), move |fragment| {
        if fragment.is_some() {
            set_fragment(fragment.as_deref());
        }
    });
    if state.course.tour.is_some() {
        html! { <TourPanel /> }
    } else if state.course.exercise.is_some() {
        html! { <ExercisePanel /> }
    } else {
        html! {}
    }
}

#[component]
fn TourPanel() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let tour: Tour = state.course.tour.clone().unwrap_or_else(|| Tour::at(0));
    let step_index = tour.step;
    let cells = tour
        .current()
        .map(|step| course::step_cells(&state.model(), step))
        .unwrap_or_default();
    use_effect_with((state.revision, cells), move |(_, cells)| {
        mark_cells(cells);
        || mark_cells(&[])
    });
    let Some(step) = tour.current() else {
        return html! {};
    };
    let go = |to: usize| {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.dispatch(Intent::Course(CourseIntent::OpenTour(to)))
        })
    };
    let last = TOUR.len().saturating_sub(1);
    let close = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            set_fragment(None);
            handle.dispatch(Intent::Course(CourseIntent::CloseTour));
        })
    };
    let onkeydown = {
        let handle = handle.clone();
        Callback::from(move |event: KeyboardEvent| {
            let typing = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            if typing {
                return;
            }
            let to = match event.key().as_str() {
                "ArrowRight" | "PageDown" => (step_index < last).then_some(step_index + 1),
                "ArrowLeft" | "PageUp" => step_index.checked_sub(1),
                _ => None,
            };
            if let Some(to) = to {
                event.prevent_default();
                handle.dispatch(Intent::Course(CourseIntent::OpenTour(to)));
            }
        })
    };
    let (right, answered) = tour.score();
    let question = step.question.map(|q| match tour.answer() {
        None => {
            let buttons = CHOICES.iter().map(|(decision, id, words)| {
                let handle = handle.clone();
                let decision = *decision;
                let onclick = Callback::from(move |_: MouseEvent| {
                    handle.dispatch(Intent::Course(CourseIntent::Predict(decision)))
                });
                html! { <button id={*id} {onclick}>{ *words }</button> }
            });
            html! {
                <div class="predict" role="group" aria-label="Your prediction">
                    <p><strong>{ "Predict: " }</strong>{ q.prompt }</p>
                    <div class="group">{ for buttons }</div>
                    <p class="muted small">{ "Answer first; the cell and its why are revealed after." }</p>
                </div>
            }
        }
        Some(answer) => {
            let verdict = if answer.correct() {
                format!("Right: {}.", decision_words(answer.actual))
            } else {
                format!(
                    "Not this time: you said {}, and it is {}.",
                    decision_words(answer.chosen).to_lowercase(),
                    decision_words(answer.actual).to_lowercase()
                )
            };
            html! {
                <div class={classes!("predict", "revealed", if answer.correct() { "right" } else { "wrong" })} role="status" id="prediction-result">
                    <p><strong>{ verdict }</strong></p>
                    if !answer.correct() { <p class="rule"><strong>{ "What decides it: " }</strong>{ answer.rule.clone() }</p> }
                    <p class="muted small">{ "The Why tab below walks the whole decision." }</p>
                </div>
            }
        }
    });
    let step_list = TOUR.iter().enumerate().map(|(i, s)| {
        let current = (i == step_index).then_some("step");
        let mark = match tour.answers.get(i).and_then(Option::as_ref) {
            Some(a) if a.correct() => " ✓",
            Some(_) => " ✗",
            None => "",
        };
        html! {
            <li><button class="link" aria-current={current} onclick={go(i)}>{ format!("{}{mark}", s.title) }</button></li>
        }
    });
    html! {
        <section class="course tour" id="tour" aria-label="Lecture tour" {onkeydown} tabindex="-1">
            <div class="course-head">
                <span class="course-part">{ step.part }</span>
                <h2 id="tour-title">{ step.title }</h2>
                <span class="spacer"></span>
                <span class="score" id="tour-score">{ format!("Score {right}/{answered}") }</span>
                <button id="tour-back" onclick={go(step_index.saturating_sub(1))} disabled={step_index == 0}>{ "Back" }</button>
                <span class="muted" id="tour-position">{ format!("Step {} of {}", step_index + 1, TOUR.len()) }</span>
                <button id="tour-next" class="primary" onclick={go((step_index + 1).min(last))} disabled={step_index == last}>{ "Next" }</button>
                <button id="tour-close" onclick={close}>{ "Close" }</button>
            </div>
            <div class="course-body">
                <div class="course-main">
                    <p class="course-text">{ step.text }</p>
                    { for step.notes.iter().map(|n| html! {
                        <p class="real-kms"><strong>{ "In real KMS: " }</strong>{ n.text() }</p>
                    }) }
                    { question.unwrap_or_default() }
                </div>
                <details class="step-list">
                    <summary>{ "All steps" }</summary>
                    <ol>{ for step_list }</ol>
                    <p class="muted small">{ "← and → move between steps." }</p>
                </details>
            </div>
        </section>
    }
}
