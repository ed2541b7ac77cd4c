//! The app root: where the page starts from (autosave, share link, fresh), the reducer and its
//! context, autosave, and the page frame.

use crate::persist;
use crate::platform::epoch_ms_timestamp;
use crate::presets;
use crate::share::{StartRequest, start_request};
use crate::state::{AppState, DrawerTab, Intent};
use crate::ui::browser::{clear_hash, location_hash, storage_get, storage_set};
use crate::ui::editor_pane::EditorPane;
use crate::ui::hooks::{PlaygroundHandle, use_playground};
use crate::ui::matrix::AccessMatrix;
use crate::ui::panels::{ConsoleView, CryptoView, GrantsView};
use crate::ui::problems::ProblemList;
use crate::ui::sidebar::Sidebar;
use crate::ui::topbar::{Banners, TopBar};
use crate::ui::why::WhyPanel;
use crate::ui::wizard::{CreatedReport, WizardDialog};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How long after the last change the autosave is written.
const AUTOSAVE_DELAY_MS: u32 = 500;

/// How the page started, which decides when autosave may overwrite what is saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Start {
    /// From the autosave (or nothing saved): save every change.
    Saved,
    /// From a share link, `#fresh`, or saved data that could not be read: leave the autosave
    /// alone until the user changes something.
    KeepSaved,
}

/// The state the page opens with, from the URL fragment and the autosave.
fn initial_state() -> (AppState, Start) {
    let now = epoch_ms_timestamp();
    let lecture = || AppState::new(presets::lecture(now));
    // `#tour`, `#tour=3`, `#exercise=<id>`: a course page links to its place in the playground.
    // The course keeps its place in the fragment, so these start like a saved session.
    if let Some(route) = crate::course::route(&location_hash()) {
        let mut state = lecture();
        state.apply(Intent::Course(match route {
            crate::course::CourseRoute::Tour(step) => crate::course::CourseIntent::OpenTour(step),
            crate::course::CourseRoute::Exercise(id) => {
                crate::course::CourseIntent::OpenExercise(id)
            }
        }));
        return (state, Start::Saved);
    }
    match start_request(&location_hash()) {
        StartRequest::Fresh => (lecture(), Start::KeepSaved),
        StartRequest::Shared(Ok(shared)) => {
            let mut state = lecture();
            state.apply(Intent::ImportScenario {
                text: shared.scenario,
                source: "the share link".into(),
            });
            if shared.engine_version != kms_engine::VERSION {
                state.apply(Intent::Notify {
                    text: format!(
                        "This link was made with engine {}; this page runs engine {}. Decisions follow this engine.",
                        shared.engine_version,
                        kms_engine::VERSION
                    ),
                    error: false,
                });
            }
            (state, Start::KeepSaved)
        }
        StartRequest::Shared(Err(e)) => {
            let mut state = lecture();
            state.apply(Intent::Notify {
                text: format!(
                    "The share link could not be opened: {e}. The lecture was opened instead."
                ),
                error: true,
            });
            (state, Start::KeepSaved)
        }
        StartRequest::Saved => match storage_get(persist::STORAGE_KEY) {
            None => (lecture(), Start::Saved),
            Some(raw) => match persist::restore(&raw, now) {
                Ok(state) => (state, Start::Saved),
                Err(e) => {
                    let mut state = lecture();
                    state.apply(Intent::Notify {
                        text: format!("Could not restore the saved playground: {e}"),
                        error: true,
                    });
                    state.apply(Intent::OfferRecovery(Some(raw)));
                    (state, Start::KeepSaved)
                }
            },
        },
    }
}

