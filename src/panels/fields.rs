//! Form fields the panels share: rows of key/value pairs (encryption context, tags, grant
//! constraints) and lists typed one item per line (grant tokens).

use std::collections::BTreeMap;

/// One editable key/value row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairRow {
    /// The key as typed.
    pub key: String,
    /// The value as typed.
    pub value: String,
}

/// An edit of a list of pair rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PairEdit {
    /// Append an empty row.
    Add,
    /// Remove row `n`.
    Remove(usize),
    /// Set row `n`'s key.
    Key(usize, String),
    /// Set row `n`'s value.
    Value(usize, String),
}

/// Applies `edit` to `rows`; an index past the end changes nothing.
pub fn edit_pairs(rows: &mut Vec<PairRow>, edit: PairEdit) {
    match edit {
        PairEdit::Add => rows.push(PairRow::default()),
        PairEdit::Remove(n) => {
            if n < rows.len() {
                rows.remove(n);
            }
        }
        PairEdit::Key(n, key) => {
            if let Some(row) = rows.get_mut(n) {
                row.key = key;
            }
        }
        PairEdit::Value(n, value) => {
            if let Some(row) = rows.get_mut(n) {
                row.value = value;
            }
        }
    }
}

/// Why a list of pairs cannot be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PairsError {
    /// Row `n` (1-based) has a value but no key.
    MissingKey(usize),
    /// Key `k` appears twice.
    DuplicateKey(String),
}

impl std::fmt::Display for PairsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PairsError::MissingKey(n) => write!(f, "pair {n} has a value but no key"),
            PairsError::DuplicateKey(key) => write!(f, "the key `{key}` appears twice"),
        }
    }
}

impl std::error::Error for PairsError {}

/// The pairs to send: rows with an empty key and value are skipped (a form's spare row); keys
/// are kept exactly as typed, since an encryption context is case-sensitive.
pub fn pairs_map(rows: &[PairRow]) -> Result<BTreeMap<String, String>, PairsError> {
    let mut map = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if row.key.is_empty() && row.value.is_empty() {
            continue;
        }
        if row.key.is_empty() {
            return Err(PairsError::MissingKey(i + 1));
        }
        if map.insert(row.key.clone(), row.value.clone()).is_some() {
            return Err(PairsError::DuplicateKey(row.key.clone()));
        }
    }
    Ok(map)
}

/// Rows showing `map`, in key order.
pub fn rows_of(map: &BTreeMap<String, String>) -> Vec<PairRow> {
    map.iter()
        .map(|(key, value)| PairRow {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

/// The non-empty lines of `text`, trimmed: one grant token (or other item) per line. Commas and
/// spaces separate items too, since neither occurs in a grant token.
pub fn items(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, value: &str) -> PairRow {
        PairRow {
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }

    #[test]
    fn pairs_skip_blank_rows_and_refuse_keyless_or_repeated_ones() {
        let rows = vec![
            row("Department", "Finance"),
            row("", ""),
            row("Project", "x"),
        ];
        let map = pairs_map(&rows).unwrap();
        assert_eq!(map.len(), 2);
        assert_eq!(map["Department"], "Finance");
        assert_eq!(pairs_map(&[row("", "v")]), Err(PairsError::MissingKey(1)));
        assert_eq!(
            pairs_map(&[row("a", "1"), row("a", "2")]),
            Err(PairsError::DuplicateKey("a".into()))
        );
        // Context keys are case-sensitive: these are two pairs.
        assert_eq!(pairs_map(&[row("a", "1"), row("A", "2")]).unwrap().len(), 2);
    }

    #[test]
    fn pair_edits_ignore_rows_that_do_not_exist() {
        let mut rows = Vec::new();
        edit_pairs(&mut rows, PairEdit::Add);
        edit_pairs(&mut rows, PairEdit::Key(0, "k".into()));
        edit_pairs(&mut rows, PairEdit::Value(0, "v".into()));
        edit_pairs(&mut rows, PairEdit::Value(5, "x".into()));
        edit_pairs(&mut rows, PairEdit::Remove(9));
        assert_eq!(rows, vec![row("k", "v")]);
        edit_pairs(&mut rows, PairEdit::Remove(0));
        assert!(rows.is_empty());
    }

    #[test]
    fn items_split_on_lines_commas_and_spaces() {
        assert_eq!(items(" a\n\nb, c \n"), vec!["a", "b", "c"]);
        assert!(items("  \n").is_empty());
    }
}
