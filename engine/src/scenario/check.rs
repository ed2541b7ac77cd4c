//! Checking a scenario's `expect` entries, and asking about one request.

use super::{Expectation, Scenario};
use crate::authz::{self, AuthzRequest, Explanation, RequestParams, Target, Verdict};
use crate::catalog::Action;
use crate::entropy::Timestamp;
use crate::matrix::Matrix;
use crate::policy::eval::Decision;
use crate::request::{ContextValue, PrincipalArn};
use crate::store::Key;
use crate::world::{Principal, World};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// One request to decide: who, what, on which key, with which condition keys and grant tokens.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// The caller's ARN.
    pub principal: PrincipalArn,
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
    /// The alias the request names the key by, for `kms:RequestAlias`.
    pub request_alias: Option<String>,
}

impl Question {
    /// The request parameters the question's context and grant tokens make.
    pub fn params(&self) -> RequestParams {
        let mut params = RequestParams {
            grant_tokens: self.grant_tokens.clone(),
            request_alias: self.request_alias.clone(),
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

/// Decides `question` in `world` at `now`: the authorizer's fast path, without an explanation.
pub fn decide_question(
    world: &World,
    question: &Question,
    now: Timestamp,
) -> Result<Verdict, QuestionError> {
    with_request(world, question, now, |request| {
        authz::decide(world, request)
    })
}

/// Runs `ask` on the authorization request `question` names.
fn with_request<R>(
    world: &World,
    question: &Question,
    now: Timestamp,
    ask: impl FnOnce(&AuthzRequest<'_>) -> R,
) -> Result<R, QuestionError> {
    let (caller, key, action, params) = resolve(world, question)?;
    Ok(ask(&AuthzRequest {
        caller,
        action,
        target: Target::Key(key),
        params: &params,
        now,
    }))
}

/// The caller, key, action and request parameters `question` names.
fn resolve<'w>(
    world: &'w World,
    question: &Question,
) -> Result<(&'w Principal, &'w Key, Action, RequestParams), QuestionError> {
    let caller = world
        .principal(&question.principal)
        .ok_or_else(|| QuestionError::UnknownPrincipal(question.principal.to_string()))?;
    let key = world
        .keys
        .get_by_arn(&question.key)
        .ok_or_else(|| QuestionError::UnknownKey(question.key.clone()))?;
    let action = Action::from_name(&question.action)
        .ok_or_else(|| QuestionError::UnknownAction(question.action.clone()))?;
    let params = question.params();
    Ok((caller, key, action, params))
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
    /// The decision in one sentence: for a failed entry always, for a passed one when asked for
    /// ([`Reasons::All`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Which entries [`check`] explains. An explanation costs far more than a decision, so by
/// default only the entries that fail get one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reasons {
    /// Only entries whose decision is not the expected one.
    Failures,
    /// Every entry.
    All,
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
            request_alias: self.request_alias.clone(),
        })
    }

    /// Whether the entry asks exactly what an access matrix cell answers: no condition keys, no
    /// grant tokens, the key named without an alias.
    fn is_plain(&self) -> bool {
        self.context.is_empty() && self.grant_tokens.is_empty() && self.request_alias.is_none()
    }
}

/// The decisions of a scenario's plain entries ([`Expectation::is_plain`]), computed as one
/// access matrix over the principals, keys and actions they name, when that matrix is not much
/// larger than the entries themselves.
struct PlainDecisions {
    matrix: Matrix,
    rows: HashMap<usize, usize>,
    columns: HashMap<usize, usize>,
    actions: HashMap<Action, usize>,
}

impl PlainDecisions {
    /// How many cells per plain entry the matrix may compute before deciding entry by entry is
    /// cheaper.
    const CELLS_PER_ENTRY: usize = 4;

