//! `kmsplay`: KMS Playground on the command line.
//!
//! Exit status: 0 when all went well, 1 when an expectation failed (`check`), 2 for bad input
//! (a file that cannot be read or used, an unknown name, a script line that is not a command),
//! with a message that says what and where.

mod analysis;
mod aws;
mod out;
mod render;
mod state_file;
mod system;

use clap::{Parser, Subcommand, ValueEnum};
use kms_engine::catalog::Action;
use kms_engine::diagnostics::Severity;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::request::{ContextValue, PrincipalArn};
use kms_engine::scenario::{self, Loaded, MatrixReport, Question, Scenario, ScenarioError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kmsplay",
    version,
    about = "KMS Playground on the command line: who can use which AWS KMS key, and why",
    long_about = "KMS Playground on the command line: access matrices, explanations, checks and lint for scenario files, and an emulator of the AWS CLI's `aws kms` commands.\n\nExit status: 0 ok, 1 an expectation failed, 2 bad input."
)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Subcommand)]
enum Commands {
    /// Print the access matrix of a scenario: every principal x key x action.
    Matrix {
        /// The scenario file.
        file: PathBuf,
        /// The actions (columns), comma-separated, such as `kms:Encrypt,kms:Decrypt`; default: the
        /// scenario's `actions`, else Encrypt and Decrypt (and GenerateMac and VerifyMac when the
        /// scenario has HMAC keys).
        #[arg(long, value_delimiter = ',')]
        actions: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = MatrixFormat::Table)]
        format: MatrixFormat,
        /// With `--format json`: each cell's reason in a few words ("key policy", ...).
        #[arg(long)]
        reasons: bool,
    },
    /// Explain one decision step by step.
    Explain {
        /// The scenario file.
        file: PathBuf,
        /// The caller: a principal's name or ARN.
        #[arg(long)]
        principal: String,
        /// The key: its name, key ARN, alias or alias ARN.
        #[arg(long)]
        key: String,
        /// The action, such as `kms:Decrypt`.
        #[arg(long)]
        action: String,
        /// A condition key the request carries, as `KEY=VALUE` (repeatable), such as
        /// `kms:EncryptionContext:dept=eng` or `kms:ViaService=ec2.us-east-1.amazonaws.com`.
        #[arg(long = "context", value_name = "KEY=VALUE")]
        context: Vec<String>,
        /// A grant token passed with the request (repeatable).
        #[arg(long = "grant-token", value_name = "TOKEN")]
        grant_tokens: Vec<String>,
        /// Also propose the changes that flip the decision, each verified, with its side effects
        /// on the rest of the matrix and (in JSON) the whole scenario with the change made.
        #[arg(long)]
        fix: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// List findings: keys open to anyone or to other accounts, principals that can give
    /// themselves access, keys nobody can manage, statements that allow nothing, grants whose
    /// grantee is gone. Exit 1 when a finding at or above --fail-on exists.
    Audit {
        /// The scenario file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// The lowest severity that makes the exit status 1.
        #[arg(long = "fail-on", value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
    },
    /// Evaluate every `expect` entry of one or more scenarios, and an exercise's `goals` and
    /// `must_not` rules; exit 1 if any fails.
    Check {
        /// The scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// A solution to the one exercise given: a scenario file of the world after the
        /// student's edits. Its goals are checked in that world, and every change from the
        /// exercise must be one the exercise's `may_edit` allows.
        #[arg(long, value_name = "FILE")]
        solution: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Give the reason for every entry, not only for those that fail.
        #[arg(long)]
        reasons: bool,
    },
    /// Print the problems in a scenario file or a single policy document, with line:column.
    Lint {
        /// A scenario file, or a key policy or identity policy document.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Run `aws kms` commands against the world of a scenario.
    Aws {
        /// The scenario file.
        file: PathBuf,
        /// A script of commands (one per line; `#` comments, `\` continuations, `NAME=$(...)`,
        /// `$NAME`, `sleep`); standard input when absent.
        script: Option<PathBuf>,
        /// Make key ids, key material, ciphertexts and grant tokens reproducible (derived from
        /// the number through ChaCha20), and start the clock at 2024-01-01T00:00:00Z. Anyone who
        /// knows the number can derive the same keys: seeded material is NOT secret. Without
        /// --seed every secret comes from the operating system's random source.
        #[arg(long)]
        seed: Option<u64>,
        /// Load the session from this file if it exists and save it afterwards, so that several
        /// runs continue one session. The file is secret (its seed gives the session's keys, and
        /// it holds every plaintext typed); nonces and data keys are drawn fresh from the
        /// operating system at every run, even when the rest is seeded.
        #[arg(long, value_name = "PATH")]
        state: Option<PathBuf>,
        /// Print each command after a `$ ` prompt, and its errors in line with its output, as a
        /// terminal shows a session.
        #[arg(long)]
        transcript: bool,
    },
    /// Merge what the AWS CLI prints (`--output json`) into one scenario on standard output.
    ///
    /// Usage: `kmsplay import FILE... [--key-id KEY FILE] [--name NAME] > scenario.json`.
    /// Each file is recognised by its shape (IAM authorization details, KMS list-keys,
    /// describe-key, get-key-policy, list-aliases, list-grants, Organizations describe-policy,
    /// list-targets-for-policy, describe-organization). A get-key-policy output names no key:
    /// give `--key-id KEY` before it, or name it `KEY-ID.json` or `KEY-ID.policy.json`. What is
    /// read and what is skipped (and why) goes to standard error, one line per item.
    /// `kmsplay import --commands` prints the read-only AWS CLI commands that make these files.
    Import {
        /// Files, `--key-id KEY FILE`, `--name NAME`, or `--commands`.
        #[arg(
            required = true,
            num_args = 1..,
            allow_hyphen_values = true,
            trailing_var_arg = true,
            value_name = "FILE"
        )]
        args: Vec<String>,
    },
    /// Write a generated scenario (for performance work) to standard output.
    Generate {
        /// How many IAM users and roles (at most 20000).
        #[arg(long, value_parser = size_parser(scenario::MAX_GENERATED_PRINCIPALS))]
        principals: usize,
        /// How many keys (at most 5000).
        #[arg(long, value_parser = size_parser(scenario::MAX_GENERATED_KEYS))]
        keys: usize,
        /// The seed; the same seed gives the same world.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// A count from 0 to `max`, refused by the argument parser (status 2) when out of range.
fn size_parser(max: usize) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(0..=u64::try_from(max).unwrap_or(u64::MAX))
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MatrixFormat {
    Table,
    Json,
    Csv,
    Markdown,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Warning,
    Error,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TextOrJson {
    Text,
    Json,
}

/// Why a command stopped: the message to print and the exit status.
pub struct Failure {
    message: String,
    status: u8,
}

impl Failure {
    /// Bad input (exit status 2).
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: 2,
        }
    }
}

