//! The `aws` emulator's benchmark (a bench binary: `cargo bench -p kms-awscli`). Figures are
//! printed, never asserted.

use std::hint::black_box;
use std::time::Instant;

use kms_awscli::{Host, NoFiles, Session};
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::scenario;

/// Throughput on `aws kms encrypt` lines (parsing, authorizing, encrypting, printing JSON).
fn main() {
    let now = Timestamp(1_704_067_200_000);
    let demo = include_str!("../../scenarios/demo1-grants.json");
    let mut rng = SeededRandomness::new(2);
    let Ok(loaded) = scenario::load(demo, now, &mut rng) else {
        println!("emulator: demo 1 does not load");
        return;
    };
    let mut world = loaded.world;
    let mut session = Session::new(now);
    const LINES: u32 = 2_000;
    let t = Instant::now();
    for _ in 0..LINES {
        let mut host = Host {
            world: &mut world,
            rng: &mut rng,
            files: &NoFiles,
        };
        black_box(session.run_line(
            "aws kms encrypt --plaintext CloudAcademy --key-id alias/DemoKey --profile alice",
            &mut host,
        ));
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "emulator: {:.0} `aws kms encrypt` lines/s ({:.1} us each)",
        f64::from(LINES) / secs,
        secs * 1e6 / f64::from(LINES)
    );
}
