//! Checking a scenario's `expect` entries, and asking about one request.

use super::{Expectation, Scenario};
use crate::authz::{self, AuthzRequest, Explanation, RequestParams, Target, Verdict};
use crate::catalog::Action;
use crate::entropy::Timestamp;
use crate::policy::eval::Decision;
use crate::request::ContextValue;
use crate::world::World;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// One request to decide: who, what, on which key, with which condition keys and grant tokens.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// The caller's ARN.
    pub principal: String,
    /// The key's ARN.
    pub key: String,
    /// The action, such as `kms:Decrypt`.
    pub action: String,
    /// Condition keys the request carries. `kms:EncryptionContext:K` keys become the request's
    /// encryption context (so grant constraints see them too); `kms:ViaService` says which AWS
    /// service the request came through.
    pub context: Vec<(String, ContextValue)>,
    /// Grant tokens passed with the request.
    pub grant_tokens: Vec<String>,
}

impl Question {
    /// The request parameters the question's context and grant tokens make.
    pub fn params(&self) -> RequestParams {
        let mut params = RequestParams {
            grant_tokens: self.grant_tokens.clone(),
            ..RequestParams::default()
        };
        let mut encryption_context = BTreeMap::new();
        for (name, value) in &self.context {
            let lower = name.to_ascii_lowercase();
            match (lower.strip_prefix(CONTEXT_PREFIX), value) {
                (Some(_), ContextValue::Single(v)) => {
                    let pair_key = name.get(CONTEXT_PREFIX.len()..).unwrap_or_default();
                    encryption_context.insert(pair_key.to_owned(), v.clone());
                }
                _ if lower == "kms:viaservice" => {
                    params.via_service = value.values().next().map(str::to_owned);
                }
                _ => params.context.insert(name.clone(), value.clone()),
            }
        }
        if !encryption_context.is_empty() {
            params.encryption_context = Some(encryption_context);
        }
        params
    }
}

/// Why a question cannot be answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionError {
    /// No principal with that ARN.
    UnknownPrincipal(String),
    /// No key with that ARN.
    UnknownKey(String),
    /// Not a KMS action.
    UnknownAction(String),
}

impl fmt::Display for QuestionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuestionError::UnknownPrincipal(p) => write!(f, "no principal `{p}` in this world"),
            QuestionError::UnknownKey(k) => write!(f, "no key `{k}` in this world"),
            QuestionError::UnknownAction(a) => write!(f, "`{a}` is not a KMS action"),
        }
    }
}

impl std::error::Error for QuestionError {}

const CONTEXT_PREFIX: &str = "kms:encryptioncontext:";

/// Decides `question` in `world` at `now` and explains the decision.
pub fn explain_question(
    world: &World,
    question: &Question,
    now: Timestamp,
) -> Result<Explanation, QuestionError> {
    with_request(world, question, now, |request| {
        authz::explain(world, request)
    })
}

/// Decides `question` in `world` at `now`, without building an explanation.
pub fn decide_question(
    world: &World,
    question: &Question,
    now: Timestamp,
) -> Result<Verdict, QuestionError> {
    with_request(world, question, now, |request| {
        authz::decide(world, request)
    })
}

/// Turns `question` into the authorizer's request and hands it to `answer`.
fn with_request<T>(
    world: &World,
    question: &Question,
    now: Timestamp,
    answer: impl FnOnce(&AuthzRequest<'_>) -> T,
) -> Result<T, QuestionError> {
    let caller = world
        .principal(&question.principal)
        .ok_or_else(|| QuestionError::UnknownPrincipal(question.principal.clone()))?;
    let key = world
        .keys
        .get_by_arn(&question.key)
        .ok_or_else(|| QuestionError::UnknownKey(question.key.clone()))?;
    let action = Action::from_name(&question.action)
        .ok_or_else(|| QuestionError::UnknownAction(question.action.clone()))?;
    let params = question.params();
    Ok(answer(&AuthzRequest {
        caller,
        action,
        target: Target::Key(key),
        params: &params,
        now,
    }))
}

/// The result of one `expect` entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckResult {
    /// The entry's JSON path, such as `expect[3]`.
    pub path: String,
    /// The line the entry starts on.
    pub line: u32,
    /// The principal's name.
    pub principal: String,
    /// The key's name.
    pub key: String,
    /// The action.
    pub action: String,
    /// What the file expects.
    pub expected: Decision,
    /// What the authorizer decided.
    pub actual: Decision,
    /// Whether they agree.
    pub passed: bool,
    /// The decision in one sentence.
    pub reason: String,
}

