//! The "Import from AWS…" dialog: files dropped or picked are read in the browser (File API,
//! nothing is sent anywhere) and handed to an [`ImportSession`], which the dialog renders; "Open"
//! sends the imported world to the app's reducer.

use crate::aws_import::{ImportMsg, ImportSession, Outcome, Report};
use crate::matrix_view::{MatrixFilter, thousands};
use crate::state::Intent;
use crate::ui::browser::copy_to_clipboard;
use crate::ui::hooks::use_playground;
use gloo::file::callbacks::FileReader;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{FileList, HtmlElement, HtmlInputElement};
use yew::prelude::*;

/// The dialog's properties.
#[derive(Properties, PartialEq)]
pub struct ImportDialogProps {
    /// Closes the dialog (Cancel, Esc, or after Open).
    pub on_close: Callback<()>,
}

/// Files being read: the results so far, and how many are still to come. The session hears of
/// them once, together, so a drop of 300 files imports once, not 300 times.
#[derive(Default)]
struct Batch {
    remaining: usize,
    read: Vec<(String, String)>,
    failed: Vec<(String, String)>,
}

fn value_of(event: &InputEvent) -> Option<String> {
    event
        .target_dyn_into::<HtmlInputElement>()
        .map(|input| input.value())
}

/// Reads every file of `files` as text, then sends the session what was read.
fn read_files(
    files: &FileList,
    session: &UseReducerHandle<ImportSession>,
    readers: &Rc<RefCell<Vec<FileReader>>>,
) {
    let count = files.length();
    if count == 0 {
        return;
    }
    let batch = Rc::new(RefCell::new(Batch {
        remaining: count as usize,
        ..Batch::default()
    }));
    for i in 0..count {
        let Some(file) = files.get(i) else {
            batch.borrow_mut().remaining -= 1;
            continue;
        };
        let name = file.name();
        let file = gloo::file::File::from(file);
        let (batch, session) = (batch.clone(), session.clone());
        let task = gloo::file::callbacks::read_as_text(&file, move |result| {
            let done = {
                let mut batch = batch.borrow_mut();
                match result {
                    Ok(text) => batch.read.push((name, text)),
                    Err(e) => batch.failed.push((name, e.to_string())),
                }
                batch.remaining -= 1;
                batch.remaining == 0
            };
            if done {
                let Batch { read, failed, .. } = std::mem::take(&mut *batch.borrow_mut());
                for (name, error) in failed {
                    session.dispatch(ImportMsg::Unreadable { name, error });
                }
                if !read.is_empty() {
                    session.dispatch(ImportMsg::Add(read));
                }
            }
        });
        readers.borrow_mut().push(task);
    }
}

/// The import's result: the error, or what it holds and what it left out.
fn report_view(session: &ImportSession, report: &Report) -> Html {
    let notes: Vec<&String> = report
        .read
        .iter()
        .filter(|l| l.starts_with("note: "))
        .collect();
    html! {
        <section class="import-report" aria-labelledby="import-summary">
            <p id="import-summary" class="import-ok">
                <strong>{ format!("Ready: \"{}\"", session.title()) }</strong>
                { format!(" with {}.", report.summary()) }
            </p>
            if !notes.is_empty() {
                <ul class="import-notes">
                    { for notes.iter().map(|n| html! { <li>{ n.trim_start_matches("note: ").to_owned() }</li> }) }
                </ul>
            }
            if report.skipped.is_empty() {
                <p class="muted" id="import-skipped-none">{ "Nothing was left out." }</p>
            } else {
                <details class="import-skipped" id="import-skipped" open=true>
                    <summary>{ format!("Left out: {} item{}, and why", report.skipped.len(), if report.skipped.len() == 1 { "" } else { "s" }) }</summary>
                    <ul>
                        { for report.skipped.iter().map(|s| html! {
                            <li>
                                <span class="mono">{ s.item.clone() }</span>
                                <span class="muted">{ format!(" ({})", s.file) }</span>
                                { format!(": {}", s.why) }
                            </li>
                        }) }
                    </ul>
                </details>
            }
        </section>
    }
}

