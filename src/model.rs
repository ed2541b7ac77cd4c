//! The playground's domain model: the world the user edits, the text of every document as typed,
//! and what the engine derives from them.
//!
//! Inputs and derived state are kept apart. The inputs are the engine's [`World`] (holding the
//! last *valid* version of every policy), the text of every document exactly as typed (valid or
//! not), the chosen actions and the simulated clock. Everything else — diagnostics, the access
//! matrix, the cell summaries, what the last edit changed — is derived by the engine, and
//! recomputed incrementally: an identity policy edit recomputes its principal's row, a key
//! policy edit its key's column. Nothing here decides access; the matrix is the engine's.

use crate::matrix_view::MatrixFilter;
use crate::platform;
use kms_engine::authz::Explanation;
use kms_engine::catalog::KeySpec;
use kms_engine::diagnostics::LineIndex;
use kms_engine::diagnostics::{Diagnostic, Severity};
use kms_engine::entropy::{Randomness, Timestamp};
use kms_engine::json::Report;
use kms_engine::matrix::Matrix;
use kms_engine::policy::Policy;
use kms_engine::policy::lint::check_policy;
use kms_engine::policy::parse::{KEY_POLICY_MAX_BYTES, PolicyKind, check_key_policy_text};
use kms_engine::request::PrincipalArn;
use kms_engine::scenario::{Scenario, ScenarioError};
use kms_engine::view::{
    ActionSet, CellSummary, key_specs_of, summarize_matrix_cell, verdict_cause,
};
use kms_engine::world::{PrincipalKind, World, WorldError};
use std::rc::Rc;

/// A document's identity, stable while the app runs (renaming a policy keeps it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub u32);

/// What a document is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocTarget {
    /// A key's key policy.
    KeyPolicy(String),
    /// A named identity policy of a user or role.
    Identity {
        /// The principal's ARN.
        principal: PrincipalArn,
        /// The policy's name.
        name: String,
    },
}

/// One editable document.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Its identity.
    pub id: DocId,
    /// What it is.
    pub target: DocTarget,
    /// The text as typed.
    pub text: Rc<str>,
    /// Problems in `text` (errors and warnings), from the engine.
    pub diagnostics: Rc<Vec<Diagnostic>>,
    /// Whether `text` has errors, so the world still holds the previous valid version.
    pub stale: bool,
}

impl Document {
    /// How many errors the text has.
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
}

/// What one cell's value did in the last change.
#[derive(Clone, Debug, PartialEq)]
pub struct CellChange {
    /// The row.
    pub row: usize,
    /// The column.
    pub column: usize,
    /// The summary before.
    pub before: CellSummary,
    /// The summary after.
    pub after: CellSummary,
    /// The statement the new value rests on, if one does.
    pub cause: Option<String>,
}

/// How much work the last recomputation was.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunStats {
    /// Decisions made (cells × actions recomputed).
    pub decisions: usize,
    /// Milliseconds it took, diagnostics included.
    pub millis: f64,
}

/// Which part of the derived state the last change touched (recomputed, or became stale or
/// fresh), so views rebuild only that.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    /// Everything (the shape may have changed).
    pub all: bool,
    /// Rows.
    pub rows: Vec<usize>,
    /// Columns.
    pub columns: Vec<usize>,
}

impl Touched {
    fn everything() -> Touched {
        Touched {
            all: true,
            ..Touched::default()
        }
    }
}

/// One row of the matrix: a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowHead {
    /// The principal's ARN.
    pub arn: PrincipalArn,
    /// The name shown.
    pub name: String,
    /// "user", "role", "root", "session".
    pub kind: &'static str,
}

/// One column of the matrix: a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnHead {
    /// The key, by its key ARN: a key id alone is not unique (a multi-Region replica key has
    /// its primary key's id, in another Region).
    pub id: String,
    /// The name shown (the scenario's name, else its first alias, else its id).
    pub name: String,
    /// The key ARN.
    pub arn: String,
    /// The key's state as DescribeKey prints it.
    pub state: &'static str,
    /// The key's spec: which of the matrix's actions apply to it.
    pub spec: KeySpec,
}

/// Why an intent could not be carried out; nothing changed.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    /// The engine refused a change to the world.
    World(WorldError),
    /// The document does not exist (any more).
    UnknownDocument(DocId),
    /// A policy of that name already exists for the principal.
    DuplicatePolicyName(String),
    /// The name is not a valid IAM policy name.
    InvalidPolicyName(String),
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelError::World(e) => write!(f, "{e}"),
            ModelError::UnknownDocument(_) => write!(f, "that document no longer exists"),
            ModelError::DuplicatePolicyName(name) => {
                write!(f, "a policy named `{name}` is already attached")
            }
            ModelError::InvalidPolicyName(name) => write!(
                f,
                "`{name}` is not a valid policy name (1-128 letters, digits and +=,.@_-)"
            ),
        }
    }
}

impl std::error::Error for ModelError {}

impl From<WorldError> for ModelError {
    fn from(e: WorldError) -> ModelError {
        ModelError::World(e)
    }
}

