//! The app's state flows, natively: intents in, the engine's matrix out.

use kms_engine::view::{ActionSet, CellKind};
use kms_playground::model::DocTarget;
use kms_playground::presets;
use kms_playground::state::{AppState, Intent};

const ACCOUNT: &str = "111122223333";

/// A principal ARN the test writes out, which must parse.
fn arn(text: &str) -> kms_engine::request::PrincipalArn {
    crate::panels_support::arn(text)
}

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
    let bob = arn(&format!("arn:aws:iam::{ACCOUNT}:user/Bob"));
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
    let bob = arn(&format!("arn:aws:iam::{ACCOUNT}:user/Bob"));
    state.apply(Intent::Panel(PanelIntent::SetCaller(bob.to_string())));
    state.apply(Intent::LoadPreset(Preset::Demo2));
    state.apply(Intent::LoadPreset(Preset::Lecture));
    let alice = arn(&format!("arn:aws:iam::{ACCOUNT}:user/Alice"));
    assert_eq!(state.panels.caller.as_ref(), Some(&alice));
    let notice = state.ui.notice.clone().unwrap();
    assert!(notice.text.ends_with("Caller: Alice."), "{}", notice.text);
    // Undo keeps a caller that still exists.
    state.apply(Intent::Panel(PanelIntent::SetCaller(bob.to_string())));
    state.apply(Intent::Undo);
    assert_eq!(state.panels.caller.as_ref(), Some(&bob));
}

#[test]
fn replay_demo1_over_a_changed_demo1_starts_from_a_fresh_one() {
    use kms_playground::panels::PanelIntent;
    use kms_playground::panels::console::ConsoleIntent;
    use kms_playground::presets::Preset;
    let mut state = lecture();
    state.apply(Intent::LoadPreset(Preset::Demo1));
    state.apply(Intent::RemovePrincipal(arn(&format!(
        "arn:aws:iam::{ACCOUNT}:user/Bob"
    ))));
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
    state.apply(Intent::RemovePrincipal(arn(&format!(
        "arn:aws:iam::{ACCOUNT}:user/David"
    ))));
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
    state.apply(Intent::SelectOwner(Owner::Principal(arn(&format!(
        "arn:aws:iam::{ACCOUNT}:user/Alice"
    )))));
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

/// The sample AWS CLI outputs of `cli/tests/import/`, as the dialog is handed them.
fn sample_outputs() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cli/tests/import");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    kms_engine::sort::sort(&mut files);
    files
}

