//! The app's state flows, natively: intents in, the engine's matrix out.

use kms_engine::view::{ActionSet, CellKind};
use kms_playground::model::DocTarget;
use kms_playground::presets;
use kms_playground::state::{AppState, Intent};

const ACCOUNT: &str = "111122223333";

fn lecture() -> AppState {
    AppState::new(presets::lecture(
        kms_playground::platform::epoch_ms_timestamp(),
    ))
}

fn allow_all(principals: &[&str]) -> String {
    let list: Vec<String> = principals
        .iter()
        .map(|p| format!("\"arn:aws:iam::{ACCOUNT}:{p}\""))
        .collect();
    format!(
        r#"{{"Effect": "Allow", "Principal": {{"AWS": [{}]}}, "Action": "kms:*", "Resource": "*"}}"#,
        list.join(", ")
    )
}

/// The word in the cell of `user` × `key`.
fn cell(state: &AppState, user: &str, key: &str) -> (CellKind, String) {
    let model = state.model();
    let row = model.rows().iter().position(|r| r.name == user).unwrap();
    let column = model.columns().iter().position(|c| c.name == key).unwrap();
    let summary = model.summary(row, column).unwrap();
    (summary.kind, summary.word.clone())
}

fn key_doc(state: &AppState, key: &str) -> (kms_playground::model::DocId, String) {
    let model = state.model();
    let id = model
        .columns()
        .iter()
        .find(|c| c.name == key)
        .unwrap()
        .id
        .clone();
    let doc = model.key_policy_doc(&id).unwrap();
    (doc.id, doc.text.to_string())
}

#[test]
fn the_lecture_matrix_reads_as_the_lecture_says() {
    // The scenario's own columns: kms:Encrypt and kms:Decrypt.
    let mut state = lecture();
    let expected = [
        ("Alice", ["Allow", "None", "Allow"]),
        ("Bob", ["None", "Allow", "Deny"]),
        ("Charlie", ["Encrypt only", "Allow", "Deny"]),
        ("David", ["None", "None", "Deny"]),
    ];
    for (user, words) in expected {
        for (key, word) in ["CMK-A", "CMK-B", "CMK-C"].iter().zip(words) {
            assert_eq!(cell(&state, user, key).1, word, "{user} x {key}");
        }
    }
    assert_eq!(cell(&state, "Bob", "CMK-C").0, CellKind::ExplicitDeny);
    assert_eq!(cell(&state, "David", "CMK-A").0, CellKind::ImplicitDeny);
    // Over every key action, the lecture's "full access" reads Full.
    state.apply(Intent::SetActions(ActionSet::All));
    assert_eq!(cell(&state, "Alice", "CMK-A").1, "Full");
    assert_eq!(cell(&state, "Bob", "CMK-B").1, "Full");
    assert_eq!(cell(&state, "Charlie", "CMK-A").1, "Encrypt only");
    assert_eq!(cell(&state, "David", "CMK-C").1, "Deny");
}

#[test]
fn trusting_the_account_in_cmk_b_lets_alices_iam_policy_work() {
    // KMS Developer Guide, key-policy-default.html: IAM policies count only when the key
    // policy allows the account principal.
    let mut state = lecture();
    assert_eq!(cell(&state, "Alice", "CMK-B").1, "None");
    let (doc, text) = key_doc(&state, "CMK-B");
    let root = allow_all(&["root"]);
    let edited = text.replacen("\"Statement\": [", &format!("\"Statement\": [{root}, "), 1);
    state.apply(Intent::EditDocument { doc, text: edited });
    assert_eq!(
        cell(&state, "Alice", "CMK-B"),
        (CellKind::Allow, "Allow".into())
    );
    // Bob has no IAM policy: the delegation gives him nothing new.
    assert_eq!(cell(&state, "Bob", "CMK-B").1, "Allow");
    assert_eq!(cell(&state, "David", "CMK-B").1, "Allow");
    let model = state.model();
    let changed: Vec<&str> = model
        .changes()
        .iter()
        .map(|c| model.rows()[c.row].name.as_str())
        .collect();
    assert_eq!(changed, vec!["Alice", "David"]);
    assert!(model.stats().decisions > 0);
}

