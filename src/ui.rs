//! The browser user interface: components that render the playground's state and dispatch the
//! user's intents. Nothing here decides access; every decision shown comes from the engine.

pub mod analysis;
pub mod app;
pub mod asymmetric;
pub mod browser;
pub mod editor;
pub mod editor_pane;
pub mod exercise;
pub mod expectations;
pub mod hooks;
pub mod icons;
pub mod import;
pub mod matrix;
pub mod panels;
pub mod problems;
pub mod regions;
pub mod sidebar;
pub mod topbar;
pub mod tour;
pub mod why;
pub mod wizard;
