//! `kmsplay`: KMS Playground on the command line.

fn main() {
    println!("kmsplay {}", kms_engine::VERSION);
}
