//! The JavaScript module's functions in headless Chromium, called with JavaScript values as a page
//! would (`cargo xtask test wasm`).

#![cfg(target_arch = "wasm32")]

use kms_engine_js::{decide, explain, lint, matrix};
use serde_json::{Value, json};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const LECTURE: &str = include_str!("../../scenarios/lecture.json");

/// A JavaScript object, as `JSON.parse` makes it.
fn js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

/// A returned or thrown JavaScript value, read back as JSON.
fn back(value: JsValue) -> Value {
    serde_wasm_bindgen::from_value(value).unwrap()
}

fn lecture_object() -> JsValue {
    js_sys::JSON::parse(LECTURE).unwrap()
}

#[wasm_bindgen_test]
fn decide_answers_as_the_lecture_expects_from_an_object_or_text() {
    let charlie = json!({"principal": "Charlie", "key": "CMK-A", "action": "kms:Decrypt"});
    let bob = json!({"principal": "Bob", "key": "alias/CMK-C", "action": "Encrypt"});
    let alice = json!({"principal": "Alice", "key": "CMK-A", "action": "kms:Encrypt"});
    for scenario in [lecture_object(), JsValue::from_str(LECTURE)] {
        let denied = back(decide(scenario.clone(), js(&charlie)).unwrap());
        assert_eq!(denied["decision"], "implicit-deny", "{denied}");
        let explicit = back(decide(scenario.clone(), js(&bob)).unwrap());
        assert_eq!(explicit["decision"], "explicit-deny", "{explicit}");
        let allowed = back(decide(scenario, js(&alice)).unwrap());
        assert_eq!(allowed["decision"], "allow", "{allowed}");
        assert!(allowed["reason"].as_str().is_some_and(|r| !r.is_empty()));
    }
}

#[wasm_bindgen_test]
fn matrix_has_a_cell_per_principal_key_and_action_in_the_scenarios_names() {
    let out = back(matrix(lecture_object(), None).unwrap());
    assert_eq!(
        out["principals"],
        json!(["Alice", "Bob", "Charlie", "David"])
    );
    assert_eq!(out["keys"], json!(["CMK-A", "CMK-B", "CMK-C"]));
    assert_eq!(out["actions"], json!(["kms:Encrypt", "kms:Decrypt"]));
    let cells = out["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 4 * 3 * 2);
    let expected: Vec<Value> = serde_json::from_str::<Value>(LECTURE).unwrap()["expect"]
        .as_array()
        .unwrap()
        .clone();
    for entry in &expected {
        let cell = cells
            .iter()
            .find(|c| {
                c["principal"] == entry["principal"]
                    && c["key"] == entry["key"]
                    && c["action"] == entry["action"]
            })
            .unwrap();
        assert_eq!(cell["decision"], entry["decision"], "{cell}");
    }

    let one = back(matrix(lecture_object(), Some(vec!["Decrypt".to_owned()])).unwrap());
    assert_eq!(one["actions"], json!(["kms:Decrypt"]));
    assert_eq!(one["cells"].as_array().unwrap().len(), 4 * 3);
}

#[wasm_bindgen_test]
fn explain_walks_the_decision_and_quotes_the_access_denied_message() {
    let request = json!({"principal": "David", "key": "CMK-A", "action": "kms:Decrypt"});
    let out = back(explain(lecture_object(), js(&request)).unwrap());
    assert_eq!(out["verdict"]["decision"], "implicit-deny");
    assert!(!out["steps"].as_array().unwrap().is_empty());
    let message = out["access_denied_message"].as_str().unwrap();
    assert!(message.contains("kms:Decrypt"), "{message}");
}

#[wasm_bindgen_test]
fn a_broken_scenario_is_thrown_with_line_and_column() {
    let broken = "{\n  \"principals\": [\n    {\"name\": \"Alice\",}\n  ]\n}";
    let request = json!({"principal": "Alice", "key": "K", "action": "kms:Decrypt"});
    let error = back(decide(JsValue::from_str(broken), js(&request)).unwrap_err());
    assert_eq!(error["name"], "ScenarioError");
    assert_eq!(error["line"], 3, "{error}");
    assert!(error["column"].as_u64().unwrap() > 1, "{error}");
    assert!(!error["diagnostics"].as_array().unwrap().is_empty());
}

#[wasm_bindgen_test]
fn a_request_naming_nothing_in_the_scenario_is_thrown_with_its_path() {
    let nobody = json!({"principal": "Mallory", "key": "CMK-A", "action": "kms:Decrypt"});
    let error = back(decide(lecture_object(), js(&nobody)).unwrap_err());
    assert_eq!(error["name"], "RequestError");
    assert_eq!(error["path"], "request.principal");
    let typo = json!({"principal": "Alice", "key": "CMK-A", "action": "kms:Decrpyt"});
    let error = back(explain(lecture_object(), js(&typo)).unwrap_err());
    assert!(
        error["message"].as_str().unwrap().contains("kms:Decrypt"),
        "{error}"
    );
    let extra =
        json!({"principal": "Alice", "key": "CMK-A", "action": "kms:Decrypt", "decision": "allow"});
    let error = back(decide(lecture_object(), js(&extra)).unwrap_err());
    assert_eq!(error["name"], "RequestError", "{error}");
}

#[wasm_bindgen_test]
fn lint_locates_problems_in_a_policy() {
    let policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:Encrpyt\", \"Resource\": \"*\"}]\n}";
    let diagnostics = back(lint(policy).unwrap());
    let first = &diagnostics.as_array().unwrap()[0];
    assert_eq!(first["start"]["line"], 3, "{first}");
    assert!(first["message"].as_str().is_some());
    let clean = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:Encrypt\", \"Resource\": \"*\"}]}";
    assert_eq!(back(lint(clean).unwrap()), json!([]));
}
