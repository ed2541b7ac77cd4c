//! The access matrix as the page shows it: rows of cells with their icon kind, word and a
//! sentence for screen readers, and the same table as CSV and Markdown.
//!
//! A [`MatrixFilter`] narrows it to the principals and keys whose names or ARNs match what the
//! user typed: a large world is shown (and built into cells) only where the user looks.
//!
//! Building it is presentation only: every value comes from the engine's summaries
//! ([`Playground::summary`]) and decisions. Rows are shared (`Rc`) between successive views so
//! that after an edit only the rows and cells it touched are rebuilt, and the page re-renders
//! only those.

use crate::model::Playground;
use kms_engine::catalog::KeySpec;
use kms_engine::export;
use kms_engine::view::{CellKind, CellSummary, summarize_matrix_action};
use std::rc::Rc;

/// Which principals (rows) and keys (columns) the matrix shows: each a list of words, any of
/// which may appear (case-insensitively) in a name or an ARN. An empty list shows everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MatrixFilter {
    /// Words that pick principals, separated by spaces or commas (`lambda, Admin`).
    #[serde(default)]
    pub principals: String,
    /// Words that pick keys.
    #[serde(default)]
    pub keys: String,
}

/// Whether `name` or `arn` holds one of the words of `pattern` (every name matches an empty
/// pattern).
fn matches_words(pattern: &str, name: &str, arn: &str) -> bool {
    let mut words = pattern
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .peekable();
    if words.peek().is_none() {
        return true;
    }
    let (name, arn) = (name.to_lowercase(), arn.to_lowercase());
    words.any(|word| {
        let word = word.to_lowercase();
        name.contains(&word) || arn.contains(&word)
    })
}

impl MatrixFilter {
    /// Whether it hides anything at all.
    pub fn is_active(&self) -> bool {
        !self.principals.trim().is_empty() || !self.keys.trim().is_empty()
    }

    /// Whether the principal named `name` with ARN `arn` is shown.
    pub fn shows_principal(&self, name: &str, arn: &str) -> bool {
        matches_words(&self.principals, name, arn)
    }

    /// Whether the key named `name` with ARN `arn` (which holds its id) is shown.
    pub fn shows_key(&self, name: &str, arn: &str) -> bool {
        matches_words(&self.keys, name, arn)
    }
}

/// One column: a key, or in the per-action view a key and one action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnView {
    /// The key's column in the model.
    pub key: usize,
    /// The key's name.
    pub name: Rc<str>,
    /// The key's ARN.
    pub arn: Rc<str>,
    /// The key's state.
    pub state: &'static str,
    /// In the per-action view: the action's index in the matrix and its name.
    pub action: Option<(usize, &'static str)>,
}

/// One cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellView {
    /// Its look.
    pub kind: CellKind,
    /// The word shown.
    pub word: Rc<str>,
    /// Extra words ("1 denied").
    pub note: Option<Rc<str>>,
    /// The whole cell as a sentence.
    pub label: Rc<str>,
    /// Whether the last edit changed it.
    pub changed: bool,
    /// Whether it rests on a document that does not parse right now.
    pub stale: bool,
}

/// One row: a principal and its cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowView {
    /// The row's index in the model.
    pub index: usize,
    /// The principal's ARN.
    pub arn: Rc<str>,
    /// Its name.
    pub name: Rc<str>,
    /// "user", "role", "root", "session".
    pub kind: &'static str,
    /// One cell per column.
    pub cells: Vec<CellView>,
}

/// The whole table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatrixView {
    /// The columns shown.
    pub columns: Vec<ColumnView>,
    /// The rows shown, in the model's order; each knows its row in the model.
    pub rows: Vec<Rc<RowView>>,
    /// The filter they were picked with.
    pub filter: MatrixFilter,
    /// How many principals the world has (rows shown or not).
    pub total_principals: usize,
    /// How many keys it has.
    pub total_keys: usize,
    /// How many keys are shown.
    pub shown_keys: usize,
    /// The actions summarised, in words ("all key actions").
    pub actions_label: String,
    /// Whether each column is one action.
    pub expanded: bool,
}

