//! Laws of policy evaluation, checked over generated policies and requests (IAM User Guide,
//! reference_policies_evaluation-logic.html):
//! - an explicit Deny always wins;
//! - adding a Deny statement never grants more;
//! - removing an Allow statement never grants more;
//! - the fast path (`evaluate`) and the traced path (`explain`) always agree;
//! - a `Resource` pattern compiled once (the access matrix's) matches what the pattern's text does.

use crate::common;

use common::*;
use kms_engine::diagnostics::Span;
use kms_engine::policy::eval::{
    PolicyOutcome, StatementResult, evaluate, explain, statement_result,
};
use kms_engine::policy::pattern::{ArnParts, CompiledResource, resource_matches};
use kms_engine::policy::{
    ActionBlock, Condition, ConditionValue, Effect, Pattern, Policy, PolicyVersion, PrincipalBlock,
    PrincipalEntry, PrincipalKey, PrincipalSet, ResourceBlock, Statement,
};
use kms_engine::request::{Context, Request, RequestPrincipal};
use proptest::prelude::*;

const ACTIONS: [&str; 6] = [
    "kms:*",
    "kms:Encrypt",
    "kms:Get*",
    "*",
    "s3:*",
    "kms:decrypt",
];
const REQUEST_ACTIONS: [&str; 4] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GetKeyPolicy",
    "s3:GetObject",
];
const RESOURCES: [&str; 5] = [
    "*",
    KEY_ARN,
    "arn:aws:kms:*:111122223333:key/*",
    OTHER_KEY_ARN,
    "arn:aws:kms:us-east-1:111122223333:alias/${aws:username}*",
];
const REQUEST_RESOURCES: [&str; 3] = [
    KEY_ARN,
    OTHER_KEY_ARN,
    "arn:aws:kms:us-east-1:111122223333:alias/alice-data",
];
const PRINCIPALS: [&str; 6] = [
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:role/Ops",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::444455556666:root",
    "arn:aws:sts::111122223333:assumed-role/Ops/s1",
    "*",
];

fn callers() -> Vec<RequestPrincipal> {
    vec![
        user(ACCOUNT, "alice"),
        user(ACCOUNT, "bob"),
        session(ACCOUNT, "Ops", "s1"),
        root(ACCOUNT),
        user(OTHER_ACCOUNT, "carol"),
        service("logs.us-east-1.amazonaws.com"),
    ]
}

fn pattern(text: &str) -> Pattern {
    Pattern {
        text: text.to_owned(),
        span: Span::default(),
    }
}

fn conditions() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    vec![
        (
            "StringEquals",
            "kms:ViaService",
            vec!["s3.us-east-1.amazonaws.com"],
        ),
        ("StringNotEquals", "kms:CallerAccount", vec!["111122223333"]),
        ("Bool", "kms:GrantIsForAWSResource", vec!["true"]),
        (
            "ForAnyValue:StringLike",
            "kms:EncryptionContextKeys",
            vec!["dept*"],
        ),
        (
            "ForAllValues:StringEquals",
            "kms:EncryptionContextKeys",
            vec!["dept", "owner"],
        ),
        ("Null", "kms:ViaService", vec!["true"]),
        ("NumericLessThan", "aws:MultiFactorAuthAge", vec!["3600"]),
        (
            "StringEqualsIfExists",
            "kms:EncryptionContext:owner",
            vec!["${aws:username}"],
        ),
        ("ArnLike", "aws:PrincipalArn", vec!["arn:aws:iam::*:role/*"]),
        ("IpAddress", "aws:SourceIp", vec!["203.0.113.0/24"]),
    ]
}

fn arb_principal() -> impl Strategy<Value = Option<PrincipalBlock>> {
    let entries = proptest::sample::subsequence(PRINCIPALS.to_vec(), 1..=3);
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(PrincipalBlock {
            negated: false,
            principals: PrincipalSet::Everyone,
            span: Span::default(),
        })),
        4 => (entries, proptest::bool::weighted(0.2)).prop_map(|(entries, negated)| {
            Some(PrincipalBlock {
                negated,
                principals: PrincipalSet::Specific(
                    entries
                        .into_iter()
                        .map(|value| PrincipalEntry {
                            kind: PrincipalKey::Aws,
                            value: value.to_owned(),
                            normalized: value.to_owned(),
                            span: Span::default(),
                        })
                        .collect(),
                ),
                span: Span::default(),
            })
        }),
    ]
}

