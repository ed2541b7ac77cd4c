//! The access matrix of a scenario, named as the scenario names things, in the forms people and
//! tools read: a terminal table, JSON, CSV and Markdown (the CLI's `kmsplay matrix` and the app's
//! matrix export).

use super::Scenario;
use crate::catalog::{Action, KeySpec, MATERIAL_OPERATIONS};
use crate::entropy::Timestamp;
use crate::export;
use crate::matrix::Matrix;
use crate::policy::eval::Decision;
use crate::request::PrincipalArn;
use crate::world::World;
use serde::Serialize;
use std::collections::HashMap;

/// One cell of a [`MatrixReport`], named as the scenario names things.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReportCell<'r> {
    /// The principal's name.
    pub principal: &'r str,
    /// The key's name.
    pub key: &'r str,
    /// The action, such as `kms:Encrypt`.
    pub action: &'static str,
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
    /// Whether the key's spec does not support the action (KMS answers
    /// `InvalidKeyUsageException` whatever the policies say).
    #[serde(skip)]
    pub unsupported: bool,
}

impl ReportCell<'_> {
    /// The cell's short form in the terminal table: `allow`, `-` (implicit deny), `DENY`
    /// (explicit deny), `allow*` (allowed, refused by the key's state), `token` (a grant allows
    /// only with its token, until it is consistent), `n/a` (the key's type does not support the
    /// action).
    pub fn symbol(&self) -> &'static str {
        if self.unsupported {
            return "n/a";
        }
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

/// A cell as `--format json` writes it: the reason only when asked for.
#[derive(Serialize)]
struct JsonCell<'r> {
    principal: &'r str,
    key: &'r str,
    action: &'static str,
    decision: Decision,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_state_error: Option<&'static str>,
}

/// A scenario's access matrix: principals × keys × actions, with the scenario's names. The
/// cells stay the matrix's compact verdicts; names are attached as they are written out.
#[derive(Clone, Debug)]
pub struct MatrixReport {
    /// Row names.
    pub principals: Vec<String>,
    /// Key names.
    pub keys: Vec<String>,
    /// Each key's spec, in column order.
    specs: Vec<KeySpec>,
    matrix: Matrix,
}

/// The legend of the terminal table.
pub const LEGEND: &str = "allow = allowed; - = implicit deny (nothing allows it); DENY = explicit deny; allow* = allowed, but the key's state refuses it; token = only a grant allows it, and only with its grant token until the grant is consistent; n/a = the key's type does not support the action (InvalidKeyUsageException)";

impl MatrixReport {
    /// The actions `kmsplay matrix` shows when none are asked for: Encrypt and Decrypt, and the
    /// uses of the other kinds of key the world holds (GenerateMac and VerifyMac for HMAC keys,
    /// Sign and Verify for signing keys), from the key-spec table.
    pub fn default_actions(world: &World) -> Vec<Action> {
        let mut actions = vec![Action::Encrypt, Action::Decrypt];
        for spec in crate::view::key_specs_of(world) {
            for &action in spec.row().operations {
                if spec != KeySpec::SymmetricDefault
                    && !MATERIAL_OPERATIONS.contains(&action)
                    && !actions.contains(&action)
                {
                    actions.push(action);
                }
            }
        }
        actions
    }
}