/// The whole playground: inputs and what the engine derives from them.
pub struct Playground {
    // ---- inputs ----
    world: World,
    title: String,
    documents: Vec<Document>,
    next_doc: u32,
    principal_order: Vec<PrincipalArn>,
    key_order: Vec<String>,
    key_names: Vec<(String, String)>,
    set: ActionSet,
    /// The principals and keys the matrix shows (part of the world's view, so Undo of a load
    /// brings back the filter the previous world had).
    filter: MatrixFilter,
    now: Timestamp,
    rng: Box<dyn Randomness>,
    /// The scenario the world was loaded from: names, title, actions and expectations that
    /// exporting keeps.
    base: Option<Scenario>,
    // ---- derived ----
    rows: Vec<RowHead>,
    columns: Vec<ColumnHead>,
    matrix: Matrix,
    summaries: Vec<CellSummary>,
    changes: Vec<CellChange>,
    stats: RunStats,
    touched: Touched,
    revision: u64,
}

/// What kind of principal to add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewPrincipal {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
    /// An account's root user.
    AccountRoot,
}

impl Clone for Playground {
    /// A copy for the undo history. The copy draws fresh randomness: ids and key material made
    /// after an undo need not repeat the ones made before it.
    fn clone(&self) -> Playground {
        Playground {
            world: self.world.clone(),
            title: self.title.clone(),
            documents: self.documents.clone(),
            next_doc: self.next_doc,
            principal_order: self.principal_order.clone(),
            key_order: self.key_order.clone(),
            key_names: self.key_names.clone(),
            set: self.set.clone(),
            filter: self.filter.clone(),
            now: self.now,
            rng: platform::randomness(),
            base: self.base.clone(),
            rows: self.rows.clone(),
            columns: self.columns.clone(),
            matrix: self.matrix.clone(),
            summaries: self.summaries.clone(),
            changes: self.changes.clone(),
            stats: self.stats,
            touched: Touched::everything(),
            revision: self.revision + 1,
        }
    }
}

impl std::fmt::Debug for Playground {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Playground")
            .field("title", &self.title)
            .field("rows", &self.rows.len())
            .field("columns", &self.columns.len())
            .field("revision", &self.revision)
            .finish_non_exhaustive()
    }
}

/// IAM policy names: 1–128 characters of letters, digits and `+=,.@_-` (IAM User Guide,
/// reference_iam-quotas.html, "IAM name requirements").
pub fn is_valid_policy_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

impl Playground {
    /// A playground over `world` showing the principals `principals` (ARNs, in that order) and
    /// the keys `keys` (in that order, with the names given). An account's root user exists in
    /// every world but is a row only when listed.
    pub fn new(
        world: World,
        title: impl Into<String>,
        principals: Vec<PrincipalArn>,
        keys: Vec<(String, String)>,
        set: ActionSet,
        now: Timestamp,
        base: Option<Scenario>,
    ) -> Playground {
        let mut key_order: Vec<String> = keys.iter().map(|(id, _)| id.clone()).collect();
        for key in world.keys.keys() {
            if !key_order.contains(&key.arn) {
                key_order.push(key.arn.clone());
            }
        }
        let mut playground = Playground {
            world,
            title: title.into(),
            documents: Vec::new(),
            next_doc: 0,
            principal_order: principals,
            key_order,
            key_names: keys,
            set,
            filter: MatrixFilter::default(),
            now,
            rng: platform::randomness(),
            base,
            rows: Vec::new(),
            columns: Vec::new(),
            matrix: Matrix::compute(&World::default(), &[], &[], &[], now),
            summaries: Vec::new(),
            changes: Vec::new(),
            stats: RunStats::default(),
            touched: Touched::everything(),
            revision: 0,
        };
        playground.rebuild_documents();
        playground.recompute_all();
        playground
    }

    /// Reads a scenario file and builds its world at time `now`. A bad file is an error with
    /// line:column for every problem.
    pub fn from_scenario_text(text: &str, now: Timestamp) -> Result<Playground, ScenarioError> {
        Playground::from_scenario_text_or(text, now, ActionSet::All)
    }

    /// Like [`Playground::from_scenario_text`], with `actions` as the matrix's actions when the
    /// scenario names none (a large import starts on fewer actions than every key action).
    pub fn from_scenario_text_or(
        text: &str,
        now: Timestamp,
        actions: ActionSet,
    ) -> Result<Playground, ScenarioError> {
        let mut rng = platform::randomness();
        let kms_engine::scenario::Loaded { scenario, world } =
            kms_engine::scenario::load(text, now, &mut *rng)?;
        let principals = scenario.principals.iter().map(|p| p.arn.clone()).collect();
        let keys = scenario
            .keys
            .iter()
            .map(|k| (k.arn.clone(), k.name.clone()))
            .collect();
        let title = scenario
            .name
            .clone()
            .unwrap_or_else(|| "Untitled".to_owned());
        // The scenario's `actions` are the matrix's default columns (they also keep a large
        // world's recomputation small); without them, every key action.
        let set = ActionSet::listed(scenario.actions.iter().map(String::as_str)).unwrap_or(actions);
        let mut playground =
            Playground::new(world, title, principals, keys, set, now, Some(scenario));
        playground.rng = rng;
        Ok(playground)
    }

