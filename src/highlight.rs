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

/// The worst problem starting on each line (1-based line numbers), for the gutter, in line order
/// (a sort, not a search per problem: a pasted document can carry thousands of problems).
pub fn gutter_marks(diagnostics: &[Diagnostic]) -> Vec<(u32, Severity)> {
    let mut marks: Vec<(u32, Severity)> = diagnostics
        .iter()
        .map(|d| (d.start.line, d.severity))
        .collect();
    // `Severity` orders Error first, so after the sort each line's worst mark comes first.
    kms_engine::sort::sort(&mut marks);
    marks.dedup_by_key(|mark| mark.0);
    marks
}

/// The mark of one line in the result of [`gutter_marks`].
pub fn mark_of_line(marks: &[(u32, Severity)], line: usize) -> Option<Severity> {
    let line = u32::try_from(line).ok()?;
    marks
        .binary_search_by_key(&line, |mark| mark.0)
        .ok()
        .and_then(|i| marks.get(i))
        .map(|mark| mark.1)
}

/// Documents of more lines than this draw only the lines around the visible ones (text and
/// line numbers): the browser lays out and paints every drawn line again at each keystroke, and
/// for a 300 KB paste that alone takes longer than a frame.
pub const DRAW_ALL_UP_TO_LINES: usize = 400;

/// The lines the editor draws under its text area: all of a short document, or the visible ones
/// of a long one with a screenful before and after, so scrolling by up to a screen shows drawn
/// lines before the next render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrawnLines {
    /// The first drawn line, counted from 0.
    pub first: usize,
    /// One past the last drawn line.
    pub end: usize,
    /// The byte where the first drawn line starts.
    pub start_byte: usize,
    /// The byte where the line after the last drawn one starts (the text's length at the end).
    pub end_byte: usize,
}

impl DrawnLines {
    /// Which lines of `text` (of `line_count` lines) to draw when the line `top` is the first
    /// visible one and `visible` lines fit in the editor.
    pub fn of(text: &str, line_count: usize, top: usize, visible: usize) -> DrawnLines {
        if line_count <= DRAW_ALL_UP_TO_LINES {
            return DrawnLines {
                first: 0,
                end: line_count,
                start_byte: 0,
                end_byte: text.len(),
            };
        }
        let visible = visible.max(1);
        let first = top
            .saturating_sub(visible)
            .min(line_count.saturating_sub(1));
        let end = top
            .saturating_add(visible.saturating_mul(2))
            .min(line_count)
            .max(first + 1);
        let mut newlines = text.match_indices('\n').map(|(at, _)| at + 1);
        let start_byte = match first {
            0 => 0,
            n => newlines.nth(n - 1).unwrap_or(text.len()),
        };
        let end_byte = newlines.nth(end - first - 1).unwrap_or(text.len());
        DrawnLines {
            first,
            end,
            start_byte,
            end_byte,
        }
    }

    /// True when the `visible` lines from `top` are all drawn.
    pub fn covers(&self, top: usize, visible: usize) -> bool {
        self.first <= top && top.saturating_add(visible) <= self.end
    }

    /// The parts of `runs` inside the drawn lines, cut at their edges.
    pub fn clip(&self, runs: &[Run]) -> Vec<Run> {
        runs.iter()
            .filter(|run| {
                run.end > self.start_byte && run.start < self.end_byte
                    || run.start == run.end && (self.start_byte..self.end_byte).contains(&run.start)
            })
            .map(|run| Run {
                start: run.start.max(self.start_byte),
                end: run.end.min(self.end_byte),
                class: run.class.clone(),
            })
            .collect()
    }
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
    fn a_long_document_draws_the_visible_lines_and_a_screen_around_them() {
        let lines: Vec<String> = (0..1000).map(|i| format!("line {i}")).collect();
        let text = lines.join("\n");
        let drawn = DrawnLines::of(&text, 1000, 500, 30);
        assert_eq!((drawn.first, drawn.end), (470, 560));
        assert!(text[drawn.start_byte..].starts_with("line 470\n"));
        assert!(text[..drawn.end_byte].ends_with("line 559\n"));
        assert!(drawn.covers(500, 30) && drawn.covers(470, 30) && !drawn.covers(469, 30));
        // The top and the end of the document.
        let top = DrawnLines::of(&text, 1000, 0, 30);
        assert_eq!((top.first, top.end, top.start_byte), (0, 60, 0));
        let bottom = DrawnLines::of(&text, 1000, 990, 30);
        assert_eq!(
            (bottom.first, bottom.end, bottom.end_byte),
            (960, 1000, text.len())
        );
        assert!(text[bottom.start_byte..].starts_with("line 960\n"));
        // Beyond the end (a scroll position from before the text got shorter).
        let past = DrawnLines::of(&text, 1000, 5000, 30);
        assert_eq!(
            (past.first, past.end, past.end_byte),
            (999, 1000, text.len())
        );
        assert!(text[past.start_byte..].starts_with("line 999"));
    }

    #[test]
    fn a_short_document_is_drawn_whole() {
        let text = "{\n}\n";
        let drawn = DrawnLines::of(text, 3, 2, 1);
        assert_eq!(
            (drawn.first, drawn.end, drawn.start_byte, drawn.end_byte),
            (0, 3, 0, 4)
        );
    }

    #[test]
    fn clipped_runs_stay_inside_the_drawn_lines() {
        let drawn = DrawnLines {
            first: 1,
            end: 2,
            start_byte: 10,
            end_byte: 20,
        };
        let run = |start, end, class: &str| Run {
            start,
            end,
            class: class.to_owned(),
        };
        let clipped = drawn.clip(&[
            run(0, 5, "a"),
            run(5, 15, "b"),
            run(15, 15, "diag-eol"),
            run(15, 30, "c"),
            run(30, 40, "d"),
        ]);
        assert_eq!(
            clipped,
            vec![run(10, 15, "b"), run(15, 15, "diag-eol"), run(15, 20, "c")]
        );
    }

    #[test]
    fn gutter_marks_are_in_line_order_and_found_by_line() {
        let text = "{\n\"a\": x,\n\"b\": y}";
        let mut warning = problem(text, 14, 15);
        warning.severity = Severity::Warning;
        let marks = gutter_marks(&[warning, problem(text, 7, 8)]);
        assert_eq!(marks, vec![(2, Severity::Error), (3, Severity::Warning)]);
        assert_eq!(mark_of_line(&marks, 2), Some(Severity::Error));
        assert_eq!(mark_of_line(&marks, 3), Some(Severity::Warning));
        assert_eq!(mark_of_line(&marks, 1), None);
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
