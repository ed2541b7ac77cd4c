//! Global condition keys AWS puts in every request's context, and organization membership: each
//! rule quotes the IAM User Guide page "AWS global condition context keys"
//! (reference_policies_condition-keys.html) or the AWS Organizations page it follows. Every
//! expectation is checked three ways: by the access matrix (`scenario::check`), by `decide` and
//! by `explain`.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "fixtures fail the test on a bad setup"
)]

use kms_engine::analysis::edit::Names;
use kms_engine::analysis::{self, Universe};
use kms_engine::authz::{self, AuthzRequest, RequestParams, Target};
use kms_engine::catalog::Action;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::policy::eval::Decision;
use kms_engine::scenario::{self, Loaded, Reasons, Scenario};
use kms_engine::world::Principal;

const NOW: Timestamp = Timestamp(1_704_067_200_000);

fn load(text: &str) -> Loaded {
    scenario::load(text, NOW, &mut SeededRandomness::new(3)).unwrap_or_else(|e| panic!("{e}"))
}

/// Checks every `expect` entry of `text` with the matrix (and an explanation for each), and
/// each entry without a request context again with `decide` and `explain`.
fn check_all(text: &str) -> Loaded {
    let loaded = load(text);
    let results = scenario::check(&loaded.scenario, text, &loaded.world, NOW, Reasons::All);
    assert_eq!(results.len(), loaded.scenario.expect.len());
    for r in &results {
        assert!(r.passed, "{r:?}");
    }
    for e in loaded
        .scenario
        .expect
        .iter()
        .filter(|e| e.context.is_empty())
    {
        let caller = &loaded.scenario.principals[e.principal].arn;
        let key = &loaded.scenario.keys[e.key].arn;
        let action = Action::from_name(&e.action).unwrap();
        let (decided, explained) = both(
            &loaded,
            loaded.world.principal(caller).unwrap(),
            key,
            action,
        );
        assert_eq!(
            decided, e.decision,
            "decide: {} {} {}",
            caller, key, e.action
        );
        assert_eq!(
            explained, e.decision,
            "explain: {} {} {}",
            caller, key, e.action
        );
    }
    loaded
}

/// `decide` and `explain` for `caller` on the key with ARN `key`.
fn both(loaded: &Loaded, caller: &Principal, key: &str, action: Action) -> (Decision, Decision) {
    let key = loaded.world.keys.get_by_arn(key).unwrap();
    let params = RequestParams::default();
    let request = AuthzRequest {
        caller,
        action,
        target: Target::Key(key),
        params: &params,
        now: NOW,
    };
    (
        authz::decide(&loaded.world, &request).decision,
        authz::explain(&loaded.world, &request).verdict.decision,
    )
}

const ALL_KMS: &str = r#"[{"name": "all", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]"#;
const FULL_ACCESS: &str = r#"{"name": "FullAWSAccess", "targets": ["root"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}"#;

/// A key policy: the account's root, then `extra` statements.
fn key_policy(account: &str, extra: &str) -> String {
    let sep = if extra.is_empty() { "" } else { ", " };
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::{account}:root"}}, "Action": "kms:*", "Resource": "*"}}{sep}{extra}]}}"#
    )
}

/// A key-policy statement that denies everyone `kms:*` under `condition`.
fn deny_when(condition: &str) -> String {
    format!(
        r#"{{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": {condition}}}"#
    )
}

