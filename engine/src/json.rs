//! A small JSON parser that keeps where everything came from.
//!
//! Policy documents and scenario files are JSON, and every problem in them must be reported at a
//! line and column with a path such as `Statement[2].Condition.StringLike`. `serde_json` forgets
//! positions once it has built a value and silently keeps the last of two equal keys, so a second
//! `"Effect"` would win unnoticed. This parser instead:
//!
//! - gives every value and every object key its byte [`Span`];
//! - keeps object members in document order, duplicates included, and reports each repeated key as
//!   an error (code `duplicate-key`) while it carries on parsing;
//! - reports a syntax error as one [`Diagnostic`] in plain words ("expected `,` or `}` after an
//!   object member");
//! - never panics and refuses nesting deeper than [`MAX_DEPTH`] instead of overflowing the stack.
//!
//! On top of the tree, [`Report`], [`JsonPath`] and the `expect_*` / field helpers of [`Value`] and
//! [`Object`] turn "wrong type", "missing field" and "unknown field (did you mean ...?)" into
//! diagnostics, so every JSON reader in the engine words them the same way.
//!
//! [`format_json`] pretty-prints any JSON text, keeping its key order (the app's Format button).

use crate::diagnostics::{Diagnostic, LineIndex, Severity, Span, did_you_mean};
use std::fmt;

/// How deeply arrays and objects may nest. Policies need 5 levels; anything near this is hostile.
pub const MAX_DEPTH: usize = 128;

/// A JSON value with the span of its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// What the value is.
    pub kind: ValueKind,
    /// The value's text, quotes and brackets included.
    pub span: Span,
}

/// The kinds of JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written (`1.50` stays `1.50`), already checked against JSON's grammar.
    Number(String),
    /// A string, escapes decoded.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Object),
}

/// A JSON object: its members in document order, repeated keys included.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    /// The members as written.
    pub members: Vec<Member>,
}

/// One `"key": value` member of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The key, escapes decoded.
    pub key: String,
    /// The key's text, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: Value,
}

/// The result of [`parse`]: the value if the text is well-formed JSON, and every problem found.
///
/// A duplicate key is an error but still yields a value (with both members in it); a syntax error
/// yields no value.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedJson {
    /// The top-level value, unless the text has a syntax error.
    pub value: Option<Value>,
    /// Syntax and duplicate-key errors, in document order.
    pub diagnostics: Vec<Diagnostic>,
}

impl ParsedJson {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Parses `text`, which `index` indexes (so spans and positions refer to it).
pub fn parse_indexed(text: &str, index: &LineIndex) -> ParsedJson {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        index,
        path: Vec::new(),
        diagnostics: Vec::new(),
    };
    let value = parser.document().ok();
    ParsedJson {
        value,
        diagnostics: parser.diagnostics,
    }
}

/// Parses `text`.
pub fn parse(text: &str) -> ParsedJson {
    parse_indexed(text, &LineIndex::new(text))
}

/// Pretty-prints JSON text with two-space indentation, keeping key order (and repeated keys).
///
/// Fails with the first syntax error. Repeated keys are not an error here: formatting must not
/// lose text the author wrote; the policy parser reports them.
#[cfg_attr(
    target_pointer_width = "64",
    expect(
        clippy::result_large_err,
        reason = "called once per Format press; callers render the diagnostic as is (the lint \
                  fires on 64-bit targets only)"
    )
)]
pub fn format_json(text: &str) -> Result<String, Diagnostic> {
    let document = parse(text);
    match document.value {
        Some(value) => Ok(value.to_pretty_string()),
        None => Err(document
            .diagnostics
            .into_iter()
            .find(|d| d.code != "duplicate-key")
            .unwrap_or_else(|| {
                Diagnostic::new(
                    &LineIndex::new(text),
                    Severity::Error,
                    "syntax",
                    "the text is not valid JSON",
                    "",
                    Span::new(0, 0),
                )
            })),
    }
}

// ---------------------------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------------------------

/// A syntax error already recorded as a diagnostic; parsing stops.
struct Stop;

/// One step of the path to the value being parsed, kept cheaply until a diagnostic needs it.
enum Step {
    Key(String),
    Index(usize),
}

struct Parser<'t, 'i> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    index: &'i LineIndex,
    path: Vec<Step>,
    diagnostics: Vec<Diagnostic>,
}

impl Parser<'_, '_> {
    fn document(&mut self) -> Result<Value, Stop> {
        self.skip_whitespace();
        if self.pos >= self.bytes.len() {
            return Err(self.fail_here(
                "empty document, expected a JSON value",
                Some("a policy document starts with `{`"),
            ));
        }
        let value = self.value(0)?;
        self.skip_whitespace();
        if self.pos < self.bytes.len() {
            let found = self.describe_here();
            return Err(self.fail_here(
                &format!("unexpected {found} after the end of the JSON value"),
                None,
            ));
        }
        Ok(value)
    }

