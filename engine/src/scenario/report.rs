//! The access matrix of a scenario, named as the scenario names things, in the forms people and
//! tools read: a terminal table, JSON, CSV and Markdown (the CLI's `kmsplay matrix` and the app's
//! matrix export).

use super::Scenario;
use crate::catalog::Action;
use crate::entropy::Timestamp;
use crate::export;
use crate::matrix::Matrix;
use crate::policy::eval::Decision;
use crate::store::KeyId;
use crate::world::World;
use serde::Serialize;

/// One cell of a [`MatrixReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportCell {
    /// The principal's name.
    pub principal: String,
    /// The key's name.
    pub key: String,
    /// The action, such as `kms:Encrypt`.
    pub action: String,
    /// `allow`, `explicit-deny` or `implicit-deny`.
    pub decision: Decision,
    /// Why, in a few words ("key policy", "explicit deny (key policy)", ...).
    pub reason: &'static str,
    /// For an allowed request that the key's state refuses: the exception it gets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_state_error: Option<&'static str>,
    /// Whether only a grant not yet consistent would allow (it works with its token).
    #[serde(skip)]
    pub token_only: bool,
}

impl ReportCell {
    /// The cell's short form in the terminal table: `allow`, `-` (implicit deny), `DENY`
    /// (explicit deny), `allow*` (allowed, refused by the key's state), `token` (a grant allows
    /// only with its token, until it is consistent).
    pub fn symbol(&self) -> &'static str {
        match (
            self.decision,
            self.key_state_error.is_some(),
            self.token_only,
        ) {
            (Decision::Allow, false, _) => "allow",
            (Decision::Allow, true, _) => "allow*",
            (Decision::ExplicitDeny, _, _) => "DENY",
            (Decision::ImplicitDeny, _, true) => "token",
            (Decision::ImplicitDeny, _, false) => "-",
        }
    }
}

/// A scenario's access matrix: principals × keys × actions, row-major.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixReport {
    /// Row names.
    #[serde(skip)]
    pub principals: Vec<String>,
    /// Key names.
    #[serde(skip)]
    pub keys: Vec<String>,
    /// The actions.
    #[serde(skip)]
    pub actions: Vec<String>,
    /// The cells: for each principal, for each key, for each action.
    pub cells: Vec<ReportCell>,
}

/// The legend of the terminal table.
pub const LEGEND: &str = "allow = allowed; - = implicit deny (nothing allows it); DENY = explicit deny; allow* = allowed, but the key's state refuses it; token = only a grant allows it, and only with its grant token until the grant is consistent";

impl MatrixReport {
    /// The matrix of `scenario`'s principals and keys in `world` (built from it) for `actions`.
    pub fn compute(
        scenario: &Scenario,
        world: &World,
        actions: &[Action],
        now: Timestamp,
    ) -> MatrixReport {
        let arns: Vec<String> = scenario.principals.iter().map(|p| p.arn.clone()).collect();
        let ids: Vec<KeyId> = scenario
            .keys
            .iter()
            .filter_map(|k| KeyId::parse(&k.id))
            .collect();
        let matrix = Matrix::compute(world, &arns, &ids, actions, now);
        let name_of_principal = |arn: &str| scenario.principal_name(arn);
        let name_of_key = |id: &KeyId| {
            scenario
                .keys
                .iter()
                .find(|k| k.id == id.as_str())
                .map_or_else(|| id.to_string(), |k| k.name.clone())
        };
        let principals: Vec<String> = matrix
            .principals()
            .iter()
            .map(|a| name_of_principal(a))
            .collect();
        let keys: Vec<String> = matrix.keys().iter().map(name_of_key).collect();
        let actions: Vec<String> = matrix
            .actions()
            .iter()
            .map(|a| a.name().to_owned())
            .collect();
        let mut cells = Vec::with_capacity(matrix.len());
        for (p, principal) in principals.iter().enumerate() {
            for (k, key) in keys.iter().enumerate() {
                for (a, action) in actions.iter().enumerate() {
                    let Some(cell) = matrix.cell(p, k, a) else {
                        continue;
                    };
                    cells.push(ReportCell {
                        principal: principal.clone(),
                        key: key.clone(),
                        action: action.clone(),
                        decision: cell.verdict.decision,
                        reason: cell.verdict.short_reason(),
                        key_state_error: cell.state_error,
                        token_only: matches!(
                            cell.verdict.reason,
                            crate::authz::Reason::GrantPendingTokenOnly { .. }
                        ),
                    });
                }
            }
        }
        MatrixReport {
            principals,
            keys,
            actions,
            cells,
        }
    }

    fn row(&self, principal: usize) -> &[ReportCell] {
        let width = self.keys.len() * self.actions.len();
        self.cells
            .get(principal * width..(principal + 1) * width)
            .unwrap_or(&[])
    }

