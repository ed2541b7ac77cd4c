//! KMS Playground's web app: renders the engine's state and sends it the user's intents.
//! It decides nothing about access itself.
//!
//! Modules other than [`ui`] are plain Rust and compile (and are tested) natively; [`ui`] needs a
//! browser and exists only on `wasm32`.

pub mod analysis_view;
pub mod aws_import;
pub mod completion;
pub mod course;
pub mod editing;
pub mod highlight;
pub mod json_lex;
pub mod look;
pub mod matrix_view;
pub mod model;
pub mod panels;
pub mod persist;
pub mod platform;
pub mod prerender;
pub mod presets;
pub mod share;
pub mod startup;
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod ui;
pub mod why;

#[cfg(target_arch = "wasm32")]
pub use ui::app::{App, start};
