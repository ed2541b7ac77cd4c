//! Explanations as text for a terminal.

use kms_engine::authz::{Bearing, Explanation};
use std::fmt::Write as _;

/// An explanation, step by step.
pub fn explanation(x: &Explanation) -> String {
    let mut out = String::new();
    let decision = match x.verdict.decision {
        kms_engine::policy::eval::Decision::Allow => "ALLOW",
        kms_engine::policy::eval::Decision::ExplicitDeny => "EXPLICIT DENY",
        kms_engine::policy::eval::Decision::ImplicitDeny => "IMPLICIT DENY",
    };
    let _ = writeln!(
        out,
        "{decision}: {} {} on {}",
        x.caller,
        x.action.name(),
        x.resource
    );
    let _ = writeln!(out, "{}", x.summary);
    out.push_str("\nSteps:\n");
    for (i, step) in x.steps.iter().enumerate() {
        let bearing = match step.bearing {
            Bearing::Allow => " (allows)",
            Bearing::Deny => " (denies)",
            Bearing::Missing => " (missing)",
            Bearing::Neutral => "",
        };
        let _ = writeln!(out, "  {}. {}", i + 1, step.question);
        let _ = writeln!(out, "     {}{bearing}. {}", step.result.answer(), step.text);
        for s in &step.statements {
            let _ = writeln!(out, "       {}", s.label());
        }
    }
    if !x.deciding.is_empty() {
        out.push_str("\nDeciding statements:\n");
        for s in &x.deciding {
            let _ = writeln!(out, "  {}", s.label());
        }
    }
    if let Some(grant) = &x.grant {
        let _ = writeln!(out, "\nGrant: {grant}");
    }
    if let Some(state) = &x.key_state {
        match (&state.exception, &state.message) {
            (Some(e), Some(m)) => {
                let _ = writeln!(out, "\nKey state: {} ({e}: {m})", state.state);
            }
            _ => {
                let _ = writeln!(out, "\nKey state: {}", state.state);
            }
        }
    }
    if let Some(message) = &x.access_denied_message {
        let _ = writeln!(
            out,
            "\nAWS would answer:\n  An error occurred (AccessDeniedException) when calling the {} operation: {message}",
            x.action.operation()
        );
    }
    if !x.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for note in &x.notes {
            let _ = writeln!(out, "  - {}", note.text());
        }
    }
    if !x.context.is_empty() {
        out.push_str("\nRequest context:\n");
        for (k, v) in &x.context {
            let _ = writeln!(out, "  {k} = {}", v.join(", "));
        }
    }
    out
}
