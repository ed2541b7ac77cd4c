//! The analysis layer: fixes that flip a cell, principals nobody listed, escalation and the
//! audit. Each rule names the AWS page it follows.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "fixtures fail the test on a bad setup"
)]

use kms_engine::analysis::edit::{Change, Names};
use kms_engine::analysis::{
    self, CellQuery, FindingKind, Outcome, Severity, SyntheticKind, Universe,
};
use kms_engine::authz::RequestParams;
use kms_engine::catalog::Action;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::matrix::Matrix;
use kms_engine::scenario::{self, Loaded, Scenario};
use proptest::prelude::*;

const NOW: Timestamp = Timestamp(1_704_067_200_000);
const LECTURE: &str = include_str!("../../../scenarios/lecture.json");
const DEMO1: &str = include_str!("../../../scenarios/demo1-grants.json");
const DEMO2: &str = include_str!("../../../scenarios/demo2-create-key.json");
const ACCOUNT: &str = "111122223333";

fn load(text: &str) -> Loaded {
    scenario::load(text, NOW, &mut SeededRandomness::new(7)).unwrap_or_else(|e| panic!("{e}"))
}

fn query(loaded: &Loaded, principal: &str, key: &str, action: Action) -> CellQuery {
    let s = &loaded.scenario;
    let p = &s.principals[s.principal_index(principal).unwrap()];
    let k = &s.keys[s.key_index(key).unwrap()];
    CellQuery {
        principal: p.arn.clone(),
        key: loaded.world.keys.get_by_arn(&k.arn).unwrap().arn.clone(),
        action,
        params: RequestParams::default(),
    }
}

fn fixes(loaded: &Loaded, q: &CellQuery) -> analysis::FixReport {
    let names = Names::of_scenario(&loaded.scenario, &loaded.world);
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[q.action]);
    analysis::propose_fixes(&loaded.world, &universe, &names, q, NOW).unwrap()
}

fn audit(loaded: &Loaded) -> Vec<analysis::Finding> {
    let names = Names::of_scenario(&loaded.scenario, &loaded.world);
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[]);
    analysis::audit(
        &loaded.world,
        &universe,
        &names,
        &loaded.scenario.account,
        NOW,
    )
}

/// Applies every fix of every cell through the scenario file (export, read, build) and checks
/// that the target flips and that exactly the reported side effects change besides it.
fn check_every_fix(text: &str, cells: &[(usize, usize, Action)]) {
    let loaded = load(text);
    let names = Names::of_scenario(&loaded.scenario, &loaded.world);
    for &(p, k, action) in cells {
        let (Some(principal), Some(key)) = (
            loaded.scenario.principals.get(p),
            loaded.scenario.keys.get(k),
        ) else {
            continue;
        };
        let q = query(&loaded, principal.arn.as_str(), &key.arn, action);
        let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[action]);
        let report = analysis::propose_fixes(&loaded.world, &universe, &names, &q, NOW).unwrap();
        let before = Matrix::compute(
            &loaded.world,
            &universe.principals,
            &universe.keys,
            &universe.actions,
            NOW,
        );
        for fix in &report.fixes {
            let fixed = fix.apply(&loaded.world, NOW).unwrap();
            let exported = Scenario::from_world(&fixed, &loaded.scenario).to_json();
            let reloaded = load(&exported);
            let after = Matrix::compute(
                &reloaded.world,
                &universe.principals,
                &universe.keys,
                &universe.actions,
                NOW,
            );
            let target = after.lookup(&q.principal, &q.key, action).unwrap();
            assert_eq!(
                Outcome::of_cell(target) == Outcome::Allow,
                report.to_allow,
                "{}",
                fix.summary
            );
            let mut changed: Vec<(String, String, String)> = before
                .cells()
                .zip(after.cells())
                .filter(|(b, a)| Outcome::of_cell(b.cell) != Outcome::of_cell(a.cell))
                .filter(|(b, _)| {
                    !(*b.principal == q.principal && *b.key == q.key && b.action == action)
                })
                .map(|(b, _)| {
                    (
                        names.principal(&loaded.world, b.principal.as_str()),
                        names.key(&loaded.world, b.key),
                        b.action.name().to_owned(),
                    )
                })
                .collect();
            let mut reported: Vec<(String, String, String)> = fix
                .side_effects
                .iter()
                .map(|s| (s.principal.clone(), s.key.clone(), s.action.clone()))
                .collect();
            kms_engine::sort::sort(&mut changed);
            kms_engine::sort::sort(&mut reported);
            assert_eq!(changed, reported, "{}", fix.summary);
        }
    }
}

