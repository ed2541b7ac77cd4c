//! The hands-on panels as components in headless Chromium: a console command refused by KMS
//! prints AWS's error with a link to the why panel, and a tampered ciphertext is marked in the
//! inspector and refused by Decrypt. Rendering is awaited with `yew::scheduler::flush`, never
//! with sleeps.
#![cfg(target_arch = "wasm32")]

use kms_playground::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, HtmlElement, HtmlInputElement, InputEvent, InputEventInit, KeyboardEvent,
    KeyboardEventInit,
};

/// The app rendered into a fresh element, with nothing saved from an earlier test.
async fn app() -> Element {
    let window = web_sys::window().unwrap();
    window.local_storage().unwrap().unwrap().clear().unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

/// The element `selector` inside `root` (several apps share the test page).
fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
}

async fn click(root: &Element, selector: &str) {
    find(root, selector)
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    yew::scheduler::flush().await;
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_refused_console_command_prints_aws_error_and_links_to_the_why_panel() {
    let root = app().await;
    click(&root, "#tab-console").await;
    let input: HtmlInputElement = find(&root, "#console-input").dyn_into().unwrap();
    // CMK-B's key policy names only Bob and Charlie, and does not trust the account (the lecture).
    input.set_value("aws kms describe-key --key-id alias/CMK-B --profile alice");
    let init = InputEventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&InputEvent::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    let init = KeyboardEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_key("Enter");
    input
        .dispatch_event(
            &KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
    yew::scheduler::flush().await;

    let output = text(&root, "#console-output");
    assert!(
        output.contains(
            "An error occurred (AccessDeniedException) when calling the DescribeKey operation: User: arn:aws:iam::111122223333:user/Alice is not authorized to perform: kms:DescribeKey"
        ),
        "{output}"
    );
    assert_eq!(
        input.value(),
        "",
        "the prompt is ready for the next command"
    );
    click(&root, "#console-output .why-link").await;
    let why = find(&root, "#tab-why");
    assert_eq!(why.get_attribute("aria-selected").as_deref(), Some("true"));
    assert!(
        why.text_content()
            .unwrap_or_default()
            .contains("Alice × CMK-B")
    );
}

#[wasm_bindgen_test]
async fn a_tampered_ciphertext_is_marked_and_refused() {
    let root = app().await;
    click(&root, "#tab-crypto").await;
    click(&root, "#encrypt").await;
    assert!(text(&root, "#crypto-result").contains("Encrypted under"));
    assert!(
        root.query_selector("#inspector .flipped")
            .unwrap()
            .is_none()
    );
    click(&root, "#tamper").await;
    let flipped = find(&root, "#inspector .flipped");
    assert!(
        flipped
            .get_attribute("title")
            .unwrap_or_default()
            .contains("tampered")
    );
    click(&root, "#decrypt").await;
    assert!(
        text(&root, "#crypto-result").contains(
            "An error occurred (InvalidCiphertextException) when calling the Decrypt operation"
        ),
        "{}",
        text(&root, "#crypto-result")
    );
}

/// The RSA and elliptic-curve module is fetched only when a page may compute with an asymmetric
/// key (this test page has no backend installed, as the browser build has none compiled in): not
/// for the lecture, yes once the console opens or the world gets an elliptic-curve key, and not
/// again while it is on its way.
#[wasm_bindgen_test]
fn the_asymmetric_module_is_wanted_only_when_a_page_may_need_it() {
    use kms_playground::state::{AsymmetricModule, DrawerTab, Intent};
    let now = kms_engine::entropy::Timestamp(1_704_067_200_000);
    let (mut state, _) = kms_playground::startup::initial_state("", None, now);
    assert!(!kms_engine::crypto::backend::available());
    assert!(
        !state.wants_asymmetric_module(),
        "the lecture has no asymmetric key"
    );
    state.apply(Intent::OpenDrawer(Some(DrawerTab::Console)));
    assert!(
        state.wants_asymmetric_module(),
        "any console command may need it"
    );
    state.apply(Intent::OpenDrawer(Some(DrawerTab::Why)));
    assert!(!state.wants_asymmetric_module());
    state.apply(Intent::ImportScenario {
        text: r#"{"keys": [{"name": "Signer", "key_spec": "ECC_NIST_P256", "key_usage": "SIGN_VERIFY"}]}"#
            .to_owned(),
        source: "signer.json".to_owned(),
    });
    assert!(
        state.wants_asymmetric_module(),
        "a world with an elliptic-curve key"
    );
    state.apply(Intent::AsymmetricModule(AsymmetricModule::Loading));
    assert!(!state.wants_asymmetric_module(), "not twice");
}
