//! The page's asymmetric cryptography: RSA and elliptic curves come as a second WebAssembly
//! module (the `asymmetric/` crate), loaded the first time a page needs it
//! ([`crate::state::AppState::wants_asymmetric_module`]) and installed as the engine's
//! asymmetric backend through a bridge that sends each call across as bytes.

use kms_engine::crypto::backend::{self, AsymmetricBackend, Primitive};
use wasm_bindgen::prelude::*;
use zeroize::Zeroize as _;

#[wasm_bindgen(module = "/static/asymmetric-bridge.js")]
extern "C" {
    /// Starts loading the module (once; again after a failure); settles when it can be called.
    #[wasm_bindgen(catch)]
    fn load_asymmetric_module() -> Result<js_sys::Promise, JsValue>;
    /// One call's wire form in, the reply's out; nothing before the module has loaded.
    fn asymmetric_run(call: &[u8]) -> Option<Vec<u8>>;
}

/// The engine's asymmetric backend on this page: the loaded module, called synchronously.
struct ModuleBridge;

impl AsymmetricBackend for ModuleBridge {
    fn run(&self, primitive: Primitive, args: &[&[u8]]) -> Option<Vec<Vec<u8>>> {
        // The wire forms hold private keys: wiped once used, like the engine's own copies.
        let mut call = backend::encode_call(primitive, args);
        let mut reply = asymmetric_run(&call);
        call.zeroize();
        let fields = reply.as_deref().and_then(backend::decode_reply);
        reply.zeroize();
        fields
    }
}

/// Loads the module and installs the bridge, then calls `done` with the outcome (a sentence for
/// the page on failure).
pub fn load(done: impl FnOnce(Result<(), String>) + 'static) {
    let failed = |error: JsValue| {
        let detail = error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| error.as_string())
            .unwrap_or_default();
        format!("The RSA and elliptic-curve code could not be loaded ({detail}).")
    };
    let promise = match load_asymmetric_module() {
        Ok(promise) => promise,
        Err(error) => return done(Err(failed(error))),
    };
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let on_loaded = {
        let done = done.clone();
        Closure::once(move |_: JsValue| {
            backend::install(&ModuleBridge);
            if let Some(done) = done.borrow_mut().take() {
                done(Ok(()));
            }
        })
    };
    let on_failed = Closure::once(move |error: JsValue| {
        if let Some(done) = done.borrow_mut().take() {
            done(Err(failed(error)));
        }
    });
    let _ = promise.then2(&on_loaded, &on_failed);
    // The promise holds the closures until it settles, once.
    on_loaded.forget();
    on_failed.forget();
}

/// Where the RSA and elliptic-curve code stands, where a panel needs it: a line while it loads,
/// and after a failed load the reason with a button that tries again.
#[yew::component]
pub fn ModuleStatus() -> yew::Html {
    use crate::state::{AsymmetricModule, Intent};
    use yew::prelude::*;
    let handle = crate::ui::hooks::use_playground();
    let retry = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            handle.dispatch(Intent::AsymmetricModule(AsymmetricModule::NotLoaded));
        })
    };
    match &handle.state().ui.asymmetric {
        AsymmetricModule::Loading => html! {
            <p class="muted small" id="asymmetric-loading" role="status">{ "Loading the RSA and elliptic-curve code…" }</p>
        },
        AsymmetricModule::Failed(sentence) => html! {
            <p class="result err" id="asymmetric-failed" role="alert">
                { sentence.clone() }{ " " }
                <button class="small" id="asymmetric-retry" onclick={retry}>{ "Try again" }</button>
            </p>
        },
        AsymmetricModule::NotLoaded | AsymmetricModule::Loaded => html! {},
    }
}