/// The app's root component.
#[component]
pub fn App() -> Html {
    let start = use_mut_ref(|| None::<Start>);
    let state = {
        let start = start.clone();
        use_reducer(move || {
            let (state, how) = initial_state();
            *start.borrow_mut() = Some(how);
            state
        })
    };
    let handle = PlaygroundHandle::new(state.clone());

    // Autosave, 500 ms after the last change to the world or the documents.
    let first_model = use_mut_ref(|| None::<u64>);
    let pending = use_mut_ref(|| None::<Timeout>);
    {
        let handle = handle.clone();
        let model_revision = state.model().revision();
        let model_identity = state.model().title().to_owned();
        use_effect_with(
            (model_revision, model_identity, state.ui.expanded),
            move |_| {
                let current = handle.state().model().revision();
                let initial = *first_model.borrow_mut().get_or_insert(current);
                let keep_saved = *start.borrow() == Some(Start::KeepSaved);
                if keep_saved && current == initial {
                    return;
                }
                if keep_saved {
                    // The user changed something: from now on this tab owns the autosave, and a
                    // reload should restore it rather than reopen the link.
                    *start.borrow_mut() = Some(Start::Saved);
                    clear_hash();
                }
                let handle = handle.clone();
                *pending.borrow_mut() = Some(Timeout::new(AUTOSAVE_DELAY_MS, move || {
                    storage_set(persist::STORAGE_KEY, &persist::save(handle.state()));
                }));
            },
        );
    }

    // Another tab saving is announced by a `storage` event.
    {
        let handle = handle.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "storage", move |event| {
                    let key = event
                        .dyn_ref::<web_sys::StorageEvent>()
                        .and_then(|e| e.key());
                    if key.as_deref() == Some(persist::STORAGE_KEY) {
                        handle.dispatch(Intent::OtherTabSaved(true));
                    }
                })
            });
            move || drop(listener)
        });
    }

    // Page-wide keys: Ctrl/Cmd+S saves now; Alt+Shift+1/2/3 move to the lists, the editor, the
    // matrix (browsers keep Ctrl/Alt+digit for tabs).
    {
        let handle = handle.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window()
                .and_then(|w| w.document())
                .map(|document| {
                    EventListener::new(&document, "keydown", move |event| {
                        let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                            return;
                        };
                        let ctrl = event.ctrl_key() || event.meta_key();
                        if ctrl && event.key().eq_ignore_ascii_case("s") {
                            event.prevent_default();
                            let saved =
                                storage_set(persist::STORAGE_KEY, &persist::save(handle.state()));
                            handle.dispatch(Intent::Notify {
                                text: if saved {
                                    "Saved in this browser.".into()
                                } else {
                                    "This browser refused to save (storage full or disabled)."
                                        .into()
                                },
                                error: !saved,
                            });
                            return;
                        }
                        // `?` outside a text field opens the list of keys.
                        let typing = event
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .is_some_and(|e| {
                                matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                            });
                        if event.key() == "?" && !typing {
                            if let Some(help) = web_sys::window()
                                .and_then(|w| w.document())
                                .and_then(|d| d.get_element_by_id("keys-help"))
                            {
                                let _ = if help.has_attribute("open") {
                                    help.remove_attribute("open")
                                } else {
                                    help.set_attribute("open", "")
                                };
                            }
                            return;
                        }
                        if event.alt_key() && event.shift_key() {
                            let target = match event.code().as_str() {
                                "Digit1" => "#principal-list button",
                                "Digit2" => "#policy-editor",
                                "Digit3" => "#matrix td[tabindex='0']",
                                _ => return,
                            };
                            event.prevent_default();
                            focus_first(target);
                        }
                    })
                });
            move || drop(listener)
        });
    }

    html! {
        <ContextProvider<PlaygroundHandle> context={handle}>
            <Shell />
        </ContextProvider<PlaygroundHandle>>
    }
}

fn focus_first(selector: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

#[component]
fn Drawer() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let open = state.ui.drawer;
    let problem_count: usize = state
        .model()
        .documents()
        .iter()
        .map(|d| d.diagnostics.len())
        .sum();
    let tab = |tab: DrawerTab, id: &'static str, label: String| {
        let selected = open == Some(tab);
        let handle = handle.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            handle.open_drawer(if selected { None } else { Some(tab) })
        });
        html! {
            <button role="tab" {id} aria-selected={selected.to_string()} aria-controls="drawer-panel" {onclick}>
                { label }
            </button>
        }
    };
    let why_label = match &state.ui.selection {
        Some(s) => {
            let model = state.model();
            let who = model
                .row_of(&s.principal)
                .and_then(|r| model.rows().get(r))
                .map_or(String::new(), |r| r.name.clone());
            format!("Why: {who} × {}", model.key_name(&s.key))
        }
        None => "Why".to_owned(),
    };
    // Esc in the drawer returns to the selected cell.
    let onkeydown = Callback::from(|event: KeyboardEvent| {
        if event.key() == "Escape" {
            focus_first("#matrix td[tabindex='0']");
        }
    });
    html! {
        <section class={classes!("drawer", open.is_none().then_some("collapsed"))} aria-label="Details" {onkeydown}>
            <div class="drawer-tabs" role="tablist">
                { tab(DrawerTab::Why, "tab-why", why_label) }
                { tab(DrawerTab::Grants, "tab-grants", format!("Grants {}", state.model().world().grants.all().filter(|g| g.is_active()).count())) }
                { tab(DrawerTab::Crypto, "tab-crypto", "Encrypt/Decrypt".to_owned()) }
                { tab(DrawerTab::Console, "tab-console", "Console".to_owned()) }
                { tab(DrawerTab::Problems, "tab-problems", format!("Problems {problem_count}")) }
            </div>
            <div class="drawer-panel" id="drawer-panel" role="tabpanel">
                { match open {
                    Some(DrawerTab::Why) => html! { <WhyPanel /> },
                    Some(DrawerTab::Problems) => html! { <ProblemList /> },
                    Some(DrawerTab::Grants) => html! { <GrantsView /> },
                    Some(DrawerTab::Crypto) => html! { <CryptoView /> },
                    Some(DrawerTab::Console) => html! { <ConsoleView /> },
                    None => html! {},
                } }
            </div>
        </section>
    }
}

#[component]
fn Shell() -> Html {
    html! {
        <div id="app" class="app">
            <TopBar />
            <Banners />
            <crate::ui::tour::CoursePanel />
            <CreatedReport />
            <main class="workspace">
                <Sidebar />
                <EditorPane />
                <AccessMatrix />
            </main>
            <Drawer />
            <WizardDialog />
        </div>
    }
}

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
