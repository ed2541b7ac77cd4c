//! The properties every fuzz target checks, one function per target. The targets under
//! `fuzz_targets/` run them under libFuzzer (nightly); `awscli/tests/emulator/fuzz_corpus.rs` runs them on
//! every committed corpus and crash input on stable, so a regression fails `cargo test`.

use kms_awscli::query::Query;
use kms_awscli::{Host, NoFiles, Session, shorthand};
use kms_engine::crypto::{EncryptionContext, KeyRing, inspect, parse};
use kms_engine::diagnostics::Severity;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::json;
use kms_engine::policy::eval::{evaluate, explain};
use kms_engine::policy::lint::check_policy;
use kms_engine::policy::parse::{KEY_POLICY_MAX_BYTES, PolicyKind, parse_policy, policy_to_json};
use kms_engine::request::{Context, PrincipalArn, PrincipalType, Request, RequestPrincipal};
use kms_engine::scenario::{ImportFile, load};

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
    let alice = PrincipalArn::parse("arn:aws:iam::111122223333:user/Alice")
        .expect("Alice's ARN is a principal ARN");
    let alice = RequestPrincipal {
        id: alice.into(),
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

/// File names that steer the importer's name-dependent shapes (a key policy's key, a policy's
/// targets).
const IMPORT_NAMES: [&str; 6] = [
    "iam.json",
    "1234abcd-12ab-34cd-56ef-1234567890ab.policy.json",
    "p-examplescp1.targets.json",
    "keys.json",
    "r-examplerootid111.ous.json",
    "ou-exam-ple12345.accounts.json",
];

/// Any bytes as up to eight AWS CLI outputs (split at byte 0x1E) into `kmsplay import`: no
/// panic; a refusal says which file and why; an import gives a scenario that reads, and that
/// builds or is refused with diagnostics located in its text.
pub fn import(data: &[u8]) {
    let texts: Vec<String> = data
        .split(|&b| b == 0x1e)
        .take(8)
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect();
    let files: Vec<ImportFile<'_>> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| ImportFile {
            name: IMPORT_NAMES[i % IMPORT_NAMES.len()],
            text,
            key_id: None,
        })
        .collect();
    match kms_engine::scenario::import(&files, Some("fuzz")) {
        Err(error) => assert!(!error.to_string().is_empty(), "a refused import says why"),
        Ok(imported) => {
            let mut rng = SeededRandomness::new(1);
            if let Err(error) = load(&imported.text, Timestamp(1_700_000_000_000), &mut rng) {
                assert!(!error.diagnostics.is_empty(), "a refused scenario says why");
                for d in &error.diagnostics {
                    assert!(d.span.end as usize <= imported.text.len());
                }
            }
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

/// Reads fuzz bytes as a sequence of choices; once they run out every choice is the first.
struct Choices<'a> {
    bytes: std::slice::Iter<'a, u8>,
}

impl Choices<'_> {
    /// One of `n` options (`n` > 0).
    fn pick(&mut self, n: usize) -> usize {
        self.bytes.next().map_or(0, |&b| usize::from(b) % n.max(1))
    }

    /// One of `options`.
    fn of<T: Copy>(&mut self, options: &[T]) -> T {
        options[self.pick(options.len())]
    }

    /// Whether to add something optional.
    fn flag(&mut self) -> bool {
        self.pick(2) == 1
    }
}

/// Principal ARN forms, valid and not (`{i}` keeps names apart).
const PRINCIPAL_ARNS: [&str; 8] = [
    "",
    "arn:aws:iam::111122223333:user/U{i}",
    "arn:aws:iam::111122223333:role/R",
    "arn:aws:iam::111122223333:root",
    "arn:aws:sts::111122223333:assumed-role/R/s{i}",
    "arn:aws:iam::444455556666:user/Other{i}",
    "arn:aws:iam::444455556666:root",
    "arn:aws:iam::1:user/x",
];

/// Policy statements a key or identity policy may hold: allows, denies, conditions,
/// `NotPrincipal`, a principal that does not exist, a wildcard.
const STATEMENTS: [&str; 8] = [
    r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}"#,
    r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111122223333"}}}"#,
    r#"{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringNotEquals":{"kms:EncryptionContext:dept":"eng"}}}"#,
    r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/U1"},"Action":["kms:CreateGrant","kms:PutKeyPolicy"],"Resource":"*","Condition":{"Bool":{"kms:GrantIsForAWSResource":"true"}}}"#,
    r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:ScheduleKeyDeletion","Resource":"*"}"#,
    r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/Nobody"},"Action":"kms:Decrypt","Resource":"*"}"#,
    r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:Decrypt","Resource":"*"}"#,
    r#"{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/dept":"e*"}}}"#,
];

/// A policy document of one to four statements (the `Principal` stripped for identity
/// policies, so most of them are valid).
fn policy_document(choices: &mut Choices, identity: bool) -> serde_json::Value {
    let statements: Vec<serde_json::Value> = (0..=choices.pick(3))
        .filter_map(|_| {
            let mut statement: serde_json::Value =
                serde_json::from_str(choices.of(&STATEMENTS)).ok()?;
            if identity {
                if let Some(object) = statement.as_object_mut() {
                    object.remove("Principal");
                    object.remove("NotPrincipal");
                }
            }
            Some(statement)
        })
        .collect();
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}

