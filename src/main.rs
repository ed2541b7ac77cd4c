//! Starts the KMS Playground app in the browser.

#[cfg(target_arch = "wasm32")]
fn main() {
    kms_playground::start();
}

/// The app runs only in a browser; natively this binary explains that and exits.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("kms-playground is a web app: build it with `trunk build` and open dist/index.html");
}