#[test]
fn a_cell_delegated_to_iam_is_fixed_by_an_iam_statement_or_a_grant_with_no_side_effects() {
    // KMS Developer Guide, key-policy-default.html: CMK-A's root statement lets IAM policies
    // allow; grants.html: a grant allows its grantee the grant's operations.
    let loaded = load(LECTURE);
    let report = fixes(&loaded, &query(&loaded, "Bob", "CMK-A", Action::Decrypt));
    assert_eq!(report.decision, Outcome::ImplicitDeny);
    assert!(report.to_allow);
    let first = &report.fixes[0];
    assert!(first.side_effects.is_empty(), "{}", first.summary);
    assert!(matches!(
        first.changes.as_slice(),
        [Change::AddIdentityStatement { statement, .. }]
            if statement["Resource"] == "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    ));
    assert!(report.fixes.iter().any(|f| matches!(
        f.changes.as_slice(),
        [Change::CreateGrant { operations, .. }] if operations == &["Decrypt"]
    )));
    assert!(
        first
            .summary
            .starts_with("To allow Bob kms:Decrypt on CMK-A: ")
    );
}

#[test]
fn a_key_that_does_not_trust_the_account_is_fixed_in_the_key_policy_and_the_root_statement_shows_its_side_effects()
 {
    // KMS Developer Guide, key-policy-default.html: adding the root statement to CMK-B makes
    // every IAM policy of the account count there, Alice's kms:* among them.
    let loaded = load(LECTURE);
    let report = fixes(&loaded, &query(&loaded, "David", "CMK-B", Action::Decrypt));
    assert!(matches!(
        report.fixes[0].changes.as_slice(),
        [Change::AddKeyPolicyStatement { statement, .. }] if statement_names(statement, "user/David")
    ));
    let root = report
        .fixes
        .iter()
        .find(|f| {
            f.changes.iter().any(|c| {
                matches!(c, Change::AddKeyPolicyStatement { statement, .. } if statement["Action"] == "kms:*")
            })
        })
        .expect("the full root statement is proposed");
    assert!(
        root.side_effects
            .iter()
            .any(|s| s.principal == "Alice" && s.after == Outcome::Allow),
        "{:?}",
        root.side_effects
    );
    // Fewest side effects first.
    let counts: Vec<usize> = report.fixes.iter().map(|f| f.side_effects.len()).collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
}

fn statement_names(statement: &serde_json::Value, suffix: &str) -> bool {
    statement["Principal"]["AWS"]
        .as_str()
        .is_some_and(|p| p.ends_with(suffix))
}

#[test]
fn an_explicit_deny_is_flipped_only_by_removing_or_narrowing_the_deny() {
    // IAM User Guide, reference_policies_evaluation-logic.html: an explicit Deny overrides
    // every Allow, so no added Allow or grant can flip Bob's cell on CMK-C.
    let loaded = load(LECTURE);
    let report = fixes(&loaded, &query(&loaded, "Bob", "CMK-C", Action::Decrypt));
    assert_eq!(report.decision, Outcome::ExplicitDeny);
    assert!(!report.fixes.is_empty());
    for fix in &report.fixes {
        assert!(
            matches!(
                fix.changes.first(),
                Some(
                    Change::RemoveKeyPolicyStatement { index: 2, .. }
                        | Change::ReplaceKeyPolicyStatement { index: 2, .. }
                )
            ),
            "{}",
            fix.summary
        );
    }
    // Narrowing the Deny to leave out Bob keeps Charlie and David denied.
    assert!(
        report.fixes[0]
            .side_effects
            .iter()
            .all(|s| s.principal == "Bob")
    );
}

#[test]
fn an_allowed_cell_is_denied_by_a_deny_or_by_narrowing_what_allows_it() {
    // IAM User Guide, reference_policies_evaluation-logic.html: a Deny in the key policy or in the
    // caller's IAM policy wins; KMS Developer Guide, key-policies.html: IAM denies count even
    // where IAM allows would need the key policy's delegation.
    let loaded = load(LECTURE);
    let report = fixes(&loaded, &query(&loaded, "Alice", "CMK-A", Action::Decrypt));
    assert!(!report.to_allow);
    let kinds: Vec<&Change> = report.fixes.iter().flat_map(|f| &f.changes).collect();
    assert!(kinds.iter().any(|c| matches!(c, Change::AddKeyPolicyStatement { statement, .. } if statement["Effect"] == "Deny")));
    assert!(kinds.iter().any(|c| matches!(c, Change::AddIdentityStatement { statement, .. } if statement["Effect"] == "Deny")));
    // Taking CMK-A out of Alice's Resource list also takes Encrypt away, and says so.
    let narrowed = report
        .fixes
        .iter()
        .find(|f| {
            matches!(
                f.changes.as_slice(),
                [Change::ReplaceIdentityStatement { .. }]
            )
        })
        .expect("narrowing Alice's statement is proposed");
    assert_eq!(narrowed.side_effects.len(), 1);
    assert_eq!(narrowed.side_effects[0].action, "kms:Encrypt");
}

#[test]
fn a_grant_that_allows_is_retired_to_deny() {
    // KMS Developer Guide, grant-delete.html: retiring a grant ends the permissions it gave.
    let text = r#"{"principals": [{"name": "Bob"}], "keys": [{"name": "K", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}}],
        "grants": [{"key": "K", "grantee": "Bob", "operations": ["Decrypt"]}]}"#;
    let loaded = load(text);
    let report = fixes(&loaded, &query(&loaded, "Bob", "K", Action::Decrypt));
    assert!(
        report
            .fixes
            .iter()
            .any(|f| matches!(f.changes.as_slice(), [Change::RetireGrant { .. }]))
    );
    check_every_fix(text, &[(0, 0, Action::Decrypt)]);
}

#[test]
fn a_disabled_key_is_fixed_by_enabling_it_and_a_key_pending_deletion_by_cancelling() {
    // KMS Developer Guide, key-state.html: a Disabled or PendingDeletion key refuses Decrypt even
    // to allowed callers; deleting-keys-scheduling-key-deletion.html: cancelling leaves the key
    // Disabled, so the fix cancels and enables.
    for (state, expected) in [
        ("Disabled", "enable K"),
        ("PendingDeletion", "cancel the deletion of K"),
    ] {
        let text = format!(
            r#"{{"principals": [{{"name": "Bob"}}], "keys": [{{"name": "K", "state": "{state}", "policy": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:user/Bob"}}, "Action": "kms:*", "Resource": "*"}}]}}}}]}}"#
        );
        let loaded = load(&text);
        let report = fixes(&loaded, &query(&loaded, "Bob", "K", Action::Decrypt));
        assert_eq!(report.decision, Outcome::KeyStateRefuses);
        assert!(
            report.fixes[0].summary.contains(expected),
            "{}",
            report.fixes[0].summary
        );
        check_every_fix(&text, &[(0, 0, Action::Decrypt)]);
    }
}

#[test]
fn an_action_that_never_works_across_accounts_has_no_fix() {
    // KMS Developer Guide, key-policy-modifying-external-accounts.html: PutKeyPolicy cannot be
    // used on a key in another account, whatever the policies say.
    let text = r#"{"principals": [{"name": "Ext", "arn": "arn:aws:iam::444455556666:user/Ext"}], "keys": [{"name": "K"}]}"#;
    let loaded = load(text);
    let report = fixes(&loaded, &query(&loaded, "Ext", "K", Action::PutKeyPolicy));
    assert!(report.fixes.is_empty());
    assert!(report.note.unwrap().contains("another account"));
    // Decrypt works across accounts with both sides: the fix edits the key policy and Ext's own
    // IAM policy.
    let report = fixes(&loaded, &query(&loaded, "Ext", "K", Action::Decrypt));
    assert!(report.fixes.iter().any(
        |f| f.changes.len() == 2 && matches!(f.changes[1], Change::AddIdentityStatement { .. })
    ));
    check_every_fix(text, &[(0, 0, Action::Decrypt)]);
}

#[test]
fn every_fix_of_the_lecture_flips_its_cell_and_changes_exactly_its_side_effects() {
    let mut cells = Vec::new();
    for p in 0..4 {
        for k in 0..3 {
            for action in [Action::Encrypt, Action::Decrypt, Action::PutKeyPolicy] {
                cells.push((p, k, action));
            }
        }
    }
    check_every_fix(LECTURE, &cells);
    check_every_fix(
        DEMO1,
        &[
            (0, 0, Action::Decrypt),
            (1, 0, Action::Encrypt),
            (2, 0, Action::Decrypt),
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_fix_of_a_generated_world_flips_its_cell_and_changes_exactly_its_side_effects(
        seed in 0u64..1000,
        p in 0usize..8,
        k in 0usize..4,
        a in 0usize..scenario::GENERATED_ACTIONS.len(),
    ) {
        let text = scenario::generate(8, 4, seed).to_json();
        let action = Action::from_name(scenario::GENERATED_ACTIONS[a]).unwrap();
        check_every_fix(&text, &[(p, k, action)]);
    }

    #[test]
    fn a_synthetic_principal_never_gets_less_than_a_real_principal_of_its_kind(seed in 0u64..1000) {
        // The same engine decides both; a fresh real user that no statement names is of the
        // synthetic kind, so their cells must agree (the synthetic never gets less).
        let mut loaded = load(&scenario::generate(6, 4, seed).to_json());
        let world = &mut loaded.world;
        let full = world.add_user(ACCOUNT, "RealFullIam").unwrap();
        world.put_identity_policy(&full, "All", r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#).unwrap();
        let none = world.add_user(ACCOUNT, "RealNoPolicy").unwrap();
        world.add_account("444455556666", "Other").unwrap();
        let other = world.add_user("444455556666", "RealExternal").unwrap();
        world.put_identity_policy(&other, "All", r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#).unwrap();
        let keys: Vec<_> = world.keys.keys().map(|k| k.arn.clone()).collect();
        let actions: Vec<Action> = scenario::GENERATED_ACTIONS.iter().filter_map(|a| Action::from_name(a)).collect();
        let rows = analysis::synthetic_rows(world, ACCOUNT, &keys, &actions, NOW);
        let real = Matrix::compute(world, &[full.clone(), none.clone(), other.clone()], &keys, &actions, NOW);
        for (kind, arn) in [(SyntheticKind::IamFull, &full), (SyntheticKind::IamNone, &none), (SyntheticKind::OtherAccount, &other)] {
            let row = rows.iter().find(|r| r.kind == kind).unwrap();
            for cell in &row.cells {
                let real_cell = real.lookup(arn, &cell.key, cell.action).unwrap();
                if Outcome::of_cell(real_cell) == Outcome::Allow {
                    prop_assert_eq!(cell.outcome, Outcome::Allow, "{:?} {:?}", kind, cell.action);
                }
            }
        }
    }
}

#[test]
fn the_lectures_synthetic_rows_follow_the_key_policies() {
    // KMS Developer Guide, key-policy-default.html: CMK-A and CMK-C trust the account, so another
    // IAM user with full IAM permissions may use them; CMK-B names only Bob and Charlie. A user
    // without IAM policies gets nothing; another account's principal is named nowhere.
    let loaded = load(LECTURE);
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[]);
    let rows = analysis::synthetic_rows(
        &loaded.world,
        ACCOUNT,
        &universe.keys,
        &universe.actions,
        NOW,
    );
    let outcomes = |kind| -> Vec<Outcome> {
        rows.iter()
            .find(|r| r.kind == kind)
            .unwrap()
            .cells
            .iter()
            .map(|c| c.outcome)
            .collect()
    };
    use Outcome::{Allow, ImplicitDeny};
    assert_eq!(
        outcomes(SyntheticKind::IamFull),
        [Allow, Allow, ImplicitDeny, ImplicitDeny, Allow, Allow]
    );
    for kind in [
        SyntheticKind::IamNone,
        SyntheticKind::OtherAccount,
        SyntheticKind::Service,
        SyntheticKind::Anonymous,
    ] {
        assert!(
            outcomes(kind).iter().all(|&o| o == ImplicitDeny),
            "{kind:?}"
        );
    }
}

fn star_world(condition: &str) -> String {
    format!(
        r#"{{"principals": [{{"name": "Bob"}}], "keys": [{{"name": "K", "policy": {{"Version": "2012-10-17", "Statement": [
            {{"Sid": "Root", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}}, "Action": "kms:*", "Resource": "*"}},
            {{"Sid": "Everyone", "Effect": "Allow", "Principal": {{"AWS": "*"}}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"{condition}}}]}}}}]}}"#
    )
}

#[test]
fn a_statement_for_everyone_is_public_and_says_what_the_caller_must_send() {
    // KMS Developer Guide, key-policy-overview.html: "AWS": "*" gives every identity in every
    // account access (their own IAM policies still must allow); conditions-kms.html#conditions-kms-via-service:
    // kms:ViaService is what a caller presents by calling through the service.
    let loaded = load(&star_world(""));
    let findings = audit(&loaded);
    let public: Vec<_> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::Public)
        .collect();
    assert_eq!(public.len(), 1, "{findings:?}");
    assert_eq!(public[0].severity, Severity::Error);
    assert_eq!(
        public[0].statement.as_deref(),
        Some("default: \"Everyone\"")
    );
    // KMS API Reference, Welcome, "Signing requests": requests must be signed with an access
    // key (Signature Version 4), so even a statement for "*" lets no anonymous caller in.
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[]);
    let rows = analysis::synthetic_rows(
        &loaded.world,
        ACCOUNT,
        &universe.keys,
        &universe.actions,
        NOW,
    );
    let anonymous = rows
        .iter()
        .find(|r| r.kind == SyntheticKind::Anonymous)
        .unwrap();
    assert!(
        anonymous
            .cells
            .iter()
            .all(|c| c.outcome == Outcome::ImplicitDeny && c.why.contains("signed"))
    );
    let other = rows
        .iter()
        .find(|r| r.kind == SyntheticKind::OtherAccount)
        .unwrap();
    assert!(other.cells.iter().all(|c| c.outcome == Outcome::Allow));

    let loaded = load(&star_world(
        r#", "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}"#,
    ));
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[]);
    let rows = analysis::synthetic_rows(
        &loaded.world,
        ACCOUNT,
        &universe.keys,
        &universe.actions,
        NOW,
    );
    let other = rows
        .iter()
        .find(|r| r.kind == SyntheticKind::OtherAccount)
        .unwrap();
    assert_eq!(other.cells[0].outcome, Outcome::ImplicitDeny);
    assert_eq!(
        other.cells[0].requires,
        [(
            "kms:ViaService".to_owned(),
            "s3.us-east-1.amazonaws.com".to_owned()
        )]
    );
    let findings = audit(&loaded);
    let public = findings
        .iter()
        .find(|f| f.kind == FindingKind::Public)
        .unwrap();
    assert!(
        public
            .message
            .contains("anyone who sends `kms:ViaService = s3.us-east-1.amazonaws.com`"),
        "{}",
        public.message
    );
}

#[test]
fn a_statement_for_everyone_pinned_to_an_organisation_or_account_is_not_public() {
    // IAM User Guide, reference_policies_condition-keys.html#condition-keys-principalorgid and
    // KMS Developer Guide, conditions-kms.html#conditions-kms-caller-account.
    for condition in [
        r#", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}"#,
        r#", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}"#,
        r#", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}"#,
    ] {
        let loaded = load(&star_world(condition));
        let findings = audit(&loaded);
        assert!(
            findings.iter().all(|f| f.kind != FindingKind::Public),
            "{condition}: {findings:?}"
        );
    }
}

#[test]
fn another_accounts_principal_named_by_the_key_policy_is_a_cross_account_finding() {
    // KMS Developer Guide, key-policy-modifying-external-accounts.html: naming another account
    // lets its IAM policies allow the key's use across accounts.
    let text = r#"{"principals": [{"name": "Bob"}], "keys": [{"name": "K", "policy": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:Decrypt", "Resource": "*"}]}}]}"#;
    let findings = audit(&load(text));
    let cross: Vec<_> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::CrossAccount)
        .collect();
    assert_eq!(cross.len(), 1, "{findings:?}");
    assert_eq!(cross[0].statement.as_deref(), Some("default: \"Partner\""));
    assert_eq!(cross[0].action.as_deref(), Some("kms:Decrypt"));
}

