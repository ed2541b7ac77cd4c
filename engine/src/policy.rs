//! The IAM JSON policy language, as used by identity policies and KMS key policies.
//!
//! Text is parsed once ([`parse`]) into a typed [`Policy`] (see [`document`]); evaluation
//! ([`eval`]) works on that value. Parsing reports every problem it can find as
//! [`Diagnostic`](crate::diagnostics::Diagnostic)s with line and column; [`lint`] adds KMS-aware
//! warnings. Editors and `kmsplay lint` call [`lint::check_policy`], which does both.

pub mod condition;
pub mod document;
pub mod eval;
mod key_policies;
pub mod lint;
pub mod parse;
pub mod pattern;
pub mod variables;

pub use document::*;
pub use key_policies::{ConsoleKeySpec, ConsoleKeyType, console_key_policy, default_key_policy};
