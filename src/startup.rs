//! How the page starts and who owns the autosave, natively tested; `ui::app` only reads the URL
//! and localStorage and hands them here.
//!
//! A page opened from the autosave (or with nothing saved) saves every change. A page opened
//! from a share link, `#fresh`, or saved data that could not be read leaves the autosave alone
//! until the user changes something: only then does this tab take the autosave over (and drop
//! the link from the address bar, so a reload restores the edit rather than the link).

use crate::persist;
use crate::presets;
use crate::share::{StartRequest, start_request};
use crate::state::{AppState, CellSelection, Intent};
use kms_engine::entropy::Timestamp;
use kms_engine::request::PrincipalArn;

/// How the page started, which decides when autosave may overwrite what is saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// From the autosave (or nothing saved): save every change.
    Saved,
    /// From a share link, `#fresh`, or saved data that could not be read: leave the autosave
    /// alone until the user changes something.
    KeepSaved,
}

/// The state the page opens with, from the URL fragment `hash` and the autosaved text.
pub fn initial_state(hash: &str, saved: Option<String>, now: Timestamp) -> (AppState, Start) {
    let lecture = || AppState::new(presets::lecture(now));
    // `#tour`, `#tour=3`, `#exercise=<id>`: a course page links to its place in the playground.
    // The course keeps its place in the fragment, so these start like a saved session.
    if let Some(route) = crate::course::route(hash) {
        let mut state = lecture();
        state.apply(Intent::Course(match route {
            crate::course::CourseRoute::Tour(step) => crate::course::CourseIntent::OpenTour(step),
            crate::course::CourseRoute::Exercise(id) => {
                crate::course::CourseIntent::OpenExercise(id)
            }
        }));
        return (state, Start::Saved);
    }
    match start_request(hash) {
        StartRequest::Fresh => (lecture(), Start::KeepSaved),
        StartRequest::Shared(Ok(shared)) => {
            let mut state = lecture();
            state.apply(Intent::ImportScenario {
                text: shared.scenario,
                source: "the share link".into(),
            });
            if shared.engine_version != kms_engine::VERSION {
                state.apply(Intent::Notify {
                    text: format!(
                        "This link was made with engine {}; this page runs engine {}. Decisions follow this engine.",
                        shared.engine_version,
                        kms_engine::VERSION
                    ),
                    error: false,
                });
            }
            if let Some(focus) = shared.focus {
                // A key ARN, or (in links made before keys were named by ARN) a key id of
                // the world's Region.
                let arn = {
                    let model = state.model();
                    let world = model.world();
                    match kms_engine::store::KeyId::parse(&focus.key) {
                        Some(id) => world
                            .keys
                            .get_in(world.region(), &id)
                            .map(|k| k.arn.clone()),
                        None => Some(focus.key.clone()),
                    }
                };
                let known = arn.zip(PrincipalArn::parse(&focus.principal).ok()).filter(
                    |(key, principal)| {
                        let model = state.model();
                        model.row_of(principal.as_str()).is_some() && model.column_of(key).is_some()
                    },
                );
                if let Some((key, principal)) = known {
                    let focus = *focus;
                    let action = focus
                        .action
                        .as_deref()
                        .and_then(kms_engine::catalog::Action::from_name);
                    state.apply(Intent::ShowRequest {
                        selection: CellSelection {
                            principal,
                            key,
                            action,
                        },
                        request: Box::new(focus.request),
                    });
                }
            }
            (state, Start::KeepSaved)
        }
        StartRequest::Shared(Err(e)) => {
            let mut state = lecture();
            state.apply(Intent::Notify {
                text: format!(
                    "The share link could not be opened: {e}. The lecture was opened instead."
                ),
                error: true,
            });
            (state, Start::KeepSaved)
        }
        StartRequest::Saved => match saved {
            None => (lecture(), Start::Saved),
            Some(raw) => match persist::restore(&raw, now) {
                Ok(state) => (state, Start::Saved),
                Err(e) => {
                    let mut state = lecture();
                    state.apply(Intent::Notify {
                        text: format!("Could not restore the saved playground: {e}"),
                        error: true,
                    });
                    state.apply(Intent::OfferRecovery(Some(raw)));
                    (state, Start::KeepSaved)
                }
            },
        },
    }
}

