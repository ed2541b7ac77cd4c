//! `cargo xtask fuzz [--minutes N] [TARGET…]`: runs every cargo-fuzz target of the engine in turn
//! (nightly needed; `cargo fuzz` is installed at a pinned version when missing), then prints
//! executions and coverage per target.
//!
//! The committed corpus (`engine/fuzz/corpus/<target>/`, replayed on stable by
//! `awscli/tests/emulator/fuzz_corpus.rs` and, for `share`, the app's `tests/app/saving_and_sharing.rs`) only
//! grows on request: new inputs go to a scratch corpus under `target/fuzz-corpus/`, and
//! `--keep` then merges into the committed one just the inputs that reach code it did not reach
//! (libFuzzer's `-merge=1`), so it stays small enough to commit and to replay on every test run.
//! A crash input libFuzzer writes is always copied into the committed corpus, so the stable test
//! replays it until it is fixed.

use std::path::Path;
use std::process::Command;

use crate::setup::ensure_cargo_tool;

/// Fuzzing is not part of `cargo xtask test` (it needs nightly), so `cargo xtask setup` leaves
/// cargo-fuzz out and this command installs it on first use.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// Every target, with the dictionary that helps it past its syntax.
const TARGETS: [(&str, Option<&str>); 10] = [
    ("json", Some("policy.dict")),
    ("policy", Some("policy.dict")),
    ("scenario", Some("policy.dict")),
    // Its bytes are choices, not text: no dictionary.
    ("scenario_build", None),
    ("share", None),
    ("aws_cli", Some("aws_cli.dict")),
    ("cli_values", Some("cli_values.dict")),
    ("ciphertext", None),
    ("import", None),
    ("backend_wire", None),
];

/// What one target's run reported.
struct Run {
    target: &'static str,
    executions: String,
    coverage: String,
    features: String,
    outcome: Outcome,
}

/// How a target's run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// It ran for its time and found nothing.
    Ok,
    /// libFuzzer found an input that crashes, hangs or exhausts memory, and wrote it out.
    Crash,
    /// It never fuzzed: the build failed, `cargo fuzz` is missing, or libFuzzer refused its
    /// options (a dictionary it cannot read, say).
    FailedToStart,
    /// It started but stopped early without writing an input.
    Failed,
}

impl Outcome {
    /// Reads a finished run: its exit status and libFuzzer's log (standard error).
    fn of(success: bool, log: &str) -> Outcome {
        if success {
            Outcome::Ok
        } else if log.contains("Test unit written to") {
            Outcome::Crash
        } else if log.lines().any(|l| l.starts_with("INFO: Seed:")) && log.contains("INITED") {
            Outcome::Failed
        } else {
            Outcome::FailedToStart
        }
    }

    /// The summary table's last column.
    fn describe(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Crash => "CRASH (input copied into the corpus)",
            Outcome::FailedToStart => "FAILED TO START (its output is above)",
            Outcome::Failed => "FAILED without an input (its output is above)",
        }
    }
}

/// Parses `--minutes N`, `--keep` and target names, then runs the targets.
pub fn fuzz_all(root: &Path, args: &[String]) -> Result<(), String> {
    let mut minutes = 10u64;
    let mut keep = false;
    let mut only = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--minutes" => {
                minutes = args
                    .next()
                    .and_then(|m| m.parse().ok())
                    .filter(|&m| m > 0)
                    .ok_or("--minutes takes a whole number of minutes")?;
            }
            "--keep" => keep = true,
            name if TARGETS.iter().any(|(t, _)| *t == name) => only.push(name.to_owned()),
            other => {
                let names: Vec<&str> = TARGETS.iter().map(|(t, _)| *t).collect();
                return Err(format!(
                    "unknown fuzz target `{other}` (targets: {})",
                    names.join(", ")
                ));
            }
        }
    }
    ensure_nightly()?;
    ensure_cargo_tool(root, "cargo-fuzz", "cargo-fuzz", CARGO_FUZZ_VERSION)?;
    let fuzz_dir = root.join("engine").join("fuzz");
    let mut runs = Vec::new();
    for (target, dict) in TARGETS {
        if !only.is_empty() && !only.iter().any(|o| o == target) {
            continue;
        }
        let run = fuzz_one(root, &fuzz_dir, target, dict, minutes)?;
        if keep && run.outcome == Outcome::Ok {
            keep_new_inputs(root, &fuzz_dir, target)?;
        }
        runs.push(run);
    }
    println!("\ntarget       executions  coverage  features  result ({minutes} min each)");
    for r in &runs {
        println!(
            "{:<12} {:>10}  {:>8}  {:>8}  {}",
            r.target,
            r.executions,
            r.coverage,
            r.features,
            r.outcome.describe()
        );
    }
    if runs.iter().any(|r| r.outcome != Outcome::Ok) {
        return Err("a fuzz target failed: see its output above".to_owned());
    }
    Ok(())
}

/// libFuzzer's instrumentation needs nightly flags; rustup cannot fetch a toolchain on every
/// machine, so a missing nightly is reported rather than installed.
fn ensure_nightly() -> Result<(), String> {
    let nightly = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("nightly"));
    if nightly {
        Ok(())
    } else {
        Err("fuzzing needs a nightly toolchain: `rustup toolchain install nightly`".to_owned())
    }
}

