//! Autosave: the playground as a scenario file plus the documents that do not parse yet, so a
//! reload finds everything as it was left, including half-typed text.
//!
//! Saved data is read defensively: anything unreadable (corrupt, from a newer version, a scenario
//! the engine now rejects) is an error the app reports, offering the raw text for download,
//! while it starts from the lecture. It never leaves a blank or crashed page.

use crate::matrix_view::MatrixFilter;
use crate::model::{DocTarget, Playground};
use crate::state::AppState;
use kms_engine::entropy::Timestamp;
use kms_engine::request::PrincipalArn;
use kms_engine::scenario::ScenarioError;
use kms_engine::view::ActionSet;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The localStorage key of the autosave.
pub const STORAGE_KEY: &str = "kms-playground.autosave";

/// The autosave format this build writes and reads.
pub const SAVE_FORMAT: u32 = 1;

/// A document whose text differs from the world's (it does not parse yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Draft {
    /// A key policy, by key ARN.
    KeyPolicy {
        /// The key's ARN.
        key: String,
        /// The text as typed.
        text: String,
    },
    /// An identity policy.
    Identity {
        /// The principal's ARN.
        principal: String,
        /// The policy's name.
        name: String,
        /// The text as typed.
        text: String,
    },
}

/// What the autosave holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// [`SAVE_FORMAT`].
    pub format: u32,
    /// The engine version that wrote it.
    pub engine: String,
    /// The world as a scenario file.
    pub scenario: String,
    /// Documents being edited that do not parse.
    #[serde(default)]
    pub drafts: Vec<Draft>,
    /// The matrix's actions ([`ActionSet::id`]).
    #[serde(default)]
    pub actions: Option<String>,
    /// One column per action.
    #[serde(default)]
    pub expanded: bool,
    /// The principals and keys the matrix shows.
    #[serde(default)]
    pub filter: MatrixFilter,
}

/// Why saved data could not be restored.
#[derive(Clone, Debug, PartialEq)]
pub enum RestoreError {
    /// The data is not the autosave's JSON.
    Corrupt(String),
    /// A newer (or unknown) autosave format.
    UnknownFormat(u32),
    /// The saved scenario is not one this engine accepts.
    Scenario(ScenarioError),
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestoreError::Corrupt(why) => write!(f, "the saved data is damaged ({why})"),
            RestoreError::UnknownFormat(v) => write!(
                f,
                "the saved data has format {v}, which this version cannot read (it reads format {SAVE_FORMAT})"
            ),
            RestoreError::Scenario(e) => write!(f, "the saved scenario has problems:\n{e}"),
        }
    }
}

impl std::error::Error for RestoreError {}

/// The autosave text for `state`.
pub fn save(state: &AppState) -> String {
    let model = state.model();
    let drafts = model
        .documents()
        .iter()
        .filter(|d| d.stale)
        .filter_map(|d| match &d.target {
            DocTarget::KeyPolicy(key) => Some(Draft::KeyPolicy {
                key: model.world().keys.get_by_arn(key)?.arn.clone(),
                text: d.text.to_string(),
            }),
            DocTarget::Identity { principal, name } => Some(Draft::Identity {
                principal: principal.to_string(),
                name: name.clone(),
                text: d.text.to_string(),
            }),
        })
        .collect();
    let saved = Saved {
        format: SAVE_FORMAT,
        engine: kms_engine::VERSION.to_owned(),
        scenario: model.export().to_json(),
        drafts,
        actions: Some(model.action_set().id()),
        expanded: state.ui.expanded,
        filter: model.filter().clone(),
    };
    serde_json::to_string(&saved).unwrap_or_default()
}

/// Restores a state saved by [`save`], at time `now`.
pub fn restore(text: &str, now: Timestamp) -> Result<AppState, RestoreError> {
    let saved: Saved =
        serde_json::from_str(text).map_err(|e| RestoreError::Corrupt(e.to_string()))?;
    if saved.format != SAVE_FORMAT {
        return Err(RestoreError::UnknownFormat(saved.format));
    }
    // The saved actions from the start: a large world is computed once, for them only.
    let saved_set = saved.actions.as_deref().and_then(ActionSet::from_id);
    let mut playground = Playground::from_scenario_text_or(
        &saved.scenario,
        now,
        saved_set.clone().unwrap_or(ActionSet::All),
    )
    .map_err(RestoreError::Scenario)?;
    if let Some(set) = saved_set {
        if *playground.action_set() != set {
            playground.set_action_set(set);
        }
    }
    playground.set_filter(saved.filter.clone());
    for draft in &saved.drafts {
        let doc = match draft {
            Draft::KeyPolicy { key, .. } => playground
                .world()
                .keys
                .get_by_arn(key)
                .map(|k| k.arn.clone())
                .and_then(|arn| playground.key_policy_doc(&arn))
                .map(|d| d.id),
            Draft::Identity {
                principal, name, ..
            } => PrincipalArn::parse(principal).ok().and_then(|principal| {
                playground
                    .identity_docs(&principal)
                    .find(|d| matches!(&d.target, DocTarget::Identity { name: n, .. } if n == name))
                    .map(|d| d.id)
            }),
        };
        let text = match draft {
            Draft::KeyPolicy { text, .. } | Draft::Identity { text, .. } => text,
        };
        if let Some(doc) = doc {
            // A draft of a document that no longer exists is dropped; the rest is restored.
            let _ = playground.edit_document(doc, text);
        }
    }
    let mut state = AppState::new(playground);
    state.ui.expanded = saved.expanded;
    Ok(state)
}
