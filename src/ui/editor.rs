//! The JSON editor: a real `<textarea>` with transparent text over a highlighted `<pre>`.
//!
//! Both layers share every font metric and never wrap, so the caret and the colours cannot drift
//! apart; the textarea is the only scroller and its scroll position moves the `<pre>` and the
//! gutter. Edits the editor makes itself (pairing, indentation, Format, completion) go through the
//! browser's `insertText` command, so Ctrl+Z / Ctrl+Shift+Z undo them like typing.

use crate::completion::{Candidate, candidates};
use crate::editing::{
    self, CompletionContext, EditKey, TextEdit, accept_completion, byte_offset, completion_context,
    line_column, utf16_offset,
};
use crate::highlight::{DrawnLines, PLAIN_ABOVE_BYTES, gutter_marks, highlight, mark_of_line};
use kms_engine::diagnostics::{Diagnostic, Severity};
use kms_engine::json::format_json;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlDocument, HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The line height and padding the stylesheet gives the editor, in CSS pixels.
const LINE_HEIGHT: f64 = 20.0;
const PAD_TOP: f64 = 8.0;
const PAD_LEFT: f64 = 12.0;
/// Forty characters, measured once to learn the monospace advance width.
const MEASURE_TEXT: &str = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/// A request to select a range and bring it into view; a new `serial` repeats the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reveal {
    /// First byte to select.
    pub start: usize,
    /// One past the last byte to select.
    pub end: usize,
    /// Whether the textarea takes the focus and the range becomes its selection; without it the
    /// editor only scrolls the range into its view (the page itself does not move).
    pub focus: bool,
    /// Changes with every request, so selecting the same range twice still moves the caret.
    pub serial: u32,
}