/// The simulated start time with `--seed`: 2024-01-01T00:00:00Z.
pub const SEEDED_START: Timestamp = Timestamp(1_704_067_200_000);

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(status) => ExitCode::from(status),
        Err(failure) => {
            if !failure.message.is_empty() {
                out::eprint(&format!("kmsplay: error: {}\n", failure.message));
            }
            ExitCode::from(failure.status)
        }
    }
}

fn run(command: Commands) -> Result<u8, Failure> {
    match command {
        Commands::Matrix {
            file,
            actions,
            format,
            reasons,
        } => matrix(&file, &actions, format, reasons),
        Commands::Explain {
            file,
            principal,
            key,
            action,
            context,
            grant_tokens,
            fix,
            format,
        } => {
            let question = ExplainArgs {
                principal: &principal,
                key: &key,
                action: &action,
                context: &context,
                grant_tokens,
            };
            if fix {
                analysis::fixes(&file, &question, format)
            } else {
                explain(&file, &question, format)
            }
        }
        Commands::Audit {
            file,
            format,
            fail_on,
        } => analysis::audit(
            &file,
            format,
            match fail_on {
                FailOn::Warning => kms_engine::analysis::Severity::Warning,
                FailOn::Error => kms_engine::analysis::Severity::Error,
            },
        ),
        Commands::Check {
            files,
            solution,
            format,
            reasons,
        } => check(&files, solution.as_deref(), format, reasons),
        Commands::Lint { file, format } => lint(&file, format),
        Commands::Aws {
            file,
            script,
            seed,
            state,
            transcript,
        } => aws::run(&file, script.as_deref(), seed, state.as_deref(), transcript),
        Commands::Import { args } => import(&args),
        Commands::Generate {
            principals,
            keys,
            seed,
        } => {
            out::print(&scenario::generate(principals, keys, seed).to_json())?;
            Ok(0)
        }
    }
}