#[test]
fn a_deny_for_alice_in_cmk_a_flips_her_cell_to_explicit_deny() {
    // IAM User Guide, reference_policies_evaluation-logic.html: an explicit deny wins over
    // every allow.
    let mut state = lecture();
    let (doc, text) = key_doc(&state, "CMK-A");
    let deny = format!(
        r#"{{"Sid": "DenyAlice", "Effect": "Deny", "Principal": {{"AWS": "arn:aws:iam::{ACCOUNT}:user/Alice"}}, "Action": "kms:*", "Resource": "*"}}"#
    );
    let edited = text.replacen("\"Statement\": [", &format!("\"Statement\": [{deny}, "), 1);
    state.apply(Intent::EditDocument { doc, text: edited });
    assert_eq!(
        cell(&state, "Alice", "CMK-A"),
        (CellKind::ExplicitDeny, "Deny".into())
    );
    let model = state.model();
    let change = &model.changes()[0];
    assert_eq!(change.before.word, "Allow");
    assert_eq!(change.after.word, "Deny");
    assert_eq!(
        change.cause.as_deref(),
        Some("statement DenyAlice in the key policy")
    );
}

#[test]
fn invalid_json_keeps_the_last_matrix_and_reports_line_and_column() {
    let mut state = lecture();
    let (doc, text) = key_doc(&state, "CMK-C");
    // Drop the comma between the first two statements: the parser stops at the second `{`.
    let broken = text.replacen(
        "    },\n    {\n      \"Sid\": \"Full",
        "    }\n    {\n      \"Sid\": \"Full",
        1,
    );
    assert_ne!(broken, text);
    state.apply(Intent::EditDocument {
        doc,
        text: broken.clone(),
    });
    let model = state.model();
    let document = model.document(doc).unwrap();
    assert!(document.stale);
    assert_eq!(&*document.text, broken, "nothing typed is lost");
    let first = &document.diagnostics[0];
    let at = broken.find("    }\n    {").unwrap() + "    }\n    ".len();
    let line = broken[..at].matches('\n').count() + 1;
    assert_eq!((first.start.line, first.start.column), (line as u32, 5));
    assert_eq!(line, 13);
    drop(model);
    // The matrix is the last valid one, marked stale.
    assert_eq!(cell(&state, "Bob", "CMK-C").1, "Deny");
    let model = state.model();
    let column = model
        .columns()
        .iter()
        .position(|c| c.name == "CMK-C")
        .unwrap();
    assert!(model.is_stale(0, column));
    assert!(!model.is_stale(0, 0));
}

/// A key policy over KMS's 32,768-byte limit is refused with LimitExceededException whatever it
/// says (KMS API Reference, PutKeyPolicy: Policy, "Maximum length of 32768"); the editor shows
/// that error alone, at once, without parsing the rest, and keeps the text and the last matrix.
#[test]
fn an_oversized_key_policy_shows_only_the_size_error_and_keeps_the_matrix() {
    let mut state = lecture();
    let (doc, text) = key_doc(&state, "CMK-C");
    // Valid JSON, but ten times the limit (and broken further on, which is not looked at).
    let padding = " ".repeat(320_000);
    let pasted = format!("{{{padding}{}", text.get(1..).unwrap()).replacen("]", "", 1);
    state.apply(Intent::EditDocument {
        doc,
        text: pasted.clone(),
    });
    let model = state.model();
    let document = model.document(doc).unwrap();
    assert!(document.stale);
    assert_eq!(&*document.text, pasted, "nothing typed is lost");
    assert_eq!(document.diagnostics.len(), 1, "{:?}", document.diagnostics);
    assert_eq!(document.diagnostics[0].code, "policy-too-large");
    assert_eq!(
        document.diagnostics[0].kms_exception,
        Some("LimitExceededException")
    );
    drop(model);
    assert_eq!(cell(&state, "Bob", "CMK-C").1, "Deny");
}

