//! What the JSON editor does to the text when a key is pressed: bracket and quote pairing,
//! indentation, and where completion applies. (Format is the engine's `json::format_json`.)
//!
//! Every function here is pure and works in UTF-8 byte offsets; the editor component converts to
//! and from the textarea's UTF-16 offsets in one place ([`utf16_offset`], [`byte_offset`]) and
//! applies a [`TextEdit`] through the browser's own editing command, so native undo keeps working.

use crate::json_lex::{Token, TokenKind, tokenize};

/// The indentation unit of every policy the playground writes.
pub const INDENT: &str = "  ";

/// A replacement of `start..end` by `insert`, then a selection `select` in the new text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// The new text.
    pub insert: String,
    /// The selection afterwards, as byte offsets in the new text (equal ends: a caret).
    pub select: (usize, usize),
}

/// A key press the editor may handle itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditKey {
    /// A printable character.
    Char(char),
    /// Tab: indent.
    Tab,
    /// Shift+Tab: outdent.
    ShiftTab,
    /// Enter: a new line keeping (or opening) the indentation.
    Enter,
    /// Backspace.
    Backspace,
}

/// The edit a key press makes at selection `start..end`, or `None` when the browser's default
/// behaviour is right.
pub fn plan_key(text: &str, start: usize, end: usize, key: EditKey) -> Option<TextEdit> {
    let (start, end) = (start.min(end), start.max(end));
    if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return None;
    }
    let next = text.get(end..).and_then(|s| s.chars().next());
    let prev = text.get(..start).and_then(|s| s.chars().next_back());
    match key {
        EditKey::Char(open @ ('{' | '[' | '"')) => {
            let close = closer(open);
            if open == '"' && start == end && next == Some('"') && ends_string_at(text, end + 1) {
                return Some(step_over(end));
            }
            if start != end {
                let inner = text.get(start..end).unwrap_or("");
                return Some(TextEdit {
                    start,
                    end,
                    insert: format!("{open}{inner}{close}"),
                    select: (start + 1, end + 1),
                });
            }
            // Pair only where a value can start, so typing inside a string or before a word
            // inserts the single character.
            let pairs_here = next.is_none_or(|c| c.is_whitespace() || ",:]}".contains(c))
                && (open != '"' || !inside_string(text, start));
            pairs_here.then(|| TextEdit {
                start,
                end,
                insert: format!("{open}{close}"),
                select: (start + 1, start + 1),
            })
        }
        EditKey::Char(c @ ('}' | ']')) if start == end && next == Some(c) => Some(step_over(end)),
        EditKey::Backspace if start == end => {
            let pair = prev.zip(next)?;
            let empty_pair = matches!(pair, ('{', '}') | ('[', ']') | ('"', '"'))
                && (pair.0 != '"' || !inside_string(text, start.saturating_sub(1)));
            empty_pair.then(|| TextEdit {
                start: start - 1,
                end: end + 1,
                insert: String::new(),
                select: (start - 1, start - 1),
            })
        }
        EditKey::Enter => Some(newline(text, start, end)),
        EditKey::Tab if !spans_lines(text, start, end) => Some(TextEdit {
            start,
            end,
            insert: INDENT.to_owned(),
            select: (start + INDENT.len(), start + INDENT.len()),
        }),
        EditKey::Tab => Some(reindent_lines(text, start, end, true)),
        EditKey::ShiftTab => Some(reindent_lines(text, start, end, false)),
        EditKey::Char(_) | EditKey::Backspace => None,
    }
}

fn closer(open: char) -> char {
    match open {
        '{' => '}',
        '[' => ']',
        _ => '"',
    }
}

fn step_over(at: usize) -> TextEdit {
    TextEdit {
        start: at,
        end: at,
        insert: String::new(),
        select: (at + 1, at + 1),
    }
}

/// Whether byte offset `offset` lies strictly inside a string token (after its opening quote).
fn inside_string(text: &str, offset: usize) -> bool {
    tokenize(text).iter().any(|t| {
        matches!(t.kind, TokenKind::String { .. } | TokenKind::Key)
            && t.start < offset
            && (offset < t.end
                || (offset == t.end && t.kind == TokenKind::String { terminated: false }))
    })
}

