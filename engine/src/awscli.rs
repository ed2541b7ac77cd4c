//! An emulator of the AWS CLI's `aws kms` commands, run against a playground world.
//!
//! (being written)

pub mod args;
pub mod output;
pub mod query;
pub mod shell;
pub mod shorthand;
pub mod spec;
