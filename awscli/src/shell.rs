//! The small part of a POSIX shell that `aws` scripts use.
//!
//! Scripts are split into logical lines (a backslash before a newline continues the line; a newline
//! inside quotes or inside `$( )` belongs to the line), and each line into words with the shell's
//! quoting: `'...'` is literal, `"..."` expands `$NAME`, `${NAME}` and `$(...)`, a backslash outside
//! quotes escapes the next character, and `#` at the start of a word begins a comment. Expansion
//! results that are not inside double quotes are split on whitespace, as the shell does.
//!
//! Pipes, redirections, `;`, `&&` and backquotes are not part of this subset; they are reported as
//! errors rather than silently misread.

use std::fmt;

/// A logical line of a script: continuation lines joined, with the number of its first line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogicalLine {
    /// 1-based number of the physical line where this logical line starts.
    pub line: usize,
    /// The text, with backslash-newline continuations removed.
    pub text: String,
    /// The physical lines as written (continuations kept), for echoing the command as a
    /// terminal showed it.
    pub raw: String,
}

/// What went wrong while reading a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellError {
    /// A quote or `$(` was opened and never closed.
    Unterminated {
        /// What was left open, such as `'` or `$(`.
        what: &'static str,
    },
    /// A shell feature outside the supported subset, such as a pipe.
    Unsupported {
        /// The feature, in words.
        feature: &'static str,
    },
    /// `${` without a valid name and `}`.
    BadSubstitution {
        /// The text as written.
        text: String,
    },
}

impl fmt::Display for ShellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShellError::Unterminated { what } => {
                write!(f, "unexpected end of input: `{what}` is never closed")
            }
            ShellError::Unsupported { feature } => {
                write!(
                    f,
                    "{feature} are not supported here: run one command per line"
                )
            }
            ShellError::BadSubstitution { text } => write!(f, "bad substitution `{text}`"),
        }
    }
}

impl std::error::Error for ShellError {}

/// One piece of a word before expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text taken as written. `split` is false when it came from quotes (it never splits anyway;
    /// the flag only tells an assignment's name apart from quoted text).
    Literal {
        /// The text.
        text: String,
        /// Whether the text was written without quotes.
        bare: bool,
    },
    /// `$NAME` or `${NAME}`.
    Variable {
        /// The variable's name.
        name: String,
        /// Whether it was inside double quotes (then its value is not split).
        quoted: bool,
    },
    /// `$(command)`.
    Command {
        /// The command's text, to be read as a line of its own.
        text: String,
        /// Whether it was inside double quotes.
        quoted: bool,
    },
}

/// A word of a command line: the parts that were written next to each other.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    /// The parts, in order.
    pub parts: Vec<Part>,
}

impl Word {
    /// If the word starts with `NAME=` written without quotes, the name and the parts of the value.
    pub fn as_assignment(&self) -> Option<(String, Word)> {
        let Some(Part::Literal { text, bare: true }) = self.parts.first() else {
            return None;
        };
        let (name, rest) = text.split_once('=')?;
        if !is_name(name) {
            return None;
        }
        let mut value = Word::default();
        if !rest.is_empty() {
            value.parts.push(Part::Literal {
                text: rest.to_owned(),
                bare: true,
            });
        }
        value.parts.extend(self.parts.iter().skip(1).cloned());
        Some((name.to_owned(), value))
    }

    /// The word's text when it holds no expansion.
    pub fn as_plain(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal { text, .. } => out.push_str(text),
                _ => return None,
            }
        }
        Some(out)
    }

    fn push_literal(&mut self, c: char, bare: bool) {
        if let Some(Part::Literal { text, bare: b }) = self.parts.last_mut() {
            if *b == bare {
                text.push(c);
                return;
            }
        }
        self.parts.push(Part::Literal {
            text: c.to_string(),
            bare,
        });
    }
}

