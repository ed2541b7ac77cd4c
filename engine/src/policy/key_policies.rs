//! The default key policies KMS and its console write.
//!
//! Two different documents, a difference the lecture glosses over: `CreateKey` without a policy
//! gets only the root statement ([`default_key_policy`]); the console's create-key wizard adds
//! statements for the key administrators, key users and AWS-service grants it asked for
//! ([`console_key_policy`]). Source: KMS Developer Guide, key-policy-default.html.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The key-administrator actions of the console policy, in the console's order, without the two
/// deletion actions (KMS Developer Guide, key-policy-default.html#key-policy-default-allow-administrators).
const ADMIN_ACTIONS: [&str; 12] = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
];

/// What the console adds to the key administrators' statement of a multi-Region key: KMS
/// Developer Guide, key-policy-default.html, "AWS KMS adds the following permissions to the
/// default key administrators statement when you create special-purpose keys" (multi-Region
/// keys: replicate the key, change its primary Region). Written after the other administrator
/// actions.
pub const MULTI_REGION_ADMIN_ACTIONS: [&str; 2] = ["kms:ReplicateKey", "kms:UpdatePrimaryRegion"];

/// What the "Allow key administrators to delete this key" checkbox adds: exactly these two.
const DELETION_ACTIONS: [&str; 2] = ["kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"];

/// The key-user actions for a symmetric encryption key.
const USER_ACTIONS: [&str; 5] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
];

/// The grant actions key users get for AWS services that attach persistent resources.
const GRANT_ACTIONS: [&str; 3] = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"];

/// The `Id` of the API's default policy (KMS API Reference, GetKeyPolicy example).
pub const DEFAULT_POLICY_ID: &str = "key-default-1";
/// The `Id` of console-created policies.
pub const CONSOLE_POLICY_ID: &str = "key-consolepolicy-3";
/// The `Sid` of the statement that delegates to IAM, in both policies.
pub const ROOT_STATEMENT_SID: &str = "Enable IAM User Permissions";

/// The policy `CreateKey` gives a key when the request has no `Policy`: one statement that
/// allows the account principal `kms:*`, which makes IAM policies of the account effective for
/// the key. Text as `GetKeyPolicy` returns it (KMS Developer Guide, key-policy-default.html).
pub fn default_key_policy(account: &str) -> String {
    format!(
        r#"{{
  "Version" : "2012-10-17",
  "Id" : "{DEFAULT_POLICY_ID}",
  "Statement" : [ {{
    "Sid" : "{ROOT_STATEMENT_SID}",
    "Effect" : "Allow",
    "Principal" : {{
      "AWS" : "arn:aws:iam::{account}:root"
    }},
    "Action" : "kms:*",
    "Resource" : "*"
  }} ]
}}"#
    )
}

/// The choices of the console's create-key wizard that shape the key policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ConsoleKeySpec {
    /// The key's account.
    pub account: String,
    /// ARNs of the key administrators (IAM users and roles).
    pub administrators: Vec<String>,
    /// "Allow key administrators to delete this key" (ticked by default in the console).
    pub allow_admins_to_delete: bool,
    /// ARNs of the key users in the key's account.
    pub users: Vec<String>,
    /// Other AWS accounts (12-digit ids) whose principals may use the key.
    pub other_accounts: Vec<String>,
    /// Whether the administrators' list ends with `kms:RotateKeyOnDemand`, as the current console
    /// writes (see [`console_key_policy`]). Turn off to reproduce policies made before 2024.
    pub rotate_on_demand: bool,
    /// The key's type and usage, which choose its users' actions.
    #[serde(default)]
    pub key_type: ConsoleKeyType,
    /// Whether the key is a multi-Region key ("Regionality: Multi-Region key" in the wizard's
    /// advanced options): its administrators also get [`MULTI_REGION_ADMIN_ACTIONS`].
    #[serde(default)]
    pub multi_region: bool,
    /// Whether the key is created without key material (origin `EXTERNAL`): its administrators
    /// also get `kms:ImportKeyMaterial` (KMS Developer Guide, key-policy-default.html: "This
    /// permission is included in the key policy only when you create a KMS key with no key
    /// material").
    #[serde(default)]
    pub imported_material: bool,
}

