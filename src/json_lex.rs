//! A forgiving JSON tokenizer for the editor's colouring, bracket matching and formatting.
//!
//! It never fails: text that is not JSON still becomes tokens (the bad parts as [`TokenKind::Error`]),
//! because the editor must colour whatever the user is halfway through typing. Whether the text is
//! a valid policy is the engine's business, not this module's.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `{`
    OpenBrace,
    /// `}`
    CloseBrace,
    /// `[`
    OpenBracket,
    /// `]`
    CloseBracket,
    /// `:`
    Colon,
    /// `,`
    Comma,
    /// A string used as an object key (followed by `:`).
    Key,
    /// A string used as a value; `terminated` is false when the text ends inside it.
    String {
        /// Whether the closing quote is present.
        terminated: bool,
    },
    /// A number.
    Number,
    /// `true`, `false` or `null`.
    Literal,
    /// Spaces, tabs and line breaks.
    Whitespace,
    /// Anything else (a stray word, an unknown character).
    Error,
}

impl TokenKind {
    /// The CSS class the editor gives this kind of token.
    pub fn css_class(self) -> &'static str {
        match self {
            TokenKind::OpenBrace
            | TokenKind::CloseBrace
            | TokenKind::OpenBracket
            | TokenKind::CloseBracket => "t-bracket",
            TokenKind::Colon | TokenKind::Comma => "t-punct",
            TokenKind::Key => "t-key",
            TokenKind::String { .. } => "t-string",
            TokenKind::Number => "t-number",
            TokenKind::Literal => "t-literal",
            TokenKind::Whitespace => "",
            TokenKind::Error => "t-error",
        }
    }

    fn is_open(self) -> bool {
        matches!(self, TokenKind::OpenBrace | TokenKind::OpenBracket)
    }

    fn closes(self, open: TokenKind) -> bool {
        matches!(
            (open, self),
            (TokenKind::OpenBrace, TokenKind::CloseBrace)
                | (TokenKind::OpenBracket, TokenKind::CloseBracket)
        )
    }
}

/// One token: its kind and the byte range `start..end` it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// The kind.
    pub kind: TokenKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Token {
    /// The token's text in `source`.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// Splits `text` into tokens that cover it exactly, in order.
pub fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let start = pos;
        let byte = bytes.get(pos).copied().unwrap_or(0);
        let kind = match byte {
            b'{' => single(&mut pos, TokenKind::OpenBrace),
            b'}' => single(&mut pos, TokenKind::CloseBrace),
            b'[' => single(&mut pos, TokenKind::OpenBracket),
            b']' => single(&mut pos, TokenKind::CloseBracket),
            b':' => single(&mut pos, TokenKind::Colon),
            b',' => single(&mut pos, TokenKind::Comma),
            b' ' | b'\t' | b'\n' | b'\r' => {
                pos = scan_while(bytes, pos, |b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
                TokenKind::Whitespace
            }
            b'"' => {
                let (end, terminated) = scan_string(bytes, pos);
                pos = end;
                TokenKind::String { terminated }
            }
            b'-' | b'0'..=b'9' => {
                pos = scan_while(bytes, pos + 1, |b| {
                    b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')
                });
                TokenKind::Number
            }
            _ => {
                // A word (a literal or a typo), or a single character that JSON has no use for.
                let end = scan_while(bytes, pos, |b| b.is_ascii_alphanumeric() || b == b'_');
                if end > pos {
                    pos = end;
                    match text.get(start..end) {
                        Some("true" | "false" | "null") => TokenKind::Literal,
                        _ => TokenKind::Error,
                    }
                } else {
                    pos = next_char_boundary(text, pos);
                    TokenKind::Error
                }
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: pos,
        });
    }
    mark_keys(&mut tokens);
    tokens
}

fn single(pos: &mut usize, kind: TokenKind) -> TokenKind {
    *pos += 1;
    kind
}

fn scan_while(bytes: &[u8], mut pos: usize, keep: impl Fn(u8) -> bool) -> usize {
    while bytes.get(pos).is_some_and(|&b| keep(b)) {
        pos += 1;
    }
    pos
}

/// Scans a string starting at the opening quote. A line break ends an unterminated string, so one
/// missing quote does not swallow the rest of the document's colouring.
fn scan_string(bytes: &[u8], start: usize) -> (usize, bool) {
    let mut pos = start + 1;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'"' => return (pos + 1, true),
            b'\\' => pos += 2,
            b'\n' => return (pos, false),
            _ => pos += 1,
        }
    }
    (bytes.len(), false)
}

fn next_char_boundary(text: &str, pos: usize) -> usize {
    let mut next = pos + 1;
    while next < text.len() && !text.is_char_boundary(next) {
        next += 1;
    }
    next.min(text.len())
}

/// A string followed (after whitespace) by `:` is an object key.
fn mark_keys(tokens: &mut [Token]) {
    let mut following_colon = false;
    for token in tokens.iter_mut().rev() {
        match token.kind {
            TokenKind::Whitespace => {}
            TokenKind::Colon => following_colon = true,
            TokenKind::String { terminated: true } if following_colon => {
                token.kind = TokenKind::Key;
                following_colon = false;
            }
            _ => following_colon = false,
        }
    }
}

