//! `kmsplay explain --fix` and `kmsplay audit`: the engine's analysis, printed.

use crate::{ExplainArgs, Failure, TextOrJson, load, render, system};
use kms_engine::analysis::edit::Names;
use kms_engine::analysis::{self, CellQuery, Finding, FixReport, Severity, Universe};
use kms_engine::catalog::Action;
use kms_engine::scenario::{self, Scenario};
use serde_json::{Value, json};
use std::path::Path;

/// Explains one decision and proposes the changes that flip it.
pub fn fixes(file: &Path, args: &ExplainArgs<'_>, format: TextOrJson) -> Result<u8, Failure> {
    let now = system::now();
    let (_, loaded) = load(file, now)?;
    let question = args.question(&loaded)?;
    let explanation = scenario::explain_question(&loaded.world, &question, now)
        .map_err(|e| Failure::input(e.to_string()))?;
    let action = Action::from_name(&question.action)
        .ok_or_else(|| Failure::input(format!("`{}` is not a KMS action", question.action)))?;
    let key = loaded
        .world
        .keys
        .get_by_arn(&question.key)
        .map(|k| k.arn.clone())
        .ok_or_else(|| Failure::input(format!("no key `{}`", question.key)))?;
    let query = CellQuery {
        principal: question.principal.clone(),
        key,
        action,
        params: question.params(),
    };
    let names = Names::of_scenario(&loaded.scenario, &loaded.world);
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[action]);
    let report = analysis::propose_fixes(&loaded.world, &universe, &names, &query, now)
        .ok_or_else(|| Failure::input("the principal or key is not in the world"))?;
    match format {
        TextOrJson::Json => {
            let fixes: Vec<Value> = report
                .fixes
                .iter()
                .map(|fix| {
                    let scenario = fix
                        .apply(&loaded.world, now)
                        .map(|fixed| Scenario::from_world(&fixed, &loaded.scenario).to_json())
                        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                        .unwrap_or(Value::Null);
                    json!({
                        "summary": fix.summary,
                        "changes": fix.changes.len(),
                        "edits": fix.changes,
                        "side_effects": fix.side_effects,
                        "scenario": scenario,
                    })
                })
                .collect();
            let mut out = json!({
                "decision": report.decision,
                "fixes": fixes,
            });
            if let (Some(note), Some(object)) = (&report.note, out.as_object_mut()) {
                object.insert("note".to_owned(), Value::from(note.as_str()));
            }
            crate::out::print(&(serde_json::to_string_pretty(&out).unwrap_or_default() + "\n"))?;
        }
        TextOrJson::Text => crate::out::print(&crate::out::terminal_safe(&format!(
            "{}{}",
            render::explanation(&explanation),
            fixes_text(&report)
        )))?,
    }
    Ok(0)
}

/// The fixes as text: one numbered paragraph each, with the statements to add.
fn fixes_text(report: &FixReport) -> String {
    let mut out = String::from("\n");
    if report.fixes.is_empty() {
        out.push_str(report.note.as_deref().unwrap_or("No fix found."));
        out.push('\n');
        return out;
    }
    for (i, fix) in report.fixes.iter().enumerate() {
        out.push_str(&format!(
            "Fix {}: {} ({} change(s), {} side effect(s))\n",
            i + 1,
            fix.summary,
            fix.changes.len(),
            fix.side_effects.len()
        ));
        for change in &fix.changes {
            let json = serde_json::to_string_pretty(change).unwrap_or_default();
            for line in json.lines() {
                out.push_str("    ");
                out.push_str(line);
                out.push('\n');
            }
        }
        for effect in &fix.side_effects {
            out.push_str(&format!("  - {}\n", effect.sentence()));
        }
    }
    out
}

/// Audits a scenario; exit 1 when a finding at or above `fail_on` exists.
pub fn audit(file: &Path, format: TextOrJson, fail_on: Severity) -> Result<u8, Failure> {
    let now = system::now();
    let (_, loaded) = load(file, now)?;
    let names = Names::of_scenario(&loaded.scenario, &loaded.world);
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[]);
    let findings = analysis::audit(
        &loaded.world,
        &universe,
        &names,
        &loaded.scenario.account,
        now,
    );
    crate::out::print(&match format {
        TextOrJson::Json => {
            serde_json::to_string_pretty(&json!({ "findings": findings })).unwrap_or_default()
                + "\n"
        }
        TextOrJson::Text => crate::out::terminal_safe(&audit_text(file, &findings)),
    })?;
    Ok(u8::from(findings.iter().any(|f| f.severity >= fail_on)))
}

fn audit_text(file: &Path, findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let kind = serde_json::to_value(f.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.push_str(&format!(
            "{}: {} [{kind}] {}\n",
            file.display(),
            f.severity.as_str(),
            f.message
        ));
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "{}: {} error(s), {} warning(s), {} info\n",
        file.display(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    out
}