/// The editor's inputs.
#[derive(Properties, PartialEq)]
pub struct JsonEditorProps {
    /// The document text.
    pub text: AttrValue,
    /// Problems to draw (from the engine).
    pub diagnostics: Rc<Vec<Diagnostic>>,
    /// Called with the whole new text after every change.
    pub on_change: Callback<String>,
    /// The accessible name of the text area.
    pub label: AttrValue,
    /// The text area's element id.
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// A statement to highlight (byte range).
    #[prop_or_default]
    pub statement: Option<(usize, usize)>,
    /// A range to select and scroll to.
    #[prop_or_default]
    pub reveal: Option<Reveal>,
    /// Shows the text without allowing edits.
    #[prop_or_default]
    pub readonly: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Completion {
    context: CompletionContext,
    items: Vec<Candidate>,
    selected: usize,
}

fn completion_for(text: &str, caret: usize) -> Option<Completion> {
    let context = completion_context(text, caret)?;
    let all = candidates(context.kind);
    let names =
        editing::filter_candidates(all.iter().map(|c| c.label.as_ref()), &context.prefix, 50);
    let items: Vec<Candidate> = names
        .into_iter()
        .filter_map(|n| all.iter().find(|c| c.label == n).cloned())
        .collect();
    (!items.is_empty()).then_some(Completion {
        context,
        items,
        selected: 0,
    })
}

fn html_document() -> Option<HtmlDocument> {
    web_sys::window()?
        .document()?
        .dyn_into::<HtmlDocument>()
        .ok()
}

fn caret_of(textarea: &HtmlTextAreaElement, text: &str) -> usize {
    let units = textarea.selection_start().ok().flatten().unwrap_or(0);
    byte_offset(text, units)
}

fn select_bytes(textarea: &HtmlTextAreaElement, text: &str, start: usize, end: usize) {
    let _ = textarea.set_selection_range(utf16_offset(text, start), utf16_offset(text, end));
}

/// Applies `edit` through the browser's editing commands (so it joins the native undo history);
/// falls back to setting the value when the command is not available.
fn apply_edit(textarea: &HtmlTextAreaElement, edit: &TextEdit, on_change: &Callback<String>) {
    let text = textarea.value();
    let new_text = format!(
        "{}{}{}",
        text.get(..edit.start).unwrap_or(&text),
        edit.insert,
        text.get(edit.end..).unwrap_or("")
    );
    if edit.start != edit.end || !edit.insert.is_empty() {
        select_bytes(textarea, &text, edit.start, edit.end);
        let command = if edit.insert.is_empty() {
            "delete"
        } else {
            "insertText"
        };
        let done = html_document()
            .and_then(|d| {
                d.exec_command_with_show_ui_and_value(command, false, &edit.insert)
                    .ok()
            })
            .unwrap_or(false);
        if !done || textarea.value() != new_text {
            textarea.set_value(&new_text);
            on_change.emit(new_text.clone());
        }
    }
    select_bytes(textarea, &new_text, edit.select.0, edit.select.1);
}

fn set_transform(element: &NodeRef, x: f64, y: f64) {
    if let Some(el) = element.cast::<HtmlElement>() {
        let _ = el.style().set_property(
            "transform",
            &format!("translate({}px, {}px)", x.round() as i64, y.round() as i64),
        );
    }
}

/// The first visible line and how many lines fit, from the text area's scroll position and size.
fn visible_lines(textarea: &HtmlTextAreaElement) -> (usize, usize) {
    let top = (f64::from(textarea.scroll_top()) - PAD_TOP).max(0.0) / LINE_HEIGHT;
    let fit = f64::from(textarea.client_height()) / LINE_HEIGHT;
    (top.floor() as usize, fit.ceil() as usize + 1)
}

/// Moves the drawn text and line numbers with the text area's scroll position; `first_drawn` is
/// the first line they hold (a long document draws only the lines around the visible ones).
fn sync_scroll(
    textarea: &HtmlTextAreaElement,
    pre: &NodeRef,
    gutter: &NodeRef,
    first_drawn: usize,
) {
    let (left, top) = (
        f64::from(textarea.scroll_left()),
        f64::from(textarea.scroll_top()),
    );
    let top = top - first_drawn as f64 * LINE_HEIGHT;
    set_transform(pre, -left, -top);
    set_transform(gutter, 0.0, -top);
}

/// The JSON editor component.
#[component]
pub fn JsonEditor(props: &JsonEditorProps) -> Html {
    let textarea = use_node_ref();
    let pre = use_node_ref();
    let gutter = use_node_ref();
    let popup = use_node_ref();
    let measure = use_node_ref();
    let caret = use_state(|| None::<usize>);
    // The first visible line and the number that fit: which lines a long document draws.
    let viewport = use_state(|| (0usize, 60usize));
    let line_count = props.text.matches('\n').count() + 1;
    let drawn = DrawnLines::of(&props.text, line_count, viewport.0, viewport.1);
    // Style attributes are refused by the page's Content-Security-Policy, so the drawn lines are
    // placed by the transform the scroll position sets, which must change with them.
    {
        let textarea = textarea.clone();
        let (pre, gutter) = (pre.clone(), gutter.clone());
        use_effect_with(drawn.first, move |first| {
            if let Some(ta) = textarea.cast::<HtmlTextAreaElement>() {
                sync_scroll(&ta, &pre, &gutter, *first);
            }
        });
    }
    let completion = use_state(|| None::<Completion>);
    let escape_armed = use_mut_ref(|| false);
    let char_width = use_mut_ref(|| 7.8_f64);
    let format_error = use_state(|| None::<String>);
    let listbox_id = use_memo((), |_| {
        format!("completion-{}", js_sys::Math::random().to_bits())
    });

    {
        let measure = measure.clone();
        let char_width = char_width.clone();
        use_effect_with((), move |_| {
            if let Some(el) = measure.cast::<HtmlElement>() {
                let width = el.get_bounding_client_rect().width() / 40.0;
                if width > 0.0 {
                    *char_width.borrow_mut() = width;
                }
            }
        });
    }

    // Select and scroll to a requested range.
    {
        let textarea = textarea.clone();
        let (pre, gutter) = (pre.clone(), gutter.clone());
        let text = props.text.clone();
        let first_drawn = drawn.first;
        use_effect_with(props.reveal, move |reveal| {
            if let (Some(reveal), Some(ta)) = (reveal, textarea.cast::<HtmlTextAreaElement>()) {
                if reveal.focus {
                    let _ = ta.focus();
                    select_bytes(&ta, &text, reveal.start, reveal.end);
                }
                let (line, _) = line_column(&text, reveal.start);
                let line_top = (line as f64 - 1.0) * LINE_HEIGHT;
                let height = f64::from(ta.client_height());
                let top = f64::from(ta.scroll_top());
                if line_top < top || line_top + LINE_HEIGHT > top + height {
                    ta.set_scroll_top((line_top - height / 3.0).max(0.0) as i32);
                }
                sync_scroll(&ta, &pre, &gutter, first_drawn);
            }
        });
    }

    // Place the completion popup under the caret.
    {
        let popup = popup.clone();
        let textarea = textarea.clone();
        let char_width = char_width.clone();
        let anchor = (*completion).as_ref().map(|c| c.context.start);
        let text = props.text.clone();
        // After every render: the list's height is known only once its items are laid out, and
        // it changes as they are filtered.
        use_effect(move || {
            if let (Some(start), Some(ta), Some(el)) = (
                &anchor,
                textarea.cast::<HtmlTextAreaElement>(),
                popup.cast::<HtmlElement>(),
            ) {
                let (line, column) = line_column(&text, *start);
                let x = PAD_LEFT + (column as f64 - 1.0) * *char_width.borrow()
                    - f64::from(ta.scroll_left());
                let y = PAD_TOP + line as f64 * LINE_HEIGHT - f64::from(ta.scroll_top());
                // Keep the list inside the editor's box, which clips it: above the line when
                // there is no room below, and pulled left at the right edge.
                let (width, height) = el.parent_element().map_or((f64::MAX, f64::MAX), |code| {
                    (
                        f64::from(code.client_width()),
                        f64::from(code.client_height()),
                    )
                });
                let (list_width, list_height) =
                    (f64::from(el.offset_width()), f64::from(el.offset_height()));
                let y = if y + list_height > height && y - LINE_HEIGHT - list_height >= 0.0 {
                    y - LINE_HEIGHT - list_height
                } else {
                    y
                };
                let y = y.min((height - list_height).max(0.0));
                let x = x.min((width - list_width).max(0.0));
                let style = el.style();
                let _ = style.set_property("left", &format!("{}px", x.max(0.0).round() as i64));
                let _ = style.set_property("top", &format!("{}px", y.max(0.0).round() as i64));
            }
        });
    }

    let update_caret = {
        let caret = caret.clone();
        let textarea = textarea.clone();
        Callback::from(move |_: ()| {
            if let Some(ta) = textarea.cast::<HtmlTextAreaElement>() {
                let at = caret_of(&ta, &ta.value());
                if *caret != Some(at) {
                    caret.set(Some(at));
                }
            }
        })
    };

    let oninput = {
        let on_change = props.on_change.clone();
        let completion = completion.clone();
        let update_caret = update_caret.clone();
        let format_error = format_error.clone();
        Callback::from(move |event: InputEvent| {
            let Some(ta) = event.target_dyn_into::<HtmlTextAreaElement>() else {
                return;
            };
            let text = ta.value();
            on_change.emit(text.clone());
            update_caret.emit(());
            if format_error.is_some() {
                format_error.set(None);
            }
            // No completion while an input method is composing text.
            if event.is_composing() {
                return;
            }
            // No completion in a document too large to be a policy: finding the word at the
            // caret of a 300 KB paste would block the page.
            if text.len() > PLAIN_ABOVE_BYTES {
                if completion.is_some() {
                    completion.set(None);
                }
                return;
            }
            let typed = event.input_type() == "insertText";
            if typed || completion.is_some() {
                let next = completion_for(&text, caret_of(&ta, &text));
                if *completion != next {
                    completion.set(next);
                }
            }
        })
    };

    let format = {
        let textarea = textarea.clone();
        let on_change = props.on_change.clone();
        let format_error = format_error.clone();
        Callback::from(move |_: ()| {
            let Some(ta) = textarea.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let text = ta.value();
            match format_json(&text) {
                Ok(formatted) if formatted != text => {
                    let caret = caret_of(&ta, &text).min(formatted.len());
                    let caret = (0..=caret)
                        .rev()
                        .find(|&i| formatted.is_char_boundary(i))
                        .unwrap_or(0);
                    let edit = TextEdit {
                        start: 0,
                        end: text.len(),
                        insert: formatted,
                        select: (caret, caret),
                    };
                    apply_edit(&ta, &edit, &on_change);
                    format_error.set(None);
                }
                Ok(_) => format_error.set(None),
                Err(problem) => {
                    format_error.set(Some(format!(
                        "Cannot format: {}:{} {}",
                        problem.start.line, problem.start.column, problem.message
                    )));
                }
            }
            let _ = ta.focus();
        })
    };

    let accept = {
        let textarea = textarea.clone();
        let completion = completion.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |index: usize| {
            let (Some(ta), Some(current)) = (
                textarea.cast::<HtmlTextAreaElement>(),
                (*completion).clone(),
            ) else {
                return;
            };
            if let Some(item) = current.items.get(index) {
                completion.set(None);
                apply_edit(
                    &ta,
                    &accept_completion(&current.context, &item.label),
                    &on_change,
                );
                let _ = ta.focus();
            }
        })
    };