impl Expectation {
    /// The question this entry asks, in `scenario`'s terms.
    pub fn question(&self, scenario: &Scenario) -> Option<Question> {
        Some(Question {
            principal: scenario.principals.get(self.principal)?.arn.clone(),
            key: scenario.keys.get(self.key)?.arn.clone(),
            action: self.action.clone(),
            context: self.context.clone(),
            grant_tokens: self.grant_tokens.clone(),
        })
    }
}

/// Evaluates every `expect` entry of `scenario` against `world` (built from it) at `now`.
/// `text` is the scenario file, for line numbers.
pub fn check(scenario: &Scenario, text: &str, world: &World, now: Timestamp) -> Vec<CheckResult> {
    let index = crate::diagnostics::LineIndex::new(text);
    scenario
        .expect
        .iter()
        .filter_map(|e| {
            let question = e.question(scenario)?;
            let (actual, reason) = match explain_question(world, &question, now) {
                Ok(x) => (x.verdict.decision, x.summary),
                Err(err) => (Decision::ImplicitDeny, err.to_string()),
            };
            Some(CheckResult {
                path: e.path.clone(),
                line: index.position(e.span.start).line,
                principal: scenario
                    .principals
                    .get(e.principal)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                key: scenario
                    .keys
                    .get(e.key)
                    .map(|k| k.name.clone())
                    .unwrap_or_default(),
                action: e.action.clone(),
                expected: e.decision,
                actual,
                passed: actual == e.decision,
                reason,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededRandomness;

    const NOW: Timestamp = Timestamp(1_704_067_200_000);

    /// The lecture's closing example (shared/seeds lecture; KMS Developer Guide,
    /// key-policy-default.html and policy-evaluation.html for why each cell is what it is).
    #[test]
    fn the_lecture_scenario_meets_every_expectation() {
        let text = include_str!("../../../scenarios/lecture.json");
        let loaded = super::super::load(text, NOW, &mut SeededRandomness::new(1))
            .unwrap_or_else(|e| panic!("{e}"));
        let results = check(&loaded.scenario, text, &loaded.world, NOW);
        assert_eq!(results.len(), 24);
        let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
        assert!(failed.is_empty(), "{failed:#?}");
        assert!(results.iter().all(|r| r.line > 1));
    }

    /// The fast answer and the explained one agree on every question the lecture asks,
    /// including the context keys and grant tokens a question carries.
    #[test]
    fn deciding_a_question_agrees_with_explaining_it() {
        let load = |text| super::super::load(text, NOW, &mut SeededRandomness::new(1)).unwrap();
        let lecture = load(include_str!("../../../scenarios/lecture.json"));
        let demo1 = load(include_str!("../../../scenarios/demo1-grants.json"));
        for loaded in [&lecture, &demo1] {
            let questions: Vec<Question> = loaded
                .scenario
                .expect
                .iter()
                .filter_map(|e| e.question(&loaded.scenario))
                .collect();
            assert!(!questions.is_empty());
            for question in &questions {
                let fast = decide_question(&loaded.world, question, NOW).unwrap();
                let explained = explain_question(&loaded.world, question, NOW).unwrap();
                assert_eq!(fast, explained.verdict, "{question:?}");
            }
        }
        let nobody = Question {
            principal: "arn:aws:iam::111122223333:user/Nobody".to_owned(),
            key: String::new(),
            action: "kms:Decrypt".to_owned(),
            context: Vec::new(),
            grant_tokens: Vec::new(),
        };
        assert!(matches!(
            decide_question(&lecture.world, &nobody, NOW),
            Err(QuestionError::UnknownPrincipal(_))
        ));
    }

    #[test]
    fn a_wrong_expectation_fails_with_the_actual_decision() {
        let text = r#"{"principals": [{"name": "Bob"}], "keys": [{"name": "K"}],
            "expect": [{"principal": "Bob", "key": "K", "action": "kms:Encrypt", "decision": "allow"}]}"#;
        let loaded = super::super::load(text, NOW, &mut SeededRandomness::new(1)).unwrap();
        let results = check(&loaded.scenario, text, &loaded.world, NOW);
        assert_eq!(results.len(), 1);
        assert!(!results[0].passed);
        assert_eq!(results[0].actual, Decision::ImplicitDeny);
        assert_eq!(results[0].line, 2);
    }

    #[test]
    fn context_keys_reach_conditions_and_grant_constraints() {
        let text = r#"{"principals": [{"name": "Bob"}],
            "keys": [{"name": "K", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Bob"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:dept": "eng"}}}]}}],
            "grants": [{"key": "K", "grantee": "Bob", "operations": ["Encrypt"], "constraints": {"EncryptionContextSubset": {"dept": "ops"}}}],
            "expect": [
              {"principal": "Bob", "key": "K", "action": "kms:Decrypt", "context": {"kms:EncryptionContext:dept": "eng"}, "decision": "allow"},
              {"principal": "Bob", "key": "K", "action": "kms:Decrypt", "decision": "implicit-deny"},
              {"principal": "Bob", "key": "K", "action": "kms:Encrypt", "context": {"kms:EncryptionContext:dept": "ops"}, "decision": "allow"},
              {"principal": "Bob", "key": "K", "action": "kms:Encrypt", "context": {"kms:EncryptionContext:dept": "eng"}, "decision": "implicit-deny"}
            ]}"#;
        let loaded = super::super::load(text, NOW, &mut SeededRandomness::new(1))
            .unwrap_or_else(|e| panic!("{e}"));
        let results = check(&loaded.scenario, text, &loaded.world, NOW);
        for r in &results {
            assert!(r.passed, "{r:#?}");
        }
    }
}

