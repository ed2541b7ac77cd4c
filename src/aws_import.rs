//! "Import from AWS…": the files a user dropped or picked (what the AWS CLI printed), merged by
//! the engine's importer ([`kms_engine::scenario::import`]) after every change, with what was
//! read, what was skipped and why, or the error; and what "Open" loads.
//!
//! Nothing here reads files or touches the page: the dialog hands over each file's name and text
//! (read in the browser with the File API) and renders an [`ImportSession`].

use crate::matrix_view::{MatrixFilter, thousands};
use kms_engine::request::PrincipalArn;
use kms_engine::scenario::{self, ImportError, ImportFile, Skipped};
use std::rc::Rc;

/// Above this many cells (principals × keys) an import is large: the matrix opens filtered to
/// what the user picks, on Encrypt and Decrypt only. The generated 200 × 50 preset is not large.
pub const LARGE_CELLS: usize = 10_000;

/// The actions a large import opens on: `kmsplay matrix`'s default.
pub const LARGE_ACTIONS: [&str; 2] = ["kms:Encrypt", "kms:Decrypt"];

/// The scenario name an import gets unless the user types one.
pub const DEFAULT_NAME: &str = "Imported from AWS";

/// One file handed to the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingFile {
    /// Its name (no directories: the browser gives none).
    pub name: String,
    /// Its text.
    pub text: Rc<str>,
    /// Whether it is a `get-key-policy` output whose name does not say its key.
    pub asks_key_id: bool,
    /// The key id typed for it.
    pub key_id: String,
}

/// What the importer made of the files.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// No files yet.
    Empty,
    /// The files merge into a scenario.
    Ready(Rc<Report>),
    /// They do not; the message names the file (both files for a conflict).
    Failed(String),
}

/// A successful import, as the dialog shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The scenario file's text.
    pub text: Rc<str>,
    /// What each file was read as, one line per file (and notes).
    pub read: Vec<String>,
    /// What was left out, and why.
    pub skipped: Vec<Skipped>,
    /// Principals (name, ARN), in the scenario's order.
    pub principals: Vec<(String, PrincipalArn)>,
    /// Keys (name, ARN).
    pub keys: Vec<(String, String)>,
    /// How many grants, SCPs and RCPs came along.
    pub grants: usize,
    /// SCPs and RCPs.
    pub org_policies: usize,
}

impl Report {
    /// Whether the matrix should open filtered ([`LARGE_CELLS`]).
    pub fn is_large(&self) -> bool {
        self.principals.len() * self.keys.len() > LARGE_CELLS
    }

    /// One line: "7 principals, 2 keys, 1 grant, 2 SCPs or RCPs".
    pub fn summary(&self) -> String {
        let count = |n: usize, one: &str, many: &str| {
            format!("{} {}", thousands(n), if n == 1 { one } else { many })
        };
        let mut parts = vec![
            count(self.principals.len(), "principal", "principals"),
            count(self.keys.len(), "key", "keys"),
        ];
        if self.grants > 0 {
            parts.push(count(self.grants, "grant", "grants"));
        }
        if self.org_policies > 0 {
            parts.push(count(self.org_policies, "SCP or RCP", "SCPs and RCPs"));
        }
        parts.join(", ")
    }

    /// How many principals and keys `filter` shows, out of how many.
    pub fn matches(&self, filter: &MatrixFilter) -> ((usize, usize), (usize, usize)) {
        let principals = self
            .principals
            .iter()
            .filter(|(name, arn)| filter.shows_principal(name, arn.as_str()))
            .count();
        let keys = self
            .keys
            .iter()
            .filter(|(name, arn)| filter.shows_key(name, arn))
            .count();
        ((principals, self.principals.len()), (keys, self.keys.len()))
    }
}

/// What "Open" loads: the imported scenario and how the matrix first shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedWorld {
    /// The scenario file's text.
    pub text: Rc<str>,
    /// How many files it came from.
    pub files: usize,
    /// The principals and keys the matrix shows.
    pub filter: MatrixFilter,
    /// Whether it opens on [`LARGE_ACTIONS`] instead of every key action.
    pub large: bool,
}

/// What the user does in the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportMsg {
    /// Files were read (a file of the same name as one already there replaces it).
    Add(Vec<(String, String)>),
    /// A file could not be read.
    Unreadable {
        /// Its name.
        name: String,
        /// Why.
        error: String,
    },
    /// The key id typed for a `get-key-policy` output.
    SetKeyId {
        /// The file's position.
        index: usize,
        /// The key id.
        key_id: String,
    },
    /// Leave a file out.
    Remove(usize),
    /// The scenario's name.
    SetName(String),
    /// What the matrix will show (large imports).
    SetFilter(MatrixFilter),
}

/// The dialog's state: the files, what they import as, the name and the matrix filter chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportSession {
    /// The files, in the order given.
    pub files: Vec<PendingFile>,
    /// The scenario's name as typed (empty: [`DEFAULT_NAME`]).
    pub name: String,
    /// What the files import as.
    pub outcome: Outcome,
    /// Files that could not be read, with why.
    pub unreadable: Vec<(String, String)>,
    /// What the matrix opens filtered to.
    pub filter: MatrixFilter,
}

