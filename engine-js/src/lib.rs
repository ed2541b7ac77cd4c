//! KMS Playground's engine as a JavaScript module (`cargo xtask pkg` builds it into `pkg/`).
//!
//! Four functions take and return plain JSON-shaped objects in the scenario file's shapes:
//! `decide(scenario, request)`, `matrix(scenario, actions)`, `explain(scenario, request)` and
//! `lint(policyText)`. A scenario is the parsed scenario file (an object) or its text; a request is
//! an `expect` entry without its `decision`. Bad input is thrown as an object with `name`,
//! `message`, `line`, `column`, `path` and every `diagnostics` entry, never a panic.
//!
//! This crate only converts between JavaScript values and the engine's types: every decision is
//! the engine's. The engine itself stays free of wasm dependencies.

use kms_engine::catalog::Action;
use kms_engine::diagnostics::Diagnostic;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::request::ContextValue;
use kms_engine::scenario::{self, Loaded, MatrixReport, Question, QuestionError};
use kms_engine::world::World;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A scenario file (see the project's README): its parsed object, or its JSON text. */
export type Scenario = { [field: string]: unknown } | string;

/** One request, written like a scenario's `expect` entry without its `decision`. */
export interface Request {
  /** A principal's name or ARN in the scenario. */
  principal: string;
  /** A key's name, ARN, alias or alias ARN in the scenario. */
  key: string;
  /** `kms:Decrypt` or `Decrypt`. */
  action: string;
  /** Condition keys: `kms:EncryptionContext:K` becomes the request's encryption context. */
  context?: { [key: string]: string | string[] };
  grant_tokens?: string[];
}

export type DecisionName = "allow" | "explicit-deny" | "implicit-deny";

export interface Decision {
  decision: DecisionName;
  /** Why, in a few words: "key policy", "explicit deny (key policy)", "grant", ... */
  reason: string;
}

export interface MatrixCell extends Decision {
  principal: string;
  key: string;
  action: string;
  /** For an allowed request that the key's state refuses: the exception it gets. */
  key_state_error?: string;
}

export interface Matrix {
  principals: string[];
  keys: string[];
  actions: string[];
  /** For each principal, for each key, for each action. */
  cells: MatrixCell[];
}

export interface Position { line: number; column: number; }

export interface Diagnostic {
  severity: "error" | "warning";
  code: string;
  message: string;
  hint: string | null;
  /** Where in the JSON structure, such as `Statement[2].Condition`. */
  path: string;
  span: { start: number; end: number };
  start: Position;
  end: Position;
  kms_exception?: string;
}

/** What `explain` returns: the decision walked through the way KMS makes it. */
export interface Explanation {
  caller: string;
  action: string;
  resource: string;
  verdict: { decision: DecisionName; reason: unknown };
  /** The decision in one sentence. */
  summary: string;
  steps: unknown[];
  deciding: unknown[];
  grant: string | null;
  /** For a denial, the `AccessDeniedException` message KMS gives. */
  access_denied_message: string | null;
  [more: string]: unknown;
}

/** What the functions throw for bad input. */
export interface EngineError {
  name: "ScenarioError" | "RequestError";
  message: string;
  /** Where the first problem is, 1-based (in the scenario's text, or in the JSON an object is written as). */
  line: number;
  column: number;
  path: string;
  diagnostics: Diagnostic[];
}
"#;

/// Key material does not affect any decision, so scenarios load with fixed randomness.
const SEED: u64 = 0;

/// Whether `request` is allowed in `scenario`, now.
#[wasm_bindgen(unchecked_return_type = "Decision")]
pub fn decide(
    #[wasm_bindgen(unchecked_param_type = "Scenario")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let verdict = ask(&scenario, &request, scenario::decide_question)?;
    to_js(&DecisionOut {
        decision: verdict.decision,
        reason: verdict.short_reason(),
    })
}

/// Why `request` is allowed or denied in `scenario`, now, step by step.
#[wasm_bindgen(unchecked_return_type = "Explanation")]
pub fn explain(
    #[wasm_bindgen(unchecked_param_type = "Scenario")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Request")] request: JsValue,
) -> Result<JsValue, JsValue> {
    let explanation = ask(&scenario, &request, scenario::explain_question)?;
    to_js(&explanation)
}

/// The access matrix of `scenario` for `actions` (default: the scenario's `actions`, else
/// `kms:Encrypt` and `kms:Decrypt`).
#[wasm_bindgen(unchecked_return_type = "Matrix")]
pub fn matrix(
    #[wasm_bindgen(unchecked_param_type = "Scenario")] scenario: JsValue,
    actions: Option<Vec<String>>,
) -> Result<JsValue, JsValue> {
    let now = now();
    let loaded = load(&scenario, now)?;
    let mut names = actions.unwrap_or_default();
    if names.is_empty() {
        names = loaded.scenario.actions.clone();
    }
    if names.is_empty() {
        names = vec!["kms:Encrypt".to_owned(), "kms:Decrypt".to_owned()];
    }
    let actions = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            Action::from_user_input(name.trim())
                .map_err(|m| EngineError::request(m, &format!("actions[{i}]")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let report = MatrixReport::compute(&loaded.scenario, &loaded.world, &actions, now);
    let cells: Vec<scenario::ReportCell<'_>> = report.cells().collect();
    let action_names: Vec<&str> = report.actions().iter().map(|a| a.name()).collect();
    to_js(&MatrixOut {
        principals: &report.principals,
        keys: &report.keys,
        actions: &action_names,
        cells: &cells,
    })
}

/// Every problem in a policy document (a key policy when it names a `Principal`, otherwise an
/// identity policy), or in a scenario file's text, with line and column.
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
pub fn lint(policy_text: &str) -> Result<JsValue, JsValue> {
    to_js(&scenario::lint_document(policy_text))
}

#[derive(Serialize)]
struct DecisionOut {
    decision: kms_engine::policy::eval::Decision,
    reason: &'static str,
}

#[derive(Serialize)]
struct MatrixOut<'a> {
    principals: &'a [String],
    keys: &'a [String],
    actions: &'a [&'a str],
    cells: &'a [scenario::ReportCell<'a>],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestIn {
    principal: String,
    key: String,
    action: String,
    #[serde(default)]
    context: BTreeMap<String, ContextIn>,
    #[serde(default)]
    grant_tokens: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ContextIn {
    One(String),
    Many(Vec<String>),
}

/// What the functions throw: serialized into a plain object.
#[derive(Serialize)]
struct EngineError {
    name: &'static str,
    message: String,
    line: u32,
    column: u32,
    path: String,
    diagnostics: Vec<Diagnostic>,
}

impl EngineError {
    fn scenario(diagnostics: Vec<Diagnostic>) -> EngineError {
        let first = diagnostics.first();
        EngineError {
            name: "ScenarioError",
            message: first.map_or_else(
                || "the scenario cannot be read".to_owned(),
                |d| d.one_line(),
            ),
            line: first.map_or(1, |d| d.start.line),
            column: first.map_or(1, |d| d.start.column),
            path: first.map(|d| d.path.clone()).unwrap_or_default(),
            diagnostics,
        }
    }

    /// Input that names something the scenario does not have, or is not shaped as it should be.
    /// It is an object rather than text, so its position is its path (`request.key`).
    fn request(message: String, path: &str) -> EngineError {
        let path = if path.is_empty() { "request" } else { path }.to_owned();
        EngineError {
            name: "RequestError",
            message,
            line: 1,
            column: 1,
            path,
            diagnostics: Vec::new(),
        }
    }
}

impl From<EngineError> for JsValue {
    fn from(error: EngineError) -> JsValue {
        to_js(&error).unwrap_or_else(|e| e)
    }
}

fn now() -> Timestamp {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "Date.now() is a whole number of milliseconds, far inside i64"
    )]
    Timestamp(js_sys::Date::now() as i64)
}

