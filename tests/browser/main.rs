//! The app's components in headless Chromium (wasm-bindgen-test), in one wasm test binary, so the
//! browser starts once: the editor and the matrix (`editor`), the hands-on panels (`panels`).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod editor;
mod panels;
