//! `kmsplay` run as a user runs it (the built binary, its output and exit status), in one test
//! binary: the commands (`commands`), and hostile input, closed pipes and full disks
//! (`robustness`). The sample AWS CLI outputs and the expected transcripts stay in `cli/tests/`.

mod common;

mod commands;
mod robustness;
