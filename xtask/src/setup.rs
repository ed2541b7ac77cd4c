//! Installs the tools the build and the tests need, each at a pinned version, each skipped when that
//! version is already installed. Nothing here downloads a prebuilt binary or a browser: Rust tools are
//! compiled from the crates registry, wasm-opt and playwright-core come from npm (pinned in
//! `package-lock.json`), Chromium and its driver from Debian's packages.

use std::path::Path;
use std::process::Command;

use crate::run;

/// Trunk 0.22 needs a newer rustc than the 1.95 these machines have.
const TRUNK_VERSION: &str = "0.21.14";

/// Installs everything that is missing.
pub fn install_tools(root: &Path) -> Result<(), String> {
    ensure_wasm_target(root)?;
    ensure_chromium(root)?;
    ensure_cargo_tool(root, "trunk", "trunk", TRUNK_VERSION)?;
    let wasm_bindgen = wasm_bindgen_version_in_lockfile(root)?;
    ensure_cargo_tool(root, "wasm-bindgen-cli", "wasm-bindgen", &wasm_bindgen)?;
    ensure_node_tools(root)?;
    Ok(())
}

/// True when `program --version` runs and mentions `version`.
fn has_version(program: &str, version: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|out| {
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains(version)
        })
}

fn ensure_wasm_target(root: &Path) -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|out| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.trim() == "wasm32-unknown-unknown")
        });
    if installed {
        Ok(())
    } else {
        run(
            root,
            "rustup",
            &["target", "add", "wasm32-unknown-unknown"],
            &[],
        )
    }
}

fn ensure_chromium(root: &Path) -> Result<(), String> {
    let present =
        Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists();
    if present {
        return Ok(());
    }
    run(root, "apt-get", &["update"], &[])?;
    run(
        root,
        "apt-get",
        &["install", "-y", "chromium", "chromium-driver"],
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
}

/// `cargo install` of `krate` at exactly `version`, unless `binary --version` already reports it.
/// `--locked` is tried first; wasm-bindgen-cli's lockfile names a crate version the registry no
/// longer serves, so an unlocked build (same crate version, newest compatible dependencies) follows.
pub(crate) fn ensure_cargo_tool(
    root: &Path,
    krate: &str,
    binary: &str,
    version: &str,
) -> Result<(), String> {
    if has_version(binary, version) {
        return Ok(());
    }
    run(
        root,
        "cargo",
        &["install", krate, "--version", version, "--locked"],
        &[],
    )
    .or_else(|_| {
        run(
            root,
            "cargo",
            &["install", krate, "--version", version],
            &[],
        )
    })
}

/// The wasm-bindgen crate version pinned in Cargo.lock: the CLI must match it exactly.
fn wasm_bindgen_version_in_lockfile(root: &Path) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock does not pin wasm-bindgen".to_owned())
}

fn ensure_node_tools(root: &Path) -> Result<(), String> {
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    let playwright = root.join("node_modules/playwright-core/package.json");
    let wasm_opt_ok =
        wasm_opt.exists() && has_version(&wasm_opt.display().to_string(), "version 132");
    if wasm_opt_ok && playwright.exists() {
        return Ok(());
    }
    run(root, "npm", &["ci", "--no-audit", "--no-fund"], &[])
}
