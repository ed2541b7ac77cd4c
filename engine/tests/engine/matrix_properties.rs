//! The access matrix against the authorizer: on random worlds, every cell equals
//! `authz::decide`, and an incremental row or column recompute equals a full recompute.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "fixtures fail the test on a bad setup"
)]

use crate::kms_common;

use kms_common::*;
use kms_engine::authz::{self, AuthzRequest, RequestParams, Target};
use kms_engine::catalog::Action;
use kms_engine::entropy::SeededRandomness;
use kms_engine::matrix::Matrix;
use kms_engine::store::KeyId;
use kms_engine::store::grants::{GrantPrincipal, NewGrant};
use kms_engine::world::{KeySetup, OrgPolicy, Organization, World};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;

const ACTIONS: [Action; 8] = [
    Action::Encrypt,
    Action::Decrypt,
    Action::DescribeKey,
    Action::CreateGrant,
    Action::PutKeyPolicy,
    Action::ScheduleKeyDeletion,
    Action::ReEncryptTo,
    Action::CreateKey,
];

/// Principal elements a key-policy statement may use (all exist in the world).
fn principal_element() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"AWS": root(ACCOUNT)})),
        Just(json!({"AWS": ACCOUNT})),
        Just(json!({"AWS": "*"})),
        Just(json!({"AWS": user(ACCOUNT, "Alice")})),
        Just(json!({"AWS": [user(ACCOUNT, "Bob"), format!("arn:aws:iam::{ACCOUNT}:role/App")]})),
        Just(json!({"AWS": format!("arn:aws:sts::{ACCOUNT}:assumed-role/App/s1")})),
        Just(json!({"AWS": root(OTHER)})),
        Just(json!({"AWS": user(OTHER, "Partner")})),
    ]
}

fn action_element() -> impl Strategy<Value = (&'static str, Value)> {
    prop_oneof![
        Just(("Action", json!("kms:*"))),
        Just(("Action", json!(["kms:Encrypt", "kms:Decrypt"]))),
        Just(("Action", json!("kms:Describe*"))),
        Just(("Action", json!(["kms:Create*", "kms:Put*"]))),
        Just(("NotAction", json!("kms:Decrypt"))),
        Just(("Action", json!("kms:ReEncrypt*"))),
    ]
}