    /// `{"cells": [{"principal", "key", "action", "decision", "reason"}, ...]}`.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    fn column_titles(&self) -> Vec<String> {
        let short = self.actions.len() > 1;
        let mut titles = Vec::new();
        for key in &self.keys {
            for action in &self.actions {
                titles.push(if short {
                    format!("{key} {action}")
                } else {
                    key.clone()
                });
            }
        }
        titles
    }

    /// One row per principal, one column per key and action; cells hold the decision.
    pub fn to_csv(&self) -> String {
        let mut header = vec!["principal".to_owned()];
        header.extend(self.column_titles());
        let rows: Vec<Vec<&str>> = self
            .principals
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut row = vec![name.as_str()];
                row.extend(self.row(i).iter().map(|cell| cell.decision.as_str()));
                row
            })
            .collect();
        export::csv(&header, &rows)
    }

    /// A Markdown table: one row per principal, one column per key and action.
    pub fn to_markdown(&self) -> String {
        let mut header = vec!["Principal".to_owned()];
        header.extend(self.column_titles());
        let rows: Vec<Vec<String>> = self
            .principals
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut row = vec![name.clone()];
                row.extend(self.row(i).iter().map(|cell| {
                    match (cell.decision, cell.key_state_error) {
                        (Decision::Allow, Some(e)) => format!("allow ({e})"),
                        (d, _) => d.as_str().to_owned(),
                    }
                }));
                row
            })
            .collect();
        export::markdown(&header, &rows)
    }

    /// The table a person reads in a terminal: keys as column groups, actions under them.
    pub fn to_table(&self) -> String {
        let actions: Vec<String> = self
            .actions
            .iter()
            .map(|a| a.trim_start_matches("kms:").to_owned())
            .collect();
        let name_width = self
            .principals
            .iter()
            .map(|p| p.chars().count())
            .max()
            .unwrap_or(0)
            .max("principal".len());
        let action_widths: Vec<usize> = actions
            .iter()
            .map(|a| a.chars().count().max("allow*".len()))
            .collect();
        let group_inner: usize =
            action_widths.iter().sum::<usize>() + action_widths.len().saturating_sub(1);
        let group_widths: Vec<usize> = self
            .keys
            .iter()
            .map(|k| group_inner.max(k.chars().count()))
            .collect();
        let pad =
            |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));

        let mut out = String::new();
        let mut line = pad("", name_width);
        for (key, w) in self.keys.iter().zip(&group_widths) {
            line.push_str(&format!(" | {}", pad(key, *w)));
        }
        out.push_str(line.trim_end());
        out.push('\n');
        let mut line = pad("principal", name_width);
        for w in &group_widths {
            let cells: Vec<String> = actions
                .iter()
                .zip(&action_widths)
                .map(|(a, aw)| pad(a, *aw))
                .collect();
            line.push_str(&format!(" | {}", pad(&cells.join(" "), *w)));
        }
        out.push_str(line.trim_end());
        out.push('\n');
        let mut rule = "-".repeat(name_width);
        for w in &group_widths {
            rule.push_str(&format!("-+-{}", "-".repeat(*w)));
        }
        out.push_str(&rule);
        out.push('\n');
        for (i, name) in self.principals.iter().enumerate() {
            let mut line = pad(name, name_width);
            for (k, w) in group_widths.iter().enumerate() {
                let start = k * self.actions.len();
                let cells: Vec<String> = self
                    .row(i)
                    .get(start..start + self.actions.len())
                    .unwrap_or(&[])
                    .iter()
                    .zip(&action_widths)
                    .map(|(c, aw)| pad(c.symbol(), *aw))
                    .collect();
                line.push_str(&format!(" | {}", pad(&cells.join(" "), *w)));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::SeededRandomness;

    const NOW: Timestamp = Timestamp(1_704_067_200_000);

    fn lecture() -> MatrixReport {
        let text = include_str!("../../../scenarios/lecture.json");
        let loaded = super::super::load(text, NOW, &mut SeededRandomness::new(1)).unwrap();
        MatrixReport::compute(
            &loaded.scenario,
            &loaded.world,
            &[Action::Encrypt, Action::Decrypt],
            NOW,
        )
    }

    #[test]
    fn the_lecture_matrix_in_every_form() {
        let report = lecture();
        assert_eq!(report.cells.len(), 4 * 3 * 2);
        assert_eq!(
            report.to_table(),
            concat!(
                "          | CMK-A           | CMK-B           | CMK-C\n",
                "principal | Encrypt Decrypt | Encrypt Decrypt | Encrypt Decrypt\n",
                "----------+-----------------+-----------------+----------------\n",
                "Alice     | allow   allow   | -       -       | allow   allow\n",
                "Bob       | -       -       | allow   allow   | DENY    DENY\n",
                "Charlie   | allow   -       | allow   allow   | DENY    DENY\n",
                "David     | -       -       | -       -       | DENY    DENY\n",
            )
        );
        let csv = report.to_csv();
        assert!(csv.starts_with("principal,CMK-A kms:Encrypt,CMK-A kms:Decrypt,CMK-B kms:Encrypt"));
        assert!(csv.contains(
            "\r\nCharlie,allow,implicit-deny,allow,allow,explicit-deny,explicit-deny\r\n"
        ));
        let md = report.to_markdown();
        assert!(md.starts_with("| Principal | CMK-A kms:Encrypt |"));
        assert!(md.contains("| Bob | implicit-deny | implicit-deny | allow | allow | explicit-deny | explicit-deny |"));
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["cells"][0]["principal"], "Alice");
        assert_eq!(json["cells"][0]["decision"], "allow");
        assert_eq!(json["cells"].as_array().unwrap().len(), 24);
    }
}