/// Whether `s` is a shell variable name.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Splits a script into logical lines, dropping lines that are blank or only a comment.
pub fn logical_lines(script: &str) -> Result<Vec<LogicalLine>, (usize, ShellError)> {
    let mut splitter = LineSplitter::default();
    splitter.push(script);
    splitter.finish()
}

/// Splits a script into logical lines as it arrives, piece by piece (a terminal's lines). Each
/// character is looked at once, so the work stays linear in the input however long a quoted
/// value or a continued line runs.
#[derive(Clone, Debug)]
pub struct LineSplitter {
    quote: Quote,
    /// How many `$(` are open.
    depth: usize,
    /// A backslash outside single quotes waits for the character it escapes.
    escape: bool,
    /// Inside a comment, which runs to the end of the physical line.
    comment: bool,
    /// The physical line being read (1-based).
    line: usize,
    /// The physical line where the current logical line started.
    start_line: usize,
    /// The current logical line, continuations removed.
    current: String,
    /// The current logical line as written.
    raw: String,
    ready: Vec<LogicalLine>,
}

impl Default for LineSplitter {
    fn default() -> Self {
        LineSplitter {
            quote: Quote::None,
            depth: 0,
            escape: false,
            comment: false,
            line: 1,
            start_line: 1,
            current: String::new(),
            raw: String::new(),
            ready: Vec::new(),
        }
    }
}

impl LineSplitter {
    /// Reads more of the script.
    pub fn push(&mut self, text: &str) {
        for c in text.chars() {
            self.push_char(c);
        }
    }

    /// The logical lines completed so far and not yet taken.
    pub fn take_ready(&mut self) -> Vec<LogicalLine> {
        std::mem::take(&mut self.ready)
    }

    /// Whether a logical line has begun and is not complete yet (a terminal then prompts `> `).
    pub fn is_inside_line(&self) -> bool {
        self.quote != Quote::None || self.depth > 0 || self.escape || !self.raw.is_empty()
    }

    /// Ends the script: the lines not yet taken, or what was left open.
    pub fn finish(mut self) -> Result<Vec<LogicalLine>, (usize, ShellError)> {
        if std::mem::take(&mut self.escape) {
            self.current.push('\\');
        }
        match (self.quote, self.depth) {
            (Quote::Single, _) => Err((self.start_line, ShellError::Unterminated { what: "'" })),
            (Quote::Double, _) => Err((self.start_line, ShellError::Unterminated { what: "\"" })),
            (Quote::None, d) if d > 0 => {
                Err((self.start_line, ShellError::Unterminated { what: "$(" }))
            }
            _ => {
                self.end_line();
                Ok(self.ready)
            }
        }
    }

    fn push_char(&mut self, c: char) {
        if c == '\n' {
            self.line += 1;
        }
        if std::mem::take(&mut self.escape) {
            self.raw.push(c);
            // A backslash before a newline joins the lines; before anything else both stay.
            if c != '\n' {
                self.current.push('\\');
                self.current.push(c);
            }
            return;
        }
        if self.comment {
            if c != '\n' {
                self.raw.push(c);
                return;
            }
            self.comment = false;
        }
        match self.quote {
            Quote::Single => {
                if c == '\'' {
                    self.quote = Quote::None;
                }
                self.keep(c);
                return;
            }
            Quote::Double => {
                match c {
                    '\\' => {
                        self.raw.push(c);
                        self.escape = true;
                        return;
                    }
                    '"' => self.quote = Quote::None,
                    _ => {}
                }
                self.keep(c);
                return;
            }
            Quote::None => {}
        }
        match c {
            '\\' => {
                self.raw.push(c);
                self.escape = true;
            }
            '\'' => {
                self.quote = Quote::Single;
                self.keep(c);
            }
            '"' => {
                self.quote = Quote::Double;
                self.keep(c);
            }
            '#' if self.depth == 0
                && self
                    .current
                    .chars()
                    .next_back()
                    .is_none_or(char::is_whitespace) =>
            {
                self.raw.push(c);
                self.comment = true;
            }
            '(' if self.current.ends_with('$') => {
                self.depth += 1;
                self.keep(c);
            }
            ')' if self.depth > 0 => {
                self.depth -= 1;
                self.keep(c);
            }
            '\n' if self.depth == 0 => {
                self.end_line();
                self.start_line = self.line;
            }
            _ => self.keep(c),
        }
    }

