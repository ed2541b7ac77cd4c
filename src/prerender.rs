//! The page's first matrix as static HTML: the lecture's access matrix, written into the
//! release's `index.html` when it is built (`cargo xtask dist`, by the `first-matrix` binary), so
//! a visitor reads it while the app's WebAssembly is still on its way. It is drawn from the same
//! view model as the app's matrix ([`crate::matrix_view`]) and the same looks ([`crate::look`]),
//! so every word is the engine's own; the app removes it when it first renders.
//!
//! It shows only when the page will open the lecture: `static/boot.js` removes it at once for a
//! share link, a course link or a saved playground (the autosave's key is on the element, from
//! [`crate::persist::STORAGE_KEY`]).

use crate::look::{Icon, class_of, icon_of};
use crate::matrix_view::{CellView, ColumnView, RowView, matrix_view};
use crate::persist::STORAGE_KEY;
use crate::presets;
use crate::state::AppState;
use kms_engine::entropy::Timestamp;
use kms_engine::export::html_escaped;
use std::fmt::Write as _;

/// The id of the element the app removes on its first render.
pub const ELEMENT_ID: &str = "first-matrix";

/// The lecture's matrix, as the app first shows it, at `now` (the simulated clock of a fresh
/// page starts at the time it opens; the lecture's decisions do not depend on it).
pub fn first_matrix_html(now: Timestamp) -> String {
    let state = AppState::new(presets::lecture(now));
    let model = state.model();
    let view = matrix_view(&model, false, None);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<section id="{ELEMENT_ID}" class="first-matrix" data-autosave-key="{}" aria-busy="true" aria-labelledby="first-matrix-title">"#,
        html_escaped(STORAGE_KEY)
    );
    out.push_str(r#"<header class="first-matrix-top"><strong>KMS Playground</strong><span class="muted" role="status">Loading the playground…</span></header>"#);
    let _ = write!(
        out,
        r#"<h1 id="first-matrix-title">{}</h1>"#,
        html_escaped(model.title())
    );
    if let Some(description) = model.description() {
        let _ = write!(out, "<p>{}</p>", html_escaped(description));
    }
    let _ = write!(
        out,
        r#"<p class="muted">Access to each key for {}.</p>"#,
        html_escaped(&view.actions_label)
    );
    out.push_str(r#"<div class="first-matrix-wrap"><table class="matrix"><thead><tr><th scope="col">Principal \ Key</th>"#);
    for column in &view.columns {
        column_head(&mut out, column);
    }
    out.push_str("</tr></thead><tbody>");
    for row in &view.rows {
        row_html(&mut out, row);
    }
    out.push_str("</tbody></table></div></section>");
    out
}

fn column_head(out: &mut String, column: &ColumnView) {
    let _ = write!(
        out,
        r#"<th scope="col" title="{}">{}"#,
        html_escaped(&column.arn),
        html_escaped(&column.name)
    );
    if column.state != "Enabled" {
        let _ = write!(out, r#"<span class="sub">{}</span>"#, column.state);
    }
    out.push_str("</th>");
}

fn row_html(out: &mut String, row: &RowView) {
    let _ = write!(
        out,
        r#"<tr><th scope="row" title="{}">{}<span class="sub">{}</span></th>"#,
        html_escaped(&row.arn),
        html_escaped(&row.name),
        row.kind
    );
    for cell in &row.cells {
        cell_html(out, cell);
    }
    out.push_str("</tr>");
}

fn cell_html(out: &mut String, cell: &CellView) {
    let _ = write!(
        out,
        r#"<td title="{}"><div class="cell {}">"#,
        html_escaped(&cell.label),
        class_of(cell.kind)
    );
    icon_html(out, icon_of(cell.kind));
    let _ = write!(
        out,
        r#"<span class="word">{}</span>"#,
        html_escaped(&cell.word)
    );
    if let Some(note) = &cell.note {
        let _ = write!(out, r#"<span class="extra">{}</span>"#, html_escaped(note));
    }
    out.push_str("</div></td>");
}

/// The icon as the app draws it ([`crate::look::Icon`]): inline SVG, hidden from screen readers.
fn icon_html(out: &mut String, icon: Icon) {
    let _ = write!(
        out,
        r#"<svg class="ico {}" viewBox="0 0 16 16" aria-hidden="true"><path d="{}"/></svg>"#,
        icon.class(),
        icon.path()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp(1_764_000_000_000)
    }

    /// The words of the static matrix, row by row, read back from its HTML.
    fn words(html: &str) -> Vec<Vec<String>> {
        html.split("<tr><th scope=\"row\"")
            .skip(1)
            .map(|row| {
                row.split("<span class=\"word\">")
                    .skip(1)
                    .map(|cell| cell.split('<').next().unwrap_or_default().to_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_first_matrix_has_the_words_the_app_shows_for_the_lecture() {
        let html = first_matrix_html(now());
        let state = AppState::new(presets::lecture(now()));
        let model = state.model();
        let view = matrix_view(&model, false, None);
        let expected: Vec<Vec<String>> = view
            .rows
            .iter()
            .map(|row| row.cells.iter().map(|c| c.word.to_string()).collect())
            .collect();
        assert_eq!(words(&html), expected);
        // The lecture's closing scenario: CMK-C denies Bob, Charlie and David explicitly.
        assert_eq!(expected.len(), 4, "Alice, Bob, Charlie and David");
        assert!(
            expected[1..].iter().all(|row| row[2] == "Deny"),
            "{expected:?}"
        );
        for column in &view.columns {
            assert!(
                html.contains(&format!(">{}", column.name)),
                "{}",
                column.name
            );
        }
    }

    #[test]
    fn the_first_matrix_names_the_autosave_key_and_escapes_the_scenario_text() {
        let html = first_matrix_html(now());
        assert!(html.starts_with(r#"<section id="first-matrix""#), "{html}");
        assert!(html.contains(&format!(r#"data-autosave-key="{STORAGE_KEY}""#)));
        assert!(html.ends_with("</section>"));
        // Every element opened is closed: the page's parser sees the section as one block.
        for tag in [
            "section", "table", "thead", "tbody", "tr", "td", "th", "div", "svg",
        ] {
            let opened = html.matches(&format!("<{tag} ")).count()
                + html.matches(&format!("<{tag}>")).count();
            let closed = html.matches(&format!("</{tag}>")).count();
            assert_eq!(opened, closed, "<{tag}>");
        }
        assert!(!html.contains("<script"), "no script in the static matrix");
    }
}
