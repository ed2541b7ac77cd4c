//! Any text as a script of `aws` command lines against the demo 1 world: no panic, and a line
//! that is not a valid command is reported as bad input with a message rather than acted on.

#![no_main]

use kms_awscli::{Host, NoFiles, Session};
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::scenario::load;
use libfuzzer_sys::fuzz_target;

const DEMO1: &str = include_str!("../../../scenarios/demo1-grants.json");

fuzz_target!(|data: &[u8]| {
    let script = String::from_utf8_lossy(data);
    let now = Timestamp(1_700_000_000_000);
    let mut rng = SeededRandomness::new(2);
    let Ok(loaded) = load(DEMO1, now, &mut rng) else {
        panic!("the shipped demo 1 scenario loads");
    };
    let mut world = loaded.world;
    let mut session = Session::new(now);
    for principal in &loaded.scenario.principals {
        session.add_principal_name(&principal.name, &principal.arn);
    }
    for line in script.lines().take(16) {
        let mut host = Host { world: &mut world, rng: &mut rng, files: &NoFiles };
        let output = session.run_line(line, &mut host);
        if output.is_bad_input() {
            assert!(!output.stderr.is_empty(), "bad input is explained on stderr");
        }
    }
});
