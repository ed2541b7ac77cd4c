//! Engine benchmarks (a bench binary: `cargo bench -p kms-engine`). Figures are printed, never asserted.

use std::hint::black_box;
use std::time::Instant;

use kms_engine::crypto::{EncryptionContext, KeyRing};
use kms_engine::entropy::SeededRandomness;
use kms_engine::policy::eval::{PolicyOutcome, evaluate, explain};
use kms_engine::policy::lint::check_policy;
use kms_engine::policy::parse::{PolicyKind, parse_policy};
use kms_engine::request::{Context, PrincipalArn, PrincipalType, Request, RequestPrincipal};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

/// Counts allocations, so that a section can report how many its timed loop made.
#[global_allocator]
static ALLOCATOR: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn main() {
    println!("kms-engine {} benchmarks", kms_engine::VERSION);
    // `KMS_BENCH=analysis cargo bench -p kms-engine` runs the sections whose name contains it.
    let only = std::env::var("KMS_BENCH").unwrap_or_default();
    let sections: [(&str, fn()); 11] = [
        ("crypto_4k", crypto_4k),
        ("asymmetric", asymmetric),
        ("kms_encrypt_decrypt_4k", kms_encrypt_decrypt_4k),
        ("policy_eval", policy_eval),
        ("policy_parse", policy_parse),
        ("access_matrix", access_matrix),
        ("scenario_report", scenario_report),
        ("analysis", analysis_200x50),
        ("generated_worlds", generated_worlds),
        ("large_inputs", large_inputs),
        ("import", import_2000_roles_300_keys),
    ];
    for (name, run) in sections {
        if name.contains(only.as_str()) {
            run();
        }
    }
}

/// The analysis on the generated 200 x 50 world: the audit, the synthetic rows, the escalation
/// search, and the fixes of a spread of cells (what the app runs when a cell is selected).
fn analysis_200x50() {
    use kms_engine::analysis::edit::Names;
    use kms_engine::analysis::{self, CellQuery, Universe};
    use kms_engine::authz::RequestParams;
    use kms_engine::scenario;

    let now = kms_engine::entropy::Timestamp(1_704_067_200_000);
    let text = scenario::generate(200, 50, 1).to_json();
    let Ok(loaded) = scenario::load(&text, now, &mut SeededRandomness::new(1)) else {
        println!("analysis: the generated world does not build");
        return;
    };
    let (scenario, world) = (&loaded.scenario, &loaded.world);
    let names = Names::of_scenario(scenario, world);
    let universe = Universe::of_scenario(scenario, world, &[]);
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64() * 1000.0
    };
    let mut findings = 0;
    let audit_ms = time(&mut || {
        findings = black_box(analysis::audit(
            world,
            &universe,
            &names,
            &scenario.account,
            now,
        ))
        .len();
    });
    let synthetic_ms = time(&mut || {
        black_box(analysis::synthetic_rows(
            world,
            &scenario.account,
            &universe.keys,
            &universe.actions,
            now,
        ));
    });
    let mut escalations = 0;
    let reachable_ms = time(&mut || {
        escalations = black_box(analysis::reachable(world, &universe, now)).len();
    });
    let mut fix_ms: Vec<f64> = Vec::new();
    let mut fixes = 0;
    for i in 0..40usize {
        let (Some(principal), Some(key), Some(&action)) = (
            universe
                .principals
                .get(i * 37 % universe.principals.len().max(1)),
            universe.keys.get(i * 11 % universe.keys.len().max(1)),
            universe.actions.get(i % universe.actions.len().max(1)),
        ) else {
            continue;
        };
        let query = CellQuery {
            principal: principal.clone(),
            key: key.clone(),
            action,
            params: RequestParams::default(),
        };
        fix_ms.push(time(&mut || {
            fixes += black_box(analysis::propose_fixes(
                world, &universe, &names, &query, now,
            ))
            .map_or(0, |r| r.fixes.len());
        }));
    }
    kms_engine::sort::sort_by(&mut fix_ms, f64::total_cmp);
    let at = |q: f64| {
        fix_ms
            .get(((fix_ms.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "analysis 200x50x{}: audit {audit_ms:.0} ms ({findings} findings), synthetic rows {synthetic_ms:.1} ms, escalation {reachable_ms:.0} ms ({escalations} paths), fixes of one cell median {:.1} ms, p90 {:.1} ms, max {:.1} ms ({} cells, {fixes} fixes)",
        universe.actions.len(),
        at(0.5),
        at(0.9),
        at(1.0),
        fix_ms.len()
    );
}

/// `parse_policy` and `check_policy` (parse + lint) on the console's default key policy with
/// four statements: what the app's editor runs on every keystroke.
fn policy_parse() {
    const ROUNDS: u32 = 20_000;
    let text = r#"{
  "Version": "2012-10-17",
  "Id": "key-consolepolicy-3",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::111122223333:user/KMSAdminUser", "arn:aws:iam::111122223333:role/KMSAdminRole"]},
     "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
                "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"],
     "Resource": "*"},
    {"Sid": "Allow use of the key", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser", "arn:aws:iam::444455556666:root"]},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
     "Resource": "*"},
    {"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ExampleUser", "arn:aws:iam::444455556666:root"]},
     "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*",
     "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}}}
  ]
}"#;
    let start = Instant::now();
    for _ in 0..ROUNDS {
        black_box(parse_policy(black_box(text), PolicyKind::KeyPolicy));
    }
    let parse = start.elapsed();
    let start = Instant::now();
    for _ in 0..ROUNDS {
        black_box(check_policy(
            black_box(text),
            PolicyKind::KeyPolicy,
            Some("111122223333"),
        ));
    }
    let check = start.elapsed();
    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / f64::from(ROUNDS);
    println!(
        "policy parse: {} bytes, parse_policy {:.1} µs, check_policy (parse + lint) {:.1} µs",
        text.len(),
        per(parse),
        per(check)
    );
}

