//! The app's native tests (its state, panels, course and sharing, without a browser), one module
//! a topic, in one test binary. `cargo test -p kms-playground --test app MODULE::` runs one topic.

mod panels_support;

mod analysis_flows;
mod course;
mod editor_properties;
mod key_types;
mod panels_console;
mod panels_crypto;
mod panels_grants;
mod panels_wizard;
mod replicas;
mod saving_and_sharing;
mod state_flows;
mod why_links;
