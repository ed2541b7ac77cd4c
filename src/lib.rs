//! KMS Playground's web app: renders the engine's state and sends it the user's intents.
//! It decides nothing about access itself.
//!
//! Modules other than [`ui`] are plain Rust and compile (and are tested) natively; [`ui`] needs a
//! browser and exists only on `wasm32`.

pub mod completion;
pub mod editing;
pub mod highlight;
pub mod json_lex;
pub mod model;
pub mod panels;
pub mod platform;
pub mod presets;
pub mod share;
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod ui;

#[cfg(target_arch = "wasm32")]
mod app {
    use crate::ui::editor::JsonEditor;
    use std::rc::Rc;
    use yew::prelude::*;

    /// The app's root component.
    #[component]
    pub fn App() -> Html {
        let text = use_state(|| {
            AttrValue::from("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}\n")
        });
        let on_change = {
            let text = text.clone();
            Callback::from(move |t: String| text.set(AttrValue::from(t)))
        };
        html! {
            <main id="app" class="app">
                <header class="topbar"><h1>{ "KMS Playground" }</h1>
                <span class="muted">{ format!("engine {}", kms_engine::VERSION) }</span></header>
                <JsonEditor text={(*text).clone()} diagnostics={Rc::new(Vec::new())} {on_change} label="policy" />
            </main>
        }
    }

    /// Mounts the app on the page's body.
    pub fn start() {
        yew::Renderer::<App>::new().render();
    }
}

#[cfg(target_arch = "wasm32")]
pub use app::{App, start};