    /// The world as a scenario, in the CLI's format: the rows and columns in the order shown,
    /// named as shown, with the loaded scenario's title, actions and expectations. Documents
    /// that do not parse are exported in their last valid version.
    pub fn export(&self) -> Scenario {
        let base = self.base.clone().unwrap_or_else(|| self.fallback_base());
        let mut scenario = Scenario::from_world(&self.world, &base);
        scenario.name = Some(self.title.clone());
        for key in &mut scenario.keys {
            key.name = self.key_name(&key.arn);
        }
        let key_position = |arn: &str| self.columns.iter().position(|c| c.arn == arn);
        let mut order: Vec<usize> = (0..scenario.keys.len()).collect();
        kms_engine::sort::sort_by_key(&mut order, |&i| {
            scenario
                .keys
                .get(i)
                .and_then(|k| key_position(&k.arn))
                .unwrap_or(usize::MAX)
        });
        let mut keys: Vec<_> = order
            .iter()
            .filter_map(|&i| scenario.keys.get(i).cloned())
            .collect();
        // Grants, expectations and replicas point at keys by index: renumber them.
        for key in &mut keys {
            key.replica_of = key
                .replica_of
                .and_then(|p| order.iter().position(|&i| i == p));
        }
        for grant in &mut scenario.grants {
            grant.key = order
                .iter()
                .position(|&i| i == grant.key)
                .unwrap_or(grant.key);
        }
        for expectation in &mut scenario.expect {
            expectation.key = order
                .iter()
                .position(|&i| i == expectation.key)
                .unwrap_or(expectation.key);
        }
        scenario.keys = keys;
        scenario
    }

    fn fallback_base(&self) -> Scenario {
        Scenario {
            name: Some(self.title.clone()),
            description: None,
            account: kms_engine::scenario::DEFAULT_ACCOUNT.to_owned(),
            region: self.world.region().to_owned(),
            principals: Vec::new(),
            keys: Vec::new(),
            grants: Vec::new(),
            actions: Vec::new(),
            expect: Vec::new(),
            exercise: kms_engine::scenario::Exercise::default(),
            iam: kms_engine::scenario::IamSetup::default(),
        }
    }

    // ---------------------------------------------------------------- reading

    /// The world as the engine sees it (last valid documents).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The principals and keys the matrix shows.
    pub fn filter(&self) -> &MatrixFilter {
        &self.filter
    }

    /// Shows only the principals and keys `filter` picks (the matrix is still computed whole).
    pub fn set_filter(&mut self, filter: MatrixFilter) {
        self.filter = filter;
    }

    /// The scenario the world was loaded from, if any.
    pub fn scenario(&self) -> Option<&Scenario> {
        self.base.as_ref()
    }

    /// The scenario's title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// What the scenario shows, in its own words, if it says.
    pub fn description(&self) -> Option<&str> {
        self.base
            .as_ref()
            .and_then(|b| b.description.as_deref())
            .filter(|d| !d.trim().is_empty())
    }

    /// Each key's description, by column, where it has one.
    pub fn key_descriptions(&self) -> Vec<(String, String)> {
        self.columns
            .iter()
            .filter_map(|c| {
                let key = self.world.keys.get_by_arn(&c.id)?;
                (!key.description.is_empty()).then(|| (c.name.clone(), key.description.clone()))
            })
            .collect()
    }

    /// Every document, keys' policies first, then identity policies by principal.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// One document.
    pub fn document(&self, id: DocId) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// The key policy document of `key`.
    pub fn key_policy_doc(&self, key: &str) -> Option<&Document> {
        self.documents
            .iter()
            .find(|d| matches!(&d.target, DocTarget::KeyPolicy(k) if k == key))
    }

