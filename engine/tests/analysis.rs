//! The analysis layer: fixes that flip a cell, synthetic principals, escalation and the audit.

use kms_engine::analysis::edit::Names;
use kms_engine::analysis::{self, CellQuery, Outcome, Universe};
use kms_engine::authz::RequestParams;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::kms::Action;
use kms_engine::scenario::{self, Loaded, Scenario};

const NOW: Timestamp = Timestamp(1_704_067_200_000);
const LECTURE: &str = include_str!("../../scenarios/lecture.json");

fn load(text: &str) -> Loaded {
    scenario::load(text, NOW, &mut SeededRandomness::new(7)).unwrap_or_else(|e| panic!("{e}"))
}

fn query(loaded: &Loaded, principal: &str, key: &str, action: Action) -> CellQuery {
    let s = &loaded.scenario;
    let p = &s.principals[s.principal_index(principal).unwrap()];
    let k = &s.keys[s.key_index(key).unwrap()];
    CellQuery {
        principal: p.arn.clone(),
        key: loaded.world.keys.get_by_arn(&k.arn).unwrap().id.clone(),
        action,
        params: RequestParams::default(),
    }
}

#[test]
fn debug_print() {
    let loaded = load(LECTURE);
    let names = Names::of_scenario(&loaded.scenario, &loaded.world);
    for (p, k) in [("Bob", "CMK-A"), ("Bob", "CMK-C"), ("Alice", "CMK-A"), ("David", "CMK-B"), ("Charlie", "CMK-B")] {
        let q = query(&loaded, p, k, Action::Decrypt);
        let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[q.action]);
        let report = analysis::propose_fixes(&loaded.world, &universe, &names, &q, NOW).unwrap();
        println!("== {p} {k}: {:?} note {:?}", report.decision, report.note);
        for f in &report.fixes {
            println!("  [{} changes, {} side] {}", f.changes.len(), f.side_effects.len(), f.summary);
        }
    }
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[]);
    for row in analysis::synthetic_rows(&loaded.world, "111122223333", &universe.keys, &universe.actions, NOW) {
        println!("{}: {:?}", row.label, row.cells.iter().map(|c| (c.outcome, c.requires.clone())).collect::<Vec<_>>());
    }
    for f in analysis::audit(&loaded.world, &universe, &names, "111122223333", NOW) {
        println!("{:?} {:?}: {}", f.severity, f.kind, f.message);
    }
    let _ = Outcome::Allow;
    let _ = Scenario::parse;
}
