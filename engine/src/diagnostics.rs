//! Problems found in a document, located by line and column.
//!
//! One [`Diagnostic`] value serves every renderer: the web editor's gutter and problem list, the
//! CLI's `kmsplay lint`, and scenario-file errors. Positions are computed once, here, from byte
//! spans; renderers never count lines themselves.

use serde::Serialize;

/// A byte range `start..end` in a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document is rejected (AWS would reject it too).
    Error,
    /// The document is accepted, but probably does not do what its author meant.
    Warning,
}

/// A 1-based line and column. Columns count Unicode scalar values, not bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// One problem in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, short identifier such as `duplicate-key` or `unknown-action`.
    pub code: &'static str,
    /// What is wrong, in plain words; one sentence, no final period.
    pub message: String,
    /// Advice, such as "did you mean `kms:Encrypt`?".
    pub hint: Option<String>,
    /// Where in the JSON structure, such as `Statement[2].Condition.StringLike`.
    pub path: String,
    /// The byte range the problem covers.
    pub span: Span,
    /// Where the span starts.
    pub start: Position,
    /// Where the span ends.
    pub end: Position,
    /// For a key policy that KMS would refuse: the exception `CreateKey` / `PutKeyPolicy` raise,
    /// such as `MalformedPolicyDocumentException` or `LimitExceededException`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_exception: Option<&'static str>,
}

impl Diagnostic {
    /// A diagnostic located in `source` through `index`.
    pub fn new(
        index: &LineIndex,
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
        path: impl Into<String>,
        span: Span,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            hint: None,
            path: path.into(),
            span,
            start: index.position(span.start),
            end: index.position(span.end),
            kms_exception: None,
        }
    }

    /// The same diagnostic, naming the KMS exception it stands for.
    pub fn with_kms_exception(mut self, exception: &'static str) -> Diagnostic {
        self.kms_exception = Some(exception);
        self
    }

    /// The same diagnostic with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// `line:column: message` (and the hint), the form the CLI prints.
    pub fn one_line(&self) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!(
            "{}:{}: {severity}: {}",
            self.start.line, self.start.column, self.message
        );
        if !self.path.is_empty() {
            out.push_str(&format!(" (at {})", self.path));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("; {hint}"));
        }
        out
    }
}

/// Maps byte offsets in one text to lines and columns.
///
/// Columns count characters, not bytes. Each lookup is independent of the line's length (a
/// minified document is one long line with many diagnostics): ASCII text needs no counting, and
/// otherwise the index keeps how many characters start before each [`CHARS_EVERY`]-byte block,
/// so a lookup counts within at most two blocks.
#[derive(Clone, Debug)]
pub struct LineIndex {
    text: String,
    line_starts: Vec<u32>,
    /// Characters starting before byte `i * CHARS_EVERY`; empty for ASCII text.
    chars_before_block: Vec<u32>,
}

/// The block size of [`LineIndex`]'s character counts.
const CHARS_EVERY: usize = 256;

/// Whether `b` starts a character in UTF-8 (is not a continuation byte).
fn starts_char(b: &u8) -> bool {
    *b & 0xC0 != 0x80
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        // `match_indices` on one ASCII character searches with `memchr`, a word at a time.
        line_starts.extend(
            text.match_indices('\n')
                .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        let mut chars_before_block = Vec::new();
        if !text.is_ascii() {
            let mut before = 0u32;
            for block in text.as_bytes().chunks(CHARS_EVERY) {
                chars_before_block.push(before);
                let here = block.iter().filter(|b| starts_char(b)).count();
                before = before.saturating_add(u32::try_from(here).unwrap_or(u32::MAX));
            }
            // The count before the block that would follow: the end of a text whose length is
            // a multiple of the block size is at the start of that block.
            chars_before_block.push(before);
        }
        LineIndex {
            text: text.to_owned(),
            line_starts,
            chars_before_block,
        }
    }

    /// How many characters start before byte `offset` (at most the text's length).
    fn chars_before(&self, offset: usize) -> usize {
        if self.chars_before_block.is_empty() {
            return offset;
        }
        let block = offset / CHARS_EVERY;
        let counted = self
            .chars_before_block
            .get(block)
            .map_or(0, |&c| c as usize);
        let rest = self
            .text
            .as_bytes()
            .get(block * CHARS_EVERY..offset)
            .unwrap_or_default();
        counted + rest.iter().filter(|b| starts_char(b)).count()
    }

    /// The 1-based line and character column of byte `offset` (clamped to the text).
    pub fn position(&self, offset: u32) -> Position {
        let offset = offset.min(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1);
        let line_start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .chars_before(offset as usize)
            .saturating_sub(self.chars_before(line_start as usize));
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }
}

