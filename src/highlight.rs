//! The editor's highlight layer as data: runs of text with the classes they are drawn with
//! (token colour, diagnostic underline, matched bracket, highlighted statement).
//!
//! The component turns each [`Run`] into a text node inside a `<span>`; it never builds HTML from
//! strings, because policy text is user text.

use crate::json_lex::{Token, bracket_at, matching_bracket, tokenize};
use kms_engine::diagnostics::{Diagnostic, Severity};

/// A decoration over a byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoration {
    /// A wavy underline for a problem.
    Problem(Severity),
    /// The bracket next to the caret and its partner.
    Bracket,
    /// A statement the why panel pointed at.
    Statement,
}

impl Decoration {
    fn class(self) -> &'static str {
        match self {
            Decoration::Problem(Severity::Error) => "diag",
            Decoration::Problem(Severity::Warning) => "diag warning",
            Decoration::Bracket => "bracket-match",
            Decoration::Statement => "stmt-highlight",
        }
    }
}

/// One run of text drawn with one set of classes. An empty run is an end-of-line problem marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Space-separated CSS classes (may be empty).
    pub class: String,
}

/// The byte range a problem is drawn over: clamped to its first line, and at least one character
/// wide (a narrow marker in the right place beats a wide one in the wrong place). `None` means
/// "at the end of the line": drawn as an end-of-line marker at the returned offset.
fn problem_range(text: &str, start: usize, end: usize) -> Result<(usize, usize), usize> {
    let start = start.min(text.len());
    let line_end = text
        .get(start..)
        .and_then(|s| s.find('\n'))
        .map_or(text.len(), |i| start + i);
    let end = end.clamp(start, line_end);
    if end > start {
        return Ok((start, end));
    }
    match text.get(start..line_end).and_then(|s| s.chars().next()) {
        Some(c) => Ok((start, start + c.len_utf8())),
        None => Err(start),
    }
}

/// Decorated ranges, and end-of-line problem markers (offset, severity).
pub type Decorations = (Vec<(usize, usize, Decoration)>, Vec<(usize, Severity)>);

/// The decorations for a document: its problems, the bracket pair at `caret`, and a statement span.
pub fn decorations(
    text: &str,
    tokens: &[Token],
    diagnostics: &[Diagnostic],
    caret: Option<usize>,
    statement: Option<(usize, usize)>,
) -> Decorations {
    let mut ranges = Vec::new();
    let mut eol_markers = Vec::new();
    for d in diagnostics {
        match problem_range(text, d.span.start as usize, d.span.end as usize) {
            Ok((s, e)) => ranges.push((s, e, Decoration::Problem(d.severity))),
            Err(at) => eol_markers.push((at, d.severity)),
        }
    }
    if let Some(caret) = caret {
        if let Some(i) = bracket_at(tokens, caret) {
            if let (Some(a), Some(j)) = (tokens.get(i), matching_bracket(tokens, i)) {
                if let Some(b) = tokens.get(j) {
                    ranges.push((a.start, a.end, Decoration::Bracket));
                    ranges.push((b.start, b.end, Decoration::Bracket));
                }
            }
        }
    }
    if let Some((s, e)) = statement {
        let (s, e) = (s.min(text.len()), e.min(text.len()));
        if e > s {
            ranges.push((s, e, Decoration::Statement));
        }
    }
    (ranges, eol_markers)
}

/// Splits `text` into runs by token and decoration boundaries.
pub fn runs(
    text: &str,
    tokens: &[Token],
    ranges: &[(usize, usize, Decoration)],
    eol_markers: &[(usize, Severity)],
) -> Vec<Run> {
    let mut cuts: Vec<usize> = Vec::with_capacity(tokens.len() * 2 + ranges.len() * 2);
    cuts.extend(tokens.iter().flat_map(|t| [t.start, t.end]));
    cuts.extend(ranges.iter().flat_map(|r| [r.0, r.1]));
    cuts.extend(eol_markers.iter().map(|m| m.0));
    cuts.push(0);
    cuts.push(text.len());
    cuts.retain(|&c| c <= text.len() && text.is_char_boundary(c));
    kms_engine::sort::sort(&mut cuts);
    cuts.dedup();

    let mut out = Vec::with_capacity(cuts.len());
    let mut token_index = 0;
    for pair in cuts.windows(2) {
        let (start, end) = match pair {
            [a, b] => (*a, *b),
            _ => continue,
        };
        for (at, severity) in eol_markers.iter().filter(|m| m.0 == start) {
            out.push(eol_run(*at, *severity));
        }
        while tokens.get(token_index).is_some_and(|t| t.end <= start) {
            token_index += 1;
        }
        let mut class = tokens
            .get(token_index)
            .filter(|t| t.start <= start)
            .map(|t| t.kind.css_class().to_owned())
            .unwrap_or_default();
        for (s, e, decoration) in ranges {
            if *s <= start && end <= *e {
                if !class.is_empty() {
                    class.push(' ');
                }
                class.push_str(decoration.class());
            }
        }
        out.push(Run { start, end, class });
    }
    for (at, severity) in eol_markers.iter().filter(|m| m.0 == text.len()) {
        out.push(eol_run(*at, *severity));
    }
    out
}

