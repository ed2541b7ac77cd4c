//! The app's model natively (a bench binary: `cargo bench -p kms-playground --bench model`):
//! what the browser runs on loading the generated 200 × 50 preset and on each keystroke in a
//! policy editor, without the rendering. Figures are printed, never asserted; the browser's own
//! figures come from `e2e/bench.mjs`.

use std::time::Instant;

use kms_engine::entropy::Timestamp;
use kms_playground::model::{DocTarget, Playground};
use kms_playground::presets::Preset;

const NOW: Timestamp = Timestamp(1_704_067_200_000);
const KEYSTROKES: usize = 40;

fn main() {
    println!("kms-playground model benchmarks (native; the browser adds rendering)");
    let started = Instant::now();
    let Ok(mut playground) = Preset::Large.load(NOW) else {
        println!("the generated preset does not load");
        return;
    };
    println!(
        "200 x 50 preset: loaded in {:.1} ms, of which the matrix and summaries {:.1} ms ({} decisions)",
        started.elapsed().as_secs_f64() * 1e3,
        playground.stats().millis,
        playground.stats().decisions
    );
    let key_doc = playground
        .documents()
        .iter()
        .find(|d| matches!(d.target, DocTarget::KeyPolicy(_)));
    let role_doc = playground.documents().iter().find(
        |d| matches!(&d.target, DocTarget::Identity { principal, .. } if principal.principal_type() == kms_engine::request::PrincipalType::Role),
    );
    let targets: Vec<(&str, _, String)> =
        [("key policy", key_doc), ("role's IAM policy", role_doc)]
            .into_iter()
            .filter_map(|(label, doc)| doc.map(|d| (label, d.id, d.text.to_string())))
            .collect();
    for (label, id, text) in &targets {
        keystrokes(&mut playground, label, *id, text);
    }
    for (label, id, text) in &targets {
        paste(&mut playground, label, *id, text);
    }
}

/// Inserts and deletes a space after the opening brace, as `e2e/bench.mjs` types.
fn keystrokes(
    playground: &mut Playground,
    label: &str,
    id: kms_playground::model::DocId,
    text: &str,
) {
    let spaced = format!("{{ {}", text.get(1..).unwrap_or_default());
    let mut times = Vec::with_capacity(KEYSTROKES);
    let mut decisions = 0;
    for i in 0..KEYSTROKES {
        let typed = if i % 2 == 0 { spaced.as_str() } else { text };
        let started = Instant::now();
        if playground.edit_document(id, typed).is_err() {
            println!("{label}: the edit was refused");
            return;
        }
        times.push(started.elapsed().as_secs_f64() * 1e3);
        decisions = playground.stats().decisions;
    }
    kms_engine::sort::sort_by(&mut times, f64::total_cmp);
    let at = |q: f64| times.get(((times.len() as f64) * q) as usize).copied();
    println!(
        "keystroke in a {label}: median {:.2} ms, p90 {:.2} ms ({decisions} decisions)",
        at(0.5).unwrap_or_default(),
        at(0.9).unwrap_or_default()
    );
}

/// Pastes a 300 KB policy (many statements) into the document, then puts the text back.
fn paste(playground: &mut Playground, label: &str, id: kms_playground::model::DocId, text: &str) {
    let statement = r#"{"Sid": "Pasted", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}"#;
    let mut big = String::from(r#"{"Version": "2012-10-17", "Statement": ["#);
    while big.len() < 300_000 {
        big.push_str(statement);
        big.push_str(",\n");
    }
    big.push_str(statement);
    big.push_str("]}");
    let started = Instant::now();
    let pasted = playground.edit_document(id, &big);
    let elapsed = started.elapsed().as_secs_f64() * 1e3;
    let errors = playground.document(id).map_or(0, |d| d.diagnostics.len());
    println!(
        "paste {} KB into a {label}: {elapsed:.1} ms ({} problems{})",
        big.len() / 1000,
        errors,
        if pasted.is_err() { ", refused" } else { "" }
    );
    let _ = playground.edit_document(id, text);
}