    fn value(&mut self, depth: usize) -> Result<Value, Stop> {
        if depth >= MAX_DEPTH {
            return Err(self.fail_here(
                &format!("nesting too deep (more than {MAX_DEPTH} levels)"),
                None,
            ));
        }
        let start = self.pos;
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let string = self.string()?;
                Ok(self.finish(ValueKind::String(string), start))
            }
            Some(c) if c.is_ascii_alphabetic() => self.word(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'\'') => Err(self.fail_here(
                "expected a JSON value, found `'`",
                Some("JSON strings use double quotes"),
            )),
            Some(b'/') => Err(self.fail_here(
                "expected a JSON value, found `/`",
                Some("JSON does not allow comments"),
            )),
            _ => {
                let found = self.describe_here();
                Err(self.fail_here(&format!("expected a JSON value, found {found}"), None))
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, Stop> {
        let start = self.pos;
        let mut object = Object::default();
        if self.open_empty(b'}') {
            return Ok(self.finish(ValueKind::Object(object), start));
        }
        loop {
            self.skip_whitespace();
            let key_start = self.pos;
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') if !object.members.is_empty() => {
                    return Err(self.fail_here(
                        "expected a string key, found `}`",
                        Some("JSON does not allow a comma after the last member"),
                    ));
                }
                _ => {
                    let found = self.describe_here();
                    let hint = match self.peek() {
                        Some(b'\'') => Some("JSON strings use double quotes"),
                        Some(c) if c.is_ascii_alphabetic() => Some("object keys must be quoted"),
                        _ => None,
                    };
                    return Err(
                        self.fail_here(&format!("expected a string key, found {found}"), hint)
                    );
                }
            }
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            if let Some(first) = object.members.iter().find(|m| m.key == key) {
                let first_at = self.index.position(first.key_span.start);
                let path = self.path_with(&key);
                self.diagnostics.push(
                    Diagnostic::new(
                        self.index,
                        Severity::Error,
                        "duplicate-key",
                        format!("duplicate key `{key}`"),
                        path,
                        key_span,
                    )
                    .with_hint(format!(
                        "`{key}` was already given at {}:{}; each key may appear only once",
                        first_at.line, first_at.column
                    )),
                );
            }
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                let found = self.describe_here();
                return Err(self.fail_here(
                    &format!("expected `:` after the object key, found {found}"),
                    None,
                ));
            }
            self.pos += 1;
            self.skip_whitespace();
            self.path.push(Step::Key(key.clone()));
            let value = self.value(depth + 1);
            self.path.pop();
            object.members.push(Member {
                key,
                key_span,
                value: value?,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(self.finish(ValueKind::Object(object), start));
                }
                _ => return Err(self.separator_error("`,` or `}` after an object member")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, Stop> {
        let start = self.pos;
        let mut items = Vec::new();
        if self.open_empty(b']') {
            return Ok(self.finish(ValueKind::Array(items), start));
        }
        loop {
            self.skip_whitespace();
            if self.peek() == Some(b']') {
                return Err(self.fail_here(
                    "expected a JSON value, found `]`",
                    Some("JSON does not allow a comma after the last element"),
                ));
            }
            self.path.push(Step::Index(items.len()));
            let item = self.value(depth + 1);
            self.path.pop();
            items.push(item?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(self.finish(ValueKind::Array(items), start));
                }
                _ => return Err(self.separator_error("`,` or `]` after an array element")),
            }
        }
    }

    /// Steps over an opening bracket; when the closing one follows, steps over it too and says so.
    fn open_empty(&mut self, close: u8) -> bool {
        self.pos += 1;
        self.skip_whitespace();
        let empty = self.peek() == Some(close);
        if empty {
            self.pos += 1;
        }
        empty
    }

    /// The error for a missing separator; a value starting right there suggests a missing comma.
    fn separator_error(&mut self, expected: &str) -> Stop {
        let found = self.describe_here();
        let hint = matches!(self.peek(), Some(b'"' | b'{' | b'['))
            .then_some("is a comma missing after the previous one?");
        self.fail_here(&format!("expected {expected}, found {found}"), hint)
    }

    /// Parses a string starting at the opening quote; returns its decoded contents.
    fn string(&mut self) -> Result<String, Stop> {
        let start = self.pos;
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            // Copy the run of plain characters in one go.
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Stops only at ASCII bytes, so both ends are character boundaries.
            out.push_str(self.text.get(run_start..self.pos).unwrap_or_default());
            match self.peek() {
                None => {
                    return Err(self.fail_at(
                        Span::new(start, self.bytes.len()),
                        "unterminated string",
                        Some("add the closing `\"`"),
                    ));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(b'\n') => {
                    return Err(self.fail_at(
                        Span::new(start, self.pos),
                        "unterminated string (line break inside a string)",
                        Some("write a line break inside a string as `\\n`"),
                    ));
                }
                Some(c) => {
                    return Err(self.fail_here(
                        &format!("control character U+{c:04X} inside a string"),
                        Some("escape it, for example as `\\t` or `\\u0009`"),
                    ));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Stop> {
        let start = self.pos;
        self.pos += 1; // backslash
        let decoded = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let high = self.hex4(start)?;
                let c = if (0xD800..0xDC00).contains(&high) {
                    // A high surrogate must be followed by `\u` and a low surrogate.
                    let low = if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                        self.pos += 2;
                        Some(self.hex4(start)?)
                    } else {
                        None
                    };
                    match low {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(high)
                };
                return match c {
                    Some(c) => {
                        out.push(c);
                        Ok(())
                    }
                    None => Err(self.fail_at(
                        Span::new(start, self.pos),
                        "invalid unicode escape (unpaired surrogate)",
                        None,
                    )),
                };
            }
            _ => {
                let end = self.next_char_end();
                let written = self.text.get(start..end).unwrap_or("\\");
                return Err(self.fail_at(
                    Span::new(start, end),
                    &format!("invalid escape `{written}` in a string"),
                    Some("valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"),
                ));
            }
        };
        self.pos += 1;
        out.push(decoded);
        Ok(())
    }

    /// Four hex digits of a `\u` escape that began at `escape_start`.
    fn hex4(&mut self, escape_start: usize) -> Result<u32, Stop> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok());
        match digits {
            Some(value) => {
                self.pos += 4;
                Ok(value)
            }
            None => {
                let end = self.next_char_end();
                Err(self.fail_at(
                    Span::new(escape_start, end),
                    "invalid unicode escape, expected four hex digits after `\\u`",
                    None,
                ))
            }
        }
    }

    fn number(&mut self) -> Result<Value, Stop> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return Err(self.fail_at(
                        Span::new(start, self.pos + 1),
                        "numbers cannot have leading zeros",
                        Some("write the number without leading zeros, or quote it as a string"),
                    ));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.number_error(start, "expected a digit after `-`")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.number_error(start, "expected a digit after the decimal point"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.number_error(start, "expected a digit in the exponent"));
            }
            self.digits();
        }
        let text = self
            .text
            .get(start..self.pos)
            .unwrap_or_default()
            .to_owned();
        Ok(self.finish(ValueKind::Number(text), start))
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn number_error(&mut self, start: usize, message: &str) -> Stop {
        let end = self.next_char_end();
        self.fail_at(
            Span::new(start, end),
            &format!("invalid number: {message}"),
            None,
        )
    }

    /// `true`, `false` or `null`; any other bare word is an error naming it.
    fn word(&mut self) -> Result<Value, Stop> {
        let start = self.pos;
        let mut end = start;
        while self
            .bytes
            .get(end)
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            end += 1;
        }
        let written = self.text.get(start..end).unwrap_or_default();
        let kind = match written {
            "true" => ValueKind::Bool(true),
            "false" => ValueKind::Bool(false),
            "null" => ValueKind::Null,
            _ => {
                let message = format!("expected a JSON value, found `{written}`");
                return Err(self.fail_at(
                    Span::new(start, end),
                    &message,
                    Some("strings must be in double quotes; the only bare words are true, false and null"),
                ));
            }
        };
        self.pos = end;
        Ok(self.finish(kind, start))
    }

    fn finish(&self, kind: ValueKind, start: usize) -> Value {
        Value {
            kind,
            span: Span::new(start, self.pos),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The byte offset just after the character at `pos`.
    fn next_char_end(&self) -> usize {
        self.text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
            .map_or(self.pos, |c| self.pos + c.len_utf8())
    }

    /// "`x`" for the character at `pos`, or "the end of the text".
    fn describe_here(&self) -> String {
        match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            None => "the end of the text".to_owned(),
            Some('`') => "a backtick".to_owned(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", u32::from(c)),
            Some(c) => format!("`{c}`"),
        }
    }

    fn fail_here(&mut self, message: &str, hint: Option<&str>) -> Stop {
        let end = self.next_char_end();
        self.fail_at(Span::new(self.pos, end), message, hint)
    }

    fn fail_at(&mut self, span: Span, message: &str, hint: Option<&str>) -> Stop {
        let mut diagnostic = Diagnostic::new(
            self.index,
            Severity::Error,
            "syntax",
            message,
            self.current_path(),
            span,
        );
        if let Some(hint) = hint {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.diagnostics.push(diagnostic);
        Stop
    }

    fn current_path(&self) -> String {
        let mut path = JsonPath::root();
        for step in &self.path {
            path = match step {
                Step::Key(key) => path.key(key),
                Step::Index(i) => path.index(*i),
            };
        }
        path.into_string()
    }

    fn path_with(&self, key: &str) -> String {
        let mut path = JsonPath::new(self.current_path());
        path = path.key(key);
        path.into_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

/// A path into a JSON document as people read it: `Statement[2].Condition.StringLike`.
///
/// Keys that are not plain words (they contain `.`, `[`, `]`, `"` or white space, or are empty)
/// are written as `["a key"]`. Condition keys such as `kms:EncryptionContext:Dept` stay plain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct JsonPath(String);

impl JsonPath {
    /// The document itself (an empty path).
    pub fn root() -> JsonPath {
        JsonPath(String::new())
    }

    /// A path from its text, for example one handed over by a scenario file's reader.
    pub fn new(text: impl Into<String>) -> JsonPath {
        JsonPath(text.into())
    }

    /// This path extended by an object key.
    pub fn key(&self, key: &str) -> JsonPath {
        // One allocation of the final size (a scenario with 100,000 `expect` entries builds
        // half a million of these).
        let mut out = String::with_capacity(self.0.len() + key.len() + 4);
        out.push_str(&self.0);
        let special = |c: char| matches!(c, '.' | '[' | ']' | '"') || c.is_whitespace();
        let plain = !key.is_empty()
            && if key.is_ascii() {
                !key.bytes().any(|b| special(char::from(b)))
            } else {
                !key.chars().any(special)
            };
        if plain {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
        } else {
            out.push_str("[\"");
            for c in key.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push_str("\"]");
        }
        JsonPath(out)
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> JsonPath {
        let mut out = String::with_capacity(self.0.len() + 8);
        out.push_str(&self.0);
        out.push('[');
        out.push_str(&index.to_string());
        out.push(']');
        JsonPath(out)
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Reading values with diagnostics
// ---------------------------------------------------------------------------------------------

/// Collects the diagnostics of one document while a reader walks its [`Value`] tree.
#[derive(Debug)]
pub struct Report<'i> {
    index: &'i LineIndex,
    diagnostics: Vec<Diagnostic>,
}

impl<'i> Report<'i> {
    /// An empty report for the text `index` indexes.
    pub fn new(index: &'i LineIndex) -> Report<'i> {
        Report {
            index,
            diagnostics: Vec::new(),
        }
    }

    /// The line index positions are computed with.
    pub fn index(&self) -> &'i LineIndex {
        self.index
    }

    /// Records an error; `.hint(...)` on the result adds advice.
    pub fn error(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        path: &JsonPath,
        span: Span,
    ) -> Recorded<'_> {
        self.add(Severity::Error, code, message.into(), path, span)
    }

    /// Records a warning; `.hint(...)` on the result adds advice.
    pub fn warning(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        path: &JsonPath,
        span: Span,
    ) -> Recorded<'_> {
        self.add(Severity::Warning, code, message.into(), path, span)
    }

    fn add(
        &mut self,
        severity: Severity,
        code: &'static str,
        message: String,
        path: &JsonPath,
        span: Span,
    ) -> Recorded<'_> {
        self.diagnostics.push(Diagnostic::new(
            self.index,
            severity,
            code,
            message,
            path.as_str(),
            span,
        ));
        Recorded {
            diagnostics: &mut self.diagnostics,
        }
    }

    /// Records a diagnostic made elsewhere (for example by [`parse`]).
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Whether any error has been recorded.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The diagnostics recorded so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics, in the order they were recorded.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

/// The diagnostic [`Report::error`] or [`Report::warning`] just recorded, to add a hint to.
#[derive(Debug)]
pub struct Recorded<'r> {
    diagnostics: &'r mut Vec<Diagnostic>,
}

impl Recorded<'_> {
    /// Adds advice to the diagnostic just recorded.
    pub fn hint(self, hint: impl Into<String>) -> Self {
        if let Some(last) = self.diagnostics.last_mut() {
            last.hint = Some(hint.into());
        }
        self
    }

    /// Names the KMS exception the diagnostic just recorded stands for.
    pub fn kms_exception(self, exception: &'static str) -> Self {
        if let Some(last) = self.diagnostics.last_mut() {
            last.kms_exception = Some(exception);
        }
        self
    }
}

impl Value {
    /// "a string", "an object", ...: the value's kind as messages name it.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            ValueKind::Null => "null",
            ValueKind::Bool(_) => "a boolean",
            ValueKind::Number(_) => "a number",
            ValueKind::String(_) => "a string",
            ValueKind::Array(_) => "an array",
            ValueKind::Object(_) => "an object",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match &self.kind {
            ValueKind::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The number as an unsigned integer, if it is one that fits.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.kind {
            ValueKind::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// The number as a float, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.kind {
            ValueKind::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    /// Scalars as text: strings as they are, numbers as written, booleans as `true`/`false`.
    /// IAM reads unquoted booleans and numbers in conditions this way.
    pub fn scalar_text(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) | ValueKind::Number(s) => Some(s),
            ValueKind::Bool(true) => Some("true"),
            ValueKind::Bool(false) => Some("false"),
            _ => None,
        }
    }

    /// Reports a wrong-type error: "expected {expected}, found {kind}".
    pub fn wrong_type(&self, expected: &str, path: &JsonPath, report: &mut Report<'_>) {
        report.error(
            "wrong-type",
            format!("expected {expected}, found {}", self.kind_name()),
            path,
            self.span,
        );
    }

    /// The string, or a wrong-type error.
    pub fn expect_str(&self, path: &JsonPath, report: &mut Report<'_>) -> Option<&str> {
        let value = self.as_str();
        if value.is_none() {
            self.wrong_type("a string", path, report);
        }
        value
    }

    /// The object, or a wrong-type error.
    pub fn expect_object(&self, path: &JsonPath, report: &mut Report<'_>) -> Option<&Object> {
        let value = self.as_object();
        if value.is_none() {
            self.wrong_type("an object", path, report);
        }
        value
    }

    /// The array's elements, or a wrong-type error.
    pub fn expect_array(&self, path: &JsonPath, report: &mut Report<'_>) -> Option<&[Value]> {
        let value = self.as_array();
        if value.is_none() {
            self.wrong_type("an array", path, report);
        }
        value
    }

    /// The boolean, or a wrong-type error.
    pub fn expect_bool(&self, path: &JsonPath, report: &mut Report<'_>) -> Option<bool> {
        let value = self.as_bool();
        if value.is_none() {
            self.wrong_type("`true` or `false`", path, report);
        }
        value
    }

    /// The number as an unsigned integer, or an error.
    pub fn expect_u64(&self, path: &JsonPath, report: &mut Report<'_>) -> Option<u64> {
        let value = self.as_u64();
        if value.is_none() {
            match &self.kind {
                ValueKind::Number(text) => {
                    report.error(
                        "wrong-type",
                        format!("expected a whole number of at least 0, found `{text}`"),
                        path,
                        self.span,
                    );
                }
                _ => self.wrong_type("a number", path, report),
            }
        }
        value
    }

    /// A string or a list of strings (the IAM "single value or list" form), each with its span
    /// and path. Elements that are not strings are reported and left out; `None` when the value
    /// is neither a string nor an array.
    pub fn expect_str_or_list<'v>(
        &'v self,
        path: &JsonPath,
        report: &mut Report<'_>,
    ) -> Option<Vec<ListItem<'v>>> {
        match &self.kind {
            ValueKind::String(s) => Some(vec![ListItem {
                text: s,
                span: self.span,
                path: path.clone(),
            }]),
            ValueKind::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let path = path.index(i);
                    match item.as_str() {
                        Some(text) => out.push(ListItem {
                            text,
                            span: item.span,
                            path,
                        }),
                        None => item.wrong_type("a string", &path, report),
                    }
                }
                Some(out)
            }
            _ => {
                self.wrong_type("a string or a list of strings", path, report);
                None
            }
        }
    }

    /// Pretty-printed JSON text: two-space indentation, members in their original order.
    pub fn to_pretty_string(&self) -> String {
        let mut out = String::new();
        write_pretty(self, 0, Escape::Controls, &mut out);
        out
    }

    /// Like [`Value::to_pretty_string`], but characters above U+00FF are written as `\u`
    /// escapes, so the text stays within the character set KMS accepts for key policies
    /// (`[\u0009\u000A\u000D\u0020-\u00FF]`) whatever the strings hold.
    pub fn to_pretty_latin1(&self) -> String {
        let mut out = String::new();
        write_pretty(self, 0, Escape::AboveLatin1, &mut out);
        out
    }
}