impl MatrixReport {
    /// The matrix of `scenario`'s principals and keys in `world` (built from it) for `actions`.
    pub fn compute(
        scenario: &Scenario,
        world: &World,
        actions: &[Action],
        now: Timestamp,
    ) -> MatrixReport {
        let arns: Vec<PrincipalArn> = scenario.principals.iter().map(|p| p.arn.clone()).collect();
        let ids: Vec<String> = scenario.keys.iter().map(|k| k.arn.clone()).collect();
        let matrix = Matrix::compute(world, &arns, &ids, actions, now);
        let principal_names: HashMap<&str, &str> = scenario
            .principals
            .iter()
            .rev()
            .map(|p| (p.arn.as_str(), p.name.as_str()))
            .collect();
        let key_names: HashMap<&str, &str> = scenario
            .keys
            .iter()
            .rev()
            .map(|k| (k.arn.as_str(), k.name.as_str()))
            .collect();
        let principals = matrix
            .principals()
            .iter()
            .map(|arn| {
                principal_names
                    .get(arn.as_str())
                    .map_or_else(|| arn.to_string(), |name| (*name).to_owned())
            })
            .collect();
        let keys = matrix
            .keys()
            .iter()
            .map(|id| {
                key_names
                    .get(id.as_str())
                    .map_or_else(|| id.to_string(), |name| (*name).to_owned())
            })
            .collect();
        let specs = matrix
            .keys()
            .iter()
            .map(|id| {
                world
                    .keys
                    .get_by_arn(id)
                    .map_or(KeySpec::SymmetricDefault, |k| k.spec)
            })
            .collect();
        MatrixReport {
            principals,
            keys,
            specs,
            matrix,
        }
    }

    /// The actions, in column order.
    pub fn actions(&self) -> &[Action] {
        self.matrix.actions()
    }

    /// How many cells there are.
    pub fn len(&self) -> usize {
        self.matrix.len()
    }

    /// Whether the matrix has no cells.
    pub fn is_empty(&self) -> bool {
        self.matrix.is_empty()
    }