#[test]
fn aws_resource_account_is_the_keys_account_in_every_request_on_a_key() {
    // IAM User Guide, reference_policies_condition-keys.html, aws:ResourceAccount: "Use this key
    // to compare the requested resource owner's AWS account ID with the resource account in the
    // policy", "Availability – This key is always included in the request context for most
    // service actions" (the exceptions listed are EBS, some EC2 actions, EventBridge and
    // WorkSpaces, not KMS). The data-perimeter SCP below denies only the use of keys of other
    // accounts; a key policy for everyone on the condition of its own account allows anyone.
    let perimeter = r#"{"name": "OwnAccountKeysOnly", "targets": ["root"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}}]}}"#;
    let text = format!(
        r#"{{"account": "111122223333",
      "principals": [{{"name": "Alice", "policies": {ALL_KMS}}}, {{"name": "Bob"}},
        {{"name": "Carol", "arn": "arn:aws:iam::444455556666:user/Carol", "policies": {ALL_KMS}}}],
      "keys": [{{"name": "Own", "policy": {own}}},
        {{"name": "Theirs", "arn": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", "policy": {theirs}}},
        {{"name": "ByAccount", "policy": {by_account}}}],
      "organization": {{"management_account": "999999999999", "accounts": ["111122223333"],
        "scps": [{FULL_ACCESS}, {perimeter}]}},
      "expect": [
        {{"principal": "Alice", "key": "Own", "action": "kms:Encrypt", "decision": "allow"}},
        {{"principal": "Alice", "key": "Theirs", "action": "kms:Encrypt", "decision": "explicit-deny"}},
        {{"principal": "Carol", "key": "Theirs", "action": "kms:Encrypt", "decision": "allow"}},
        {{"principal": "Bob", "key": "ByAccount", "action": "kms:Encrypt", "decision": "allow"}},
        {{"principal": "Bob", "key": "ByAccount", "action": "kms:Decrypt", "decision": "implicit-deny"}}
      ]}}"#,
        own = key_policy("111122223333", ""),
        theirs = key_policy(
            "444455556666",
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}"#
        ),
        by_account = key_policy(
            "111122223333",
            r#"{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Encrypt", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceAccount": "111122223333"}}}"#
        ),
    );
    check_all(&text);
}

#[test]
fn a_condition_on_aws_resource_account_is_not_something_a_caller_sends() {
    // aws:ResourceAccount comes from the key (IAM User Guide, reference_policies_condition-keys
    // .html: "This key is equal to the AWS account ID for the account with the resources
    // evaluated in the request"): the audit must not read a statement for everyone on it as
    // open to "anyone who sends" it. On the key's own account the statement is public; on
    // another account it never applies.
    let statement = |account: &str| {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "*"}}, "Action": "kms:Encrypt", "Resource": "*", "Condition": {{"StringEquals": {{"aws:ResourceAccount": "{account}"}}}}}}"#
        )
    };
    let text = format!(
        r#"{{"account": "111122223333", "principals": [{{"name": "Bob"}}],
      "keys": [{{"name": "Open", "policy": {open}}}, {{"name": "Closed", "policy": {closed}}}]}}"#,
        open = key_policy("111122223333", &statement("111122223333")),
        closed = key_policy("111122223333", &statement("444455556666")),
    );
    let loaded = load(&text);
    let names = Names::of_scenario(&loaded.scenario, &loaded.world);
    let universe = Universe::of_scenario(&loaded.scenario, &loaded.world, &[]);
    let findings = analysis::audit(&loaded.world, &universe, &names, "111122223333", NOW);
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        !messages.iter().any(|m| m.contains("sends")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("lets anyone in any AWS account") && m.contains("on Open")),
        "{messages:#?}"
    );
    assert!(
        !messages.iter().any(|m| m.contains("on Closed.")),
        "{messages:#?}"
    );
}