/// The scenario's text: given as text, or the object written as indented JSON (so that a
/// diagnostic's line and column point into something a person can print).
fn scenario_text(scenario: &JsValue) -> Result<String, EngineError> {
    if let Some(text) = scenario.as_string() {
        return Ok(text);
    }
    let value: serde_json::Value =
        serde_wasm_bindgen::from_value(scenario.clone()).map_err(|e| {
            EngineError::request(format!("the scenario is not JSON data: {e}"), "scenario")
        })?;
    if !value.is_object() {
        return Err(EngineError::request(
            "the scenario must be an object or its JSON text".to_owned(),
            "scenario",
        ));
    }
    serde_json::to_string_pretty(&value).map_err(|e| EngineError::request(e.to_string(), ""))
}

fn load(scenario: &JsValue, now: Timestamp) -> Result<Loaded, EngineError> {
    let text = scenario_text(scenario)?;
    scenario::load(&text, now, &mut SeededRandomness::new(SEED))
        .map_err(|e| EngineError::scenario(e.diagnostics))
}

/// Loads `scenario`, reads `request` in its terms and answers it now with `answer`.
fn ask<T>(
    scenario: &JsValue,
    request: &JsValue,
    answer: fn(&World, &Question, Timestamp) -> Result<T, QuestionError>,
) -> Result<T, EngineError> {
    let now = now();
    let loaded = load(scenario, now)?;
    let question = question(&loaded, request)?;
    answer(&loaded.world, &question, now).map_err(|e| EngineError::request(e.to_string(), ""))
}

fn question(loaded: &Loaded, request: &JsValue) -> Result<Question, EngineError> {
    // Through JSON data, so that a field the request does not have is refused (reading a struct
    // straight from a JavaScript object looks only at the fields it knows).
    let request: RequestIn = serde_wasm_bindgen::from_value::<serde_json::Value>(request.clone())
        .and_then(|v| serde_json::from_value(v).map_err(serde_wasm_bindgen::Error::new))
        .map_err(|e| EngineError::request(e.to_string(), ""))?;
    let principal = loaded.principal_arn(&request.principal).ok_or_else(|| {
        EngineError::request(
            format!("no principal `{}` in the scenario", request.principal),
            "request.principal",
        )
    })?;
    let key = loaded
        .scenario
        .key_index(&request.key)
        .and_then(|i| loaded.scenario.keys.get(i))
        .map(|k| k.arn.clone())
        .ok_or_else(|| {
            EngineError::request(
                format!("no key `{}` in the scenario", request.key),
                "request.key",
            )
        })?;
    let action = Action::from_user_input(&request.action)
        .map_err(|m| EngineError::request(m, "request.action"))?;
    let context = request
        .context
        .into_iter()
        .map(|(name, value)| {
            let value = match value {
                ContextIn::One(v) => ContextValue::Single(v),
                ContextIn::Many(vs) => ContextValue::Multi(vs),
            };
            (name, value)
        })
        .collect();
    Ok(Question {
        principal,
        key,
        action: action.name().to_owned(),
        context,
        grant_tokens: request.grant_tokens,
        request_alias: kms_engine::store::KeyRef::alias_name_in(&request.key),
    })
}

/// Plain objects (not `Map`s) for maps, as JSON has them.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}