    fn new(scenario: &Scenario, world: &World, now: Timestamp) -> Option<PlainDecisions> {
        let plain: Vec<&Expectation> = scenario.expect.iter().filter(|e| e.is_plain()).collect();
        let mut principals: Vec<usize> = plain.iter().map(|e| e.principal).collect();
        let mut keys: Vec<usize> = plain.iter().map(|e| e.key).collect();
        let mut actions: Vec<Action> = plain
            .iter()
            .filter_map(|e| Action::from_name(&e.action))
            .collect();
        for list in [&mut principals, &mut keys] {
            crate::sort::sort(list);
            list.dedup();
        }
        crate::sort::sort_by_key(&mut actions, |a| a.name());
        actions.dedup();
        let cells = principals.len() * keys.len() * actions.len();
        if plain.is_empty() || cells > plain.len().saturating_mul(Self::CELLS_PER_ENTRY) + 1024 {
            return None;
        }
        let arns: Vec<PrincipalArn> = principals
            .iter()
            .filter_map(|&p| scenario.principals.get(p).map(|p| p.arn.clone()))
            .collect();
        let ids: Vec<String> = keys
            .iter()
            .filter_map(|&k| scenario.keys.get(k).map(|k| k.arn.clone()))
            .collect();
        let matrix = Matrix::compute(world, &arns, &ids, &actions, now);
        let row_of: HashMap<&str, usize> = matrix
            .principals()
            .iter()
            .enumerate()
            .map(|(i, arn)| (arn.as_str(), i))
            .collect();
        let column_of: HashMap<&str, usize> = matrix
            .keys()
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let rows = principals
            .iter()
            .filter_map(|&p| {
                let row = row_of.get(scenario.principals.get(p)?.arn.as_str())?;
                Some((p, *row))
            })
            .collect();
        let columns = keys
            .iter()
            .filter_map(|&k| {
                let column = column_of.get(scenario.keys.get(k)?.arn.as_str())?;
                Some((k, *column))
            })
            .collect();
        let actions = matrix
            .actions()
            .iter()
            .enumerate()
            .map(|(i, &a)| (a, i))
            .collect();
        Some(PlainDecisions {
            rows,
            columns,
            actions,
            matrix,
        })
    }

    /// The decision of a plain entry, when the matrix holds its cell.
    fn decision(&self, entry: &Expectation) -> Option<Decision> {
        let action = Action::from_name(&entry.action)?;
        let cell = self.matrix.cell(
            *self.rows.get(&entry.principal)?,
            *self.columns.get(&entry.key)?,
            *self.actions.get(&action)?,
        )?;
        Some(cell.verdict.decision)
    }
}

