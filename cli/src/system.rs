//! What the engine leaves to its host: the clock, randomness and files.

use kms_awscli::{Files, MAX_FILE_BYTES};
use kms_engine::entropy::{Randomness, RandomnessUnavailable, SeededRandomness, Timestamp};
use std::io::Read;

/// The system clock.
pub fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp(millis)
}

/// The operating system's random source (`getrandom`). If it fails, so does the operation
/// that asked: nothing is made from bytes that did not come.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandomness;

impl Randomness for OsRandomness {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomnessUnavailable> {
        getrandom::fill(buf).map_err(|e| RandomnessUnavailable {
            message: format!(
                "the operating system's random source failed ({e}): nothing was created"
            ),
        })
    }
}

/// A saved session's randomness: keys, ids and tokens from its seed (so replaying its history
/// rebuilds them), nonces and data keys from the operating system.
pub struct SessionRandomness {
    /// The session's seeded generator.
    pub seeded: SeededRandomness,
}

impl Randomness for SessionRandomness {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomnessUnavailable> {
        self.seeded.fill(buf)
    }

    fn fill_fresh(&mut self, buf: &mut [u8]) -> Result<(), RandomnessUnavailable> {
        OsRandomness.fill(buf)
    }
}

/// `file://` and `fileb://` read from the file system, relative to the working directory.
pub struct DiskFiles;

impl Files for DiskFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let limit = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX) + 1;
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(limit).read_to_end(&mut bytes))
            .map(|_| bytes)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    format!("[Errno 2] No such file or directory: '{path}'")
                }
                std::io::ErrorKind::PermissionDenied => {
                    format!("[Errno 13] Permission denied: '{path}'")
                }
                _ => format!("{e}: '{path}'"),
            })
    }
}