fn columns(model: &Playground, expanded: bool, filter: &MatrixFilter) -> Vec<ColumnView> {
    let actions = model.matrix().actions();
    let mut out = Vec::new();
    for (key, head) in model.columns().iter().enumerate() {
        if !filter.shows_key(&head.name, &head.arn) {
            continue;
        }
        let base = ColumnView {
            key,
            name: Rc::from(head.name.as_str()),
            arn: Rc::from(head.arn.as_str()),
            state: head.state,
            action: None,
        };
        if expanded {
            // Per action, a key gets a column for each action its spec supports.
            for (i, action) in actions
                .iter()
                .enumerate()
                .filter(|(_, a)| head.spec.row().supports(**a))
            {
                out.push(ColumnView {
                    action: Some((i, action.name())),
                    ..base.clone()
                });
            }
        } else {
            out.push(base);
        }
    }
    out
}

/// What every cell of one view build shares.
struct Context<'a> {
    changed: &'a [(usize, usize)],
    /// Whether any document does not parse (otherwise no cell can be stale).
    any_stale: bool,
}

fn cell_view(
    model: &Playground,
    row: usize,
    column: &ColumnView,
    context: &Context<'_>,
) -> CellView {
    let changed = context.changed;
    let summary: Option<CellSummary> = match column.action {
        Some((action, _)) => {
            let spec = model
                .columns()
                .get(column.key)
                .map_or(KeySpec::SymmetricDefault, |c| c.spec);
            summarize_matrix_action(model.matrix(), row, column.key, action, column.state, spec)
        }
        None => model.summary(row, column.key).cloned(),
    };
    let Some(summary) = summary else {
        return CellView {
            kind: CellKind::ImplicitDeny,
            word: Rc::from("?"),
            note: None,
            label: Rc::from("unknown"),
            changed: false,
            stale: false,
        };
    };
    let is_changed = changed.contains(&(row, column.key));
    let stale = context.any_stale && model.is_stale(row, column.key);
    let principal = model.rows().get(row).map_or("", |r| r.name.as_str());
    let what = match column.action {
        Some((_, action)) => action.to_owned(),
        None => model.action_set().label(),
    };
    let cause = model
        .changes()
        .iter()
        .find(|c| c.row == row && c.column == column.key)
        .and_then(|c| c.cause.clone());
    let mut label = format!(
        "{principal}, {}, {what}: {}",
        column.name,
        summary.sentence()
    );
    if let Some(cause) = cause {
        label.push_str(&format!(" by {cause}"));
    }
    if is_changed {
        label.push_str("; changed by your last edit");
    }
    if stale {
        label.push_str(
            "; stale: a policy it depends on has errors, so the last valid version is used",
        );
    }
    CellView {
        kind: summary.kind,
        word: Rc::from(summary.word.as_str()),
        note: summary.note().map(|n| Rc::from(n.as_str())),
        label: Rc::from(label.as_str()),
        changed: is_changed,
        stale,
    }
}

fn row_view(
    model: &Playground,
    row: usize,
    columns: &[ColumnView],
    context: &Context<'_>,
) -> RowView {
    let head = model.rows().get(row);
    RowView {
        index: row,
        arn: Rc::from(head.map_or("", |h| h.arn.as_str())),
        name: Rc::from(head.map_or("", |h| h.name.as_str())),
        kind: head.map_or("user", |h| h.kind),
        cells: columns
            .iter()
            .map(|c| cell_view(model, row, c, context))
            .collect(),
    }
}

