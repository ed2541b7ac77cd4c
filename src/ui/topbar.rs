//! The top bar: scenario (presets, a scenario file, an import from AWS), undo/redo, share,
//! export, theme.

use crate::matrix_view::matrix_view;
use crate::persist;
use crate::presets::Preset;
use crate::share::encode_share;
use crate::state::Intent;
use crate::ui::browser::{
    apply_theme, copy_to_clipboard, download, location_base, storage_get, storage_set,
};
use crate::ui::hooks::use_playground;
use crate::ui::panels::CallerPicker;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The keyboard shortcuts the help lists.
const KEYS: [(&str, &str); 10] = [
    (
        "Alt+Shift+1 / 2 / 3",
        "go to the lists, the editor, the matrix",
    ),
    ("Arrows, Home, End, PgUp, PgDn", "move in the matrix"),
    ("Enter", "explain the selected cell"),
    ("Esc", "from the drawer back to the cell"),
    ("Ctrl+Space", "complete actions, condition keys, operators"),
    ("Tab / Shift+Tab", "indent; Esc then Tab leaves the editor"),
    ("Shift+Alt+F", "format the policy"),
    ("F8 / Shift+F8", "next / previous problem"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo typing"),
    ("Ctrl+S", "save now (it also saves by itself)"),
];

/// Where the chosen theme is remembered.
const THEME_KEY: &str = "kms-playground.theme";

/// A file name from a scenario title: letters, digits and dashes.
pub(crate) fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "scenario".to_owned()
    } else {
        stem
    }
}

/// The top bar.
#[component]
pub fn TopBar() -> Html {
    let handle = use_playground();
    let state = handle.state();
    let model = state.model();
    let file_input = use_node_ref();
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let export_open = use_state(|| false);
    let import_open = use_state(|| false);
    let theme = use_state(|| storage_get(THEME_KEY).unwrap_or_else(|| "system".to_owned()));

    {
        let theme = (*theme).clone();
        use_effect_with(theme, |theme| {
            apply_theme(match theme.as_str() {
                "light" => Some("light"),
                "dark" => Some("dark"),
                _ => None,
            });
        });
    }

    let on_preset = {
        let handle = handle.clone();
        let file_input = file_input.clone();
        let import_open = import_open.clone();
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let value = select.value();
            select.set_value("");
            if value == "import-aws" {
                import_open.set(true);
            } else if value == "open-file" {
                if let Some(input) = file_input.cast::<HtmlInputElement>() {
                    input.click();
                }
            } else if let Some(preset) = Preset::from_id(&value) {
                handle.dispatch(Intent::LoadPreset(preset));
            }
        })
    };
    let on_file = {
        let handle = handle.clone();
        let reader = reader.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let name = file.name();
            input.set_value("");
            let handle = handle.clone();
            let file = gloo::file::File::from(file);
            let task = gloo::file::callbacks::read_as_text(&file, move |result| match result {
                Ok(text) => handle.dispatch(Intent::ImportScenario { text, source: name }),
                Err(e) => handle.dispatch(Intent::Notify {
                    text: format!("{name} could not be read: {e}"),
                    error: true,
                }),
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    let undo = handle.callback(|_: MouseEvent| Intent::Undo);
    let redo = handle.callback(|_: MouseEvent| Intent::Redo);
    let share = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            let text = handle.state().model().export().to_json();
            let link = format!(
                "{}#{}",
                location_base(),
                encode_share(&text, kms_engine::VERSION)
            );
            copy_to_clipboard(&link);
            handle.dispatch(Intent::ShowShareLink(Some(link)));
        })
    };
    let toggle_export = {
        let export_open = export_open.clone();
        Callback::from(move |_: MouseEvent| export_open.set(!*export_open))
    };
    let export = |what: &'static str| {
        let handle = handle.clone();
        let export_open = export_open.clone();
        Callback::from(move |_: MouseEvent| {
            export_open.set(false);
            let state = handle.state();
            let model = state.model();
            let stem = file_stem(model.title());
            match what {
                "scenario" => download(
                    &format!("{stem}.json"),
                    "application/json",
                    &model.export().to_json(),
                ),
                "csv" => download(
                    &format!("{stem}-matrix.csv"),
                    "text/csv",
                    &matrix_view(&model, state.ui.expanded, None).to_csv(),
                ),
                _ => download(
                    &format!("{stem}-matrix.md"),
                    "text/markdown",
                    &matrix_view(&model, state.ui.expanded, None).to_markdown(),
                ),
            }
        })
    };
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                let value = select.value();
                storage_set(THEME_KEY, &value);
                theme.set(value);
            }
        })
    };
    let close_import = {
        let import_open = import_open.clone();
        Callback::from(move |()| import_open.set(false))
    };
    let undo_label = state.undo_label();
    let redo_label = state.redo_label();
    let fresh = format!("{}#{}", location_base(), crate::share::FRESH_FRAGMENT);

    html! {
        <header class="topbar">
            <h1>{ "KMS Playground" }</h1>
            <div class="field">
                <label for="scenario-menu">{ "Scenario" }</label>
                <select id="scenario-menu" onchange={on_preset} title={model.title().to_owned()}>
                    <option value="" selected=true>{ model.title().to_owned() }</option>
                    { for Preset::ALL.iter().map(|p| html! {
                        <option value={p.id()}>{ format!("Load: {}", p.label()) }</option>
                    }) }
                    <option value="open-file">{ "Open a scenario file…" }</option>
                    <option value="import-aws">{ "Import from AWS…" }</option>
                </select>
                <input ref={file_input} type="file" accept=".json,application/json" class="visually-hidden"
                    id="scenario-file" aria-label="Scenario file to open" tabindex="-1" onchange={on_file} />
            </div>
            <CallerPicker />
            <crate::ui::tour::CourseMenu />
            <div class="group">
                <button onclick={undo} disabled={undo_label.is_none()} id="undo"
                    title={undo_label.as_ref().map(|l| format!("Undo: {l}")).unwrap_or_else(|| "Nothing to undo".into())}>{ "Undo" }</button>
                <button onclick={redo} disabled={redo_label.is_none()} id="redo"
                    title={redo_label.as_ref().map(|l| format!("Redo: {l}")).unwrap_or_else(|| "Nothing to redo".into())}>{ "Redo" }</button>
            </div>
            <span class="spacer"></span>
            <div class="group">
                <button id="share" onclick={share} title="Copy a link that holds this whole world">{ "Share" }</button>
                <div class="menu">
                    <button id="export" aria-haspopup="true" aria-expanded={export_open.to_string()} onclick={toggle_export}>{ "Export ▾" }</button>
                    if *export_open {
                        <div class="menu-list" role="menu">
                            <button role="menuitem" id="export-scenario" onclick={export("scenario")}>{ "Scenario file (JSON, for kmsplay)" }</button>
                            <button role="menuitem" id="export-csv" onclick={export("csv")}>{ "Matrix as CSV" }</button>
                            <button role="menuitem" id="export-markdown" onclick={export("markdown")}>{ "Matrix as Markdown" }</button>
                        </div>
                    }
                </div>
                <a href={fresh} target="_blank" rel="noopener" title="Open the lecture in a new tab, ignoring what is saved here">{ "Fresh playground" }</a>
                <details class="menu" id="keys-help">
                    <summary title="Keyboard shortcuts (?)">{ "Shortcuts" }</summary>
                    <div class="menu-list help">
                        <dl class="kv">
                            { for KEYS.iter().map(|(keys, what)| html! {
                                <>
                                    <dt><kbd>{ *keys }</kbd></dt>
                                    <dd>{ *what }</dd>
                                </>
                            }) }
                        </dl>
                    </div>
                </details>
                if *import_open {
                    <crate::ui::import::ImportDialog on_close={close_import} />
                }
                <label for="theme" class="visually-hidden">{ "Theme" }</label>
                <select id="theme" onchange={on_theme}>
                    { for [("system", "System theme"), ("light", "Light"), ("dark", "Dark")].into_iter().map(|(v, l)| html! {
                        <option value={v} selected={*theme == v}>{ l }</option>
                    }) }
                </select>
            </div>
        </header>
    }
}