/// The candidate closest to `input` by edit distance, for "did you mean ...?" hints.
///
/// Comparison ignores ASCII case, so a wrongly cased name finds its right spelling. A candidate is
/// offered only when it is close enough to be a plausible typo: at most a third of the input's
/// length (and at least one edit) away. Returns `None` when `input` itself is a candidate.
pub fn did_you_mean<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let wanted = input.to_ascii_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'c str)> = None;
    for candidate in candidates {
        if candidate == input {
            return None;
        }
        let distance = edit_distance(&wanted, &candidate.to_ascii_lowercase());
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Levenshtein distance in characters (insertions, deletions and substitutions cost one).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        let mut row = current.iter_mut();
        if let Some(first) = row.next() {
            *first = i + 1;
        }
        let mut left = i + 1;
        for ((j, cb), cell) in b.iter().enumerate().zip(row) {
            let diagonal = previous.get(j).copied().unwrap_or(usize::MAX - 1);
            let up = previous.get(j + 1).copied().unwrap_or(usize::MAX - 1);
            let substitution = diagonal + usize::from(ca != *cb);
            left = substitution.min(up + 1).min(left + 1);
            *cell = left;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let index = LineIndex::new("{\n  \"é\": 1,\n}");
        assert_eq!(index.position(0), Position { line: 1, column: 1 });
        assert_eq!(index.position(2), Position { line: 2, column: 1 });
        // byte 8 is just after `"é"` (é is two bytes): column 6 in characters
        assert_eq!(index.position(8), Position { line: 2, column: 6 });
        assert_eq!(index.position(1000), Position { line: 3, column: 2 });
    }

    #[test]
    fn the_end_of_a_text_a_whole_number_of_blocks_long_has_its_column() {
        // 256 two-byte characters: 512 bytes, the end at the start of a third block.
        let text = "é".repeat(CHARS_EVERY);
        let index = LineIndex::new(&text);
        assert_eq!(
            index.position(u32::try_from(text.len()).unwrap()),
            Position {
                line: 1,
                column: 257
            }
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// On long lines of mixed one- to four-byte characters (a minified document is one
        /// line), the indexed column is the count of characters from the line's start.
        #[test]
        fn columns_count_characters_from_the_line_start_on_long_lines(
            text in "([a-z{}\":, ]|é|€|𝄞|\n){0,1200}",
            at in 0usize..1300,
        ) {
            let index = LineIndex::new(&text);
            let mut offset = at.min(text.len());
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            let before = &text[..offset];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let expected = Position {
                line: u32::try_from(before.matches('\n').count() + 1).unwrap(),
                column: u32::try_from(text[line_start..offset].chars().count() + 1).unwrap(),
            };
            proptest::prop_assert_eq!(index.position(u32::try_from(offset).unwrap()), expected);
        }
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Efect", "Effect"), 1);
    }

    #[test]
    fn did_you_mean_offers_only_plausible_typos() {
        let elements = [
            "Sid",
            "Effect",
            "Principal",
            "NotPrincipal",
            "Action",
            "Resource",
        ];
        assert_eq!(did_you_mean("Efect", elements), Some("Effect"));
        assert_eq!(did_you_mean("effect", elements), Some("Effect"));
        assert_eq!(did_you_mean("Resources", elements), Some("Resource"));
        assert_eq!(did_you_mean("Banana", elements), None);
        assert_eq!(did_you_mean("Effect", elements), None);
    }
}