/// The key types and usages whose key users the console gives different actions (KMS Developer
/// Guide, key-policy-default.html, "Allows key users to use a KMS key for cryptographic
/// operations").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsoleKeyType {
    /// A symmetric encryption key.
    #[default]
    SymmetricEncryption,
    /// An HMAC key: its users get `kms:GenerateMac`, `kms:VerifyMac` and `kms:DescribeKey`, and
    /// there is no statement for grants to AWS resources (hmac-authz.html: "The default key
    /// policy for HMAC keys created in the AWS KMS console gives key users permission to call
    /// the GenerateMac and VerifyMac operations. However, it does not include the key policy
    /// statement designed for using grants with AWS services.").
    Hmac,
    /// An asymmetric key with key usage `ENCRYPT_DECRYPT` (RSA).
    AsymmetricEncryption,
    /// An asymmetric key with key usage `SIGN_VERIFY`.
    Signing,
    /// An asymmetric key with key usage `KEY_AGREEMENT`.
    KeyAgreement,
}

impl ConsoleKeyType {
    /// The actions of the key users statement, in the order the Developer Guide prints them.
    fn user_actions(self) -> &'static [&'static str] {
        match self {
            ConsoleKeyType::SymmetricEncryption => &USER_ACTIONS,
            ConsoleKeyType::Hmac => MAC_USER_ACTIONS,
            ConsoleKeyType::AsymmetricEncryption => &[
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:DescribeKey",
                "kms:GetPublicKey",
            ],
            ConsoleKeyType::Signing => &[
                "kms:DescribeKey",
                "kms:GetPublicKey",
                "kms:Sign",
                "kms:Verify",
            ],
            // Not printed in the guide; the key agreement operation with the two every
            // asymmetric key's users get.
            ConsoleKeyType::KeyAgreement => &[
                "kms:DeriveSharedSecret",
                "kms:DescribeKey",
                "kms:GetPublicKey",
            ],
        }
    }
}

impl ConsoleKeySpec {
    /// The wizard's starting point for `account`: nobody selected, deletion allowed, current
    /// console actions.
    pub fn new(account: impl Into<String>) -> ConsoleKeySpec {
        ConsoleKeySpec {
            account: account.into(),
            administrators: Vec::new(),
            allow_admins_to_delete: true,
            users: Vec::new(),
            other_accounts: Vec::new(),
            rotate_on_demand: true,
            key_type: ConsoleKeyType::SymmetricEncryption,
            multi_region: false,
            imported_material: false,
        }
    }
}

/// What key users may do with an HMAC key in the console's policy (hmac-authz.html).
const MAC_USER_ACTIONS: &[&str] = &["kms:GenerateMac", "kms:VerifyMac", "kms:DescribeKey"];

