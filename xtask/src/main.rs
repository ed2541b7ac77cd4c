//! Project automation: `cargo xtask serve` and `cargo xtask test` (also `setup`, `dist`, `pkg`, `bench`,
//! `fuzz`).
//!
//! Both install whatever is missing first (pinned versions, each step skipped when the right version
//! is already there), using only the package registries this project may reach: rustup's targets,
//! the crates registry, npm, and Debian's packages.

mod bench;
mod fuzz;
mod pkg;
mod serve;
mod setup;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Crates the engine must never depend on, on any target: it is a plain Rust library.
const FORBIDDEN_ENGINE_DEPENDENCIES: &[&str] = &[
    "yew",
    "web-sys",
    "js-sys",
    "wasm-bindgen",
    "gloo",
    "getrandom",
    "serde-wasm-bindgen",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve_app(args.get(1).is_some_and(|a| a == "--dev")),
        Some("bench") => bench::run_benchmarks(&project_root(), args.get(1).map(String::as_str)),
        Some("test") => test_everything(args.get(1).map(String::as_str)),
        Some("setup") => setup::install_tools(&project_root()),
        Some("dist") => match args.get(1).map(String::as_str) {
            None => build_release(&project_root(), None).map(|_| ()),
            Some("--base-path") => match args.get(2) {
                Some(path) => build_release(&project_root(), Some(path)).map(|_| ()),
                None => Err("--base-path needs a path, such as /courses/kms/".to_owned()),
            },
            Some(other) => Err(format!("unknown dist option `{other}`")),
        },
        Some("pkg") => {
            let root = project_root();
            setup::install_tools(&root).and_then(|()| pkg::build(&root).map(|_| ()))
        }
        Some("fuzz") => fuzz::fuzz_all(&project_root(), args.get(1..).unwrap_or_default()),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n\
                 commands:\n  \
                 serve   install what is missing, build the release app and serve it on\n          \
                 http://127.0.0.1:8080 (--dev: the debug build, rebuilt on every change)\n  \
                 test    install what is missing and run every check (fmt, clippy, native tests,\n          \
                 the engine-dependency check, wasm tests and end-to-end tests in headless Chromium)\n  \
                 setup   only install the tools\n  \
                 dist    only build the release app into dist/ (relative URLs: it works from any\n          \
                 folder of any static server; --base-path /courses/kms/ for absolute ones)\n  \
                 pkg     build the engine as a JavaScript module into pkg/\n  \
                 bench   print the performance figures: engine, app model, CLI and browser\n          \
                 (or one part: bench engine|model|cli|browser)\n  \
                 fuzz    run every fuzz target in turn (nightly, cargo-fuzz; --minutes N each,\n          \
                 default 10; or name targets) and print executions and coverage per target;\n          \
                 --keep adds the inputs that reach new code to the committed corpus"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// PATH with the project's npm tools (wasm-opt from binaryen) first, so Trunk finds version 132
/// rather than an older wasm-opt elsewhere on the machine.
fn path_with_node_tools(root: &Path) -> String {
    let node_bin = root.join("node_modules").join(".bin");
    match std::env::var("PATH") {
        Ok(path) => format!("{}:{path}", node_bin.display()),
        Err(_) => node_bin.display().to_string(),
    }
}

/// Runs a command in the project root, echoing it, and fails with its name if it fails.
fn run(root: &Path, program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result<(), String> {
    println!("\n==> {program} {}", args.join(" "));
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .env("PATH", path_with_node_tools(root))
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not start `{program}`: {e}"))?;
    println!(
        "<== {program} {} ({:.1} s)",
        args.first().copied().unwrap_or(""),
        started.elapsed().as_secs_f64()
    );
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// Serves the app on http://127.0.0.1:8080: the release build, as users get it; with `--dev`,
/// Trunk's debug build, rebuilt whenever a source changes.
fn serve_app(dev: bool) -> Result<(), String> {
    let root = project_root();
    setup::install_tools(&root)?;
    if dev {
        println!(
            "\nKMS Playground (debug build, rebuilt on change) will be served on http://127.0.0.1:8080 (Ctrl+C stops it)"
        );
        return run(
            &root,
            "trunk",
            &[
                "serve",
                "--offline",
                "--no-autoreload",
                "--address",
                "127.0.0.1",
                "--port",
                "8080",
            ],
            &[],
        );
    }
    let dist = build_release(&root, None)?;
    let server = serve::StaticServer::start_on(&dist, 8080, "/")?;
    println!(
        "\nKMS Playground (release build) is served on {} (Ctrl+C stops it; `cargo xtask serve --dev` rebuilds on change)",
        server.base_url()
    );
    server.wait();
    Ok(())
}

/// Builds the release app into `dist/` and prints its size. Without `base_path` every URL in
/// the page is relative, so the folder works wherever it is put.
fn build_release(root: &Path, base_path: Option<&str>) -> Result<PathBuf, String> {
    let public_url = match base_path {
        Some(path) => format!("/{}/", path.trim_matches('/')).replace("//", "/"),
        None => "./".to_owned(),
    };
    run(
        root,
        "trunk",
        &[
            "build",
            "--release",
            "--offline",
            "--public-url",
            &public_url,
        ],
        &[],
    )?;
    let dist = root.join("dist");
    write_first_matrix(root, &dist)?;
    let (raw, gzipped) = serve::dist_size(&dist)?;
    let on_demand = serve::on_demand_size(&dist)?;
    println!(
        "dist/: {raw} bytes, {gzipped} bytes gzipped (gzip -9, file by file): {} bytes for the app, {on_demand} bytes loaded only when a page needs RSA or elliptic curves",
        gzipped - on_demand
    );
    let first = serve::first_matrix_size(&dist)?;
    println!(
        "before the first matrix shows: {first} bytes gzipped (the page with its static matrix, and the stylesheet)"
    );
    Ok(dist)
}

/// Writes the lecture's matrix as static HTML into `dist/index.html`, right after `<body>`
/// (`src/prerender.rs`, printed by the app crate's `first-matrix` binary), so the page shows it
/// while the WebAssembly loads.
fn write_first_matrix(root: &Path, dist: &Path) -> Result<(), String> {
    let output = Command::new("cargo")
        .args([
            "run",
            "--quiet",
            "-p",
            "kms-playground",
            "--bin",
            "first-matrix",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not start `cargo run --bin first-matrix`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo run --bin first-matrix` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let html = String::from_utf8(output.stdout)
        .map_err(|_| "`first-matrix` printed text that is not UTF-8".to_owned())?;
    let page_path = dist.join("index.html");
    let page = std::fs::read_to_string(&page_path)
        .map_err(|e| format!("cannot read {}: {e}", page_path.display()))?;
    let Some(at) = page.find("<body>") else {
        return Err(format!("{} has no <body> tag", page_path.display()));
    };
    let at = at + "<body>".len();
    let page = format!("{}\n{}{}", &page[..at], html.trim_end(), &page[at..]);
    std::fs::write(&page_path, page)
        .map_err(|e| format!("cannot write {}: {e}", page_path.display()))
}

/// Every check, in order from quickest to slowest, stopping at the first failure.
fn test_everything(only: Option<&str>) -> Result<(), String> {
    let root = project_root();
    setup::install_tools(&root)?;
    let started = Instant::now();
    let wants = |step: &str| only.is_none_or(|o| o == step);

    if wants("fmt") {
        run(&root, "cargo", &["fmt", "--all", "--check"], &[])?;
    }
    if wants("deps") {
        check_engine_dependencies(&root)?;
        check_browser_engine_features(&root)?;
    }
    if wants("clippy") {
        run(
            &root,
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        )?;
        let wasm_clippy = |package_and_targets: &[&str]| {
            let mut args = vec!["clippy", "--target", "wasm32-unknown-unknown"];
            args.extend_from_slice(package_and_targets);
            args.extend_from_slice(&["--", "-D", "warnings"]);
            run(&root, "cargo", &args, &[])
        };
        wasm_clippy(&["-p", "kms-playground", "--all-targets"])?;
        // The engine's tests are native (proptest's OS randomness has no browser backend, by design).
        wasm_clippy(&["-p", "kms-engine", "--lib"])?;
        wasm_clippy(&["-p", "kms-engine-js", "--all-targets"])?;
        wasm_clippy(&["-p", "kms-asymmetric", "--lib"])?;
    }
    if wants("native") {
        run(&root, "cargo", &["test", "--workspace"], &[])?;
    }
    if wants("wasm") {
        let webdriver_json = root.join("webdriver.json");
        let webdriver_json = webdriver_json.display().to_string();
        let browser = [
            (
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            ),
            ("CHROMEDRIVER", "/usr/bin/chromedriver"),
            ("WASM_BINDGEN_TEST_WEBDRIVER_JSON", webdriver_json.as_str()),
            ("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        ];
        let wasm_test = |package_and_tests: &[&str]| {
            let mut args = vec!["test", "--target", "wasm32-unknown-unknown"];
            args.extend_from_slice(package_and_tests);
            run(&root, "cargo", &args, &browser)
        };
        wasm_test(&["-p", "kms-playground", "--test", "browser"])?;
        // The engine as a JavaScript module, called as a page calls it.
        wasm_test(&["-p", "kms-engine-js"])?;
    }
    if wants("e2e") {
        let dist = build_release(&root, None)?;
        // From a sub-folder, as a course site hosts it: every URL in the page must be relative.
        let server = serve::StaticServer::start_on(&dist, 0, "/courses/kms/")?;
        let base = server.base_url();
        println!("serving dist/ on {base}");
        let result = run(&root, "node", &["e2e/run.mjs", &base], &[]);
        drop(server);
        result?;
    }
    println!(
        "\nall checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The engine must build for the browser without any wasm or UI crate (ARCHITECTURE.md, invariants).
fn check_engine_dependencies(root: &Path) -> Result<(), String> {
    println!("\n==> cargo tree -p kms-engine -e normal --target wasm32-unknown-unknown");
    let output = Command::new("cargo")
        .args([
            "tree",
            "-p",
            "kms-engine",
            "-e",
            "normal",
            "--target",
            "wasm32-unknown-unknown",
            "--prefix",
            "none",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not start `cargo tree`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo tree` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let offending: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| FORBIDDEN_ENGINE_DEPENDENCIES.contains(name))
        .collect();
    if offending.is_empty() {
        println!(
            "kms-engine depends on none of: {}",
            FORBIDDEN_ENGINE_DEPENDENCIES.join(", ")
        );
        Ok(())
    } else {
        Err(format!(
            "kms-engine must not depend on wasm or UI crates, but it depends on: {}",
            offending.join(", ")
        ))
    }
}

/// The engine features the browser build gets must be the ones the app asks for. Trunk builds the
/// app without `-p`, so cargo unifies the features of every default member: a front end that
/// enables an engine feature (the CLI's `asymmetric`) would silently enlarge the download.
fn check_browser_engine_features(root: &Path) -> Result<(), String> {
    println!(
        "\n==> cargo tree -e features -i kms-engine --target wasm32-unknown-unknown (as Trunk selects)"
    );
    let as_trunk_builds = engine_features(root, &[])?;
    let as_app_declares = engine_features(root, &["-p", "kms-playground"])?;
    if as_trunk_builds == as_app_declares {
        println!("the browser build's engine features: {as_app_declares:?}");
        Ok(())
    } else {
        Err(format!(
            "Trunk's build of the app would compile the engine with features {as_trunk_builds:?}, \
             but the app asks for {as_app_declares:?}: keep `default-members` in Cargo.toml to the app"
        ))
    }
}

/// The features of `kms-engine` in the wasm32 build of the given package selection.
fn engine_features(
    root: &Path,
    selection: &[&str],
) -> Result<std::collections::BTreeSet<String>, String> {
    let output = Command::new("cargo")
        .args([
            "tree",
            "-e",
            "features",
            "-i",
            "kms-engine",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(["--prefix", "none"])
        .args(selection)
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not start `cargo tree`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo tree` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let features = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("kms-engine feature \""))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    Ok(features)
}
