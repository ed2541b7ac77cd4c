//! `kmsplay` under a careless user and a hostile input: closed pipes and full disks, text that
//! is not UTF-8, absurd sizes, terminal escapes in names, and session files shared by several runs.

use crate::common;

use common::{TempFile, kmsplay, kmsplay_bytes, kmsplay_into, kmsplay_stdin, scenario, stderr};
use std::os::unix::fs::PermissionsExt;

/// One invocation of every command that prints to standard output.
fn every_printing_command() -> Vec<Vec<String>> {
    let lecture = scenario("lecture.json");
    let demo1 = scenario("demo1-grants.json");
    let script = scenario("demo1-grants.aws");
    [
        vec!["matrix", &lecture],
        vec![
            "explain",
            &lecture,
            "--principal",
            "Alice",
            "--key",
            "CMK-A",
            "--action",
            "kms:Decrypt",
        ],
        vec!["check", &lecture],
        vec!["lint", &lecture],
        vec!["audit", &lecture],
        vec!["generate", "--principals", "5", "--keys", "2"],
        vec!["aws", &demo1, &script, "--seed", "1"],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_owned).collect())
    .collect()
}

/// `kmsplay … | head -1`: once the reader is gone, the command stops quietly, as a tool ended by
/// `SIGPIPE` does (status 141), instead of panicking.
#[test]
fn every_command_stops_quietly_on_a_closed_pipe() {
    for args in every_printing_command() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = kmsplay_into(&args, writer);
        assert_eq!(out.status.code(), Some(141), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

/// `kmsplay … > /dev/full`: a write that fails for any other reason is an error (status 2) with
/// a message, never an abort and never a silent success.
#[test]
fn every_command_reports_a_full_disk_with_status_2() {
    for args in every_printing_command() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = kmsplay_into(&args, full);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(
                "kmsplay: error: cannot write to standard output: No space left on device"
            ),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn aws_reports_a_line_of_standard_input_that_is_not_utf8() {
    let out = kmsplay_bytes(
        &["aws", &scenario("lecture.json"), "--seed", "1"],
        b"aws sts get-caller-identity --profile alice\necho caf\xe9\necho never\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with(
            "kmsplay: error: standard input:2: the line is not UTF-8 text (invalid byte at column 9)\n"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("never"));
}

#[test]
fn generate_refuses_sizes_out_of_range() {
    for args in [
        ["--principals", "18446744073709551615", "--keys", "3"],
        ["--principals", "3", "--keys", "18446744073709551615"],
        ["--principals", "20001", "--keys", "3"],
        ["--principals", "-1", "--keys", "3"],
    ] {
        let mut argv = vec!["generate"];
        argv.extend(args);
        let out = kmsplay(&argv);
        assert_eq!(out.status.code(), Some(2), "{argv:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("error:"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
}

/// A scenario's name comes from a file anyone may have written: printed to a terminal, its
/// control characters are shown escaped, never sent as escape sequences.
#[test]
fn table_output_escapes_control_characters_in_names() {
    let lecture = std::fs::read_to_string(scenario("lecture.json")).unwrap();
    let hostile = lecture.replacen(
        "\"name\": \"Lecture: 3 keys x 4 users\"",
        "\"name\": \"\\u001b]0;owned\\u0007\\u001b[2J\\nLecture\\u009b\"",
        1,
    );
    let file = TempFile::new("hostile.json", &hostile);
    let out = kmsplay(&["matrix", file.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        !printed.chars().any(|c| c.is_control() && c != '\n'),
        "{printed:?}"
    );
    assert!(
        printed.starts_with("\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{a}Lecture\\u{9b}\n"),
        "{printed:?}"
    );
}

/// A fresh directory for session files, removed afterwards, and the path of `session.json` in it.
fn session_dir(name: &str) -> (TempFile, String) {
    let dir = TempFile::new(name, "");
    std::fs::remove_file(&dir.0).unwrap();
    let path = dir.0.display().to_string();
    (dir, path)
}

fn aws_with_state(state: &str, script: &str) -> std::process::Output {
    kmsplay_stdin(
        &["aws", &scenario("lecture.json"), "--state", state],
        script,
    )
}

/// The session file holds the seed its keys derive from and every plaintext typed: it is created
/// readable by its owner only, and saved by renaming a complete file over the old one.
#[test]
fn a_session_file_is_private_and_saved_whole() {
    let (dir, state) = session_dir("private.json");
    let out = aws_with_state(&state, "aws kms list-keys --profile alice\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mode = std::fs::metadata(&state).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let before = std::fs::metadata(&state).unwrap();
    let out = aws_with_state(&state, "aws kms list-aliases --profile alice\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    use std::os::unix::fs::MetadataExt;
    let after = std::fs::metadata(&state).unwrap();
    assert_ne!(
        before.ino(),
        after.ino(),
        "saved in place instead of replaced"
    );
    let mut left: Vec<String> = std::fs::read_dir(dir.0.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kms_engine::sort::sort(&mut left);
    assert_eq!(left, ["private.json", "private.json.lock"]);
}

#[test]
fn a_session_file_behind_a_symbolic_link_is_refused() {
    let (dir, state) = session_dir("linked.json");
    let victim = dir.0.with_file_name("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    std::os::unix::fs::symlink(&victim, &state).unwrap();
    let out = aws_with_state(&state, "aws kms list-keys --profile alice\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is a symbolic link"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
}

#[test]
fn a_corrupt_or_foreign_session_file_is_refused_and_left_as_it_was() {
    let lecture = std::fs::read_to_string(scenario("lecture.json")).unwrap();
    for (name, text) in [
        ("truncated.json", "{\"kmsplay_session\": 2, \"scen"),
        ("empty.json", ""),
        ("foreign.json", lecture.as_str()),
    ] {
        let (_dir, state) = session_dir(name);
        std::fs::write(&state, text).unwrap();
        let out = aws_with_state(&state, "aws kms list-keys --profile alice\n");
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(
            stderr(&out).contains("is not a kmsplay session file"),
            "{name}: {}",
            stderr(&out)
        );
        assert_eq!(std::fs::read_to_string(&state).unwrap(), text, "{name}");
    }
}

/// Two runs on one session would each replay it and then overwrite each other's lines: while one
/// holds the session, another is refused with a message.
#[test]
fn a_session_in_use_by_another_run_is_refused() {
    let (_dir, state) = session_dir("shared.json");
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(format!("{state}.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let out = aws_with_state(&state, "aws kms list-keys --profile alice\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is in use by another kmsplay run"),
        "{}",
        stderr(&out)
    );
    assert!(!std::path::Path::new(&state).exists());
    lock.unlock().unwrap();
    let out = aws_with_state(&state, "aws kms list-keys --profile alice\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `fileb:///dev/zero` never ends: it is read only as far as the largest file a parameter may
/// load, then refused with the AWS CLI's paramfile error.
#[test]
fn an_endless_file_argument_is_refused_not_read_to_exhaustion() {
    let out = kmsplay_stdin(
        &["aws", &scenario("lecture.json"), "--seed", "1"],
        "aws kms encrypt --key-id alias/CMK-A --plaintext fileb:///dev/zero --profile alice\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Error parsing parameter '--plaintext': Unable to load paramfile fileb:///dev/zero: the file is larger than 65536 bytes"),
        "{}",
        stderr(&out)
    );
}

/// The nonce of an encryption printed as `CiphertextBlob` text.
fn nonce_of(out: &std::process::Output) -> Vec<u8> {
    use base64::Engine as _;
    let text = String::from_utf8_lossy(&out.stdout);
    let blob = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .unwrap();
    kms_engine::crypto::parse(&blob).unwrap().nonce.to_vec()
}

/// Two runs continuing copies of one session file replay the same keys; each encryption still
/// draws its nonce from the operating system, so the copies never encrypt under the same key and
/// nonce (whose ciphertexts XOR to the XOR of the plaintexts), with or without `--seed`.
#[test]
fn copies_of_one_session_never_reuse_a_nonce() {
    for seed in [None, Some("5")] {
        let (_dir, state) = session_dir("original.json");
        let mut args = vec!["aws", "", "--state", &state];
        let lecture = scenario("lecture.json");
        args[1] = &lecture;
        if let Some(seed) = seed {
            args.extend(["--seed", seed]);
        }
        let first = kmsplay_stdin(&args, "aws kms list-keys --profile alice\n");
        assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
        let copy = format!("{state}.copy");
        std::fs::copy(&state, &copy).unwrap();
        let encrypt = "aws kms encrypt --plaintext 'attack at dawn' --key-id alias/CMK-A --profile alice --query CiphertextBlob --output text\n";
        let a = kmsplay_stdin(&["aws", &lecture, "--state", &state], encrypt);
        let b = kmsplay_stdin(&["aws", &lecture, "--state", &copy], encrypt);
        assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
        assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
        assert_ne!(nonce_of(&a), nonce_of(&b), "seed {seed:?}");
        // Both copies hold the same key: each decrypts the other's ciphertext.
        let decrypt = format!(
            "aws kms decrypt --ciphertext-blob {} --profile alice --query Plaintext --output text\n",
            String::from_utf8_lossy(&b.stdout).trim()
        );
        let c = kmsplay_stdin(&["aws", &lecture, "--state", &state], &decrypt);
        assert_eq!(c.status.code(), Some(0), "{}", stderr(&c));
        let _ = std::fs::remove_file(&copy);
        let _ = std::fs::remove_file(format!("{copy}.lock"));
    }
}

/// A session file holds the secret its keys derive from: a new session without `--seed` draws
/// 256 bits from the operating system, not a 64-bit number.
#[test]
fn a_new_session_without_a_seed_keeps_a_256_bit_secret() {
    let (_dir, state) = session_dir("secret.json");
    let out = aws_with_state(&state, "aws kms list-keys --profile alice\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let secret = saved["secret_seed"].as_str().unwrap();
    assert_eq!(secret.len(), 64);
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(saved.get("seed").is_none());
}
