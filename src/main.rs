//! Starts the KMS Playground app in the browser.

fn main() {
    kms_playground::start();
}