/// Banners under the top bar: the notice, the share link, saved data that could not be read,
/// another tab's save.
#[component]
pub fn Banners() -> Html {
    let handle = use_playground();
    let ui = handle.state().ui.clone();
    let mut banners = Vec::new();
    if let Some(notice) = ui.notice {
        let dismiss = handle.callback(|_: MouseEvent| Intent::DismissNotice);
        let undo = handle.callback(|_: MouseEvent| Intent::Undo);
        banners.push(html! {
            <div class={classes!("notice", notice.error.then_some("error"))} role={if notice.error { "alert" } else { "status" }} id="notice">
                <span class="notice-text">{ notice.text }</span>
                if notice.undo { <button class="small" onclick={undo}>{ "Undo" }</button> }
                <button class="small" onclick={dismiss}>{ "Dismiss" }</button>
            </div>
        });
    }
    if let Some(link) = ui.share_link {
        let close = handle.callback(|_: MouseEvent| Intent::ShowShareLink(None));
        let copy = {
            let link = link.clone();
            Callback::from(move |_: MouseEvent| copy_to_clipboard(&link))
        };
        banners.push(html! {
            <div class="notice" role="status">
                <label for="share-link">{ "Share link (copied):" }</label>
                <input id="share-link" type="text" readonly=true value={link} class="mono grow" />
                <button class="small" onclick={copy}>{ "Copy" }</button>
                <button class="small" onclick={close}>{ "Close" }</button>
            </div>
        });
    }
    if let Some(raw) = ui.recovery {
        let save = Callback::from(move |_: MouseEvent| {
            download("kms-playground-saved-data.json", "application/json", &raw)
        });
        let dismiss = handle.callback(|_: MouseEvent| Intent::OfferRecovery(None));
        banners.push(html! {
            <div class="notice error" role="alert" id="recovery">
                <span>{ "The saved playground could not be restored, so the lecture was opened instead. The saved data stays untouched until you edit:" }</span>
                <button class="small" onclick={save}>{ "Download the saved data" }</button>
                <button class="small" onclick={dismiss}>{ "Dismiss" }</button>
            </div>
        });
    }
    if ui.other_tab_saved {
        let reload = {
            let handle = handle.clone();
            Callback::from(move |_: MouseEvent| {
                let now = handle.state().model().now();
                match storage_get(persist::STORAGE_KEY).map(|t| persist::restore(&t, now)) {
                    Some(Ok(state)) => handle.dispatch(Intent::AdoptSaved(Box::new(state))),
                    _ => handle.dispatch(Intent::Notify {
                        text: "The other tab's save could not be read.".into(),
                        error: true,
                    }),
                }
            })
        };
        let keep = {
            let handle = handle.clone();
            Callback::from(move |_: MouseEvent| {
                storage_set(persist::STORAGE_KEY, &persist::save(handle.state()));
                handle.dispatch(Intent::OtherTabSaved(false));
            })
        };
        banners.push(html! {
            <div class="notice" role="status" id="other-tab">
                <span>{ "The playground was changed in another tab." }</span>
                <button class="small" onclick={reload}>{ "Load that version" }</button>
                <button class="small" onclick={keep}>{ "Keep mine" }</button>
            </div>
        });
    }
    html! { <>{ for banners }</> }
}
