//! `cargo xtask bench`: every performance figure the README quotes, printed (never asserted, so a
//! slow machine fails nothing): the engine's bench binary (including the 100 … 6,400 principal
//! worlds), the app's model natively, the `kmsplay` command line on large generated worlds, and
//! the release build in headless Chromium (`e2e/bench.mjs`).

use crate::{build_release, run, serve};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Runs the benchmarks; `only` picks one part: `engine`, `model`, `cli` or `browser`.
pub fn run_benchmarks(root: &Path, only: Option<&str>) -> Result<(), String> {
    let wants = |part: &str| only.is_none_or(|o| o == part);
    println!("machine: {}", machine());
    if wants("engine") {
        run(
            root,
            "cargo",
            &["bench", "-p", "kms-engine", "--bench", "engine"],
            &[],
        )?;
    }
    if wants("model") {
        run(
            root,
            "cargo",
            &["bench", "-p", "kms-playground", "--bench", "model"],
            &[],
        )?;
    }
    if wants("cli") {
        cli(root)?;
    }
    if wants("browser") {
        crate::setup::install_tools(root)?;
        let dist = build_release(root, None)?;
        let server = serve::StaticServer::start(&dist)?;
        let base = server.base_url();
        let dist_arg = dist.display().to_string();
        let result = run(root, "node", &["e2e/bench.mjs", &base, &dist_arg], &[]);
        drop(server);
        result?;
    }
    Ok(())
}

/// The CPU model and count, and the memory, from /proc (empty parts when unreadable).
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_default();
    let cores = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or_else(String::new, |kb| format!(", {} GiB", kb / (1024 * 1024)));
    format!("{cores} cores, {model}{memory}")
}

/// `kmsplay matrix` on the 1,600 × 50 world and `kmsplay check` on a 200 × 50 world with an
/// `expect` entry for every cell (100,000), as whole processes of the optimised native build.
fn cli(root: &Path) -> Result<(), String> {
    run(
        root,
        "cargo",
        &["build", "--profile", "release-native", "-p", "kmsplay"],
        &[],
    )?;
    let kmsplay = root.join("target").join("release-native").join("kmsplay");
    let dir = root.join("target").join("bench-worlds");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    println!("\n==> kmsplay on generated worlds (whole process: wall time, peak memory)");
    for principals in [100, 400, 1600, 6400] {
        let world = generate(&kmsplay, &dir, principals, 50)?;
        for format in ["table", "json"] {
            let (seconds, peak) = timed(&kmsplay, &["matrix", "--format", format], &world)?;
            println!(
                "  kmsplay matrix --format {format:<5} {principals:>5} x 50 x 10: {seconds:.2} s{}",
                peak_text(peak)
            );
        }
    }
    let world = generate(&kmsplay, &dir, 200, 50)?;
    let checked = with_every_cell_expected(&kmsplay, &world, &dir.join("check-200x50.json"))?;
    let (seconds, peak) = timed(&kmsplay, &["check"], &checked.0)?;
    println!(
        "  kmsplay check, 200 x 50 x 10 world, {} expect entries: {seconds:.2} s{}",
        checked.1,
        peak_text(peak)
    );
    Ok(())
}

fn peak_text(peak: Option<u64>) -> String {
    peak.map_or_else(String::new, |kb| format!(", {} MB", kb / 1000))
}

/// `kmsplay generate` into `dir`, once.
fn generate(kmsplay: &Path, dir: &Path, principals: usize, keys: usize) -> Result<PathBuf, String> {
    let path = dir.join(format!("generated-{principals}x{keys}.json"));
    if path.exists() {
        return Ok(path);
    }
    let output = Command::new(kmsplay)
        .args([
            "generate",
            "--principals",
            &principals.to_string(),
            "--keys",
            &keys.to_string(),
        ])
        .output()
        .map_err(|e| format!("could not start kmsplay: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "kmsplay generate failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    std::fs::write(&path, &output.stdout)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The world of `world` with an `expect` entry for every cell of its matrix, each expecting
/// what the authorizer decides (read from `kmsplay matrix --format csv`). Returns the file and
/// the number of entries.
fn with_every_cell_expected(
    kmsplay: &Path,
    world: &Path,
    out: &Path,
) -> Result<(PathBuf, usize), String> {
    let output = Command::new(kmsplay)
        .args(["matrix", "--format", "csv"])
        .arg(world)
        .output()
        .map_err(|e| format!("could not start kmsplay: {e}"))?;
    let csv = String::from_utf8_lossy(&output.stdout);
    let mut lines = csv.lines();
    let columns: Vec<(&str, &str)> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .skip(1)
        .filter_map(|title| title.rsplit_once(' '))
        .collect();
    let mut entries = Vec::new();
    for line in lines {
        let mut fields = line.split(',');
        let principal = fields.next().unwrap_or_default();
        for ((key, action), decision) in columns.iter().zip(fields) {
            entries.push(format!(
                r#"{{"principal": "{principal}", "key": "{key}", "action": "{action}", "decision": "{decision}"}}"#
            ));
        }
    }
    let text = std::fs::read_to_string(world)
        .map_err(|e| format!("cannot read {}: {e}", world.display()))?;
    let body = text
        .trim_end()
        .strip_suffix('}')
        .ok_or("a generated world is a JSON object")?;
    let scenario = format!("{body},\n\"expect\": [\n{}\n]}}\n", entries.join(",\n"));
    std::fs::write(out, scenario).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok((out.to_path_buf(), entries.len()))
}

/// Runs `kmsplay ARGS FILE` with its output discarded: wall seconds, and the peak resident set
/// in kB when `/usr/bin/time` (Debian's `time`) is there to measure it.
fn timed(kmsplay: &Path, args: &[&str], file: &Path) -> Result<(f64, Option<u64>), String> {
    let gnu_time = Path::new("/usr/bin/time");
    let mut command = if gnu_time.exists() {
        let mut c = Command::new(gnu_time);
        c.args(["-f", "%M"]).arg(kmsplay);
        c
    } else {
        Command::new(kmsplay)
    };
    command
        .args(args)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("could not start kmsplay: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse::<u64>().ok());
    Ok((seconds, peak))
}