fn condition() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        4 => Just(None),
        1 => Just(Some(json!({"Bool": {"kms:GrantIsForAWSResource": "true"}}))),
        1 => Just(Some(json!({"StringEquals": {"kms:CallerAccount": ACCOUNT}}))),
        1 => Just(Some(json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/A*"}}))),
        1 => Just(Some(json!({"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}))),
        1 => Just(Some(json!({"Null": {"kms:ViaService": "true"}}))),
        1 => Just(Some(json!({"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/blue*"}}))),
        1 => Just(Some(json!({"DateGreaterThan": {"aws:CurrentTime": "2023-12-31T23:59:59Z"}}))),
    ]
}

fn key_statement() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        principal_element(),
        action_element(),
        condition(),
    )
        .prop_map(|(deny, principal, (action_key, action), condition)| {
            let mut s = json!({
                "Effect": if deny { "Deny" } else { "Allow" },
                "Principal": principal,
                action_key: action,
                "Resource": "*"
            });
            if let Some(c) = condition {
                s["Condition"] = c;
            }
            s
        })
}

fn identity_statement() -> impl Strategy<Value = Value> {
    let resource = prop_oneof![
        Just(("Resource", json!("*"))),
        Just(("Resource", json!(format!("arn:aws:kms:*:{ACCOUNT}:key/*")))),
        Just(("Resource", json!("arn:aws:kms:*:*:key/*"))),
        Just((
            "Resource",
            json!("arn:aws:kms:us-east-1:${aws:PrincipalAccount}:key/*")
        )),
        Just(("Resource", json!(key_arn(0)))),
        Just(("Resource", json!([key_arn(2), key_arn(1)]))),
        Just(("NotResource", json!(key_arn(1)))),
    ];
    (any::<bool>(), action_element(), resource, condition()).prop_map(
        |(deny, (action_key, action), (resource_key, resource), condition)| {
            let mut s = json!({
                "Effect": if deny && action_key == "Action" { "Deny" } else { "Allow" },
                action_key: action,
                resource_key: resource
            });
            if let Some(c) = condition {
                s["Condition"] = c;
            }
            s
        },
    )
}

/// Keys get fixed ids so that identity policies can name them.
fn key_id(i: usize) -> KeyId {
    KeyId::parse(&format!("00000000-0000-4000-8000-00000000000{i}")).unwrap()
}

fn key_arn(i: usize) -> String {
    format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{}", key_id(i))
}

fn policy(statements: Vec<Value>) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn callers() -> Vec<PrincipalArn> {
    vec![
        user(ACCOUNT, "Alice"),
        user(ACCOUNT, "Bob"),
        arn(&format!("arn:aws:iam::{ACCOUNT}:role/App")),
        arn(&format!("arn:aws:sts::{ACCOUNT}:assumed-role/App/s1")),
        root(ACCOUNT),
        user(OTHER, "Partner"),
        root(OTHER),
    ]
}

fn build(key_policies: &[Vec<Value>], identity: &[Vec<Value>]) -> (World, Vec<String>) {
    let mut world = world();
    world.add_user(ACCOUNT, "Alice").unwrap();
    world.add_user(ACCOUNT, "Bob").unwrap();
    let role = world.add_role(ACCOUNT, "App").unwrap();
    world.add_session(&role, "s1").unwrap();
    world.add_user(OTHER, "Partner").unwrap();
    let team = |v: &str| {
        vec![kms_engine::store::Tag {
            tag_key: "team".into(),
            tag_value: v.into(),
        }]
    };
    world
        .set_principal_tags(&user(ACCOUNT, "Alice"), team("blue"))
        .unwrap();
    let mut rng = SeededRandomness::new(11);
    let keys = key_policies
        .iter()
        .enumerate()
        .map(|(i, statements)| {
            let setup = KeySetup {
                id: Some(key_id(i)),
                policy: Some(policy(statements.clone())),
                tags: if i % 2 == 0 { team("blue") } else { Vec::new() },
                aliases: if i == 0 {
                    vec!["alias/blue-0".to_owned()]
                } else {
                    Vec::new()
                },
                ..KeySetup::new(ACCOUNT)
            };
            world.add_key(setup, NOW, &mut rng).unwrap()
        })
        .collect();
    let holders = [
        user(ACCOUNT, "Alice"),
        user(ACCOUNT, "Bob"),
        role,
        user(OTHER, "Partner"),
    ];
    for (holder, statements) in holders.iter().zip(identity) {
        if !statements.is_empty() {
            world
                .put_identity_policy(holder, "P", &policy(statements.clone()))
                .unwrap();
        }
    }
    (world, keys)
}

/// A grant for the property tests: on key `key`, to grantee number `grantee` of [`grantees`],
/// for the operations picked by `operations` (a bit set over [`GRANT_OPERATIONS`]), retirable
/// by Alice or not, and created now (pending: usable only with its token) or long ago.
#[derive(Clone, Debug)]
struct GrantSpec {
    key: usize,
    grantee: usize,
    operations: u8,
    retiring: bool,
    pending: bool,
}

const GRANT_OPERATIONS: [Action; 5] = [
    Action::Encrypt,
    Action::Decrypt,
    Action::CreateGrant,
    Action::DescribeKey,
    Action::RetireGrant,
];

fn grantees() -> Vec<String> {
    vec![
        user(ACCOUNT, "Alice").to_string(),
        user(ACCOUNT, "Bob").to_string(),
        format!("arn:aws:iam::{ACCOUNT}:role/App"),
        root(OTHER).to_string(),
        user(OTHER, "Partner").to_string(),
    ]
}

fn grant_spec() -> impl Strategy<Value = GrantSpec> {
    (0..3usize, 0..5usize, 1..32u8, any::<bool>(), any::<bool>()).prop_map(
        |(key, grantee, operations, retiring, pending)| GrantSpec {
            key,
            grantee,
            operations,
            retiring,
            pending,
        },
    )
}

fn add_grants(world: &mut World, keys: &[String], grants: &[GrantSpec]) {
    let mut rng = SeededRandomness::new(5);
    for spec in grants {
        let Some(key) = keys.get(spec.key % keys.len()) else {
            continue;
        };
        let key_arn = world.keys.get_by_arn(key).unwrap().arn.clone();
        let operations = GRANT_OPERATIONS
            .iter()
            .enumerate()
            .filter(|(i, _)| spec.operations & (1 << i) != 0)
            .map(|(_, a)| *a)
            .collect();
        let created = if spec.pending {
            NOW
        } else {
            NOW.plus_millis(-3_600_000)
        };
        world
            .grants
            .create(
                NewGrant {
                    key_arn,
                    grantee: GrantPrincipal::new(&grantees()[spec.grantee]),
                    retiring: spec.retiring.then(|| user(ACCOUNT, "Alice").into()),
                    operations,
                    constraints: None,
                    name: None,
                    issuing_account: ACCOUNT.to_owned(),
                    created_by: root(ACCOUNT),
                },
                created,
                &mut rng,
            )
            .unwrap();
    }
}

/// Every cell equals `authz::decide` and the verdict of `authz::explain` (the explaining path).
fn assert_matches_authorizer(world: &World, matrix: &Matrix) {
    let params = RequestParams::default();
    for cell in matrix.cells() {
        let request = AuthzRequest {
            caller: world.principal(cell.principal).unwrap(),
            action: cell.action,
            target: Target::Key(world.keys.get_by_arn(cell.key).unwrap()),
            params: &params,
            now: NOW,
        };
        let verdict = authz::decide(world, &request);
        assert_eq!(
            cell.cell.verdict, verdict,
            "{} {} on {}",
            cell.principal, cell.action, cell.key
        );
        assert_eq!(
            authz::explain(world, &request).verdict,
            verdict,
            "explained: {} {} on {}",
            cell.principal,
            cell.action,
            cell.key
        );
    }
}

/// Groups, managed policies, a boundary, session policies and an organization for a world of
/// [`build`]: each `Some` list of statements becomes one of them.
#[derive(Clone, Debug)]
struct Guardrails {
    /// Bob's group's inline policy.
    group: Vec<Value>,
    /// A customer managed policy attached to Alice.
    managed: Vec<Value>,
    /// The permissions boundary of Alice and of the role App.
    boundary: Option<Vec<Value>>,
    /// The session policy of App/s1.
    session: Option<Vec<Value>>,
    /// SCPs at the organization's root, on the OU the lecture account sits in, and on the
    /// lecture account; the other account is the management account when
    /// `management_is_other`.
    scps: Option<(Vec<Value>, Vec<Value>, Vec<Value>)>,
    /// An RCP on the lecture account's OU (its statements get `"Principal": "*"` and deny).
    rcp: Option<Vec<Value>>,
    management_is_other: bool,
}

fn statements(max: usize) -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec(identity_statement(), 1..max)
}

