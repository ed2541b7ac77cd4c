//! The app root: the reducer and its context (started as [`crate::startup`] decides from the URL
//! and the autosave), autosave, page-wide keys, and the page frame.

use crate::persist;
use crate::platform::epoch_ms_timestamp;
use crate::startup::{self, AutosaveOwner, AutosaveStep};
use crate::state::{AsymmetricModule, DrawerTab, Intent, Pane};
use crate::ui::browser::{clear_hash, location_hash, storage_get, storage_set};
use crate::ui::editor_pane::EditorPane;
use crate::ui::expectations::ExpectationsView;
use crate::ui::hooks::{PlaygroundHandle, use_playground};
use crate::ui::matrix::AccessMatrix;
use crate::ui::panels::{ConsoleView, CryptoView, GrantsView};
use crate::ui::problems::ProblemList;
use crate::ui::sidebar::Sidebar;
use crate::ui::topbar::{Banners, TopBar};
use crate::ui::why::WhyPanel;
use crate::ui::wizard::{CreatedReport, WizardDialog};
use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How long after the last change the autosave is written.
const AUTOSAVE_DELAY_MS: u32 = 500;

/// The app's root component.
#[component]
pub fn App() -> Html {
    let owner = use_mut_ref(|| None::<AutosaveOwner>);
    let state = {
        let owner = owner.clone();
        use_reducer(move || {
            let saved = storage_get(persist::STORAGE_KEY);
            let (state, start) =
                startup::initial_state(&location_hash(), saved, epoch_ms_timestamp());
            *owner.borrow_mut() = Some(AutosaveOwner::new(start));
            state
        })
    };
    let handle = PlaygroundHandle::new(state.clone());

    // Autosave, 500 ms after the last change to the world or the documents, once this tab owns it.
    let pending = use_mut_ref(|| None::<Timeout>);
    {
        let handle = handle.clone();
        let model_revision = state.model().revision();
        let model_identity = state.model().title().to_owned();
        let filter = state.model().filter().clone();
        use_effect_with(
            (model_revision, model_identity, state.ui.expanded, filter),
            move |_| {
                let revision = handle.state().model().revision();
                let step = owner
                    .borrow_mut()
                    .as_mut()
                    .map_or(AutosaveStep::Save, |o| o.changed(revision));
                match step {
                    AutosaveStep::Leave => return,
                    AutosaveStep::TakeOver => clear_hash(),
                    AutosaveStep::Save => {}
                }
                let handle = handle.clone();
                *pending.borrow_mut() = Some(Timeout::new(AUTOSAVE_DELAY_MS, move || {
                    storage_set(persist::STORAGE_KEY, &persist::save(handle.state()));
                }));
            },
        );
    }

    // The RSA and elliptic-curve code, the first time the page needs it.
    {
        let handle = handle.clone();
        let wanted = state.wants_asymmetric_module();
        use_effect_with(wanted, move |wanted| {
            if *wanted {
                handle.dispatch(Intent::AsymmetricModule(AsymmetricModule::Loading));
                crate::ui::asymmetric::load(move |outcome| {
                    handle.dispatch(Intent::AsymmetricModule(match outcome {
                        Ok(()) => AsymmetricModule::Loaded,
                        Err(sentence) => AsymmetricModule::Failed(sentence),
                    }));
                });
            }
        });
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
                    // Non-passive: the browser ignores `preventDefault` in a passive listener and
                    // would run its own action (save the page, switch tabs) as well.
                    EventListener::new_with_options(
                        &document,
                        "keydown",
                        EventListenerOptions::enable_prevent_default(),
                        move |event| {
                            let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                                return;
                            };
                            let ctrl = event.ctrl_key() || event.meta_key();
                            if ctrl && event.key().eq_ignore_ascii_case("s") {
                                event.prevent_default();
                                let saved = storage_set(
                                    persist::STORAGE_KEY,
                                    &persist::save(handle.state()),
                                );
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
                        },
                    )
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
    // Checked on every change, as the list promises; a scenario without expectations skips it.
    let tests_label = {
        let results = state.model().expectations();
        let passed = results.iter().filter(|r| r.passed).count();
        if results.is_empty() {
            "Tests".to_owned()
        } else {
            format!("Tests {passed}/{}", results.len())
        }
    };
    let why_label = match &state.ui.selection {
        Some(s) => {
            let model = state.model();
            let who = model
                .row_of(s.principal.as_str())
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
        <section id="drawer" class={classes!("drawer", open.is_none().then_some("collapsed"))} aria-label="Details" {onkeydown}>
            <div class="drawer-tabs" role="tablist">
                { tab(DrawerTab::Why, "tab-why", why_label) }
                { tab(DrawerTab::Grants, "tab-grants", format!("Grants {}", state.model().world().grants.all().filter(|g| g.is_active()).count())) }
                { tab(DrawerTab::Crypto, "tab-crypto", "Encrypt/Decrypt".to_owned()) }
                { tab(DrawerTab::Console, "tab-console", "Console".to_owned()) }
                { tab(DrawerTab::Problems, "tab-problems", format!("Problems {problem_count}")) }
                { tab(DrawerTab::Expectations, "tab-tests", tests_label) }
            </div>
            <div class="drawer-panel" id="drawer-panel" role="tabpanel">
                { match open {
                    Some(DrawerTab::Why) => html! { <WhyPanel /> },
                    Some(DrawerTab::Problems) => html! { <ProblemList /> },
                    Some(DrawerTab::Grants) => html! { <GrantsView /> },
                    Some(DrawerTab::Crypto) => html! { <CryptoView /> },
                    Some(DrawerTab::Console) => html! { <ConsoleView /> },
                    Some(DrawerTab::Expectations) => html! { <ExpectationsView /> },
                    None => html! {},
                } }
            </div>
        </section>
    }
}

/// On a narrow screen, the tabs that choose which workspace pane shows (hidden when wide).
#[component]
fn PaneSwitch() -> Html {
    let handle = use_playground();
    let current = handle.state().ui.pane;
    let tab = |pane: Pane, id: &'static str, label: &'static str| {
        let onclick = handle.callback(move |_: MouseEvent| Intent::ShowPane(pane));
        html! {
            <button role="tab" {id} aria-selected={(pane == current).to_string()} {onclick}>{ label }</button>
        }
    };
    html! {
        <div class="pane-switch" role="tablist" aria-label="Show">
            { tab(Pane::Lists, "pane-lists", "Principals & keys") }
            { tab(Pane::Editor, "pane-editor", "Policy") }
            { tab(Pane::Matrix, "pane-matrix", "Matrix") }
        </div>
    }
}

#[component]
fn Shell() -> Html {
    let handle = use_playground();
    let shown = match handle.state().ui.pane {
        Pane::Lists => "show-lists",
        Pane::Editor => "show-editor",
        Pane::Matrix => "show-matrix",
    };
    html! {
        <div id="app" class="app">
            <TopBar />
            <Banners />
            <crate::ui::tour::CoursePanel />
            <CreatedReport />
            <PaneSwitch />
            <main class={classes!("workspace", shown)}>
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
    // The static first matrix (src/prerender.rs) goes in the same task as the first render, so no
    // frame shows neither.
    if let Some(first) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(crate::prerender::ELEMENT_ID))
    {
        first.remove();
    }
    yew::Renderer::<App>::new().render();
}
