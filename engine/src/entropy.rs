//! Randomness and time, passed in from outside.
//!
//! The engine never reads the operating system's clock or random source: the browser app supplies
//! `getrandom` and `Date.now()`, the CLI supplies the OS or a seeded generator, and tests supply
//! fixed values. That keeps every decision, id and ciphertext reproducible.

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

/// A source of random bytes.
pub trait Randomness {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]);
}

/// A small deterministic generator (SplitMix64) for tests, `--seed`, and generated worlds.
///
/// It is not cryptographically secure: use it only where reproducibility matters more than secrecy.
#[derive(Clone, Debug)]
pub struct SeededRandomness {
    state: u64,
}

impl SeededRandomness {
    /// A generator that always produces the same sequence for the same seed.
    pub fn new(seed: u64) -> Self {
        SeededRandomness { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl Randomness for SeededRandomness {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            let n = chunk.len();
            chunk.copy_from_slice(bytes.get(..n).unwrap_or(&[]));
        }
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
        a.fill(&mut x);
        b.fill(&mut y);
        assert_eq!(x, y);
        assert_ne!(x, [0u8; 13]);
        let mut c = SeededRandomness::new(8);
        let mut z = [0u8; 13];
        c.fill(&mut z);
        assert_ne!(x, z);
    }
}
