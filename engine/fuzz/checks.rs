//! The properties every fuzz target checks, one function per target. The targets under
//! `fuzz_targets/` run them under libFuzzer (nightly); `awscli/tests/fuzz_corpus.rs` runs them on
//! every committed corpus and crash input on stable, so a regression fails `cargo test`.

#![allow(dead_code, reason = "each fuzz target uses one of these checks")]

use kms_awscli::query::Query;
use kms_awscli::{Host, NoFiles, Session, shorthand};
use kms_engine::crypto::{EncryptionContext, KeyRing, inspect, parse};
use kms_engine::diagnostics::Severity;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::json;
use kms_engine::policy::eval::{evaluate, explain};
use kms_engine::policy::lint::check_policy;
use kms_engine::policy::parse::{KEY_POLICY_MAX_BYTES, PolicyKind, parse_policy, policy_to_json};
use kms_engine::request::{Context, PrincipalType, Request, RequestPrincipal};
use kms_engine::scenario::load;

const DEMO1: &str = include_str!("../../scenarios/demo1-grants.json");
const KEY_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// Any bytes into the JSON parser: no panic, a value exactly when there is no syntax error, and
/// formatting is stable (formatting formatted text changes nothing).
pub fn json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let document = json::parse(&text);
    assert!(document.value.is_some() || document.has_errors());
    if let Ok(pretty) = json::format_json(&text) {
        assert_eq!(
            json::format_json(&pretty).ok().as_deref(),
            Some(pretty.as_str())
        );
    }
}

/// Any bytes into the policy parser and linter, as a key policy and as an identity policy: no
/// panic; a policy exactly when there is no error; whatever parses prints as text that parses
/// back to the same printed form (size limit aside); and deciding a request against any parsed
/// policy never panics, by the fast path and the explaining path alike, which agree.
pub fn policy(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let alice = RequestPrincipal {
        arn: "arn:aws:iam::111122223333:user/Alice".to_owned(),
        account: "111122223333".to_owned(),
        kind: PrincipalType::User,
        role_arn: None,
    };
    let mut context = Context::new();
    context.set("aws:username", "Alice");
    context.set("kms:EncryptionContext:dept", "eng");
    context.set("aws:PrincipalTag/dept", "eng");
    for kind in [PolicyKind::KeyPolicy, PolicyKind::IdentityPolicy] {
        let checked = check_policy(&text, kind, Some("111122223333"));
        let has_errors = checked
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error);
        assert_eq!(checked.policy.is_some(), !has_errors);
        let Some(policy) = checked.policy else {
            continue;
        };
        for action in ["kms:Decrypt", "kms:CreateGrant", "kms:PutKeyPolicy"] {
            let request = Request {
                principal: &alice,
                action,
                resource: KEY_ARN,
                context: &context,
            };
            let fast = evaluate(&policy, &request);
            let traced = explain(&policy, &request);
            assert_eq!(fast, traced.outcome, "the fast and explaining paths agree");
        }
        let printed = policy_to_json(&policy);
        // Indentation can push a compact key policy over KMS's size limit; that is not a
        // printing bug.
        if kind == PolicyKind::KeyPolicy && printed.len() > KEY_POLICY_MAX_BYTES {
            continue;
        }
        let again = parse_policy(&printed, kind);
        let again = again.policy.expect("printed policy parses");
        assert_eq!(policy_to_json(&again), printed);
    }
}

/// Any bytes into the scenario reader and world builder: no panic, and every refusal carries at
/// least one diagnostic located inside the text.
pub fn scenario(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut rng = SeededRandomness::new(1);
    if let Err(error) = load(&text, Timestamp(1_700_000_000_000), &mut rng) {
        assert!(!error.diagnostics.is_empty(), "a refused scenario says why");
        for d in &error.diagnostics {
            assert!(d.span.start as usize <= text.len() && d.span.end as usize <= text.len());
        }
    }
}

/// Any text as a script of `aws` command lines against the demo 1 world: no panic, and a line
/// that is not a valid command is reported as bad input with a message rather than acted on.
pub fn aws_cli(data: &[u8]) {
    let script = String::from_utf8_lossy(data);
    let now = Timestamp(1_700_000_000_000);
    let mut rng = SeededRandomness::new(2);
    let loaded = load(DEMO1, now, &mut rng).expect("the shipped demo 1 scenario loads");
    let mut world = loaded.world;
    let mut session = Session::new(now);
    for principal in &loaded.scenario.principals {
        session.add_principal_name(&principal.name, &principal.arn);
    }
    let Ok(lines) = kms_awscli::shell::logical_lines(&script) else {
        return;
    };
    for line in lines.iter().take(16) {
        let mut host = Host {
            world: &mut world,
            rng: &mut rng,
            files: &NoFiles,
        };
        let output = session.run_line(&line.text, &mut host);
        if output.is_bad_input() {
            assert!(
                !output.stderr.is_empty(),
                "bad input is explained on stderr"
            );
        }
    }
}

/// Any text as a `--query` expression and as shorthand syntax: no panic; a parsed query can be
/// run on any JSON value.
pub fn cli_values(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(query) = Query::parse(&text) {
        let value = serde_json::json!({"Grants": [{"GrantId": "a", "Operations": ["Encrypt"]}], "KeyId": "k"});
        let _ = query.search(&value);
    }
    let _ = shorthand::parse(&text);
}

/// Any bytes as a ciphertext blob: the inspector, the parser and decryption never panic, and
/// every part the inspector reports lies inside the blob. Any bytes as a plaintext: encrypting
/// then decrypting gives them back, and a blob with one byte changed is refused.
pub fn ciphertext(data: &[u8]) {
    let inspection = inspect(data);
    for part in &inspection.parts {
        assert!(part.start <= part.end && part.end <= data.len());
    }
    let _ = parse(data);
    let mut rng = SeededRandomness::new(3);
    let ring = KeyRing::generate(&mut rng).expect("a seeded ring");
    let context: EncryptionContext = [("dept", "eng")].into_iter().collect();
    let _ = ring.decrypt(KEY_ARN, &context, data);
    let plaintext = data.get(..data.len().min(4096)).unwrap_or_default();
    let blob = ring
        .encrypt(KEY_ARN, &context, plaintext, &mut rng)
        .expect("encrypts");
    assert_eq!(
        ring.decrypt(KEY_ARN, &context, &blob).ok().as_deref(),
        Some(plaintext)
    );
    let mut tampered = blob.clone();
    let at = usize::from(data.first().copied().unwrap_or(0)) % tampered.len();
    if let Some(byte) = tampered.get_mut(at) {
        *byte ^= 0x01;
    }
    assert!(
        ring.decrypt(KEY_ARN, &context, &tampered).is_err(),
        "a changed byte is refused"
    );
}