#[test]
fn aws_principal_is_aws_service_is_false_for_iam_principals_and_true_for_services() {
    // IAM User Guide, reference_policies_condition-keys.html, aws:PrincipalIsAWSService: "The
    // request context key is set to true when a service uses a service principal to perform a
    // direct action on your resources", "Availability – This key is present in the request
    // context for all signed API requests that use AWS credentials. Anonymous requests do not
    // include this key" (KMS takes signed requests only).
    let deny_iam = deny_when(r#"{"Bool": {"aws:PrincipalIsAWSService": "false"}}"#);
    let allow_everyone =
        r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}"#;
    let text = format!(
        r#"{{"account": "111122223333",
      "principals": [{{"name": "Bob"}}, {{"name": "Root", "arn": "arn:aws:iam::111122223333:root"}},
        {{"name": "App", "arn": "arn:aws:iam::111122223333:role/App"}}],
      "keys": [{{"name": "ServicesOnly", "policy": {policy}}}],
      "expect": [
        {{"principal": "Bob", "key": "ServicesOnly", "action": "kms:Encrypt", "decision": "explicit-deny"}},
        {{"principal": "Root", "key": "ServicesOnly", "action": "kms:Encrypt", "decision": "explicit-deny"}},
        {{"principal": "App", "key": "ServicesOnly", "action": "kms:Encrypt", "decision": "explicit-deny"}}
      ]}}"#,
        policy = key_policy("111122223333", &format!("{allow_everyone}, {deny_iam}")),
    );
    let loaded = check_all(&text);
    // A service principal's request carries it as true: the Deny does not apply.
    let service = Principal::service("cloudtrail.amazonaws.com");
    let key = &loaded.scenario.keys[0].arn;
    assert_eq!(
        both(&loaded, &service, key, Action::Encrypt),
        (Decision::Allow, Decision::Allow)
    );
}

