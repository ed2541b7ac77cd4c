//! The course companion through the app's reducer: the tour's steps load their worlds and their
//! predictions are scored against the engine; exercises check goals as the student types,
//! refuse edits outside `may_edit`, and "Save as exercise" writes a file the CLI accepts.

#![expect(clippy::unwrap_used, reason = "tests")]

use kms_engine::policy::eval::Decision;
use kms_playground::course::{
    CellGoal, CourseIntent, CourseRoute, EXERCISES, TOUR, exercise_file, fragment, route,
};
use kms_playground::model::DocTarget;
use kms_playground::panels::PanelIntent;
use kms_playground::panels::console::ConsoleIntent;
use kms_playground::presets;
use kms_playground::state::{AppState, Intent};

fn fresh() -> AppState {
    AppState::new(presets::lecture(
        kms_playground::platform::epoch_ms_timestamp(),
    ))
}

fn course(state: &mut AppState, intent: CourseIntent) {
    state.apply(Intent::Course(intent));
}

/// The answers the engine gives to the tour's predictions, in order. The lecture's claims they
/// stand for: a key policy alone decides (KMS Developer Guide, key-policies.html); the root
/// statement delegates to IAM (key-policy-default.html); IAM cannot reach past a key policy
/// that does not delegate; an explicit Deny wins (IAM User Guide,
/// reference_policies_evaluation-logic.html); a new grant works only with its token until it is
/// consistent, then alone (grants.html#grant_token); a revoked grant allows nothing
/// (grant-delete.html); key administrators get no cryptographic use (key-policy-default.html).
#[test]
fn every_tour_step_loads_its_world_and_answers_its_prediction() {
    let expected = [
        Decision::ImplicitDeny,
        Decision::Allow,
        Decision::ImplicitDeny,
        Decision::ExplicitDeny,
        Decision::ImplicitDeny,
        Decision::Allow,
        Decision::ImplicitDeny,
        Decision::ImplicitDeny,
    ];
    assert_eq!(TOUR.len(), expected.len());
    let mut state = fresh();
    for (i, want) in expected.iter().enumerate() {
        course(&mut state, CourseIntent::OpenTour(i));
        let tour = state.course.tour.clone().unwrap();
        assert_eq!(tour.step, i);
        let step = tour.current().unwrap();
        if step.statement.is_some() {
            assert!(
                state.ui.highlight.is_some(),
                "step {i} highlights no statement"
            );
            // The step shows its statement in the editor but leaves the focus on the course:
            // moving it would scroll a phone away from the question and open its keyboard.
            let reveal = state.ui.reveal.expect("the statement is revealed");
            assert!(!reveal.focus, "step {i} takes the focus to the editor");
        }
        assert!(state.ui.notice.is_none(), "step {i}: {:?}", state.ui.notice);
        course(&mut state, CourseIntent::Predict(Decision::Allow));
        let answer = state
            .course
            .tour
            .as_ref()
            .unwrap()
            .answer()
            .cloned()
            .unwrap();
        assert_eq!(answer.actual, *want, "step {i}: {}", answer.rule);
        assert!(!answer.rule.is_empty());
        let selection = state.ui.selection.clone().unwrap();
        assert!(selection.principal.as_str().ends_with(step.cells[0].0));
    }
    let tour = state.course.tour.clone().unwrap();
    assert_eq!(tour.score(), (2, 8));
}

#[test]
fn a_wrong_prediction_counts_and_shows_the_deciding_rule() {
    let mut state = fresh();
    course(&mut state, CourseIntent::OpenTour(3));
    course(&mut state, CourseIntent::Predict(Decision::ImplicitDeny));
    let tour = state.course.tour.clone().unwrap();
    let answer = tour.answer().unwrap();
    assert!(!answer.correct());
    assert!(
        answer.rule.contains("explicit Deny overrides every Allow"),
        "{}",
        answer.rule
    );
    assert_eq!(tour.score(), (0, 1));
    assert_eq!(fragment(&state.course).as_deref(), Some("#tour=4"));
    // Moving on keeps the score.
    course(&mut state, CourseIntent::OpenTour(4));
    assert_eq!(state.course.tour.as_ref().unwrap().score(), (0, 1));
}

