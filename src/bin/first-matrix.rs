//! Prints the lecture's access matrix as static HTML for the release's `index.html`
//! (`kms_playground::prerender`); `cargo xtask dist` runs it after Trunk's build.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let html = kms_playground::prerender::first_matrix_html(
        kms_playground::platform::epoch_ms_timestamp(),
    );
    println!("{html}");
}

/// A build step, not part of the app: in the browser there is nothing to print.
#[cfg(target_arch = "wasm32")]
fn main() {}