/// `kmsplay import`: reads the files, merges them, prints the scenario and reports what was
/// read and skipped on standard error.
fn import(args: &[String]) -> Result<u8, Failure> {
    let mut name = None;
    let mut pending_key: Option<String> = None;
    let mut files: Vec<(PathBuf, Option<String>)> = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "--commands" => {
                out::print(scenario::IMPORT_COMMANDS)?;
                return Ok(0);
            }
            "--name" | "--key-id" => {
                let value = words
                    .next()
                    .ok_or_else(|| Failure::input(format!("`{word}` needs a value")))?;
                if word == "--name" {
                    name = Some(value.clone());
                } else {
                    pending_key = Some(value.clone());
                }
            }
            other if other.starts_with("--") => {
                return Err(Failure::input(format!(
                    "unknown option `{other}` (import takes FILE..., --key-id KEY FILE, --name NAME, --commands)"
                )));
            }
            file => files.push((PathBuf::from(file), pending_key.take())),
        }
    }
    if let Some(key) = pending_key {
        return Err(Failure::input(format!(
            "`--key-id {key}` must come before a file"
        )));
    }
    if files.is_empty() {
        return Err(Failure::input("no files to import"));
    }
    let texts: Vec<(String, String, Option<String>)> = files
        .into_iter()
        .map(|(path, key)| Ok((path.display().to_string(), read(&path)?, key)))
        .collect::<Result<_, Failure>>()?;
    let inputs: Vec<scenario::ImportFile<'_>> = texts
        .iter()
        .map(|(name, text, key)| scenario::ImportFile {
            name,
            text,
            key_id: key.as_deref(),
        })
        .collect();
    let imported =
        scenario::import(&inputs, name.as_deref()).map_err(|e| Failure::input(e.to_string()))?;
    let mut report = String::new();
    for line in &imported.read {
        report.push_str(&format!("{line}\n"));
    }
    for skipped in &imported.skipped {
        report.push_str(&format!("{skipped}\n"));
    }
    out::eprint(&report);
    out::print(&imported.text)?;
    Ok(0)
}

/// Reads a file as text, or says which file and why not.
pub fn read(path: &Path) -> Result<String, Failure> {
    use std::io::Read as _;
    let failed =
        |e: std::io::Error| Failure::input(format!("cannot read `{}`: {e}", path.display()));
    let limit = u64::try_from(MAX_DOCUMENT_BYTES).unwrap_or(u64::MAX);
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(limit + 1).read_to_string(&mut text))
        .map_err(failed)?;
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(Failure::input(format!(
            "`{}` is larger than {} MiB, the most kmsplay reads (a world of 20,000 principals and 5,000 keys is under 30 MiB)",
            path.display(),
            MAX_DOCUMENT_BYTES >> 20
        )));
    }
    Ok(text)
}

/// The largest scenario, policy or script kmsplay reads. Reading a document keeps a span for
/// every value, so memory is a small multiple of this.
pub const MAX_DOCUMENT_BYTES: usize = 64 << 20;

/// Prints a scenario's problems as `FILE:LINE:COLUMN: error: ...` and fails with status 2.
pub fn scenario_failure(path: &Path, error: &ScenarioError) -> Failure {
    let lines: Vec<String> = error
        .diagnostics
        .iter()
        .map(|d| format!("{}:{}", path.display(), d.one_line()))
        .collect();
    Failure::input(format!(
        "`{}` is not a usable scenario:\n{}",
        path.display(),
        lines.join("\n")
    ))
}

/// Reads and builds a scenario at `now` with fixed key material (the commands that only decide
/// access do not depend on it).
pub fn load(path: &Path, now: Timestamp) -> Result<(String, Loaded), Failure> {
    let text = read(path)?;
    let loaded = scenario::load(&text, now, &mut SeededRandomness::new(0))
        .map_err(|e| scenario_failure(path, &e))?;
    Ok((text, loaded))
}

fn parse_action(name: &str) -> Result<Action, Failure> {
    Action::from_user_input(name).map_err(Failure::input)
}