#[test]
fn course_routes_come_from_the_url_fragment() {
    assert_eq!(route("#tour"), Some(CourseRoute::Tour(0)));
    assert_eq!(route("#tour=3"), Some(CourseRoute::Tour(2)));
    assert_eq!(route("#tour=0"), Some(CourseRoute::Tour(0)));
    assert_eq!(
        route("#exercise=grant-context"),
        Some(CourseRoute::Exercise("grant-context".into()))
    );
    assert_eq!(route("#tour=x"), None);
    assert_eq!(route("#fresh"), None);
    assert_eq!(route("#exercise="), None);
}

#[test]
fn the_catalog_holds_every_shipped_exercise() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/exercises");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .filter(|n| !n.ends_with(".solution"))
        .collect();
    kms_engine::sort::sort(&mut files);
    let mut ids: Vec<String> = EXERCISES.iter().map(|e| e.id.to_owned()).collect();
    kms_engine::sort::sort(&mut ids);
    assert_eq!(files, ids);
}

fn key_policy_doc(state: &AppState, key: &str) -> (kms_playground::model::DocId, String) {
    let model = state.model();
    let column = model.columns().iter().find(|c| c.name == key).unwrap();
    let doc = model.key_policy_doc(&column.id).unwrap();
    (doc.id, doc.text.to_string())
}

#[test]
fn typing_the_fix_solves_the_exercise_goal_by_goal() {
    let mut state = fresh();
    course(
        &mut state,
        CourseIntent::OpenExercise("context-condition".into()),
    );
    let session = state.course.exercise.clone().unwrap();
    assert_eq!(session.id.as_deref(), Some("context-condition"));
    let status = session.status(&state.model());
    assert!(!status.solved());
    assert_eq!(status.goals_met(), 2);
    let (doc, text) = key_policy_doc(&state, "Ledger");
    // Half-typed JSON changes nothing and loses nothing.
    let broken = text.replace("department\"", "dept");
    state.apply(Intent::EditDocument {
        doc,
        text: broken.clone(),
    });
    assert_eq!(state.model().document(doc).unwrap().text.as_ref(), broken);
    assert!(!session.status(&state.model()).solved());
    state.apply(Intent::EditDocument {
        doc,
        text: text.replace("department", "dept"),
    });
    assert!(state.ui.notice.is_none(), "{:?}", state.ui.notice);
    let status = state
        .course
        .exercise
        .as_ref()
        .unwrap()
        .status(&state.model());
    assert!(status.solved(), "{status:#?}");
}

#[test]
fn an_edit_outside_may_edit_is_refused_with_a_message() {
    let mut state = fresh();
    course(&mut state, CourseIntent::OpenExercise("deny-wins".into()));
    let david = state
        .model()
        .documents()
        .iter()
        .find(|d| matches!(&d.target, DocTarget::Identity { principal, .. } if principal.as_str().ends_with("user/David")))
        .map(|d| (d.id, d.text.to_string()))
        .unwrap();
    state.apply(Intent::EditDocument {
        doc: david.0,
        text: david.1.replace("kms:*", "kms:Encrypt"),
    });
    let notice = state.ui.notice.clone().unwrap();
    assert!(notice.error);
    assert!(
        notice
            .text
            .contains("does not let you change the IAM policies of David")
            && notice.text.contains("the key policy of CMK-C"),
        "{}",
        notice.text
    );
    assert_eq!(
        state.model().document(david.0).unwrap().text.as_ref(),
        david.1
    );
}

