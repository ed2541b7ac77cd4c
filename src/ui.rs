//! The browser user interface: components that render the playground's state and dispatch the
//! user's intents. Nothing here decides access; every decision shown comes from the engine.

pub mod editor;
pub mod icons;