    fn keep(&mut self, c: char) {
        self.current.push(c);
        self.raw.push(c);
    }

    /// Ends the logical line read so far; a blank or comment-only one is dropped.
    fn end_line(&mut self) {
        let text = std::mem::take(&mut self.current);
        let raw = std::mem::take(&mut self.raw);
        if !text.trim().is_empty() {
            self.ready.push(LogicalLine {
                line: self.start_line,
                text: text.trim().to_owned(),
                raw: raw.trim().to_owned(),
            });
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Quote {
    #[default]
    None,
    Single,
    Double,
}

/// Splits one logical line into words.
pub fn words(line: &str) -> Result<Vec<Word>, ShellError> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut word: Option<Word> = None;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '#' if word.is_none() => break,
            '\\' => {
                let w = word.get_or_insert_with(Word::default);
                match chars.get(i) {
                    Some('\n') => i += 1,
                    Some(&next) => {
                        w.push_literal(next, false);
                        i += 1;
                    }
                    None => {}
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(Word::default);
                let close =
                    find_from(&chars, i, '\'').ok_or(ShellError::Unterminated { what: "'" })?;
                // An empty '' still makes a (possibly empty) word.
                w.parts.push(Part::Literal {
                    text: chars.get(i..close).unwrap_or(&[]).iter().collect(),
                    bare: false,
                });
                i = close + 1;
            }
            '"' => {
                let w = word.get_or_insert_with(Word::default);
                w.parts.push(Part::Literal {
                    text: String::new(),
                    bare: false,
                });
                i = read_double_quoted(&chars, i, w)?;
            }
            '$' => {
                let w = word.get_or_insert_with(Word::default);
                i = read_dollar(&chars, i, w, false)?;
            }
            '|' => {
                return Err(ShellError::Unsupported {
                    feature: "pipes (`|`)",
                });
            }
            ';' => {
                return Err(ShellError::Unsupported {
                    feature: "command lists (`;`)",
                });
            }
            '&' => {
                return Err(ShellError::Unsupported {
                    feature: "`&` and `&&`",
                });
            }
            '>' | '<' => {
                return Err(ShellError::Unsupported {
                    feature: "redirections (`>`, `<`)",
                });
            }
            '`' => {
                return Err(ShellError::Unsupported {
                    feature: "backquote substitutions (use `$(...)`)",
                });
            }
            _ => word.get_or_insert_with(Word::default).push_literal(c, true),
        }
    }
    if let Some(w) = word {
        words.push(w);
    }
    // Drop the empty literal markers that double quotes left next to other parts.
    for w in &mut words {
        if w.parts.len() > 1 {
            w.parts
                .retain(|p| !matches!(p, Part::Literal { text, bare: false } if text.is_empty()));
            if w.parts.is_empty() {
                w.parts.push(Part::Literal {
                    text: String::new(),
                    bare: false,
                });
            }
        }
    }
    Ok(words)
}

fn find_from(chars: &[char], from: usize, target: char) -> Option<usize> {
    chars
        .get(from..)?
        .iter()
        .position(|&c| c == target)
        .map(|p| p + from)
}

/// Reads a double-quoted string starting after its opening quote; returns the index after the
/// closing quote.
fn read_double_quoted(chars: &[char], mut i: usize, word: &mut Word) -> Result<usize, ShellError> {
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(ShellError::Unterminated { what: "\"" });
        };
        i += 1;
        match c {
            '"' => return Ok(i),
            '\\' => match chars.get(i) {
                Some('\n') => i += 1,
                Some(&next @ ('$' | '`' | '"' | '\\')) => {
                    word.push_literal(next, false);
                    i += 1;
                }
                _ => word.push_literal('\\', false),
            },
            '$' => i = read_dollar(chars, i, word, true)?,
            '`' => {
                return Err(ShellError::Unsupported {
                    feature: "backquote substitutions (use `$(...)`)",
                });
            }
            _ => word.push_literal(c, false),
        }
    }
}