#[test]
fn a_service_principal_is_allowed_by_its_own_statement_and_is_no_iam_principal_of_the_account() {
    // KMS Developer Guide, key-policy-services.html: a key policy statement naming a service
    // principal allows it; IAM User Guide, reference_policies_elements_principal.html: a service
    // principal is not an identity of the account, so the root statement does not reach it.
    use kms_engine::authz::{AuthzRequest, Target, decide};
    use kms_engine::world::Principal;
    let text = r#"{"keys": [{"name": "K", "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*"}]}}]}"#;
    let loaded = load(text);
    let key = loaded.world.keys.keys().next().unwrap();
    let params = RequestParams::default();
    let ask = |service: &str, action| {
        decide(
            &loaded.world,
            &AuthzRequest {
                caller: &Principal::service(service),
                action,
                target: Target::Key(key),
                params: &params,
                now: NOW,
            },
        )
        .is_allowed()
    };
    assert!(ask("cloudtrail.amazonaws.com", Action::GenerateDataKey));
    assert!(!ask("cloudtrail.amazonaws.com", Action::Decrypt));
    assert!(!ask("s3.amazonaws.com", Action::GenerateDataKey));
}

#[test]
fn key_administrators_can_give_themselves_use_and_the_reachable_cells_say_how() {
    // KMS Developer Guide, key-policy-default.html: kms:Put* lets administrators change the key
    // policy, and kms:Create* lets them create grants; grants.html: a principal with CreateGrant
    // from a policy can grant any grant operation, to itself too.
    let loaded = load(DEMO2);
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[]);
    let escalations = analysis::reachable(&loaded.world, &universe, NOW);
    let admin = loaded
        .scenario
        .principals
        .iter()
        .find(|p| p.arn.as_str().ends_with("role/KMSAdminRole"))
        .unwrap();
    let paths: Vec<_> = escalations
        .iter()
        .filter(|e| e.principal == admin.arn)
        .map(|e| (e.path, e.gains.clone()))
        .collect();
    assert!(
        paths.contains(&(
            analysis::EscalationPath::PutKeyPolicy,
            vec![Action::Encrypt, Action::Decrypt]
        )),
        "{paths:?}"
    );
    assert!(
        paths.contains(&(
            analysis::EscalationPath::CreateGrant,
            vec![Action::Encrypt, Action::Decrypt]
        )),
        "{paths:?}"
    );
    // In the lecture nobody lacks a cell they could reach: no escalation.
    let lecture = load(LECTURE);
    let universe = Universe::of_scenario(&lecture.scenario, &lecture.world, &[]);
    assert!(
        analysis::reachable(&lecture.world, &universe, NOW)
            .iter()
            .all(|e| e.path == analysis::EscalationPath::CreateKey || e.gains.is_empty())
    );
}

