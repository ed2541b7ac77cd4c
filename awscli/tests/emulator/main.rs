//! The emulator's integration tests in one test binary: properties of random command sequences
//! (`emulator_props`), the replay of the committed fuzz corpora on stable (`fuzz_corpus`) and the
//! transient multi-Region key states over `sleep` (`transient_states`) and importing key material
//! into HMAC keys (`hmac_import`).

mod emulator_props;
mod fuzz_corpus;
mod hmac_import;
mod transient_states;