/// "Import from AWS…" with the files `kmsplay import` reads (its test pins the same decisions:
/// cli/tests/cli.rs, `import_merges_aws_cli_outputs_...`): a get-key-policy output whose name
/// does not say its key asks for one, what is left out is listed with why, and Open loads the
/// world as one undoable step.
#[test]
fn importing_aws_cli_outputs_reports_what_was_left_out_and_opens_the_world() {
    use kms_playground::aws_import::{ImportMsg, ImportSession, Outcome};
    const OTHER_KEY: &str = "0987dcba-09fe-87dc-65ba-ab0987654321";
    let mut session = ImportSession::default();
    assert!(!session.can_open());
    session.apply(ImportMsg::Add(sample_outputs()));
    let asking: Vec<&str> = session
        .files
        .iter()
        .filter(|f| f.asks_key_id)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(asking, ["other-key-policy.json"]);
    match &session.outcome {
        Outcome::Failed(message) => assert!(
            message.starts_with("other-key-policy.json is a get-key-policy output")
                && message.contains("type the key id"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(!session.can_open());
    let index = session
        .files
        .iter()
        .position(|f| f.name == "other-key-policy.json")
        .unwrap();
    session.apply(ImportMsg::SetKeyId {
        index,
        key_id: format!(" {OTHER_KEY} "),
    });
    let Outcome::Ready(report) = session.outcome.clone() else {
        panic!("{:?}", session.outcome);
    };
    assert_eq!(
        report.summary(),
        "5 principals, 3 keys, 1 grant, 3 SCPs and RCPs"
    );
    assert!(!report.is_large());
    let skipped: Vec<String> = report.skipped.iter().map(|s| s.to_string()).collect();
    assert!(
        skipped.contains(
            &"aliases.json: skipped alias/aws/ebs: an AWS managed key's alias (its key policy is AWS's)"
                .to_owned()
        ),
        "{skipped:?}"
    );
    assert!(
        skipped
            .iter()
            .any(|s| s
                .starts_with("p-RCPFullAWSAccess.policy.json: skipped policy RCPFullAWSAccess")),
        "{skipped:?}"
    );
    assert_eq!(
        session.read_as("other-key-policy.json").unwrap(),
        [format!("key policy of {OTHER_KEY}")]
    );
    session.apply(ImportMsg::SetName("Billing account".into()));
    assert_eq!(session.title(), "Billing account");

    let mut state = lecture();
    let world = session.open().unwrap();
    assert_eq!(world.files, 21);
    state.apply(Intent::OpenImport(Box::new(world)));
    let notice = state.ui.notice.clone().unwrap();
    assert!(
        notice.undo
            && notice
                .text
                .starts_with("Imported \"Billing account\" from 21 AWS CLI outputs."),
        "{notice:?}"
    );
    assert_eq!(state.model().title(), "Billing account");
    // Bob's boundary allows only Encrypt; the SCP at the root denies key deletion.
    state.apply(Intent::SetActions(
        ActionSet::listed(["kms:Decrypt"]).unwrap(),
    ));
    assert_eq!(cell(&state, "Bob", "app-data").0, CellKind::ImplicitDeny);
    assert_eq!(cell(&state, "lambda-exec", "app-data").0, CellKind::Allow);
    state.apply(Intent::SetActions(
        ActionSet::listed(["kms:ScheduleKeyDeletion"]).unwrap(),
    ));
    assert_eq!(cell(&state, "Admin", "other").0, CellKind::ExplicitDeny);
    state.apply(Intent::Undo);
    assert_eq!(state.model().title(), "Lecture: 3 keys x 4 users");

    // Two different policies for one key: an error naming both files.
    session.apply(ImportMsg::Add(vec![(
        format!("{OTHER_KEY}.json"),
        r#"{"Policy": "{\"Version\": \"2012-10-17\", \"Statement\": []}"}"#.to_owned(),
    )]));
    match &session.outcome {
        Outcome::Failed(message) => assert!(
            message.contains("other-key-policy.json")
                && message.contains(&format!("{OTHER_KEY}.json")),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    session.apply(ImportMsg::Remove(session.files.len() - 1));
    assert!(session.can_open());
}

/// The matrix filter picks rows and columns by name or ARN (any word, any case), counts what it
/// shows, keeps each row's place in the model, and comes back with Undo of a load.
#[test]
fn the_matrix_filter_shows_the_principals_and_keys_picked() {
    use kms_playground::matrix_view::{MatrixFilter, matrix_view};
    let mut state = lecture();
    state.apply(Intent::SetMatrixFilter(MatrixFilter {
        principals: "charlie, USER/David".into(),
        keys: "cmk-b".into(),
    }));
    {
        let model = state.model();
        let view = matrix_view(&model, false, None);
        let names: Vec<&str> = view.rows.iter().map(|r| &*r.name).collect();
        assert_eq!(names, ["Charlie", "David"]);
        assert_eq!(view.rows[0].index, 2);
        assert_eq!(view.position_of_row(3), Some(1));
        assert_eq!(view.position_of_row(0), None);
        assert_eq!(view.columns.len(), 1);
        assert_eq!(&*view.columns[0].name, "CMK-B");
        assert_eq!(view.rows[0].cells.len(), 1);
        assert_eq!(
            view.shown_line().unwrap(),
            "Showing 2 of 4 principals and 1 of 3 keys"
        );
        // The per-action view keeps one column per action of the keys shown.
        let expanded = matrix_view(&model, true, Some(&view));
        assert_eq!(expanded.shown_keys, 1);
        assert_eq!(expanded.columns.len(), model.matrix().actions().len());
        // An edit reuses the filtered view's rows and rebuilds only what it touched.
        assert!(view.to_csv().starts_with("principal,CMK-B\r\nCharlie,"));
    }
    let (doc, text) = key_doc(&state, "CMK-B");
    state.apply(Intent::EditDocument {
        doc,
        text: text.replacen("\"Allow\"", "\"Deny\"", 1),
    });
    {
        let model = state.model();
        let view = matrix_view(&model, false, None);
        assert_eq!(view.rows.len(), 2);
        assert_eq!(view.columns.len(), 1);
    }
    // Loading another world starts unfiltered; Undo brings back the filtered one.
    state.apply(Intent::LoadPreset(presets::Preset::Demo1));
    assert!(!state.model().filter().is_active());
    state.apply(Intent::Undo);
    assert_eq!(state.model().filter().keys, "cmk-b");
    state.apply(Intent::SetMatrixFilter(MatrixFilter::default()));
    let model = state.model();
    let view = matrix_view(&model, false, None);
    assert_eq!((view.rows.len(), view.columns.len()), (4, 3));
    assert_eq!(view.shown_line(), None);
}

/// An import larger than `LARGE_CELLS` opens only once the user picked what the matrix shows
/// (or chose everything), on Encrypt and Decrypt.
#[test]
fn a_large_import_opens_filtered_to_what_the_user_picks() {
    use kms_playground::aws_import::{ImportMsg, ImportSession, Outcome};
    use kms_playground::matrix_view::MatrixFilter;
    let account = ACCOUNT;
    let key_id = |k: usize| format!("{k:08x}-0000-4000-8000-{k:012x}");
    let roles: Vec<String> = (0..210)
        .map(|r| {
            format!(
                r#"{{"RoleName": "role-{r}", "Path": "/", "Arn": "arn:aws:iam::{account}:role/role-{r}", "RolePolicyList": []}}"#
            )
        })
        .collect();
    let iam = format!(
        r#"{{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [{}], "Policies": []}}"#,
        roles.join(",")
    );
    let keys: Vec<String> = (0..50)
        .map(|k| {
            format!(
                r#"{{"KeyId": "{}", "KeyArn": "arn:aws:kms:us-east-1:{account}:key/{}"}}"#,
                key_id(k),
                key_id(k)
            )
        })
        .collect();
    let keys = format!(r#"{{"Keys": [{}]}}"#, keys.join(","));
    let mut session = ImportSession::default();
    session.apply(ImportMsg::Add(vec![
        ("iam.json".into(), iam),
        ("keys.json".into(), keys),
    ]));
    let Outcome::Ready(report) = session.outcome.clone() else {
        panic!("{:?}", session.outcome);
    };
    assert!(report.is_large());
    assert!(!session.can_open(), "a large import waits for a pick");
    let filter = MatrixFilter {
        principals: "role-20".into(),
        keys: key_id(3),
    };
    // role-20 and role-200..209.
    assert_eq!(report.matches(&filter), ((11, 210), (1, 50)));
    session.apply(ImportMsg::SetFilter(filter.clone()));
    let world = session.open().unwrap();
    assert!(world.large);
    let mut state = lecture();
    state.apply(Intent::OpenImport(Box::new(world)));
    let model = state.model();
    assert_eq!(
        model.action_set().label(),
        ActionSet::listed(["kms:Encrypt", "kms:Decrypt"])
            .unwrap()
            .label()
    );
    assert_eq!(model.filter(), &filter);
    let view = kms_playground::matrix_view::matrix_view(&model, false, None);
    assert_eq!((view.rows.len(), view.columns.len()), (11, 1));
    drop(model);
    // "Open everything" opens it unfiltered.
    let everything = session.open_everything().unwrap();
    assert!(!everything.filter.is_active() && everything.large);
}