fn eol_run(at: usize, severity: Severity) -> Run {
    let class = match severity {
        Severity::Error => "diag-eol",
        Severity::Warning => "diag-eol warning",
    };
    Run {
        start: at,
        end: at,
        class: class.to_owned(),
    }
}

/// Above this size a document is shown as plain text: twice the largest policy KMS or IAM
/// accepts, so only a paste that cannot be saved anyway loses its colours, and typing in it
/// does not rebuild tens of thousands of coloured runs per keystroke.
pub const PLAIN_ABOVE_BYTES: usize = 65_536;

/// Runs for a whole document (tokens computed here).
pub fn highlight(
    text: &str,
    diagnostics: &[Diagnostic],
    caret: Option<usize>,
    statement: Option<(usize, usize)>,
) -> Vec<Run> {
    if text.len() > PLAIN_ABOVE_BYTES {
        return vec![Run {
            start: 0,
            end: text.len(),
            class: String::new(),
        }];
    }
    let tokens = tokenize(text);
    let (ranges, eol) = decorations(text, &tokens, diagnostics, caret, statement);
    runs(text, &tokens, &ranges, &eol)
}

/// The worst problem starting on each line (1-based line numbers), for the gutter.
pub fn gutter_marks(diagnostics: &[Diagnostic]) -> Vec<(u32, Severity)> {
    let mut marks: Vec<(u32, Severity)> = Vec::new();
    for d in diagnostics {
        match marks.iter_mut().find(|(line, _)| *line == d.start.line) {
            Some(mark) => mark.1 = mark.1.min(d.severity),
            None => marks.push((d.start.line, d.severity)),
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_over_the_plain_limit_is_one_plain_run() {
        let text = format!("{{\"Statement\": [{}]}}", " ".repeat(PLAIN_ABOVE_BYTES));
        let runs = highlight(&text, &[], Some(3), None);
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].start, runs[0].end), (0, text.len()));
        assert!(runs[0].class.is_empty());
        let small = "{\"Statement\": []}";
        assert!(highlight(small, &[], None, None).len() > 1);
    }
    use kms_engine::diagnostics::{LineIndex, Span};

    fn problem(text: &str, start: usize, end: usize) -> Diagnostic {
        Diagnostic::new(
            &LineIndex::new(text),
            Severity::Error,
            "test",
            "bad",
            "",
            Span::new(start, end),
        )
    }

    fn underlined(text: &str, runs: &[Run]) -> Vec<String> {
        runs.iter()
            .filter(|r| r.class.split(' ').any(|c| c == "diag" || c == "diag-eol"))
            .map(|r| format!("{}:{:?}", r.class, &text[r.start..r.end]))
            .collect()
    }

    #[test]
    fn runs_cover_the_text_in_order() {
        let text = "{\"Effect\": \"Alow\",\n \"x\": tru}";
        let runs = highlight(text, &[problem(text, 11, 17)], Some(1), None);
        let joined: String = runs.iter().map(|r| &text[r.start..r.end]).collect();
        assert_eq!(joined, text);
        assert!(runs.windows(2).all(|w| w[0].end <= w[1].start));
        assert!(
            runs.iter()
                .any(|r| r.class == "t-key" && &text[r.start..r.end] == "\"Effect\"")
        );
        assert!(
            runs.iter()
                .any(|r| r.class == "t-error" && &text[r.start..r.end] == "tru")
        );
    }

    #[test]
    fn a_problem_is_underlined_on_its_first_line_only() {
        let text = "{\"a\": [\n1]}";
        let runs = highlight(text, &[problem(text, 6, text.len())], None, None);
        assert_eq!(underlined(text, &runs), vec!["t-bracket diag:\"[\""]);
    }

    #[test]
    fn a_zero_width_problem_gets_one_character_or_an_end_of_line_marker() {
        let text = "{\"a\": }\n";
        let runs = highlight(text, &[problem(text, 6, 6)], None, None);
        assert_eq!(underlined(text, &runs), vec!["t-bracket diag:\"}\""]);
        let text = "{\"a\": 1";
        let runs = highlight(text, &[problem(text, 7, 7)], None, None);
        assert_eq!(underlined(text, &runs), vec!["diag-eol:\"\""]);
        assert_eq!(runs.last().unwrap().start, 7);
    }

    #[test]
    fn the_bracket_at_the_caret_and_its_partner_are_marked() {
        let text = "{[1]}";
        let runs = highlight(text, &[], Some(2), None);
        let marked: Vec<&str> = runs
            .iter()
            .filter(|r| r.class.contains("bracket-match"))
            .map(|r| &text[r.start..r.end])
            .collect();
        assert_eq!(marked, vec!["[", "]"]);
    }

    #[test]
    fn gutter_marks_keep_the_worst_problem_per_line() {
        let text = "{\n\"a\": x}";
        let mut warning = problem(text, 2, 5);
        warning.severity = Severity::Warning;
        let marks = gutter_marks(&[warning, problem(text, 7, 8)]);
        assert_eq!(marks, vec![(2, Severity::Error)]);
    }
}