/// What to do with the autosave after a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutosaveStep {
    /// Nothing: the page still shows what it opened with, and the saved data is someone
    /// else's (a link, `#fresh`, unreadable data kept for recovery).
    Leave,
    /// Save.
    Save,
    /// The first change of a page that opened from a link: save, and drop the link from the
    /// address bar.
    TakeOver,
}

/// Whether this tab may write the autosave yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AutosaveOwner {
    start: Start,
    opened_at: Option<u64>,
}

impl AutosaveOwner {
    /// The owner for a page that started as `start`.
    pub fn new(start: Start) -> AutosaveOwner {
        AutosaveOwner {
            start,
            opened_at: None,
        }
    }

    /// Called whenever the model may have changed, with its revision; the first call records
    /// what the page opened with.
    pub fn changed(&mut self, revision: u64) -> AutosaveStep {
        let opened_at = *self.opened_at.get_or_insert(revision);
        match self.start {
            Start::Saved => AutosaveStep::Save,
            Start::KeepSaved if revision == opened_at => AutosaveStep::Leave,
            Start::KeepSaved => {
                self.start = Start::Saved;
                AutosaveStep::TakeOver
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::share::{SharedFocus, encode_focus, encode_share};
    use crate::why::RequestInputs;

    const NOW: Timestamp = Timestamp(1_767_225_600_000);

    #[test]
    fn a_page_from_a_link_leaves_the_autosave_alone_until_the_first_change() {
        let mut owner = AutosaveOwner::new(Start::KeepSaved);
        assert_eq!(owner.changed(3), AutosaveStep::Leave);
        assert_eq!(owner.changed(3), AutosaveStep::Leave);
        assert_eq!(owner.changed(4), AutosaveStep::TakeOver);
        assert_eq!(owner.changed(5), AutosaveStep::Save);
        let mut saved = AutosaveOwner::new(Start::Saved);
        assert_eq!(saved.changed(0), AutosaveStep::Save);
    }

    #[test]
    fn the_fragment_and_the_saved_data_decide_the_start() {
        let (state, start) = initial_state("#fresh", Some("{}".into()), NOW);
        assert_eq!(start, Start::KeepSaved);
        assert!(state.ui.recovery.is_none());
        let (_, start) = initial_state("", None, NOW);
        assert_eq!(start, Start::Saved);
        let (state, start) = initial_state("", Some("{\"format\": 1, \"scen".into()), NOW);
        assert_eq!(
            start,
            Start::KeepSaved,
            "unreadable data is kept for recovery"
        );
        assert!(state.ui.recovery.is_some());
    }

    #[test]
    fn a_link_with_a_focus_opens_the_why_panel_on_its_cell_and_request() {
        let lecture = AppState::new(presets::lecture(NOW));
        let scenario = lecture.model().export().to_json();
        let (principal, key) = {
            let model = lecture.model();
            (model.rows()[2].arn.clone(), model.columns()[0].id.clone())
        };
        let request = RequestInputs {
            encryption_context: vec![("dept".into(), "eng".into())],
            ..RequestInputs::default()
        };
        let focus = SharedFocus {
            principal: principal.to_string(),
            key: key.to_string(),
            action: Some("kms:Decrypt".into()),
            request: request.clone(),
        };
        let hash = format!(
            "#{}{}",
            encode_share(&scenario, kms_engine::VERSION),
            encode_focus(&focus)
        );
        let (state, start) = initial_state(&hash, None, NOW);
        assert_eq!(start, Start::KeepSaved);
        let selection = state.ui.selection.clone().unwrap();
        assert_eq!((selection.principal, selection.key), (principal, key));
        assert_eq!(selection.action, Some(kms_engine::catalog::Action::Decrypt));
        assert_eq!(state.ui.request, request);
    }
}
