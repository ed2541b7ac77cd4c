//! `kmsplay` end to end: the built binary on the shipped scenarios and on bad input.

use crate::common;

use common::{TempFile, kmsplay, kmsplay_stdin, root, scenario, stderr, stdout};

#[test]
fn every_command_has_help() {
    for command in [
        vec!["--help"],
        vec!["matrix", "--help"],
        vec!["explain", "--help"],
        vec!["check", "--help"],
        vec!["lint", "--help"],
        vec!["aws", "--help"],
        vec!["generate", "--help"],
    ] {
        let out = kmsplay(&command);
        assert!(out.status.success(), "{command:?}");
        assert!(
            stdout(&out).contains("Usage: kmsplay"),
            "{command:?}: {}",
            stdout(&out)
        );
    }
    assert!(
        stdout(&kmsplay(&["--help"]))
            .contains("Exit status: 0 ok, 1 an expectation failed, 2 bad input")
    );
}

#[test]
fn matrix_of_the_lecture_as_a_table() {
    let out = kmsplay(&["matrix", &scenario("lecture.json")]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("Lecture: 3 keys x 4 users\n\n"));
    assert!(text.contains(concat!(
        "Alice     | allow   allow   | -       -       | allow   allow\n",
        "Bob       | -       -       | allow   allow   | DENY    DENY\n",
        "Charlie   | allow   -       | allow   allow   | DENY    DENY\n",
        "David     | -       -       | -       -       | DENY    DENY\n",
    )));
}