#[test]
fn identity_policies_can_be_added_renamed_and_removed() {
    let mut state = lecture();
    let bob = format!("arn:aws:iam::{ACCOUNT}:user/Bob");
    state.apply(Intent::AddPolicy {
        principal: bob.clone(),
        name: "BobKms".into(),
    });
    let doc = state.ui.document.unwrap();
    let a = state.model().columns()[0].arn.clone();
    state.apply(Intent::EditDocument {
        doc,
        text: format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "{a}"}}]}}"#
        ),
    });
    assert_eq!(
        state.ui.notice,
        None,
        "{:?}",
        state.model().document(doc).unwrap().diagnostics
    );
    assert_eq!(cell(&state, "Bob", "CMK-A").1, "Decrypt only");
    state.apply(Intent::RenamePolicy {
        doc,
        name: "BobDecrypt".into(),
    });
    assert!(matches!(
        &state.model().document(doc).unwrap().target,
        DocTarget::Identity { name, .. } if name == "BobDecrypt"
    ));
    state.apply(Intent::RenamePolicy {
        doc,
        name: "no spaces allowed".into(),
    });
    assert!(state.ui.notice.as_ref().unwrap().error);
    state.apply(Intent::RemovePolicy(doc));
    assert_eq!(cell(&state, "Bob", "CMK-A").1, "None");
}

#[test]
fn a_key_created_in_the_console_gets_a_column_and_an_editable_policy_at_once() {
    use kms_playground::panels::PanelIntent;
    use kms_playground::panels::console::ConsoleIntent;
    let mut state = lecture();
    state.apply(Intent::Panel(PanelIntent::SetCaller(format!(
        "arn:aws:iam::{ACCOUNT}:root"
    ))));
    state.apply(Intent::Panel(PanelIntent::Console(
        ConsoleIntent::SetInput("aws kms create-key --description made-in-the-console".into()),
    )));
    state.apply(Intent::Panel(PanelIntent::Console(ConsoleIntent::Submit)));
    let model = state.model();
    assert_eq!(model.columns().len(), 4, "the new key is a column");
    let key = &model.columns()[3].id;
    let doc = model.key_policy_doc(key).expect("its policy is a document");
    // CreateKey without a policy gives the API default (KMS Developer Guide, key-policy-default.html).
    assert!(doc.text.contains("Enable IAM User Permissions"));
}

#[test]
fn loading_a_scenario_sets_its_own_caller_and_says_so() {
    use kms_playground::panels::PanelIntent;
    use kms_playground::presets::Preset;
    let mut state = lecture();
    let bob = format!("arn:aws:iam::{ACCOUNT}:user/Bob");
    state.apply(Intent::Panel(PanelIntent::SetCaller(bob.clone())));
    state.apply(Intent::LoadPreset(Preset::Demo2));
    state.apply(Intent::LoadPreset(Preset::Lecture));
    let alice = format!("arn:aws:iam::{ACCOUNT}:user/Alice");
    assert_eq!(state.panels.caller.as_deref(), Some(alice.as_str()));
    let notice = state.ui.notice.clone().unwrap();
    assert!(notice.text.ends_with("Caller: Alice."), "{}", notice.text);
    // Undo keeps a caller that still exists.
    state.apply(Intent::Panel(PanelIntent::SetCaller(bob.clone())));
    state.apply(Intent::Undo);
    assert_eq!(state.panels.caller.as_deref(), Some(bob.as_str()));
}

#[test]
fn replay_demo1_over_a_changed_demo1_starts_from_a_fresh_one() {
    use kms_playground::panels::PanelIntent;
    use kms_playground::panels::console::ConsoleIntent;
    use kms_playground::presets::Preset;
    let mut state = lecture();
    state.apply(Intent::LoadPreset(Preset::Demo1));
    state.apply(Intent::RemovePrincipal(format!(
        "arn:aws:iam::{ACCOUNT}:user/Bob"
    )));
    state.apply(Intent::Panel(PanelIntent::Console(
        ConsoleIntent::ReplayDemo1,
    )));
    assert!(state.panels.console.replay.is_some(), "the replay starts");
    assert!(
        state.model().rows().iter().any(|r| r.name == "Bob"),
        "from demo 1 as shipped, Bob included"
    );
    state.apply(Intent::Undo);
    assert!(
        !state.model().rows().iter().any(|r| r.name == "Bob"),
        "Undo brings the changed world back"
    );
}