fn fuzz_one(
    root: &Path,
    fuzz_dir: &Path,
    target: &'static str,
    dict: Option<&str>,
    minutes: u64,
) -> Result<Run, String> {
    let scratch = root.join("target").join("fuzz-corpus").join(target);
    let committed = fuzz_dir.join("corpus").join(target);
    let artifacts = root.join("target").join("fuzz-artifacts").join(target);
    for dir in [&scratch, &artifacts] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut libfuzzer = vec![
        format!("-max_total_time={}", minutes * 60),
        "-print_final_stats=1".to_owned(),
        format!("-artifact_prefix={}/", artifacts.display()),
    ];
    if let Some(dict) = dict {
        libfuzzer.push(format!("-dict={}", fuzz_dir.join(dict).display()));
    }
    println!("\n==> cargo +nightly fuzz run {target} ({minutes} min)");
    let output = Command::new("cargo")
        .current_dir(fuzz_dir)
        .args(["+nightly", "fuzz", "run", target])
        .arg(&scratch)
        .arg(&committed)
        .arg("--")
        .args(&libfuzzer)
        .output()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    let log = String::from_utf8_lossy(&output.stderr);
    let stat = |name: &str| {
        log.lines()
            .rev()
            .find_map(|l| l.strip_prefix(name))
            .map_or_else(|| "?".to_owned(), |v| v.trim().to_owned())
    };
    // The last status line reads `#N DONE cov: C ft: F ...` (or `#N pulse ...` when cut short).
    let last = log
        .lines()
        .rev()
        .find(|l| l.contains(" cov: "))
        .unwrap_or("");
    let field = |name: &str| {
        let mut words = last.split_whitespace();
        words
            .by_ref()
            .find(|w| *w == name)
            .and(words.next())
            .unwrap_or("?")
            .to_owned()
    };
    let outcome = Outcome::of(output.status.success(), &log);
    if outcome != Outcome::Ok {
        eprintln!("==> {target}: {}", outcome.describe());
        eprintln!(
            "{}",
            log.lines()
                .rev()
                .take(40)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    if outcome == Outcome::Crash {
        copy_crashes(&artifacts, &committed)?;
    }
    Ok(Run {
        target,
        executions: stat("stat::number_of_executed_units:"),
        coverage: field("cov:"),
        features: field("ft:"),
        outcome,
    })
}

/// Merges into the committed corpus the scratch inputs that add coverage to it.
fn keep_new_inputs(root: &Path, fuzz_dir: &Path, target: &str) -> Result<(), String> {
    let scratch = root.join("target").join("fuzz-corpus").join(target);
    let committed = fuzz_dir.join("corpus").join(target);
    let count = |dir: &Path| std::fs::read_dir(dir).map_or(0, |entries| entries.count());
    let before = count(&committed);
    let status = Command::new("cargo")
        .current_dir(fuzz_dir)
        .args(["+nightly", "fuzz", "run", target])
        .arg(&committed)
        .arg(&scratch)
        .args(["--", "-merge=1"])
        .output()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?
        .status;
    if !status.success() {
        return Err(format!("merging the {target} corpus failed ({status})"));
    }
    println!(
        "    kept {} new inputs in {}",
        count(&committed) - before,
        committed.display()
    );
    Ok(())
}

/// Copies libFuzzer's crash, timeout and out-of-memory inputs into the committed corpus.
fn copy_crashes(artifacts: &Path, committed: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(artifacts).map_err(|e| format!("{}: {e}", artifacts.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if ["crash-", "timeout-", "oom-", "leak-"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            let to = committed.join(&name);
            std::fs::copy(entry.path(), &to).map_err(|e| format!("{}: {e}", to.display()))?;
            println!("    kept {} for the stable replay test", to.display());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    /// libFuzzer's own words when it cannot read a dictionary: it exits 1 before fuzzing.
    const BAD_DICTIONARY: &str = "INFO: Running with entropic power schedule (0xFF, 100).\n\
        ParseDictionaryFile: error in line 3\n\
        Error: Fuzz target exited with exit status: 1\n";

    const CRASHED: &str = "INFO: Seed: 42\n\
        #2 INITED cov: 812 ft: 900 corp: 9/1Kb exec/s: 0 rss: 40Mb\n\
        thread '<unnamed>' panicked at checks.rs:10:5\n\
        ==123== ERROR: libFuzzer: deadly signal\n\
        artifact_prefix='target/fuzz-artifacts/json/'; Test unit written to target/fuzz-artifacts/json/crash-da39a3ee\n";

    #[test]
    fn a_target_that_cannot_start_is_not_reported_as_a_crash() {
        assert_eq!(Outcome::of(false, BAD_DICTIONARY), Outcome::FailedToStart);
        assert_eq!(
            Outcome::of(false, "error: no such command: `fuzz`\n"),
            Outcome::FailedToStart
        );
        assert_eq!(
            Outcome::of(false, "error[E0425]: cannot find value `x`\n"),
            Outcome::FailedToStart
        );
    }

    #[test]
    fn a_written_crash_input_is_a_crash_and_a_clean_run_is_ok() {
        assert_eq!(Outcome::of(false, CRASHED), Outcome::Crash);
        assert_eq!(Outcome::of(true, CRASHED), Outcome::Ok);
        // The system's out-of-memory killer ends the process without an input written.
        let stopped =
            "INFO: Seed: 42\n#2 INITED cov: 1 ft: 1\nError: Fuzz target exited with signal: 9\n";
        assert_eq!(Outcome::of(false, stopped), Outcome::Failed);
    }
}