/// Reads what follows a `$` at `i - 1`; returns the index after it.
fn read_dollar(
    chars: &[char],
    i: usize,
    word: &mut Word,
    quoted: bool,
) -> Result<usize, ShellError> {
    match chars.get(i) {
        Some('(') => {
            let mut depth = 1usize;
            let mut j = i + 1;
            let mut quote = Quote::None;
            while let Some(&c) = chars.get(j) {
                match (quote, c) {
                    (Quote::Single, '\'') | (Quote::Double, '"') => quote = Quote::None,
                    (Quote::Double, '\\') => j += 1,
                    (Quote::None, '\'') => quote = Quote::Single,
                    (Quote::None, '"') => quote = Quote::Double,
                    (Quote::None, '\\') => j += 1,
                    (Quote::None, '(') => depth += 1,
                    (Quote::None, ')') => {
                        depth -= 1;
                        if depth == 0 {
                            word.parts.push(Part::Command {
                                text: chars.get(i + 1..j).unwrap_or(&[]).iter().collect(),
                                quoted,
                            });
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err(ShellError::Unterminated { what: "$(" })
        }
        Some('{') => {
            let close = find_from(chars, i, '}').ok_or(ShellError::Unterminated { what: "${" })?;
            let name: String = chars.get(i + 1..close).unwrap_or(&[]).iter().collect();
            if !is_name(&name) && name != "?" {
                return Err(ShellError::BadSubstitution {
                    text: format!("${{{name}}}"),
                });
            }
            word.parts.push(Part::Variable { name, quoted });
            Ok(close + 1)
        }
        Some('?') => {
            word.parts.push(Part::Variable {
                name: "?".to_owned(),
                quoted,
            });
            Ok(i + 1)
        }
        Some(&c) if c == '_' || c.is_ascii_alphabetic() => {
            let mut j = i;
            while chars
                .get(j)
                .is_some_and(|&c| c == '_' || c.is_ascii_alphanumeric())
            {
                j += 1;
            }
            word.parts.push(Part::Variable {
                name: chars.get(i..j).unwrap_or(&[]).iter().collect(),
                quoted,
            });
            Ok(j)
        }
        _ => {
            word.push_literal('$', !quoted);
            Ok(i)
        }
    }
}

/// What expanding a word needs from the session: variables, `$(...)` commands, and a budget.
pub trait Expansions {
    /// What stops an expansion.
    type Error;
    /// A variable's value (unset variables expand to nothing, as in the shell).
    fn variable(&mut self, name: &str) -> Option<String>;
    /// Runs a `$(...)` command and gives its output.
    fn command(&mut self, text: &str) -> Result<String, Self::Error>;
    /// Takes `bytes` more of expanded text from the budget, or refuses.
    fn reserve(&mut self, bytes: usize) -> Result<(), Self::Error>;
}

/// Expands a word into the fields it produces. `split` is false for an assignment's value, which
/// the shell never splits. Every value is charged to [`Expansions::reserve`] before it is kept,
/// so a script cannot grow a value without bound.
pub fn expand<X: Expansions + ?Sized>(
    word: &Word,
    split: bool,
    expansions: &mut X,
) -> Result<Vec<String>, X::Error> {
    let mut fields: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for part in &word.parts {
        let (value, split) = match part {
            Part::Literal { text, .. } => (text.clone(), false),
            Part::Variable { name, quoted } => (
                expansions.variable(name).unwrap_or_default(),
                split && !quoted,
            ),
            Part::Command { text, quoted } => {
                // Command substitution drops trailing newlines.
                let mut out = expansions.command(text)?;
                out.truncate(out.trim_end_matches('\n').len());
                (out, split && !quoted)
            }
        };
        expansions.reserve(value.len())?;
        if !split {
            current.get_or_insert_with(String::new).push_str(&value);
            continue;
        }
        let mut pieces = value.split_whitespace().peekable();
        let starts_with_space = value.starts_with(char::is_whitespace);
        if starts_with_space {
            if let Some(done) = current.take() {
                fields.push(done);
            }
        }
        while let Some(piece) = pieces.next() {
            current.get_or_insert_with(String::new).push_str(piece);
            if pieces.peek().is_some() {
                if let Some(done) = current.take() {
                    fields.push(done);
                }
            }
        }
        if value.ends_with(char::is_whitespace) && !value.trim().is_empty() {
            if let Some(done) = current.take() {
                fields.push(done);
            }
        }
    }
    // A word made only of quoted text yields a field even when empty; an unquoted expansion that
    // produced nothing yields none.
    let quoted_text = word.parts.iter().any(|p| {
        matches!(
            p,
            Part::Literal { .. }
                | Part::Variable { quoted: true, .. }
                | Part::Command { quoted: true, .. }
        )
    });
    match current {
        Some(rest) => fields.push(rest),
        None if quoted_text && fields.is_empty() => fields.push(String::new()),
        None => {}
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two variables, and commands that print themselves in brackets.
    struct Fixed {
        trailing: &'static str,
    }

    impl Expansions for Fixed {
        type Error = ();
        fn variable(&mut self, name: &str) -> Option<String> {
            match name {
                "TOKEN" => Some("abc def".to_owned()),
                "KEY" => Some("1234".to_owned()),
                _ => None,
            }
        }
        fn command(&mut self, text: &str) -> Result<String, ()> {
            Ok(format!("<{text}>{}", self.trailing))
        }
        fn reserve(&mut self, _bytes: usize) -> Result<(), ()> {
            Ok(())
        }
    }

    fn plain(line: &str) -> Vec<String> {
        words(line)
            .unwrap()
            .iter()
            .flat_map(|w| expand(w, true, &mut Fixed { trailing: "\n" }).unwrap())
            .collect()
    }

    #[test]
    fn quotes_follow_the_shell() {
        assert_eq!(
            plain(r#"aws kms encrypt --plaintext "Cloud Academy" --key-id 'alias/Demo Key'"#),
            [
                "aws",
                "kms",
                "encrypt",
                "--plaintext",
                "Cloud Academy",
                "--key-id",
                "alias/Demo Key"
            ]
        );
        assert_eq!(
            plain(r#"echo 'a"b' "c'd" e\ f"#),
            ["echo", "a\"b", "c'd", "e f"]
        );
        assert_eq!(plain(r#"echo "" ''"#), ["echo", "", ""]);
        assert_eq!(
            plain(r#"echo "\$KEY \"q\" \x""#),
            ["echo", "$KEY \"q\" \\x"]
        );
    }

    #[test]
    fn variables_expand_and_unquoted_values_split() {
        assert_eq!(
            plain("echo $KEY ${KEY}x \"$TOKEN\""),
            ["echo", "1234", "1234x", "abc def"]
        );
        assert_eq!(plain("echo $TOKEN"), ["echo", "abc", "def"]);
        assert_eq!(plain("echo $UNSET end"), ["echo", "end"]);
        assert_eq!(plain("echo \"$UNSET\""), ["echo", ""]);
        assert_eq!(plain("echo cost: $"), ["echo", "cost:", "$"]);
    }

    #[test]
    fn command_substitution_keeps_its_text_and_drops_the_trailing_newline() {
        let w = words("T=$(aws kms create-grant --query 'GrantToken' --output text)").unwrap();
        let (_, value) = w[0].as_assignment().unwrap();
        assert_eq!(
            expand(&value, false, &mut Fixed { trailing: "\n\n" }).unwrap(),
            ["<aws kms create-grant --query 'GrantToken' --output text>"]
        );
        let w = words("T=$(aws kms x --query \"a)b\")").unwrap();
        let (name, value) = w[0].as_assignment().unwrap();
        assert_eq!(name, "T");
        assert_eq!(
            value.parts,
            [Part::Command {
                text: "aws kms x --query \"a)b\"".to_owned(),
                quoted: false
            }]
        );
    }

    #[test]
    fn comments_and_continuations_make_logical_lines() {
        let script = "# demo\naws kms encrypt \\\n  --key-id alias/DemoKey # trailing\n\n  \nTOKEN=$(aws kms create-grant\n --key-id x)\necho '#not a comment'\n";
        let lines = logical_lines(script).unwrap();
        assert_eq!(
            lines,
            [
                LogicalLine {
                    line: 2,
                    text: "aws kms encrypt   --key-id alias/DemoKey".to_owned(),
                    raw: "aws kms encrypt \\\n  --key-id alias/DemoKey # trailing".to_owned(),
                },
                LogicalLine {
                    line: 6,
                    text: "TOKEN=$(aws kms create-grant\n --key-id x)".to_owned(),
                    raw: "TOKEN=$(aws kms create-grant\n --key-id x)".to_owned(),
                },
                LogicalLine {
                    line: 8,
                    text: "echo '#not a comment'".to_owned(),
                    raw: "echo '#not a comment'".to_owned(),
                },
            ]
        );
    }

    /// A terminal hands the reader one line at a time: the lines it makes are the same as from
    /// the whole script at once, wherever the pieces are cut.
    #[test]
    fn a_script_read_piece_by_piece_splits_as_a_whole() {
        let script = "# demo\naws kms encrypt \\\n  --key-id alias/DemoKey # trailing\n\nT=$(aws kms x\n --q 'a\nb' \"c\\\nd\")\necho '#x' \\";
        let whole = logical_lines(script).unwrap();
        for cut in 1..4 {
            let mut splitter = LineSplitter::default();
            let mut pieces = Vec::new();
            let chars: Vec<char> = script.chars().collect();
            for piece in chars.chunks(cut) {
                splitter.push(&piece.iter().collect::<String>());
                pieces.extend(splitter.take_ready());
            }
            pieces.extend(splitter.finish().unwrap());
            assert_eq!(pieces, whole, "pieces of {cut}");
        }
        let mut open = LineSplitter::default();
        open.push("echo 'one\n");
        assert!(open.is_inside_line());
        assert!(open.take_ready().is_empty());
        open.push("two'\n");
        assert!(!open.is_inside_line());
        assert_eq!(open.take_ready()[0].text, "echo 'one\ntwo'");
    }

    #[test]
    fn a_quoted_policy_may_span_lines() {
        let script = "aws kms put-key-policy --policy '{\n  \"Version\": \"2012-10-17\"\n}' --key-id k\naws kms list-keys";
        let lines = logical_lines(script).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].line, 4);
        let w = words(&lines[0].text).unwrap();
        assert_eq!(
            w[4].as_plain().unwrap(),
            "{\n  \"Version\": \"2012-10-17\"\n}"
        );
    }

    #[test]
    fn unsupported_and_unterminated_input_is_reported() {
        assert_eq!(
            logical_lines("echo 'abc\n"),
            Err((1, ShellError::Unterminated { what: "'" }))
        );
        assert_eq!(
            words("aws kms encrypt | base64"),
            Err(ShellError::Unsupported {
                feature: "pipes (`|`)"
            })
        );
        assert!(matches!(
            words("echo ${1x}"),
            Err(ShellError::BadSubstitution { .. })
        ));
        assert_eq!(
            words("echo $(aws"),
            Err(ShellError::Unterminated { what: "$(" })
        );
    }

    #[test]
    fn assignments_need_a_bare_name() {
        let w = words("A_1=x \"B=y\"").unwrap();
        assert_eq!(w[0].as_assignment().unwrap().0, "A_1");
        assert!(w[1].as_assignment().is_none());
        assert!(words("1A=x").unwrap()[0].as_assignment().is_none());
    }
}
