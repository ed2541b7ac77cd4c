//! What the engine leaves to its host: the clock, randomness and files.

use kms_awscli::{Files, MAX_FILE_BYTES};
use kms_engine::entropy::{Randomness, SeededRandomness, Timestamp};
use std::io::Read;

/// The system clock.
pub fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp(millis)
}

/// The operating system's random source (`/dev/urandom`).
pub struct OsRandomness {
    source: Option<std::fs::File>,
    fallback: SeededRandomness,
}

impl OsRandomness {
    /// Opens the random source. Where it cannot be opened, bytes come from a generator seeded
    /// with the standard library's per-process random hash keys.
    pub fn new() -> OsRandomness {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_i64(now().0);
        OsRandomness {
            source: std::fs::File::open("/dev/urandom").ok(),
            fallback: SeededRandomness::new(hasher.finish()),
        }
    }

    /// A random 64-bit seed.
    pub fn seed(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }
}

impl Randomness for OsRandomness {
    fn fill(&mut self, buf: &mut [u8]) {
        let read = self
            .source
            .as_mut()
            .is_some_and(|f| f.read_exact(buf).is_ok());
        if !read {
            self.fallback.fill(buf);
        }
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
