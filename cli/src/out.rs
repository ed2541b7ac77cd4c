//! Standard output that fails loudly or quietly, never by panicking.
//!
//! `print!` panics when standard output cannot be written, which aborts the process. Here a reader
//! that went away (`kmsplay … | head -1`) ends the run quietly with the status a shell reports for
//! a tool ended by `SIGPIPE`, and any other write error (a full disk) is reported with status 2.

use crate::Failure;
use std::io::Write;

/// The status a shell shows for a command ended by `SIGPIPE` (128 + 13).
pub const STATUS_CLOSED_PIPE: u8 = 141;

/// What a failed write means for the run.
pub fn write_failure(error: &std::io::Error) -> Failure {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        Failure {
            message: String::new(),
            status: STATUS_CLOSED_PIPE,
        }
    } else {
        Failure::input(format!("cannot write to standard output: {error}"))
    }
}

/// Writes `text` to standard output and flushes it.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| write_failure(&e))
}

/// Writes `text` to standard error. A standard error that cannot be written has nowhere to
/// report that, so the error is dropped there rather than aborting the run.
pub fn eprint(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// `text` with every control character other than newline and tab written as a visible escape
/// (`\u{1b}`), so that names taken from a file cannot move the cursor, retitle or recolour the
/// terminal the table is printed to.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A name printed on one line: every control character escaped, newlines included.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}