#[test]
fn the_console_grant_statement_gives_no_escalation_to_key_users() {
    // KMS Developer Guide, conditions-kms.html#conditions-kms-grant-is-for-aws-resource: the
    // console's grant statement does not let a key user call CreateGrant itself.
    let loaded = load(DEMO2);
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[Action::Sign]);
    let escalations = analysis::reachable(&loaded.world, &universe, NOW);
    let users: Vec<&str> = loaded
        .scenario
        .principals
        .iter()
        .filter(|p| !p.arn.as_str().contains("Admin") && p.name != "CloudAcademy")
        .map(|p| p.arn.as_str())
        .collect();
    assert!(
        escalations
            .iter()
            .all(|e| !users.contains(&e.principal.as_str())
                || e.path == analysis::EscalationPath::CreateKey),
        "{escalations:?}"
    );
}

#[test]
fn the_lectures_worlds_give_the_expected_findings() {
    let summary = |text| -> Vec<(FindingKind, Option<String>, Option<String>)> {
        audit(&load(text))
            .into_iter()
            .map(|f| (f.kind, f.principal.or(f.key), f.statement))
            .collect()
    };
    // The lecture: David's IAM statement is worth nothing (CMK-B does not trust the account and
    // CMK-C denies him); every key has an administrator; nothing is open outside the account.
    assert_eq!(
        summary(LECTURE),
        [(
            FindingKind::UnusedStatement,
            Some("David".to_owned()),
            Some("DavidKms: \"AllKmsOnCmkBAndCmkC\"".to_owned())
        )]
    );
    // Demo 1: the CloudAcademy administrator can give itself use of the key two ways; the
    // console's grant statement lets no listed principal do anything by itself.
    assert_eq!(
        summary(DEMO1),
        [
            (
                FindingKind::Escalation,
                Some("CloudAcademy".to_owned()),
                Some("default: \"Allow access for Key Administrators\"".to_owned())
            ),
            (
                FindingKind::Escalation,
                Some("CloudAcademy".to_owned()),
                Some("default: \"Allow access for Key Administrators\"".to_owned())
            ),
            (
                FindingKind::UnusedStatement,
                Some("DemoKey".to_owned()),
                Some("default: \"Allow attachment of persistent resources\"".to_owned())
            ),
        ]
    );
    let demo2 = summary(DEMO2);
    assert_eq!(
        demo2
            .iter()
            .filter(|f| f.0 == FindingKind::Escalation)
            .count(),
        4,
        "{demo2:?}"
    );
    assert!(
        demo2
            .iter()
            .all(|f| f.0 != FindingKind::Public && f.0 != FindingKind::NoAdmin)
    );
}