    let onkeydown = {
        let completion = completion.clone();
        let accept = accept.clone();
        let format = format.clone();
        let escape_armed = escape_armed.clone();
        let on_change = props.on_change.clone();
        let diagnostics = props.diagnostics.clone();
        let readonly = props.readonly;
        Callback::from(move |event: KeyboardEvent| {
            if event.is_composing() {
                return;
            }
            let Some(ta) = event.target_dyn_into::<HtmlTextAreaElement>() else {
                return;
            };
            let key = event.key();
            if let Some(current) = (*completion).clone() {
                let n = current.items.len();
                match key.as_str() {
                    "ArrowDown" | "ArrowUp" => {
                        event.prevent_default();
                        let selected = if key == "ArrowDown" {
                            (current.selected + 1) % n
                        } else {
                            (current.selected + n - 1) % n
                        };
                        completion.set(Some(Completion {
                            selected,
                            ..current
                        }));
                        return;
                    }
                    "Enter" | "Tab" => {
                        event.prevent_default();
                        accept.emit(current.selected);
                        return;
                    }
                    "Escape" => {
                        event.prevent_default();
                        completion.set(None);
                        return;
                    }
                    _ => {}
                }
            }
            if key == "Escape" {
                *escape_armed.borrow_mut() = true;
                return;
            }
            let armed = std::mem::replace(&mut *escape_armed.borrow_mut(), false);
            if key == "Tab" && armed {
                return; // Esc then Tab: let focus leave the editor.
            }
            let text = ta.value();
            let ctrl = event.ctrl_key() || event.meta_key();
            if ctrl && key == " " {
                event.prevent_default();
                completion.set(completion_for(&text, caret_of(&ta, &text)));
                return;
            }
            if event.shift_key() && event.alt_key() && event.code() == "KeyF" {
                event.prevent_default();
                if !readonly {
                    format.emit(());
                }
                return;
            }
            if key == "F8" {
                event.prevent_default();
                let caret = caret_of(&ta, &text);
                let mut starts: Vec<(usize, usize)> = diagnostics
                    .iter()
                    .map(|d| (d.span.start as usize, d.span.end as usize))
                    .collect();
                kms_engine::sort::sort(&mut starts);
                let target = if event.shift_key() {
                    starts.iter().rev().find(|s| s.0 < caret).or(starts.last())
                } else {
                    starts.iter().find(|s| s.0 > caret).or(starts.first())
                };
                if let Some(&(start, end)) = target {
                    select_bytes(&ta, &text, start, end.max(start));
                }
                return;
            }
            if readonly || ctrl || event.alt_key() {
                return;
            }
            let edit_key = match key.as_str() {
                "Tab" if event.shift_key() => EditKey::ShiftTab,
                "Tab" => EditKey::Tab,
                "Enter" if !event.shift_key() => EditKey::Enter,
                "Backspace" => EditKey::Backspace,
                k => match k.chars().collect::<Vec<_>>().as_slice() {
                    [c @ ('{' | '[' | '"' | '}' | ']')] => EditKey::Char(*c),
                    _ => return,
                },
            };
            let units = (
                ta.selection_start().ok().flatten().unwrap_or(0),
                ta.selection_end().ok().flatten().unwrap_or(0),
            );
            let (start, end) = (byte_offset(&text, units.0), byte_offset(&text, units.1));
            if let Some(edit) = editing::plan_key(&text, start, end, edit_key) {
                event.prevent_default();
                apply_edit(&ta, &edit, &on_change);
            }
        })
    };

