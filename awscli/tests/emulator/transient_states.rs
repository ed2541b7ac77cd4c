//! The transient multi-Region key states as the emulator shows them: `replicate-key` makes a
//! replica that is `Creating` until `sleep` moves the simulated clock past its few seconds,
//! `update-primary-region` makes both keys `Updating` as long, and a replica declared in a
//! scenario file is already created.

use kms_awscli::{Host, NoFiles, Output, Session};
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::scenario;
use kms_engine::world::World;

const NOW: Timestamp = Timestamp(1_704_067_200_000);

/// Alice may do anything with KMS through IAM.
const ADMIN_WORLD: &str = r#"{"name": "admin", "account": "111122223333", "region": "us-east-1",
    "principals": [{"name": "Alice", "policies": [{"name": "Admin", "document":
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}],
    "keys": []}"#;

struct Console {
    world: World,
    rng: SeededRandomness,
    session: Session,
}

impl Console {
    #[expect(
        clippy::unwrap_used,
        reason = "a helper fails the test on a bad fixture"
    )]
    fn of(text: &str) -> Console {
        let mut rng = SeededRandomness::new(5);
        let loaded = scenario::load(text, NOW, &mut rng).unwrap();
        let mut session = Session::new(NOW);
        for p in &loaded.scenario.principals {
            session.add_principal_name(&p.name, &p.arn);
        }
        Console {
            world: loaded.world,
            rng,
            session,
        }
    }

    fn run(&mut self, line: &str) -> Output {
        let mut host = Host {
            world: &mut self.world,
            rng: &mut self.rng,
            files: &NoFiles,
        };
        self.session.run_line(line, &mut host)
    }

    /// The text one command prints, trimmed; a failure's error text instead.
    fn text(&mut self, line: &str) -> String {
        let out = self.run(line);
        if out.status == 0 {
            out.stdout.trim().to_owned()
        } else {
            out.stderr.trim().to_owned()
        }
    }

    /// A new multi-Region primary key in us-east-1, made by Alice; its key id.
    fn primary(&mut self) -> String {
        assert_eq!(self.run("aws configure --profile alice").status, 0);
        self.text(
            "aws kms create-key --multi-region --profile alice --region us-east-1 --query KeyMetadata.KeyId --output text",
        )
    }
}

fn key_state(console: &mut Console, id: &str, region: &str) -> String {
    console.text(&format!(
        "aws kms describe-key --key-id {id} --profile alice --region {region} --query KeyMetadata.[KeyState,Enabled] --output text"
    ))
}

#[test]
fn a_new_replica_is_creating_until_a_few_seconds_have_passed() {
    // KMS API Reference, ReplicateKey: "When this operation completes, the new replica key has a
    // transient key state of Creating. This key state changes to Enabled (or PendingImport)
    // after a few seconds ... While the key state is Creating, you can manage key, but you
    // cannot yet use it in cryptographic operations. If you are creating and using the replica
    // key programmatically, retry on KMSInvalidStateException or call DescribeKey to check its
    // KeyState value before using it." KMS Developer Guide, key-state.html, footnote 14.
    let mut console = Console::of(ADMIN_WORLD);
    let id = console.primary();
    let made = console.run(&format!(
        "aws kms replicate-key --key-id {id} --replica-region eu-west-2 --profile alice --region us-east-1 --query ReplicaKeyMetadata.[KeyState,Enabled] --output text"
    ));
    assert_eq!(made.status, 0, "{}", made.stderr);
    assert_eq!(made.stdout.trim(), "Creating\tFalse");
    assert_eq!(key_state(&mut console, &id, "eu-west-2"), "Creating\tFalse");
    // The primary is not affected.
    assert_eq!(key_state(&mut console, &id, "us-east-1"), "Enabled\tTrue");

    let encrypt = format!(
        "aws kms encrypt --key-id {id} --plaintext hello --profile alice --region eu-west-2 --query KeyId --output text"
    );
    let replica_arn = format!("arn:aws:kms:eu-west-2:111122223333:key/{id}");
    assert_eq!(
        console.text(&encrypt),
        format!(
            "An error occurred (KMSInvalidStateException) when calling the Encrypt operation: {replica_arn} is creating."
        )
    );
    // Managing it works meanwhile: a description, a tag.
    let described = console.run(&format!(
        "aws kms update-key-description --key-id {id} --description copy --profile alice --region eu-west-2"
    ));
    assert_eq!(described.status, 0, "{}", described.stderr);

    // Not yet after four seconds; after five it is Enabled and encrypts.
    assert_eq!(console.run("sleep 4").status, 0);
    assert_eq!(key_state(&mut console, &id, "eu-west-2"), "Creating\tFalse");
    assert_eq!(console.run("sleep 1").status, 0);
    assert_eq!(key_state(&mut console, &id, "eu-west-2"), "Enabled\tTrue");
    assert_eq!(console.text(&encrypt), replica_arn);
}