    /// The identity policy documents of `principal`, in attachment order.
    pub fn identity_docs<'a>(
        &'a self,
        principal: &'a PrincipalArn,
    ) -> impl Iterator<Item = &'a Document> {
        self.documents.iter().filter(move |d| {
            matches!(&d.target, DocTarget::Identity { principal: p, .. } if p == principal)
        })
    }

    /// The actions the matrix shows.
    pub fn action_set(&self) -> &ActionSet {
        &self.set
    }

    /// The scenario's own default actions (its `actions` list), if it has them.
    pub fn scenario_actions(&self) -> Option<ActionSet> {
        let base = self.base.as_ref()?;
        ActionSet::listed(base.actions.iter().map(String::as_str))
    }

    /// The simulated time.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The rows (principals), in scenario order.
    pub fn rows(&self) -> &[RowHead] {
        &self.rows
    }

    /// The columns (keys), in scenario order.
    pub fn columns(&self) -> &[ColumnHead] {
        &self.columns
    }

    /// The engine's matrix.
    pub fn matrix(&self) -> &Matrix {
        &self.matrix
    }

    /// The summary of cell (`row`, `column`).
    pub fn summary(&self, row: usize, column: usize) -> Option<&CellSummary> {
        self.summaries.get(row * self.columns.len() + column)
    }

    /// What the last edit changed.
    pub fn changes(&self) -> &[CellChange] {
        &self.changes
    }

    /// How much work the last recomputation was.
    pub fn stats(&self) -> RunStats {
        self.stats
    }

    /// What the last change touched.
    pub fn touched(&self) -> &Touched {
        &self.touched
    }

    /// Increases with every change; views use it to know when to re-read.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The row of principal `arn`.
    pub fn row_of(&self, arn: &str) -> Option<usize> {
        self.rows.iter().position(|r| r.arn == *arn)
    }

    /// The column of key `id`.
    pub fn column_of(&self, id: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.id == id)
    }

    /// Whether the cell's value may be out of date: its key policy or one of its principal's
    /// identity policies does not parse, so the engine still uses the last valid version.
    pub fn is_stale(&self, row: usize, column: usize) -> bool {
        let key_stale = self
            .columns
            .get(column)
            .and_then(|c| self.key_policy_doc(&c.id))
            .is_some_and(|d| d.stale);
        let row_stale = self.rows.get(row).is_some_and(|r| {
            let holder = self
                .world
                .principal(&r.arn)
                .and_then(|p| p.request_principal().role_arn.clone())
                .unwrap_or_else(|| r.arn.clone());
            self.identity_docs(&holder).any(|d| d.stale)
        });
        key_stale || row_stale
    }

    /// The engine's explanation of one decision: row, column and action index in
    /// [`Matrix::actions`].
    pub fn explain(&self, row: usize, column: usize, action: usize) -> Option<Explanation> {
        self.matrix.explain(&self.world, row, column, action)
    }

    /// The explanation of one cell's request made with `params` (the why panel's request
    /// context) rather than the bare request the matrix decides.
    pub fn explain_request(
        &self,
        row: usize,
        column: usize,
        action: usize,
        params: &kms_engine::authz::RequestParams,
    ) -> Option<Explanation> {
        self.matrix
            .explain_with(&self.world, row, column, action, params)
    }

    /// The rows whose identity policies are `principal`'s: its own, and its sessions' if it
    /// is a role.
    fn rows_using_policies_of(&self, principal: &PrincipalArn) -> Vec<usize> {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.arn == *principal
                    || self
                        .world
                        .principal(&r.arn)
                        .and_then(|p| p.request_principal().role_arn.as_ref())
                        .is_some_and(|role| role == principal)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The name shown for the key whose ARN is `key`.
    pub fn key_name(&self, key: &str) -> String {
        if let Some((_, name)) = self.key_names.iter().find(|(k, _)| k == key) {
            return name.clone();
        }
        let Some(found) = self.world.keys.get_by_arn(key) else {
            return key.to_owned();
        };
        let alias = self
            .world
            .keys
            .aliases_for(found)
            .next()
            .map(|a| a.name.trim_start_matches("alias/").to_owned());
        let short_id = || found.id.as_str().chars().take(8).collect::<String>();
        if found.region == self.world.region() {
            return alias.unwrap_or_else(short_id);
        }
        // A key of another Region says so: a multi-Region replica has its primary's key id, so
        // without it the two read alike. Without an alias of its own (aliases belong to a
        // Region), it takes the name of its related key in the world's Region.
        let name = alias
            .or_else(|| {
                self.world
                    .keys
                    .with_id(&found.id)
                    .find(|k| k.account == found.account && k.region == self.world.region())
                    .map(|k| self.key_name(&k.arn))
            })
            .unwrap_or_else(short_id);
        format!("{name} ({})", found.region)
    }

    // ---------------------------------------------------------------- intents

    /// Replaces a document's text. A valid text goes into the world and the matrix is
    /// recomputed where it can change; an invalid one is kept as typed, with its problems, and
    /// the world (so the matrix) keeps the last valid version.
    pub fn edit_document(&mut self, id: DocId, text: &str) -> Result<(), ModelError> {
        let started = platform::now_ms();
        let index = self
            .documents
            .iter()
            .position(|d| d.id == id)
            .ok_or(ModelError::UnknownDocument(id))?;
        let target = self
            .documents
            .get(index)
            .map(|d| d.target.clone())
            .ok_or(ModelError::UnknownDocument(id))?;
        let (diagnostics, parsed) = self.check_text(&target, text);
        let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
        let mut decisions = 0;
        let mut changed = Vec::new();
        self.touched = match &target {
            DocTarget::KeyPolicy(key) => Touched {
                columns: self.column_of(key).into_iter().collect(),
                ..Touched::default()
            },
            DocTarget::Identity { principal, .. } => Touched {
                rows: self.rows_using_policies_of(principal),
                ..Touched::default()
            },
        };
        if let (false, Some(policy)) = (has_errors, parsed) {
            match &target {
                DocTarget::KeyPolicy(key) => {
                    self.world.set_parsed_key_policy(key, text, policy)?;
                    if let Some(column) = self.matrix.recompute_column(&self.world, key) {
                        changed = self.resummarize(&[], &[column]);
                        decisions = self.rows.len() * self.matrix.actions().len();
                    }
                }
                DocTarget::Identity { principal, name } => {
                    self.world
                        .put_parsed_identity_policy(principal, name, text, policy)?;
                    let rows = self.matrix.recompute_row(&self.world, principal);
                    changed = self.resummarize(&rows, &[]);
                    decisions = rows.len() * self.columns.len() * self.matrix.actions().len();
                }
            }
        }
        if let Some(doc) = self.documents.get_mut(index) {
            doc.text = Rc::from(text);
            doc.diagnostics = Rc::new(diagnostics);
            doc.stale = has_errors;
        }
        if !has_errors {
            self.changes = self.with_causes(changed);
        }
        self.stats = RunStats {
            decisions,
            millis: platform::now_ms() - started,
        };
        self.revision += 1;
        Ok(())
    }

    /// Shows `set` in the matrix (recomputes it over those actions).
    pub fn set_action_set(&mut self, set: ActionSet) {
        if set != self.set {
            self.set = set;
            self.changes.clear();
            self.recompute_all();
        }
    }

    /// Attaches a new identity policy named `name` to `principal`; returns its document.
    ///
    /// IAM needs at least one statement, so the new policy starts with one that allows
    /// `kms:ListAliases`: an IAM-only action, so the matrix does not change until the user writes.
    pub fn add_identity_policy(
        &mut self,
        principal: &PrincipalArn,
        name: &str,
    ) -> Result<DocId, ModelError> {
        if !is_valid_policy_name(name) {
            return Err(ModelError::InvalidPolicyName(name.to_owned()));
        }
        if self
            .identity_docs(principal)
            .any(|d| matches!(&d.target, DocTarget::Identity { name: n, .. } if n == name))
        {
            return Err(ModelError::DuplicatePolicyName(name.to_owned()));
        }
        let text = concat!(
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n",
            "      \"Effect\": \"Allow\",\n      \"Action\": \"kms:ListAliases\",\n",
            "      \"Resource\": \"*\"\n    }\n  ]\n}\n"
        );
        self.world.put_identity_policy(principal, name, text)?;
        let target = DocTarget::Identity {
            principal: principal.clone(),
            name: name.to_owned(),
        };
        let id = self.push_document(target, text);
        self.after_world_change(Some(principal), None);
        Ok(id)
    }

    /// Renames an identity policy (its text, valid or not, stays as typed).
    pub fn rename_identity_policy(&mut self, id: DocId, new_name: &str) -> Result<(), ModelError> {
        if !is_valid_policy_name(new_name) {
            return Err(ModelError::InvalidPolicyName(new_name.to_owned()));
        }
        let doc = self.document(id).ok_or(ModelError::UnknownDocument(id))?;
        let DocTarget::Identity { principal, name } = doc.target.clone() else {
            return Err(ModelError::UnknownDocument(id));
        };
        if name == new_name {
            return Ok(());
        }
        if self
            .identity_docs(&principal)
            .any(|d| matches!(&d.target, DocTarget::Identity { name: n, .. } if n == new_name))
        {
            return Err(ModelError::DuplicatePolicyName(new_name.to_owned()));
        }
        let valid_text = self
            .world
            .principal(&principal)
            .and_then(|p| p.policies.iter().find(|p| p.name == name))
            .map(|p| p.text.clone());
        if let Some(valid_text) = valid_text {
            self.world
                .put_identity_policy(&principal, new_name, &valid_text)?;
            self.world.delete_identity_policy(&principal, &name)?;
        }
        if let Some(doc) = self.documents.iter_mut().find(|d| d.id == id) {
            doc.target = DocTarget::Identity {
                principal,
                name: new_name.to_owned(),
            };
        }
        self.touched = Touched::default();
        self.revision += 1;
        Ok(())
    }

    /// Detaches an identity policy.
    pub fn remove_identity_policy(&mut self, id: DocId) -> Result<(), ModelError> {
        let doc = self.document(id).ok_or(ModelError::UnknownDocument(id))?;
        let DocTarget::Identity { principal, name } = doc.target.clone() else {
            return Err(ModelError::UnknownDocument(id));
        };
        self.world.delete_identity_policy(&principal, &name)?;
        self.documents.retain(|d| d.id != id);
        self.after_world_change(Some(&principal), None);
        Ok(())
    }

    /// Moves the simulated clock forward by `millis` (grants become consistent, keys pending
    /// deletion go away).
    pub fn advance_clock(&mut self, millis: i64) {
        // Time changes cells too (a grant becomes consistent): the change line says which.
        let before = self.summaries.clone();
        self.now = self.now.plus_millis(millis);
        let mut env = kms_engine::kms::Env::new(self.now, &mut *self.rng);
        self.world.advance_time(&mut env);
        self.rebuild_documents();
        self.recompute_all();
        self.changes = self.diff(&before);
    }

    /// Runs `op` on the world at the simulated time with the app's randomness (a KMS call made
    /// from a hands-on panel or the console, as some caller), then brings everything derived from
    /// the world up to date: the documents, the matrix, and what changed.
    pub fn operate<R>(
        &mut self,
        op: impl FnOnce(&mut World, &mut kms_engine::kms::Env<'_>) -> R,
    ) -> R {
        let before = self.summaries.clone();
        let mut env = kms_engine::kms::Env::new(self.now, &mut *self.rng);
        let result = op(&mut self.world, &mut env);
        // The matrix first: it takes in new keys, whose policies the documents then follow.
        self.recompute_all();
        self.rebuild_documents();
        // A new or deleted key changes the matrix's shape; then there is nothing to compare.
        self.changes = self.diff(&before);
        result
    }

    /// Adds a principal to the world and as a matrix row; returns its ARN. `account` defaults
    /// to the scenario's account; a new account is created on demand.
    pub fn add_principal(
        &mut self,
        kind: NewPrincipal,
        name: &str,
        account: Option<&str>,
    ) -> Result<PrincipalArn, ModelError> {
        let account = account
            .map(str::to_owned)
            .or_else(|| self.world.accounts().first().map(|a| a.id.clone()))
            .unwrap_or_else(|| kms_engine::scenario::DEFAULT_ACCOUNT.to_owned());
        if self.world.account(&account).is_none() {
            self.world.add_account(&account, &account)?;
        }
        let arn = match kind {
            NewPrincipal::User => self.world.add_user(&account, name)?,
            NewPrincipal::Role => self.world.add_role(&account, name)?,
            NewPrincipal::AccountRoot => PrincipalArn::account_root(&account)
                .map_err(|e| WorldError::InvalidAccountId(e.0))?,
        };
        if self.principal_order.contains(&arn) {
            return Err(ModelError::World(WorldError::DuplicatePrincipal(
                arn.into_string(),
            )));
        }
        self.principal_order.push(arn.clone());
        self.rebuild_documents();
        self.recompute_all();
        Ok(arn)
    }

    /// Removes a principal from the world (a role takes its sessions) and from the matrix.
    pub fn remove_principal(&mut self, arn: &PrincipalArn) -> Result<(), ModelError> {
        self.world.remove_principal(arn)?;
        self.principal_order
            .retain(|p| self.world.principal(p).is_some());
        self.rebuild_documents();
        self.recompute_all();
        Ok(())
    }

    /// Replaces the source of key material, key ids, grant tokens and nonces: the browser's Web
    /// Crypto by default ([`platform::randomness`]); a test gives one that fails.
    pub fn set_randomness(&mut self, rng: Box<dyn Randomness>) {
        self.rng = rng;
    }

    /// Adds a key of the scenario's account, with alias `alias/NAME` and the key policy the
    /// CreateKey API gives when none is passed; returns its id.
    pub fn add_key(&mut self, name: &str, description: &str) -> Result<String, ModelError> {
        let account = self
            .world
            .accounts()
            .first()
            .map(|a| a.id.clone())
            .unwrap_or_else(|| kms_engine::scenario::DEFAULT_ACCOUNT.to_owned());
        if self.world.account(&account).is_none() {
            self.world.add_account(&account, &account)?;
        }
        let mut setup = kms_engine::world::KeySetup::new(account);
        setup.description = description.to_owned();
        setup.aliases = vec![format!("alias/{name}")];
        let id = self.world.add_key(setup, self.now, &mut *self.rng)?;
        self.key_order.push(id.clone());
        self.key_names.push((id.clone(), name.to_owned()));
        self.rebuild_documents();
        self.recompute_all();
        Ok(id)
    }

    /// Removes a key (and its aliases) from the world and the matrix at once, as if its
    /// deletion waiting period had passed.
    pub fn remove_key(&mut self, id: &str) -> Result<(), ModelError> {
        self.world.remove_key(id)?;
        self.rebuild_documents();
        self.recompute_all();
        Ok(())
    }

    // ---------------------------------------------------------------- derivation

    /// The document's problems, and its policy when it parses: the one parse of a keystroke,
    /// which the world then takes as it is.
    fn check_text(&self, target: &DocTarget, text: &str) -> (Vec<Diagnostic>, Option<Policy>) {
        match target {
            DocTarget::KeyPolicy(key) => {
                // Size first: KMS refuses a key policy over its limit whatever it says, so a
                // huge paste is not parsed at all and its error shows at once.
                if text.len() > KEY_POLICY_MAX_BYTES {
                    let index = LineIndex::new(text);
                    let mut report = Report::new(&index);
                    check_key_policy_text(text, &mut report);
                    return (report.into_diagnostics(), None);
                }
                let account = self.world.keys.get_by_arn(key).map(|k| k.account.clone());
                let parsed = check_policy(text, PolicyKind::KeyPolicy, account.as_deref());
                let mut diagnostics = parsed.diagnostics;
                if let Some(policy) = &parsed.policy {
                    diagnostics.extend(self.world.invalid_policy_principals(text, policy));
                    kms_engine::sort::sort_by_key(&mut diagnostics, |d| (d.span.start, d.severity));
                }
                (diagnostics, parsed.policy)
            }
            DocTarget::Identity { .. } => {
                let parsed = check_policy(text, PolicyKind::IdentityPolicy, None);
                (parsed.diagnostics, parsed.policy)
            }
        }
    }

    fn push_document(&mut self, target: DocTarget, text: &str) -> DocId {
        let id = DocId(self.next_doc);
        self.next_doc += 1;
        let (diagnostics, _) = self.check_text(&target, text);
        self.documents.push(Document {
            id,
            target,
            text: Rc::from(text),
            diagnostics: Rc::new(diagnostics),
            stale: false,
        });
        id
    }

    /// Makes the document list match the world: keeps documents (and their typed text) that
    /// still exist, adds new ones, drops vanished ones.
    fn rebuild_documents(&mut self) {
        self.sync_key_order();
        let mut wanted: Vec<(DocTarget, std::sync::Arc<str>)> = Vec::new();
        for id in &self.key_order {
            if let Some(key) = self.world.keys.get_by_arn(id) {
                wanted.push((DocTarget::KeyPolicy(id.clone()), key.policy.text.clone()));
            }
        }
        for principal in self.world.principals() {
            let Some(principal_arn) = principal.arn() else {
                continue;
            };
            if matches!(
                principal.kind,
                PrincipalKind::User { .. } | PrincipalKind::Role { .. }
            ) {
                for policy in &principal.policies {
                    wanted.push((
                        DocTarget::Identity {
                            principal: principal_arn.clone(),
                            name: policy.name.clone(),
                        },
                        policy.text.clone(),
                    ));
                }
            }
        }
        let old = std::mem::take(&mut self.documents);
        for (target, text) in wanted {
            match old.iter().find(|d| d.target == target) {
                // A document being edited keeps what was typed; one in step with the world
                // follows it (the world may have changed through the console or the wizard).
                Some(doc) if doc.stale || *doc.text == *text => self.documents.push(doc.clone()),
                Some(doc) => {
                    let (diagnostics, _) = self.check_text(&target, &text);
                    self.documents.push(Document {
                        id: doc.id,
                        target,
                        text: Rc::from(&*text),
                        diagnostics: Rc::new(diagnostics),
                        stale: false,
                    });
                }
                None => {
                    self.push_document(target, &text);
                }
            }
        }
    }

    fn after_world_change(&mut self, principal: Option<&PrincipalArn>, key: Option<&String>) {
        let started = platform::now_ms();
        let mut changed = Vec::new();
        let mut decisions = 0;
        self.touched = Touched {
            rows: principal
                .map(|p| self.rows_using_policies_of(p))
                .unwrap_or_default(),
            columns: key.and_then(|k| self.column_of(k)).into_iter().collect(),
            all: false,
        };
        if let Some(principal) = principal {
            let rows = self.matrix.recompute_row(&self.world, principal);
            decisions += rows.len() * self.columns.len() * self.matrix.actions().len();
            changed.extend(self.resummarize(&rows, &[]));
        }
        if let Some(key) = key {
            if let Some(column) = self.matrix.recompute_column(&self.world, key) {
                decisions += self.rows.len() * self.matrix.actions().len();
                changed.extend(self.resummarize(&[], &[column]));
            }
        }
        self.changes = self.with_causes(changed);
        self.stats = RunStats {
            decisions,
            millis: platform::now_ms() - started,
        };
        self.revision += 1;
    }

    /// Keeps the column order in step with the world: keys created since (by the wizard, the
    /// console) go last, deleted ones go away.
    fn sync_key_order(&mut self) {
        self.key_order
            .retain(|id| self.world.keys.get_by_arn(id).is_some());
        for key in self.world.keys.keys() {
            if !self.key_order.contains(&key.arn) {
                self.key_order.push(key.arn.clone());
            }
        }
    }

    /// Recomputes everything: heads, the whole matrix and every summary.
    fn recompute_all(&mut self) {
        let started = platform::now_ms();
        self.sync_key_order();
        self.principal_order
            .retain(|arn| self.world.principal(arn).is_some());
        self.rows = self
            .principal_order
            .iter()
            .filter_map(|arn| self.world.principal(arn))
            .filter_map(|p| {
                Some(RowHead {
                    arn: p.arn()?.clone(),
                    name: p.display_name(),
                    kind: crate::panels::kind_word(&p.kind),
                })
            })
            .collect();
        self.columns = self
            .key_order
            .iter()
            .filter_map(|id| self.world.keys.get_by_arn(id))
            .map(|key| ColumnHead {
                id: key.arn.clone(),
                name: self.key_name(&key.arn),
                arn: key.arn.clone(),
                state: key.state_at(self.now).as_str(),
                spec: key.spec,
            })
            .collect();
        let principals: Vec<PrincipalArn> = self.rows.iter().map(|r| r.arn.clone()).collect();
        let actions = self.set.kms_actions_for(&key_specs_of(&self.world));
        self.matrix = Matrix::compute(
            &self.world,
            &principals,
            &self.key_order,
            &actions,
            self.now,
        );
        self.summaries = Vec::with_capacity(self.rows.len() * self.columns.len());
        for row in 0..self.rows.len() {
            for column in 0..self.columns.len() {
                let summary = self.summarize(row, column);
                self.summaries.push(summary);
            }
        }
        self.stats = RunStats {
            decisions: self.matrix.len(),
            millis: platform::now_ms() - started,
        };
        self.touched = Touched::everything();
        self.revision += 1;
    }

    fn summarize(&self, row: usize, column: usize) -> CellSummary {
        let (state, spec) = self
            .columns
            .get(column)
            .map_or(("Enabled", KeySpec::SymmetricDefault), |c| {
                (c.state, c.spec)
            });
        summarize_matrix_cell(&self.set, &self.matrix, row, column, state, spec)
    }

    /// Sums up the cells of `rows` and `columns` again; returns the cells whose summary changed,
    /// with the summary they had (comparing only the cells recomputed, not the whole matrix).
    fn resummarize(
        &mut self,
        rows: &[usize],
        columns: &[usize],
    ) -> Vec<(usize, usize, CellSummary)> {
        let width = self.columns.len();
        let cells = rows
            .iter()
            .flat_map(|&row| (0..width).map(move |column| (row, column)))
            .chain(
                columns
                    .iter()
                    .flat_map(|&column| (0..self.rows.len()).map(move |row| (row, column))),
            )
            .collect::<Vec<_>>();
        let mut changed = Vec::new();
        for (row, column) in cells {
            let summary = self.summarize(row, column);
            if let Some(slot) = self.summaries.get_mut(row * width + column) {
                if *slot != summary {
                    changed.push((row, column, std::mem::replace(slot, summary)));
                }
            }
        }
        changed
    }

    /// The changes of [`Playground::resummarize`] with their new values and causes.
    fn with_causes(&self, changed: Vec<(usize, usize, CellSummary)>) -> Vec<CellChange> {
        let width = self.columns.len();
        changed
            .into_iter()
            .filter_map(|(row, column, before)| {
                let after = self.summaries.get(row * width + column)?.clone();
                Some(CellChange {
                    row,
                    column,
                    before,
                    after,
                    cause: self.cause(row, column),
                })
            })
            .collect()
    }

    fn diff(&self, before: &[CellSummary]) -> Vec<CellChange> {
        let width = self.columns.len();
        if before.len() != self.summaries.len() {
            return Vec::new();
        }
        before
            .iter()
            .zip(&self.summaries)
            .enumerate()
            .filter(|(_, (b, a))| b != a)
            .map(|(i, (b, a))| {
                let (row, column) = (i / width.max(1), i % width.max(1));
                CellChange {
                    row,
                    column,
                    before: b.clone(),
                    after: a.clone(),
                    cause: self.cause(row, column),
                }
            })
            .collect()
    }

    /// The statement behind a cell's value: the first explicit deny, else the first allow.
    fn cause(&self, row: usize, column: usize) -> Option<String> {
        let principal = self.world.principal(&self.rows.get(row)?.arn)?;
        let key = self.world.keys.get_by_arn(&self.columns.get(column)?.id)?;
        let verdicts: Vec<_> = (0..self.matrix.actions().len())
            .filter_map(|a| self.matrix.cell(row, column, a))
            .map(|c| c.verdict)
            .collect();
        let deciding = verdicts
            .iter()
            .find(|v| v.decision == kms_engine::policy::eval::Decision::ExplicitDeny)
            .or_else(|| verdicts.iter().find(|v| v.is_allowed()))?;
        verdict_cause(&self.world, principal, key, *deciding)
    }
}

/// The scenario's `expect` entries, checked live as a test list.
impl Playground {
    /// Every expectation of the scenario, decided against the world as it is now (the same
    /// check `kmsplay check` runs). Empty when the scenario has none.
    pub fn expectations(&self) -> Vec<kms_engine::scenario::CheckResult> {
        if self.base.as_ref().is_none_or(|b| b.expect.is_empty()) {
            return Vec::new();
        }
        let scenario = self.export();
        // Reasons only for failures: they say what went wrong; a pass needs no sentence, and
        // this runs on every keystroke.
        kms_engine::scenario::check(
            &scenario,
            "",
            &self.world,
            self.now,
            kms_engine::scenario::Reasons::Failures,
        )
    }

    /// Adds an expectation that `principal` × `key` × `action`, with `context` and
    /// `grant_tokens`, is decided `decision`: what the why panel shows now, pinned so that a
    /// later edit that changes it fails.
    pub fn add_expectation(
        &mut self,
        principal: &PrincipalArn,
        key: &str,
        action: kms_engine::catalog::Action,
        request: (
            Vec<(String, kms_engine::request::ContextValue)>,
            Vec<String>,
        ),
        decision: kms_engine::policy::eval::Decision,
    ) -> bool {
        let mut scenario = self.export();
        let key_arn = self.world.keys.get_by_arn(key).map(|k| k.arn.clone());
        let (Some(principal), Some(key)) = (
            scenario.principals.iter().position(|p| p.arn == *principal),
            key_arn.and_then(|arn| scenario.keys.iter().position(|k| k.arn == arn)),
        ) else {
            return false;
        };
        let path = format!("expect[{}]", scenario.expect.len());
        scenario.expect.push(kms_engine::scenario::Expectation {
            principal,
            key,
            action: action.name().to_owned(),
            context: request.0,
            grant_tokens: request.1,
            request_alias: None,
            decision,
            path,
            span: kms_engine::diagnostics::Span::default(),
        });
        self.base = Some(scenario);
        true
    }
}
