//! The in-page `aws` console, through the app's reducer: commands run on the live world as the
//! header's caller or `--profile`, print what the AWS CLI prints, and whatever they change shows
//! in the matrix and the editors at once (and the other way round).

#![expect(clippy::unwrap_used, reason = "tests")]

use crate::panels_support;
use panels_support::user;

use kms_engine::catalog::Action;
use kms_engine::view::CellKind;
use kms_playground::panels::PanelIntent;
use kms_playground::panels::console::{ConsoleIntent, LineKind};
use kms_playground::presets;
use kms_playground::state::{AppState, Intent};

const ROOT: &str = "arn:aws:iam::111122223333:root";

fn lecture() -> AppState {
    AppState::new(presets::lecture(
        kms_playground::platform::epoch_ms_timestamp(),
    ))
}

fn type_line(state: &mut AppState, line: &str) {
    state.apply(Intent::Panel(PanelIntent::Console(
        ConsoleIntent::SetInput(line.to_owned()),
    )));
    state.apply(Intent::Panel(PanelIntent::Console(ConsoleIntent::Submit)));
}

fn last_output(state: &AppState) -> (LineKind, String) {
    let line = state.panels.console.lines.last().unwrap();
    (line.kind, line.text.clone())
}

fn key_id(state: &AppState, column: usize) -> String {
    state.model().columns()[column].id.to_string()
}

#[test]
fn a_command_without_profile_runs_as_the_header_caller() {
    let mut state = lecture();
    assert_eq!(state.panels.caller.as_ref(), Some(&user("Alice")));
    type_line(&mut state, "aws sts get-caller-identity");
    let (kind, text) = last_output(&state);
    assert_eq!(kind, LineKind::Stdout);
    assert!(
        text.contains(&format!("\"Arn\": \"{}\"", user("Alice"))),
        "{text}"
    );

    state.apply(Intent::Panel(PanelIntent::SetCaller(
        (user("Bob")).to_string(),
    )));
    type_line(
        &mut state,
        "aws sts get-caller-identity --query Arn --output text",
    );
    assert_eq!(last_output(&state).1, format!("{}\n", user("Bob")));
}

#[test]
fn a_denied_command_prints_the_cli_error_and_links_to_its_cell() {
    // Bob is neither in CMK-A's key policy nor allowed by an IAM policy (the lecture's matrix).
    let mut state = lecture();
    let cmk_a = key_id(&state, 0);
    type_line(
        &mut state,
        &format!("aws kms describe-key --key-id {cmk_a} --profile bob"),
    );
    let line = state.panels.console.lines.last().unwrap().clone();
    assert_eq!(line.kind, LineKind::Stderr);
    assert!(
        line.text.starts_with(
            "\nAn error occurred (AccessDeniedException) when calling the DescribeKey operation: User: arn:aws:iam::111122223333:user/Bob is not authorized to perform: kms:DescribeKey on resource: "
        ),
        "{}",
        line.text
    );
    let why = line.why.unwrap();
    assert_eq!(why.principal, user("Bob"));
    assert_eq!(why.key.to_string(), cmk_a);
    assert_eq!(why.action, Action::DescribeKey);
}

#[test]
fn sleep_moves_the_apps_clock() {
    let mut state = lecture();
    let before = state.model().now();
    type_line(&mut state, "sleep 300");
    assert_eq!(state.model().now().0 - before.0, 300_000);
    // And a clock moved by the app's buttons is the session's too.
    state.apply(Intent::AdvanceClock { millis: 60_000 });
    type_line(&mut state, "sleep 1");
    assert_eq!(state.model().now().0 - before.0, 361_000);
}

#[test]
fn a_key_created_in_the_console_is_a_matrix_column_at_once() {
    let mut state = lecture();
    let columns = state.model().columns().len();
    state.apply(Intent::Panel(PanelIntent::SetCaller(ROOT.to_owned())));
    type_line(
        &mut state,
        "KEY_ID=$(aws kms create-key --description scratch --query KeyMetadata.KeyId --output text)",
    );
    type_line(
        &mut state,
        "aws kms create-alias --alias-name alias/Scratch --target-key-id $KEY_ID",
    );
    let model = state.model();
    assert_eq!(model.columns().len(), columns + 1);
    let new = model.columns().last().unwrap();
    assert_eq!(new.name, "Scratch", "the column is named after its alias");
    assert!(
        model.key_policy_doc(&new.id).is_some(),
        "its policy is in the editor list"
    );
}