    /// The cell of row `principal`, column `key`, action number `action`.
    fn cell(&self, principal: usize, key: usize, action: usize) -> Option<ReportCell<'_>> {
        let cell = self.matrix.cell(principal, key, action)?;
        let kms_action = *self.actions().get(action)?;
        Some(ReportCell {
            unsupported: !self.specs.get(key)?.row().supports(kms_action),
            principal: self.principals.get(principal)?,
            key: self.keys.get(key)?,
            action: self.actions().get(action)?.name(),
            decision: cell.verdict.decision,
            reason: cell.verdict.short_reason(),
            key_state_error: cell.state_error,
            token_only: matches!(
                cell.verdict.reason,
                crate::authz::Reason::GrantPendingTokenOnly { .. }
            ),
        })
    }

    /// Row `principal`'s cells: for each key, for each action.
    fn row(&self, principal: usize) -> impl Iterator<Item = ReportCell<'_>> {
        let actions = self.actions().len();
        (0..self.keys.len() * actions)
            .filter_map(move |i| self.cell(principal, i / actions.max(1), i % actions.max(1)))
    }

    /// Every cell: for each principal, for each key, for each action.
    pub fn cells(&self) -> impl Iterator<Item = ReportCell<'_>> {
        (0..self.principals.len()).flat_map(|p| self.row(p))
    }

    /// Writes `{"cells": [{"principal", "key", "action", "decision"}, ...]}`, each cell with its
    /// `reason` when `reasons` is set, and `key_state_error` when the key's state refuses an
    /// allowed request.
    pub fn write_json(&self, out: &mut impl std::io::Write, reasons: bool) -> std::io::Result<()> {
        struct Cells<'a>(&'a MatrixReport, bool);
        impl Serialize for Cells<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.cells().map(|c| JsonCell {
                    principal: c.principal,
                    key: c.key,
                    action: c.action,
                    decision: c.decision,
                    reason: self.1.then_some(c.reason),
                    key_state_error: c.key_state_error,
                }))
            }
        }
        #[derive(Serialize)]
        struct Document<'a> {
            cells: Cells<'a>,
        }
        serde_json::to_writer_pretty(
            &mut *out,
            &Document {
                cells: Cells(self, reasons),
            },
        )?;
        out.write_all(b"\n")
    }

    /// [`MatrixReport::write_json`] into a string.
    pub fn to_json(&self, reasons: bool) -> String {
        let mut out = Vec::new();
        // Writing into memory cannot fail, and serde_json writes UTF-8.
        let _ = self.write_json(&mut out, reasons);
        String::from_utf8(out).unwrap_or_default()
    }

    fn column_titles(&self) -> Vec<String> {
        let short = self.actions().len() > 1;
        let mut titles = Vec::new();
        for key in &self.keys {
            for action in self.actions() {
                titles.push(if short {
                    format!("{key} {}", action.name())
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
                row.extend(self.row(i).map(|cell| cell.decision.as_str()));
                row
            })
            .collect();
        export::csv(&header, &rows)
    }

    /// A Markdown table: one row per principal, one column per key and action.
    pub fn to_markdown(&self) -> String {
        let mut header = vec!["Principal".to_owned()];
        header.extend(self.column_titles());
        let rows: Vec<Vec<String>> =
            self.principals
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let mut row = vec![name.clone()];
                    row.extend(self.row(i).map(|cell| {
                        match (cell.decision, cell.key_state_error) {
                            _ if cell.unsupported => "n/a (InvalidKeyUsageException)".to_owned(),
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
        let actions: Vec<&str> = self
            .actions()
            .iter()
            .map(|a| a.name().trim_start_matches("kms:"))
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
        // Widths in characters; the cells' symbols and most names are ASCII, one byte each.
        let width = |s: &str| {
            if s.is_ascii() {
                s.len()
            } else {
                s.chars().count()
            }
        };
        // Padding goes in slices of blanks, not space by space: a big matrix pads millions of cells.
        let spaces = |out: &mut String, mut n: usize| {
            const BLANKS: &str = "                                ";
            while n > 0 {
                let run = n.min(BLANKS.len());
                out.push_str(BLANKS.get(..run).unwrap_or_default());
                n -= run;
            }
        };
        let pad = |out: &mut String, s: &str, w: usize| {
            out.push_str(s);
            spaces(out, w.saturating_sub(width(s)));
        };
        // Each group: its cells padded to their action's width, then to the group's width.
        let group = |out: &mut String, cells: &mut dyn Iterator<Item = &str>, w: usize| {
            out.push_str(" | ");
            let mut written = 0;
            for (n, (text, aw)) in cells.zip(&action_widths).enumerate() {
                if n > 0 {
                    out.push(' ');
                    written += 1;
                }
                pad(out, text, *aw);
                written += width(text).max(*aw);
            }
            spaces(out, w.saturating_sub(written));
        };
        let end_line = |out: &mut String| {
            out.truncate(out.trim_end().len());
            out.push('\n');
        };

        let mut out = String::new();
        pad(&mut out, "", name_width);
        for (key, w) in self.keys.iter().zip(&group_widths) {
            out.push_str(" | ");
            pad(&mut out, key, *w);
        }
        end_line(&mut out);
        pad(&mut out, "principal", name_width);
        for w in &group_widths {
            group(&mut out, &mut actions.iter().copied(), *w);
        }
        end_line(&mut out);
        out.push_str(&"-".repeat(name_width));
        for w in &group_widths {
            out.push_str("-+-");
            out.push_str(&"-".repeat(*w));
        }
        out.push('\n');
        let per_key = actions.len();
        for (i, name) in self.principals.iter().enumerate() {
            pad(&mut out, name, name_width);
            let row: Vec<&'static str> = self.row(i).map(|c| c.symbol()).collect();
            for (k, w) in group_widths.iter().enumerate() {
                let cells = row.get(k * per_key..(k + 1) * per_key).unwrap_or(&[]);
                group(&mut out, &mut cells.iter().copied(), *w);
            }
            end_line(&mut out);
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
        assert_eq!(report.len(), 4 * 3 * 2);
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
        let json: serde_json::Value = serde_json::from_str(&report.to_json(false)).unwrap();
        assert_eq!(json["cells"][0]["principal"], "Alice");
        assert_eq!(json["cells"][0]["decision"], "allow");
        assert_eq!(json["cells"].as_array().unwrap().len(), 24);
    }
}
