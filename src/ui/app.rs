//! The app root: the reducer, its context, and the page frame.

use crate::presets;
use crate::state::{AppState, DrawerTab, Intent};
use crate::ui::editor_pane::EditorPane;
use crate::ui::hooks::{PlaygroundHandle, use_playground};
use crate::ui::matrix::AccessMatrix;
use crate::ui::problems::ProblemList;
use crate::ui::sidebar::Sidebar;
use crate::ui::why::WhyPanel;
use yew::prelude::*;

/// The app's root component.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| AppState::new(presets::lecture()));
    let handle = PlaygroundHandle::new(state);
    html! {
        <ContextProvider<PlaygroundHandle> context={handle}>
            <Shell />
        </ContextProvider<PlaygroundHandle>>
    }
}

#[component]
fn TopBar() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    html! {
        <header class="topbar">
            <h1>{ "KMS Playground" }</h1>
            <span class="field muted" id="scenario-title">{ model.title().to_owned() }</span>
            <span class="spacer"></span>
        </header>
    }
}

#[component]
fn NoticeBar() -> Html {
    let handle = use_playground();
    let Some(notice) = handle.state().ui.notice.clone() else {
        return html! {};
    };
    let dismiss = handle.callback(|_: MouseEvent| Intent::DismissNotice);
    html! {
        <div class={classes!("notice", notice.error.then_some("error"))} role="alert" id="notice">
            <span>{ notice.text }</span>
            <button class="small" onclick={dismiss}>{ "Dismiss" }</button>
        </div>
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
    let tab = |tab: DrawerTab, label: String| {
        let selected = open == Some(tab);
        let handle = handle.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            handle.open_drawer(if selected { None } else { Some(tab) })
        });
        html! {
            <button role="tab" aria-selected={selected.to_string()} aria-controls="drawer-panel" {onclick}>
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
    html! {
        <section class={classes!("drawer", open.is_none().then_some("collapsed"))} aria-label="Details">
            <div class="drawer-tabs" role="tablist">
                { tab(DrawerTab::Why, why_label) }
                { tab(DrawerTab::Problems, format!("Problems {problem_count}")) }
            </div>
            <div class="drawer-panel" id="drawer-panel" role="tabpanel">
                { match open {
                    Some(DrawerTab::Why) => html! { <WhyPanel /> },
                    Some(DrawerTab::Problems) => html! { <ProblemList /> },
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
            <NoticeBar />
            <main class="workspace">
                <Sidebar />
                <EditorPane />
                <AccessMatrix />
            </main>
            <Drawer />
        </div>
    }
}

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
