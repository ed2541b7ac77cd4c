//! The analysis in the app, natively: the fixes of the selected cell and Apply (undoable, with
//! the change marks), the findings on key headers, unlisted principals and reachable cells.

#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use kms_engine::analysis::{FindingKind, Outcome, SyntheticKind};
use kms_engine::catalog::Action;
use kms_playground::analysis_view::{self, AnalysisView};
use kms_playground::presets;
use kms_playground::state::{AppState, CellSelection, Intent};

fn state(playground: kms_playground::model::Playground) -> AppState {
    AppState::new(playground)
}

fn selection(state: &AppState, user: &str, key: &str) -> CellSelection {
    let model = state.model();
    CellSelection {
        principal: model
            .rows()
            .iter()
            .find(|r| r.name == user)
            .unwrap()
            .arn
            .clone(),
        key: model
            .columns()
            .iter()
            .find(|c| c.name == key)
            .unwrap()
            .id
            .clone(),
        action: Some(Action::Decrypt),
    }
}

fn decision(state: &AppState, selection: &CellSelection, action: Action) -> Outcome {
    let model = state.model();
    Outcome::of_cell(
        model
            .matrix()
            .lookup(&selection.principal, &selection.key, action)
            .unwrap(),
    )
}

#[test]
fn applying_a_fix_flips_the_cell_marks_the_change_and_undoes() {
    let now = kms_playground::platform::epoch_ms_timestamp();
    let mut app = state(presets::lecture(now));
    let bob = selection(&app, "Bob", "CMK-A");
    assert_eq!(decision(&app, &bob, Action::Decrypt), Outcome::ImplicitDeny);
    let report = analysis_view::fixes_for(&app.model(), &bob, Action::Decrypt).unwrap();
    assert!(report.to_allow);
    let fix = report.fixes[0].clone();
    assert!(
        fix.summary.starts_with("To allow Bob kms:Decrypt on CMK-A"),
        "{}",
        fix.summary
    );
    app.apply(Intent::ApplyFix(Box::new(fix)));
    assert_eq!(decision(&app, &bob, Action::Decrypt), Outcome::Allow);
    {
        let model = app.model();
        let row = model.row_of(bob.principal.as_str()).unwrap();
        let column = model.column_of(&bob.key).unwrap();
        assert!(
            model
                .changes()
                .iter()
                .any(|c| c.row == row && c.column == column),
            "the matrix marks the flipped cell"
        );
    }
    assert!(app.undo_label().unwrap().starts_with("To allow Bob"));
    app.apply(Intent::Undo);
    assert_eq!(decision(&app, &bob, Action::Decrypt), Outcome::ImplicitDeny);
}

#[test]
fn findings_land_on_their_key_and_the_view_toggles() {
    let now = kms_playground::platform::epoch_ms_timestamp();
    let mut app = state(presets::Preset::Demo2.load(now).unwrap());
    let key = app.model().columns()[0].id.clone();
    let findings = analysis_view::findings(&app.model());
    let on_key = analysis_view::findings_for_key(&findings, &key);
    assert!(on_key.iter().any(|f| f.kind == FindingKind::Escalation));
    // Administrators can reach Decrypt through PutKeyPolicy: the reachable view says so.
    let escalations = analysis_view::reachable(&app.model());
    let admin = app
        .model()
        .rows()
        .iter()
        .find(|r| r.name.contains("Admin"))
        .unwrap()
        .arn
        .clone();
    let words = analysis_view::reachable_cell(&escalations, &admin, &key, Action::Decrypt).unwrap();
    assert!(words.starts_with("reachable in 1 step via kms:"), "{words}");
    app.apply(Intent::SetAnalysisView(AnalysisView {
        synthetic: true,
        reachable: true,
    }));
    assert!(app.ui.analysis.synthetic && app.ui.analysis.reachable);
    let rows = analysis_view::synthetic_rows(&app.model());
    assert_eq!(rows.len(), 5);
    assert!(
        rows.iter()
            .find(|r| r.kind == SyntheticKind::Anonymous)
            .unwrap()
            .cells
            .iter()
            .all(|c| c.outcome == Outcome::ImplicitDeny)
    );
}