fn guardrails() -> impl Strategy<Value = Guardrails> {
    (
        statements(3),
        statements(3),
        proptest::option::of(statements(3)),
        proptest::option::of(statements(3)),
        proptest::option::of((statements(3), statements(3), statements(3))),
        proptest::option::of(statements(3)),
        any::<bool>(),
    )
        .prop_map(
            |(group, managed, boundary, session, scps, rcp, management_is_other)| Guardrails {
                group,
                managed,
                boundary,
                session,
                scps,
                rcp,
                management_is_other,
            },
        )
}

/// An SCP or RCP of these statements, when they make a document the parser accepts.
fn org_policy(name: &str, statements: &[Value], targets: &[&str], rcp: bool) -> Option<OrgPolicy> {
    let statements: Vec<Value> = statements
        .iter()
        .cloned()
        .map(|mut s| {
            if rcp {
                // A custom RCP may only deny (AWS Organizations User Guide,
                // orgs_manage_policies_rcps_syntax.html).
                s["Principal"] = json!("*");
                s["Effect"] = json!("Deny");
            }
            s
        })
        .collect();
    let text = policy(statements);
    let kind = if rcp {
        kms_engine::policy::parse::PolicyKind::KeyPolicy
    } else {
        kms_engine::policy::parse::PolicyKind::IdentityPolicy
    };
    let parsed = kms_engine::policy::parse::parse_policy(&text, kind).policy?;
    Some(OrgPolicy {
        id: String::new(),
        name: name.to_owned(),
        text: Arc::from(text.as_str()),
        policy: Arc::new(parsed),
        targets: targets.iter().map(|t| (*t).to_owned()).collect(),
    })
}