/// Whether a terminated string token ends exactly at `end` (so the quote before it closes it).
fn ends_string_at(text: &str, end: usize) -> bool {
    tokenize(text).iter().any(|t| {
        t.end == end
            && t.end - t.start >= 2
            && matches!(
                t.kind,
                TokenKind::String { terminated: true } | TokenKind::Key
            )
    })
}

fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

fn line_end(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|s| s.find('\n'))
        .map_or(text.len(), |i| offset + i)
}

fn spans_lines(text: &str, start: usize, end: usize) -> bool {
    text.get(start..end).is_some_and(|s| s.contains('\n'))
}

fn indentation_of_line(text: &str, offset: usize) -> &str {
    let begin = line_start(text, offset);
    let line = text.get(begin..line_end(text, offset)).unwrap_or("");
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    line.get(..width).unwrap_or("")
}

fn newline(text: &str, start: usize, end: usize) -> TextEdit {
    let indent = indentation_of_line(text, start);
    let before = text.get(..start).map(str::trim_end).unwrap_or("");
    let after = text.get(end..).map(str::trim_start).unwrap_or("");
    let opens = before.ends_with('{') || before.ends_with('[');
    let closes_right_after = (before.ends_with('{') && after.starts_with('}'))
        || (before.ends_with('[') && after.starts_with(']'));
    if opens && closes_right_after {
        let inner = format!("\n{indent}{INDENT}");
        let caret = start + inner.len();
        TextEdit {
            start,
            end,
            insert: format!("{inner}\n{indent}"),
            select: (caret, caret),
        }
    } else {
        let insert = if opens {
            format!("\n{indent}{INDENT}")
        } else {
            format!("\n{indent}")
        };
        let caret = start + insert.len();
        TextEdit {
            start,
            end,
            insert,
            select: (caret, caret),
        }
    }
}

fn reindent_lines(text: &str, start: usize, end: usize, indent: bool) -> TextEdit {
    let first = line_start(text, start);
    // A selection ending at the very start of a line does not take that line along.
    let last_offset = if end > start && text.get(..end).is_some_and(|s| s.ends_with('\n')) {
        end - 1
    } else {
        end
    };
    let last = line_end(text, last_offset);
    let block = text.get(first..last).unwrap_or("");
    let lines: Vec<String> = block
        .split('\n')
        .map(|line| {
            if indent {
                if line.is_empty() {
                    String::new()
                } else {
                    format!("{INDENT}{line}")
                }
            } else {
                let spaces = line.len() - line.trim_start_matches(' ').len();
                let cut = spaces.min(INDENT.len());
                let cut = if cut == 0 && line.starts_with('\t') {
                    1
                } else {
                    cut
                };
                line.get(cut..).unwrap_or("").to_owned()
            }
        })
        .collect();
    let insert = lines.join("\n");
    let select = (first, first + insert.len());
    TextEdit {
        start: first,
        end: last,
        insert,
        select,
    }
}

/// What a completion at the caret would insert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A value of `Action` / `NotAction`: KMS action names.
    Action,
    /// A key inside an operator of `Condition`: condition keys.
    ConditionKey,
    /// A key directly inside `Condition`: condition operators.
    Operator,
    /// The value of `Effect`.
    Effect,
    /// A key of a statement object: `Sid`, `Effect`, `Principal`...
    StatementElement,
}

/// Where completion applies: the kind, the string content being typed and its range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionContext {
    /// What to offer.
    pub kind: CompletionKind,
    /// The text typed so far (from the opening quote to the caret).
    pub prefix: String,
    /// The byte range of the string's content, which an accepted item replaces.
    pub start: usize,
    /// End of the content (before the closing quote, if there is one).
    pub end: usize,
    /// Whether the closing quote is missing (accepting then adds it).
    pub needs_closing_quote: bool,
}

#[derive(Debug)]
enum Frame {
    Object {
        key: Option<String>,
        expecting_key: bool,
    },
    Array,
}

