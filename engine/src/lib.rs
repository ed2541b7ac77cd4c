//! KMS Playground's engine: a deterministic, in-memory model of AWS KMS access control.
//!
//! It parses IAM policy documents (identity policies and KMS key policies), evaluates them the way
//! IAM and KMS do, keeps a key store with key states, aliases and grants, and performs real
//! AES-256-GCM encryption. It does no I/O and reads no clock or operating-system randomness: time
//! and random bytes are passed in (see [`entropy`]), so every result is reproducible.
//!
//! Where the KMS course lecture the playground is built around simplifies, this crate follows real
//! KMS behaviour and its explanations say so.

pub mod analysis;
pub mod authz;
pub mod catalog;
pub mod crypto;
pub mod diagnostics;
pub mod entropy;
pub mod error;
pub mod export;
pub mod format;
pub mod json;
pub mod kms;
pub mod matrix;
pub mod policy;
pub mod request;
pub mod scenario;
pub mod sort;
pub mod store;
pub mod view;
pub mod world;

/// The engine's version, shown by the app and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