/// What a large import's matrix will show.
fn filter_view(
    session: &ImportSession,
    report: &Report,
    dispatch: &UseReducerHandle<ImportSession>,
) -> Html {
    let ((principals, all_principals), (keys, all_keys)) = report.matches(&session.filter);
    let on = |principals: bool| {
        let (dispatch, filter) = (dispatch.clone(), session.filter.clone());
        Callback::from(move |event: InputEvent| {
            let Some(value) = value_of(&event) else {
                return;
            };
            let mut next: MatrixFilter = filter.clone();
            if principals {
                next.principals = value;
            } else {
                next.keys = value;
            }
            dispatch.dispatch(ImportMsg::SetFilter(next));
        })
    };
    html! {
        <fieldset class="import-filter" id="import-filter">
            <legend>{ "A large account: choose what the matrix shows" }</legend>
            <p class="muted small">{ format!(
                "{} principals × {} keys is {} cells. Type part of the names or ARNs you are asking about (words separated by spaces or commas match any of them); the filter stays above the matrix to change later. The matrix opens on kms:Encrypt and kms:Decrypt.",
                thousands(all_principals), thousands(all_keys), thousands(all_principals * all_keys)
            ) }</p>
            <div class="filter-grid">
                <label for="import-filter-principals">{ "Principals" }</label>
                <input id="import-filter-principals" type="search" value={session.filter.principals.clone()}
                    oninput={on(true)} placeholder="lambda-exec, Admin" autocomplete="off" spellcheck="false" />
                <span class="muted" id="import-filter-principals-count">{ format!("{} of {}", thousands(principals), thousands(all_principals)) }</span>
                <label for="import-filter-keys">{ "Keys" }</label>
                <input id="import-filter-keys" type="search" value={session.filter.keys.clone()}
                    oninput={on(false)} placeholder="app-data, 1234abcd" autocomplete="off" spellcheck="false" />
                <span class="muted" id="import-filter-keys-count">{ format!("{} of {}", thousands(keys), thousands(all_keys)) }</span>
            </div>
        </fieldset>
    }
}