/// The key policy the console's create-key wizard writes (`Id` `key-consolepolicy-3`):
///
/// 1. "Enable IAM User Permissions": the account principal, `kms:*` (as the API default);
/// 2. "Allow access for Key Administrators": the administrators' management actions, plus
///    `kms:ScheduleKeyDeletion` and `kms:CancelKeyDeletion` when they may delete the key, and
///    `kms:ReplicateKey` and `kms:UpdatePrimaryRegion` for a multi-Region key;
/// 3. "Allow use of the key": key users and other accounts, the symmetric-key use actions;
/// 4. "Allow attachment of persistent resources": the same principals, `kms:CreateGrant`,
///    `kms:ListGrants`, `kms:RevokeGrant`, only when `kms:GrantIsForAWSResource` is true.
///
/// Statements 2–4 are left out when nobody was selected for them, as the console does. A single
/// principal is written as a string, several as a list. Source: KMS Developer Guide,
/// key-policy-default.html and key-policy-overview.html ("Example key policy").
///
/// `kms:RotateKeyOnDemand` (API added in 2024) is appended to the administrators' actions when
/// `spec.rotate_on_demand` is set: console-exported policies since then end the list with it
/// (many public copies read `"kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"`), while the
/// archived 2023 guide text predates it. It is not a deletion permission, so the delete checkbox
/// does not add or remove it: the checkbox toggles exactly the two deletion actions.
pub fn console_key_policy(spec: &ConsoleKeySpec) -> String {
    let principal = |arns: &[String]| -> Value {
        match arns {
            [one] => json!({ "AWS": one }),
            many => json!({ "AWS": many }),
        }
    };
    let statement = |sid: &str, principal: Value, actions: Value| -> Map<String, Value> {
        let mut s = Map::new();
        s.insert("Sid".into(), json!(sid));
        s.insert("Effect".into(), json!("Allow"));
        s.insert("Principal".into(), principal);
        s.insert("Action".into(), actions);
        s.insert("Resource".into(), json!("*"));
        s
    };

    let mut statements = vec![Value::Object(statement(
        ROOT_STATEMENT_SID,
        json!({ "AWS": format!("arn:aws:iam::{}:root", spec.account) }),
        json!("kms:*"),
    ))];
    if !spec.administrators.is_empty() {
        let mut actions: Vec<&str> = ADMIN_ACTIONS.to_vec();
        if spec.allow_admins_to_delete {
            actions.extend(DELETION_ACTIONS);
        }
        if spec.rotate_on_demand {
            actions.push("kms:RotateKeyOnDemand");
        }
        if spec.imported_material {
            actions.push("kms:ImportKeyMaterial");
        }
        if spec.multi_region {
            actions.extend(MULTI_REGION_ADMIN_ACTIONS);
        }
        statements.push(Value::Object(statement(
            "Allow access for Key Administrators",
            principal(&spec.administrators),
            json!(actions),
        )));
    }
    let users: Vec<String> = spec
        .users
        .iter()
        .cloned()
        .chain(
            spec.other_accounts
                .iter()
                .map(|account| format!("arn:aws:iam::{account}:root")),
        )
        .collect();
    if !users.is_empty() {
        statements.push(Value::Object(statement(
            "Allow use of the key",
            principal(&users),
            json!(spec.key_type.user_actions()),
        )));
    }
    // "(for most key types) a statement that allows principals to use the KMS key with other
    // AWS services" (key-policy-default.html): all but HMAC keys (hmac-authz.html).
    if !users.is_empty() && spec.key_type != ConsoleKeyType::Hmac {
        let mut grants = statement(
            "Allow attachment of persistent resources",
            principal(&users),
            json!(GRANT_ACTIONS),
        );
        grants.insert(
            "Condition".into(),
            json!({ "Bool": { "kms:GrantIsForAWSResource": "true" } }),
        );
        statements.push(Value::Object(grants));
    }

    let mut document = Map::new();
    document.insert("Id".into(), json!(CONSOLE_POLICY_ID));
    document.insert("Version".into(), json!("2012-10-17"));
    document.insert("Statement".into(), Value::Array(statements));
    pretty_four_spaces(&Value::Object(document))
}