/// A replica has its primary's key id (KMS Developer Guide, multi-region-keys-overview.html):
/// its column and list entry say its Region, so the two read apart.
#[test]
fn a_replica_made_in_the_console_is_named_with_its_region() {
    let mut state = lecture();
    let columns = state.model().columns().len();
    state.apply(Intent::Panel(PanelIntent::SetCaller(ROOT.to_owned())));
    type_line(
        &mut state,
        "KEY=$(aws kms create-key --multi-region --query KeyMetadata.KeyId --output text)",
    );
    type_line(
        &mut state,
        "aws kms replicate-key --key-id $KEY --replica-region eu-west-2",
    );
    let model = state.model();
    let names: Vec<&str> = model.columns()[columns..]
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].starts_with("mrk-") && !names[0].contains('('),
        "{names:?}"
    );
    assert_eq!(names[1], format!("{} (eu-west-2)", names[0]));
}

/// KMS API Reference, ReplicateKey: the new replica is `Creating` for a few seconds, then
/// `Enabled`. The column head reads the state at the app's clock, which `sleep` moves.
#[test]
fn a_replica_made_in_the_console_is_creating_until_the_clock_moves_on() {
    let mut state = lecture();
    state.apply(Intent::Panel(PanelIntent::SetCaller(ROOT.to_owned())));
    type_line(
        &mut state,
        "KEY=$(aws kms create-key --multi-region --query KeyMetadata.KeyId --output text)",
    );
    type_line(
        &mut state,
        "aws kms replicate-key --key-id $KEY --replica-region eu-west-2",
    );
    let state_of_replica = |state: &AppState| state.model().columns().last().unwrap().state;
    assert_eq!(state_of_replica(&state), "Creating");
    type_line(&mut state, "sleep 5");
    assert_eq!(state_of_replica(&state), "Enabled");
}

#[test]
fn a_policy_put_from_the_console_changes_the_matrix_and_the_editor_text() {
    // CMK-B trusts only Bob and Charlie: Alice's IAM allow does not count (the lecture). Bob,
    // who may do anything with CMK-B, adds the root statement; now it counts.
    let mut state = lecture();
    let cmk_b = key_id(&state, 1);
    let alice_row = state.model().row_of((user("Alice")).as_str()).unwrap();
    assert_ne!(
        state.model().summary(alice_row, 1).unwrap().kind,
        CellKind::Allow
    );
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["{}","{}","{ROOT}"]}},"Action":"kms:*","Resource":"*"}}]}}"#,
        user("Bob"),
        user("Charlie")
    );
    type_line(
        &mut state,
        &format!(
            "aws kms put-key-policy --key-id {cmk_b} --policy-name default --policy '{policy}' --profile bob"
        ),
    );
    assert_eq!(
        state.panels.console.lines.len(),
        1,
        "put-key-policy prints nothing"
    );
    let model = state.model();
    assert_eq!(model.summary(alice_row, 1).unwrap().kind, CellKind::Allow);
    let doc = model.key_policy_doc(&model.columns()[1].id).unwrap();
    assert_eq!(&*doc.text, policy);
    assert!(
        !model.changes().is_empty(),
        "the change is marked in the matrix"
    );
}

#[test]
fn an_edit_in_the_editor_is_what_the_console_sees() {
    let mut state = lecture();
    let cmk_b = key_id(&state, 1);
    let doc = state
        .model()
        .key_policy_doc(&state.model().columns()[1].id)
        .unwrap()
        .id;
    type_line(
        &mut state,
        &format!("aws kms describe-key --key-id {cmk_b}"),
    );
    assert_eq!(
        last_output(&state).0,
        LineKind::Stderr,
        "Alice cannot describe CMK-B"
    );
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{ROOT}"}},"Action":"kms:*","Resource":"*"}}]}}"#
    );
    state.apply(Intent::EditDocument { doc, text });
    type_line(
        &mut state,
        &format!(
            "aws kms describe-key --key-id {cmk_b} --query KeyMetadata.KeyState --output text"
        ),
    );
    assert_eq!(
        last_output(&state),
        (LineKind::Stdout, "Enabled\n".to_owned())
    );
}