    let onscroll = {
        let (pre, gutter) = (pre.clone(), gutter.clone());
        let viewport = viewport.clone();
        Callback::from(move |event: Event| {
            if let Some(ta) = event.target_dyn_into::<HtmlTextAreaElement>() {
                sync_scroll(&ta, &pre, &gutter, drawn.first);
                let (top, fit) = visible_lines(&ta);
                if !drawn.covers(top, fit) || fit != viewport.1 {
                    viewport.set((top, fit));
                }
            }
        })
    };

    let onblur = {
        let completion = completion.clone();
        Callback::from(move |_: FocusEvent| {
            if completion.is_some() {
                completion.set(None);
            }
        })
    };

    let text: &str = &props.text;
    let runs = {
        let caret = *caret;
        let statement = props.statement;
        use_memo(
            (
                props.text.clone(),
                props.diagnostics.clone(),
                caret,
                statement,
            ),
            |(text, diagnostics, caret, statement)| {
                highlight(text, diagnostics, *caret, *statement)
            },
        )
    };
    let caret_line = caret.map(|c| line_column(text, c));
    let marks = gutter_marks(&props.diagnostics);
    let gutter_lines = (drawn.first + 1..=drawn.end).map(|line| {
        let mark = mark_of_line(&marks, line);
        let current = caret_line.is_some_and(|(l, _)| l == line);
        html! {
            <div class={classes!("ln", current.then_some("current"))}>
                if let Some(severity) = mark {
                    <svg class={classes!("mark", severity_class(severity))} viewBox="0 0 12 12" aria-hidden="true">
                        <circle cx="6" cy="6" r="5" />
                    </svg>
                }
                { line }
            </div>
        }
    });
    let drawn_runs = if drawn.first == 0 && drawn.end == line_count {
        Rc::clone(&runs)
    } else {
        Rc::new(drawn.clip(&runs))
    };
    let pre_content = drawn_runs.iter().map(|run| {
        let piece = text.get(run.start..run.end).unwrap_or("");
        if run.class.is_empty() {
            html! { { piece.to_owned() } }
        } else {
            html! { <span class={run.class.clone()}>{ piece.to_owned() }</span> }
        }
    });