fn matrix(
    file: &Path,
    actions: &[String],
    format: MatrixFormat,
    reasons: bool,
) -> Result<u8, Failure> {
    let now = system::now();
    let (_, loaded) = load(file, now)?;
    let names: Vec<String> = if !actions.is_empty() {
        actions.to_vec()
    } else if !loaded.scenario.actions.is_empty() {
        loaded.scenario.actions.clone()
    } else {
        Vec::new()
    };
    let mut actions = names
        .iter()
        .map(|a| parse_action(a.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    if actions.is_empty() {
        actions = MatrixReport::default_actions(&loaded.world);
    }
    let report = MatrixReport::compute(&loaded.scenario, &loaded.world, &actions, now);
    let text = match format {
        MatrixFormat::Table => {
            let title = loaded
                .scenario
                .name
                .clone()
                .unwrap_or_else(|| file.display().to_string());
            out::terminal_safe(&format!(
                "{}\n\n{}\n{}\n",
                out::one_line(&title),
                report.to_table(),
                scenario::LEGEND
            ))
        }
        MatrixFormat::Json => {
            // Streamed: a large world's JSON is far bigger than its matrix.
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            report
                .write_json(&mut stdout, reasons)
                .and_then(|()| std::io::Write::flush(&mut stdout))
                .map_err(|e| Failure::input(format!("could not write the matrix: {e}")))?;
            return Ok(0);
        }
        MatrixFormat::Csv => report.to_csv(),
        MatrixFormat::Markdown => report.to_markdown(),
    };
    out::print(&text)?;
    Ok(0)
}

/// A principal named by the user: a scenario name or ARN, or any principal ARN in the world.
fn principal_arn(loaded: &Loaded, reference: &str) -> Result<PrincipalArn, Failure> {
    loaded.principal_arn(reference).ok_or_else(|| {
        let names: Vec<&str> = loaded
            .scenario
            .principals
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        Failure::input(format!(
            "no principal named `{reference}` in the scenario (principals: {})",
            names.join(", ")
        ))
    })
}

fn key_arn(scenario: &Scenario, reference: &str) -> Result<String, Failure> {
    match scenario
        .key_index(reference)
        .and_then(|i| scenario.keys.get(i))
    {
        Some(k) => Ok(k.arn.clone()),
        None => {
            let names: Vec<&str> = scenario.keys.iter().map(|k| k.name.as_str()).collect();
            Err(Failure::input(format!(
                "no key named `{reference}` in the scenario (keys: {}; a key ARN, alias or alias ARN works too)",
                names.join(", ")
            )))
        }
    }
}

/// The request `explain` asks about, as typed.
pub struct ExplainArgs<'a> {
    principal: &'a str,
    key: &'a str,
    action: &'a str,
    context: &'a [String],
    grant_tokens: Vec<String>,
}

impl ExplainArgs<'_> {
    /// The question in the scenario's terms.
    fn question(&self, loaded: &Loaded) -> Result<Question, Failure> {
        let action = parse_action(self.action)?;
        let mut pairs = Vec::new();
        for item in self.context {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| Failure::input(format!("--context `{item}`: expected KEY=VALUE")))?;
            pairs.push((k.to_owned(), ContextValue::Single(v.to_owned())));
        }
        Ok(Question {
            principal: principal_arn(loaded, self.principal)?,
            key: key_arn(&loaded.scenario, self.key)?,
            action: action.name().to_owned(),
            context: pairs,
            grant_tokens: self.grant_tokens.clone(),
            request_alias: kms_engine::store::KeyRef::alias_name_in(self.key),
        })
    }
}

fn explain(file: &Path, args: &ExplainArgs<'_>, format: TextOrJson) -> Result<u8, Failure> {
    let now = system::now();
    let (_, loaded) = load(file, now)?;
    let question = args.question(&loaded)?;
    let explanation = scenario::explain_question(&loaded.world, &question, now)
        .map_err(|e| Failure::input(e.to_string()))?;
    out::print(&match format {
        TextOrJson::Json => serde_json::to_string_pretty(&explanation).unwrap_or_default() + "\n",
        TextOrJson::Text => out::terminal_safe(&render::explanation(&explanation)),
    })?;
    Ok(0)
}