/// Evaluates every `expect` entry of `scenario` against `world` (built from it) at `now`.
/// `text` is the scenario file, for line numbers. Entries are decided on the authorizer's fast
/// path (plain ones together, as an access matrix); an explanation is built for the entries
/// `reasons` asks for.
pub fn check(
    scenario: &Scenario,
    text: &str,
    world: &World,
    now: Timestamp,
    reasons: Reasons,
) -> Vec<CheckResult> {
    let index = crate::diagnostics::LineIndex::new(text);
    let plain = PlainDecisions::new(scenario, world, now);
    scenario
        .expect
        .iter()
        .filter_map(|e| {
            let question = e.question(scenario)?;
            let decided = plain
                .as_ref()
                .filter(|_| e.is_plain())
                .and_then(|p| p.decision(e))
                .map_or_else(
                    || decide_question(world, &question, now).map(|v| v.decision),
                    Ok,
                );
            let explained = |question: &Question| match explain_question(world, question, now) {
                Ok(x) => (x.verdict.decision, Some(x.summary)),
                Err(err) => (Decision::ImplicitDeny, Some(err.to_string())),
            };
            let (actual, reason) = match decided {
                Ok(actual) if actual == e.decision && reasons == Reasons::Failures => {
                    (actual, None)
                }
                Ok(_) | Err(_) => explained(&question),
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
        let results = check(
            &loaded.scenario,
            text,
            &loaded.world,
            NOW,
            Reasons::Failures,
        );
        assert_eq!(results.len(), 24);
        let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
        assert!(failed.is_empty(), "{failed:#?}");
        assert!(results.iter().all(|r| r.line > 1));
    }

    /// The fast answer and the explained one agree on every question the shipped scenarios ask,
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
    }

    #[test]
    fn a_wrong_expectation_fails_with_the_actual_decision() {
        let text = r#"{"principals": [{"name": "Bob"}], "keys": [{"name": "K"}],
            "expect": [{"principal": "Bob", "key": "K", "action": "kms:Encrypt", "decision": "allow"}]}"#;
        let loaded = super::super::load(text, NOW, &mut SeededRandomness::new(1)).unwrap();
        let results = check(
            &loaded.scenario,
            text,
            &loaded.world,
            NOW,
            Reasons::Failures,
        );
        assert_eq!(results.len(), 1);
        assert!(!results[0].passed);
        assert_eq!(results[0].actual, Decision::ImplicitDeny);
        assert_eq!(results[0].line, 2);
    }

    /// The batched check (plain entries as one access matrix, the rest on the fast path, an
    /// explanation only where asked for) decides every entry as the explaining authorizer does,
    /// on a generated world with conditions, tags, aliases, grants and cross-account callers.
    #[test]
    fn batched_decisions_equal_the_explained_ones() {
        let text = super::super::generate(14, 7, 3).to_json();
        let mut loaded = super::super::load(&text, NOW, &mut SeededRandomness::new(1))
            .unwrap_or_else(|e| panic!("{e}"));
        let actions = [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:CreateGrant",
            "kms:RetireGrant",
            "kms:PutKeyPolicy",
            "kms:CreateKey",
            "kms:NoSuchAction",
        ];
        let scenario = &mut loaded.scenario;
        let mut entries = Vec::new();
        for principal in 0..scenario.principals.len() {
            for key in 0..scenario.keys.len() {
                for (i, action) in actions.iter().enumerate() {
                    let context = if (principal + key + i) % 5 == 0 {
                        vec![(
                            "kms:EncryptionContext:dept".to_owned(),
                            ContextValue::Single("eng".to_owned()),
                        )]
                    } else {
                        Vec::new()
                    };
                    entries.push(Expectation {
                        principal,
                        key,
                        action: (*action).to_owned(),
                        context,
                        grant_tokens: Vec::new(),
                        request_alias: None,
                        decision: if (principal * 7 + key + i) % 3 == 0 {
                            Decision::Allow
                        } else {
                            Decision::ImplicitDeny
                        },
                        path: format!("expect[{}]", entries.len()),
                        span: crate::diagnostics::Span::default(),
                    });
                }
            }
        }
        scenario.expect = entries;
        let scenario = &loaded.scenario;
        let quick = check(scenario, &text, &loaded.world, NOW, Reasons::Failures);
        let full = check(scenario, &text, &loaded.world, NOW, Reasons::All);
        assert_eq!(quick.len(), scenario.expect.len());
        let mut allowed = 0;
        for ((entry, quick), full) in scenario.expect.iter().zip(&quick).zip(&full) {
            let question = entry.question(scenario).unwrap();
            let explanation = explain_question(&loaded.world, &question, NOW);
            let unanswerable = explanation.is_err();
            let explained = explanation.map_or(Decision::ImplicitDeny, |x| x.verdict.decision);
            assert_eq!(quick.actual, explained, "{question:?}");
            assert_eq!(full.actual, explained, "{question:?}");
            // A question that cannot be answered says why even when its entry passes.
            assert_eq!(
                quick.reason.is_some(),
                !quick.passed || unanswerable,
                "{quick:?}"
            );
            assert!(full.reason.is_some());
            allowed += usize::from(explained == Decision::Allow);
        }
        // The sample says something only if it holds both answers.
        assert!(allowed > 0 && allowed < quick.len(), "{allowed}");
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
        let results = check(
            &loaded.scenario,
            text,
            &loaded.world,
            NOW,
            Reasons::Failures,
        );
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
            let results = check(
                &loaded.scenario,
                text,
                &loaded.world,
                NOW,
                Reasons::Failures,
            );
            assert!(!results.is_empty());
            let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
            assert!(failed.is_empty(), "{failed:#?}");
        }
    }

    /// `kms:RequestAlias` is the alias a request names its key by (KMS Developer Guide,
    /// conditions-kms.html#conditions-kms-request-alias): an entry naming its key by alias (or
    /// alias ARN) asks that request; one naming it otherwise carries no alias. The key stays named
    /// by its alias when the scenario is written back.
    #[test]
    fn an_entry_naming_its_key_by_alias_carries_kms_request_alias() {
        let text = r#"{"principals": [{"name": "Ann", "policies": [{"name": "p", "document": {
              "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt",
              "Resource": "*", "Condition": {"StringEquals": {"kms:RequestAlias": "alias/ledger"}}}]}}]}],
            "keys": [{"name": "K", "aliases": ["alias/ledger"]}],
            "expect": [
              {"principal": "Ann", "key": "alias/ledger", "action": "kms:Encrypt", "decision": "allow"},
              {"principal": "Ann", "key": "arn:aws:kms:us-east-1:111122223333:alias/ledger", "action": "kms:Encrypt", "decision": "allow"},
              {"principal": "Ann", "key": "K", "action": "kms:Encrypt", "decision": "implicit-deny"}]}"#;
        let loaded = super::super::load(text, NOW, &mut SeededRandomness::new(1))
            .unwrap_or_else(|e| panic!("{e}"));
        let results = check(
            &loaded.scenario,
            text,
            &loaded.world,
            NOW,
            Reasons::Failures,
        );
        let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
        assert!(failed.is_empty(), "{failed:#?}");
        let written = loaded.scenario.to_json();
        assert!(written.contains(r#""key": "alias/ledger""#), "{written}");
    }
}
