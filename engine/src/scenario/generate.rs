//! Generated worlds for performance work and the app's "large world" preset.
//!
//! The shapes follow the lecture's three keys: a key whose policy trusts the account (so IAM
//! policies decide, like CMK-A), a key whose policy names its users directly (CMK-B), and a key that
//! trusts the account but denies some users outright (CMK-C). Identity policies mix exact key ARNs,
//! wildcards (`kms:Get*`, `arn:aws:kms:*:ACCOUNT:key/*`), conditions on principal tags and on the
//! encryption context, and explicit denies; some keys carry grants. The same seed always gives the
//! same world.

use super::{
    Constraint, ConstraintKind, DEFAULT_ACCOUNT, DEFAULT_REGION, GrantEntry, KeyEntry, NamedPolicy,
    PolicyText, PrincipalEntry, PrincipalRole, Scenario, derived_key_id,
};
use crate::diagnostics::Span;
use crate::json::write_string;
use crate::request::PrincipalArn;

/// The departments generated principals are tagged with (`aws:PrincipalTag/dept`).
const DEPARTMENTS: [&str; 4] = ["eng", "ops", "finance", "sales"];

/// The matrix columns of a generated world: ten actions across use, grants and administration.
pub const GENERATED_ACTIONS: [&str; 10] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:ListGrants",
    "kms:PutKeyPolicy",
    "kms:DisableKey",
    "kms:ScheduleKeyDeletion",
];

/// The most principals [`generate`] makes: about 20 MB of scenario, well inside what the readers
/// accept.
pub const MAX_GENERATED_PRINCIPALS: usize = 20_000;
/// The most keys [`generate`] makes (about 7 MB of scenario).
pub const MAX_GENERATED_KEYS: usize = 5_000;

/// The shape of a generated world comes from SplitMix64: fast and reproducible, and it decides
/// only names and policies, nothing secret (key material comes from the caller's randomness).
struct Dice(u64);

impl Dice {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.next_u64() % n64).unwrap_or(0)
    }

    /// True with probability `percent` in 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len());
        items.get(i).copied().unwrap_or_default()
    }
}

fn quoted(s: &str) -> String {
    let mut out = String::new();
    write_string(s, &mut out);
    out
}

