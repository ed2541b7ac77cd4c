//! Randomness and time, passed in from outside.
//!
//! The engine never reads the operating system's clock or random source: the browser app supplies
//! `getrandom` and `Date.now()`, the CLI supplies the OS or a seeded generator, and tests supply
//! fixed values. That keeps every decision, id and ciphertext reproducible.

use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use sha2::{Digest, Sha256};

/// Milliseconds since the Unix epoch, as the simulated clock reads it.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The instant `millis` milliseconds after this one.
    pub fn plus_millis(self, millis: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(millis))
    }

    /// Whole seconds since the epoch (what AWS prints for dates in JSON output).
    pub fn as_epoch_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
}

/// The random source could not give bytes. Nothing may be made from a buffer it failed to
/// fill: the operation that asked fails with this message instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomnessUnavailable {
    /// What failed and what it means for the user, in words.
    pub message: String,
}

impl std::fmt::Display for RandomnessUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A source of random bytes.
///
/// Two kinds of bytes are asked for. [`Randomness::fill`] gives what a session's history must
/// reproduce when replayed from a seed: key ids, key material, grant ids and tokens.
/// [`Randomness::fill_fresh`] gives bytes that must differ at every use, even between two runs
/// that replay one saved session: AES-GCM nonces, data keys, `GenerateRandom`, RSAES-OAEP seeds
/// and RSASSA-PSS salts. (An RSA key pair is key material: drawn with `fill`.) A source that
/// reproduces a session should take fresh bytes from the operating system, so that two copies
/// of one session never encrypt under the same (key, nonce) pair.
pub trait Randomness {
    /// Fills `buf` with random bytes, or fails and leaves nothing usable in it.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomnessUnavailable>;

    /// Fills `buf` with bytes that are never reused (by default, [`Randomness::fill`]'s).
    fn fill_fresh(&mut self, buf: &mut [u8]) -> Result<(), RandomnessUnavailable> {
        self.fill(buf)
    }
}

/// A deterministic generator for tests, `--seed` and saved sessions: the ChaCha20 keystream
/// under a 256-bit key. The same key always gives the same bytes; without the key they cannot be
/// told from random. Bytes from a seed anyone knows (`--seed 1`) are reproducible, not secret.
pub struct SeededRandomness {
    stream: ChaCha20,
}

impl std::fmt::Debug for SeededRandomness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SeededRandomness(<keystream>)")
    }
}

impl SeededRandomness {
    /// The generator for a small number seed (`--seed N`): its key is SHA-256 of the number,
    /// so anyone who knows the number can reproduce every byte.
    pub fn new(seed: u64) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"kms-playground seeded randomness\0");
        hasher.update(seed.to_le_bytes());
        let key: [u8; 32] = hasher.finalize().into();
        SeededRandomness::from_key(key)
    }

    /// The generator for a secret 256-bit key (a saved session's seed drawn from the OS).
    pub fn from_key(key: [u8; 32]) -> Self {
        SeededRandomness {
            stream: ChaCha20::new(&key.into(), &[0u8; 12].into()),
        }
    }
}

impl Randomness for SeededRandomness {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomnessUnavailable> {
        buf.fill(0);
        self.stream
            .try_apply_keystream(buf)
            .map_err(|_| RandomnessUnavailable {
                message: "the seeded random stream is used up (256 GiB): start a new session"
                    .to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_randomness_is_reproducible_and_fills_odd_lengths() {
        let mut a = SeededRandomness::new(7);
        let mut b = SeededRandomness::new(7);
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        assert_eq!(x, y);
        assert_ne!(x, [0u8; 13]);
        let mut c = SeededRandomness::new(8);
        let mut z = [0u8; 13];
        c.fill(&mut z).unwrap();
        assert_ne!(x, z);
        // The stream continues: the next bytes are not the first ones again.
        a.fill(&mut y).unwrap();
        assert_ne!(x, y);
    }

    /// The generator is the ChaCha20 keystream (RFC 8439 §2.4.2's cipher with a zero nonce and
    /// counter): checked against an independent computation of its first block for the all-zero
    /// key, whose first bytes RFC 8439 Appendix A.1 (test vector #1) gives.
    #[test]
    fn seeded_randomness_is_the_chacha20_keystream() {
        let mut zero_key = SeededRandomness::from_key([0; 32]);
        let mut first = [0u8; 16];
        zero_key.fill(&mut first).unwrap();
        assert_eq!(
            first,
            [
                0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86,
                0xbd, 0x28
            ]
        );
    }
}
