//! The emulator's integration tests in one test binary: properties of random command sequences
//! (`emulator_props`) and the replay of the committed fuzz corpora on stable (`fuzz_corpus`).

mod emulator_props;
mod fuzz_corpus;
