//! The scenarios the app opens with.

use crate::model::Playground;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::store::KeyId;
use kms_engine::view::ActionSet;
use kms_engine::world::{KeySetup, World};

const ACCOUNT: &str = "111122223333";

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

/// The lecture's three keys and four users ("Understanding Permissions & Key Policies").
pub fn lecture() -> Playground {
    let mut world = World::new("us-east-1");
    world.add_account(ACCOUNT, "Lecture").unwrap();
    for user in ["Alice", "Bob", "Charlie", "David"] {
        world.add_user(ACCOUNT, user).unwrap();
    }
    let mut rng = SeededRandomness::new(1);
    let now = Timestamp(1_767_225_600_000);
    let mut key = |world: &mut World, statements: Vec<String>| -> KeyId {
        let mut setup = KeySetup::new(ACCOUNT);
        setup.policy = Some(format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}",
            statements.join(", ")
        ));
        world.add_key(setup, now, &mut rng).unwrap()
    };
    let a = key(&mut world, vec![allow_all(&["root"])]);
    let b = key(&mut world, vec![allow_all(&["user/Bob", "user/Charlie"])]);
    let c = key(
        &mut world,
        vec![
            allow_all(&["root"]),
            format!(
                r#"{{"Sid": "DenyOthers", "Effect": "Deny", "Principal": {{"AWS": ["arn:aws:iam::{ACCOUNT}:user/Bob", "arn:aws:iam::{ACCOUNT}:user/Charlie", "arn:aws:iam::{ACCOUNT}:user/David"]}}, "Action": "kms:*", "Resource": "*"}}"#
            ),
            allow_all(&["user/Alice"]),
        ],
    );
    let arn = |id: &KeyId| format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{id}");
    let iam = |action: &str, keys: &[&KeyId]| {
        let resources: Vec<String> = keys.iter().map(|k| format!("\"{}\"", arn(k))).collect();
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "{action}", "Resource": [{}]}}]}}"#,
            resources.join(", ")
        )
    };
    let user = |name: &str| format!("arn:aws:iam::{ACCOUNT}:user/{name}");
    world
        .put_identity_policy(&user("Alice"), "AliceKms", &iam("kms:*", &[&a, &b]))
        .unwrap();
    world
        .put_identity_policy(
            &user("Charlie"),
            "CharlieEncrypt",
            &iam("kms:Encrypt", &[&a]),
        )
        .unwrap();
    world
        .put_identity_policy(&user("David"), "DavidKms", &iam("kms:*", &[&b, &c]))
        .unwrap();
    let names = vec![
        (a, "CMK-A".into()),
        (b, "CMK-B".into()),
        (c, "CMK-C".into()),
    ];
    let users = ["Alice", "Bob", "Charlie", "David"].map(user).to_vec();
    Playground::new(
        world,
        "Lecture: 3 keys × 4 users",
        users,
        names,
        ActionSet::All,
        now,
    )
}