/// The OU the lecture account sits in.
const UNIT: &str = "ou-exam-prop1111";

/// Adds what `g` describes to a world of [`build`].
fn add_guardrails(world: &mut World, g: &Guardrails) {
    let role = arn(&format!("arn:aws:iam::{ACCOUNT}:role/App"));
    let group = world.add_group(ACCOUNT, "/", "Team").unwrap();
    world
        .add_user_to_group(&group, &user(ACCOUNT, "Bob"))
        .unwrap();
    if !g.group.is_empty() {
        world
            .put_group_policy(&group, "G", &policy(g.group.clone()))
            .unwrap();
    }
    if !g.managed.is_empty() {
        let arn = format!("arn:aws:iam::{ACCOUNT}:policy/Managed");
        world
            .put_managed_policy(&arn, &policy(g.managed.clone()))
            .unwrap();
        world
            .attach_policy(user(ACCOUNT, "Alice").as_str(), &arn)
            .unwrap();
    }
    if let Some(boundary) = &g.boundary {
        let arn = format!("arn:aws:iam::{ACCOUNT}:policy/Boundary");
        world
            .put_managed_policy(&arn, &policy(boundary.clone()))
            .unwrap();
        world
            .set_permissions_boundary(&user(ACCOUNT, "Alice"), Some(&arn))
            .unwrap();
        world.set_permissions_boundary(&role, Some(&arn)).unwrap();
    }
    if let Some(session) = &g.session {
        let s1 = arn(&format!("arn:aws:sts::{ACCOUNT}:assumed-role/App/s1"));
        world
            .add_session_policy(&s1, "S", Some(&policy(session.clone())))
            .unwrap();
    }
    if g.scps.is_some() || g.rcp.is_some() {
        let (root_level, unit_level, account_level) = g.scps.clone().unwrap_or_default();
        let mut scps = Vec::new();
        if g.scps.is_some() {
            scps.extend(org_policy("Root", &root_level, &["root"], false));
            scps.extend(org_policy("Unit", &unit_level, &[UNIT], false));
            scps.extend(org_policy("Account", &account_level, &[ACCOUNT], false));
        }
        let rcps = g
            .rcp
            .iter()
            .filter_map(|r| org_policy("Rcp", r, &[UNIT], true))
            .collect();
        world.add_account("999999999999", "Management").unwrap();
        world
            .set_organization(Some(Organization {
                id: Some("o-a1b2c3d4e5".to_owned()),
                accounts: Vec::new(),
                management_account: if g.management_is_other {
                    OTHER
                } else {
                    "999999999999"
                }
                .to_owned(),
                units: vec![kms_engine::world::OrgUnit {
                    id: UNIT.to_owned(),
                    name: "Workloads".to_owned(),
                    parent: "root".to_owned(),
                    accounts: vec![ACCOUNT.to_owned()],
                }],
                scps,
                rcps,
            }))
            .unwrap();
    }
}

