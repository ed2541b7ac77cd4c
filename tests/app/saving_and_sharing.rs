//! Export, import, share links and autosave: every way a world leaves the page comes back as the
//! same world.

#[path = "../../engine/fuzz/app_checks.rs"]
mod app_checks;
#[path = "../../engine/fuzz/replay.rs"]
mod replay;

use kms_engine::view::ActionSet;
use kms_playground::model::Playground;
use kms_playground::persist::{self, RestoreError};
use kms_playground::platform::epoch_ms_timestamp;
use kms_playground::presets::{self, Preset};
use kms_playground::share::{decode_share, encode_share};
use kms_playground::state::{AppState, Intent, Owner};

fn lecture() -> AppState {
    AppState::new(presets::lecture(epoch_ms_timestamp()))
}

/// Every cell as "principal key word", in the order shown.
fn cells(state: &AppState) -> Vec<String> {
    let model = state.model();
    let mut out = Vec::new();
    for (r, row) in model.rows().iter().enumerate() {
        for (c, column) in model.columns().iter().enumerate() {
            let word = &model.summary(r, c).unwrap().word;
            out.push(format!("{} {} {word}", row.name, column.name));
        }
    }
    out
}

fn edit_first_key_policy(state: &mut AppState, edit: impl Fn(&str) -> String) {
    let (doc, text) = {
        let model = state.model();
        let key = model.columns()[0].id.clone();
        let doc = model.key_policy_doc(&key).unwrap();
        (doc.id, doc.text.to_string())
    };
    state.apply(Intent::EditDocument {
        doc,
        text: edit(&text),
    });
}

#[test]
fn an_exported_scenario_imports_as_the_same_world() {
    let mut state = lecture();
    // Change something first, so the export is not just the preset.
    edit_first_key_policy(&mut state, |t| t.replace("kms:*", "kms:Encrypt"));
    state.apply(Intent::AddKey {
        name: "CMK-D".into(),
    });
    let exported = state.model().export().to_json();
    let before = cells(&state);
    let mut other = AppState::new(presets::blank(epoch_ms_timestamp()));
    other.apply(Intent::ImportScenario {
        text: exported.clone(),
        source: "lecture-edited.json".into(),
    });
    assert_eq!(cells(&other), before);
    assert!(before.iter().any(|c| c.starts_with("Alice CMK-D ")));
    // Exporting again gives the same file.
    assert_eq!(other.model().export().to_json(), exported);
}

#[test]
fn a_bad_file_changes_nothing_and_says_where_it_is_wrong() {
    let mut state = lecture();
    let before = cells(&state);
    state.apply(Intent::ImportScenario {
        text: "{\n  \"name\": \"x\",\n  \"keys\": [\n    {\"nam\": \"CMK-A\"}\n  ]\n}\n".into(),
        source: "broken.json".into(),
    });
    let notice = state.ui.notice.clone().unwrap();
    assert!(notice.error);
    assert!(notice.text.contains("Nothing was changed"));
    assert!(notice.text.contains("4:6"), "{}", notice.text);
    assert_eq!(cells(&state), before);
    assert_eq!(state.model().title(), "Lecture: 3 keys x 4 users");
}

#[test]
fn a_share_link_opens_as_the_same_matrix() {
    let mut state = lecture();
    edit_first_key_policy(&mut state, |t| t.replace("kms:*", "kms:Decrypt"));
    // The edit shows in the matrix, so a link that opened the plain lecture would fail below.
    assert_ne!(cells(&state), cells(&lecture()));
    let fragment = encode_share(&state.model().export().to_json(), kms_engine::VERSION);
    let shared = decode_share(&format!("#{fragment}")).unwrap();
    let opened = Playground::from_scenario_text(&shared.scenario, epoch_ms_timestamp()).unwrap();
    assert_eq!(cells(&AppState::new(opened)), cells(&state));
}

#[test]
fn autosave_restores_the_world_and_text_that_does_not_parse_yet() {
    let mut state = lecture();
    state.apply(Intent::SetActions(ActionSet::Group(
        kms_engine::catalog::ActionGroup::Cryptographic,
    )));
    let filter = kms_playground::matrix_view::MatrixFilter {
        principals: "alice bob".into(),
        keys: String::new(),
    };
    state.apply(Intent::SetMatrixFilter(filter.clone()));
    edit_first_key_policy(&mut state, |t| {
        t.replace("\"Effect\": \"Allow\"", "\"Effect\": \"Alow\"")
    });
    let draft = {
        let model = state.model();
        let doc = model.key_policy_doc(&model.columns()[0].id).unwrap();
        assert!(doc.stale);
        doc.text.to_string()
    };
    let saved = persist::save(&state);
    let restored = persist::restore(&saved, epoch_ms_timestamp()).unwrap();
    assert_eq!(cells(&restored), cells(&state));
    let model = restored.model();
    let doc = model.key_policy_doc(&model.columns()[0].id).unwrap();
    assert_eq!(&*doc.text, draft);
    assert!(doc.stale);
    assert!(doc.error_count() > 0);
    assert_eq!(
        *model.action_set(),
        ActionSet::Group(kms_engine::catalog::ActionGroup::Cryptographic)
    );
    // The matrix filter comes back too (a large import reopens filtered).
    assert_eq!(model.filter(), &filter);
}