fn arb_statement() -> impl Strategy<Value = Statement> {
    (
        prop_oneof![Just(Effect::Allow), Just(Effect::Deny)],
        arb_principal(),
        proptest::option::weighted(
            0.95,
            (
                proptest::bool::weighted(0.15),
                proptest::sample::subsequence(ACTIONS.to_vec(), 1..=2),
            ),
        ),
        proptest::option::weighted(
            0.95,
            (
                proptest::bool::weighted(0.15),
                proptest::sample::subsequence(RESOURCES.to_vec(), 1..=2),
            ),
        ),
        proptest::sample::subsequence(conditions(), 0..=2),
    )
        .prop_map(|(effect, principal, action, resource, conds)| Statement {
            index: 0,
            sid: None,
            effect,
            principal,
            action: action.map(|(negated, ps)| ActionBlock {
                negated,
                patterns: ps.into_iter().map(pattern).collect(),
                span: Span::default(),
            }),
            resource: resource.map(|(negated, ps)| ResourceBlock {
                negated,
                patterns: ps.into_iter().map(pattern).collect(),
                span: Span::default(),
            }),
            conditions: conds
                .into_iter()
                .map(|(op, key, values)| Condition {
                    operator: operator(op),
                    operator_text: op.to_owned(),
                    key: key.to_owned(),
                    values: values
                        .into_iter()
                        .map(|text| ConditionValue {
                            text: text.to_owned(),
                            span: Span::default(),
                        })
                        .collect(),
                    operator_span: Span::default(),
                    key_span: Span::default(),
                })
                .collect(),
            span: Span::default(),
        })
}

/// A Deny statement to add to a policy: a quarter drawn like any statement (which rarely applies to
/// the request, since it must match principal, action, resource and conditions at once), the rest
/// broad enough to apply to most requests, so that the Deny laws see Denies that take something
/// away.
fn arb_deny() -> impl Strategy<Value = Statement> {
    let broad = (
        arb_statement(),
        proptest::sample::select(vec!["*", "kms:*", "kms:Encrypt", "kms:Get*"]),
        any::<bool>(),
    )
        .prop_map(|(statement, action, keep_a_condition)| Statement {
            principal: Some(PrincipalBlock {
                negated: false,
                principals: PrincipalSet::Everyone,
                span: Span::default(),
            }),
            action: Some(ActionBlock {
                negated: false,
                patterns: vec![pattern(action)],
                span: Span::default(),
            }),
            resource: Some(ResourceBlock {
                negated: false,
                patterns: vec![pattern("*")],
                span: Span::default(),
            }),
            conditions: statement
                .conditions
                .into_iter()
                .take(usize::from(keep_a_condition))
                .collect(),
            ..statement
        });
    prop_oneof![1 => arb_statement(), 3 => broad].prop_map(|s| Statement {
        effect: Effect::Deny,
        ..s
    })
}

fn arb_policy() -> impl Strategy<Value = Policy> {
    (
        proptest::collection::vec(arb_statement(), 0..6),
        prop_oneof![4 => Just(PolicyVersion::V2012_10_17), 1 => Just(PolicyVersion::V2008_10_17)],
    )
        .prop_map(|(statements, version)| {
            renumbered(Policy {
                version,
                version_written: true,
                id: None,
                statements,
                single_statement: false,
                span: Span::default(),
            })
        })
}

fn renumbered(mut policy: Policy) -> Policy {
    for (i, s) in policy.statements.iter_mut().enumerate() {
        s.index = i;
    }
    policy
}

#[derive(Clone, Debug)]
struct Req {
    caller: RequestPrincipal,
    action: &'static str,
    resource: &'static str,
    context: Context,
}

fn arb_request() -> impl Strategy<Value = Req> {
    let context_entries: Vec<(&str, &str)> = vec![
        ("kms:ViaService", "s3.us-east-1.amazonaws.com"),
        ("kms:GrantIsForAWSResource", "true"),
        ("kms:EncryptionContextKeys", "[dept, owner]"),
        ("kms:EncryptionContextKeys", "[]"),
        ("kms:EncryptionContext:owner", "alice"),
        ("aws:MultiFactorAuthAge", "120"),
        ("aws:SourceIp", "203.0.113.9"),
        ("aws:SourceIp", "2001:db8::1"),
    ];
    (
        proptest::sample::select(callers()),
        proptest::sample::select(REQUEST_ACTIONS.to_vec()),
        proptest::sample::select(REQUEST_RESOURCES.to_vec()),
        proptest::sample::subsequence(context_entries, 0..=5),
    )
        .prop_map(|(caller, action, resource, pairs)| Req {
            caller,
            action,
            resource,
            context: context(&pairs),
        })
}

impl Req {
    fn request(&self) -> Request<'_> {
        Request {
            principal: &self.caller,
            action: self.action,
            resource: self.resource,
            context: &self.context,
        }
    }
}