impl Default for ImportSession {
    fn default() -> ImportSession {
        ImportSession {
            files: Vec::new(),
            name: String::new(),
            outcome: Outcome::Empty,
            unreadable: Vec::new(),
            filter: MatrixFilter::default(),
        }
    }
}

/// The error as the dialog says it: the app has no `--key-id` option, it has a field.
fn error_text(error: &ImportError) -> String {
    match error {
        ImportError::NoKeyForPolicy { file } => format!(
            "{file} is a get-key-policy output, which does not name its key: type the key id beside it (or name the file KEY-ID.json)"
        ),
        other => other.to_string(),
    }
}

impl ImportSession {
    /// Applies one message and imports the files again.
    pub fn apply(&mut self, msg: ImportMsg) {
        match msg {
            ImportMsg::Add(files) => {
                for (name, text) in files {
                    self.unreadable.retain(|(n, _)| *n != name);
                    let asks_key_id = scenario::needs_key_id(&name, &text);
                    let file = PendingFile {
                        name: name.clone(),
                        text: Rc::from(text),
                        asks_key_id,
                        key_id: String::new(),
                    };
                    match self.files.iter_mut().find(|f| f.name == name) {
                        Some(old) => {
                            let key_id = std::mem::take(&mut old.key_id);
                            *old = PendingFile { key_id, ..file };
                        }
                        None => self.files.push(file),
                    }
                }
            }
            ImportMsg::Unreadable { name, error } => {
                self.unreadable.retain(|(n, _)| *n != name);
                self.unreadable.push((name, error));
                return;
            }
            ImportMsg::SetKeyId { index, key_id } => {
                if let Some(file) = self.files.get_mut(index) {
                    file.key_id = key_id;
                }
            }
            ImportMsg::Remove(index) => {
                if index < self.files.len() {
                    self.files.remove(index);
                }
            }
            ImportMsg::SetName(name) => self.name = name,
            ImportMsg::SetFilter(filter) => {
                self.filter = filter;
                return;
            }
        }
        self.outcome = self.run();
    }

    /// The scenario's name.
    pub fn title(&self) -> &str {
        match self.name.trim() {
            "" => DEFAULT_NAME,
            name => name,
        }
    }

    fn run(&self) -> Outcome {
        if self.files.is_empty() {
            return Outcome::Empty;
        }
        let inputs: Vec<ImportFile<'_>> = self
            .files
            .iter()
            .map(|f| ImportFile {
                name: &f.name,
                text: &f.text,
                key_id: Some(f.key_id.trim()).filter(|k| !k.is_empty()),
            })
            .collect();
        match scenario::import(&inputs, Some(self.title())) {
            Err(error) => Outcome::Failed(error_text(&error)),
            Ok(imported) => {
                let s = &imported.scenario;
                Outcome::Ready(Rc::new(Report {
                    text: Rc::from(imported.text),
                    read: imported.read,
                    skipped: imported.skipped,
                    principals: s
                        .principals
                        .iter()
                        .map(|p| (p.name.clone(), p.arn.clone()))
                        .collect(),
                    keys: s
                        .keys
                        .iter()
                        .map(|k| (k.name.clone(), k.arn.clone()))
                        .collect(),
                    grants: s.grants.len(),
                    org_policies: s
                        .iam
                        .organization
                        .as_ref()
                        .map_or(0, |o| o.scps.len() + o.rcps.len()),
                }))
            }
        }
    }

    /// What the importer read a file as (its lines of [`Report::read`]), or `None` before a
    /// successful import.
    pub fn read_as(&self, file: &str) -> Option<Vec<&str>> {
        let Outcome::Ready(report) = &self.outcome else {
            return None;
        };
        let prefix = format!("{file}: ");
        Some(
            report
                .read
                .iter()
                .filter_map(|line| line.strip_prefix(&prefix))
                .collect(),
        )
    }

    /// Whether "Open" can load the import: it succeeded and, when large, the user picked what
    /// the matrix shows (or chose to show everything: [`ImportSession::open_everything`]).
    pub fn can_open(&self) -> bool {
        match &self.outcome {
            Outcome::Ready(report) => !report.is_large() || self.filter.is_active(),
            _ => false,
        }
    }

    /// What "Open" loads, with the filter chosen (large imports only).
    pub fn open(&self) -> Option<ImportedWorld> {
        if !self.can_open() {
            return None;
        }
        self.world(self.filter.clone())
    }

    /// What "Open everything" loads: a large import without a filter.
    pub fn open_everything(&self) -> Option<ImportedWorld> {
        self.world(MatrixFilter::default())
    }

    fn world(&self, filter: MatrixFilter) -> Option<ImportedWorld> {
        let Outcome::Ready(report) = &self.outcome else {
            return None;
        };
        let large = report.is_large();
        Some(ImportedWorld {
            text: report.text.clone(),
            files: self.files.len(),
            filter: if large {
                filter
            } else {
                MatrixFilter::default()
            },
            large,
        })
    }
}

impl yew::Reducible for ImportSession {
    type Action = ImportMsg;

    fn reduce(self: Rc<Self>, msg: ImportMsg) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(msg);
        Rc::new(next)
    }
}