#[test]
fn both_keys_are_updating_after_update_primary_region_and_then_enabled_again() {
    // KMS API Reference, UpdatePrimaryRegion: "The old and new primary keys have a transient
    // key state of Updating. The original key state is restored when the update is complete.
    // While the key state is Updating, you can use the keys in cryptographic operations, but
    // you cannot replicate the new primary key or perform certain management operations, such
    // as enabling or disabling these keys." KMS Developer Guide, key-state.html, footnote 15.
    let mut console = Console::of(ADMIN_WORLD);
    let id = console.primary();
    let made = console.run(&format!(
        "aws kms replicate-key --key-id {id} --replica-region eu-west-2 --profile alice --region us-east-1"
    ));
    assert_eq!(made.status, 0, "{}", made.stderr);
    assert_eq!(console.run("sleep 5").status, 0);
    let update = console.run(&format!(
        "aws kms update-primary-region --key-id {id} --primary-region eu-west-2 --profile alice --region us-east-1"
    ));
    assert_eq!(update.status, 0, "{}", update.stderr);
    assert_eq!(key_state(&mut console, &id, "us-east-1"), "Updating\tFalse");
    assert_eq!(key_state(&mut console, &id, "eu-west-2"), "Updating\tFalse");

    let new_primary = format!("arn:aws:kms:eu-west-2:111122223333:key/{id}");
    let encrypted = console.run(&format!(
        "aws kms encrypt --key-id {id} --plaintext hello --profile alice --region eu-west-2 --query KeyId --output text"
    ));
    assert_eq!(encrypted.status, 0, "{}", encrypted.stderr);
    assert_eq!(encrypted.stdout.trim(), new_primary);
    assert_eq!(
        console.text(&format!(
            "aws kms disable-key --key-id {id} --profile alice --region eu-west-2"
        )),
        format!(
            "An error occurred (KMSInvalidStateException) when calling the DisableKey operation: {new_primary} is updating."
        )
    );
    assert_eq!(
        console.text(&format!(
            "aws kms replicate-key --key-id {id} --replica-region ap-southeast-2 --profile alice --region eu-west-2"
        )),
        format!(
            "An error occurred (KMSInvalidStateException) when calling the ReplicateKey operation: {new_primary} is updating."
        )
    );

    assert_eq!(console.run("sleep 5").status, 0);
    assert_eq!(key_state(&mut console, &id, "us-east-1"), "Enabled\tTrue");
    assert_eq!(key_state(&mut console, &id, "eu-west-2"), "Enabled\tTrue");
    let replicated = console.run(&format!(
        "aws kms replicate-key --key-id {id} --replica-region ap-southeast-2 --profile alice --region eu-west-2"
    ));
    assert_eq!(replicated.status, 0, "{}", replicated.stderr);
}

#[test]
fn a_replica_declared_in_a_scenario_is_already_created() {
    // A scenario file describes keys that exist: its replica keys have long left Creating (KMS
    // Developer Guide, key-state.html: Creating lasts while the replica "is being created").
    let mut console = Console::of(
        r#"{"name": "replicas", "account": "111122223333", "region": "us-east-1",
            "principals": [{"name": "Alice", "policies": [{"name": "Admin", "document":
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}],
            "keys": [
              {"name": "Global", "id": "mrk-1234abcd12ab34cd56ef1234567890ab"},
              {"name": "Copy", "replica_of": "Global", "region": "eu-west-2"}
            ]}"#,
    );
    assert_eq!(console.run("aws configure --profile alice").status, 0);
    let id = "mrk-1234abcd12ab34cd56ef1234567890ab";
    assert_eq!(key_state(&mut console, id, "eu-west-2"), "Enabled\tTrue");
    let encrypted = console.run(&format!(
        "aws kms encrypt --key-id {id} --plaintext hello --profile alice --region eu-west-2"
    ));
    assert_eq!(encrypted.status, 0, "{}", encrypted.stderr);
}