#[test]
fn history_walks_back_and_forth_and_clear_empties_the_screen() {
    let mut state = lecture();
    type_line(&mut state, "echo one");
    type_line(&mut state, "echo two");
    let console = |s: &AppState| s.panels.console.input.clone();
    let send = |s: &mut AppState, i: ConsoleIntent| s.apply(Intent::Panel(PanelIntent::Console(i)));
    send(&mut state, ConsoleIntent::HistoryUp);
    assert_eq!(console(&state), "echo two");
    send(&mut state, ConsoleIntent::HistoryUp);
    assert_eq!(console(&state), "echo one");
    send(&mut state, ConsoleIntent::HistoryUp);
    assert_eq!(console(&state), "echo one", "the oldest stays");
    send(&mut state, ConsoleIntent::HistoryDown);
    assert_eq!(console(&state), "echo two");
    send(&mut state, ConsoleIntent::HistoryDown);
    assert_eq!(console(&state), "");
    assert!(!state.panels.console.lines.is_empty());
    send(&mut state, ConsoleIntent::Clear);
    assert!(state.panels.console.lines.is_empty());
    type_line(&mut state, "clear");
    assert!(
        state.panels.console.lines.is_empty(),
        "the clear command clears too"
    );
    assert_eq!(
        state.panels.console.history,
        ["echo one", "echo two", "clear"]
    );
}

#[test]
fn replay_in_another_world_loads_demo1_first_and_can_be_undone() {
    let mut state = lecture();
    let title = state.model().title().to_owned();
    state.apply(Intent::Panel(PanelIntent::Console(
        ConsoleIntent::ReplayDemo1,
    )));
    assert_eq!(state.model().title(), "Demo 1: grants from Alice to Bob");
    assert!(
        state.panels.console.replay.is_some(),
        "and the replay starts"
    );
    assert!(state.ui.notice.is_some(), "loading says so, with an undo");
    state.apply(Intent::Undo);
    assert_eq!(state.model().title(), title);
}

#[test]
fn the_replay_script_names_what_it_needs() {
    let state = lecture();
    let problem = kms_playground::panels::console::demo1_script(state.model().world()).unwrap_err();
    assert!(problem.contains("alias/DemoKey") && problem.contains("Alice and Bob"));
}

#[test]
fn replay_demo1_types_the_lectures_commands_and_shows_each_outcome() {
    // Demonstration 1: Bob denied, Alice encrypts, Alice grants, Bob encrypts with the token;
    // then, beyond the lecture, Bob without the token is denied until the window passes.
    let mut state = panels_support::app_state(panels_support::DEMO1, &user("Alice"));
    let start = state.model().now();
    let send = |s: &mut AppState, i: ConsoleIntent| s.apply(Intent::Panel(PanelIntent::Console(i)));
    send(&mut state, ConsoleIntent::ReplayDemo1);
    assert!(state.panels.console.replay.is_some());
    send(&mut state, ConsoleIntent::ReplayTick);
    assert_eq!(
        state.panels.console.input, "# Bob ",
        "it types a few characters a tick"
    );
    send(&mut state, ConsoleIntent::ReplayToEnd);
    assert!(state.panels.console.replay.is_none());

    let lines = &state.panels.console.lines;
    let commands: Vec<&str> = lines
        .iter()
        .filter(|l| l.kind == LineKind::Command && l.text.starts_with("aws"))
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(commands.len(), 6);
    assert!(commands[3].contains("--grant-tokens "), "{}", commands[3]);
    assert!(
        !commands[3].contains("{grant-token}"),
        "the token was pasted"
    );
    // The outcome of each aws command, in order.
    let outcomes: Vec<(LineKind, &str)> = lines
        .iter()
        .filter(|l| l.kind != LineKind::Command)
        .map(|l| (l.kind, l.text.as_str()))
        .collect();
    assert_eq!(outcomes.len(), 6, "{outcomes:#?}");
    assert_eq!(outcomes[0].0, LineKind::Stderr);
    assert!(outcomes[0].1.contains("(AccessDeniedException) when calling the Encrypt operation: User: arn:aws:iam::111122223333:user/Bob"));
    assert!(outcomes[1].1.contains("\"CiphertextBlob\""));
    assert!(outcomes[2].1.contains("\"GrantToken\"") && outcomes[2].1.contains("\"GrantId\""));
    assert!(
        outcomes[3].1.contains("\"CiphertextBlob\""),
        "Bob with the token"
    );
    assert_eq!(
        outcomes[4].0,
        LineKind::Stderr,
        "Bob without the token, inside the window"
    );
    assert!(
        outcomes[5].1.contains("\"CiphertextBlob\""),
        "Bob after the window"
    );
    assert_eq!(
        state.model().now().0 - start.0,
        300_000,
        "sleep 300 moved the app's clock"
    );
    // The grant the console created is the world's: the grants panel and matrix see it.
    assert_eq!(state.model().world().grants.all().count(), 1);
}