fn run(policy: &Policy, req: &Req) -> PolicyOutcome {
    evaluate(policy, &req.request())
}

/// How much an outcome grants: deny < nothing < delegation to the account < allow.
fn rank(outcome: PolicyOutcome) -> u8 {
    match outcome {
        PolicyOutcome::ExplicitDeny { .. } => 0,
        PolicyOutcome::NoMatch => 1,
        PolicyOutcome::AllowViaAccount { .. } => 2,
        PolicyOutcome::Allow { .. } => 3,
    }
}

fn deny_everything() -> Statement {
    Statement {
        index: 0,
        sid: Some("DenyAll".into()),
        effect: Effect::Deny,
        principal: Some(PrincipalBlock {
            negated: false,
            principals: PrincipalSet::Everyone,
            span: Span::default(),
        }),
        action: Some(ActionBlock {
            negated: false,
            patterns: vec![pattern("*")],
            span: Span::default(),
        }),
        resource: Some(ResourceBlock {
            negated: false,
            patterns: vec![pattern("*")],
            span: Span::default(),
        }),
        conditions: Vec::new(),
        span: Span::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn evaluate_and_explain_agree(policy in arb_policy(), req in arb_request()) {
        let request = req.request();
        let trace = explain(&policy, &request);
        prop_assert_eq!(evaluate(&policy, &request), trace.outcome);
        for (statement, traced) in policy.statements.iter().zip(&trace.statements) {
            prop_assert_eq!(statement_result(statement, policy.version, &request), traced.result);
        }
    }

    #[test]
    fn an_applying_deny_always_wins(policy in arb_policy(), req in arb_request(), at in 0usize..8) {
        let mut with_deny = policy.clone();
        let at = at.min(with_deny.statements.len());
        with_deny.statements.insert(at, deny_everything());
        let outcome = run(&renumbered(with_deny), &req);
        prop_assert!(outcome.is_explicit_deny(), "{:?}", outcome);
        // And whenever the outcome is an allow, no Deny statement applied.
        let outcome = run(&policy, &req);
        if outcome.allows_caller_or_account() {
            let request = req.request();
            for s in &policy.statements {
                prop_assert_ne!(statement_result(s, policy.version, &request), StatementResult::Deny);
            }
        }
    }

    #[test]
    fn adding_a_deny_never_grants_more(policy in arb_policy(), deny in arb_deny(), req in arb_request(), at in 0usize..8) {
        let before = run(&policy, &req);
        let applies = statement_result(&deny, policy.version, &req.request()) == StatementResult::Deny;
        let mut with_deny = policy.clone();
        let at = at.min(with_deny.statements.len());
        with_deny.statements.insert(at, deny);
        let after = run(&renumbered(with_deny), &req);
        prop_assert!(rank(after) <= rank(before), "{:?} became {:?}", before, after);
        // A Deny that applies wins wherever it sits, before or after the Allows.
        if applies {
            prop_assert!(after.is_explicit_deny(), "{:?} became {:?}", before, after);
        }
        if !before.allows_caller_or_account() {
            prop_assert!(!after.allows_caller_or_account());
        }
    }

    #[test]
    fn removing_an_allow_never_grants_more(policy in arb_policy(), req in arb_request(), pick in any::<prop::sample::Index>()) {
        let allows: Vec<usize> = policy
            .statements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.effect == Effect::Allow)
            .map(|(i, _)| i)
            .collect();
        prop_assume!(!allows.is_empty());
        let before = run(&policy, &req);
        let mut without = policy.clone();
        without.statements.remove(allows[pick.index(allows.len())]);
        let after = run(&renumbered(without), &req);
        prop_assert!(rank(after) <= rank(before), "{:?} became {:?}", before, after);
    }
}

