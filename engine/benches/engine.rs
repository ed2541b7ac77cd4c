//! Engine benchmarks (a bench binary: `cargo bench -p kms-engine`). Figures are printed, never asserted.

use std::hint::black_box;
use std::time::Instant;

use kms_engine::crypto::{EncryptionContext, KeyRing};
use kms_engine::entropy::SeededRandomness;

fn main() {
    println!("kms-engine {} benchmarks", kms_engine::VERSION);
    crypto_4k();
}

/// AES-256-GCM through a key ring: 4 KB messages (the Encrypt plaintext limit), with a context.
fn crypto_4k() {
    const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const ROUNDS: u32 = 20_000;
    let mut rng = SeededRandomness::new(1);
    let ring = KeyRing::generate(&mut rng);
    let context: EncryptionContext = [("purpose", "bench"), ("team", "kms")]
        .into_iter()
        .collect();
    let message = vec![0x5a_u8; 4096];
    let megabytes = f64::from(ROUNDS) * 4096.0 / 1e6;

    let start = Instant::now();
    let mut blob = Vec::new();
    for _ in 0..ROUNDS {
        blob = black_box(ring.encrypt(ARN, &context, black_box(&message), &mut rng))
            .unwrap_or_default();
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "crypto: key-ring encrypt 4 KB  {:>8.1} MB/s",
        megabytes / seconds
    );

    let start = Instant::now();
    for _ in 0..ROUNDS {
        let plaintext = ring.decrypt(ARN, &context, black_box(&blob));
        black_box(plaintext).ok();
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "crypto: key-ring decrypt 4 KB  {:>8.1} MB/s",
        megabytes / seconds
    );
}