/// The view of `model`, reusing the rows of `previous` that the last change did not touch.
pub fn matrix_view(
    model: &Playground,
    expanded: bool,
    previous: Option<&MatrixView>,
) -> MatrixView {
    let filter = model.filter();
    let columns = columns(model, expanded, filter);
    let changed: Vec<(usize, usize)> = model.changes().iter().map(|c| (c.row, c.column)).collect();
    let touched = model.touched();
    let context = Context {
        changed: &changed,
        any_stale: model.documents().iter().any(|d| d.stale),
    };
    let shown: Vec<usize> = model
        .rows()
        .iter()
        .enumerate()
        .filter(|(_, head)| filter.shows_principal(&head.name, head.arn.as_str()))
        .map(|(row, _)| row)
        .collect();
    let reusable = previous.filter(|p| {
        !touched.all
            && p.expanded == expanded
            && p.columns == columns
            && p.filter == *filter
            && p.rows.len() == shown.len()
            && p.rows.iter().zip(&shown).all(|(r, &row)| r.index == row)
    });
    let rows = match reusable {
        None => shown
            .iter()
            .map(|&row| Rc::new(row_view(model, row, &columns, &context)))
            .collect(),
        Some(previous) => previous
            .rows
            .iter()
            .map(|old| {
                let row = old.index;
                if touched.rows.contains(&row) {
                    return Rc::new(row_view(model, row, &columns, &context));
                }
                // Rebuild only the cells that changed now, were marked changed before, or sit in
                // a touched column.
                let dirty: Vec<usize> = columns
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| {
                        touched.columns.contains(&c.key)
                            || changed.contains(&(row, c.key))
                            || old.cells.get(*i).is_some_and(|cell| cell.changed)
                    })
                    .map(|(i, _)| i)
                    .collect();
                // Build the dirty cells first; most of them come out the same, and then the
                // row (shared with the previous view) is kept as it is.
                let fresh_cells: Vec<(usize, CellView)> = dirty
                    .into_iter()
                    .filter_map(|i| {
                        let cell = cell_view(model, row, columns.get(i)?, &context);
                        (old.cells.get(i) != Some(&cell)).then_some((i, cell))
                    })
                    .collect();
                if fresh_cells.is_empty() {
                    return old.clone();
                }
                let mut fresh = (**old).clone();
                for (i, cell) in fresh_cells {
                    if let Some(slot) = fresh.cells.get_mut(i) {
                        *slot = cell;
                    }
                }
                Rc::new(fresh)
            })
            .collect(),
    };
    // Columns come key by key (several per key in the per-action view).
    let shown_keys = columns
        .iter()
        .zip(std::iter::once(None).chain(columns.iter().map(|c| Some(c.key))))
        .filter(|(c, before)| *before != Some(c.key))
        .count();
    MatrixView {
        columns,
        rows,
        filter: filter.clone(),
        total_principals: model.rows().len(),
        total_keys: model.columns().len(),
        shown_keys,
        actions_label: model.action_set().label(),
        expanded,
    }
}

impl MatrixView {
    /// What the filter leaves, in words: "Showing 12 of 2,000 principals and 3 of 300 keys";
    /// `None` when everything is shown.
    pub fn shown_line(&self) -> Option<String> {
        if !self.filter.is_active() {
            return None;
        }
        Some(format!(
            "Showing {} of {} principals and {} of {} keys",
            thousands(self.rows.len()),
            thousands(self.total_principals),
            thousands(self.shown_keys),
            thousands(self.total_keys)
        ))
    }

    /// The row position of the model's row `row`, if it is shown.
    pub fn position_of_row(&self, row: usize) -> Option<usize> {
        self.rows.iter().position(|r| r.index == row)
    }

    fn header(&self) -> Vec<String> {
        let mut header = vec!["principal".to_owned()];
        header.extend(self.columns.iter().map(|c| match c.action {
            Some((_, action)) => format!("{} {action}", c.name),
            None => c.name.to_string(),
        }));
        header
    }

    fn cell_text(cell: &CellView) -> String {
        match &cell.note {
            Some(note) => format!("{} ({note})", cell.word),
            None => cell.word.to_string(),
        }
    }

    /// The header and rows as text cells, for the exports.
    fn text_rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                let mut fields = vec![row.name.to_string()];
                fields.extend(row.cells.iter().map(Self::cell_text));
                fields
            })
            .collect()
    }

    /// The table as CSV ([`kms_engine::export::csv`]: RFC 4180, formulas neutralised).
    pub fn to_csv(&self) -> String {
        export::csv(&self.header(), &self.text_rows())
    }

    /// The table as Markdown under a line naming the actions ([`kms_engine::export::markdown`]:
    /// HTML, pipes and line breaks escaped).
    pub fn to_markdown(&self) -> String {
        format!(
            "Access to {}:\n\n{}",
            self.actions_label,
            export::markdown(&self.header(), &self.text_rows())
        )
    }
}

/// `2000` as `2,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