#[test]
fn aws_via_aws_service_is_false_for_direct_calls_and_true_through_a_service() {
    // IAM User Guide, reference_policies_condition-keys.html, aws:ViaAWSService: "The request
    // context key returns true when a service uses the credentials of an IAM principal to make
    // a request on behalf of the principal ... The request context key also returns false when
    // the principal makes the call directly", "Availability – This key is always included in
    // the request context". Here a request a service makes for the caller is one that carries
    // kms:ViaService.
    let direct_only_denied = deny_when(r#"{"Bool": {"aws:ViaAWSService": "false"}}"#);
    let text = format!(
        r#"{{"account": "111122223333", "principals": [{{"name": "Bob", "policies": {ALL_KMS}}}],
      "keys": [{{"name": "ViaOnly", "policy": {policy}}}],
      "expect": [
        {{"principal": "Bob", "key": "ViaOnly", "action": "kms:Decrypt", "decision": "explicit-deny"}},
        {{"principal": "Bob", "key": "ViaOnly", "action": "kms:Decrypt", "decision": "allow",
          "context": {{"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}}
      ]}}"#,
        policy = key_policy("111122223333", &direct_only_denied),
    );
    let loaded = check_all(&text);
    // Through the request parameters as the emulator sends them, too.
    let caller = loaded
        .world
        .principal(&loaded.scenario.principals[0].arn)
        .unwrap();
    let key = loaded
        .world
        .keys
        .get_by_arn(&loaded.scenario.keys[0].arn)
        .unwrap();
    let params = RequestParams {
        via_service: Some("s3.us-east-1.amazonaws.com".to_owned()),
        ..RequestParams::default()
    };
    let request = AuthzRequest {
        caller,
        action: Action::Decrypt,
        target: Target::Key(key),
        params: &params,
        now: NOW,
    };
    assert!(authz::decide(&loaded.world, &request).is_allowed());
    assert!(authz::explain(&loaded.world, &request).verdict.is_allowed());
}

/// A world with an organization `o-a1b2c3d4e5` (management account 999999999999, member
/// 111122223333 directly under the root, member 222222222222 in an OU) and an outside account
/// 444455556666; each has a user with `kms:*` and a key that trusts every one of them.
fn org_text(org_extra: &str, expect: &str) -> String {
    let trust_all = r#"{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::222222222222:root", "arn:aws:iam::444455556666:root", "arn:aws:iam::999999999999:root"]}, "Action": "kms:*", "Resource": "*"}"#;
    let key = |name: &str, account: &str, n: u32| {
        format!(
            r#"{{"name": "{name}", "arn": "arn:aws:kms:us-east-1:{account}:key/1234abcd-12ab-34cd-56ef-12345678900{n}", "policy": {{"Version": "2012-10-17", "Statement": [{trust_all}]}}}}"#
        )
    };
    let user = |name: &str, account: &str| {
        format!(
            r#"{{"name": "{name}", "arn": "arn:aws:iam::{account}:user/{name}", "policies": {ALL_KMS}}}"#
        )
    };
    format!(
        r#"{{"account": "111122223333",
      "principals": [{}, {}, {}, {}],
      "keys": [{}, {}, {}, {}],
      "organization": {{"management_account": "999999999999", "accounts": ["111122223333"],
        "units": [{{"id": "ou-ab12-11111111", "name": "Workloads", "accounts": ["222222222222"]}}]{org_extra}}},
      "expect": [{expect}]}}"#,
        user("Mgmt", "999999999999"),
        user("Direct", "111122223333"),
        user("InOu", "222222222222"),
        user("Outsider", "444455556666"),
        key("MgmtKey", "999999999999", 1),
        key("DirectKey", "111122223333", 2),
        key("OuKey", "222222222222", 3),
        key("OutsideKey", "444455556666", 4),
    )
}

#[test]
fn aws_principal_org_id_is_set_only_for_principals_of_member_accounts() {
    // IAM User Guide, reference_policies_condition-keys.html, aws:PrincipalOrgID: "Use this key
    // to compare the identifier of the organization in AWS Organizations to which the requesting
    // principal belongs", "Availability – This key is included in the request context only if
    // the principal is a member of an organization"; "This global condition also applies to the
    // management account of an AWS organization". An RCP at the root that denies principals
    // outside the organization then stops only the outsider.
    let rcp = r#", "id": "o-a1b2c3d4e5", "scps": [FULL], "rcps": [{"name": "OrgOnly", "targets": ["root"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}, {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": {"Null": {"aws:PrincipalOrgID": "true"}}}]}}]"#
        .replace("FULL", FULL_ACCESS);
    let expect = [
        ("Mgmt", "DirectKey", "allow"),
        ("Direct", "DirectKey", "allow"),
        ("InOu", "DirectKey", "allow"),
        ("Outsider", "DirectKey", "explicit-deny"),
        ("Outsider", "OuKey", "explicit-deny"),
        // No RCP on the key of an account outside the organization.
        ("Direct", "OutsideKey", "allow"),
    ]
    .map(|(p, k, d)| {
        format!(
            r#"{{"principal": "{p}", "key": "{k}", "action": "kms:Encrypt", "decision": "{d}"}}"#
        )
    })
    .join(", ");
    check_all(&org_text(&rcp, &expect));

    // Without an organization id, the key is absent for everyone: the Null test denies all.
    let without_id = rcp.replace(r#", "id": "o-a1b2c3d4e5""#, "");
    let expect = r#"{"principal": "Direct", "key": "DirectKey", "action": "kms:Encrypt", "decision": "explicit-deny"}"#;
    check_all(&org_text(&without_id, expect));
}

#[test]
fn scps_and_rcps_reach_only_the_organizations_member_accounts() {
    // AWS Organizations User Guide, orgs_manage_policies_scps.html: SCPs "affect only member
    // accounts in the organization"; orgs_manage_policies_rcps.html: RCPs apply to resources of
    // member accounts. An account is a member if it is the management account, sits in an OU, or
    // is listed directly under the root; an account the organization does not list is outside:
    // a root-level Deny reaches neither its principals (SCP) nor its keys (RCP).
    let policies = r#", "scps": [FULL, {"name": "NoDataKeys", "targets": ["root"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:GenerateDataKey", "Resource": "*"}]}}], "rcps": [{"name": "NoDecrypt", "targets": ["root"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}}]"#
        .replace("FULL", FULL_ACCESS);
    let expect = [
        (
            "Direct",
            "OutsideKey",
            "kms:GenerateDataKey",
            "explicit-deny",
        ),
        ("InOu", "OutsideKey", "kms:GenerateDataKey", "explicit-deny"),
        ("Outsider", "DirectKey", "kms:GenerateDataKey", "allow"),
        ("Outsider", "OutsideKey", "kms:GenerateDataKey", "allow"),
        ("Mgmt", "OutsideKey", "kms:GenerateDataKey", "allow"),
        ("Outsider", "OutsideKey", "kms:Decrypt", "allow"),
        ("Direct", "OutsideKey", "kms:Decrypt", "allow"),
        ("Outsider", "OuKey", "kms:Decrypt", "explicit-deny"),
        ("Outsider", "DirectKey", "kms:Decrypt", "explicit-deny"),
        ("Outsider", "MgmtKey", "kms:Decrypt", "allow"),
    ]
    .map(|(p, k, a, d)| {
        format!(r#"{{"principal": "{p}", "key": "{k}", "action": "{a}", "decision": "{d}"}}"#)
    })
    .join(", ");
    let loaded = check_all(&org_text(&policies, &expect));
    let org = loaded.world.organization().unwrap();
    for (account, member) in [
        ("999999999999", true),
        ("111122223333", true),
        ("222222222222", true),
        ("444455556666", false),
        ("", false),
    ] {
        assert_eq!(org.is_member(account), member, "{account}");
    }
}

#[test]
fn the_organization_id_and_accounts_are_read_checked_and_written_back() {
    // AWS Organizations API Reference, Organization, Id: "The regex pattern for an organization
    // ID string requires "o-" followed by from 10 to 32 lowercase letters or digits."
    let org = |fields: &str| {
        format!(
            "{{\"account\": \"111122223333\",\n \"organization\": {{\"management_account\": \"999999999999\",\n  {fields}}}}}"
        )
    };
    for bad in ["o-short", "o-ABCDEFGHIJK", "x-abcdefghij", "o-abcdefghij-k"] {
        let error = Scenario::parse(&org(&format!("\"id\": \"{bad}\"")))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("3:9") && error.contains("not an organization id"),
            "{bad}: {error}"
        );
    }
    for good in ["o-abcdefghij", "o-a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"] {
        assert!(
            Scenario::parse(&org(&format!("\"id\": \"{good}\""))).is_ok(),
            "{good}"
        );
    }
    // A policy attached to an account the organization does not list is an error where it is
    // written (AttachPolicy takes the root, an OU or a member account).
    let error = Scenario::parse(&org(&format!(
        "\"scps\": [{}]",
        FULL_ACCESS.replace(r#"["root"]"#, r#"["root", "444455556666"]"#)
    )))
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("3:") && error.contains("`444455556666` is not a member"),
        "{error}"
    );
    // An account not a 12-digit id.
    let error = Scenario::parse(&org("\"accounts\": [\"1234\"]"))
        .unwrap_err()
        .to_string();
    assert!(error.contains("3:16"), "{error}");
    // Written back and read again, the world is the same.
    let text = org(&format!(
        "\"id\": \"o-a1b2c3d4e5\", \"accounts\": [\"111122223333\"], \"scps\": [{}]",
        FULL_ACCESS.replace(r#"["root"]"#, r#"["root", "111122223333"]"#)
    ));
    let loaded = load(&text);
    let written = Scenario::from_world(&loaded.world, &loaded.scenario).to_json();
    assert!(written.contains("\"id\": \"o-a1b2c3d4e5\""), "{written}");
    assert!(
        written.contains("\"accounts\": [\"111122223333\"]"),
        "{written}"
    );
    let again = load(&written);
    assert_eq!(again.world.organization(), loaded.world.organization());
    assert_eq!(
        again.world.organization_id_of("111122223333"),
        Some("o-a1b2c3d4e5")
    );
    assert_eq!(again.world.organization_id_of("444455556666"), None);
}

#[test]
fn import_takes_the_organization_id_and_the_accounts_directly_under_the_root() {
    // AWS Organizations API Reference: DescribeOrganization returns `Organization.Id`;
    // ListAccountsForParent with the root's id lists the accounts directly under the root;
    // ListTargetsForPolicy names the root by its id (`r-...`). An
    // account a policy is attached to (ListTargetsForPolicy) is a member even when no listing
    // places it: it goes under the root, with a note.
    use kms_engine::scenario::{ImportFile, import};
    let file = |name: &'static str, text: &'static str| ImportFile {
        name,
        text,
        key_id: None,
    };
    let files = [
        file(
            "organization.json",
            r#"{"Organization": {"Id": "o-exampleorgid", "MasterAccountId": "999988887777"}}"#,
        ),
        file(
            "r-examplerootid111.accounts.json",
            r#"{"Accounts": [{"Id": "999988887777"}, {"Id": "111122223333"}]}"#,
        ),
        file(
            "p-FullAWSAccess.policy.json",
            r#"{"Policy": {"PolicySummary": {"Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY"}, "Content": "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"}}"#,
        ),
        file(
            "p-FullAWSAccess.targets.json",
            r#"{"Targets": [{"TargetId": "r-examplerootid111", "Type": "ROOT"}, {"TargetId": "222233334444", "Type": "ACCOUNT"}]}"#,
        ),
    ];
    let imported = import(&files, None).unwrap();
    let org = imported.scenario.iam.organization.as_ref().unwrap();
    assert_eq!(org.id.as_deref(), Some("o-exampleorgid"));
    assert_eq!(org.accounts, ["111122223333", "222233334444"]);
    assert!(
        imported
            .skipped
            .iter()
            .any(|s| s.item == "the place of account 222233334444"),
        "{:?}",
        imported.skipped
    );
    let loaded = load(&imported.text);
    assert_eq!(
        loaded.world.organization_id_of("111122223333"),
        Some("o-exampleorgid")
    );
    assert_eq!(
        loaded.world.organization_id_of("999988887777"),
        Some("o-exampleorgid")
    );
    // The root keeps its id (ListTargetsForPolicy names it), so the entity path is known.
    assert_eq!(
        loaded
            .world
            .organization()
            .unwrap()
            .path_of("111122223333")
            .as_deref(),
        Some("o-exampleorgid/r-examplerootid111/")
    );
}

#[test]
fn aws_principal_org_paths_is_the_accounts_entity_path_when_the_root_id_is_known() {
    // IAM User Guide, reference_policies_condition-keys.html, aws:PrincipalOrgPaths: "Use this
    // key to compare the AWS Organizations path for the principal who is making the request to
    // the path in the policy", "Availability – This key is included in the request context only
    // if the principal is a member of an organization", multivalued; the example
    // "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/" matches "principals in accounts
    // that are attached directly to the ou-ab12-22222222 OU". The world knows the root's id
    // here because a policy is attached to `r-ab12`.
    let rcps = r#", "id": "o-a1b2c3d4e5", "scps": [FULL], "rcps": [
      {"name": "NotFromWorkloads", "targets": ["r-ab12"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}}]}},
      {"name": "NotFromTheRoot", "targets": ["r-ab12"], "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/"}}}]}}]"#
        .replace("FULL", &FULL_ACCESS.replace(r#"["root"]"#, r#"["r-ab12"]"#));
    let expect = |cases: &[(&str, &str, &str)]| {
        cases
            .iter()
            .map(|(p, a, d)| {
                format!(r#"{{"principal": "{p}", "key": "DirectKey", "action": "{a}", "decision": "{d}"}}"#)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let loaded = check_all(&org_text(
        &rcps,
        &expect(&[
            ("InOu", "kms:Decrypt", "explicit-deny"),
            ("InOu", "kms:Encrypt", "allow"),
            ("Direct", "kms:Decrypt", "allow"),
            ("Direct", "kms:Encrypt", "explicit-deny"),
            ("Mgmt", "kms:Encrypt", "explicit-deny"),
            // Outside the organization the key is absent: `ForAnyValue` finds no value.
            ("Outsider", "kms:Decrypt", "allow"),
            ("Outsider", "kms:Encrypt", "allow"),
        ]),
    ));
    let org = loaded.world.organization().unwrap();
    assert_eq!(org.root_id(), Some("r-ab12"));
    assert_eq!(
        org.path_of("222222222222").as_deref(),
        Some("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/")
    );
    assert_eq!(org.path_of("444455556666"), None);
    // With the root written as `root`, its id is unknown: the key is absent, no path matches.
    let unknown_root = rcps.replace(r#""r-ab12"]"#, r#""root"]"#);
    check_all(&org_text(
        &unknown_root,
        &expect(&[
            ("InOu", "kms:Decrypt", "allow"),
            ("Direct", "kms:Encrypt", "allow"),
        ]),
    ));
}
