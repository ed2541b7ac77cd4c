//! Multi-Region replica keys in the app: a replica has its primary's key id, and its own key
//! policy, so it is a column of its own (KMS Developer Guide, multi-region-keys-auth.html: "Each
//! multi-Region key is an independent resource with a unique key ARN and key policy").

use crate::panels_support;

use kms_playground::model::Playground;
use kms_playground::state::{AppState, Intent};
use panels_support::*;

const SCENARIO: &str = r#"{
  "name": "Replicas",
  "principals": [{"name": "Alice"}],
  "keys": [
    {"name": "Global", "id": "mrk-1234abcd12ab34cd56ef1234567890ab"},
    {"name": "Copy", "replica_of": "Global", "region": "eu-west-2",
     "policy": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
       {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Alice"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}}
  ]
}"#;

#[test]
fn a_replica_and_its_primary_are_two_columns_with_their_own_policies() {
    let mut state = AppState::new(Playground::from_scenario_text(SCENARIO, START).unwrap());
    let (global, copy, copy_doc) = {
        let model = state.model();
        let columns = model.columns();
        assert_eq!(columns.len(), 2);
        assert_ne!(columns[0].id, columns[1].id);
        assert_eq!(
            (columns[0].name.as_str(), columns[1].name.as_str()),
            ("Global", "Copy")
        );
        let global = model.summary(0, 0).unwrap().allowed;
        let copy = model.summary(0, 1).unwrap().allowed;
        let doc = model.key_policy_doc(&columns[1].id).unwrap().id;
        assert_ne!(
            model.key_policy_doc(&columns[0].id).unwrap().id,
            doc,
            "each key has its own policy document"
        );
        (global, copy, doc)
    };
    // Alice may use the replica (its policy names her), not the primary.
    assert_eq!(global, 0);
    assert!(copy >= 2, "{copy}");
    // Editing the replica's policy changes its column only.
    state.apply(Intent::EditDocument {
        doc: copy_doc,
        text: r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#.to_owned(),
    });
    let model = state.model();
    assert_eq!(model.summary(0, 1).unwrap().allowed, 0);
    // Exported, the replica names its primary.
    let text = model.export().to_json();
    assert!(text.contains(r#""replica_of": "Global""#), "{text}");
}

// ---------------------------------------------------------------- the Regions panel

use kms_engine::catalog::Action;
use kms_playground::panels::PanelIntent;
use kms_playground::panels::regions::{RegionOutcome, RegionsIntent, region_choices, related_keys};
use kms_playground::panels::wizard::WizardIntent;
use kms_playground::presets;
use kms_playground::state::Owner;

const ROOT: &str = "arn:aws:iam::111122223333:root";

fn wizard(state: &mut AppState, intent: WizardIntent) {
    state.apply(Intent::Panel(PanelIntent::Wizard(intent)));
}

fn regions(state: &mut AppState, intent: RegionsIntent) {
    state.apply(Intent::Panel(PanelIntent::Regions(intent)));
}

fn caller(state: &mut AppState, arn: &str) {
    state.apply(Intent::Panel(PanelIntent::SetCaller(arn.to_owned())));
}

/// The lecture's world with a multi-Region key `Global` the account root made in the wizard
/// (Regionality: Multi-Region key, in the advanced options), selected as Finish selects it.
fn lecture_with_global() -> (AppState, String) {
    let mut state = AppState::new(presets::lecture(START));
    caller(&mut state, ROOT);
    state.apply(Intent::Panel(PanelIntent::OpenWizard));
    wizard(&mut state, WizardIntent::ToggleAdvanced);
    wizard(&mut state, WizardIntent::SetMultiRegion(true));
    wizard(&mut state, WizardIntent::Next);
    wizard(&mut state, WizardIntent::SetAlias("Global".into()));
    for _ in 0..4 {
        wizard(&mut state, WizardIntent::Next);
    }
    state.apply(Intent::Panel(PanelIntent::FinishWizard));
    let Some(Owner::Key(key)) = state.ui.owner.clone() else {
        panic!(
            "Finish selects the new key: {:?}",
            state.panels.wizard_error
        );
    };
    (state, key)
}

fn outcome(state: &AppState, key: &str) -> RegionOutcome {
    state
        .panels
        .regions
        .outcome_for(state.model().world(), key)
        .cloned()
        .unwrap()
}

/// KMS API Reference, ReplicateKey: the replica has its primary's key id in another Region and
/// "has a transient key state of Creating" for a few seconds. In the app it is a column of its
/// own, named with its Region.
#[test]
fn replicate_from_the_panel_makes_a_creating_replica_named_with_its_region() {
    let (mut state, global) = lecture_with_global();
    let columns = state.model().columns().len();
    assert!(global.contains(":key/mrk-"), "{global}");
    assert_eq!(
        related_keys(state.model().world(), &global, state.model().now())
            .unwrap()
            .len(),
        1
    );
    // The world knows only its own Region, which the primary is in: nothing to pick, type one.
    assert!(region_choices(state.model().world(), &global).is_empty());

    regions(&mut state, RegionsIntent::SetRegion(" eu-west-2 ".into()));
    regions(&mut state, RegionsIntent::Replicate(global.clone()));
    let RegionOutcome::Replicated {
        arn,
        region,
        state: key_state,
    } = outcome(&state, &global)
    else {
        panic!("{:?}", outcome(&state, &global));
    };
    assert_eq!(region, "eu-west-2");
    assert_eq!(key_state, "Creating");
    assert!(
        arn.starts_with("arn:aws:kms:eu-west-2:111122223333:key/mrk-"),
        "{arn}"
    );
    assert_eq!(state.panels.regions.region, "", "the form is cleared");

    let model = state.model();
    assert_eq!(model.columns().len(), columns + 1);
    let column = model.columns().iter().find(|c| c.id == arn).unwrap();
    assert_eq!(column.name, "Global (eu-west-2)");
    assert_eq!(column.state, "Creating");
    let set = related_keys(model.world(), &global, model.now()).unwrap();
    assert_eq!(
        set.iter()
            .map(|k| (k.region.as_str(), k.primary, k.state))
            .collect::<Vec<_>>(),
        [
            ("us-east-1", true, "Enabled"),
            ("eu-west-2", false, "Creating")
        ]
    );
    assert_eq!(set[1].settles_in.as_deref(), Some("5 s"));
    // The replica's page lists the same set; the Region it took is no longer offered.
    assert_eq!(related_keys(model.world(), &arn, model.now()).unwrap(), set);
    assert_eq!(region_choices(model.world(), &arn), Vec::<String>::new());
    // A single-Region key has no Regions to show.
    let cmk_a = model.columns()[0].id.clone();
    assert_eq!(related_keys(model.world(), &cmk_a, model.now()), None);
    // Once the world knows eu-west-2, it is offered for another key, never the key's own Region.
    assert_eq!(region_choices(model.world(), &cmk_a), ["eu-west-2"]);
}

/// KMS API Reference, ReplicateKey, "Required permissions": kms:ReplicateKey on the primary key.
/// Bob has no policy that allows it: AccessDeniedException, with the why panel's cell.
#[test]
fn a_caller_who_may_not_replicate_gets_access_denied_with_a_why_link() {
    let (mut state, global) = lecture_with_global();
    let columns = state.model().columns().len();
    caller(&mut state, panels_support::user("Bob").as_ref());
    regions(&mut state, RegionsIntent::SetRegion("eu-west-2".into()));
    regions(&mut state, RegionsIntent::Replicate(global.clone()));
    let RegionOutcome::Refused(refusal) = outcome(&state, &global) else {
        panic!("{:?}", outcome(&state, &global));
    };
    assert_eq!(refusal.exception, "AccessDeniedException");
    assert!(
        refusal.line.starts_with(
            "An error occurred (AccessDeniedException) when calling the ReplicateKey operation: "
        ),
        "{}",
        refusal.line
    );
    let why = refusal.why.unwrap();
    assert_eq!(why.principal, panels_support::user("Bob"));
    assert_eq!(why.key, global);
    assert_eq!(why.action, Action::ReplicateKey);
    assert_eq!(state.model().columns().len(), columns, "nothing was made");
    // The refusal belongs to Global's page only.
    let model = state.model();
    let cmk_a = &model.columns()[0].id;
    assert_eq!(state.panels.regions.outcome_for(model.world(), cmk_a), None);
}

/// KMS API Reference, ReplicateKey: a Region that does not match ^([a-z]+-){2,3}\d+$ is a
/// ValidationException, and "each [replica] must be in a different Region": a second replica
/// in eu-west-2 is AlreadyExistsException. A single-Region key cannot be replicated
/// (UnsupportedOperationException). An empty Region is not sent.
#[test]
fn kms_refusals_of_replicate_key_are_shown_as_the_cli_prints_them() {
    let (mut state, global) = lecture_with_global();
    regions(&mut state, RegionsIntent::Replicate(global.clone()));
    assert!(matches!(
        outcome(&state, &global),
        RegionOutcome::Invalid(_)
    ));
    let refused = |state: &mut AppState, key: &str, region: &str| {
        regions(state, RegionsIntent::SetRegion(region.into()));
        regions(state, RegionsIntent::Replicate(key.to_owned()));
        match outcome(state, key) {
            RegionOutcome::Refused(refusal) => refusal.exception,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        refused(&mut state, &global, "Europe"),
        "ValidationException"
    );
    assert_eq!(
        refused(&mut state, &global, "us-east-1"),
        "ValidationException"
    );
    regions(&mut state, RegionsIntent::SetRegion("eu-west-2".into()));
    regions(&mut state, RegionsIntent::Replicate(global.clone()));
    assert!(matches!(
        outcome(&state, &global),
        RegionOutcome::Replicated { .. }
    ));
    assert_eq!(
        refused(&mut state, &global, "eu-west-2"),
        "AlreadyExistsException"
    );
    let cmk_a = state.model().columns()[0].id.clone();
    assert_eq!(
        refused(&mut state, &cmk_a, "eu-west-2"),
        "UnsupportedOperationException"
    );
}

/// KMS API Reference, UpdatePrimaryRegion: the replica becomes the primary key and the primary a
/// replica; both are Updating for a while. Not while the replica is still Creating (the
/// key-state table: UpdatePrimaryRegion needs Enabled or Updating).
#[test]
fn make_primary_swaps_the_roles_once_the_replica_is_created() {
    let (mut state, global) = lecture_with_global();
    regions(&mut state, RegionsIntent::SetRegion("eu-west-2".into()));
    regions(&mut state, RegionsIntent::Replicate(global.clone()));
    let RegionOutcome::Replicated { arn: replica, .. } = outcome(&state, &global) else {
        panic!("{:?}", outcome(&state, &global));
    };
    regions(&mut state, RegionsIntent::MakePrimary(replica.clone()));
    let RegionOutcome::Refused(refusal) = outcome(&state, &replica) else {
        panic!("{:?}", outcome(&state, &replica));
    };
    assert_eq!(
        refusal.exception, "KMSInvalidStateException",
        "{}",
        refusal.line
    );

    state.apply(Intent::AdvanceClock { millis: 60_000 });
    regions(&mut state, RegionsIntent::MakePrimary(replica.clone()));
    assert_eq!(
        outcome(&state, &replica),
        RegionOutcome::PrimaryChanged {
            region: "eu-west-2".into()
        }
    );
    // Said on every page of the set.
    assert_eq!(outcome(&state, &global), outcome(&state, &replica));
    {
        let model = state.model();
        let set = related_keys(model.world(), &global, model.now()).unwrap();
        assert_eq!(
            set.iter()
                .map(|k| (k.region.as_str(), k.primary, k.state))
                .collect::<Vec<_>>(),
            [
                ("eu-west-2", true, "Updating"),
                ("us-east-1", false, "Updating")
            ]
        );
    }

    // Bob may not: AccessDenied on UpdatePrimaryRegion, explained on the current primary.
    state.apply(Intent::AdvanceClock { millis: 60_000 });
    caller(&mut state, panels_support::user("Bob").as_ref());
    regions(&mut state, RegionsIntent::MakePrimary(global.clone()));
    let RegionOutcome::Refused(refusal) = outcome(&state, &global) else {
        panic!("{:?}", outcome(&state, &global));
    };
    assert_eq!(refusal.exception, "AccessDeniedException");
    let why = refusal.why.unwrap();
    assert_eq!(
        (why.key, why.action),
        (replica, Action::UpdatePrimaryRegion)
    );
}
