//! A refusal's why link opens the why panel on the refused request itself: for a CreateGrant
//! whose only permission comes from a grant, that request names the new grant, and the panel
//! decides it as the operation did.
//!
//! KMS Developer Guide, create-grant-overview.html, "Granting CreateGrant permission": when a
//! grant gives its grantee CreateGrant, the grantee may create only grants whose operations are
//! among that grant's and whose constraints are at least as strict as its constraints.

#![expect(clippy::unwrap_used, reason = "tests")]

use crate::panels_support::{START, user};

use kms_engine::catalog::Action;
use kms_engine::view::ActionSet;
use kms_playground::model::Playground;
use kms_playground::panels::console::{ConsoleIntent, LineKind};
use kms_playground::panels::grants::{GrantOutcome, GrantsIntent};
use kms_playground::panels::{PanelIntent, WhyLink};
use kms_playground::state::{AppState, Intent};
use kms_playground::why::{RequestInputs, VerdictLook, explain_cell, explained_action, verdict};

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// Alice holds a grant for Encrypt and CreateGrant on K and nothing else: no IAM policy, and the
/// key policy only trusts the account (which delegates to IAM policies she does not have).
const ALICE_HOLDS_A_GRANT: &str = r#"{
  "account": "111122223333",
  "region": "us-east-1",
  "principals": [{"name": "Alice"}, {"name": "Bob"}],
  "keys": [{"name": "K", "id": "1234abcd-12ab-34cd-56ef-1234567890ab", "policy": {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*", "Resource": "*"}]}}],
  "grants": [{"key": "K", "grantee": "Alice", "operations": ["Encrypt", "CreateGrant"],
    "name": "alice-may-pass-on-encrypt"}]
}"#;

fn alice_holds_a_grant(actions: ActionSet) -> AppState {
    let mut model = Playground::from_scenario_text(ALICE_HOLDS_A_GRANT, START).unwrap();
    model.set_action_set(actions);
    let mut state = AppState::new(model);
    state.apply(Intent::Panel(PanelIntent::SetCaller(
        user("Alice").to_string(),
    )));
    state
}

/// Follows `link` as its button does, and returns the why panel's verdict and summary.
fn follow(state: &mut AppState, link: &WhyLink) -> (Action, VerdictLook, String) {
    state.apply(link.intent());
    let model = state.model();
    let selection = state.ui.selection.clone().unwrap();
    let row = model.row_of(selection.principal.as_str()).unwrap();
    let column = model.column_of(&selection.key).unwrap();
    let index = explained_action(&model, row, column, selection.action);
    let explanation = explain_cell(&model, row, column, index, &state.ui.request).unwrap();
    let (look, words) = verdict(&explanation);
    assert!(!words.starts_with("ALLOWED"), "{words}");
    (explanation.action, look, explanation.summary)
}

#[test]
fn a_create_grant_refused_for_exceeding_the_callers_grant_links_to_that_request_in_the_console() {
    // The matrix shows only the cryptographic actions: the link still explains CreateGrant.
    let mut state = alice_holds_a_grant(ActionSet::Group(
        kms_engine::catalog::ActionGroup::Cryptographic,
    ));
    let line = format!(
        "aws kms create-grant --key-id {KEY} --grantee-principal {} --operations Decrypt",
        user("Bob")
    );
    state.apply(Intent::Panel(PanelIntent::Console(
        ConsoleIntent::SetInput(line),
    )));
    state.apply(Intent::Panel(PanelIntent::Console(ConsoleIntent::Submit)));
    let printed = state.panels.console.lines.last().unwrap().clone();
    assert_eq!(printed.kind, LineKind::Stderr);
    assert!(
        printed.text.contains(
            "An error occurred (AccessDeniedException) when calling the CreateGrant operation"
        ),
        "{}",
        printed.text
    );
    let link = printed.why.unwrap();
    assert_eq!(link.action, Action::CreateGrant);
    assert_eq!(link.request.grant_operations, [Action::Decrypt]);

    let (action, look, summary) = follow(&mut state, &link);
    assert_eq!(action, Action::CreateGrant);
    assert_eq!(look, VerdictLook::None);
    assert!(
        summary.contains("the new grant asks for Decrypt, which that grant does not give"),
        "{summary}"
    );
    // The request form shows the new grant.
    let rows = state.ui.request.grant_rows();
    assert_eq!(
        rows.first().map(|(label, _, text)| (*label, text.as_str())),
        Some(("New grant's operations", "Decrypt"))
    );
    assert!(rows.iter().any(|(_, _, text)| text == user("Bob").as_str()));

    // An entry of the scenario cannot write the new grant: nothing is pinned, and it says so.
    let expectations = state.model().export().expect.len();
    state.apply(Intent::AddExpectation);
    assert_eq!(state.model().export().expect.len(), expectations);
    assert!(state.ui.notice.as_ref().is_some_and(|n| n.error));

    // Back to the bare request: the question the matrix asks, which Alice's grant allows.
    state.apply(Intent::EditRequest(kms_playground::why::RequestEdit::Reset));
    assert_eq!(state.ui.request, RequestInputs::default());
    let model = state.model();
    let selection = state.ui.selection.clone().unwrap();
    let row = model.row_of(selection.principal.as_str()).unwrap();
    let column = model.column_of(&selection.key).unwrap();
    let index = explained_action(&model, row, column, selection.action);
    let bare = explain_cell(&model, row, column, index, &state.ui.request).unwrap();
    assert_eq!(bare.action, Action::CreateGrant);
    assert_eq!(verdict(&bare).0, VerdictLook::Allow);
}

#[test]
fn a_create_grant_within_the_callers_grant_succeeds_so_the_rule_is_what_refuses() {
    // The same caller may pass on Encrypt: the refusal above is the child-grant rule, not a
    // missing CreateGrant permission.
    let mut state = alice_holds_a_grant(ActionSet::All);
    let line = format!(
        "aws kms create-grant --key-id {KEY} --grantee-principal {} --operations Encrypt",
        user("Bob")
    );
    state.apply(Intent::Panel(PanelIntent::Console(
        ConsoleIntent::SetInput(line),
    )));
    state.apply(Intent::Panel(PanelIntent::Console(ConsoleIntent::Submit)));
    let printed = state.panels.console.lines.last().unwrap();
    assert_eq!(printed.kind, LineKind::Stdout, "{}", printed.text);
}

#[test]
fn a_create_grant_refused_in_the_grants_panel_links_to_that_request() {
    let mut state = alice_holds_a_grant(ActionSet::All);
    let grants = |state: &mut AppState, intent| {
        state.apply(Intent::Panel(PanelIntent::Grants(intent)));
    };
    grants(&mut state, GrantsIntent::SetKey(KEY.to_owned()));
    grants(
        &mut state,
        GrantsIntent::SetGrantee(user("Bob").to_string()),
    );
    // The form starts with Encrypt and Decrypt ticked: Decrypt is beyond Alice's grant.
    assert_eq!(
        state.panels.grants.form.operations,
        [Action::Encrypt, Action::Decrypt]
    );
    grants(&mut state, GrantsIntent::Create);
    let Some(GrantOutcome::Refused(refusal)) = state.panels.grants.outcome.clone() else {
        panic!("{:?}", state.panels.grants.outcome);
    };
    assert_eq!(refusal.exception, "AccessDeniedException");
    let link = refusal.why.unwrap();
    assert_eq!(
        link.request.grant_operations,
        [Action::Encrypt, Action::Decrypt]
    );
    let (action, look, summary) = follow(&mut state, &link);
    assert_eq!((action, look), (Action::CreateGrant, VerdictLook::None));
    assert!(summary.contains("Decrypt"), "{summary}");
    assert!(!summary.contains("Encrypt and"), "{summary}");
}

/// Alice may create grants for anyone but Mallory (IAM policy, `StringNotEquals` on
/// `kms:GranteePrincipal`). A request that names no grantee satisfies that condition (a negated
/// operator matches a missing key: IAM User Guide,
/// reference_policies_elements_condition_operators.html),
/// so the why link must carry the refused request's grantee (KMS Developer Guide,
/// conditions-kms.html#conditions-kms-grantee-principal).
const ALICE_MAY_GRANT_TO_ANYONE_BUT_MALLORY: &str = r#"{
  "account": "111122223333",
  "region": "us-east-1",
  "principals": [
    {"name": "Alice", "policies": [{"name": "NotForMallory", "document": {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*",
        "Condition": {"StringNotEquals": {
          "kms:GranteePrincipal": "arn:aws:iam::111122223333:user/Mallory"}}}]}}]},
    {"name": "Mallory"}],
  "keys": [{"name": "K", "id": "1234abcd-12ab-34cd-56ef-1234567890ab", "policy": {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*", "Resource": "*"}]}}]
}"#;

#[test]
fn a_create_grant_refused_for_its_grantee_links_to_that_grantee() {
    let model =
        Playground::from_scenario_text(ALICE_MAY_GRANT_TO_ANYONE_BUT_MALLORY, START).unwrap();
    let mut state = AppState::new(model);
    state.apply(Intent::Panel(PanelIntent::SetCaller(
        user("Alice").to_string(),
    )));
    let line = format!(
        "aws kms create-grant --key-id {KEY} --grantee-principal {} --operations Encrypt",
        user("Mallory")
    );
    state.apply(Intent::Panel(PanelIntent::Console(
        ConsoleIntent::SetInput(line),
    )));
    state.apply(Intent::Panel(PanelIntent::Console(ConsoleIntent::Submit)));
    let printed = state.panels.console.lines.last().unwrap().clone();
    assert!(
        printed
            .text
            .contains("(AccessDeniedException) when calling the CreateGrant operation"),
        "{}",
        printed.text
    );
    let link = printed.why.unwrap();
    assert_eq!(link.request.grantee_principal, user("Mallory").to_string());
    let (action, look, _) = follow(&mut state, &link);
    assert_eq!((action, look), (Action::CreateGrant, VerdictLook::None));
    // The bare request, which names no grantee, is allowed: the grantee is what refuses.
    state.apply(Intent::EditRequest(kms_playground::why::RequestEdit::Reset));
    let model = state.model();
    let selection = state.ui.selection.clone().unwrap();
    let row = model.row_of(selection.principal.as_str()).unwrap();
    let column = model.column_of(&selection.key).unwrap();
    let index = explained_action(&model, row, column, selection.action);
    let bare = explain_cell(&model, row, column, index, &state.ui.request).unwrap();
    assert_eq!(verdict(&bare).0, VerdictLook::Allow);
}