#[test]
fn matrix_in_json_csv_and_markdown() {
    let out = kmsplay(&[
        "matrix",
        &scenario("lecture.json"),
        "--format",
        "json",
        "--actions",
        "kms:Decrypt",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cells = json["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 12);
    let charlie_a = cells
        .iter()
        .find(|c| c["principal"] == "Charlie" && c["key"] == "CMK-A")
        .unwrap();
    assert_eq!(charlie_a["action"], "kms:Decrypt");
    assert_eq!(charlie_a["decision"], "implicit-deny");
    assert!(cells.iter().all(|c| c.get("reason").is_none()));

    let out = kmsplay(&[
        "matrix",
        &scenario("lecture.json"),
        "--format",
        "json",
        "--actions",
        "kms:Decrypt",
        "--reasons",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cells = json["cells"].as_array().unwrap();
    let charlie_a = cells
        .iter()
        .find(|c| c["principal"] == "Charlie" && c["key"] == "CMK-A")
        .unwrap();
    assert_eq!(charlie_a["reason"], "no IAM policy allows");

    let csv = stdout(&kmsplay(&[
        "matrix",
        &scenario("lecture.json"),
        "--format",
        "csv",
    ]));
    assert_eq!(csv.lines().count(), 5);
    assert_eq!(
        csv.lines().nth(3),
        Some("Charlie,allow,implicit-deny,allow,allow,explicit-deny,explicit-deny")
    );

    let md = stdout(&kmsplay(&[
        "matrix",
        &scenario("lecture.json"),
        "--format",
        "markdown",
    ]));
    assert!(md.starts_with("| Principal | CMK-A kms:Encrypt | CMK-A kms:Decrypt |"));
    assert!(md.contains("| David | implicit-deny | implicit-deny | implicit-deny | implicit-deny | explicit-deny | explicit-deny |"));
}

#[test]
fn matrix_rejects_an_unknown_action() {
    let out = kmsplay(&[
        "matrix",
        &scenario("lecture.json"),
        "--actions",
        "kms:Encrpyt",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "kmsplay: error: `kms:Encrpyt` is not a KMS action; did you mean `kms:Encrypt`?\n"
    );
}

#[test]
fn explain_walks_through_a_denial() {
    let out = kmsplay(&[
        "explain",
        &scenario("lecture.json"),
        "--principal",
        "Charlie",
        "--key",
        "alias/CMK-A",
        "--action",
        "kms:Decrypt",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("IMPLICIT DENY: arn:aws:iam::111122223333:user/Charlie kms:Decrypt on arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n"), "{text}");
    assert!(text.contains("Steps:\n  1. "));
    assert!(text.contains("An error occurred (AccessDeniedException) when calling the Decrypt operation: User: arn:aws:iam::111122223333:user/Charlie is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action"), "{text}");

    let out = kmsplay(&[
        "explain",
        &scenario("lecture.json"),
        "--principal",
        "bob",
        "--key",
        "CMK-C",
        "--action",
        "Encrypt",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["verdict"]["decision"], "explicit-deny");
    assert_eq!(json["deciding"][0]["sid"], "Deny Bob, Charlie and David");
}

/// The console's grants statement allows CreateGrant only for AWS services
/// (`kms:GrantIsForAWSResource`, KMS Developer Guide, conditions-kms.html).
#[test]
fn explain_with_context_keys() {
    let direct = kmsplay(&[
        "explain",
        &scenario("demo2-create-key.json"),
        "--principal",
        "Alice",
        "--key",
        "DemoKey",
        "--action",
        "kms:CreateGrant",
    ]);
    assert!(
        stdout(&direct).starts_with("IMPLICIT DENY"),
        "{}",
        stdout(&direct)
    );
    let via_ec2 = kmsplay(&[
        "explain",
        &scenario("demo2-create-key.json"),
        "--principal",
        "Alice",
        "--key",
        "DemoKey",
        "--action",
        "kms:CreateGrant",
        "--context",
        "kms:ViaService=ec2.us-east-1.amazonaws.com",
    ]);
    assert!(
        stdout(&via_ec2).starts_with("ALLOW"),
        "{}",
        stdout(&via_ec2)
    );
}

#[test]
fn explain_rejects_unknown_names() {
    let out = kmsplay(&[
        "explain",
        &scenario("lecture.json"),
        "--principal",
        "Zed",
        "--key",
        "CMK-A",
        "--action",
        "kms:Decrypt",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "kmsplay: error: no principal named `Zed` in the scenario (principals: Alice, Bob, Charlie, David)\n"
    );
    let out = kmsplay(&[
        "explain",
        &scenario("lecture.json"),
        "--principal",
        "Alice",
        "--key",
        "CMK-Z",
        "--action",
        "kms:Decrypt",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no key named `CMK-Z`"));
}

#[test]
fn every_shipped_scenario_passes_check() {
    let dir = root().join("scenarios");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| path.display().to_string())
        .collect();
    kms_engine::sort::sort(&mut files);
    assert!(files.len() >= 3, "{files:?}");
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let out = kmsplay(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    let summary = text.lines().last().unwrap_or_default();
    assert!(summary.ends_with(" passed, 0 failed"), "{summary}");
    assert!(!summary.starts_with("0 passed"), "{summary}");
    assert!(
        text.contains("lecture.json:164: Alice CMK-A kms:Encrypt: allow"),
        "{text}"
    );
    assert!(!text.contains("FAIL"));
}

#[test]
fn check_reports_a_failed_expectation_and_exits_1() {
    let file = TempFile::new(
        "wrong.json",
        r#"{"principals": [{"name": "Bob"}], "keys": [{"name": "K"}],
 "expect": [{"principal": "Bob", "key": "K", "action": "kms:Encrypt", "decision": "allow"}]}"#,
    );
    let out = kmsplay(&["check", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "FAIL {}:2: Bob K kms:Encrypt: expected allow, got implicit-deny: ",
            file.path()
        )),
        "{text}"
    );
    assert!(text.ends_with("0 passed, 1 failed\n"));

    let json = kmsplay(&["check", file.path(), "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value["failed"], 1);
    assert_eq!(value["files"][0]["results"][0]["actual"], "implicit-deny");
    assert!(
        value["files"][0]["results"][0]["reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
}

#[test]
fn check_gives_reasons_for_passing_entries_only_when_asked() {
    let lecture = scenario("lecture.json");
    let plain = stdout(&kmsplay(&["check", &lecture, "--format", "json"]));
    let value: serde_json::Value = serde_json::from_str(&plain).unwrap();
    let results = value["files"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r.get("reason").is_none()));

    let explained = stdout(&kmsplay(&[
        "check",
        &lecture,
        "--format",
        "json",
        "--reasons",
    ]));
    let value: serde_json::Value = serde_json::from_str(&explained).unwrap();
    let results = value["files"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .all(|r| r["reason"].as_str().is_some_and(|s| !s.is_empty()))
    );
    let text = stdout(&kmsplay(&["check", &lecture, "--reasons"]));
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("pass ") && first.matches(": ").count() >= 2,
        "{first}"
    );
}

#[test]
fn a_missing_file_is_bad_input() {
    let out = kmsplay(&["check", "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "kmsplay: error: cannot read `no/such/file.json`: No such file or directory (os error 2)\n"
    );
}

#[test]
fn malformed_json_is_reported_with_line_and_column() {
    let file = TempFile::new(
        "broken.json",
        "{\n  \"principals\": [\n    {\"name\": \"Alice\",}\n  ]\n}\n",
    );
    for command in ["matrix", "check", "lint"] {
        let out = kmsplay(&[command, file.path()]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            all.contains(&format!("{}:3:22: error:", file.path())),
            "{command}: {all}"
        );
    }
}

#[test]
fn an_unknown_principal_in_a_scenario_is_located() {
    let file = TempFile::new(
        "unknown.json",
        r#"{"principals": [{"name": "Alice"}], "keys": [{"name": "K"}],
 "grants": [{"key": "K", "grantee": "Alise", "operations": ["Encrypt"]}]}"#,
    );
    let out = kmsplay(&["matrix", file.path()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("{}:2:37: error: no principal named `Alise` is declared (at grants[0].grantee); did you mean `Alice`?", file.path())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn lint_reads_scenarios_and_single_policies() {
    let out = kmsplay(&["lint", &scenario("lecture.json")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains(" 0 error(s)"));

    let policy = TempFile::new(
        "policy.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kms:Encrpyt\", \"Resource\": \"*\"}]\n}\n",
    );
    let out = kmsplay(&["lint", policy.path()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains(&format!("{}:3:", policy.path())),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("warning"), "{}", stdout(&out));

    let bad = TempFile::new(
        "bad-policy.json",
        "{\"Statement\": {\"Effect\": \"Alow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}}",
    );
    let out = kmsplay(&["lint", bad.path(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let diagnostics: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(diagnostics[0]["severity"], "error");
    assert_eq!(diagnostics[0]["start"]["line"], 1);
}

#[test]
fn generate_writes_a_reproducible_scenario() {
    let a = kmsplay(&[
        "generate",
        "--principals",
        "20",
        "--keys",
        "5",
        "--seed",
        "9",
    ]);
    assert_eq!(a.status.code(), Some(0));
    let b = kmsplay(&[
        "generate",
        "--principals",
        "20",
        "--keys",
        "5",
        "--seed",
        "9",
    ]);
    assert_eq!(a.stdout, b.stdout);
    let file = TempFile::new("generated.json", &stdout(&a));
    let out = kmsplay(&["matrix", file.path(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["cells"].as_array().unwrap().len(), 20 * 5 * 10);
}

/// The lecture's first demonstration, run from its script with a fixed seed: the output must
/// be the reviewed transcript, byte for byte.
#[test]
fn demo1_script_matches_the_reviewed_transcript() {
    let out = kmsplay(&[
        "aws",
        &scenario("demo1-grants.json"),
        &scenario("demo1-grants.aws"),
        "--seed",
        "1",
        "--transcript",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected = std::fs::read_to_string(root().join("cli/tests/expected/demo1.txt")).unwrap();
    assert_eq!(stdout(&out), expected);
}

#[test]
fn aws_prints_output_and_errors_on_their_own_streams() {
    let out = kmsplay_stdin(
        &["aws", &scenario("demo1-grants.json"), "--seed", "3"],
        "aws kms encrypt --plaintext hi --key-id alias/DemoKey --profile bob\naws sts get-caller-identity --profile Alice\n",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr(&out),
        "\nAn error occurred (AccessDeniedException) when calling the Encrypt operation: User: arn:aws:iam::111122223333:user/Bob is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Encrypt action\n"
    );
    let identity: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(identity["Arn"], "arn:aws:iam::111122223333:user/Alice");
    assert_eq!(identity["Account"], "111122223333");
}

/// KMS Developer Guide, create-grant-overview.html ("Granting CreateGrant permission"): Bob, whose
/// only CreateGrant permission is a grant for Encrypt and CreateGrant, may pass on Encrypt but not
/// Decrypt. The refusal is AWS's message for the policies without the grant (the key policy lets
/// IAM policies allow, and none of Bob's does), word for word as before the authorizer judged it.
#[test]
fn aws_refuses_a_child_grant_beyond_its_parent_with_the_policies_message() {
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let script = format!(
        "aws kms create-grant --key-id {key} --grantee-principal arn:aws:iam::111122223333:user/Bob --operations Encrypt CreateGrant --profile alice --query GrantId --output text\n\
         sleep 300\n\
         aws kms create-grant --key-id {key} --grantee-principal arn:aws:iam::111122223333:user/Alice --operations Encrypt Decrypt --profile bob\n\
         aws kms create-grant --key-id {key} --grantee-principal arn:aws:iam::111122223333:user/Alice --operations Encrypt --profile bob --query GrantId --output text\n"
    );
    let out = kmsplay_stdin(
        &["aws", &scenario("demo1-grants.json"), "--seed", "5"],
        &script,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "\nAn error occurred (AccessDeniedException) when calling the CreateGrant operation: User: arn:aws:iam::111122223333:user/Bob is not authorized to perform: kms:CreateGrant on resource: {key} because no identity-based policy allows the kms:CreateGrant action\n"
        )
    );
    // Both grants were created: the parent and the child within it.
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
}

/// Each line of a shell script is its own `aws` process: a usage error (status 252) sets `$?`
/// and the shell runs the next line. `kmsplay aws` runs every line too, then exits with 2 and
/// names each line that was bad input.
#[test]
fn aws_goes_on_after_a_usage_error_and_exits_2() {
    let script = TempFile::new(
        "bad-option.aws",
        "# first line\naws kms encrypt --key-id alias/DemoKey --plaintext x --profile alice --bogus 1\necho still here $?\nfrobnicate\naws sts get-caller-identity --profile alice --query Arn --output text\n",
    );
    let out = kmsplay(&[
        "aws",
        &scenario("demo1-grants.json"),
        script.path(),
        "--seed",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n"), "{err}");
    assert!(
        err.ends_with(&format!(
            "kmsplay: error: {0}:2: Unknown options: --bogus, 1\nkmsplay: error: {0}:4: frobnicate: command not found (this emulator runs `aws`, `echo`, `sleep`, `export`, `unset`, `clear`, `NAME=value` and `#` comments)\n",
            script.path()
        )),
        "{err}"
    );
    assert_eq!(
        stdout(&out),
        "still here 252\narn:aws:iam::111122223333:user/Alice\n"
    );

    let out = kmsplay_stdin(
        &["aws", &scenario("demo1-grants.json")],
        "aws kms encrypt --profile alice\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("aws: error: the following arguments are required: --key-id, --plaintext\n")
    );
}

#[test]
fn a_script_line_that_is_not_a_command_is_bad_input() {
    let out = kmsplay_stdin(
        &["aws", &scenario("lecture.json")],
        "aws sts get-caller-identity --profile alice\nfrobnicate --now\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).ends_with("kmsplay: error: standard input:2: frobnicate: command not found (this emulator runs `aws`, `echo`, `sleep`, `export`, `unset`, `clear`, `NAME=value` and `#` comments)\n"),
        "{}",
        stderr(&out)
    );
    let out = kmsplay_stdin(
        &["aws", &scenario("lecture.json")],
        "aws kms list-keys --profile alice | jq .\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("standard input:1: pipes (`|`) are not supported here"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unknown_profile_is_bad_input() {
    let out = kmsplay_stdin(
        &["aws", &scenario("lecture.json")],
        "aws kms list-keys --profile carol\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("\nThe config profile (carol) could not be found\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_saved_session_continues_across_runs() {
    let dir = TempFile::new("session.json", "");
    std::fs::remove_file(&dir.0).unwrap();
    let state = dir.path();
    let first = kmsplay_stdin(
        &[
            "aws",
            &scenario("lecture.json"),
            "--state",
            state,
            "--seed",
            "5",
        ],
        "CT=$(aws kms encrypt --plaintext 'secret text' --key-id alias/CMK-A --profile alice --query CiphertextBlob --output text)\n",
    );
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let second = kmsplay_stdin(
        &["aws", &scenario("lecture.json"), "--state", state],
        "aws kms decrypt --ciphertext-blob $CT --profile alice --query Plaintext --output text\n",
    );
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    // base64 of "secret text"
    assert_eq!(stdout(&second), "c2VjcmV0IHRleHQ=\n");
    let other = kmsplay_stdin(
        &["aws", &scenario("demo1-grants.json"), "--state", state],
        "",
    );
    assert_eq!(other.status.code(), Some(2));
    assert!(stderr(&other).contains("was saved for another scenario"));
}

#[test]
fn file_values_are_read_from_disk() {
    let policy = TempFile::new(
        "new-policy.json",
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}]}",
    );
    let script = format!(
        "aws kms put-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --policy file://{} --profile alice\naws kms put-key-policy --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --policy file://missing.json --profile alice\n",
        policy.path()
    );
    let out = kmsplay_stdin(&["aws", &scenario("lecture.json"), "--seed", "1"], &script);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("Error parsing parameter '--policy': Unable to load paramfile file://missing.json: [Errno 2] No such file or directory: 'missing.json'"), "{err}");
    assert!(!err.contains("AccessDenied"), "{err}");
}

#[test]
fn check_fails_an_unsolved_exercise_and_passes_its_solution() {
    let exercise = scenario("exercises/deny-wins.json");
    let out = kmsplay(&["check", &exercise]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "FAIL {exercise}: goal David CMK-C kms:Decrypt explicit-deny: now allow: "
        )),
        "{text}"
    );

    let solution = scenario("exercises/deny-wins.solution.json");
    let out = kmsplay(&["check", &exercise, "--solution", &solution]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("4 passed, 0 failed\n"));

    // A "solution" that edits what the exercise does not allow fails, whatever its goals say.
    let wrong = TempFile::new(
        "wrong-solution.json",
        &std::fs::read_to_string(&solution)
            .unwrap()
            .replace("AllKmsOnCmkC", "EditedByTheStudent"),
    );
    let out = kmsplay(&["check", &exercise, "--solution", wrong.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("not allowed by may_edit: the IAM policies of David changed"),
        "{}",
        stdout(&out)
    );

    let two = kmsplay(&["check", &exercise, &exercise, "--solution", &solution]);
    assert_eq!(two.status.code(), Some(2));
}

#[test]
fn explain_fix_prints_fixes_whose_scenario_shows_the_flipped_cell() {
    let out = kmsplay(&[
        "explain",
        &scenario("lecture.json"),
        "--principal",
        "Bob",
        "--key",
        "CMK-C",
        "--action",
        "kms:Decrypt",
        "--fix",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["decision"], "explicit-deny");
    let fix = &report["fixes"][0];
    assert!(
        fix["summary"]
            .as_str()
            .unwrap()
            .starts_with("To allow Bob kms:Decrypt on CMK-C")
    );
    assert_eq!(fix["changes"], 2);
    assert_eq!(fix["side_effects"][0]["principal"], "Bob");
    // The fixed scenario, checked: Bob's Decrypt on CMK-C is now allowed (its old expectation
    // fails and says so).
    let fixed = TempFile::new("fixed.json", &fix["scenario"].to_string());
    let out = kmsplay(&["check", fixed.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("Bob CMK-C kms:Decrypt: expected explicit-deny, got allow"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn audit_lists_findings_and_exits_by_severity() {
    let out = kmsplay(&[
        "audit",
        &scenario("demo2-create-key.json"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["kind"] == "escalation"
        && f["severity"] == "warning"
        && f["statement"] == "default: \"Allow access for Key Administrators\""));
    let out = kmsplay(&[
        "audit",
        &scenario("demo2-create-key.json"),
        "--fail-on",
        "warning",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let public = TempFile::new(
        "public.json",
        r#"{"keys": [{"name": "K", "policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}}]}"#,
    );
    let out = kmsplay(&["audit", public.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error [public]"), "{}", stdout(&out));
    let out = kmsplay(&["audit", "no-such-file.json"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The sample outputs in `cli/tests/import/` follow the AWS CLI reference's shapes
/// (`get-account-authorization-details` with URL-encoded and decoded documents, `list-keys`,
/// `describe-key`, `get-key-policy`, `list-aliases`, `list-grants`, `describe-organization`,
/// `describe-policy`, `list-targets-for-policy`, `list-roots`, `list-organizational-units-for-parent`,
/// `list-accounts-for-parent`). Imported, they give the decisions IAM's and KMS's rules give: a
/// group's policy, a role's URL-encoded inline policy under an IAM path, a managed policy's
/// default version (listed second), a permissions boundary, an SCP's deny at the root and one
/// on the OU above the account's OU, and a grant.
#[test]
fn import_merges_aws_cli_outputs_into_a_scenario_with_the_expected_decisions() {
    const OTHER_KEY: &str = "0987dcba-09fe-87dc-65ba-ab0987654321";
    let dir = "cli/tests/import";
    let file = |name: &str| format!("{dir}/{name}");
    let files = [
        file("iam.json"),
        file("keys.json"),
        file("1234abcd-12ab-34cd-56ef-1234567890ab.key.json"),
        file("1234abcd-12ab-34cd-56ef-1234567890ab.policy.json"),
        "--key-id".to_owned(),
        OTHER_KEY.to_owned(),
        file("other-key-policy.json"),
        file("aliases.json"),
        file(&format!("{OTHER_KEY}.grants.json")),
        file("organization.json"),
        file("p-FullAWSAccess.policy.json"),
        file("p-FullAWSAccess.targets.json"),
        file("p-examplescp1.policy.json"),
        file("p-examplescp1.targets.json"),
        file("p-examplescp2.policy.json"),
        file("p-examplescp2.targets.json"),
        file("p-RCPFullAWSAccess.policy.json"),
        file("roots.json"),
        file("r-examplerootid111.ous.json"),
        file("r-examplerootid111.accounts.json"),
        file("ou-exam-work1111.ous.json"),
        file("ou-exam-fina1111.accounts.json"),
        file("ou-exam-ple12345.accounts.json"),
    ];
    let mut args = vec!["import", "--name", "Billing"];
    args.extend(files.iter().map(String::as_str));
    let out = kmsplay(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = stderr(&out);
    // One line per skipped item, naming the file and the reason.
    assert!(report.contains("aliases.json: skipped alias/aws/ebs: an AWS managed key's alias"));
    // RCPFullAWSAccess is always attached (AWS Organizations User Guide, RCP syntax: "The
    // effect of Allow is only supported for the RCPFullAWSAccess policy").
    assert!(
        report.contains("p-RCPFullAWSAccess.policy.json: skipped policy RCPFullAWSAccess"),
        "{report}"
    );
    // The OU tree is known: no target is skipped.
    assert!(!report.contains("skipped target"), "{report}");
    let imported = TempFile::new("imported.json", &stdout(&out));
    let decide = |principal: &str, key: &str, action: &str| {
        let out = kmsplay(&[
            "explain",
            imported.path(),
            "--principal",
            principal,
            "--key",
            key,
            "--action",
            action,
            "--format",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        json["verdict"]["decision"].as_str().unwrap().to_owned()
    };
    for (principal, key, action, expected) in [
        // The role's inline policy was URL-encoded; the role sits under /service-role/.
        ("lambda-exec", "app-data", "kms:Decrypt", "allow"),
        ("lambda-exec", "app-data", "kms:Encrypt", "implicit-deny"),
        // The managed policy's default version (v2) applies, not v1's kms:*.
        ("lambda-exec", "app-data", "kms:DescribeKey", "allow"),
        (
            "lambda-exec",
            "app-data",
            "kms:PutKeyPolicy",
            "implicit-deny",
        ),
        // Alice's group's inline policy.
        ("Alice", "app-data", "kms:Decrypt", "allow"),
        // Bob's inline policy allows Decrypt, his boundary only Encrypt.
        ("Bob", "app-data", "kms:Decrypt", "implicit-deny"),
        ("Bob", "app-data", "kms:Encrypt", "allow"),
        // The key policy names Admin; the SCP at the root denies key deletion.
        ("Admin", "other", "kms:Decrypt", "allow"),
        ("Admin", "other", "kms:ScheduleKeyDeletion", "explicit-deny"),
        // The SCP on OU Workloads reaches Admin's account in OU Finance below it (AWS
        // Organizations API Reference, AttachPolicy: "If you attach an SCP to an OU, it affects
        // all accounts in that OU and in any child OUs").
        ("Admin", "other", "kms:Encrypt", "explicit-deny"),
        // The grant, with its encryption-context constraint, covers DescribeKey (constraints
        // do not apply to it).
        ("lambda-exec", "other", "kms:DescribeKey", "allow"),
    ] {
        assert_eq!(
            decide(principal, key, action),
            expected,
            "{principal} {action} on {key}"
        );
    }

    // A second, different policy for the same key is an error naming both files.
    let conflicting = TempFile::new(
        &format!("{OTHER_KEY}.json"),
        r#"{"Policy": "{\"Version\": \"2012-10-17\", \"Statement\": []}"}"#,
    );
    let out = kmsplay(&[
        "import",
        "--key-id",
        OTHER_KEY,
        &file("other-key-policy.json"),
        conflicting.path(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let error = stderr(&out);
    assert!(
        error.contains("other-key-policy.json") && error.contains(&format!("{OTHER_KEY}.json")),
        "{error}"
    );
    // The commands that make these files are read-only.
    let commands = stdout(&kmsplay(&["import", "--commands"]));
    assert!(commands.contains("aws iam get-account-authorization-details"));
    for tree in [
        "list-roots",
        "list-organizational-units-for-parent",
        "list-accounts-for-parent",
    ] {
        assert!(commands.contains(tree), "{tree} in {commands}");
    }
    for verb in ["create", "put", "delete", "update", "schedule"] {
        assert!(
            !commands.contains(&format!(" {verb}-")),
            "{verb} in {commands}"
        );
    }
}

/// HMAC keys in a scenario (`key_spec`, KMS API Reference CreateKey): `check` decides their MAC
/// expectations, `matrix` adds GenerateMac and VerifyMac and marks what a key's type does not
/// support (InvalidKeyUsageException, KMS Developer Guide symm-asymm-compare.html), and an
/// unknown spec is bad input at its line and column.
#[test]
fn check_and_matrix_on_a_scenario_with_hmac_keys() {
    let file = TempFile::new(
        "hmac.json",
        r#"{"principals": [{"name": "alice", "policies": [{"name": "All", "document":
   {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}],
 "keys": [{"name": "Data"}, {"name": "Mac", "key_spec": "HMAC_384", "key_usage": "GENERATE_VERIFY_MAC"}],
 "expect": [{"principal": "alice", "key": "Mac", "action": "kms:GenerateMac", "decision": "allow"}]}"#,
    );
    let out = kmsplay(&["check", file.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("1 passed, 0 failed\n"));
    let out = kmsplay(&["matrix", file.path()]);
    assert_eq!(out.status.code(), Some(0));
    let table = stdout(&out);
    let row = table.lines().find(|l| l.starts_with("alice")).unwrap();
    let cells: Vec<&str> = row.split(['|', ' ']).filter(|c| !c.is_empty()).collect();
    assert_eq!(
        cells,
        [
            "alice", "allow", "allow", "n/a", "n/a", "n/a", "n/a", "allow", "allow"
        ],
        "{table}"
    );
    assert!(table.contains("GenerateMac VerifyMac"), "{table}");

    let bad = TempFile::new(
        "bad-spec.json",
        "{\"keys\": [\n  {\"name\": \"K\", \"key_spec\": \"HMAC_1024\"}]}",
    );
    let out = kmsplay(&["check", bad.path()]);
    assert_eq!(out.status.code(), Some(2));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        all.contains(&format!("{}:2:29: error:", bad.path())),
        "{all}"
    );
    assert!(all.contains("`HMAC_512`"), "{all}");
}