#[test]
fn undo_names_a_removed_key_and_a_removed_principal_by_name() {
    let mut state = lecture();
    let key = state.model().columns()[2].id.clone();
    state.apply(Intent::RemoveKey(key));
    assert_eq!(state.undo_label().as_deref(), Some("remove key CMK-C"));
    state.apply(Intent::RemovePrincipal(format!(
        "arn:aws:iam::{ACCOUNT}:user/David"
    )));
    assert_eq!(state.undo_label().as_deref(), Some("remove David"));
}

#[test]
fn choosing_a_principal_or_a_statement_shows_the_editor_on_a_narrow_screen() {
    use kms_playground::state::{Owner, Pane};
    let mut state = lecture();
    assert_eq!(
        state.ui.pane,
        Pane::Matrix,
        "a narrow screen opens on the matrix"
    );
    state.apply(Intent::SelectOwner(Owner::Principal(format!(
        "arn:aws:iam::{ACCOUNT}:user/Alice"
    ))));
    assert_eq!(state.ui.pane, Pane::Editor);
    state.apply(Intent::ShowPane(Pane::Lists));
    assert_eq!(state.ui.pane, Pane::Lists);
}

#[test]
fn the_selected_cell_becomes_an_expectation_that_fails_when_an_edit_changes_it() {
    use kms_playground::state::CellSelection;
    let mut state = lecture();
    let before = state.model().expectations();
    let (alice, cmk_a) = {
        let model = state.model();
        (model.rows()[0].arn.clone(), model.columns()[0].id.clone())
    };
    state.apply(Intent::SelectCell(CellSelection {
        principal: alice,
        key: cmk_a.clone(),
        action: None,
    }));
    state.apply(Intent::AddExpectation);
    let after = state.model().expectations();
    assert_eq!(after.len(), before.len() + 1);
    let added = after.last().unwrap();
    assert_eq!(
        (added.principal.as_str(), added.key.as_str()),
        ("Alice", "CMK-A")
    );
    assert!(added.passed, "it pins what the engine decides now");
    // Denying Alice in CMK-A's key policy makes it fail at once.
    let doc = state.model().key_policy_doc(&cmk_a).unwrap().id;
    let text = state.model().document(doc).unwrap().text.clone();
    let denied = text.replacen(
        "\"Statement\": [",
        &format!("\"Statement\": [{{\"Effect\": \"Deny\", \"Principal\": {{\"AWS\": \"arn:aws:iam::{ACCOUNT}:user/Alice\"}}, \"Action\": \"kms:*\", \"Resource\": \"*\"}},"),
        1,
    );
    state.apply(Intent::EditDocument { doc, text: denied });
    let added = state.model().expectations().last().cloned().unwrap();
    assert!(!added.passed, "{added:?}");
}

#[test]
fn undo_takes_back_a_burst_of_typing_as_one_step_in_the_same_history() {
    use kms_playground::presets::Preset;
    let mut state = lecture();
    state.apply(Intent::LoadPreset(Preset::Demo1));
    let key = state.model().columns()[0].id.clone();
    let doc = state.model().key_policy_doc(&key).unwrap().id;
    let original = state.model().document(doc).unwrap().text.clone();
    for typed in [" ", "  ", "   "] {
        state.apply(Intent::EditDocument {
            doc,
            text: format!("{original}{typed}"),
        });
    }
    assert_eq!(
        state.undo_label().as_deref(),
        Some("typing in the key policy of DemoKey")
    );
    state.apply(Intent::Undo);
    assert_eq!(
        state.model().document(doc).unwrap().text,
        original,
        "the whole burst"
    );
    assert_eq!(
        state.ui.document,
        Some(doc),
        "the editor stays on the document"
    );
    assert!(
        state.undo_label().unwrap().starts_with("Loaded"),
        "the load before it is the next step back"
    );
    state.apply(Intent::Redo);
    assert!(state.model().document(doc).unwrap().text.ends_with("   "));
}