/// JSON with four-space indentation, the layout the console shows.
fn pretty_four_spaces(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serializing a `Value` into a `Vec` cannot fail.
    if value.serialize(&mut serializer).is_err() {
        return value.to_string();
    }
    String::from_utf8(out).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn actions(policy: &Value, sid: &str) -> Vec<String> {
        let statement = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == sid)
            .unwrap();
        match &statement["Action"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_owned()).collect(),
            other => panic!("unexpected Action {other}"),
        }
    }

    #[test]
    fn api_default_policy_is_the_root_statement_only() {
        // KMS Developer Guide, key-policy-default.html; KMS API Reference GetKeyPolicy example:
        // Id key-default-1, Sid "Enable IAM User Permissions", account principal, kms:*.
        let text = default_key_policy("111122223333");
        let policy = parse(&text);
        assert_eq!(policy["Id"], "key-default-1");
        assert_eq!(policy["Version"], "2012-10-17");
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0]["Sid"], "Enable IAM User Permissions");
        assert_eq!(
            statements[0]["Principal"]["AWS"],
            "arn:aws:iam::111122223333:root"
        );
        assert_eq!(statements[0]["Action"], "kms:*");
        assert_eq!(statements[0]["Resource"], "*");
        // GetKeyPolicy prints it in this layout (KMS Developer Guide, programming-key-policies.html).
        assert!(text.starts_with("{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n"));
    }

    fn lecture_spec() -> ConsoleKeySpec {
        ConsoleKeySpec {
            administrators: vec![
                "arn:aws:iam::111122223333:user/KMSAdminUser".into(),
                "arn:aws:iam::111122223333:role/KMSAdminRole".into(),
            ],
            users: vec![
                "arn:aws:iam::111122223333:user/ExampleUser".into(),
                "arn:aws:iam::111122223333:role/ExampleRole".into(),
            ],
            other_accounts: vec!["444455556666".into()],
            ..ConsoleKeySpec::new("111122223333")
        }
    }

    #[test]
    fn console_policy_matches_the_guide_example() {
        // KMS Developer Guide, key-policy-overview.html "Example key policy" (semantics §2.2).
        let policy = parse(&console_key_policy(&lecture_spec()));
        assert_eq!(policy["Id"], "key-consolepolicy-3");
        let sids: Vec<&str> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(
            sids,
            [
                "Enable IAM User Permissions",
                "Allow access for Key Administrators",
                "Allow use of the key",
                "Allow attachment of persistent resources"
            ]
        );
        assert_eq!(
            actions(&policy, "Allow use of the key"),
            [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey"
            ]
        );
        assert_eq!(
            actions(&policy, "Allow attachment of persistent resources"),
            ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
        );
        let grants = &policy["Statement"][3];
        assert_eq!(
            grants["Condition"]["Bool"]["kms:GrantIsForAWSResource"],
            "true"
        );
        assert_eq!(
            grants["Principal"]["AWS"],
            json!([
                "arn:aws:iam::111122223333:user/ExampleUser",
                "arn:aws:iam::111122223333:role/ExampleRole",
                "arn:aws:iam::444455556666:root"
            ])
        );
        let admin = actions(&policy, "Allow access for Key Administrators");
        assert_eq!(admin.get(..12).unwrap(), ADMIN_ACTIONS);
        assert!(
            admin
                .iter()
                .all(|a| a != "kms:Encrypt" && a != "kms:Decrypt")
        );
    }

    #[test]
    fn delete_checkbox_toggles_exactly_schedule_and_cancel_deletion() {
        // KMS Developer Guide, key-policy-default.html: "Allow key administrators to delete this
        // key" adds kms:ScheduleKeyDeletion and kms:CancelKeyDeletion, nothing else.
        let with = actions(
            &parse(&console_key_policy(&lecture_spec())),
            "Allow access for Key Administrators",
        );
        let without = actions(
            &parse(&console_key_policy(&ConsoleKeySpec {
                allow_admins_to_delete: false,
                ..lecture_spec()
            })),
            "Allow access for Key Administrators",
        );
        let added: Vec<&String> = with.iter().filter(|a| !without.contains(a)).collect();
        assert_eq!(added, ["kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]);
        assert!(without.iter().all(|a| with.contains(a)));
        assert_eq!(
            with.last().map(String::as_str),
            Some("kms:RotateKeyOnDemand")
        );
    }

    /// KMS Developer Guide, key-policy-default.html: "AWS KMS adds the following permissions to
    /// the default key administrators statement when you create special-purpose keys", for a
    /// multi-Region key kms:ReplicateKey and kms:UpdatePrimaryRegion. Nothing else changes, and a
    /// single-Region key's administrators do not get them.
    #[test]
    fn multi_region_keys_administrators_may_replicate_and_update_the_primary_region() {
        let single = parse(&console_key_policy(&lecture_spec()));
        let multi = parse(&console_key_policy(&ConsoleKeySpec {
            multi_region: true,
            ..lecture_spec()
        }));
        let admins = |policy: &Value| actions(policy, "Allow access for Key Administrators");
        let added: Vec<String> = admins(&multi)
            .into_iter()
            .filter(|a| !admins(&single).contains(a))
            .collect();
        assert_eq!(added, ["kms:ReplicateKey", "kms:UpdatePrimaryRegion"]);
        assert!(
            admins(&single)
                .iter()
                .all(|a| a != "kms:ReplicateKey" && a != "kms:UpdatePrimaryRegion")
        );
        for sid in [
            "Allow use of the key",
            "Allow attachment of persistent resources",
        ] {
            assert_eq!(actions(&single, sid), actions(&multi, sid), "{sid}");
        }
        // No administrators, no administrators' statement: the key is still multi-Region.
        let nobody = parse(&console_key_policy(&ConsoleKeySpec {
            multi_region: true,
            ..ConsoleKeySpec::new("111122223333")
        }));
        assert_eq!(nobody["Statement"].as_array().map(Vec::len), Some(1));
    }

    /// KMS Developer Guide, key-policy-default.html: "The kms:ImportKeyMaterial permission
    /// allows key administrators to import key material into the KMS key. This permission is
    /// included in the key policy only when you create a KMS key with no key material."
    #[test]
    fn a_key_without_key_material_lets_its_administrators_import_it() {
        let plain = parse(&console_key_policy(&lecture_spec()));
        let external = parse(&console_key_policy(&ConsoleKeySpec {
            imported_material: true,
            ..lecture_spec()
        }));
        let admins = |policy: &Value| actions(policy, "Allow access for Key Administrators");
        assert!(!admins(&plain).iter().any(|a| a == "kms:ImportKeyMaterial"));
        let added: Vec<String> = admins(&external)
            .into_iter()
            .filter(|a| !admins(&plain).contains(a))
            .collect();
        assert_eq!(added, ["kms:ImportKeyMaterial"]);
    }

    /// KMS Developer Guide, key-policy-default.html, "Asymmetric KMS keys for public key
    /// encryption" and "Asymmetric KMS keys for signing and verification": the key users
    /// statements the console adds.
    #[test]
    fn asymmetric_keys_users_get_their_usages_operations_and_the_public_key() {
        for (key_type, expected) in [
            (
                ConsoleKeyType::AsymmetricEncryption,
                &[
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:DescribeKey",
                    "kms:GetPublicKey",
                ][..],
            ),
            (
                ConsoleKeyType::Signing,
                &[
                    "kms:DescribeKey",
                    "kms:GetPublicKey",
                    "kms:Sign",
                    "kms:Verify",
                ][..],
            ),
            (
                ConsoleKeyType::KeyAgreement,
                &[
                    "kms:DeriveSharedSecret",
                    "kms:DescribeKey",
                    "kms:GetPublicKey",
                ][..],
            ),
        ] {
            let policy = parse(&console_key_policy(&ConsoleKeySpec {
                key_type,
                ..lecture_spec()
            }));
            assert_eq!(actions(&policy, "Allow use of the key"), expected);
            assert!(
                policy
                    .to_string()
                    .contains("Allow attachment of persistent resources"),
                "{key_type:?}"
            );
        }
    }

    #[test]
    fn hmac_keys_users_generate_and_verify_macs_without_the_grants_statement() {
        // KMS Developer Guide, hmac-authz.html: the console's default key policy for HMAC keys
        // gives key users GenerateMac and VerifyMac and has no statement for grants to AWS
        // services.
        let policy = parse(&console_key_policy(&ConsoleKeySpec {
            key_type: ConsoleKeyType::Hmac,
            ..lecture_spec()
        }));
        assert_eq!(
            actions(&policy, "Allow use of the key"),
            ["kms:GenerateMac", "kms:VerifyMac", "kms:DescribeKey"]
        );
        let sids: Vec<&str> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["Sid"].as_str())
            .collect();
        assert!(
            !sids.contains(&"Allow attachment of persistent resources"),
            "{sids:?}"
        );
        assert!(
            sids.contains(&"Allow access for Key Administrators"),
            "{sids:?}"
        );
    }

    #[test]
    fn pre_2024_console_policy_has_no_rotate_on_demand() {
        let admin = actions(
            &parse(&console_key_policy(&ConsoleKeySpec {
                rotate_on_demand: false,
                ..lecture_spec()
            })),
            "Allow access for Key Administrators",
        );
        assert_eq!(admin.len(), 14);
        assert_eq!(
            admin.last().map(String::as_str),
            Some("kms:CancelKeyDeletion")
        );
    }

    #[test]
    fn empty_roles_leave_their_statements_out_and_one_principal_is_a_string() {
        let only_root = parse(&console_key_policy(&ConsoleKeySpec::new("111122223333")));
        assert_eq!(only_root["Statement"].as_array().unwrap().len(), 1);
        let one_user = parse(&console_key_policy(&ConsoleKeySpec {
            users: vec!["arn:aws:iam::111122223333:user/Alice".into()],
            ..ConsoleKeySpec::new("111122223333")
        }));
        let statements = one_user["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 3);
        assert_eq!(
            statements[1]["Principal"]["AWS"],
            "arn:aws:iam::111122223333:user/Alice"
        );
    }
}