/// A statement for an AWS service principal (the CloudTrail statement the KMS Developer Guide's
/// key policies for CloudTrail use) allows that service: the audit compares IAM principals only,
/// so it does not call such a statement unused.
#[test]
fn a_statement_for_an_aws_service_is_not_called_unused() {
    let text = r#"{"principals": [{"name": "Ann"}],
      "keys": [{"name": "Trail", "policy": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*"},
        {"Sid": "Nobody", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Ann"}, "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "none"}}}]}}]}"#;
    let unused: Vec<Option<String>> = audit(&load(text))
        .into_iter()
        .filter(|f| f.kind == FindingKind::UnusedStatement)
        .map(|f| f.statement)
        .collect();
    assert!(
        unused
            .iter()
            .all(|s| !s.as_deref().unwrap_or_default().contains("CloudTrail")),
        "{unused:?}"
    );
}

#[test]
fn a_key_nobody_can_manage_and_a_grant_for_a_missing_principal_are_findings() {
    // KMS Developer Guide, key-policy-default.html: without the account principal, a key whose
    // policy lets nobody change it can only be recovered by AWS Support; grants.html: a grant
    // stays until retired or revoked, whoever its grantee was.
    let text = r#"{"principals": [{"name": "Bob"}], "keys": [{"name": "K", "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Bob"}, "Action": "kms:Decrypt", "Resource": "*"}]}}],
        "grants": [{"key": "K", "grantee": "arn:aws:iam::111122223333:user/Gone", "operations": ["Encrypt"]}]}"#;
    let findings = audit(&load(text));
    let kinds: Vec<(FindingKind, Severity)> =
        findings.iter().map(|f| (f.kind, f.severity)).collect();
    assert!(
        kinds.contains(&(FindingKind::NoAdmin, Severity::Error)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(FindingKind::GrantOutlives, Severity::Warning)),
        "{kinds:?}"
    );
    assert_eq!(findings[0].severity, Severity::Error);
}