/// Whether `narrower` allows no cell `wider` does not.
fn grants_no_more(narrower: &Matrix, wider: &Matrix) -> Result<(), String> {
    for (a, b) in narrower.cells().zip(wider.cells()) {
        if a.cell.verdict.is_allowed() && !b.cell.verdict.is_allowed() {
            return Err(format!(
                "{} {} on {}: {:?} with the limit, {:?} without",
                a.principal, a.action, a.key, a.cell.verdict, b.cell.verdict
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// With groups, managed policies, boundaries, session policies, SCPs and RCPs, every cell
    /// of the batched matrix is still the authorizer's verdict, fast and explained.
    #[test]
    fn cells_with_iam_guardrails_are_the_authorizers_verdict(
        key_policies in proptest::collection::vec(proptest::collection::vec(key_statement(), 1..4), 1..3),
        identity in proptest::collection::vec(proptest::collection::vec(identity_statement(), 0..3), 4),
        g in guardrails(),
    ) {
        let (mut world, keys) = build(&key_policies, &identity);
        add_guardrails(&mut world, &g);
        let mut actions = ACTIONS.to_vec();
        actions.push(Action::ListKeys);
        let matrix = Matrix::compute(&world, &callers(), &keys, &actions, NOW);
        assert_matches_authorizer(&world, &matrix);
    }

    /// A permissions boundary, a session policy, an SCP or an RCP only limits: adding one never
    /// allows a cell that was denied (IAM User Guide, access_policies_boundaries.html,
    /// access_policies.html#policies_session; Organizations User Guide, SCPs and RCPs).
    #[test]
    fn adding_a_boundary_session_policy_scp_or_rcp_never_grants_more(
        key_policies in proptest::collection::vec(proptest::collection::vec(key_statement(), 1..4), 1..3),
        identity in proptest::collection::vec(proptest::collection::vec(identity_statement(), 0..3), 4),
        g in guardrails(),
    ) {
        let (mut world, keys) = build(&key_policies, &identity);
        let unlimited = Guardrails { boundary: None, session: None, scps: None, rcp: None, ..g.clone() };
        let mut wider = world.clone();
        add_guardrails(&mut wider, &unlimited);
        add_guardrails(&mut world, &g);
        let mut actions = ACTIONS.to_vec();
        actions.push(Action::ListKeys);
        let limited = Matrix::compute(&world, &callers(), &keys, &actions, NOW);
        let open = Matrix::compute(&wider, &callers(), &keys, &actions, NOW);
        prop_assert!(grants_no_more(&limited, &open).is_ok(), "{:?}", grants_no_more(&limited, &open));
    }

    #[test]
    fn every_cell_is_the_authorizers_verdict(
        key_policies in proptest::collection::vec(proptest::collection::vec(key_statement(), 1..4), 1..4),
        identity in proptest::collection::vec(proptest::collection::vec(identity_statement(), 0..3), 4),
    ) {
        let (world, keys) = build(&key_policies, &identity);
        let matrix = Matrix::compute(&world, &callers(), &keys, &ACTIONS, NOW);
        prop_assert_eq!(matrix.len(), callers().len() * keys.len() * ACTIONS.len());
        assert_matches_authorizer(&world, &matrix);
    }

    /// The matrix skips the grant step for a pair no grant on the key concerns, and shares each
    /// caller's and each key's condition keys among cells: with grants (effective or pending,
    /// to users, roles and accounts, retirable or not) the cells still equal the authorizer's.
    #[test]
    fn cells_with_grants_are_the_authorizers_verdict(
        key_policies in proptest::collection::vec(proptest::collection::vec(key_statement(), 1..4), 1..4),
        identity in proptest::collection::vec(proptest::collection::vec(identity_statement(), 0..3), 4),
        grants in proptest::collection::vec(grant_spec(), 0..4),
    ) {
        let (mut world, keys) = build(&key_policies, &identity);
        add_grants(&mut world, &keys, &grants);
        let mut actions = ACTIONS.to_vec();
        actions.extend([Action::RetireGrant, Action::ListGrants]);
        let matrix = Matrix::compute(&world, &callers(), &keys, &actions, NOW);
        assert_matches_authorizer(&world, &matrix);
    }

    #[test]
    fn incremental_recomputes_equal_a_full_recompute(
        key_policies in proptest::collection::vec(proptest::collection::vec(key_statement(), 1..4), 2..4),
        identity in proptest::collection::vec(proptest::collection::vec(identity_statement(), 0..3), 4),
        new_identity in proptest::collection::vec(identity_statement(), 1..3),
        new_key_policy in proptest::collection::vec(key_statement(), 1..4),
        edit_role in any::<bool>(),
    ) {
        let (mut world, keys) = build(&key_policies, &identity);
        let mut matrix = Matrix::compute(&world, &callers(), &keys, &ACTIONS, NOW);
        // An identity-policy edit: that row (for the role: its session's row too).
        let edited = if edit_role { arn(&format!("arn:aws:iam::{ACCOUNT}:role/App")) } else { user(ACCOUNT, "Bob") };
        world.put_identity_policy(&edited, "P", &policy(new_identity)).unwrap();
        let rows = matrix.recompute_row(&world, &edited);
        prop_assert_eq!(rows.len(), if edit_role { 2 } else { 1 });
        prop_assert!(matrix == Matrix::compute(&world, &callers(), &keys, &ACTIONS, NOW));
        // A key-policy edit: that column.
        world.set_key_policy(&keys[1], &policy(new_key_policy)).unwrap();
        prop_assert_eq!(matrix.recompute_column(&world, &keys[1]), Some(1));
        let fresh = Matrix::compute(&world, &callers(), &keys, &ACTIONS, NOW);
        prop_assert!(matrix == fresh);
        assert_matches_authorizer(&world, &matrix);
    }
}

#[test]
fn a_stale_plan_is_rebuilt_not_trusted() {
    // Recomputing a row after a key-policy edit that skipped recompute_column still gives the
    // authorizer's answer for that row.
    let (mut world, keys) = build(
        &[vec![
            json!({"Effect": "Allow", "Principal": {"AWS": root(ACCOUNT)}, "Action": "kms:*", "Resource": "*"}),
        ]],
        &[
            vec![json!({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})],
            vec![],
            vec![],
            vec![],
        ],
    );
    let mut matrix = Matrix::compute(&world, &callers(), &keys, &ACTIONS, NOW);
    let alice = user(ACCOUNT, "Alice");
    assert!(
        matrix
            .lookup(&alice, &keys[0], Action::Encrypt)
            .unwrap()
            .verdict
            .is_allowed()
    );
    world
        .set_key_policy(&keys[0], &policy(vec![json!({"Effect": "Allow", "Principal": {"AWS": user(ACCOUNT, "Bob")}, "Action": "kms:*", "Resource": "*"})]))
        .unwrap();
    matrix.recompute_row(&world, &alice);
    assert!(
        !matrix
            .lookup(&alice, &keys[0], Action::Encrypt)
            .unwrap()
            .verdict
            .is_allowed()
    );
}

/// "Every cell is the authorizer's verdict" only says something if the random worlds reach the
/// authorizer's different answers: allowed by the key policy alone, by the key policy together
/// with IAM (KMS Developer Guide, key-policy-default.html), denied explicitly in either policy
/// (IAM User Guide, reference_policies_evaluation-logic.html), and denied for want of an allow.
/// Counted over a fixed-seed sample drawn from the same generators.
#[test]
fn the_random_worlds_reach_every_kind_of_verdict() {
    use kms_engine::authz::Reason;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = (
        proptest::collection::vec(proptest::collection::vec(key_statement(), 1..4), 1..4),
        proptest::collection::vec(proptest::collection::vec(identity_statement(), 0..3), 4),
    );
    let mut counts = [0u32; 5];
    let mut total = 0u32;
    for _ in 0..64 {
        let (key_policies, identity) = strategy.new_tree(&mut runner).unwrap().current();
        let (world, keys) = build(&key_policies, &identity);
        let matrix = Matrix::compute(&world, &callers(), &keys, &ACTIONS, NOW);
        for cell in matrix.cells() {
            total += 1;
            let kind = match cell.cell.verdict.reason {
                Reason::KeyPolicy { .. } => 0,
                Reason::KeyPolicyAndIam { .. } | Reason::Iam { .. } => 1,
                Reason::ExplicitDenyInKeyPolicy { .. } => 2,
                Reason::ExplicitDenyInIdentityPolicy { .. } => 3,
                Reason::NoResourcePolicyAllows | Reason::NoIdentityPolicyAllows => 4,
                _ => continue,
            };
            counts[kind] += 1;
        }
    }
    let names = [
        "allowed by the key policy",
        "allowed with IAM",
        "denied in the key policy",
        "denied in an IAM policy",
        "implicitly denied",
    ];
    for (name, count) in names.iter().zip(counts) {
        // At least 2% of the cells each: a few hundred cells in this sample.
        assert!(
            count * 50 >= total,
            "{name}: {count} of {total} cells ({counts:?})"
        );
    }
}

/// The matrix's grant step for a pair that no grant can concern answers without building the
/// grant lists (`GrantFinding::without_grants`); it must be what looking among no grants finds,
/// for every action (grant operations and the rest, RetireGrant included).
#[test]
fn the_grant_step_without_candidates_is_what_an_empty_search_finds() {
    use kms_engine::request::{PrincipalType, RequestPrincipal};
    use kms_engine::store::grants::{GrantFinding, GrantQuery, GrantStore};
    use std::collections::BTreeMap;

    let caller = RequestPrincipal {
        id: user(ACCOUNT, "Alice").into(),
        account: ACCOUNT.to_owned(),
        kind: PrincipalType::User,
        role_arn: None,
    };
    let context = BTreeMap::new();
    let mut kinds = std::collections::BTreeSet::new();
    for &action in Action::ALL {
        let query = GrantQuery {
            key_arn: &key_arn(0),
            caller: &caller,
            action,
            context: &context,
            tokens: &[],
            now: kms_engine::entropy::Timestamp(0),
            child: None,
        };
        let found = GrantStore::finding_among(&[], &query, None);
        assert_eq!(GrantFinding::without_grants(action), found, "{action:?}");
        kinds.insert(format!("{found:?}"));
    }
    // Both answers occur: some actions are grant operations and some are not.
    assert_eq!(kinds.len(), 2, "{kinds:?}");
}

/// A pair's cells judge a statement's conditions once per request context, and CreateGrant,
/// ListGrants and RevokeGrant see another context than the other actions: they carry
/// `kms:GrantIsForAWSResource` (KMS Developer Guide, conditions-kms.html), `false` for a request
/// made without an AWS service. A condition on that key must be judged again for them, whatever
/// the order of the actions.
#[test]
fn conditions_are_judged_again_for_the_actions_with_another_context() {
    let for_users = json!({"Bool": {"kms:GrantIsForAWSResource": "false"}});
    let (world, keys) = build(
        &[vec![
            json!({"Effect": "Allow", "Principal": {"AWS": user(ACCOUNT, "Alice")}, "Action": "kms:*", "Resource": "*", "Condition": for_users}),
        ]],
        &[
            vec![
                json!({"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": for_users}),
            ],
            vec![],
            vec![],
            vec![],
        ],
    );
    let orders = [
        [
            Action::Encrypt,
            Action::CreateGrant,
            Action::ListGrants,
            Action::Decrypt,
        ],
        [
            Action::CreateGrant,
            Action::Encrypt,
            Action::Decrypt,
            Action::ListGrants,
        ],
    ];
    for actions in orders {
        let matrix = Matrix::compute(&world, &callers(), &keys, &actions, NOW);
        assert_matches_authorizer(&world, &matrix);
        let alice = user(ACCOUNT, "Alice");
        let allowed = |action| {
            matrix
                .lookup(&alice, &keys[0], action)
                .unwrap()
                .verdict
                .is_allowed()
        };
        // The key is missing from Encrypt's context, so the condition fails there (IAM User
        // Guide, reference_policies_elements_condition_operators.html, Bool) and holds for
        // CreateGrant's.
        assert!(allowed(Action::CreateGrant) && allowed(Action::ListGrants));
        assert!(!allowed(Action::Encrypt) && !allowed(Action::Decrypt));
    }
}