/// The completion context at byte offset `caret`, if the caret is inside a string where the
/// playground knows what belongs.
pub fn completion_context(text: &str, caret: usize) -> Option<CompletionContext> {
    let tokens = tokenize(text);
    let mut stack: Vec<Frame> = Vec::new();
    for token in &tokens {
        let is_string = matches!(token.kind, TokenKind::String { .. } | TokenKind::Key);
        let caret_inside = token.start < caret
            && (caret < token.end
                || (caret == token.end && token.kind == TokenKind::String { terminated: false }));
        if is_string && caret_inside {
            return context_for(text, token, caret, &stack);
        }
        if token.start >= caret {
            return None;
        }
        match token.kind {
            TokenKind::OpenBrace => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
            }),
            TokenKind::OpenBracket => stack.push(Frame::Array),
            TokenKind::CloseBrace | TokenKind::CloseBracket => {
                stack.pop();
            }
            TokenKind::Comma => {
                if let Some(Frame::Object { key, expecting_key }) = stack.last_mut() {
                    *key = None;
                    *expecting_key = true;
                }
            }
            TokenKind::Key | TokenKind::String { .. } => {
                if let Some(Frame::Object { key, expecting_key }) = stack.last_mut() {
                    if *expecting_key {
                        *key = Some(unquote(token.text(text)));
                        *expecting_key = false;
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn unquote(s: &str) -> String {
    s.trim_start_matches('"').trim_end_matches('"').to_owned()
}

/// The keys leading to the innermost object, outermost first.
fn object_path(stack: &[Frame]) -> Vec<Option<&str>> {
    stack
        .iter()
        .map(|frame| match frame {
            Frame::Object { key, .. } => key.as_deref(),
            Frame::Array => None,
        })
        .collect()
}

fn context_for(
    text: &str,
    token: &Token,
    caret: usize,
    stack: &[Frame],
) -> Option<CompletionContext> {
    let terminated = token.kind != TokenKind::String { terminated: false };
    let content_start = token.start + 1;
    let content_end = if terminated { token.end - 1 } else { token.end };
    let prefix = text.get(content_start..caret)?.to_owned();
    let path = object_path(stack);
    let (innermost, outer) = stack.split_last()?;
    let kind = match innermost {
        Frame::Object {
            expecting_key: true,
            ..
        } => {
            // Typing a key of the innermost object: what it is depends on the key that holds it.
            let mut holders = outer.iter().rev().filter_map(|f| match f {
                Frame::Object { key, .. } => Some(key.as_deref()),
                Frame::Array => None,
            });
            let holder = holders.next()?;
            let grand_holder = holders.next().flatten();
            match (holder, grand_holder) {
                (Some("Condition"), _) => CompletionKind::Operator,
                (Some(_), Some("Condition")) => CompletionKind::ConditionKey,
                (Some("Statement"), _) => CompletionKind::StatementElement,
                _ => return None,
            }
        }
        Frame::Object { key, .. } => value_kind(key.as_deref())?,
        Frame::Array => value_kind(path.iter().rev().skip(1).copied().next().flatten())?,
    };
    Some(CompletionContext {
        kind,
        prefix,
        start: content_start,
        end: content_end,
        needs_closing_quote: !terminated,
    })
}

fn value_kind(key: Option<&str>) -> Option<CompletionKind> {
    match key? {
        "Action" | "NotAction" => Some(CompletionKind::Action),
        "Effect" => Some(CompletionKind::Effect),
        _ => None,
    }
}

/// Filters `candidates` by what was typed: prefix matches first (ignoring case and an optional
/// service prefix such as `kms:`), then other matches containing the text, at most `limit`.
pub fn filter_candidates<'a>(
    candidates: impl IntoIterator<Item = &'a str>,
    typed: &str,
    limit: usize,
) -> Vec<&'a str> {
    let typed = typed.to_ascii_lowercase();
    let mut starts = Vec::new();
    let mut contains = Vec::new();
    for candidate in candidates {
        let lower = candidate.to_ascii_lowercase();
        let bare = lower
            .split_once(':')
            .map_or(lower.as_str(), |(_, rest)| rest);
        if lower == typed {
            continue;
        }
        if lower.starts_with(&typed) || bare.starts_with(&typed) {
            starts.push(candidate);
        } else if typed.len() >= 2 && lower.contains(&typed) {
            contains.push(candidate);
        }
    }
    starts.extend(contains);
    starts.truncate(limit);
    starts
}

/// The edit that accepts `item` in `context`.
pub fn accept_completion(context: &CompletionContext, item: &str) -> TextEdit {
    let mut insert = item.to_owned();
    if context.needs_closing_quote {
        insert.push('"');
    }
    let caret = context.start + item.len() + 1;
    TextEdit {
        start: context.start,
        end: context.end,
        insert,
        select: (caret, caret),
    }
}

/// The UTF-16 offset (what a textarea's `selectionStart` counts) of byte offset `byte` in `text`.
pub fn utf16_offset(text: &str, byte: usize) -> u32 {
    let byte = byte.min(text.len());
    let mut units = 0u32;
    for (i, c) in text.char_indices() {
        if i >= byte {
            break;
        }
        units += u32::try_from(c.len_utf16()).unwrap_or(1);
    }
    units
}

/// The byte offset in `text` of UTF-16 offset `units` (clamped to the text).
pub fn byte_offset(text: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += u32::try_from(c.len_utf16()).unwrap_or(1);
    }
    text.len()
}

/// The 1-based line and column (in characters) of byte offset `byte`.
pub fn line_column(text: &str, byte: usize) -> (usize, usize) {
    let before = text.get(..byte.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies an edit and renders the caret as `|` (or the selection as `[...]`).
    fn apply(text: &str, edit: &TextEdit) -> String {
        let mut out = String::new();
        out.push_str(&text[..edit.start]);
        out.push_str(&edit.insert);
        out.push_str(&text[edit.end..]);
        let (a, b) = edit.select;
        if a == b {
            out.insert(a, '|');
        } else {
            out.insert(b, ']');
            out.insert(a, '[');
        }
        out
    }

    /// Presses `key` with the caret at `|` in `marked`.
    fn press(marked: &str, key: EditKey) -> Option<String> {
        let caret = marked.find('|').unwrap();
        let text = marked.replace('|', "");
        plan_key(&text, caret, caret, key).map(|e| apply(&text, &e))
    }

    #[test]
    fn brackets_and_quotes_insert_their_pair_where_a_value_can_start() {
        assert_eq!(press("[|]", EditKey::Char('{')).as_deref(), Some("[{|}]"));
        assert_eq!(press(": |", EditKey::Char('[')).as_deref(), Some(": [|]"));
        assert_eq!(press("{|}", EditKey::Char('"')).as_deref(), Some("{\"|\"}"));
        // Before a word, or inside a string, a quote is just a quote.
        assert_eq!(press("|Allow", EditKey::Char('"')), None);
        assert_eq!(press("\"Al| \"", EditKey::Char('"')), None);
    }

    #[test]
    fn closers_step_over_their_pair() {
        assert_eq!(
            press("{\"a|\"}", EditKey::Char('"')).as_deref(),
            Some("{\"a\"|}")
        );
        assert_eq!(press("[1|]", EditKey::Char(']')).as_deref(), Some("[1]|"));
        assert_eq!(press("[1|", EditKey::Char(']')), None);
    }

    #[test]
    fn backspace_in_an_empty_pair_removes_both() {
        assert_eq!(press("[{|}]", EditKey::Backspace).as_deref(), Some("[|]"));
        assert_eq!(press(": \"|\"", EditKey::Backspace).as_deref(), Some(": |"));
        assert_eq!(press("{a|}", EditKey::Backspace), None);
    }

    #[test]
    fn enter_keeps_indentation_and_opens_blocks() {
        assert_eq!(
            press("  \"a\": {|}", EditKey::Enter).as_deref(),
            Some("  \"a\": {\n    |\n  }")
        );
        assert_eq!(
            press("    \"x\",|", EditKey::Enter).as_deref(),
            Some("    \"x\",\n    |")
        );
        assert_eq!(press("  [|", EditKey::Enter).as_deref(), Some("  [\n    |"));
    }

    #[test]
    fn tab_indents_and_shift_tab_outdents_every_selected_line() {
        let text = "{\n\"a\": 1,\n\"b\": 2\n}";
        let start = text.find("\"a\"").unwrap();
        let end = text.find('2').unwrap();
        let edit = plan_key(text, start, end, EditKey::Tab).unwrap();
        assert_eq!(apply(text, &edit), "{\n[  \"a\": 1,\n  \"b\": 2]\n}");
        let indented = "{\n  \"a\": 1,\n  \"b\": 2\n}";
        let edit = plan_key(indented, 3, 15, EditKey::ShiftTab).unwrap();
        assert_eq!(apply(indented, &edit), "{\n[\"a\": 1,\n\"b\": 2]\n}");
        assert_eq!(press("{|}", EditKey::Tab).as_deref(), Some("{  |}"));
    }

    fn context(marked: &str) -> Option<(CompletionKind, String)> {
        let caret = marked.find('|').unwrap();
        let text = marked.replace('|', "");
        completion_context(&text, caret).map(|c| (c.kind, c.prefix))
    }

    #[test]
    fn completion_knows_actions_operators_condition_keys_and_effects() {
        let statement = |inner: &str| format!(r#"{{"Statement": [{{"Sid": "x", {inner}}}]}}"#);
        assert_eq!(
            context(&statement(r#""Action": ["kms:Enc|"]"#)),
            Some((CompletionKind::Action, "kms:Enc".into()))
        );
        assert_eq!(
            context(&statement(r#""NotAction": "kms:|""#)),
            Some((CompletionKind::Action, "kms:".into()))
        );
        assert_eq!(
            context(&statement(r#""Effect": "A|""#)),
            Some((CompletionKind::Effect, "A".into()))
        );
        assert_eq!(
            context(&statement(r#""Condition": {"Str|"#)),
            Some((CompletionKind::Operator, "Str".into()))
        );
        assert_eq!(
            context(&statement(
                r#""Condition": {"StringEquals": {"kms:Ca|": "x"}}"#
            )),
            Some((CompletionKind::ConditionKey, "kms:Ca".into()))
        );
        assert_eq!(
            context(&statement(
                r#""Condition": {"Bool": {"a": "x"}, "StringLike": {"kms:|"#
            )),
            Some((CompletionKind::ConditionKey, "kms:".into()))
        );
        assert_eq!(
            context(&statement(r#""Eff|""#)),
            Some((CompletionKind::StatementElement, "Eff".into()))
        );
        assert_eq!(context(&statement(r#""Resource": "|*""#)), None);
        assert_eq!(context(&statement(r#""Sid": "x"|"#)), None);
    }

    #[test]
    fn accepting_a_completion_replaces_the_string_and_closes_it() {
        let text = r#"{"Action": "kms:Enc"#;
        let ctx = completion_context(text, text.len()).unwrap();
        let edit = accept_completion(&ctx, "kms:Encrypt");
        assert_eq!(apply(text, &edit), r#"{"Action": "kms:Encrypt"|"#);
        let text = r#"{"Action": "kms:Enc*"}"#;
        let ctx = completion_context(text, 17).unwrap();
        let edit = accept_completion(&ctx, "kms:Encrypt");
        assert_eq!(apply(text, &edit), r#"{"Action": "kms:Encrypt"|}"#);
    }

    #[test]
    fn candidates_match_with_or_without_the_service_prefix() {
        let all = [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncryptFrom",
            "kms:DescribeKey",
        ];
        assert_eq!(
            filter_candidates(all, "enc", 10),
            vec!["kms:Encrypt", "kms:ReEncryptFrom"]
        );
        assert_eq!(
            filter_candidates(all, "kms:De", 10),
            vec!["kms:Decrypt", "kms:DescribeKey"]
        );
        assert_eq!(filter_candidates(all, "", 2).len(), 2);
    }

    #[test]
    fn utf16_and_byte_offsets_convert_both_ways() {
        let text = "a\u{e9}\u{1F511}b";
        assert_eq!(utf16_offset(text, 0), 0);
        assert_eq!(utf16_offset(text, 3), 2);
        assert_eq!(utf16_offset(text, 7), 4);
        assert_eq!(byte_offset(text, 4), 7);
        assert_eq!(byte_offset(text, 2), 3);
        assert_eq!(byte_offset(text, 99), text.len());
        assert_eq!(line_column("ab\ncd\u{e9}f", 7), (2, 4));
    }
}
