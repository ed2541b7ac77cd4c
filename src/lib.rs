//! KMS Playground's web app: renders the engine's state and sends it the user's intents.
//! It decides nothing about access itself.

use yew::prelude::*;

/// The app's root component.
#[component]
pub fn App() -> Html {
    html! {
        <main id="app">
            <h1>{ "KMS Playground" }</h1>
            <p>{ format!("engine {}", kms_engine::VERSION) }</p>
        </main>
    }
}

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
