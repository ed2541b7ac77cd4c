//! Components in headless Chromium: the app renders the lecture, typing in the editor updates the
//! matrix, and the editor's own keys (pairing, Tab) edit the text. Rendering is awaited with
//! `yew::scheduler::flush`, never with sleeps.
#![cfg(target_arch = "wasm32")]

use kms_playground::App;
use kms_playground::ui::editor::JsonEditor;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, HtmlTextAreaElement, InputEvent, InputEventInit, KeyboardEvent, KeyboardEventInit,
};
use yew::prelude::*;

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element to render into, with nothing saved from an earlier test.
fn mount_point() -> Element {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div
}

fn words(root: &Element) -> Vec<String> {
    let cells = root.query_selector_all("#matrix td .word").unwrap();
    (0..cells.length())
        .map(|i| cells.item(i).unwrap().text_content().unwrap())
        .collect()
}

/// Replaces the textarea's text as typing would, and lets Yew hear it.
fn type_text(textarea: &HtmlTextAreaElement, text: &str) {
    textarea.set_value(text);
    let init = InputEventInit::new();
    init.set_bubbles(true);
    init.set_input_type("insertText");
    let event = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    textarea.dispatch_event(&event).unwrap();
}

fn press(textarea: &HtmlTextAreaElement, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_key(key);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    textarea.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn the_app_opens_on_the_lecture_matrix() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    assert_eq!(
        words(&root),
        [
            "Allow",
            "None",
            "Allow", // Alice
            "None",
            "Allow",
            "Deny", // Bob
            "Encrypt only",
            "Allow",
            "Deny", // Charlie
            "None",
            "None",
            "Deny", // David
        ]
    );
    let status = root.query_selector("#status-line").unwrap().unwrap();
    assert!(status.text_content().unwrap().contains("decisions"));
}

#[wasm_bindgen_test]
async fn typing_a_deny_in_the_key_policy_updates_the_matrix_text() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    // CMK-A's key policy is open first.
    let textarea: HtmlTextAreaElement = root
        .query_selector("#policy-editor")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let text = textarea.value();
    let deny = r#"{"Sid": "DenyAlice", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"}, "Action": "kms:*", "Resource": "*"}, "#;
    type_text(
        &textarea,
        &text.replacen("\"Statement\": [", &format!("\"Statement\": [{deny}"), 1),
    );
    yew::scheduler::flush().await;
    assert_eq!(words(&root)[0], "Deny");
    let change = root.query_selector("#change-line").unwrap().unwrap();
    assert!(
        change
            .text_content()
            .unwrap()
            .contains("Alice × CMK-A: Allow → explicit Deny")
    );
    // Half-typed text keeps the last matrix and says so.
    type_text(&textarea, "{\"Version\": ");
    yew::scheduler::flush().await;
    assert_eq!(words(&root)[0], "Deny");
    assert!(root.query_selector("#stale-band").unwrap().is_some());
    assert!(root.query_selector(".cell.stale").unwrap().is_some());
}

#[derive(Properties, PartialEq)]
struct HostProps {
    initial: AttrValue,
}

/// The editor with its text in component state, as the app holds it.
#[component]
fn EditorHost(props: &HostProps) -> Html {
    let text = use_state(|| props.initial.clone());
    let on_change = {
        let text = text.clone();
        Callback::from(move |t: String| text.set(AttrValue::from(t)))
    };
    html! {
        <JsonEditor id="host-editor" text={(*text).clone()} diagnostics={Rc::new(Vec::new())} {on_change} label="test" />
    }
}

#[wasm_bindgen_test]
async fn the_editor_colours_tokens_numbers_lines_and_pairs_brackets() {
    let root = mount_point();
    yew::Renderer::<EditorHost>::with_root_and_props(
        root.clone(),
        HostProps {
            initial: "{\"Effect\": \"Allow\"}".into(),
        },
    )
    .render();
    yew::scheduler::flush().await;
    let key = root.query_selector("pre .t-key").unwrap().unwrap();
    assert_eq!(key.text_content().unwrap(), "\"Effect\"");
    let textarea: HtmlTextAreaElement = root
        .query_selector("#host-editor")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    type_text(&textarea, "{\n  \"a\": [1, true]\n}");
    yew::scheduler::flush().await;
    assert_eq!(root.query_selector_all(".gutter .ln").unwrap().length(), 3);
    assert_eq!(
        root.query_selector("pre .t-number")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "1"
    );
    // `[` typed with the caret before `]` inserts its pair through the browser's editing command.
    textarea.focus().unwrap();
    let end = textarea.value().len() as u32 - 2;
    textarea.set_selection_range(end, end).unwrap();
    press(&textarea, "[");
    yew::scheduler::flush().await;
    assert!(textarea.value().contains("[]"), "{}", textarea.value());
    assert_eq!(textarea.selection_start().unwrap(), Some(end + 1));
}