/// Which characters [`write_pretty`] escapes besides quotes, backslashes and controls.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    Controls,
    AboveLatin1,
}

/// One string of a "string or list of strings" value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem<'v> {
    /// The string.
    pub text: &'v str,
    /// Its span.
    pub span: Span,
    /// Its path: the element's own when the value is a list.
    pub path: JsonPath,
}

impl Object {
    /// The first member with key `key`.
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.key == key)
    }

    /// The value of the first member with key `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.member(key).map(|m| &m.value)
    }

    /// The value of `key`, or a `missing-field` error located at the object.
    pub fn required<'v>(
        &'v self,
        key: &str,
        object_span: Span,
        path: &JsonPath,
        report: &mut Report<'_>,
    ) -> Option<&'v Value> {
        let value = self.get(key);
        if value.is_none() {
            report.error(
                "missing-field",
                format!("missing `{key}`"),
                path,
                Span::new(object_span.start as usize, object_span.start as usize + 1),
            );
        }
        value
    }

    /// An optional string member: `None` when absent, a wrong-type error when not a string.
    pub fn optional_str<'v>(
        &'v self,
        key: &str,
        path: &JsonPath,
        report: &mut Report<'_>,
    ) -> Option<&'v str> {
        self.get(key)
            .and_then(|value| value.expect_str(&path.key(key), report))
    }

    /// Reports every member whose key is not one of `known`, with a did-you-mean hint.
    /// `what` names the kind of member in the message (`element`, `field`).
    pub fn reject_unknown(
        &self,
        known: &[&str],
        what: &str,
        path: &JsonPath,
        report: &mut Report<'_>,
    ) {
        for member in &self.members {
            if known.contains(&member.key.as_str()) {
                continue;
            }
            let hint = match did_you_mean(&member.key, known.iter().copied()) {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!("expected one of {}", quote_list(known)),
            };
            report
                .error(
                    "unknown-field",
                    format!("unknown {what} `{}`", member.key),
                    &path.key(&member.key),
                    member.key_span,
                )
                .hint(hint);
        }
    }
}

