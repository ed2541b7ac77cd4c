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
    escape_controls(text, b"\n\t")
}

/// A name printed on one line: every control character escaped, newlines included.
pub fn one_line(text: &str) -> String {
    escape_controls(text, b"")
}

/// `text` with every control character (Unicode's `Cc`: U+0000 to U+001F, U+007F to U+009F)
/// escaped, except the ASCII ones in `keep`.
fn escape_controls(text: &str, keep: &[u8]) -> String {
    let start = first_control(text, keep).unwrap_or(text.len());
    let mut out = String::with_capacity(text.len());
    // Up to the first control character the text is copied as it is: a matrix of a large world
    // is megabytes of text, which rarely holds any.
    out.push_str(text.get(..start).unwrap_or_default());
    for c in text.get(start..).unwrap_or_default().chars() {
        if c.is_control() && !(c.is_ascii() && keep.contains(&(c as u8))) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Where the first control character not in `keep` starts, found byte by byte: in UTF-8 the C0
/// controls and DEL are single bytes, and U+0080 to U+009F are 0xC2 followed by 0x80 to 0x9F.
fn first_control(text: &str, keep: &[u8]) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    loop {
        // A quick test per byte first; a newline or a character from U+0080 to U+00BF (such as
        // `°`) then gets a closer look.
        let at = from
            + bytes
                .get(from..)?
                .iter()
                .position(|&b| b < 0x20 || b == 0x7f || b == 0xc2)?;
        let control = match bytes.get(at) {
            Some(&b) if b < 0x20 => !keep.contains(&b),
            Some(0x7f) => true,
            _ => bytes.get(at + 1).is_some_and(|n| (0x80..=0x9f).contains(n)),
        };
        if control {
            return Some(at);
        }
        from = at + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition the byte scan must agree with: every `char::is_control` character escaped.
    fn by_chars(text: &str, keep: &[char]) -> String {
        let mut out = String::new();
        for c in text.chars() {
            if c.is_control() && !keep.contains(&c) {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn every_control_character_is_escaped_and_nothing_else() {
        let mut samples = vec![
            String::new(),
            "plain table\n\twith tabs".to_owned(),
            "bell\u{7}, escape \u{1b}[31m, DEL \u{7f}, C1 \u{85}\u{9b}".to_owned(),
            "Zoë ü \u{a0} \u{80}\u{9f}\u{c2}\u{100} é\r\n".to_owned(),
        ];
        // Every code point up to U+0200 on its own and after text.
        samples.extend(
            (0u32..0x200)
                .filter_map(char::from_u32)
                .map(|c| format!("ab{c}c")),
        );
        for text in &samples {
            assert_eq!(
                terminal_safe(text),
                by_chars(text, &['\n', '\t']),
                "{text:?}"
            );
            assert_eq!(one_line(text), by_chars(text, &[]), "{text:?}");
        }
    }
}