    let caret_message = caret.and_then(|c| {
        props
            .diagnostics
            .iter()
            .find(|d| (d.span.start as usize) <= c && c <= (d.span.end as usize))
            .or_else(|| {
                let line = caret_line.map(|(l, _)| l as u32);
                props
                    .diagnostics
                    .iter()
                    .find(|d| Some(d.start.line) == line)
            })
    });

    let onkeyup = {
        let update_caret = update_caret.clone();
        Callback::from(move |_: KeyboardEvent| update_caret.emit(()))
    };
    let onclick = {
        let update_caret = update_caret.clone();
        Callback::from(move |_: MouseEvent| update_caret.emit(()))
    };
    let onfocus = {
        let update_caret = update_caret.clone();
        Callback::from(move |_: FocusEvent| update_caret.emit(()))
    };
    let onformat = {
        let format = format.clone();
        Callback::from(move |_: MouseEvent| format.emit(()))
    };

    let active_id = (*completion)
        .as_ref()
        .map(|c| format!("{}-{}", listbox_id, c.selected));

    html! {
        <div class="editor">
            <div class="editor-body">
                <div class="gutter" aria-hidden="true">
                    <div class="gutter-inner" ref={gutter}>{ for gutter_lines }</div>
                </div>
                <div class={classes!("code", props.readonly.then_some("readonly"))}>
                    <pre aria-hidden="true" ref={pre}>{ for pre_content }{ "\n" }</pre>
                    <textarea
                        ref={textarea}
                        id={props.id.clone()}
                        aria-label={props.label.clone()}
                        aria-multiline="true"
                        aria-autocomplete="list"
                        aria-controls={completion.is_some().then(|| AttrValue::from((*listbox_id).clone()))}
                        aria-activedescendant={active_id}
                        spellcheck="false"
                        autocomplete="off"
                        autocapitalize="off"
                        data-gramm="false"
                        wrap="off"
                        readonly={props.readonly}
                        value={props.text.clone()}
                        {oninput}
                        {onkeydown}
                        {onkeyup}
                        {onclick}
                        {onfocus}
                        {onblur}
                        {onscroll}
                    />
                    <span class="measure" ref={measure} aria-hidden="true">{ MEASURE_TEXT }</span>
                    if let Some(current) = (*completion).clone() {
                        <ul class="completion" role="listbox" id={(*listbox_id).clone()} ref={popup}
                            aria-label="Completions">
                            { for current.items.iter().enumerate().map(|(i, item)| {
                                let accept = accept.clone();
                                // mousedown, not click: the textarea must keep focus.
                                let onmousedown = Callback::from(move |e: MouseEvent| {
                                    e.prevent_default();
                                    accept.emit(i);
                                });
                                html! {
                                    <li role="option" id={format!("{}-{}", listbox_id, i)}
                                        aria-selected={(i == current.selected).to_string()} {onmousedown}>
                                        { item.label.to_string() }
                                        if !item.detail.is_empty() {
                                            <span class="detail">{ item.detail }</span>
                                        }
                                    </li>
                                }
                            }) }
                        </ul>
                    }
                </div>
            </div>
            <div class="caret-line">
                <span class="pos">
                    { caret_line.map(|(l, c)| format!("Ln {l}, Col {c}")).unwrap_or_default() }
                </span>
                if let Some(message) = (*format_error).clone() {
                    <span class="msg error" role="status">{ message }</span>
                } else if let Some(d) = caret_message {
                    <span class={classes!("msg", severity_class(d.severity))}>
                        { format!("{}:{} {}", d.start.line, d.start.column, d.message) }
                    </span>
                }
                <span class="spacer"></span>
                if !props.readonly {
                    <button class="small" onclick={onformat} title="Format (Shift+Alt+F)">{ "Format" }</button>
                }
            </div>
        </div>
    }
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
