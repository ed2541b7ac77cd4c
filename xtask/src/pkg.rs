//! `cargo xtask pkg`: the engine as a same-origin JavaScript module in `pkg/` (the `kms-engine-js`
//! crate through wasm-bindgen and wasm-opt), with its TypeScript declarations and an example page.

use crate::{run, serve};
use std::path::{Path, PathBuf};

/// The module's file stem: `pkg/kms_engine.js`, `pkg/kms_engine_bg.wasm`, `pkg/kms_engine.d.ts`.
const MODULE: &str = "kms_engine";

/// Builds `pkg/` and prints its size.
pub fn build(root: &Path) -> Result<PathBuf, String> {
    run(
        root,
        "cargo",
        &[
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "kms-engine-js",
        ],
        &[],
    )?;
    let pkg = root.join("pkg");
    if pkg.exists() {
        std::fs::remove_dir_all(&pkg)
            .map_err(|e| format!("cannot clear {}: {e}", pkg.display()))?;
    }
    let out_dir = pkg.display().to_string();
    let compiled = root
        .join("target/wasm32-unknown-unknown/release/kms_engine_js.wasm")
        .display()
        .to_string();
    run(
        root,
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--out-dir",
            &out_dir,
            "--out-name",
            MODULE,
            &compiled,
        ],
        &[],
    )?;
    let wasm = pkg.join(format!("{MODULE}_bg.wasm")).display().to_string();
    run(root, "wasm-opt", &["-Oz", &wasm, "-o", &wasm], &[])?;
    for page in ["index.html", "example.js"] {
        let from = root.join("engine-js/example").join(page);
        std::fs::copy(&from, pkg.join(page))
            .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
    }
    let (raw, gzipped) = serve::dist_size(&pkg)?;
    println!(
        "pkg/: {raw} bytes, {gzipped} bytes gzipped (module, declarations and example page; \
         serve it with `python3 -m http.server -b 127.0.0.1 -d pkg` and open /)"
    );
    Ok(pkg)
}
