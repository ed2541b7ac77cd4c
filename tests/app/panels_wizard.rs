//! The create-key wizard, driven as in the lecture's demonstration 2. The policy it shows and
//! sends is the console's (KMS Developer Guide, key-policy-default.html), and Finish goes through
//! the engine's CreateKey and CreateAlias as the caller.

#![expect(clippy::unwrap_used, reason = "tests")]

use crate::panels_support;

use kms_engine::catalog::Action;
use kms_engine::diagnostics::Severity;
use kms_engine::policy::console_key_policy;
use kms_engine::policy::eval::Decision;
use kms_engine::store::{KeyState, Origin};
use kms_playground::panels::fields::PairEdit;
use kms_playground::panels::wizard::{FinishError, Wizard, WizardIntent, WizardStep};
use panels_support::*;
use serde_json::Value;

fn statements(policy: &str) -> Vec<Value> {
    let value: Value = serde_json::from_str(policy).unwrap();
    value["Statement"].as_array().unwrap().clone()
}

fn sids(policy: &str) -> Vec<String> {
    statements(policy)
        .iter()
        .map(|s| s["Sid"].as_str().unwrap().to_owned())
        .collect()
}

fn actions(statement: &Value) -> Vec<String> {
    statement["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

/// Demo 2 up to the review: alias DemoKey, "This is a demo", origin KMS, no tags, two
/// administrators, two users.
fn demo2_wizard(host: &TestHost) -> Wizard {
    let world = &host.world;
    let mut wizard = Wizard::new(ACCOUNT);
    wizard.apply(world, WizardIntent::ToggleAdvanced);
    wizard.apply(world, WizardIntent::SetOrigin(Origin::AwsKms));
    wizard.apply(world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Labels);
    wizard.apply(world, WizardIntent::SetAlias("DemoKey".into()));
    wizard.apply(world, WizardIntent::SetDescription("This is a demo".into()));
    wizard.apply(world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Administrators);
    wizard.apply(
        world,
        WizardIntent::ToggleAdministrator(user("Alice").to_string()),
    );
    wizard.apply(
        world,
        WizardIntent::ToggleAdministrator(user("Bob").to_string()),
    );
    wizard.apply(world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Users);
    wizard.apply(world, WizardIntent::ToggleUser(user("Charlie").to_string()));
    wizard.apply(world, WizardIntent::ToggleUser(user("David").to_string()));
    wizard.apply(world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Policy);
    wizard.apply(world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Review);
    wizard
}

#[test]
fn demo2_review_shows_the_console_policy_with_admins_users_and_grants_sections() {
    let host = TestHost::new(four_users());
    let wizard = demo2_wizard(&host);
    let policy = wizard.policy_text();
    assert_eq!(policy, console_key_policy(&wizard.spec()));
    assert_eq!(
        sids(&policy),
        [
            "Enable IAM User Permissions",
            "Allow access for Key Administrators",
            "Allow use of the key",
            "Allow attachment of persistent resources",
        ]
    );
    let statements = statements(&policy);
    // "there is no kms:Encrypt and no kms:Decrypt" for the administrators (the lecture), but
    // deletion, since the checkbox is ticked by default.
    let admin = actions(&statements[1]);
    assert!(
        !admin
            .iter()
            .any(|a| a == "kms:Encrypt" || a == "kms:Decrypt")
    );
    assert!(admin.contains(&"kms:ScheduleKeyDeletion".to_owned()));
    assert_eq!(
        statements[1]["Principal"]["AWS"],
        serde_json::json!([user("Alice"), user("Bob")])
    );
    let users = actions(&statements[2]);
    assert!(users.contains(&"kms:Encrypt".to_owned()) && users.contains(&"kms:Decrypt".to_owned()));
    assert_eq!(
        statements[3]["Condition"]["Bool"]["kms:GrantIsForAWSResource"],
        "true"
    );
    assert!(
        wizard
            .policy_diagnostics(&host.world)
            .iter()
            .all(|d| d.severity != Severity::Error)
    );
}

#[test]
fn finish_creates_the_key_as_the_caller_and_it_is_a_matrix_column_at_once() {
    let mut host = TestHost::new(four_users());
    let wizard = demo2_wizard(&host);
    let before = host.columns().len();
    let created = wizard.finish(&mut host, &root()).unwrap();
    assert_eq!(created.alias.as_deref(), Ok("alias/DemoKey"));
    assert_eq!(host.columns().len(), before + 1);
    assert!(host.columns().contains(&created.key_id));

    let key = host.world.keys.get_by_arn(&created.key_id).unwrap();
    assert_eq!(key.state, KeyState::Enabled);
    assert_eq!(key.description, "This is a demo");
    assert_eq!(&*key.policy.text, wizard.policy_text());
    assert_eq!(
        host.world
            .keys
            .alias(host.world.region(), ACCOUNT, "alias/DemoKey")
            .unwrap()
            .target,
        key.id
    );
    // The new column's cells are the engine's: key users encrypt, administrators do not.
    let cell = |who: &str| {
        host.matrix
            .lookup(&user(who), &created.key_id, Action::Encrypt)
            .unwrap()
            .verdict
            .decision
    };
    assert_eq!(cell("Charlie"), Decision::Allow);
    assert_eq!(cell("David"), Decision::Allow);
    assert_eq!(cell("Alice"), Decision::ImplicitDeny);
}

#[test]
fn unticking_key_deletion_removes_exactly_schedule_and_cancel_key_deletion() {
    // KMS Developer Guide, key-policy-default.html: the checkbox controls these two actions.
    let host = TestHost::new(four_users());
    let mut wizard = demo2_wizard(&host);
    let with = actions(&statements(&wizard.policy_text())[1]);
    wizard.apply(&host.world, WizardIntent::SetAllowDelete(false));
    let without = actions(&statements(&wizard.policy_text())[1]);
    let removed: Vec<&String> = with.iter().filter(|a| !without.contains(a)).collect();
    assert_eq!(
        removed,
        ["kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]
    );
    assert!(without.iter().all(|a| with.contains(a)));
}

#[test]
fn nobody_selected_leaves_only_the_root_statement() {
    let host = TestHost::new(four_users());
    let mut wizard = Wizard::new(ACCOUNT);
    wizard.apply(&host.world, WizardIntent::SetAlias("Solo".into()));
    assert_eq!(sids(&wizard.policy_text()), ["Enable IAM User Permissions"]);
}

#[test]
fn the_alias_is_required_and_cannot_begin_with_aws_or_exist_already() {
    let (world, _) = demo1();
    let host = TestHost::new(world);
    let mut wizard = Wizard::new(ACCOUNT);
    wizard.apply(&host.world, WizardIntent::Next);
    wizard.apply(&host.world, WizardIntent::Next);
    assert_eq!(
        wizard.step,
        WizardStep::Labels,
        "Next is refused without an alias"
    );
    assert_eq!(
        wizard.problems(&host.world, WizardStep::Labels),
        ["Alias is required."]
    );
    wizard.apply(&host.world, WizardIntent::SetAlias("aws/mine".into()));
    assert_eq!(
        wizard.problems(&host.world, WizardStep::Labels),
        ["The alias cannot begin with aws/."]
    );
    wizard.apply(&host.world, WizardIntent::SetAlias("DemoKey".into()));
    assert_eq!(
        wizard.problems(&host.world, WizardStep::Labels),
        ["The alias alias/DemoKey already exists."]
    );
    wizard.apply(&host.world, WizardIntent::SetAlias("has space".into()));
    assert!(
        wizard.problems(&host.world, WizardStep::Labels)[0].contains("regular expression pattern")
    );
}

#[test]
fn a_hand_edited_policy_is_what_finish_sends_and_errors_block_it() {
    let mut host = TestHost::new(four_users());
    let mut wizard = demo2_wizard(&host);
    let generated = wizard.policy_text();
    let edited = generated.replace(
        "\"Sid\": \"Allow use of the key\"",
        "\"Sid\": \"Allow use of the key by the team\"",
    );
    wizard.apply(&host.world, WizardIntent::EditPolicy(edited.clone()));
    assert!(wizard.edited_by_hand());

    wizard.apply(
        &host.world,
        WizardIntent::EditPolicy("{ \"Version\": ".into()),
    );
    let problems = wizard.problems(&host.world, WizardStep::Review);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(matches!(
        wizard.finish(&mut host, &root()),
        Err(FinishError::Incomplete(WizardStep::Policy, _))
    ));
    assert_eq!(host.operations, 0, "nothing was sent to KMS");

    wizard.apply(&host.world, WizardIntent::EditPolicy(edited.clone()));
    let created = wizard.finish(&mut host, &root()).unwrap();
    let key = host.world.keys.get_by_arn(&created.key_id).unwrap();
    assert_eq!(&*key.policy.text, edited);
    assert!(sids(&key.policy.text).contains(&"Allow use of the key by the team".to_owned()));

    wizard.apply(&host.world, WizardIntent::DiscardPolicyEdits);
    assert!(!wizard.edited_by_hand());
    assert_eq!(wizard.policy_text(), generated);
}

#[test]
fn a_caller_without_kms_create_key_gets_access_denied_and_nothing_is_created() {
    // CreateKey is authorized by IAM policies only (KMS Developer Guide, iam-policies.html):
    // Bob has none.
    let mut host = TestHost::new(four_users());
    let wizard = demo2_wizard(&host);
    let Err(FinishError::Refused(refusal)) = wizard.finish(&mut host, &user("Bob")) else {
        panic!("Bob cannot create keys");
    };
    assert_eq!(refusal.exception, "AccessDeniedException");
    assert!(
        refusal
            .message
            .contains("is not authorized to perform: kms:CreateKey"),
        "{}",
        refusal.message
    );
    assert!(
        refusal.why.is_none(),
        "CreateKey is not a cell of the matrix"
    );
    assert!(refusal.summary.is_some());
    assert!(refusal.line.starts_with(
        "An error occurred (AccessDeniedException) when calling the CreateKey operation: User: "
    ));
    assert!(host.world.keys.keys().next().is_none());
}

#[test]
fn external_origin_needs_the_acknowledgement_and_makes_a_key_pending_import() {
    // KMS Developer Guide, importing-keys-create-cmk.html: the key waits for its material.
    let mut host = TestHost::new(four_users());
    let mut wizard = Wizard::new(ACCOUNT);
    wizard.apply(&host.world, WizardIntent::SetOrigin(Origin::External));
    wizard.apply(&host.world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Configure);
    wizard.apply(&host.world, WizardIntent::AcknowledgeExternal(true));
    wizard.apply(&host.world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Labels);
    wizard.apply(&host.world, WizardIntent::SetAlias("Imported".into()));
    wizard.apply(
        &host.world,
        WizardIntent::Tag(kms_playground::panels::fields::PairEdit::Add),
    );
    wizard.apply(
        &host.world,
        WizardIntent::Tag(kms_playground::panels::fields::PairEdit::Key(
            0,
            "Team".into(),
        )),
    );
    wizard.apply(
        &host.world,
        WizardIntent::Tag(kms_playground::panels::fields::PairEdit::Value(
            0,
            "Blue".into(),
        )),
    );
    let created = wizard.finish(&mut host, &root()).unwrap();
    let key = host.world.keys.get_by_arn(&created.key_id).unwrap();
    assert_eq!(key.state, KeyState::PendingImport);
    assert_eq!(key.origin, Origin::External);
    assert_eq!(key.tag("Team"), Some("Blue"));
}

#[test]
fn the_review_edit_links_cannot_skip_an_incomplete_step() {
    let host = TestHost::new(four_users());
    let mut wizard = Wizard::new(ACCOUNT);
    wizard.apply(&host.world, WizardIntent::GoTo(WizardStep::Review));
    assert_eq!(
        wizard.step,
        WizardStep::Configure,
        "the alias is still missing"
    );
    wizard.apply(&host.world, WizardIntent::SetAlias("Ok".into()));
    wizard.apply(&host.world, WizardIntent::GoTo(WizardStep::Review));
    assert_eq!(wizard.step, WizardStep::Review);
    wizard.apply(&host.world, WizardIntent::Previous);
    assert_eq!(wizard.step, WizardStep::Policy);
}

#[test]
fn the_tables_list_the_accounts_users_and_roles_matching_the_filter() {
    let mut world = four_users();
    world.add_role(ACCOUNT, "KeyAdmins").unwrap();
    let host = TestHost::new(world);
    let mut wizard = Wizard::new(ACCOUNT);
    let names: Vec<String> = wizard
        .candidates(&host.world)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Alice", "Bob", "Charlie", "David", "KeyAdmins"]);
    wizard.apply(&host.world, WizardIntent::SetFilter("AL".into()));
    let names: Vec<String> = wizard
        .candidates(&host.world)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Alice"]);
}

#[test]
fn other_accounts_must_be_twelve_digits_and_become_root_principals_of_the_use_statements() {
    let host = TestHost::new(four_users());
    let mut wizard = Wizard::new(ACCOUNT);
    wizard.apply(&host.world, WizardIntent::AddAccount);
    wizard.apply(&host.world, WizardIntent::SetAccount(0, "12345".into()));
    assert_eq!(wizard.problems(&host.world, WizardStep::Users).len(), 1);
    wizard.apply(
        &host.world,
        WizardIntent::SetAccount(0, "444455556666".into()),
    );
    assert!(wizard.problems(&host.world, WizardStep::Users).is_empty());
    let policy = wizard.policy_text();
    assert_eq!(
        statements(&policy)[1]["Principal"]["AWS"],
        "arn:aws:iam::444455556666:root"
    );
}

#[test]
fn show_as_cli_names_both_calls_the_console_makes() {
    let host = TestHost::new(four_users());
    let wizard = demo2_wizard(&host);
    let cli = wizard.as_cli();
    let lines: Vec<&str> = cli.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("KEY_ID=$(aws kms create-key --description 'This is a demo' --policy '{\"Id\":\"key-consolepolicy-3\""));
    assert_eq!(
        lines[1],
        "aws kms create-alias --alias-name 'alias/DemoKey' --target-key-id $KEY_ID"
    );
}

#[test]
fn through_the_app_finish_selects_the_new_key_and_opens_its_policy() {
    use kms_playground::panels::PanelIntent;
    use kms_playground::state::{AppState, Intent, Owner};
    let mut state = AppState::new(kms_playground::presets::lecture(START));
    let wizard = |state: &mut AppState, intent: WizardIntent| {
        state.apply(Intent::Panel(PanelIntent::Wizard(intent)));
    };
    state.apply(Intent::Panel(PanelIntent::SetCaller(root().to_string())));
    state.apply(Intent::Panel(PanelIntent::OpenWizard));
    wizard(&mut state, WizardIntent::SetAlias("DemoKey".into()));
    wizard(
        &mut state,
        WizardIntent::ToggleUser(user("Charlie").to_string()),
    );
    wizard(&mut state, WizardIntent::GoTo(WizardStep::Review));
    let policy = state.panels.wizard.as_ref().unwrap().policy_text();
    state.apply(Intent::Panel(PanelIntent::FinishWizard));
    assert!(state.panels.wizard.is_none(), "the wizard closes");
    let created = state.panels.created.clone().unwrap();
    let model = state.model();
    assert_eq!(model.columns().last().unwrap().id, created.key_id);
    assert_eq!(model.columns().last().unwrap().name, "DemoKey");
    let doc = model.key_policy_doc(&created.key_id).unwrap();
    assert_eq!(&*doc.text, policy);
    assert_eq!(state.ui.owner, Some(Owner::Key(created.key_id.clone())));
    assert_eq!(state.ui.document, Some(doc.id));
}

#[test]
fn a_caller_without_create_key_is_told_at_step_one() {
    // CreateKey is authorized by IAM policies alone (KMS Developer Guide, iam-policies.html): in
    // a world where the users have no IAM policy, Alice may not create a key; the account's root
    // user may. The wizard asks the engine when it opens, on a copy of the world.
    let host = TestHost::new(four_users());
    let denied = Wizard::for_caller(&host.world, &user("Alice"), ACCOUNT.into(), START);
    let refused = denied.create_key_refused.unwrap();
    assert!(
        refused.contains("AccessDeniedException") && refused.contains("kms:CreateKey"),
        "{refused}"
    );
    assert!(
        &host.world.keys.keys().next().is_none(),
        "nothing was created"
    );
    let root_wizard = Wizard::for_caller(&host.world, &root(), ACCOUNT.into(), START);
    assert_eq!(root_wizard.create_key_refused, None);
}

#[test]
fn the_alias_is_called_missing_only_once_the_user_tries_to_go_on() {
    let host = TestHost::new(four_users());
    let mut wizard = Wizard::new(ACCOUNT);
    wizard.apply(&host.world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Labels);
    assert!(
        wizard
            .visible_problems(&host.world, WizardStep::Labels)
            .is_empty()
    );
    assert_eq!(
        wizard.problems(&host.world, WizardStep::Labels),
        ["Alias is required."],
        "Next stays blocked all the same"
    );
    wizard.apply(&host.world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Labels);
    assert_eq!(
        wizard.visible_problems(&host.world, WizardStep::Labels),
        ["Alias is required."]
    );
}

#[test]
fn tag_characters_are_checked_as_kms_checks_them() {
    // API Reference, Tag: letters, digits, spaces and `_ . : / = + - @` only.
    let host = TestHost::new(four_users());
    let mut wizard = Wizard::new(ACCOUNT);
    wizard.apply(&host.world, WizardIntent::SetAlias("Tagged".into()));
    wizard.apply(&host.world, WizardIntent::Tag(PairEdit::Add));
    wizard.apply(
        &host.world,
        WizardIntent::Tag(PairEdit::Key(0, "team#1".into())),
    );
    let problems = wizard.problems(&host.world, WizardStep::Labels);
    assert!(
        problems.len() == 1 && problems[0].starts_with("Tag 1:") && problems[0].contains('#'),
        "{problems:?}"
    );
    wizard.apply(
        &host.world,
        WizardIntent::Tag(PairEdit::Key(0, "team:a_b.c/d=e+f-g@h i".into())),
    );
    assert!(wizard.problems(&host.world, WizardStep::Labels).is_empty());
}

/// KMS Developer Guide, create-primary-keys.html: "You select a multi-Region key in Advanced
/// options"; CreateKey with `MultiRegion` true makes a multi-Region primary key (KMS API
/// Reference, CreateKey, "MultiRegion"), whose key id starts with `mrk-`. The console's policy
/// gives its administrators kms:ReplicateKey and kms:UpdatePrimaryRegion (key-policy-default.html).
#[test]
fn a_multi_region_key_from_the_wizard_is_a_primary_key_whose_admins_may_replicate_it() {
    let mut host = TestHost::new(four_users());
    let mut wizard = demo2_wizard(&host);
    assert!(wizard.key_summary().ends_with("Single-Region key"));
    wizard.apply(&host.world, WizardIntent::SetMultiRegion(true));
    assert!(
        wizard.key_summary().ends_with("Multi-Region key"),
        "{}",
        wizard.key_summary()
    );
    let admin = actions(&statements(&wizard.policy_text())[1]);
    assert!(admin.contains(&"kms:ReplicateKey".to_owned()), "{admin:?}");
    assert!(admin.contains(&"kms:UpdatePrimaryRegion".to_owned()));
    assert!(
        wizard.as_cli().contains(" --multi-region "),
        "{}",
        wizard.as_cli()
    );

    let created = wizard.finish(&mut host, &root()).unwrap();
    let key = host.world.keys.get_by_arn(&created.key_id).unwrap();
    assert!(key.id.as_str().starts_with("mrk-"), "{}", key.id);
    assert_eq!(key.multi_region_key_type(), Some("PRIMARY"));
    assert_eq!(&*key.policy.text, wizard.policy_text());

    // Back to Single-Region: an ordinary key, and the administrators lose the two actions.
    wizard.apply(&host.world, WizardIntent::SetMultiRegion(false));
    let admin = actions(&statements(&wizard.policy_text())[1]);
    assert!(!admin.iter().any(|a| a == "kms:ReplicateKey"));
    wizard.apply(&host.world, WizardIntent::SetAlias("Other".into()));
    let created = wizard.finish(&mut host, &root()).unwrap();
    let key = host.world.keys.get_by_arn(&created.key_id).unwrap();
    assert_eq!(key.multi_region_key_type(), None);
}