fn list(items: &[String]) -> String {
    match items {
        [only] => quoted(only),
        _ => format!(
            "[{}]",
            items
                .iter()
                .map(|s| quoted(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A policy document from statement texts, pretty-printed as the scenario format keeps it.
fn document(statements: &[String], id: Option<&str>) -> PolicyText {
    let id = id
        .map(|i| format!("\"Id\": {}, ", quoted(i)))
        .unwrap_or_default();
    let text = format!(
        "{{\"Version\": \"2012-10-17\", {id}\"Statement\": [{}]}}",
        statements.join(", ")
    );
    let pretty = crate::json::parse(&text)
        .value
        .map_or(text, |v| v.to_pretty_string());
    PolicyText::new(pretty)
}

/// A world of `principals` IAM users and roles and `keys` keys in the default account, with
/// identity policies, key policies and grants drawn from `seed`.
///
/// Sizes above [`MAX_GENERATED_PRINCIPALS`] and [`MAX_GENERATED_KEYS`] are clamped to them.
pub fn generate(principals: usize, keys: usize, seed: u64) -> Scenario {
    let principals = principals.min(MAX_GENERATED_PRINCIPALS);
    let keys = keys.min(MAX_GENERATED_KEYS);
    let mut dice = Dice(seed);
    let account = DEFAULT_ACCOUNT;
    let region = DEFAULT_REGION;
    let root = format!("arn:aws:iam::{account}:root");

    let mut key_entries: Vec<KeyEntry> = (0..keys)
        .map(|i| {
            let name = format!("key-{:03}", i + 1);
            let id = derived_key_id(account, region, &name);
            KeyEntry {
                replica_of: None,
                arn: format!("arn:aws:kms:{region}:{account}:key/{id}"),
                aliases: vec![format!("alias/{name}")],
                description: format!("generated key {}", i + 1),
                state: if dice.chance(4) {
                    "Disabled"
                } else {
                    "Enabled"
                },
                origin: "AWS_KMS",
                spec: crate::catalog::KeySpec::SymmetricDefault,
                tags: vec![("dept".to_owned(), dice.pick(&DEPARTMENTS).to_owned())],
                policy: None,
                account: account.to_owned(),
                region: region.to_owned(),
                id,
                name,
                span: Span::default(),
            }
        })
        .collect();

    let mut principal_entries: Vec<PrincipalEntry> = Vec::with_capacity(principals);
    for i in 0..principals {
        let is_role = dice.chance(15);
        let name = if is_role {
            format!("role-{:03}", i + 1)
        } else {
            format!("user-{:03}", i + 1)
        };
        let arn = if is_role {
            format!("arn:aws:iam::{account}:role/{name}")
        } else {
            format!("arn:aws:iam::{account}:user/{name}")
        };
        // The generator's own account and names: always a principal ARN.
        let Ok(arn) = PrincipalArn::parse(&arn) else {
            continue;
        };
        let dept = dice.pick(&DEPARTMENTS);
        let mut statements = Vec::new();
        // Exact keys with every KMS action, as Alice's and David's policies in the lecture.
        let mut own: Vec<String> = Vec::new();
        for _ in 0..dice.below(4) {
            if let Some(k) = key_entries.get(dice.below(keys)) {
                own.push(k.arn.clone());
            }
        }
        crate::sort::sort(&mut own);
        own.dedup();
        if !own.is_empty() {
            statements.push(format!(
                "{{\"Sid\": \"UseOwnKeys\", \"Effect\": \"Allow\", \"Action\": \"kms:*\", \"Resource\": {}}}",
                list(&own)
            ));
        }
        if dice.chance(50) {
            // Use every key of the account, but only with the principal's department in the
            // encryption context.
            statements.push(format!(
                "{{\"Sid\": \"UseWithDeptContext\", \"Effect\": \"Allow\", \"Action\": [\"kms:Encrypt\", \"kms:Decrypt\", \"kms:GenerateDataKey*\", \"kms:ReEncrypt*\"], \"Resource\": \"arn:aws:kms:*:{account}:key/*\", \"Condition\": {{\"StringEquals\": {{\"kms:EncryptionContext:dept\": \"${{aws:PrincipalTag/dept}}\"}}}}}}"
            ));
        }
        if dice.chance(40) {
            statements.push(format!(
                "{{\"Sid\": \"ReadOnly\", \"Effect\": \"Allow\", \"Action\": [\"kms:Describe*\", \"kms:Get*\", \"kms:List*\"], \"Resource\": \"arn:aws:kms:{region}:{account}:key/*\"}}"
            ));
        }
        if dice.chance(20) {
            if let Some(k) = key_entries.get(dice.below(keys)) {
                statements.push(format!(
                    "{{\"Sid\": \"NeverThisKey\", \"Effect\": \"Deny\", \"Action\": \"kms:*\", \"Resource\": {}}}",
                    quoted(&k.arn)
                ));
            }
        }
        if dice.chance(10) {
            statements.push(format!(
                "{{\"Sid\": \"AdministerOwnDept\", \"Effect\": \"Allow\", \"Action\": [\"kms:PutKeyPolicy\", \"kms:DisableKey\", \"kms:ScheduleKeyDeletion\", \"kms:CreateGrant\", \"kms:ListGrants\"], \"Resource\": \"*\", \"Condition\": {{\"StringEquals\": {{\"aws:ResourceTag/dept\": {}}}}}}}",
                quoted(dept)
            ));
        }
        let policies = if statements.is_empty() {
            Vec::new()
        } else {
            vec![NamedPolicy {
                name: "kms-access".to_owned(),
                document: document(&statements, None),
            }]
        };
        principal_entries.push(PrincipalEntry {
            name,
            arn,
            account: account.to_owned(),
            role: if is_role {
                PrincipalRole::Role
            } else {
                PrincipalRole::User
            },
            tags: vec![("dept".to_owned(), dept.to_owned())],
            policies,
            permissions_boundary: None,
            session_policies: Vec::new(),
            span: Span::default(),
        });
    }

    let pick_principals = |dice: &mut Dice, n: usize| -> Vec<String> {
        let mut out: Vec<String> = (0..n)
            .filter_map(|_| {
                principal_entries
                    .get(dice.below(principals))
                    .map(|p| p.arn.to_string())
            })
            .collect();
        crate::sort::sort(&mut out);
        out.dedup();
        out
    };

    let trust_root = format!(
        "{{\"Sid\": \"Enable IAM User Permissions\", \"Effect\": \"Allow\", \"Principal\": {{\"AWS\": {}}}, \"Action\": \"kms:*\", \"Resource\": \"*\"}}",
        quoted(&root)
    );
    let mut grants = Vec::new();
    for (k, key) in key_entries.iter_mut().enumerate() {
        let shape = dice.below(100);
        let mut statements = Vec::new();
        if shape < 55 {
            // CMK-A: the account decides through IAM.
            statements.push(trust_root.clone());
        } else if shape < 80 {
            // CMK-B: named users only; IAM policies cannot add anyone.
            let users = pick_principals(&mut dice, 1 + dice_count(k, 6));
            if !users.is_empty() {
                statements.push(format!(
                    "{{\"Sid\": \"Allow use of the key\", \"Effect\": \"Allow\", \"Principal\": {{\"AWS\": {}}}, \"Action\": [\"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\", \"kms:GenerateDataKey*\", \"kms:DescribeKey\"], \"Resource\": \"*\"}}",
                    list(&users)
                ));
            }
            let admins = pick_principals(&mut dice, 2);
            if !admins.is_empty() {
                statements.push(format!(
                    "{{\"Sid\": \"Allow access for Key Administrators\", \"Effect\": \"Allow\", \"Principal\": {{\"AWS\": {}}}, \"Action\": [\"kms:Create*\", \"kms:Describe*\", \"kms:Enable*\", \"kms:List*\", \"kms:Put*\", \"kms:Update*\", \"kms:Revoke*\", \"kms:Disable*\", \"kms:Get*\", \"kms:Delete*\", \"kms:TagResource\", \"kms:UntagResource\", \"kms:ScheduleKeyDeletion\", \"kms:CancelKeyDeletion\"], \"Resource\": \"*\"}}",
                    list(&admins)
                ));
            }
        } else {
            // CMK-C: the account is trusted, some are denied outright, one has full access.
            statements.push(trust_root.clone());
            let denied = pick_principals(&mut dice, 2 + dice_count(k, 4));
            if !denied.is_empty() {
                statements.push(format!(
                    "{{\"Sid\": \"DenyListed\", \"Effect\": \"Deny\", \"Principal\": {{\"AWS\": {}}}, \"Action\": \"kms:*\", \"Resource\": \"*\"}}",
                    list(&denied)
                ));
            }
            let owner = pick_principals(&mut dice, 1);
            if !owner.is_empty() {
                statements.push(format!(
                    "{{\"Sid\": \"Owner\", \"Effect\": \"Allow\", \"Principal\": {{\"AWS\": {}}}, \"Action\": \"kms:*\", \"Resource\": \"*\"}}",
                    list(&owner)
                ));
            }
        }
        if dice.chance(30) {
            // Only callers tagged with the key's department may decrypt.
            let dept = key
                .tags
                .first()
                .map_or("eng", |(_, v)| v.as_str())
                .to_owned();
            statements.push(format!(
                "{{\"Sid\": \"DecryptOnlyForDept\", \"Effect\": \"Deny\", \"Principal\": {{\"AWS\": \"*\"}}, \"Action\": \"kms:Decrypt\", \"Resource\": \"*\", \"Condition\": {{\"StringNotEquals\": {{\"aws:PrincipalTag/dept\": {}}}}}}}",
                quoted(&dept)
            ));
        }
        if statements.is_empty() {
            statements.push(trust_root.clone());
        }
        key.policy = Some(document(&statements, Some("key-policy-generated")));
        for _ in 0..dice.below(3) {
            let Some(grantee) = pick_principals(&mut dice, 1).into_iter().next() else {
                continue;
            };
            let operations: Vec<String> = match dice.below(3) {
                0 => vec!["Encrypt".to_owned(), "Decrypt".to_owned()],
                1 => vec!["Decrypt".to_owned()],
                _ => vec![
                    "GenerateDataKey".to_owned(),
                    "Decrypt".to_owned(),
                    "DescribeKey".to_owned(),
                ],
            };
            let constraints = if dice.chance(40) {
                vec![Constraint {
                    kind: ConstraintKind::Subset,
                    pairs: vec![("dept".to_owned(), dice.pick(&DEPARTMENTS).to_owned())],
                }]
            } else {
                Vec::new()
            };
            grants.push(GrantEntry {
                key: k,
                grantee,
                operations,
                constraints,
                retiring_principal: None,
                name: None,
                span: Span::default(),
            });
        }
    }

    Scenario {
        name: Some(format!("Generated: {principals} principals x {keys} keys (seed {seed})")),
        description: Some(
            "A generated world shaped like the lecture's keys: account-trusting keys, keys that name their users, and keys with explicit denies; identity policies with wildcards, conditions and denies; grants.".to_owned(),
        ),
        account: account.to_owned(),
        region: region.to_owned(),
        principals: principal_entries,
        keys: key_entries,
        grants,
        actions: GENERATED_ACTIONS.iter().map(|a| (*a).to_owned()).collect(),
        expect: Vec::new(),
        exercise: super::Exercise::default(),
        iam: super::IamSetup::default(),
    }
}

/// A small count that varies from key to key without drawing from the dice.
fn dice_count(k: usize, n: usize) -> usize {
    k % n.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_worlds_are_valid_scenarios_and_reproducible() {
        let world = generate(40, 12, 7);
        let text = world.to_json();
        let read = Scenario::parse(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.principals.len(), 40);
        assert_eq!(read.keys.len(), 12);
        assert_eq!(read.actions.len(), 10);
        assert_eq!(
            read.to_json(),
            text,
            "writing what was read gives the same text"
        );
        assert_eq!(generate(40, 12, 7).to_json(), text);
        assert_ne!(generate(40, 12, 8).to_json(), text);
        // The three lecture shapes all occur.
        let policies: Vec<&str> = read
            .keys
            .iter()
            .filter_map(|k| k.policy.as_ref())
            .map(|p| p.text.as_str())
            .collect();
        assert!(
            policies
                .iter()
                .any(|p| p.contains("Enable IAM User Permissions") && !p.contains("\"Deny\""))
        );
        assert!(policies.iter().any(|p| p.contains("Allow use of the key")));
        assert!(policies.iter().any(|p| p.contains("DenyListed")));
    }

    #[test]
    fn a_large_world_stays_within_the_key_policy_size_limit() {
        let world = generate(200, 50, 1);
        for key in &world.keys {
            let text = &key.policy.as_ref().unwrap().text;
            assert!(
                text.len() < crate::policy::parse::KEY_POLICY_MAX_BYTES,
                "{}",
                key.name
            );
        }
        assert!(!world.grants.is_empty());
    }
}
