//! What the CLI's test files share: running the built binary and temporary files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn scenario(name: &str) -> String {
    root().join("scenarios").join(name).display().to_string()
}

pub fn kmsplay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmsplay"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("kmsplay runs")
}

pub fn kmsplay_stdin(args: &[&str], input: &str) -> Output {
    kmsplay_bytes(args, input.as_bytes())
}

/// Runs kmsplay with `input` on standard input, which need not be text.
pub fn kmsplay_bytes(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmsplay"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kmsplay starts");
    // kmsplay may stop before reading all of its input (a refused session file).
    let written = child.stdin.take().expect("stdin is piped").write_all(input);
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "input is written");
    }
    child.wait_with_output().expect("kmsplay runs")
}

/// Runs kmsplay with standard output going to `stdout` (a closed pipe, `/dev/full`) and nothing
/// on standard input.
pub fn kmsplay_into(args: &[&str], stdout: impl Into<Stdio>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmsplay"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("kmsplay runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A file in a fresh temporary directory, removed when dropped.
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn new(name: &str, text: &str) -> TempFile {
        let dir = std::env::temp_dir().join(format!("kmsplay-test-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        TempFile(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