/// The bracket matching the bracket token at index `index`, if it is a bracket and has a partner.
pub fn matching_bracket(tokens: &[Token], index: usize) -> Option<usize> {
    let token = tokens.get(index)?;
    if token.kind.is_open() {
        let mut depth = 0usize;
        for (i, t) in tokens.iter().enumerate().skip(index) {
            if t.kind.is_open() {
                depth += 1;
            } else if matches!(t.kind, TokenKind::CloseBrace | TokenKind::CloseBracket) {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return t.kind.closes(token.kind).then_some(i);
                }
            }
        }
        None
    } else if matches!(token.kind, TokenKind::CloseBrace | TokenKind::CloseBracket) {
        let mut depth = 0usize;
        for i in (0..=index).rev() {
            let t = tokens.get(i)?;
            if matches!(t.kind, TokenKind::CloseBrace | TokenKind::CloseBracket) {
                depth += 1;
            } else if t.kind.is_open() {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return token.kind.closes(t.kind).then_some(i);
                }
            }
        }
        None
    } else {
        None
    }
}

/// The index of the bracket token touching byte offset `caret` (just after it, else just before it),
/// as editors mark the bracket next to the caret.
pub fn bracket_at(tokens: &[Token], caret: usize) -> Option<usize> {
    let is_bracket = |t: &Token| {
        matches!(
            t.kind,
            TokenKind::OpenBrace
                | TokenKind::CloseBrace
                | TokenKind::OpenBracket
                | TokenKind::CloseBracket
        )
    };
    let before = tokens.iter().position(|t| t.end == caret && is_bracket(t));
    before.or_else(|| {
        tokens
            .iter()
            .position(|t| t.start == caret && is_bracket(t))
    })
}

/// The index of the token containing byte offset `offset` (a token ending exactly there counts, so
/// the caret right after a word belongs to that word).
pub fn token_at(tokens: &[Token], offset: usize) -> Option<usize> {
    tokens
        .iter()
        .position(|t| t.start < offset && offset <= t.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokenize(text)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Whitespace)
            .map(|t| (t.kind, t.text(text)))
            .collect()
    }

    #[test]
    fn tokens_cover_the_text_exactly_even_when_it_is_not_json() {
        for text in [
            "{\"a\": [1, true]}",
            "{\"Eff",
            "é€ {{ ]]] \"x\\\"",
            "\"\\",
            "-",
            "",
        ] {
            let tokens = tokenize(text);
            let mut pos = 0;
            for t in &tokens {
                assert_eq!(t.start, pos, "{text:?}");
                assert!(t.end > t.start);
                pos = t.end;
            }
            assert_eq!(pos, text.len());
        }
    }

    #[test]
    fn strings_before_a_colon_are_keys() {
        assert_eq!(
            kinds(r#"{"Effect" : "Allow", "n": -1.5e3, "b": [true, null]}"#),
            vec![
                (TokenKind::OpenBrace, "{"),
                (TokenKind::Key, "\"Effect\""),
                (TokenKind::Colon, ":"),
                (TokenKind::String { terminated: true }, "\"Allow\""),
                (TokenKind::Comma, ","),
                (TokenKind::Key, "\"n\""),
                (TokenKind::Colon, ":"),
                (TokenKind::Number, "-1.5e3"),
                (TokenKind::Comma, ","),
                (TokenKind::Key, "\"b\""),
                (TokenKind::Colon, ":"),
                (TokenKind::OpenBracket, "["),
                (TokenKind::Literal, "true"),
                (TokenKind::Comma, ","),
                (TokenKind::Literal, "null"),
                (TokenKind::CloseBracket, "]"),
                (TokenKind::CloseBrace, "}"),
            ]
        );
    }

    #[test]
    fn an_unterminated_string_stops_at_the_line_end() {
        assert_eq!(
            kinds("\"Allo\n}"),
            vec![
                (TokenKind::String { terminated: false }, "\"Allo"),
                (TokenKind::CloseBrace, "}"),
            ]
        );
    }

    #[test]
    fn typos_are_error_tokens() {
        assert_eq!(
            kinds("[Allow, tru]"),
            vec![
                (TokenKind::OpenBracket, "["),
                (TokenKind::Error, "Allow"),
                (TokenKind::Comma, ","),
                (TokenKind::Error, "tru"),
                (TokenKind::CloseBracket, "]"),
            ]
        );
    }

    #[test]
    fn brackets_match_across_nesting_and_mismatches_have_no_partner() {
        let text = "{ [ {} ] }";
        let tokens = tokenize(text);
        let open = bracket_at(&tokens, 0).unwrap();
        let close = matching_bracket(&tokens, open).unwrap();
        assert_eq!(tokens[close].start, 9);
        assert_eq!(matching_bracket(&tokens, close), Some(open));
        let bad = tokenize("[ }");
        assert_eq!(matching_bracket(&bad, 0), None);
    }
}
