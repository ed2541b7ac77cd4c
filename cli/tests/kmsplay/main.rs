//! `kmsplay` run as a user runs it (the built binary, its output and exit status), in one test
//! binary: the commands (`commands`), importing key material wrapped outside KMS
//! (`key_material_import`), and hostile input, closed pipes and full disks
//! (`robustness`). The sample AWS CLI outputs and the expected transcripts stay in `cli/tests/`.

mod common;

mod commands;
mod key_material_import;
mod robustness;