/// Alice and Bob in group Team, whose inline policy denies Decrypt; managed policy Use (Encrypt
/// and Decrypt) attached to all three; Carol's permissions boundary Bound allows Encrypt and
/// denies GenerateDataKey. The key trusts the account.
const IAM_WORLD: &str = r#"{
  "principals": [{"name": "Alice"}, {"name": "Bob"}, {"name": "Carol", "permissions_boundary": "Bound"}],
  "groups": [{"name": "Team", "members": ["Alice", "Bob"], "policies": [{"name": "NoDecrypt",
    "document": {"Version": "2012-10-17", "Statement": [{"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}}]}],
  "managed_policies": [
    {"name": "Use", "attached_to": ["Alice", "Bob", "Carol"], "document": {"Version": "2012-10-17", "Statement": [
      {"Sid": "Use", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}]}},
    {"name": "Bound", "document": {"Version": "2012-10-17", "Statement": [
      {"Sid": "EncryptOnly", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"},
      {"Sid": "NoDataKeys", "Effect": "Deny", "Action": "kms:GenerateDataKey", "Resource": "*"}]}}],
  "keys": [{"name": "K", "policy": {"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}}]
}"#;

#[test]
fn a_deny_in_a_groups_policy_is_fixed_in_the_groups_policy_and_reaches_every_member() {
    // IAM User Guide, id_groups.html: a group's policies apply to every member, so the fix is
    // an edit of the group's policy (a user has no copy of it to edit), and it changes Bob's
    // cell too.
    let loaded = load(IAM_WORLD);
    let report = fixes(&loaded, &query(&loaded, "Alice", "K", Action::Decrypt));
    assert_eq!(report.decision, Outcome::ExplicitDeny);
    assert!(!report.fixes.is_empty(), "{:?}", report.note);
    for fix in &report.fixes {
        assert!(
            matches!(
                fix.changes.first(),
                Some(Change::RemoveGroupStatement { policy, .. } | Change::ReplaceGroupStatement { policy, .. })
                    if policy == "NoDecrypt"
            ),
            "{}",
            fix.summary
        );
    }
    let removal = &report.fixes[0];
    assert!(
        removal.summary.contains("policy NoDecrypt of group Team"),
        "{}",
        removal.summary
    );
    assert!(
        removal
            .side_effects
            .iter()
            .any(|s| s.principal == "Bob" && s.after == Outcome::Allow),
        "{:?}",
        removal.side_effects
    );
    check_every_fix(IAM_WORLD, &[(0, 0, Action::Decrypt)]);
}

#[test]
fn an_allow_from_an_attached_managed_policy_is_narrowed_in_the_managed_policy() {
    // IAM User Guide, access_policies_managed-vs-inline.html: a managed policy is one document
    // attached to many identities; editing it (a new default version) changes every one of
    // them, which the fix reports as side effects.
    let loaded = load(IAM_WORLD);
    let report = fixes(&loaded, &query(&loaded, "Carol", "K", Action::Encrypt));
    assert!(!report.to_allow);
    let narrowed = report
        .fixes
        .iter()
        .find(|f| matches!(f.changes.as_slice(), [Change::ReplaceManagedStatement { policy, .. }] if policy.ends_with(":policy/Use")))
        .expect("narrowing the managed policy is proposed");
    assert!(
        narrowed
            .side_effects
            .iter()
            .any(|s| s.principal == "Alice" && s.action == "kms:Encrypt"),
        "{:?}",
        narrowed.side_effects
    );
    // A Deny in Carol's own inline policy takes nothing from the others.
    assert!(report.fixes.iter().any(|f| matches!(
        f.changes.as_slice(),
        [Change::AddIdentityStatement { statement, .. }] if statement["Effect"] == "Deny"
    ) && f.side_effects.is_empty()));
    check_every_fix(IAM_WORLD, &[(2, 0, Action::Encrypt)]);
}

#[test]
fn a_permissions_boundary_is_widened_or_bypassed_and_its_deny_removed() {
    // IAM User Guide, access_policies_boundaries.html: the boundary limits identity-based
    // allows (widen it, a managed policy), but not a key-policy allow naming the user
    // (name Carol in the key policy); an explicit Deny in it wins (remove or narrow it).
    let loaded = load(IAM_WORLD);
    let report = fixes(&loaded, &query(&loaded, "Carol", "K", Action::Decrypt));
    assert_eq!(report.decision, Outcome::ImplicitDeny);
    let changes: Vec<&Change> = report.fixes.iter().flat_map(|f| &f.changes).collect();
    assert!(changes.iter().any(|c| matches!(c, Change::AddManagedStatement { policy, .. } if policy.ends_with(":policy/Bound"))), "{changes:?}");
    assert!(changes.iter().any(|c| matches!(c, Change::AddKeyPolicyStatement { statement, .. } if statement_names(statement, "user/Carol"))), "{changes:?}");

    let report = fixes(
        &loaded,
        &query(&loaded, "Carol", "K", Action::GenerateDataKey),
    );
    assert_eq!(report.decision, Outcome::ExplicitDeny);
    assert!(!report.fixes.is_empty(), "{:?}", report.note);
    for fix in &report.fixes {
        assert!(
            matches!(
                fix.changes.first(),
                Some(Change::RemoveManagedStatement { policy, index: 1, .. })
                    if policy.ends_with(":policy/Bound")
            ),
            "{}",
            fix.summary
        );
    }
    let mut cells = Vec::new();
    for p in 0..3 {
        for action in [Action::Encrypt, Action::Decrypt, Action::GenerateDataKey] {
            cells.push((p, 0, action));
        }
    }
    check_every_fix(IAM_WORLD, &cells);
}

#[test]
fn a_cell_an_scp_blocks_has_no_fix_in_the_account_and_the_note_names_the_scp() {
    // AWS Organizations User Guide, orgs_manage_policies_scps.html: SCPs are managed from the
    // organization's management account; nothing in a member account's key or IAM policies
    // or grants outweighs them (orgs_manage_policies_scps_evaluation.html).
    let org = |scps: &str| {
        format!(
            r#"{{"principals": [{{"name": "Alice", "policies": [{{"name": "Use", "document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}]}}}}]}}],
          "keys": [{{"name": "K"}}],
          "organization": {{"management_account": "999988887777",
            "units": [{{"id": "ou-exam-work1111", "name": "Workloads", "accounts": ["111122223333"]}}],
            "scps": {scps}}}}}"#
        )
    };
    let full = r#"{"name": "FullAWSAccess", "targets": ["root", "ou-exam-work1111", "111122223333"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}"#;
    let deny = r#"{"name": "NoDecrypt", "targets": ["ou-exam-work1111"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}}"#;
    let loaded = load(&org(&format!("[{full}, {deny}]")));
    let report = fixes(&loaded, &query(&loaded, "Alice", "K", Action::Decrypt));
    assert_eq!(report.decision, Outcome::ExplicitDeny);
    assert!(report.fixes.is_empty());
    let note = report.note.unwrap();
    assert!(
        note.starts_with("The service control policy NoDecrypt, attached at OU Workloads (ou-exam-work1111), denies kms:Decrypt"),
        "{note}"
    );
    assert!(note.contains("management account"), "{note}");

    // No SCP allows at the OU level.
    let full_elsewhere = full.replace(r#""ou-exam-work1111", "#, "");
    let encrypt = r#"{"name": "EncryptOnly", "targets": ["ou-exam-work1111"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}]}}"#;
    let loaded = load(&org(&format!("[{full_elsewhere}, {encrypt}]")));
    let report = fixes(&loaded, &query(&loaded, "Alice", "K", Action::Decrypt));
    assert!(report.fixes.is_empty());
    let note = report.note.unwrap();
    assert!(
        note.contains("At OU Workloads (ou-exam-work1111), no service control policy (EncryptOnly) allows kms:Decrypt"),
        "{note}"
    );
}