/// The dialog.
#[component]
pub fn ImportDialog(props: &ImportDialogProps) -> Html {
    let handle = use_playground();
    let session = use_reducer(ImportSession::default);
    let readers = use_mut_ref(Vec::<FileReader>::new);
    let file_input = use_node_ref();
    let choose_button = use_node_ref();
    let dragging = use_state(|| false);
    let copied = use_state(|| false);

    // Focus starts on "Choose files…".
    {
        let choose_button = choose_button.clone();
        use_effect_with((), move |_| {
            if let Some(button) = choose_button.cast::<HtmlElement>() {
                let _ = button.focus();
            }
        });
    }

    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                event.prevent_default();
                on_close.emit(());
            }
        })
    };
    let choose = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_input.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let on_files = {
        let (session, readers) = (session.clone(), readers.clone());
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            if let Some(files) = input.files() {
                read_files(&files, &session, &readers);
            }
            // The same files picked again are read again.
            input.set_value("");
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let (session, readers, dragging) = (session.clone(), readers.clone(), dragging.clone());
        Callback::from(move |event: DragEvent| {
            event.prevent_default();
            dragging.set(false);
            if let Some(files) = event.data_transfer().and_then(|d| d.files()) {
                read_files(&files, &session, &readers);
            }
        })
    };
    let copy_commands = {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            copy_to_clipboard(kms_engine::scenario::IMPORT_COMMANDS);
            copied.set(true);
        })
    };
    let on_name = {
        let session = session.clone();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                session.dispatch(ImportMsg::SetName(input.value()));
            }
        })
    };
    let open = |everything: bool| {
        let (session, handle, on_close) = (session.clone(), handle.clone(), props.on_close.clone());
        Callback::from(move |_: MouseEvent| {
            let world = if everything {
                session.open_everything()
            } else {
                session.open()
            };
            if let Some(world) = world {
                handle.dispatch(Intent::OpenImport(Box::new(world)));
                on_close.emit(());
            }
        })
    };

    // Files that ask for a key id come first, where the error about them is.
    let (asking, rest): (Vec<_>, Vec<_>) = session
        .files
        .iter()
        .enumerate()
        .partition(|(_, f)| f.asks_key_id);
    let files = asking.into_iter().chain(rest).map(|(index, file)| {
        let read_as = session
            .read_as(&file.name)
            .map(|lines| lines.join("; "))
            .filter(|l| !l.is_empty());
        let remove = {
            let session = session.clone();
            Callback::from(move |_: MouseEvent| session.dispatch(ImportMsg::Remove(index)))
        };
        let on_key = {
            let session = session.clone();
            Callback::from(move |event: InputEvent| {
                if let Some(key_id) = value_of(&event) {
                    session.dispatch(ImportMsg::SetKeyId { index, key_id });
                }
            })
        };
        let name = file.name.clone();
        html! {
            <li key={file.name.clone()} class="import-file">
                <span class="mono file-name">{ file.name.clone() }</span>
                <span class="read-as">
                    { read_as.unwrap_or_else(|| if file.asks_key_id { "a key policy (get-key-policy): which key?".to_owned() } else { "—".to_owned() }) }
                </span>
                <button type="button" class="small" onclick={remove} aria-label={format!("Remove {}", file.name)}>{ "Remove" }</button>
                if file.asks_key_id {
                    <label class="key-id">
                        <span>{ "Key id" }</span>
                        <input type="text" class="mono" value={file.key_id.clone()} oninput={on_key}
                            placeholder="1234abcd-12ab-34cd-56ef-1234567890ab" autocomplete="off" spellcheck="false"
                            aria-label={format!("Key id of {name}")} />
                    </label>
                }
            </li>
        }
    });

    let (report, error) = match &session.outcome {
        Outcome::Ready(report) => (Some(report.clone()), None),
        Outcome::Failed(message) => (None, Some(message.clone())),
        Outcome::Empty => (None, None),
    };
    let large = report.as_ref().is_some_and(|r| r.is_large());

    html! {
        <div class="dialog-backdrop">
            <div class="dialog import-dialog" role="dialog" aria-modal="true" aria-labelledby="import-title" id="import-dialog" {onkeydown}>
                <header>
                    <h2 id="import-title">{ "Import from AWS" }</h2>
                </header>
                <div class="content">
                    <p class="muted">{ "Your own account, from what the AWS CLI printed with --output json: IAM, KMS and AWS Organizations outputs, merged into one world. The files are read in this browser; nothing is sent anywhere." }</p>
                    <div class={classes!("dropzone", dragging.then_some("dragging"))} id="import-drop"
                        {ondragover} {ondragleave} {ondrop}>
                        <span>{ "Drop the files here, or" }</span>
                        <button type="button" class="primary" ref={choose_button} onclick={choose}>{ "Choose files…" }</button>
                        <input ref={file_input} type="file" multiple=true accept=".json,application/json" class="visually-hidden"
                            id="import-files" aria-label="AWS CLI output files" tabindex="-1" onchange={on_files} />
                    </div>
                    <details id="import-commands">
                        <summary>{ "The read-only AWS CLI commands that make these files" }</summary>
                        <div class="commands">
                            <pre class="mono">{ kms_engine::scenario::IMPORT_COMMANDS }</pre>
                            <button type="button" class="small" onclick={copy_commands}>{ if *copied { "Copied" } else { "Copy" } }</button>
                        </div>
                        <p class="muted small">{ "A get-key-policy output does not say which key it is for: name it KEY-ID.json (the commands do) or type the key id beside it below." }</p>
                    </details>
                    if !session.unreadable.is_empty() {
                        <ul class="import-unreadable" role="alert">
                            { for session.unreadable.iter().map(|(name, why)| html! { <li class="error-text">{ format!("{name} could not be read: {why}") }</li> }) }
                        </ul>
                    }
                    if let Some(error) = error {
                        <p class="import-error" role="alert" id="import-error">{ error }</p>
                    }
                    if let Some(report) = &report {
                        { report_view(&session, report) }
                        <label class="import-name">
                            <span>{ "Name" }</span>
                            <input type="text" id="import-name" value={session.name.clone()} onchange={on_name}
                                placeholder={crate::aws_import::DEFAULT_NAME} />
                        </label>
                        if large { { filter_view(&session, report, &session) } }
                    }
                    if !session.files.is_empty() {
                        <h3 class="import-files-title">{ format!("Files ({})", session.files.len()) }</h3>
                        <ul class="import-files" id="import-file-list" aria-label="Files">{ for files }</ul>
                    }
                </div>
                <footer>
                    if large {
                        <button type="button" id="import-open-all" onclick={open(true)}
                            title="Every principal and key: slow to show for an account this size">
                            { "Open everything" }
                        </button>
                    }
                    <button type="button" onclick={close}>{ "Cancel" }</button>
                    <button type="button" class="primary" id="import-open" disabled={!session.can_open()} onclick={open(false)}>
                        { if large { "Open filtered" } else { "Open" } }
                    </button>
                </footer>
            </div>
        </div>
    }
}
