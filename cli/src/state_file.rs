//! The mechanics of a saved session file: it is secret (it holds the seed its keys derive from
//! and every plaintext typed), shared between runs, and must survive an interrupted save.
//!
//! - A run holds an advisory lock on `PATH.lock` from before it reads the file until after it has
//!   saved it, so two runs on one session never interleave; the second is refused with a message.
//! - Saving writes a new file next to the old one (created readable by its owner only) and
//!   renames it over the old one, so a reader sees either the old session or the new one.
//! - A symbolic link at `PATH` is refused, so a session is never written through a link to
//!   somewhere else.

use crate::Failure;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Owner read and write only.
const PRIVATE: u32 = 0o600;

/// The lock a run holds on its session file; released when dropped (or when the process ends).
pub struct SessionLock {
    _file: File,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn refuse_link(path: &Path) -> Result<(), Failure> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Failure::input(format!(
            "`{}` is a symbolic link: a session file is secret, so kmsplay reads and writes only a regular file there",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// Takes the lock of the session at `path`, or says that another run holds it.
pub fn lock(path: &Path) -> Result<SessionLock, Failure> {
    let lock_path = with_suffix(path, ".lock");
    refuse_link(path)?;
    refuse_link(&lock_path)?;
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(PRIVATE)
        .open(&lock_path)
        .map_err(|e| {
            Failure::input(format!(
                "cannot create the lock file `{}`: {e}",
                lock_path.display()
            ))
        })?;
    match file.try_lock() {
        Ok(()) => Ok(SessionLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(Failure::input(format!(
            "`{}` is in use by another kmsplay run: wait for it to finish, or use another --state file",
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Failure::input(format!(
            "cannot lock `{}`: {e}",
            lock_path.display()
        ))),
    }
}

/// The text of the session file at `path`, or `None` when there is none yet.
pub fn read(path: &Path, _lock: &SessionLock) -> Result<Option<String>, Failure> {
    refuse_link(path)?;
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::input(format!(
            "cannot read `{}`: {e}",
            path.display()
        ))),
    }
}

/// Replaces the session file at `path` with `text`, all at once.
pub fn write(path: &Path, text: &str, _lock: &SessionLock) -> Result<(), Failure> {
    refuse_link(path)?;
    let temporary = with_suffix(path, &format!(".{}.tmp", std::process::id()));
    let failed = |e: std::io::Error| {
        let _ = std::fs::remove_file(&temporary);
        Failure::input(format!(
            "cannot save the session to `{}`: {e}",
            path.display()
        ))
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE)
        .open(&temporary)
        .map_err(|e| {
            Failure::input(format!(
                "cannot save the session to `{}`: {e}",
                path.display()
            ))
        })?;
    file.write_all(text.as_bytes()).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(failed)
}
