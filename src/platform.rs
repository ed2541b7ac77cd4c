//! What the engine must be given from outside: randomness, and a stopwatch for the status line.
//!
//! In the browser, randomness is the Web Crypto API through `getrandom` and the stopwatch is
//! `performance.now()`. Native builds (the tests) use a seeded generator, so every id, token and
//! ciphertext in a test is reproducible, and `std::time::Instant`.

use kms_engine::entropy::Randomness;

/// The browser's cryptographic random source.
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserRandomness;

/// What the user reads when the browser has no secure random source.
pub const NO_SECURE_RANDOMNESS: &str = "This browser offers no secure randomness (crypto.getRandomValues failed): nothing was created.";

#[cfg(target_arch = "wasm32")]
impl Randomness for BrowserRandomness {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), kms_engine::entropy::RandomnessUnavailable> {
        // Without Web Crypto the page cannot create keys safely: the operation fails with this
        // message rather than proceeding with predictable bytes.
        getrandom::fill(buf).map_err(|_| kms_engine::entropy::RandomnessUnavailable {
            message: NO_SECURE_RANDOMNESS.to_owned(),
        })
    }
}

/// The randomness the app gives the engine.
pub fn randomness() -> Box<dyn Randomness> {
    #[cfg(target_arch = "wasm32")]
    {
        Box::new(BrowserRandomness)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Box::new(kms_engine::entropy::SeededRandomness::new(
            0x6b6d_735f_706c_6179,
        ))
    }
}

/// A monotonic time in milliseconds, for measuring how long a recomputation took.
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        use std::time::Instant;
        static START: OnceLock<Instant> = OnceLock::new();
        START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
    }
}

/// The simulated clock's starting time: now, in the browser.
pub fn epoch_ms_timestamp() -> kms_engine::entropy::Timestamp {
    kms_engine::entropy::Timestamp(epoch_ms())
}

/// Wall-clock milliseconds since the Unix epoch: where the simulated clock starts.
pub fn epoch_ms() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Tests start at a fixed instant so their timestamps are reproducible.
        1_767_225_600_000 // 2026-01-01T00:00:00Z
    }
}