#[cfg(test)]
mod shipped {
    use super::*;
    use crate::entropy::SeededRandomness;
    use crate::policy::{ConsoleKeySpec, console_key_policy};

    const NOW: Timestamp = Timestamp(1_704_067_200_000);

    /// Demo 2's key is what the console's create-key wizard makes for two administrators and two
    /// users with deletion allowed (KMS Developer Guide, key-policy-default.html): the file's
    /// policy is the engine's console policy for those choices, member for member.
    #[test]
    fn demo2_policy_is_the_console_wizards_policy() {
        let text = include_str!("../../../scenarios/demo2-create-key.json");
        let scenario = Scenario::parse(text).unwrap();
        let key = &scenario.keys[0];
        assert_eq!(
            (key.aliases.as_slice(), key.description.as_str()),
            (["alias/DemoKey".to_owned()].as_slice(), "This is a demo")
        );
        let mut spec = ConsoleKeySpec::new("111122223333");
        spec.administrators = vec![
            "arn:aws:iam::111122223333:user/CloudAcademy".to_owned(),
            "arn:aws:iam::111122223333:role/KMSAdminRole".to_owned(),
        ];
        spec.users = vec![
            "arn:aws:iam::111122223333:user/Alice".to_owned(),
            "arn:aws:iam::111122223333:user/Bob".to_owned(),
        ];
        let wizard: serde_json::Value = serde_json::from_str(&console_key_policy(&spec)).unwrap();
        let file: serde_json::Value =
            serde_json::from_str(&key.policy.as_ref().unwrap().text).unwrap();
        assert_eq!(file, wizard);
    }

    /// Demo 1's key is the console's policy with one administrator and Alice as the only user.
    #[test]
    fn demo1_policy_is_the_console_wizards_policy() {
        let text = include_str!("../../../scenarios/demo1-grants.json");
        let scenario = Scenario::parse(text).unwrap();
        let mut spec = ConsoleKeySpec::new("111122223333");
        spec.administrators = vec!["arn:aws:iam::111122223333:user/CloudAcademy".to_owned()];
        spec.users = vec!["arn:aws:iam::111122223333:user/Alice".to_owned()];
        let wizard: serde_json::Value = serde_json::from_str(&console_key_policy(&spec)).unwrap();
        let file: serde_json::Value =
            serde_json::from_str(&scenario.keys[0].policy.as_ref().unwrap().text).unwrap();
        assert_eq!(file, wizard);
    }

    #[test]
    fn every_shipped_scenario_meets_its_expectations() {
        for text in [
            include_str!("../../../scenarios/lecture.json"),
            include_str!("../../../scenarios/demo1-grants.json"),
            include_str!("../../../scenarios/demo2-create-key.json"),
        ] {
            let loaded = super::super::load(text, NOW, &mut SeededRandomness::new(1))
                .unwrap_or_else(|e| panic!("{e}"));
            let results = check(&loaded.scenario, text, &loaded.world, NOW);
            assert!(!results.is_empty());
            let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
            assert!(failed.is_empty(), "{failed:#?}");
        }
    }
}