/// A scenario whose shape the bytes choose: principals of every ARN form, keys in every state
/// and origin with default or written policies and aliases, grants with constraints and a
/// retiring principal, expectations with context and grant tokens. Its JSON is always well
/// formed, so the fuzzer spends its time in the reader's checks and the world builder.
pub fn scenario_text(data: &[u8]) -> String {
    use kms_engine::catalog::Action;
    use kms_engine::scenario::{KEY_ORIGINS, KEY_STATES, grant_operation_names};
    use serde_json::{Value, json};
    let mut c = Choices { bytes: data.iter() };
    let mut principals = Vec::new();
    let mut names = vec!["Nobody".to_owned()];
    for i in 0..c.pick(6) {
        // Mostly distinct names; sometimes one declared twice.
        let name = if c.pick(8) == 0 {
            "Alice".to_owned()
        } else {
            format!("P{i}")
        };
        names.push(name.clone());
        let mut p = json!({"name": name});
        let arn = c.of(&PRINCIPAL_ARNS).replace("{i}", &i.to_string());
        if !arn.is_empty() {
            p["arn"] = Value::from(arn);
        }
        if c.flag() {
            p["tags"] = json!({"dept": c.of(&["eng", "ops"])});
        }
        if c.flag() {
            p["policies"] = json!([{"name": "P", "document": policy_document(&mut c, true)}]);
        }
        principals.push(p);
    }
    let mut keys = Vec::new();
    // `K0` twice: a name declared twice is refused.
    for name in ["K0", "K1", "K2", "K0"].into_iter().take(c.pick(4)) {
        let mut k = json!({"name": name, "state": c.of(KEY_STATES), "origin": c.of(KEY_ORIGINS)});
        if c.flag() {
            k["policy"] = policy_document(&mut c, false);
        }
        if c.flag() {
            k["aliases"] = json!([c.of(&["alias/a", "alias/b", "alias/aws/x", "a"])]);
        }
        if c.flag() {
            k["arn"] = Value::from(c.of(&[
                "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
                "arn:aws:kms:us-east-1:111122223333:key/nope",
            ]));
        }
        keys.push(k);
    }
    let operations = grant_operation_names();
    let keys_or_alias = ["K0", "K1", "alias/a", "K9"];
    let mut grants = Vec::new();
    for _ in 0..c.pick(4) {
        let ops: Vec<&str> = (0..=c.pick(3)).map(|_| c.of(&operations)).collect();
        let mut g = json!({"key": c.of(&keys_or_alias), "grantee": names[c.pick(names.len())], "operations": ops});
        if c.flag() {
            let kind = c.of(&["EncryptionContextSubset", "EncryptionContextEquals"]);
            g["constraints"] = json!({kind: {"dept": "eng"}});
        }
        if c.flag() {
            g["retiring_principal"] = Value::from(names[c.pick(names.len())].as_str());
        }
        grants.push(g);
    }
    let actions: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    let mut expect = Vec::new();
    for _ in 0..c.pick(6) {
        let mut e = json!({
            "principal": names[c.pick(names.len())],
            "key": c.of(&keys_or_alias),
            "action": c.of(&actions),
            "decision": c.of(&["allow", "explicit-deny", "implicit-deny"]),
        });
        if c.flag() {
            e["context"] = json!({"kms:EncryptionContext:dept": "eng", "kms:ViaService": "ec2.us-east-1.amazonaws.com"});
        }
        if c.flag() {
            e["grant_tokens"] = json!(["token"]);
        }
        expect.push(e);
    }
    json!({"principals": principals, "keys": keys, "grants": grants, "expect": expect}).to_string()
}

/// Bytes as the choices of [`scenario_text`], loaded: no panic, a refusal is located inside
/// the text, and a world that builds exports (`Scenario::from_world`) to a file that loads
/// again and exports to the same text; checking the expectations answers each of them.
pub fn scenario_build(data: &[u8]) {
    use kms_engine::scenario::{Reasons, Scenario, check};
    let text = scenario_text(data);
    let now = Timestamp(1_700_000_000_000);
    let loaded = match load(&text, now, &mut SeededRandomness::new(4)) {
        Ok(loaded) => loaded,
        Err(error) => {
            assert!(!error.diagnostics.is_empty(), "a refused scenario says why");
            for d in &error.diagnostics {
                assert!(d.span.start <= d.span.end && d.span.end as usize <= text.len());
            }
            return;
        }
    };
    let results = check(
        &loaded.scenario,
        &text,
        &loaded.world,
        now,
        Reasons::Failures,
    );
    assert_eq!(
        results.len(),
        loaded.scenario.expect.len(),
        "every expectation is answered"
    );
    let exported = Scenario::from_world(&loaded.world, &loaded.scenario).to_json();
    let again = load(&exported, now, &mut SeededRandomness::new(5))
        .unwrap_or_else(|e| panic!("an exported world loads again: {e}\n{exported}"));
    assert_eq!(
        Scenario::from_world(&again.world, &again.scenario).to_json(),
        exported,
        "exporting a re-loaded export changes nothing"
    );
}

/// Any bytes as a call and as a reply of the engine's asymmetric backend, in its wire form (what
/// crosses from the web app to its asymmetric module): no panic; what decodes encodes back to the
/// same bytes; and the compiled-in backend answers any call with a reply that decodes. RSA key
/// generation (slow by nature, and only with the specs' own modulus sizes) is decoded, not run.
pub fn backend_wire(data: &[u8]) {
    use kms_engine::crypto::backend::{
        Primitive, decode_call, decode_reply, encode_call, encode_reply, serve,
    };
    if let Some((primitive, args)) = decode_call(data) {
        assert_eq!(
            encode_call(primitive, &args),
            data,
            "a call re-encodes as it came"
        );
        if primitive != Primitive::RsaKeyPair {
            let reply = serve(data);
            let decoded = decode_reply(&reply);
            assert_eq!(
                encode_reply(decoded.as_deref()),
                reply,
                "the reply decodes and re-encodes"
            );
        }
    }
    if let Some(fields) = decode_reply(data) {
        assert_eq!(
            encode_reply(Some(&fields)),
            data,
            "a reply re-encodes as it came"
        );
    }
}