#[test]
fn a_console_call_that_changes_something_outside_may_edit_is_undone() {
    let mut state = fresh();
    course(&mut state, CourseIntent::OpenExercise("deny-wins".into()));
    for intent in [
        ConsoleIntent::SetInput(
            "aws kms disable-key --key-id 1a2b3c4d-0002-4000-8000-000000000002 --profile Alice"
                .into(),
        ),
        ConsoleIntent::Submit,
    ] {
        state.apply(Intent::Panel(PanelIntent::Console(intent)));
    }
    let notice = state.ui.notice.clone().unwrap();
    assert!(
        notice.text.contains("the state of CMK-C changed"),
        "{}",
        notice.text
    );
    let model = state.model();
    assert!(
        model
            .world()
            .keys
            .keys()
            .all(|k| k.is_enabled_at(model.now()))
    );
}

#[test]
fn a_share_link_carries_the_exercise() {
    let mut state = fresh();
    course(
        &mut state,
        CourseIntent::OpenExercise("grant-context".into()),
    );
    let exported = state.model().export().to_json();
    let mut other = fresh();
    other.apply(Intent::ImportScenario {
        text: exported,
        source: "the share link".into(),
    });
    let session = other.course.exercise.clone().unwrap();
    assert_eq!(session.id.as_deref(), Some("grant-context"));
    assert_eq!(session.scenario.exercise.goals.len(), 2);
}

#[test]
fn save_as_exercise_writes_a_file_with_goals_and_scopes() {
    let state = fresh();
    let model = state.model();
    let arn = |name: &str| format!("arn:aws:iam::111122223333:user/{name}");
    let key = model
        .columns()
        .iter()
        .find(|c| c.name == "CMK-B")
        .unwrap()
        .arn
        .clone();
    let goal = CellGoal {
        principal: arn("Alice"),
        key: key.clone(),
        action: "kms:Decrypt".into(),
        decision: Decision::Allow,
    };
    let rule = CellGoal {
        principal: arn("David"),
        key,
        action: "kms:Decrypt".into(),
        decision: Decision::Allow,
    };
    let text = exercise_file(
        &model,
        "Alice and CMK-B",
        "Let Alice decrypt with CMK-B.",
        &[goal],
        &[rule],
        &["key-policy:CMK-B".into()],
    )
    .unwrap();
    let scenario = kms_engine::scenario::Scenario::parse(&text).unwrap();
    assert_eq!(scenario.exercise.goals.len(), 1);
    assert_eq!(scenario.exercise.must_not.len(), 1);
    assert_eq!(
        scenario.description.as_deref(),
        Some("Let Alice decrypt with CMK-B.")
    );
    assert!(
        text.contains("\"may_edit\": [\"key-policy:CMK-B\"]"),
        "{text}"
    );
    let refused = exercise_file(&model, "t", "", &[], &[], &[]);
    assert!(refused.is_err());
    let unknown = exercise_file(
        &model,
        "t",
        "",
        &[CellGoal {
            principal: arn("Alice"),
            key: model.columns()[0].arn.clone(),
            action: "kms:Decrypt".into(),
            decision: Decision::Allow,
        }],
        &[],
        &["identity:Nobody".into()],
    );
    assert_eq!(
        unknown.unwrap_err(),
        "`identity:Nobody` names nothing in this world."
    );
}

#[test]
fn a_restored_autosave_of_an_exercise_reopens_it() {
    let mut state = fresh();
    course(&mut state, CourseIntent::OpenExercise("key-state".into()));
    let saved = kms_playground::persist::save(&state);
    let restored =
        kms_playground::persist::restore(&saved, kms_playground::platform::epoch_ms_timestamp())
            .unwrap();
    let session = restored.course.exercise.clone().unwrap();
    assert_eq!(session.id.as_deref(), Some("key-state"));
    assert!(!session.status(&restored.model()).solved());
}

#[test]
fn the_revealed_cell_explains_the_action_asked_about() {
    let mut state = fresh();
    course(&mut state, CourseIntent::OpenTour(3));
    course(&mut state, CourseIntent::Predict(Decision::ExplicitDeny));
    let action = state.ui.selection.as_ref().and_then(|s| s.action);
    assert_eq!(action.map(|a| a.name()), Some("kms:Decrypt"));
}