/// `policy::eval::evaluate` on the lecture's policies: a key policy with the account-root
/// statement, a key-user statement and the grants statement (with its condition), and an identity
/// policy allowing `kms:*` on two key ARNs.
/// Prints decisions per second and the heap allocations made while timing (the fast path should
/// make none).
fn policy_eval() {
    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const KEY_EU: &str =
        "arn:aws:kms:eu-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
    const KEY_OTHER: &str =
        "arn:aws:kms:us-east-1:111122223333:key/aaaabbbb-cccc-dddd-eeee-ffff00001111";
    const ROUNDS: u32 = 500_000;
    let key_policy = r#"{
        "Version": "2012-10-17",
        "Id": "key-consolepolicy-3",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": "Allow use of the key",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:user/CloudAcademy"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*"
            },
            {
                "Sid": "Allow attachment of persistent resources",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:user/CloudAcademy"},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}
            }
        ]
    }"#;
    let identity_policy = format!(
        r#"{{
        "Version": "2012-10-17",
        "Statement": {{
            "Effect": "Allow",
            "Action": "kms:*",
            "Resource": ["{KEY}", "{KEY_EU}"]
        }}
    }}"#
    );
    let (Some(key_policy), Some(identity_policy)) = (
        parse_policy(key_policy, PolicyKind::KeyPolicy).policy,
        parse_policy(&identity_policy, PolicyKind::IdentityPolicy).policy,
    ) else {
        println!("policy: the lecture's policies did not parse");
        return;
    };
    let user = |arn: PrincipalArn| RequestPrincipal {
        id: arn.into(),
        account: "111122223333".to_owned(),
        kind: PrincipalType::User,
        role_arn: None,
    };
    let (Ok(key_user), Ok(alice)) = (
        PrincipalArn::parse("arn:aws:iam::111122223333:user/CloudAcademy"),
        PrincipalArn::parse("arn:aws:iam::111122223333:user/Alice"),
    ) else {
        println!("policy: the lecture's principals did not parse");
        return;
    };
    let (key_user, alice) = (user(key_user), user(alice));
    let context = Context::new();
    let mut for_aws_resource = Context::new();
    for_aws_resource.set("kms:GrantIsForAWSResource", "true");
    let request = |principal, action, resource| Request {
        principal,
        action,
        resource,
        context: &context,
    };
    // Key user, key user's grant for an AWS service, delegated user, identity allow, identity
    // no-match.
    let cases = [
        (&key_policy, request(&key_user, "kms:GenerateDataKey", KEY)),
        (
            &key_policy,
            Request {
                context: &for_aws_resource,
                ..request(&key_user, "kms:CreateGrant", KEY)
            },
        ),
        (&key_policy, request(&alice, "kms:Decrypt", KEY)),
        (&identity_policy, request(&alice, "kms:Encrypt", KEY_EU)),
        (&identity_policy, request(&alice, "kms:Encrypt", KEY_OTHER)),
    ];
    let expected = cases.map(|(p, r)| evaluate(p, &r));
    let decisions = f64::from(ROUNDS) * cases.len() as f64;

    let region = Region::new(ALLOCATOR);
    let start = Instant::now();
    let mut allowed = 0u64;
    for _ in 0..ROUNDS {
        for (policy, request) in &cases {
            let outcome = evaluate(black_box(policy), black_box(request));
            allowed += u64::from(!matches!(outcome, PolicyOutcome::NoMatch));
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let allocations = region.change().allocations;
    black_box(allowed);
    println!(
        "policy: evaluate (fast path)    {:>8.2} M decisions/s  ({:.0} ns each), {allocations} allocations in {decisions} decisions",
        decisions / seconds / 1e6,
        seconds / decisions * 1e9,
    );
    println!("policy: outcomes {expected:?}");

    const TRACED: u32 = 20_000;
    let start = Instant::now();
    for _ in 0..TRACED {
        for (policy, request) in &cases {
            black_box(explain(black_box(policy), black_box(request)));
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let traced = f64::from(TRACED) * cases.len() as f64;
    println!(
        "policy: explain (traced path)   {:>8.2} M decisions/s  ({:.0} ns each)",
        traced / seconds / 1e6,
        seconds / traced * 1e9,
    );
}

/// AES-256-GCM through a key ring: 4 KB messages (the Encrypt plaintext limit), with a context.
fn crypto_4k() {
    const ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const ROUNDS: u32 = 20_000;
    let mut rng = SeededRandomness::new(1);
    let Ok(ring) = KeyRing::generate(&mut rng) else {
        println!("crypto: the seeded generator failed");
        return;
    };
    let context: EncryptionContext = [("purpose", "bench"), ("team", "kms")]
        .into_iter()
        .collect();
    let message = vec![0x5a_u8; 4096];
    let megabytes = f64::from(ROUNDS) * 4096.0 / 1e6;

    let start = Instant::now();
    let mut blob = Vec::new();
    for _ in 0..ROUNDS {
        blob = black_box(ring.encrypt(ARN, &context, black_box(&message), &mut rng))
            .unwrap_or_default();
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "crypto: key-ring encrypt 4 KB  {:>8.1} MB/s",
        megabytes / seconds
    );

    let start = Instant::now();
    for _ in 0..ROUNDS {
        let plaintext = ring.decrypt(ARN, &context, black_box(&blob));
        black_box(plaintext).ok();
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "crypto: key-ring decrypt 4 KB  {:>8.1} MB/s",
        megabytes / seconds
    );
}

/// What an asymmetric key costs (with `--features asymmetric`, the compiled-in backend): making
/// a key pair from a key's material when it is first used, a signature, and the wire form a call
/// takes between the web app and its asymmetric module (encoded, served, decoded).
fn asymmetric() {
    use kms_engine::catalog::KeySpec;
    use kms_engine::crypto::MessageType;
    use kms_engine::crypto::backend;
    if !backend::available() {
        println!("asymmetric: no backend (run with --features kms-engine/asymmetric)");
        return;
    }
    let mut rng = SeededRandomness::new(1);
    let time_ms = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64() * 1000.0
    };
    for (spec, rounds) in [
        (KeySpec::Rsa2048Sign, 5),
        (KeySpec::Rsa4096Sign, 3),
        (KeySpec::EccNistP256, 200),
    ] {
        let mut made = 0.0;
        let mut ring = None;
        for _ in 0..rounds {
            let Ok(fresh) = KeyRing::generate_for(spec, &mut rng) else {
                println!("asymmetric: the seeded generator failed");
                return;
            };
            made += time_ms(&mut || {
                black_box(fresh.public_key()).ok();
            });
            ring = Some(fresh);
        }
        let Some(ring) = ring else { return };
        let algorithm = spec
            .row()
            .signing_algorithms
            .first()
            .copied()
            .unwrap_or_default();
        let signs = 200;
        let signing = time_ms(&mut || {
            for _ in 0..signs {
                black_box(ring.sign(algorithm, MessageType::Raw, b"release 1.4.2", &mut rng)).ok();
            }
        });
        println!(
            "asymmetric: {:<14} key pair made on first use {:>8.2} ms, Sign ({algorithm}) {:>7.3} ms",
            spec.as_str(),
            made / f64::from(rounds),
            signing / f64::from(signs)
        );
    }
    wire_form_cost();
}

/// The wire form's cost on one ECDSA signature: the call direct, and encoded, served, decoded.
#[cfg(feature = "asymmetric")]
fn wire_form_cost() {
    use kms_engine::crypto::backend::{self, Primitive};
    let time_ms = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64() * 1000.0
    };
    let secret = [7u8; 32];
    let digest = [1u8; 32];
    let calls = 2000;
    let direct = time_ms(&mut || {
        for _ in 0..calls {
            black_box(
                backend::backend()
                    .and_then(|b| b.run(Primitive::EcSign, &[b"ECC_NIST_P256", &secret, &digest])),
            );
        }
    });
    let wired = time_ms(&mut || {
        for _ in 0..calls {
            let call =
                backend::encode_call(Primitive::EcSign, &[b"ECC_NIST_P256", &secret, &digest]);
            black_box(backend::decode_reply(&backend::serve(&call)));
        }
    });
    println!(
        "asymmetric: ECDSA P-256 sign, direct {:.1} us, through the wire form {:.1} us per call",
        direct * 1000.0 / f64::from(calls),
        wired * 1000.0 / f64::from(calls)
    );
}

#[cfg(not(feature = "asymmetric"))]
fn wire_form_cost() {}

/// Encrypt and Decrypt of 4 KB messages through the KMS API on a world: authorization with its
/// explanation (console key policy, IAM policy), key state, then AES-256-GCM.
fn kms_encrypt_decrypt_4k() {
    use kms_engine::entropy::Timestamp;
    use kms_engine::kms::{Caller, DecryptRequest, EncryptRequest, Env};
    use kms_engine::policy::{ConsoleKeySpec, console_key_policy};
    use kms_engine::world::{KeySetup, World};
    use std::collections::BTreeMap;

    const ROUNDS: u32 = 5_000;
    let now = Timestamp(1_704_067_200_000);
    let mut rng = SeededRandomness::new(2);
    let mut world = World::default();
    let setup = (|| {
        world.add_account("111122223333", "Bench").ok()?;
        let alice = world.add_user("111122223333", "Alice").ok()?;
        let policy = console_key_policy(&ConsoleKeySpec {
            users: vec![alice.to_string()],
            ..ConsoleKeySpec::new("111122223333")
        });
        let key = world
            .add_key(
                KeySetup {
                    policy: Some(policy),
                    ..KeySetup::new("111122223333")
                },
                now,
                &mut rng,
            )
            .ok()?;
        Some((alice, world.keys.get_by_arn(&key)?.arn.clone()))
    })();
    let Some((alice, key)) = setup else {
        println!("kms: encrypt/decrypt setup failed");
        return;
    };
    let caller = Caller::new(alice);
    let context: BTreeMap<String, String> = [("purpose".to_owned(), "bench".to_owned())].into();
    let request = EncryptRequest {
        key_id: key,
        plaintext: vec![0x5a; 4096],
        encryption_context: Some(context.clone()),
        ..EncryptRequest::default()
    };
    let megabytes = f64::from(ROUNDS) * 4096.0 / 1e6;

    let start = Instant::now();
    let mut blob = Vec::new();
    let mut failures = 0;
    for _ in 0..ROUNDS {
        let mut env = Env::new(now, &mut rng);
        match world.encrypt(&caller, &mut env, black_box(request.clone())) {
            Ok(response) => blob = response.ciphertext_blob,
            Err(_) => failures += 1,
        }
    }
    let elapsed = start.elapsed();
    println!(
        "kms: Encrypt 4 KB              {:>8.1} MB/s ({:.1} µs/call)",
        megabytes / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / f64::from(ROUNDS)
    );

    let request = DecryptRequest {
        ciphertext_blob: blob,
        encryption_context: Some(context),
        ..DecryptRequest::default()
    };
    let start = Instant::now();
    for _ in 0..ROUNDS {
        let mut env = Env::new(now, &mut rng);
        if black_box(world.decrypt(&caller, &mut env, black_box(request.clone()))).is_err() {
            failures += 1;
        }
    }
    let elapsed = start.elapsed();
    println!(
        "kms: Decrypt 4 KB              {:>8.1} MB/s ({:.1} µs/call)",
        megabytes / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / f64::from(ROUNDS)
    );
    if failures > 0 {
        println!("kms: {failures} calls failed: the figures above are not valid");
    }
}

/// The access matrix of a generated world: 200 principals (180 users and 10 role sessions of one
/// account, 10 users of a partner account) × 50 keys (default, console-style and custom policies,
/// some with conditions and denies) × 10 actions = 100,000 decisions. Prints the full matrix's
/// decisions per second, and the time to recompute one row (after an identity-policy edit) and one
/// column (after a key-policy edit).
fn access_matrix() {
    use kms_engine::catalog::Action;
    use kms_engine::matrix::Matrix;
    use kms_engine::policy::{ConsoleKeySpec, console_key_policy};
    use kms_engine::world::{KeySetup, World};

    const A: &str = "111122223333";
    const B: &str = "444455556666";
    let actions = [
        Action::Encrypt,
        Action::Decrypt,
        Action::GenerateDataKey,
        Action::ReEncryptFrom,
        Action::DescribeKey,
        Action::CreateGrant,
        Action::PutKeyPolicy,
        Action::ScheduleKeyDeletion,
        Action::EnableKey,
        Action::DisableKey,
    ];
    let mut rng = SeededRandomness::new(2024);
    let now = kms_engine::entropy::Timestamp(1_704_067_200_000);
    let mut world = World::default();
    let built =
        (|| -> Result<(World, Vec<PrincipalArn>, Vec<String>), kms_engine::world::WorldError> {
            world.add_account(A, "Main")?;
            world.add_account(B, "Partner")?;
            let mut principals = Vec::new();
            for i in 0..180 {
                principals.push(world.add_user(A, &format!("user{i}"))?);
            }
            let role = world.add_role(A, "App")?;
            for i in 0..10 {
                principals.push(world.add_session(&role, &format!("session{i}"))?);
            }
            for i in 0..10 {
                principals.push(world.add_user(B, &format!("partner{i}"))?);
            }
            let mut keys = Vec::new();
            for k in 0..50usize {
                let user =
                    |i: usize| format!("arn:aws:iam::{A}:user/user{}", (k * 7 + i * 13) % 180);
                let policy = match k % 4 {
                    0 => None,
                    1 => Some(console_key_policy(&ConsoleKeySpec {
                        administrators: vec![user(0), user(1)],
                        users: vec![user(2), user(3), user(4), role.to_string()],
                        other_accounts: vec![B.to_owned()],
                        ..ConsoleKeySpec::new(A)
                    })),
                    2 => Some(format!(
                        r#"{{"Version": "2012-10-17", "Statement": [
                        {{"Effect": "Allow", "Principal": {{"AWS": ["{}", "{}", "{}"]}}, "Action": "kms:*", "Resource": "*"}},
                        {{"Effect": "Deny", "Principal": {{"AWS": "{}"}}, "Action": "kms:Decrypt", "Resource": "*"}}
                    ]}}"#,
                        user(5),
                        user(6),
                        user(7),
                        user(5)
                    )),
                    _ => Some(format!(
                        r#"{{"Version": "2012-10-17", "Statement": [
                        {{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{A}:root"}}, "Action": "kms:*", "Resource": "*"}},
                        {{"Effect": "Allow", "Principal": {{"AWS": "*"}}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*",
                          "Condition": {{"StringEquals": {{"kms:CallerAccount": "{A}", "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}}}}
                    ]}}"#
                    )),
                };
                keys.push(world.add_key(
                    KeySetup {
                        policy,
                        ..KeySetup::new(A)
                    },
                    now,
                    &mut rng,
                )?);
            }
            let arns: Vec<String> = keys
                .iter()
                .filter_map(|k| world.keys.get_by_arn(k).map(|key| key.arn.clone()))
                .collect();
            for (i, principal) in principals.iter().enumerate() {
                if principal.session_role().is_some() {
                    continue;
                }
                let some_keys: Vec<String> = arns.iter().skip(i % 5).step_by(5).cloned().collect();
                let allow = serde_json::json!({
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": some_keys},
                        {"Effect": "Allow", "Action": "kms:Describe*", "Resource": "*"}
                    ]
                });
                world.put_identity_policy(principal, "Use", &allow.to_string())?;
                if i % 10 == 0 {
                    let deny = serde_json::json!({
                        "Version": "2012-10-17",
                        "Statement": {"Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}
                    });
                    world.put_identity_policy(principal, "NoDelete", &deny.to_string())?;
                }
            }
            world.put_identity_policy(&role, "Use", r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}"#)?;
            Ok((world, principals, keys))
        })();
    let Ok((mut world, principals, keys)) = built else {
        println!(
            "matrix: the generated world was refused: {built:?}",
            built = built.err()
        );
        return;
    };

    // Warm up once, then time full computations.
    let mut matrix = Matrix::compute(&world, &principals, &keys, &actions, now);
    let cells = matrix.len();
    let allowed = matrix
        .cells()
        .filter(|c| c.cell.verdict.is_allowed())
        .count();
    const FULL_ROUNDS: u32 = 10;
    let start = Instant::now();
    for _ in 0..FULL_ROUNDS {
        black_box(Matrix::compute(
            black_box(&world),
            &principals,
            &keys,
            &actions,
            now,
        ));
    }
    let full = start.elapsed().as_secs_f64() / f64::from(FULL_ROUNDS);
    println!(
        "matrix: {} principals × {} keys × {} actions = {cells} decisions ({allowed} allowed): full {:.2} ms, {:.2} M decisions/s",
        principals.len(),
        keys.len(),
        actions.len(),
        full * 1e3,
        cells as f64 / full / 1e6
    );

    // One identity-policy edit, then its row.
    let (Some(edited), Some(role)) = (
        principals.get(17).cloned(),
        world.role_arn(A, "App").cloned(),
    ) else {
        println!("matrix: the generated world has no 18th principal or no role");
        return;
    };
    let _ = world.put_identity_policy(
        &edited,
        "Use",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}"#,
    );
    const ROW_ROUNDS: u32 = 200;
    let start = Instant::now();
    for _ in 0..ROW_ROUNDS {
        black_box(matrix.recompute_row(black_box(&world), &edited));
    }
    let row = start.elapsed().as_secs_f64() / f64::from(ROW_ROUNDS);
    // A role's row also recomputes its 10 sessions' rows.
    let start = Instant::now();
    for _ in 0..ROW_ROUNDS {
        black_box(matrix.recompute_row(black_box(&world), &role));
    }
    let role_rows = start.elapsed().as_secs_f64() / f64::from(ROW_ROUNDS);

    // One key-policy edit, then its column.
    let column_key = keys.get(1).cloned();
    let column = match &column_key {
        Some(key) => {
            let _ = world.set_key_policy(key, &kms_engine::policy::default_key_policy(A));
            let start = Instant::now();
            for _ in 0..ROW_ROUNDS {
                black_box(matrix.recompute_column(black_box(&world), key));
            }
            start.elapsed().as_secs_f64() / f64::from(ROW_ROUNDS)
        }
        None => 0.0,
    };
    let fresh = Matrix::compute(&world, &principals, &keys, &actions, now);
    println!(
        "matrix: recompute one row {:.1} µs ({} decisions), a role and its 10 sessions {:.1} µs, one column {:.1} µs ({} decisions); incremental == full: {}",
        row * 1e6,
        keys.len() * actions.len(),
        role_rows * 1e6,
        column * 1e6,
        principals.len() * actions.len(),
        fresh == matrix
    );
}

/// What `kmsplay matrix` does on a generated 200 × 50 world with 10 actions, step by step:
/// reading and checking the scenario file, building its world, computing the matrix report and
/// rendering it as the terminal table and as JSON.
fn scenario_report() {
    use kms_engine::catalog::Action;
    use kms_engine::scenario::{self, MatrixReport, Scenario};

    let now = kms_engine::entropy::Timestamp(1_704_067_200_000);
    let text = scenario::generate(200, 50, 1).to_json();
    let rounds = 5u32;
    let mut timings = [0f64; 6];
    for _ in 0..rounds {
        let t = Instant::now();
        let parsed = Scenario::parse(&text).map(black_box);
        timings[0] += t.elapsed().as_secs_f64();
        let Ok(parsed) = parsed else {
            println!("scenario: the generated world does not read back");
            return;
        };
        let t = Instant::now();
        let world = parsed.build(&text, now, &mut SeededRandomness::new(1));
        timings[1] += t.elapsed().as_secs_f64();
        let Ok(world) = world else {
            println!("scenario: the generated world does not build");
            return;
        };
        let actions: Vec<Action> = parsed
            .actions
            .iter()
            .filter_map(|a| Action::from_name(a))
            .collect();
        let t = Instant::now();
        let report = black_box(MatrixReport::compute(&parsed, &world, &actions, now));
        timings[2] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        black_box(kms_engine::matrix::Matrix::of_world(&world, &actions, now));
        timings[5] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        black_box(report.to_table());
        timings[3] += t.elapsed().as_secs_f64();
        let t = Instant::now();
        black_box(report.to_json(false));
        timings[4] += t.elapsed().as_secs_f64();
    }
    let ms = |secs: f64| secs * 1000.0 / f64::from(rounds);
    println!(
        "scenario 200x50x10 ({} bytes): read {:.1} ms, build {:.1} ms, matrix report {:.1} ms (of which the matrix {:.1} ms), table {:.1} ms, json {:.1} ms",
        text.len(),
        ms(timings[0]),
        ms(timings[1]),
        ms(timings[2]),
        ms(timings[5]),
        ms(timings[3]),
        ms(timings[4])
    );
}

/// The generated worlds (`kmsplay generate`) at 100, 400, 1,600 and 6,400 principals × 50 keys ×
/// their 10 actions: reading and building the world, then the whole access matrix, and the cost
/// per decision, which stays flat when the work grows linearly.
fn generated_worlds() {
    use kms_engine::catalog::Action;
    use kms_engine::matrix::Matrix;
    use kms_engine::scenario::{GENERATED_ACTIONS, generate, load};

    let now = kms_engine::entropy::Timestamp(1_704_067_200_000);
    let actions: Vec<Action> = GENERATED_ACTIONS
        .iter()
        .filter_map(|a| Action::from_name(a))
        .collect();
    println!(
        "generated worlds (principals x 50 keys x {} actions):",
        actions.len()
    );
    for principals in [100, 400, 1600, 6400] {
        let text = generate(principals, 50, 1).to_json();
        let start = Instant::now();
        let Ok(loaded) = load(&text, now, &mut SeededRandomness::new(1)) else {
            println!("  {principals}: the generated world does not load");
            continue;
        };
        let load_time = start.elapsed();
        let start = Instant::now();
        let matrix = black_box(Matrix::of_world(&loaded.world, &actions, now));
        let matrix_time = start.elapsed();
        println!(
            "  {principals:>5} x 50: read and build {:>7.1} ms ({} KB of JSON); matrix {:>7.1} ms for {} decisions, {:.0} ns per decision",
            load_time.as_secs_f64() * 1e3,
            text.len() / 1000,
            matrix_time.as_secs_f64() * 1e3,
            matrix.len(),
            matrix_time.as_secs_f64() * 1e9 / matrix.len().max(1) as f64
        );
    }
}

/// Inputs that once took quadratic time, at four sizes each: a minified (one-line) scenario
/// with many `expect` entries and principals (read, build and `check`: positions from a line
/// index, references from a name index), and an IAM policy of many statements, every Sid
/// written twice (the duplicate-Sid checks of the parser and the linter). Linear work shows as
/// a flat cost per entry.
fn large_inputs() {
    use kms_engine::policy::lint::check_policy;
    use kms_engine::scenario::{Reasons, check, load};

    let now = kms_engine::entropy::Timestamp(1_704_067_200_000);
    println!("large inputs (the cost per entry stays flat when the work is linear):");
    for entries in [5_000usize, 20_000, 80_000, 320_000] {
        let principals = entries / 10;
        let mut text = String::from(r#"{"principals":["#);
        for p in 0..principals {
            if p > 0 {
                text.push(',');
            }
            text.push_str(&format!(r#"{{"name":"P{p}"}}"#));
        }
        text.push_str(r#"],"keys":[{"name":"K","aliases":["alias/k"]}],"expect":["#);
        for e in 0..entries {
            if e > 0 {
                text.push(',');
            }
            let key = if e % 2 == 0 { "K" } else { "alias/k" };
            text.push_str(&format!(
                r#"{{"principal":"P{}","key":"{key}","action":"kms:Decrypt","decision":"allow"}}"#,
                (e * 7919) % principals
            ));
        }
        text.push_str("]}");
        let start = Instant::now();
        let Ok(loaded) = load(&text, now, &mut SeededRandomness::new(1)) else {
            println!("  {entries}: the scenario does not load");
            continue;
        };
        let load_time = start.elapsed();
        let start = Instant::now();
        let results = black_box(check(
            &loaded.scenario,
            &text,
            &loaded.world,
            now,
            Reasons::Failures,
        ));
        let check_time = start.elapsed();
        println!(
            "  one-line scenario, {entries:>7} expect entries, {principals:>6} principals ({} KB): load {:>8.1} ms, check {:>8.1} ms ({} failing); {:.2} us per entry",
            text.len() / 1000,
            load_time.as_secs_f64() * 1e3,
            check_time.as_secs_f64() * 1e3,
            results.iter().filter(|r| !r.passed).count(),
            (load_time + check_time).as_secs_f64() * 1e6 / entries as f64
        );
    }
    for statements in [500usize, 2_000, 8_000, 32_000] {
        let body: Vec<String> = (0..statements)
            .map(|i| {
                format!(
                    r#"{{"Sid":"S{}","Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}"#,
                    i / 2
                )
            })
            .collect();
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            body.join(",")
        );
        let start = Instant::now();
        let checked = black_box(check_policy(
            &text,
            PolicyKind::IdentityPolicy,
            Some("111122223333"),
        ));
        let time = start.elapsed();
        println!(
            "  IAM policy, {statements:>6} statements, each Sid twice: parse and lint {:>8.1} ms ({} diagnostics); {:.2} us per statement",
            time.as_secs_f64() * 1e3,
            checked.diagnostics.len(),
            time.as_secs_f64() * 1e6 / statements as f64
        );
    }
}

/// `kmsplay import` at the size of a large account (issue 16): `get-account-authorization-details`
/// with 2,000 roles (URL-encoded inline policies, a managed policy attached to each), `list-keys`
/// with 300 keys and a `get-key-policy` output per key; then reading and building the scenario
/// and its Encrypt/Decrypt matrix.
fn import_2000_roles_300_keys() {
    use kms_engine::catalog::Action;
    use kms_engine::matrix::Matrix;
    use kms_engine::scenario::{ImportFile, import, load};
    use serde_json::json;

    let account = "111122223333";
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let key_id = |k: usize| format!("{k:08x}-0000-4000-8000-{k:012x}");
    let key_arn = |k: usize| format!("arn:aws:kms:us-east-1:{account}:key/{}", key_id(k));
    let role_arn = |r: usize| format!("arn:aws:iam::{account}:role/service-role/role-{r}");
    let roles: Vec<_> = (0..2000)
        .map(|r| {
            let document = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": key_arn(r % 300)}]});
            json!({"Path": "/service-role/", "RoleName": format!("role-{r}"), "Arn": role_arn(r),
                "RolePolicyList": [{"PolicyName": "use", "PolicyDocument": encode(&document.to_string())}],
                "AttachedManagedPolicies": [{"PolicyName": "ro", "PolicyArn": format!("arn:aws:iam::{account}:policy/ro")}]})
        })
        .collect();
    let iam = json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles,
        "Policies": [{"PolicyName": "ro", "Arn": format!("arn:aws:iam::{account}:policy/ro"),
            "PolicyVersionList": [{"IsDefaultVersion": true, "VersionId": "v1", "Document":
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": "*"}]}}]}]})
    .to_string();
    let keys = json!({"Keys": (0..300).map(|k| json!({"KeyId": key_id(k), "KeyArn": key_arn(k)})).collect::<Vec<_>>()})
        .to_string();
    let policies: Vec<(String, String)> = (0..300)
        .map(|k| {
            let policy = json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "kms:*", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"AWS": role_arn((k * 7) % 2000)}, "Action": "kms:Decrypt", "Resource": "*"}]});
            (
                format!("{}.policy.json", key_id(k)),
                json!({"Policy": policy.to_string()}).to_string(),
            )
        })
        .collect();
    let mut files = vec![
        ImportFile {
            name: "iam.json",
            text: &iam,
            key_id: None,
        },
        ImportFile {
            name: "keys.json",
            text: &keys,
            key_id: None,
        },
    ];
    files.extend(policies.iter().map(|(name, text)| ImportFile {
        name,
        text,
        key_id: None,
    }));
    let start = Instant::now();
    let Ok(imported) = import(&files, None) else {
        println!("import: the generated outputs do not import");
        return;
    };
    let import_time = start.elapsed();
    let now = kms_engine::entropy::Timestamp(1_704_067_200_000);
    let start = Instant::now();
    let Ok(loaded) = load(&imported.text, now, &mut SeededRandomness::new(1)) else {
        println!("import: the imported scenario does not load");
        return;
    };
    let load_time = start.elapsed();
    let start = Instant::now();
    let matrix = black_box(Matrix::of_world(
        &loaded.world,
        &[Action::Encrypt, Action::Decrypt],
        now,
    ));
    let matrix_time = start.elapsed();
    println!(
        "import of 2,000 roles and 300 keys ({} KB of CLI output): import {:.1} ms, read and build {:.1} ms, matrix {:.1} ms for {} decisions",
        (iam.len() + keys.len() + policies.iter().map(|(_, t)| t.len()).sum::<usize>()) / 1000,
        import_time.as_secs_f64() * 1e3,
        load_time.as_secs_f64() * 1e3,
        matrix_time.as_secs_f64() * 1e3,
        matrix.len()
    );
}
