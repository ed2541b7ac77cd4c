//! Worlds and a host for the panels' flow tests.

#![expect(clippy::unwrap_used, reason = "fixtures fail the test on a bad setup")]

use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::kms::Env;
use kms_engine::matrix::Matrix;
pub use kms_engine::request::PrincipalArn;
use kms_engine::world::{KeySetup, World};
use kms_playground::panels::WorldHost;

/// The lecture's account.
pub const ACCOUNT: &str = "111122223333";

/// 2026-01-01T00:00:00Z.
pub const START: Timestamp = Timestamp(1_767_225_600_000);

/// A principal ARN the test writes out, which must parse.
pub fn arn(text: &str) -> PrincipalArn {
    PrincipalArn::parse(text).unwrap()
}

/// `arn:aws:iam::111122223333:user/NAME`.
pub fn user(name: &str) -> PrincipalArn {
    arn(&format!("arn:aws:iam::{ACCOUNT}:user/{name}"))
}

/// `arn:aws:iam::111122223333:root`.
pub fn root() -> PrincipalArn {
    arn(&format!("arn:aws:iam::{ACCOUNT}:root"))
}

/// A host like the app's model: a world, a clock, seeded randomness, and an access matrix it
/// recomputes after every operation (as the app does), so tests can see new columns and cells.
pub struct TestHost {
    pub world: World,
    pub now: Timestamp,
    pub rng: SeededRandomness,
    pub matrix: Matrix,
    pub operations: usize,
}

impl TestHost {
    pub fn new(world: World) -> TestHost {
        let matrix = Matrix::of_world(&world, &[kms_engine::catalog::Action::Encrypt], START);
        TestHost {
            world,
            now: START,
            rng: SeededRandomness::new(42),
            matrix,
            operations: 0,
        }
    }

    fn refresh(&mut self) {
        self.matrix = Matrix::of_world(
            &self.world,
            &[
                kms_engine::catalog::Action::Encrypt,
                kms_engine::catalog::Action::Decrypt,
            ],
            self.now,
        );
    }

    /// The matrix's key columns.
    pub fn columns(&self) -> Vec<String> {
        self.matrix.keys().to_vec()
    }
}

impl WorldHost for TestHost {
    fn world(&self) -> &World {
        &self.world
    }

    fn now(&self) -> Timestamp {
        self.now
    }

    fn operate<R>(&mut self, op: impl FnOnce(&mut World, &mut Env<'_>) -> R) -> R {
        let mut env = Env::new(self.now, &mut self.rng);
        let result = op(&mut self.world, &mut env);
        self.operations += 1;
        self.refresh();
        result
    }

    fn advance_clock(&mut self, millis: i64) {
        self.now = self.now.plus_millis(millis);
        let mut env = Env::new(self.now, &mut self.rng);
        self.world.advance_time(&mut env);
        self.refresh();
    }
}

/// The account with the lecture's four users and nothing else.
pub fn four_users() -> World {
    let mut world = World::default();
    world.add_account(ACCOUNT, "Lecture").unwrap();
    for name in ["Alice", "Bob", "Charlie", "David"] {
        world.add_user(ACCOUNT, name).unwrap();
    }
    world
}

/// Adds a key with `policy` and `alias`.
pub fn add_key(world: &mut World, policy: &str, alias: &str, seed: u64) -> String {
    let mut rng = SeededRandomness::new(seed);
    let setup = KeySetup {
        policy: Some(policy.to_owned()),
        aliases: vec![alias.to_owned()],
        ..KeySetup::new(ACCOUNT)
    };
    world.add_key(setup, START, &mut rng).unwrap()
}

/// Demonstration 1's world: DemoKey's policy lets Alice use the key and create grants (the
/// lecture shows her CreateGrant permission in the key policy); Bob has no permissions at all.
pub fn demo1() -> (World, String) {
    let mut world = four_users();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": root()},
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": "Allow use of the key",
                "Effect": "Allow",
                "Principal": {"AWS": user("Alice")},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*"
            },
            {
                "Sid": "Allow Alice to create grants",
                "Effect": "Allow",
                "Principal": {"AWS": user("Alice")},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*"
            }
        ]
    })
    .to_string();
    let key = add_key(&mut world, &policy, "alias/DemoKey", 7);
    (world, key)
}

/// A playground over a scenario file of `scenarios/`, showing the cryptographic actions, with
/// the given caller picked, as the app's reducer state.
pub fn app_state(scenario: &str, caller: &PrincipalArn) -> kms_playground::state::AppState {
    use kms_engine::catalog::ActionGroup;
    use kms_engine::view::ActionSet;
    use kms_playground::panels::PanelIntent;
    use kms_playground::state::{AppState, Intent};
    let mut rng = SeededRandomness::new(3);
    let loaded = kms_engine::scenario::load(scenario, START, &mut rng).unwrap();
    let world = loaded.world;
    let principals: Vec<PrincipalArn> = world
        .principals()
        .filter(|p| !p.is_root())
        .filter_map(|p| p.arn().cloned())
        .collect();
    let keys: Vec<(String, String)> = world
        .keys
        .keys()
        .map(|k| {
            let name = world.keys.aliases_for(k).next().map_or_else(
                || k.id.to_string(),
                |a| a.name.trim_start_matches("alias/").to_owned(),
            );
            (k.arn.clone(), name)
        })
        .collect();
    let playground = kms_playground::model::Playground::new(
        world,
        loaded.scenario.name.clone().unwrap_or_default(),
        principals,
        keys,
        ActionSet::Group(ActionGroup::Cryptographic),
        START,
        Some(loaded.scenario.clone()),
    );
    let mut state = AppState::new(playground);
    state.apply(Intent::Panel(PanelIntent::SetCaller(caller.to_string())));
    state
}

/// The demo 1 scenario file.
pub const DEMO1: &str = include_str!("../../../scenarios/demo1-grants.json");
/// The lecture scenario file.
pub const LECTURE: &str = include_str!("../../../scenarios/lecture.json");