fn check(
    files: &[PathBuf],
    solution: Option<&Path>,
    format: TextOrJson,
    reasons: bool,
) -> Result<u8, Failure> {
    let now = system::now();
    let reasons = if reasons {
        scenario::Reasons::All
    } else {
        scenario::Reasons::Failures
    };
    if solution.is_some() && files.len() != 1 {
        return Err(Failure::input(
            "--solution checks one exercise: give exactly one scenario file".to_owned(),
        ));
    }
    let mut passed = 0usize;
    let mut failed = 0usize;
    let mut json_files = Vec::new();
    let mut tally = |ok: bool| {
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
    };
    let text_output = format == TextOrJson::Text;
    for file in files {
        let (text, loaded) = load(file, now)?;
        let results = scenario::check(&loaded.scenario, &text, &loaded.world, now, reasons);
        // One write for the file's lines rather than one per entry.
        let mut lines = String::new();
        let shown = file.display().to_string();
        for r in &results {
            tally(r.passed);
            if text_output {
                // Written in place: 100,000 entries make 100,000 lines.
                use std::fmt::Write as _;
                lines.push_str(if r.passed { "pass " } else { "FAIL " });
                lines.push_str(&shown);
                let _ = write!(lines, ":{}: ", r.line);
                for part in [&r.principal, &r.key, &r.action] {
                    lines.push_str(part);
                    lines.push(' ');
                }
                lines.pop();
                lines.push_str(": ");
                if r.passed {
                    lines.push_str(r.actual.as_str());
                } else {
                    lines.push_str("expected ");
                    lines.push_str(r.expected.as_str());
                    lines.push_str(", got ");
                    lines.push_str(r.actual.as_str());
                }
                if let Some(reason) = &r.reason {
                    lines.push_str(": ");
                    lines.push_str(reason);
                }
                lines.push('\n');
            }
        }
        let exercise = &loaded.scenario.exercise;
        if results.is_empty() && !exercise.is_exercise() && text_output {
            lines.push_str(&format!("{}: no expectations\n", file.display()));
        }
        let mut outside = Vec::new();
        let mut status = None;
        if exercise.is_exercise() {
            let solved_world = match solution {
                Some(path) => {
                    let (_, solved) = load(path, now)?;
                    outside =
                        scenario::changes_outside(&loaded.scenario, &loaded.world, &solved.world);
                    solved.world
                }
                None => loaded.world.clone(),
            };
            let s = scenario::exercise_status(&loaded.scenario, &solved_world, now);
            let place = solution.unwrap_or(file).display().to_string();
            for change in &outside {
                tally(false);
                if text_output {
                    lines.push_str(&format!(
                        "FAIL {place}: not allowed by may_edit: {change}\n"
                    ));
                }
            }
            for (rule, entries) in [("goal", &s.goals), ("must_not", &s.must_not)] {
                for g in entries {
                    let ok = g.holds == (rule == "goal");
                    tally(ok);
                    if text_output {
                        let state = g
                            .refused_by_key_state
                            .map(|e| format!(" (refused by the key state: {e})"))
                            .unwrap_or_default();
                        let request = g
                            .request
                            .as_ref()
                            .map(|r| format!(" with {r}"))
                            .unwrap_or_default();
                        lines.push_str(&format!(
                            "{} {place}: {rule} {} {} {}{request} {}: now {}{state}: {}\n",
                            if ok { "pass" } else { "FAIL" },
                            g.principal,
                            g.key,
                            g.action,
                            g.expected.as_str(),
                            g.actual.as_str(),
                            g.hint
                        ));
                    }
                }
            }
            status = Some(s);
        }
        out::print(&out::terminal_safe(&lines))?;
        if text_output {
            // The JSON document is built only when it is printed.
            continue;
        }
        json_files.push(serde_json::json!({
            "file": file.display().to_string(),
            "results": results,
            "exercise": status.as_ref().map(|s| serde_json::json!({
                "solved": s.solved() && outside.is_empty(),
                "goals": s.goals,
                "must_not": s.must_not,
                "not_allowed_by_may_edit": outside,
            })),
        }));
    }
    out::print(&match format {
        TextOrJson::Text => format!("{passed} passed, {failed} failed\n"),
        TextOrJson::Json => {
            serde_json::to_string_pretty(
                &serde_json::json!({"files": json_files, "passed": passed, "failed": failed}),
            )
            .unwrap_or_default()
                + "\n"
        }
    })?;
    Ok(u8::from(failed > 0))
}

fn lint(file: &Path, format: TextOrJson) -> Result<u8, Failure> {
    let text = read(file)?;
    let diagnostics = scenario::lint_document(&text);
    let report = match format {
        TextOrJson::Json => serde_json::to_string_pretty(&diagnostics).unwrap_or_default() + "\n",
        TextOrJson::Text => {
            let mut report = String::new();
            for d in &diagnostics {
                report.push_str(&format!("{}:{}\n", file.display(), d.one_line()));
            }
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = diagnostics.len() - errors;
            report.push_str(&format!(
                "{}: {errors} error(s), {warnings} warning(s)\n",
                file.display()
            ));
            out::terminal_safe(&report)
        }
    };
    out::print(&report)?;
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    Ok(if has_errors { 2 } else { 0 })
}