/// A random source with no bytes to give, as a browser without `crypto.getRandomValues`.
struct NoRandomness;

impl kms_engine::entropy::Randomness for NoRandomness {
    fn fill(&mut self, _: &mut [u8]) -> Result<(), kms_engine::entropy::RandomnessUnavailable> {
        Err(kms_engine::entropy::RandomnessUnavailable {
            message: kms_playground::platform::NO_SECURE_RANDOMNESS.to_owned(),
        })
    }
}

/// Without secure randomness nothing that needs it is created: a key added from the toolbar
/// and `aws kms create-key` in the console both fail with the reason (the console as KMS's
/// `KMSInternalException`), and the world keeps its keys; `aws kms encrypt` fails the same way
/// (its nonce is fresh randomness) and prints no ciphertext.
#[test]
fn a_failing_random_source_is_an_error_and_creates_nothing() {
    let mut playground = presets::lecture(kms_playground::platform::epoch_ms_timestamp());
    playground.set_randomness(Box::new(NoRandomness));
    let keys = playground.world().keys.keys().count();
    let error = playground.add_key("New", "").unwrap_err();
    assert!(
        error
            .to_string()
            .contains(kms_playground::platform::NO_SECURE_RANDOMNESS),
        "{error}"
    );
    assert_eq!(playground.world().keys.keys().count(), keys);
    let columns = playground.columns().len();

    let mut state = AppState::new(playground);
    state.apply(Intent::Panel(PanelIntent::SetCaller(ROOT.to_owned())));
    type_line(&mut state, "aws kms create-key --description new");
    let (kind, text) = last_output(&state);
    assert_eq!(kind, LineKind::Stderr, "{text}");
    assert!(text.contains("KMSInternalException"), "{text}");
    assert_eq!(state.model().world().keys.keys().count(), keys);
    assert_eq!(state.model().columns().len(), columns);

    let key = key_id(&state, 0);
    type_line(
        &mut state,
        &format!("aws kms encrypt --key-id {key} --plaintext aGVsbG8="),
    );
    let (kind, text) = last_output(&state);
    assert_eq!(kind, LineKind::Stderr, "{text}");
    assert!(text.contains("KMSInternalException"), "{text}");
    assert!(!text.contains("CiphertextBlob"), "{text}");
}

/// A script cannot make the console keep without bound: each line prints at most
/// `kms_awscli::MAX_OUTPUT_BYTES`, and the console keeps at most `MAX_KEPT_BYTES` of text,
/// dropping the oldest lines first.
#[test]
fn the_console_keeps_a_bounded_amount_of_output() {
    use kms_playground::panels::console::MAX_KEPT_BYTES;
    let mut state = lecture();
    type_line(&mut state, "A=xxxxxxxx");
    for _ in 0..14 {
        type_line(&mut state, "A=$A$A");
    }
    let line = format!("echo{}", " $A".repeat(7));
    for _ in 0..6 {
        type_line(&mut state, &line);
    }
    let (kind, text) = last_output(&state);
    assert_eq!((kind, text.len()), (LineKind::Stdout, 7 * (128 * 1024 + 1)));
    let kept: usize = state
        .panels
        .console
        .lines
        .iter()
        .map(|l| l.text.len())
        .sum();
    assert!(kept <= MAX_KEPT_BYTES, "{kept}");
    assert!(kept > MAX_KEPT_BYTES - 2 * text.len(), "{kept}");
    assert!(
        state
            .panels
            .console
            .lines
            .iter()
            .all(|l| l.kind != LineKind::Command || !l.text.starts_with("A=")),
        "the oldest lines scrolled away"
    );
}