/// "`a`, `b` or `c`".
pub fn quote_list(items: &[&str]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == items.len() { " or " } else { ", " });
        }
        out.push('`');
        out.push_str(item);
        out.push('`');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// Appends `s` as a JSON string literal (quotes, escapes; non-ASCII kept as is).
pub fn write_string(s: &str, out: &mut String) {
    write_string_escaping(s, Escape::Controls, out);
}

fn write_string_escaping(s: &str, escape: Escape, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c if escape == Escape::AboveLatin1 && u32::from(c) > 0xFF => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a newline and `depth` levels of two-space indentation.
pub fn write_newline(depth: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_pretty(value: &Value, depth: usize, escape: Escape, out: &mut String) {
    match &value.kind {
        ValueKind::Null => out.push_str("null"),
        ValueKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ValueKind::Number(text) => out.push_str(text),
        ValueKind::String(s) => write_string_escaping(s, escape, out),
        ValueKind::Array(items) if items.is_empty() => out.push_str("[]"),
        ValueKind::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_newline(depth + 1, out);
                write_pretty(item, depth + 1, escape, out);
            }
            write_newline(depth, out);
            out.push(']');
        }
        ValueKind::Object(object) if object.members.is_empty() => out.push_str("{}"),
        ValueKind::Object(object) => {
            out.push('{');
            for (i, member) in object.members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_newline(depth + 1, out);
                write_string_escaping(&member.key, escape, out);
                out.push_str(": ");
                write_pretty(&member.value, depth + 1, escape, out);
            }
            write_newline(depth, out);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Position;
    use proptest::prelude::*;

    fn first_error(text: &str) -> (String, u32, u32) {
        let document = parse(text);
        let d = &document.diagnostics[0];
        (d.message.clone(), d.start.line, d.start.column)
    }

    #[test]
    fn values_and_keys_carry_their_spans() {
        let text = r#"{"a": [1, "x", true, null], "b": {"c": -2.5e3}}"#;
        let value = parse(text).value.unwrap();
        let object = value.as_object().unwrap();
        let a = &object.members[0];
        assert_eq!(
            &text[a.key_span.start as usize..a.key_span.end as usize],
            "\"a\""
        );
        let items = a.value.as_array().unwrap();
        let spans: Vec<&str> = items
            .iter()
            .map(|v| &text[v.span.start as usize..v.span.end as usize])
            .collect();
        assert_eq!(spans, ["1", "\"x\"", "true", "null"]);
        let c = object
            .get("b")
            .unwrap()
            .as_object()
            .unwrap()
            .get("c")
            .unwrap();
        assert_eq!(c.kind, ValueKind::Number("-2.5e3".into()));
        assert_eq!(value.span, Span::new(0, text.len()));
    }

    #[test]
    fn a_repeated_key_is_an_error_and_parsing_goes_on() {
        // A second "Effect" must never silently win (the reason this parser exists).
        let text = "{\n  \"Statement\": {\n    \"Effect\": \"Deny\",\n    \"Effect\": \"Allow\"\n  },\n  \"Id\": 1, \"Id\": 2\n}";
        let document = parse(text);
        assert!(document.value.is_some());
        let found: Vec<(&str, &str, Position)> = document
            .diagnostics
            .iter()
            .map(|d| (d.message.as_str(), d.path.as_str(), d.start))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "duplicate key `Effect`",
                    "Statement.Effect",
                    Position { line: 4, column: 5 }
                ),
                (
                    "duplicate key `Id`",
                    "Id",
                    Position {
                        line: 6,
                        column: 12
                    }
                ),
            ]
        );
        assert_eq!(
            document.diagnostics[0].hint.as_deref(),
            Some("`Effect` was already given at 3:5; each key may appear only once")
        );
        // Both members stay in the tree, in order; `get` sees the first.
        let statement = document.value.unwrap();
        let statement = statement.as_object().unwrap().get("Statement").unwrap();
        let members = &statement.as_object().unwrap().members;
        assert_eq!(members.len(), 2);
        assert_eq!(
            statement
                .as_object()
                .unwrap()
                .get("Effect")
                .unwrap()
                .as_str(),
            Some("Deny")
        );
    }

    #[test]
    fn syntax_errors_name_what_was_expected_and_where() {
        let cases: &[(&str, &str, u32, u32)] = &[
            (
                "{\"a\": 1 \"b\": 2}",
                "expected `,` or `}` after an object member, found `\"`",
                1,
                9,
            ),
            ("{\"a\": 1,}", "expected a string key, found `}`", 1, 9),
            (
                "{\"a\" 1}",
                "expected `:` after the object key, found `1`",
                1,
                6,
            ),
            ("{\"a\": \"abc", "unterminated string", 1, 7),
            (
                "[1, 2",
                "expected `,` or `]` after an array element, found the end of the text",
                1,
                6,
            ),
            ("[1,]", "expected a JSON value, found `]`", 1, 4),
            ("", "empty document, expected a JSON value", 1, 1),
            ("  \n ", "empty document, expected a JSON value", 2, 2),
            (
                "{} x",
                "unexpected `x` after the end of the JSON value",
                1,
                4,
            ),
            ("{'a': 1}", "expected a string key, found `'`", 1, 2),
            ("{a: 1}", "expected a string key, found `a`", 1, 2),
            ("[True]", "expected a JSON value, found `True`", 1, 2),
            ("[tru]", "expected a JSON value, found `tru`", 1, 2),
            ("[01]", "numbers cannot have leading zeros", 1, 2),
            ("[-]", "invalid number: expected a digit after `-`", 1, 2),
            (
                "[1.]",
                "invalid number: expected a digit after the decimal point",
                1,
                2,
            ),
            (
                "[1e+]",
                "invalid number: expected a digit in the exponent",
                1,
                2,
            ),
            ("[\"a\\q\"]", "invalid escape `\\q` in a string", 1, 4),
            (
                "[\"\\u12\"]",
                "invalid unicode escape, expected four hex digits after `\\u`",
                1,
                3,
            ),
            (
                "[\"\\ud800\"]",
                "invalid unicode escape (unpaired surrogate)",
                1,
                3,
            ),
            (
                "[\"a\tb\"]",
                "control character U+0009 inside a string",
                1,
                4,
            ),
            (
                "[\"a\nb\"]",
                "unterminated string (line break inside a string)",
                1,
                2,
            ),
            (
                "{\"é\": 1 2}",
                "expected `,` or `}` after an object member, found `2`",
                1,
                9,
            ),
            ("// c\n{}", "expected a JSON value, found `/`", 1, 1),
        ];
        for (text, message, line, column) in cases {
            assert_eq!(
                first_error(text),
                (message.to_string(), *line, *column),
                "for {text:?}"
            );
            assert!(parse(text).value.is_none());
        }
    }

    #[test]
    fn syntax_errors_carry_the_path_of_the_value_being_read() {
        let document = parse("{\"Statement\": [{\"Effect\": \"Allow\",}]}");
        assert_eq!(document.diagnostics[0].path, "Statement[0]");
        assert_eq!(
            document.diagnostics[0].hint.as_deref(),
            Some("JSON does not allow a comma after the last member")
        );
    }

    #[test]
    fn escapes_are_decoded() {
        let value = parse(r#"["\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"]"#)
            .value
            .unwrap();
        assert_eq!(
            value.as_array().unwrap()[0].as_str(),
            Some("\"\\/\u{8}\u{c}\n\r\té😀")
        );
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let (message, line, column) = first_error(&deep);
        assert_eq!(message, "nesting too deep (more than 128 levels)");
        assert_eq!((line, column), (1, 129));
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&fine).diagnostics.is_empty());
    }

    #[test]
    fn paths_read_like_the_document() {
        let path = JsonPath::root()
            .key("Statement")
            .index(2)
            .key("Condition")
            .key("StringLike");
        assert_eq!(path.as_str(), "Statement[2].Condition.StringLike");
        assert_eq!(
            JsonPath::root()
                .key("Condition")
                .key("kms:EncryptionContext:Dept")
                .as_str(),
            "Condition.kms:EncryptionContext:Dept"
        );
        assert_eq!(
            JsonPath::root().key("a b").key("x.y").as_str(),
            "[\"a b\"][\"x.y\"]"
        );
        assert_eq!(JsonPath::root().index(0).as_str(), "[0]");
    }

    #[test]
    fn typed_readers_report_wrong_types_missing_and_unknown_fields() {
        let text = "{\n  \"Name\": 5,\n  \"Tags\": [\"a\", 2],\n  \"Efect\": \"Allow\"\n}";
        let index = LineIndex::new(text);
        let value = parse_indexed(text, &index).value.unwrap();
        let object = value.as_object().unwrap();
        let mut report = Report::new(&index);
        let root = JsonPath::root();
        assert_eq!(object.optional_str("Name", &root, &mut report), None);
        let tags = object
            .get("Tags")
            .unwrap()
            .expect_str_or_list(&root.key("Tags"), &mut report)
            .unwrap();
        let tags: Vec<(&str, &str)> = tags.iter().map(|t| (t.text, t.path.as_str())).collect();
        assert_eq!(tags, [("a", "Tags[0]")]);
        assert!(
            object
                .required("Effect", value.span, &root, &mut report)
                .is_none()
        );
        object.reject_unknown(&["Name", "Tags", "Effect"], "field", &root, &mut report);
        let found: Vec<(String, String, u32, Option<String>)> = report
            .into_diagnostics()
            .into_iter()
            .map(|d| (d.message, d.path, d.start.line, d.hint))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "expected a string, found a number".into(),
                    "Name".into(),
                    2,
                    None
                ),
                (
                    "expected a string, found a number".into(),
                    "Tags[1]".into(),
                    3,
                    None
                ),
                ("missing `Effect`".into(), "".into(), 1, None),
                (
                    "unknown field `Efect`".into(),
                    "Efect".into(),
                    4,
                    Some("did you mean `Effect`?".into())
                ),
            ]
        );
    }

    #[test]
    fn format_json_pretty_prints_keeping_key_order() {
        let text = r#"{"b":1,"a":[true,null,{"z":"\n","y":[]}],"c":{}}"#;
        let expected = "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null,\n    {\n      \"z\": \"\\n\",\n      \"y\": []\n    }\n  ],\n  \"c\": {}\n}";
        assert_eq!(format_json(text).unwrap(), expected);
        assert_eq!(format_json(expected).unwrap(), expected);
        let error = format_json("{\"a\": }").unwrap_err();
        assert_eq!(
            (error.message.as_str(), error.start.column),
            ("expected a JSON value, found `}`", 7)
        );
        // Repeated keys are kept: formatting must not drop what the author wrote.
        assert_eq!(
            format_json("{\"a\":1,\"a\":2}").unwrap(),
            "{\n  \"a\": 1,\n  \"a\": 2\n}"
        );
    }

    fn strip_spans(value: &Value) -> String {
        // The compact form compares values while ignoring where they were written.
        let mut out = String::new();
        match &value.kind {
            ValueKind::Array(items) => {
                out.push('[');
                for item in items {
                    out.push_str(&strip_spans(item));
                    out.push(',');
                }
                out.push(']');
            }
            ValueKind::Object(object) => {
                out.push('{');
                for member in &object.members {
                    write_string(&member.key, &mut out);
                    out.push(':');
                    out.push_str(&strip_spans(&member.value));
                    out.push(',');
                }
                out.push('}');
            }
            _ => out.push_str(&value.to_pretty_string()),
        }
        out
    }

    fn arbitrary_json() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| format!("{f:e}")),
            any::<String>().prop_map(|s| {
                let mut out = String::new();
                write_string(&s, &mut out);
                out
            }),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec(("[a-zA-Z:é ]{0,6}", inner), 0..6).prop_map(|members| {
                    let parts: Vec<String> = members
                        .into_iter()
                        .map(|(k, v)| {
                            let mut key = String::new();
                            write_string(&k, &mut key);
                            format!(" {key} :\n{v}")
                        })
                        .collect();
                    format!("{{{}}}", parts.join(","))
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn parsing_never_panics_on_arbitrary_text(text in any::<String>()) {
            let document = parse(&text);
            prop_assert!(document.value.is_some() || document.has_errors());
        }

        #[test]
        fn parsing_never_panics_on_json_like_text(text in "[\\[\\]{}\",:0-9a-z\\\\ .eE+-]{0,64}") {
            let document = parse(&text);
            prop_assert!(document.value.is_some() || document.has_errors());
        }

        #[test]
        fn well_formed_json_parses_and_formats_stably(text in arbitrary_json()) {
            let document = parse(&text);
            let value = document.value.clone();
            prop_assert!(value.is_some(), "{:?}", document.diagnostics);
            let value = value.unwrap();
            let pretty = value.to_pretty_string();
            let again = parse(&pretty).value.unwrap();
            prop_assert_eq!(strip_spans(&value), strip_spans(&again));
            prop_assert_eq!(again.to_pretty_string(), pretty);
        }
    }
}