#[test]
fn damaged_or_newer_saved_data_is_refused_by_name() {
    let now = epoch_ms_timestamp();
    assert!(matches!(
        persist::restore("{not json", now),
        Err(RestoreError::Corrupt(_))
    ));
    let newer = persist::save(&lecture()).replace("\"format\":1", "\"format\":99");
    assert_eq!(
        persist::restore(&newer, now).unwrap_err(),
        RestoreError::UnknownFormat(99)
    );
    let bad_scenario = r#"{"format":1,"engine":"0","scenario":"{\"keys\": 3}"}"#;
    assert!(matches!(
        persist::restore(bad_scenario, now),
        Err(RestoreError::Scenario(_))
    ));
}

#[test]
fn loading_a_preset_over_edits_can_be_undone() {
    let mut state = lecture();
    edit_first_key_policy(&mut state, |t| t.replace("kms:*", "kms:Encrypt"));
    let edited = cells(&state);
    state.apply(Intent::LoadPreset(Preset::Blank));
    assert!(state.model().rows().is_empty());
    assert!(state.ui.notice.as_ref().unwrap().undo);
    state.apply(Intent::Undo);
    assert_eq!(cells(&state), edited);
    state.apply(Intent::Redo);
    assert!(state.model().rows().is_empty());
}

#[test]
fn principals_and_keys_can_be_added_and_removed() {
    let mut state = lecture();
    state.apply(Intent::AddPrincipal {
        kind: kms_playground::model::NewPrincipal::Role,
        name: "Auditor".into(),
        account: None,
    });
    assert!(
        matches!(&state.ui.owner, Some(Owner::Principal(arn)) if arn.as_str().ends_with(":role/Auditor"))
    );
    state.apply(Intent::AddPrincipal {
        kind: kms_playground::model::NewPrincipal::AccountRoot,
        name: String::new(),
        account: Some("444455556666".into()),
    });
    let rows: Vec<String> = state
        .model()
        .rows()
        .iter()
        .map(|r| r.name.clone())
        .collect();
    assert_eq!(rows.len(), 6);
    // The other account's root is not trusted by any key: no access, but a row to show it.
    assert!(
        cells(&state)
            .iter()
            .any(|c| c.starts_with("root (444455556666) CMK-A None"))
    );
    state.apply(Intent::AddKey {
        name: "CMK-D".into(),
    });
    assert_eq!(state.model().columns().len(), 4);
    let d = state.model().columns()[3].id.clone();
    state.apply(Intent::RemoveKey(d));
    assert_eq!(state.model().columns().len(), 3);
    let bob = state.model().rows()[1].arn.clone();
    state.apply(Intent::RemovePrincipal(bob));
    assert!(!state.model().rows().iter().any(|r| r.name == "Bob"));
    state.apply(Intent::AddPrincipal {
        kind: kms_playground::model::NewPrincipal::User,
        name: "bad name!".into(),
        account: None,
    });
    assert!(state.ui.notice.as_ref().unwrap().error);
}

#[test]
fn every_preset_loads() {
    for preset in Preset::ALL {
        preset.load(epoch_ms_timestamp()).unwrap();
        assert_eq!(Preset::from_id(preset.id()), Some(preset));
        assert!(!preset.label().is_empty());
    }
}

#[test]
fn every_shipped_scenario_is_a_preset() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut shipped = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            shipped += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                Preset::ALL
                    .iter()
                    .any(|p| p.file_text() == Some(text.as_str())),
                "{} is not offered as a preset",
                path.display()
            );
        }
    }
    assert!(shipped >= 3, "scenarios/ holds the shipped files");
}

#[test]
fn the_matrix_exports_as_csv_and_markdown() {
    let mut state = lecture();
    // IAM user names may contain commas (IAM User Guide, reference_iam-quotas.html).
    state.apply(Intent::AddPrincipal {
        kind: kms_playground::model::NewPrincipal::User,
        name: "ops,oncall".into(),
        account: None,
    });
    // `=`, `+`, `@` and `-` are allowed in IAM user names too: a spreadsheet must not run them.
    state.apply(Intent::AddPrincipal {
        kind: kms_playground::model::NewPrincipal::User,
        name: "=1+1".into(),
        account: None,
    });
    let model = state.model();
    let view = kms_playground::matrix_view::matrix_view(&model, false, None);
    let csv = view.to_csv();
    assert!(csv.contains("\r\n\"'=1+1\",None,None,None\r\n"), "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "principal,CMK-A,CMK-B,CMK-C");
    assert_eq!(lines[3], "Charlie,Encrypt only,Allow,Deny");
    assert_eq!(lines[5], "\"ops,oncall\",None,None,None");
    let markdown = view.to_markdown();
    assert!(markdown.contains("| principal | CMK-A | CMK-B | CMK-C |"));
    assert!(markdown.contains("| Bob | None | Allow | Deny |"));
    let expanded = kms_playground::matrix_view::matrix_view(&model, true, None).to_csv();
    assert!(expanded.starts_with("principal,CMK-A kms:Encrypt,CMK-A kms:Decrypt,"));
    assert!(
        expanded
            .lines()
            .nth(3)
            .unwrap()
            .starts_with("Charlie,Allow,None,")
    );
}

/// The share-link fuzz target's committed corpus and crash inputs (`engine/fuzz/corpus/share/`)
/// keep its property on stable: a damaged link is an error, never a panic, and a link that opens
/// is written again as the same link.
#[test]
fn every_committed_share_link_fuzz_input_keeps_its_property() {
    let fuzz_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("engine/fuzz");
    replay::replay(&fuzz_dir, "share", app_checks::share);
}