/// Text shaped like ARNs and ARN patterns: `arn:` or not, segments from a small alphabet with
/// both wildcards, colons (so segment counts vary and the resource part keeps colons), `/`, case
/// and a non-ASCII letter, plus pieces of real key ARNs.
fn arn_like(wildcards: bool) -> impl Strategy<Value = String> {
    let piece = if wildcards {
        prop_oneof![
            Just("*"),
            Just("?"),
            Just("**"),
            Just(":"),
            Just("a"),
            Just("A"),
            Just("é"),
            Just("/"),
            Just("kms"),
            Just("key/"),
            Just("111122223333"),
            Just("us-east-1"),
            Just("x*y"),
        ]
        .boxed()
    } else {
        prop_oneof![
            Just(":"),
            Just("a"),
            Just("A"),
            Just("é"),
            Just("/"),
            Just("kms"),
            Just("key/"),
            Just("111122223333"),
            Just("us-east-1"),
            Just("*"),
            Just("?"),
        ]
        .boxed()
    };
    (any::<bool>(), prop::collection::vec(piece, 0..12))
        .prop_map(|(arn, pieces)| format!("{}{}", if arn { "arn:" } else { "" }, pieces.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn a_compiled_resource_pattern_matches_what_its_text_matches(
        pattern in arn_like(true),
        value in arn_like(false),
    ) {
        let compiled = CompiledResource::new(&pattern);
        prop_assert_eq!(
            compiled.matches(&ArnParts::new(&value)),
            resource_matches(pattern.as_str(), &value),
            "pattern {:?} against {:?}", pattern, value
        );
    }
}

/// The shapes policies use, each against key ARNs it must and must not match (IAM User Guide,
/// reference_policies_elements_resource.html: segments matched one by one, `*` within a segment;
/// shared/kms-semantics.md §9.2: the service segment takes no wildcard).
#[test]
fn compiled_resource_patterns_agree_on_the_shapes_policies_use() {
    let values = [
        KEY_ARN,
        OTHER_KEY_ARN,
        "arn:aws:kms:us-west-2:111122223333:key/k",
        "arn:aws:kms:us-east-1:444455556666:key/k",
        "arn:aws:kms:us-east-1:111122223333:alias/a",
        "arn:aws:kms:us-east-1:111122223333:key/a:b",
        "arn:aws:kms",
        "not-an-arn",
        "",
    ];
    let patterns = [
        "*",
        "**",
        "arn:aws:kms:*:111122223333:key/*",
        "arn:aws:kms:us-east-1:111122223333:key/*",
        "arn:aws:kms:us-east-?:*:*",
        "arn:aws:*:us-east-1:111122223333:key/k",
        "arn:aws:kms:*",
        "arn:*:kms:*:*:key/a:*",
        "arn:aws:kms::111122223333:key/k",
        "not-*",
        KEY_ARN,
    ];
    let mut matched = 0;
    for pattern in patterns {
        let compiled = CompiledResource::new(pattern);
        for value in values {
            let expected = resource_matches(pattern, value);
            matched += usize::from(expected);
            assert_eq!(
                compiled.matches(&ArnParts::new(value)),
                expected,
                "{pattern} against {value}"
            );
        }
    }
    // Both answers occur, so the comparison is not vacuous.
    assert!(
        matched > 10 && matched < patterns.len() * values.len() - 10,
        "{matched}"
    );
}

/// The laws above only bite when the generated cases reach their interesting branch: a policy
/// that allows the request (so a Deny has something to take away), a generated Deny that applies
/// to an allowed request, and an Allow whose removal changes the outcome. If the generators drift
/// so that generated statements never match the generated requests, every law passes vacuously;
/// this counts how often each branch is reached over a fixed-seed sample.
#[test]
fn the_generators_reach_the_branches_the_laws_are_about() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};

    const CASES: u32 = 2000;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let strategy = (arb_policy(), arb_deny(), arb_request());
    let (mut allowed, mut deny_takes_away, mut allow_removal_matters) = (0u32, 0u32, 0u32);
    for _ in 0..CASES {
        let (policy, deny, req) = strategy.new_tree(&mut runner).unwrap().current();
        let request = req.request();
        let before = evaluate(&policy, &request);
        if !before.allows_caller_or_account() {
            continue;
        }
        allowed += 1;
        if statement_result(&deny, policy.version, &request) == StatementResult::Deny {
            deny_takes_away += 1;
        }
        let allows: Vec<usize> = (0..policy.statements.len())
            .filter(|&i| policy.statements[i].effect == Effect::Allow)
            .collect();
        let changed = allows.iter().any(|&i| {
            let mut without = policy.clone();
            without.statements.remove(i);
            rank(evaluate(&renumbered(without), &request)) < rank(before)
        });
        if changed {
            allow_removal_matters += 1;
        }
    }
    eprintln!(
        "of {CASES} cases: {allowed} allowed; of those, a generated Deny applies to \
         {deny_takes_away} and removing an Allow matters for {allow_removal_matters}"
    );
    assert!(
        allowed * 100 >= CASES * 8,
        "only {allowed} of {CASES} requests allowed"
    );
    assert!(
        deny_takes_away * 4 >= allowed,
        "a generated Deny applied to only {deny_takes_away} of {allowed} allowed requests"
    );
    assert!(
        allow_removal_matters * 2 >= allowed,
        "removing an Allow changed only {allow_removal_matters} of {allowed} allowed outcomes"
    );
}
