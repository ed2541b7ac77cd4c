//! An emulator of the AWS CLI's `aws kms` commands, run against a playground [`World`].
//!
//! A [`Session`] reads command lines the way a shell running the AWS CLI would and prints what the
//! AWS CLI prints: the operation's JSON output (or `--output text` / `table`, filtered by
//! `--query`), `An error occurred (AccessDeniedException) when calling the Encrypt operation: ...`
//! on failure, and the AWS CLI's usage errors for a command line it would refuse.
//!
//! Besides `aws kms <operation>`, a session understands the little a demo script needs:
//!
//! - `aws configure --profile NAME` links profile `NAME` to the principal of that name;
//!   `aws configure set principal ARN --profile NAME` links it to any principal;
//!   `aws configure set region|output VALUE`, `aws configure get ...`, `aws configure list-profiles`;
//! - `aws sts get-caller-identity`;
//! - `--profile NAME` picks the caller: a configured profile, or else the principal whose name is
//!   `NAME` in any case (`--profile alice` is the user `Alice`); `AWS_PROFILE` works as in the CLI;
//! - `NAME=value`, `NAME=$(aws ... --query X --output text)`, `export`, `unset`, `$NAME`, `${NAME}`;
//! - `echo`, `sleep SECONDS` (advances the simulated clock, so a grant's eventual-consistency window
//!   can be crossed), `clear`, and `#` comments.
//!
//! Blob arguments: see [`args`] (`--plaintext` is text unless `--cli-binary-format base64`).
//! Output follows AWS CLI version 2: dates are ISO 8601 in UTC.
//!
//! The engine does no I/O: `file://` and `fileb://` are read through the caller's [`Files`].

pub mod args;
mod exec;
pub mod output;
pub mod paging;
pub mod query;
pub mod shell;
pub mod shorthand;
pub mod spec;

pub use args::{Files, MAX_FILE_BYTES, NoFiles};

use args::{Command, Invocation, UsageError};
use kms_engine::entropy::{Randomness, Timestamp};
use kms_engine::error::AccessDenied;
use kms_engine::request::PrincipalArn;
use kms_engine::world::World;
use output::OutputFormat;
use shell::Word;
use std::collections::BTreeMap;

/// Exit status of a command the AWS CLI ran and the service refused (AWS CLI version 2).
pub const STATUS_SERVICE_ERROR: i32 = 254;
/// Exit status of a command line the AWS CLI refused to run (AWS CLI version 2).
pub const STATUS_USAGE: i32 = 252;
/// Exit status of a configuration or credentials problem (AWS CLI version 2).
pub const STATUS_CONFIG: i32 = 253;
/// Exit status of a command that failed in the AWS CLI itself (AWS CLI version 2).
pub const STATUS_FAILED: i32 = 255;
/// Exit status the shell gives a command it cannot find.
pub const STATUS_NOT_FOUND: i32 = 127;
/// Exit status the shell gives a line it cannot parse.
pub const STATUS_SYNTAX: i32 = 2;

/// What one line printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit status (`$?`).
    pub status: i32,
    /// Whether the line was `clear` (a terminal clears its screen).
    pub clear: bool,
    /// The response of the operation the line called, as the service returned it (before
    /// `--query` and output formatting), for front ends that act on it.
    pub response: Option<Box<serde_json::Value>>,
    /// For a call refused with `AccessDeniedException` by the authorizer: who was refused what
    /// on which key, so a front end can explain it without reading the message.
    pub denial: Option<Box<AccessDenied>>,
    /// With [`Output::denial`]: the request the refused call sent, as the KMS API receives it
    /// (`{"KeyId": ..., "Operations": [...]}`), so a front end can explain that very request
    /// (a CreateGrant's operations and constraints) rather than the bare permission.
    pub denied_request: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

impl Output {
    fn error(stderr: String, status: i32) -> Output {
        Output {
            stderr,
            status,
            ..Output::default()
        }
    }

    /// The line of standard error worth quoting in a one-line message (the usage block the AWS
    /// CLI prints before an argument error is skipped).
    pub fn error_line(&self) -> String {
        let skip = ["usage:", "To see help", "aws help", "aws <command>"];
        self.stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !skip.iter().any(|s| l.starts_with(s)))
            .unwrap_or("the command failed")
            .to_owned()
    }

    /// Whether the line is one the AWS CLI or the shell would refuse outright (as opposed to a
    /// command that ran and was answered with a KMS error).
    ///
    /// A command that only reports "no" (such as `aws configure get` of an unset value: status 1,
    /// nothing on standard error) is not bad input.
    pub fn is_bad_input(&self) -> bool {
        match self.status {
            0 | STATUS_SERVICE_ERROR => false,
            1 => !self.stderr.is_empty(),
            _ => true,
        }
    }
}

/// A profile: a name linked to a principal, with optional defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    /// The principal's ARN.
    pub principal: Option<PrincipalArn>,
    /// `region`.
    pub region: Option<String>,
    /// `output`.
    pub output: Option<String>,
}

/// The state of a shell session running the AWS CLI: profiles, variables, the simulated clock.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    profiles: BTreeMap<String, Profile>,
    names: BTreeMap<String, PrincipalArn>,
    variables: BTreeMap<String, String>,
    now: Timestamp,
    last_status: i32,
}

/// What a session needs from its host for one line: the world, randomness and files.
pub struct Host<'a> {
    /// The world the commands act on.
    pub world: &'a mut World,
    /// Random bytes (key ids, key material, nonces, grant tokens).
    pub rng: &'a mut dyn Randomness,
    /// Files for `file://` and `fileb://`.
    pub files: &'a dyn Files,
}

/// Everything one command line needs, shared by nested `$(...)` lines.
struct Ctx<'h, 'a> {
    host: &'h mut Host<'a>,
    depth: usize,
    /// Bytes of expanded text the line (with its nested lines) has made so far.
    line_bytes: usize,
}

/// The most bytes one word may expand to, and so the largest value a variable can hold: the
/// kernel's limit on one argument (`MAX_ARG_STRLEN`, 128 KiB), far above any value KMS takes.
pub const MAX_WORD_BYTES: usize = 128 * 1024;
/// The most bytes the words of one line may expand to in all: the kernel's limit on a command
/// line (`ARG_MAX`, 2 MiB).
pub const MAX_LINE_BYTES: usize = 2 * 1024 * 1024;

/// The most bytes one line may print (standard output and error together, its `$(...)` lines
/// included): far more than any KMS response in a lecture's world, and a bound on what a
/// script makes the in-page console keep.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// The shell's status for a command it could not start (here: an argument list too long).
const STATUS_CANNOT_RUN: i32 = 126;

/// Expands one word for a session: reads variables where they are (no copy of the table), runs
/// `$(...)` lines, and keeps the word and the line within their budgets.
struct Expander<'s, 'c, 'h, 'a> {
    session: &'s mut Session,
    ctx: &'c mut Ctx<'h, 'a>,
    stderr: &'s mut String,
    /// `$?` as it was when the word began.
    last_status: i32,
    word_bytes: usize,
}

impl shell::Expansions for Expander<'_, '_, '_, '_> {
    type Error = Output;

    fn variable(&mut self, name: &str) -> Option<String> {
        if name == "?" {
            return Some(self.last_status.to_string());
        }
        self.session.variables.get(name).cloned()
    }

    fn command(&mut self, text: &str) -> Result<String, Output> {
        if self.ctx.depth >= 8 {
            return Err(Output::error(
                "command substitutions nest too deeply\n".to_owned(),
                STATUS_SYNTAX,
            ));
        }
        self.ctx.depth += 1;
        let inner = self.session.line(text, self.ctx);
        self.ctx.depth -= 1;
        self.session.last_status = inner.status;
        self.stderr.push_str(&inner.stderr);
        if inner.is_bad_input() {
            return Err(Output {
                status: inner.status,
                ..Output::default()
            });
        }
        Ok(inner.stdout)
    }

    fn reserve(&mut self, bytes: usize) -> Result<(), Output> {
        self.word_bytes = self.word_bytes.saturating_add(bytes);
        self.ctx.line_bytes = self.ctx.line_bytes.saturating_add(bytes);
        if self.word_bytes > MAX_WORD_BYTES {
            return Err(Output::error(
                format!(
                    "argument list too long: a word or variable may expand to at most {MAX_WORD_BYTES} bytes\n"
                ),
                STATUS_CANNOT_RUN,
            ));
        }
        if self.ctx.line_bytes > MAX_LINE_BYTES {
            return Err(Output::error(
                format!(
                    "argument list too long: a command line may expand to at most {MAX_LINE_BYTES} bytes\n"
                ),
                STATUS_CANNOT_RUN,
            ));
        }
        Ok(())
    }
}

impl Session {
    /// A session whose clock reads `now`.
    pub fn new(now: Timestamp) -> Session {
        Session {
            profiles: BTreeMap::new(),
            names: BTreeMap::new(),
            variables: BTreeMap::new(),
            now,
            last_status: 0,
        }
    }

    /// Makes `name` (in any case) name the principal `arn` for `--profile`, as a scenario file's
    /// principal names do.
    pub fn add_principal_name(&mut self, name: &str, arn: &PrincipalArn) {
        self.names.insert(name.to_lowercase(), arn.clone());
    }

    /// The simulated time.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Sets the simulated time (the app's clock control).
    pub fn set_now(&mut self, now: Timestamp) {
        self.now = now;
    }

    /// A shell variable's value.
    pub fn variable(&self, name: &str) -> Option<&str> {
        self.variables.get(name).map(String::as_str)
    }

    /// The profiles configured so far, by name.
    pub fn profiles(&self) -> &BTreeMap<String, Profile> {
        &self.profiles
    }

    /// Runs one logical line (continuations already joined; see [`shell::logical_lines`]).
    pub fn run_line(&mut self, line: &str, host: &mut Host<'_>) -> Output {
        let mut ctx = Ctx {
            host,
            depth: 0,
            line_bytes: 0,
        };
        let mut out = self.line(line, &mut ctx);
        if out.stdout.len().saturating_add(out.stderr.len()) > MAX_OUTPUT_BYTES {
            out = Output::error(
                format!(
                    "\nthe command's output is larger than {MAX_OUTPUT_BYTES} bytes, more than this console prints: narrow it with --query or --max-items\n"
                ),
                STATUS_FAILED,
            );
        }
        self.last_status = out.status;
        out
    }

    /// Runs a script line by line, calling `each` with every line's number, text and output.
    ///
    /// A line that is bad input ([`Output::is_bad_input`]) does not stop the script: each line
    /// of a shell script is its own `aws` process, and the shell goes on to the next line
    /// whatever the last one's status. The lines that were bad input come back, in order; a
    /// script the shell cannot read at all (an unterminated quote) runs nothing and is the
    /// error.
    pub fn run_script(
        &mut self,
        script: &str,
        host: &mut Host<'_>,
        each: &mut dyn FnMut(usize, &str, &Output),
    ) -> Result<Vec<ScriptError>, ScriptError> {
        let lines = shell::logical_lines(script).map_err(|(line, error)| ScriptError {
            line,
            message: error.to_string(),
        })?;
        let mut refused = Vec::new();
        for line in lines {
            let out = self.run_line(&line.text, host);
            each(line.line, &line.text, &out);
            if out.is_bad_input() {
                refused.push(ScriptError {
                    line: line.line,
                    message: out.error_line(),
                });
            }
        }
        Ok(refused)
    }

    fn line(&mut self, line: &str, ctx: &mut Ctx<'_, '_>) -> Output {
        let words = match shell::words(line) {
            Ok(w) => w,
            Err(e) => return Output::error(format!("{e}\n"), STATUS_SYNTAX),
        };
        let Some(first) = words.first() else {
            return Output::default();
        };
        // `NAME=value` alone; a command with assignments in front is not supported.
        if first.as_assignment().is_some() {
            return self.assignments(&words, ctx);
        }
        let mut stderr = String::new();
        let mut argv = Vec::new();
        for word in &words {
            match self.expand(word, true, ctx, &mut stderr) {
                Ok(fields) => argv.extend(fields),
                Err(out) => return out,
            }
        }
        let mut out = self.command(&argv, ctx);
        out.stderr.insert_str(0, &stderr);
        out
    }

    fn assignments(&mut self, words: &[Word], ctx: &mut Ctx<'_, '_>) -> Output {
        let mut out = Output::default();
        for word in words {
            let Some((name, value)) = word.as_assignment() else {
                return Output::error(
                    "assignments in front of a command are not supported here: put `NAME=value` on a line of its own, or use `--profile`\n".to_owned(),
                    STATUS_SYNTAX,
                );
            };
            let mut stderr = String::new();
            let (text, status) = match self.expand_joined(&value, ctx, &mut stderr) {
                Ok(v) => v,
                Err(e) => return e,
            };
            out.stderr.push_str(&stderr);
            out.status = status;
            self.variables.insert(name, text);
        }
        out
    }

    /// Expands a word (variables and `$(...)`), collecting substituted commands' errors.
    fn expand(
        &mut self,
        word: &Word,
        split: bool,
        ctx: &mut Ctx<'_, '_>,
        stderr: &mut String,
    ) -> Result<Vec<String>, Output> {
        let mut expander = Expander {
            last_status: self.last_status,
            session: self,
            ctx,
            stderr,
            word_bytes: 0,
        };
        shell::expand(word, split, &mut expander).map_err(|mut e| {
            let mut collected = std::mem::take(stderr);
            collected.push_str(&e.stderr);
            e.stderr = collected;
            e
        })
    }

    /// An assignment's value: expanded, not split; the status is the last substitution's.
    fn expand_joined(
        &mut self,
        word: &Word,
        ctx: &mut Ctx<'_, '_>,
        stderr: &mut String,
    ) -> Result<(String, i32), Output> {
        self.last_status = 0;
        let fields = self.expand(word, false, ctx, stderr)?;
        Ok((fields.concat(), self.last_status))
    }

    fn command(&mut self, argv: &[String], ctx: &mut Ctx<'_, '_>) -> Output {
        let Some((name, rest)) = argv.split_first() else {
            return Output::default();
        };
        match name.as_str() {
            "aws" => self.aws(rest, ctx),
            "echo" => {
                let (newline, words) = match rest.split_first() {
                    Some((flag, words)) if flag == "-n" => (false, words),
                    _ => (true, rest),
                };
                let mut stdout = words.join(" ");
                if newline {
                    stdout.push('\n');
                }
                Output {
                    stdout,
                    ..Output::default()
                }
            }
            "sleep" => match rest {
                [duration] => match parse_duration(duration) {
                    Some(millis) => {
                        self.now = self.now.plus_millis(millis);
                        Output::default()
                    }
                    None => {
                        Output::error(format!("sleep: invalid time interval '{duration}'\n"), 1)
                    }
                },
                [] => Output::error("sleep: missing operand\n".to_owned(), 1),
                _ => Output::error(
                    "sleep: give one duration, such as `sleep 300` or `sleep 5m`\n".to_owned(),
                    1,
                ),
            },
            "export" => {
                for item in rest {
                    match item.split_once('=') {
                        Some((n, v)) if shell::is_name(n) => {
                            self.variables.insert(n.to_owned(), v.to_owned());
                        }
                        _ if shell::is_name(item) => {}
                        _ => {
                            return Output::error(
                                format!("export: `{item}': not a valid identifier\n"),
                                1,
                            );
                        }
                    }
                }
                Output::default()
            }
            "unset" => {
                for item in rest {
                    self.variables.remove(item);
                }
                Output::default()
            }
            "clear" => Output {
                clear: true,
                ..Output::default()
            },
            other => Output::error(
                format!(
                    "{other}: command not found (this emulator runs `aws`, `echo`, `sleep`, `export`, `unset`, `clear`, `NAME=value` and `#` comments)\n"
                ),
                STATUS_NOT_FOUND,
            ),
        }
    }

    fn aws(&mut self, words: &[String], ctx: &mut Ctx<'_, '_>) -> Output {
        let invocation = match args::parse(words, ctx.host.files) {
            Ok(inv) => inv,
            Err(e) => return usage(&e),
        };
        let Invocation { command, globals } = invocation;
        let profile_name = globals
            .profile
            .clone()
            .or_else(|| self.variables.get("AWS_PROFILE").cloned())
            .unwrap_or_else(|| "default".to_owned());
        match command {
            Command::Help(topic) => Output {
                stdout: args::help_text(topic),
                ..Output::default()
            },
            Command::Configure => self.configure(&profile_name, globals.region.as_deref(), ctx),
            Command::ConfigureSet { name, value } => {
                self.configure_set(&profile_name, &name, &value, ctx)
            }
            Command::ConfigureGet { name } => {
                let profile = self.profiles.get(&profile_name);
                let value = match name.as_str() {
                    "region" => profile.and_then(|p| p.region.clone()),
                    "output" => profile.and_then(|p| p.output.clone()),
                    "principal" => {
                        profile.and_then(|p| p.principal.as_ref().map(PrincipalArn::to_string))
                    }
                    _ => None,
                };
                match value {
                    Some(v) => Output {
                        stdout: format!("{v}\n"),
                        ..Output::default()
                    },
                    None => Output {
                        status: 1,
                        ..Output::default()
                    },
                }
            }
            Command::ListProfiles => {
                let mut names: Vec<&String> = self.profiles.keys().collect();
                kms_engine::sort::sort(&mut names);
                Output {
                    stdout: names.iter().map(|n| format!("{n}\n")).collect(),
                    ..Output::default()
                }
            }
            Command::GetCallerIdentity | Command::Kms { .. } => {
                let caller = match self.caller(&profile_name, globals.profile.is_some(), ctx) {
                    Ok(c) => c,
                    Err(out) => return out,
                };
                let profile = self.profiles.get(&profile_name.to_lowercase());
                let format = globals
                    .output
                    .or_else(|| {
                        profile
                            .and_then(|p| p.output.as_deref())
                            .and_then(OutputFormat::parse)
                    })
                    .or_else(|| {
                        self.variables
                            .get("AWS_DEFAULT_OUTPUT")
                            .and_then(|o| OutputFormat::parse(o))
                    })
                    .unwrap_or_default();
                let region = globals
                    .region
                    .clone()
                    .or_else(|| profile.and_then(|p| p.region.clone()))
                    .or_else(|| self.variables.get("AWS_REGION").cloned())
                    .or_else(|| self.variables.get("AWS_DEFAULT_REGION").cloned())
                    .unwrap_or_else(|| ctx.host.world.region().to_owned());
                let call = exec::Call {
                    caller: &caller,
                    region: &region,
                    now: self.now,
                };
                // The request sent, kept for a refusal's `denied_request`.
                let mut sent = None;
                let (title, result) = match command {
                    Command::Kms {
                        operation,
                        request,
                        paging: Some(paging),
                    } => {
                        sent = Some(request.clone());
                        match paging::run(
                            ctx.host.world,
                            &call,
                            &mut *ctx.host.rng,
                            operation,
                            &request,
                            &paging,
                        ) {
                            Ok(value) => (operation.api, Ok(value)),
                            Err(paging::PagingError::Api(e)) => (operation.api, Err(e)),
                            Err(paging::PagingError::BadToken(message)) => {
                                return Output::error(format!("\n{message}\n"), STATUS_FAILED);
                            }
                        }
                    }
                    Command::Kms {
                        operation,
                        request,
                        paging: None,
                    } => {
                        sent = Some(request.clone());
                        (
                            operation.api,
                            exec::kms(
                                ctx.host.world,
                                &call,
                                &mut *ctx.host.rng,
                                operation,
                                request,
                            ),
                        )
                    }
                    _ => (
                        "GetCallerIdentity",
                        exec::caller_identity(ctx.host.world, &caller),
                    ),
                };
                match result {
                    Ok(value) => {
                        let stdout = match &globals.query {
                            Some(q) => output::render(&q.search(&value), format, title),
                            None => output::render(&value, format, title),
                        };
                        Output {
                            stdout,
                            response: Some(Box::new(value)),
                            ..Output::default()
                        }
                    }
                    Err(e) => Output {
                        denied_request: e.denial.is_some().then_some(sent).flatten().map(Box::new),
                        denial: e.denial,
                        ..Output::error(
                            format!(
                                "\nAn error occurred ({}) when calling the {title} operation: {}\n",
                                e.exception, e.message
                            ),
                            STATUS_SERVICE_ERROR,
                        )
                    },
                }
            }
        }
    }

    /// The principal ARN a profile stands for.
    fn caller(
        &self,
        profile: &str,
        explicit: bool,
        ctx: &Ctx<'_, '_>,
    ) -> Result<PrincipalArn, Output> {
        let key = profile.to_lowercase();
        if let Some(arn) = self.profiles.get(&key).and_then(|p| p.principal.clone()) {
            return Ok(arn);
        }
        if let Some(arn) = self.names.get(&key) {
            return Ok(arn.clone());
        }
        if let Some(arn) = exec::principal_named(ctx.host.world, profile) {
            return Ok(arn);
        }
        if profile == "default" && !explicit {
            return Err(Output::error(
                "\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n".to_owned(),
                STATUS_CONFIG,
            ));
        }
        Err(Output::error(
            format!("\nThe config profile ({profile}) could not be found\n"),
            STATUS_CONFIG,
        ))
    }

    /// `aws configure --profile NAME`: the AWS CLI asks for keys, Region and output format; here
    /// the profile is linked to the principal of that name, and the answers are shown as if typed.
    fn configure(&mut self, profile: &str, region: Option<&str>, ctx: &Ctx<'_, '_>) -> Output {
        let key = profile.to_lowercase();
        let principal = self
            .profiles
            .get(&key)
            .and_then(|p| p.principal.clone())
            .or_else(|| self.names.get(&key).cloned())
            .or_else(|| exec::principal_named(ctx.host.world, profile));
        let Some(principal) = principal else {
            return Output::error(
                format!(
                    "\nno principal is named `{profile}`: name the profile after a principal, or link it with `aws configure set principal ARN --profile {profile}`\n"
                ),
                STATUS_CONFIG,
            );
        };
        let region = region
            .map(str::to_owned)
            .unwrap_or_else(|| ctx.host.world.region().to_owned());
        let access_key = exec::access_key_id(principal.as_str());
        let entry = self.profiles.entry(key).or_default();
        entry.principal = Some(principal);
        entry.region = Some(region.clone());
        entry.output = Some("json".to_owned());
        Output {
            stdout: format!(
                "AWS Access Key ID [None]: {access_key}\nAWS Secret Access Key [None]: {}\nDefault region name [None]: {region}\nDefault output format [None]: json\n",
                "*".repeat(40)
            ),
            ..Output::default()
        }
    }

    fn configure_set(
        &mut self,
        profile: &str,
        name: &str,
        value: &str,
        ctx: &Ctx<'_, '_>,
    ) -> Output {
        let key = profile.to_lowercase();
        match name {
            "principal" => {
                let known = ctx
                    .host
                    .world
                    .find_principal(value)
                    .and_then(|p| p.arn().cloned());
                let arn = if known.is_some() {
                    known
                } else {
                    self.names
                        .get(&value.to_lowercase())
                        .cloned()
                        .or_else(|| exec::principal_named(ctx.host.world, value))
                };
                match arn {
                    Some(arn) => self.profiles.entry(key).or_default().principal = Some(arn),
                    None => {
                        return Output::error(
                            format!("\nno principal `{value}` in this world\n"),
                            STATUS_CONFIG,
                        );
                    }
                }
            }
            "region" => self.profiles.entry(key).or_default().region = Some(value.to_owned()),
            "output" => {
                if OutputFormat::parse(value).is_none() {
                    return Output::error(
                        format!(
                            "\nBad value for output: {value}; valid values are json, text and table\n"
                        ),
                        STATUS_CONFIG,
                    );
                }
                self.profiles.entry(key).or_default().output = Some(value.to_owned());
            }
            "aws_access_key_id" | "aws_secret_access_key" | "aws_session_token" => {
                // Credentials mean nothing here: the profile's principal is who calls.
            }
            other => {
                return Output::error(
                    format!(
                        "\nthis emulator keeps `principal`, `region` and `output` for a profile, not `{other}`\n"
                    ),
                    STATUS_CONFIG,
                );
            }
        }
        Output::default()
    }
}

fn usage(error: &UsageError) -> Output {
    Output::error(format!("{error}\n"), STATUS_USAGE)
}

/// A script line that was bad input, or a script that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line number where the offending logical line starts.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ScriptError {}

/// `sleep`'s operand in milliseconds: seconds, or a number with `s`, `m`, `h` or `d` (GNU sleep).
fn parse_duration(text: &str) -> Option<i64> {
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (text.get(..i)?, c),
        _ => (text, 's'),
    };
    let value: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
    let factor = match unit {
        's' => 1_000.0,
        'm' => 60_000.0,
        'h' => 3_600_000.0,
        'd' => 86_400_000.0,
        _ => return None,
    };
    let millis = (value * factor).round();
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the value is checked to fit first"
    )]
    (millis < 9.0e15).then_some(millis as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_durations_follow_gnu_sleep() {
        assert_eq!(parse_duration("300"), Some(300_000));
        assert_eq!(parse_duration("1.5"), Some(1_500));
        assert_eq!(parse_duration("5m"), Some(300_000));
        assert_eq!(parse_duration("2h"), Some(7_200_000));
        assert_eq!(parse_duration("1d"), Some(86_400_000));
        assert_eq!(parse_duration("-1"), None);
        assert_eq!(parse_duration("abc"), None);
        assert_eq!(parse_duration("5x"), None);
    }
}

#[cfg(test)]
mod session_tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as BASE64;
    use kms_engine::entropy::SeededRandomness;

    const NOW: Timestamp = Timestamp(1_704_067_200_000);

    struct Fixture {
        world: World,
        rng: SeededRandomness,
        session: Session,
    }

    impl Fixture {
        fn demo1() -> Fixture {
            Fixture::of(include_str!("../../scenarios/demo1-grants.json"))
        }

        fn of(text: &str) -> Fixture {
            let mut rng = SeededRandomness::new(7);
            let loaded = kms_engine::scenario::load(text, NOW, &mut rng).unwrap();
            let mut session = Session::new(NOW);
            for p in &loaded.scenario.principals {
                session.add_principal_name(&p.name, &p.arn);
            }
            Fixture {
                world: loaded.world,
                rng,
                session,
            }
        }

        fn run(&mut self, line: &str) -> Output {
            let mut host = Host {
                world: &mut self.world,
                rng: &mut self.rng,
                files: &NoFiles,
            };
            self.session.run_line(line, &mut host)
        }
    }

    const KEY_ARN: &str =
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// Alice may do anything with KMS through IAM.
    const ADMIN_WORLD: &str = r#"{"name": "admin", "account": "111122223333", "region": "us-east-1",
        "principals": [{"name": "Alice", "policies": [{"name": "Admin", "document":
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}],
        "keys": []}"#;

    /// The AWS CLI pages a list command itself (awscli `customizations/paginate.py`, botocore
    /// `PageIterator`, KMS paginators in botocore's `paginators-1.json`): every page's `Keys` in
    /// one list, without the service's `Truncated` and `NextMarker`; `--max-items` stops early
    /// and prints a `NextToken` that `--starting-token` resumes from, also in the middle of a
    /// page; `--page-size` is each call's `Limit`; the service's own `--limit` or `--marker`
    /// turns paging off, and then the CLI's paging options are refused.
    #[test]
    fn list_commands_page_as_the_aws_cli_pages_them() {
        let mut f = Fixture::of(ADMIN_WORLD);
        assert_eq!(f.run("aws configure --profile alice").status, 0);
        let mut ids = Vec::new();
        for _ in 0..5 {
            let out =
                f.run("aws kms create-key --profile alice --query KeyMetadata.KeyId --output text");
            ids.push(out.stdout.trim().to_owned());
        }
        let keys = |out: &Output| -> Vec<String> {
            out.response.as_deref().unwrap()["Keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["KeyId"].as_str().unwrap().to_owned())
                .collect()
        };
        let next_token = |out: &Output| -> Option<String> {
            out.response.as_deref().unwrap()["NextToken"]
                .as_str()
                .map(str::to_owned)
        };

        let all = f.run("aws kms list-keys --profile alice");
        assert_eq!(keys(&all), ids);
        assert!(!all.stdout.contains("Truncated"), "{}", all.stdout);
        assert_eq!(next_token(&all), None);
        let pages = f.run("aws kms list-keys --profile alice --page-size 2");
        assert_eq!(keys(&pages), ids);

        // Stopped at the end of a page: the token is the next page's marker.
        let first = f.run("aws kms list-keys --profile alice --page-size 2 --max-items 2");
        assert_eq!(keys(&first), ids[..2]);
        let token = next_token(&first).unwrap();
        assert_eq!(
            BASE64.decode(&token).unwrap(),
            b"{\"Marker\": \"page-2\"}".to_vec()
        );
        assert!(
            first
                .stdout
                .ends_with(&format!("    \"NextToken\": \"{token}\"\n}}\n"))
        );
        // Stopped inside a page: the token says how much of it was printed.
        let second = f.run(&format!(
            "aws kms list-keys --profile alice --page-size 2 --max-items 1 --starting-token {token}"
        ));
        assert_eq!(keys(&second), ids[2..3]);
        let token = next_token(&second).unwrap();
        assert_eq!(
            BASE64.decode(&token).unwrap(),
            b"{\"Marker\": \"page-2\", \"boto_truncate_amount\": 1}".to_vec()
        );
        let rest = f.run(&format!(
            "aws kms list-keys --profile alice --starting-token {token}"
        ));
        assert_eq!(keys(&rest), ids[3..]);
        assert_eq!(next_token(&rest), None);
        let text = f
            .run("aws kms list-keys --profile alice --max-items 1 --output text --query NextToken");
        assert_eq!(
            BASE64.decode(text.stdout.trim()).unwrap(),
            b"{\"Marker\": null, \"boto_truncate_amount\": 1}".to_vec()
        );

        // The service's own paging: one call, its answer as sent.
        let raw = f.run("aws kms list-keys --profile alice --limit 2");
        let response = raw.response.as_deref().unwrap();
        assert_eq!(response["Truncated"], true);
        assert_eq!(response["NextMarker"], "page-2");
        assert_eq!(keys(&raw), ids[..2]);
        for line in [
            "aws kms list-keys --profile alice --limit 2 --max-items 1",
            "aws kms list-keys --profile alice --no-paginate --max-items 1",
        ] {
            let refused = f.run(line);
            assert_eq!(refused.status, STATUS_USAGE, "{line}");
            assert_eq!(
                refused.stderr,
                "\nParameter validation failed:\nCannot specify --no-paginate along with pagination arguments: --max-items\n"
            );
        }
        let bad = f.run("aws kms list-keys --profile alice --starting-token a___b___c");
        assert_eq!(
            (bad.status, bad.stderr.as_str()),
            (STATUS_FAILED, "\nBad starting token: a___b___c\n")
        );
        let not_a_number = f.run("aws kms list-keys --profile alice --max-items two");
        assert!(
            not_a_number
                .stderr
                .ends_with("aws: error: argument --max-items: invalid int value: 'two'\n"),
            "{}",
            not_a_number.stderr
        );
        // Commands that do not page take no paging options.
        let unknown = f.run("aws kms describe-key --key-id alias/x --profile alice --max-items 1");
        assert!(
            unknown.stderr.contains("Unknown options: --max-items, 1"),
            "{}",
            unknown.stderr
        );
        let help = f.run("aws kms list-keys help");
        assert!(
            help.stdout.contains("[--max-items <value>]"),
            "{}",
            help.stdout
        );
        assert!(!help.stdout.contains("--limit"), "{}", help.stdout);
    }

    /// KMS API Reference, Sign, Verify and GetPublicKey, and the AWS CLI's `sign`, `verify` and
    /// `get-public-key`: a signature made by `sign` verifies, `SignatureValid` is printed, and
    /// another message is `KMSInvalidSignatureException`.
    #[test]
    fn sign_verify_and_get_public_key_take_and_print_aws_field_names() {
        let mut f = Fixture::of(ADMIN_WORLD);
        assert_eq!(f.run("aws configure --profile alice").status, 0);
        let created = f.run("K=$(aws kms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --profile alice --query KeyMetadata.Arn --output text)");
        assert_eq!(created.status, 0, "{}", created.stderr);
        let signed = f.run("S=$(aws kms sign --key-id $K --message aGVsbG8= --signing-algorithm ECDSA_SHA_256 --profile alice --query Signature --output text)");
        assert_eq!(signed.status, 0, "{}", signed.stderr);
        let verified = f.run("aws kms verify --key-id $K --message aGVsbG8= --signing-algorithm ECDSA_SHA_256 --signature $S --profile alice --query SignatureValid");
        assert_eq!((verified.status, verified.stdout.as_str()), (0, "true\n"));
        let forged = f.run("aws kms verify --key-id $K --message aGVsbG9v --signing-algorithm ECDSA_SHA_256 --signature $S --profile alice");
        assert_eq!(forged.status, STATUS_SERVICE_ERROR);
        assert!(
            forged.stderr.contains("(KMSInvalidSignatureException)"),
            "{}",
            forged.stderr
        );
        let public = f.run("aws kms get-public-key --key-id $K --profile alice");
        let response = public.response.as_deref().unwrap();
        assert_eq!(response["KeySpec"], "ECC_NIST_P256");
        assert_eq!(response["SigningAlgorithms"][0], "ECDSA_SHA_256");
        // A P-256 SubjectPublicKeyInfo is 91 bytes: 124 characters of base64.
        assert_eq!(response["PublicKey"].as_str().map(str::len), Some(124));
    }

    /// KMS API Reference, GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext, and the
    /// AWS CLI's `generate-data-key-pair` and `generate-data-key-pair-without-plaintext`:
    /// `--key-pair-spec` is required, the responses carry `PrivateKeyCiphertextBlob`,
    /// `PrivateKeyPlaintext` (the first only), `PublicKey`, `KeyId`, `KeyPairSpec` and
    /// `KeyMaterialId`, and
    /// `decrypt` returns the private key from its ciphertext blob.
    #[test]
    fn generate_data_key_pair_takes_and_prints_aws_field_names() {
        let mut f = Fixture::demo1();
        let pair = f.run("aws kms generate-data-key-pair --key-id alias/DemoKey --key-pair-spec ECC_NIST_P256 --encryption-context app=demo --profile alice");
        assert_eq!(pair.status, 0, "{}", pair.stderr);
        let response = pair.response.as_deref().unwrap();
        let fields: Vec<&str> = response
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields,
            [
                "PrivateKeyCiphertextBlob",
                "PrivateKeyPlaintext",
                "PublicKey",
                "KeyId",
                "KeyPairSpec",
                "KeyMaterialId"
            ]
        );
        assert_eq!(response["KeyId"], KEY_ARN);
        assert_eq!(response["KeyPairSpec"], "ECC_NIST_P256");
        let private = response["PrivateKeyPlaintext"].as_str().unwrap().to_owned();
        let blob = response["PrivateKeyCiphertextBlob"]
            .as_str()
            .unwrap()
            .to_owned();
        let decrypted = f.run(&format!(
            "aws kms decrypt --ciphertext-blob {blob} --encryption-context app=demo --profile alice --query Plaintext --output text"
        ));
        assert_eq!(decrypted.status, 0, "{}", decrypted.stderr);
        assert_eq!(decrypted.stdout, format!("{private}\n"));

        let without = f.run("aws kms generate-data-key-pair-without-plaintext --key-id alias/DemoKey --key-pair-spec ECC_NIST_P384 --profile alice");
        assert_eq!(without.status, 0, "{}", without.stderr);
        let response = without.response.as_deref().unwrap();
        assert!(response.get("PrivateKeyPlaintext").is_none());
        assert_eq!(response["KeyPairSpec"], "ECC_NIST_P384");

        let missing =
            f.run("aws kms generate-data-key-pair --key-id alias/DemoKey --profile alice");
        assert_eq!(missing.status, STATUS_USAGE, "{}", missing.stderr);
        assert!(
            missing.stderr.contains("--key-pair-spec"),
            "{}",
            missing.stderr
        );
        let rsa = f.run("aws kms generate-data-key-pair-without-plaintext --key-id alias/DemoKey --key-pair-spec RSA_2048 --profile alice --query KeyPairSpec --output text");
        assert_eq!(
            (rsa.status, rsa.stdout.as_str()),
            (0, "RSA_2048\n"),
            "{}",
            rsa.stderr
        );
        let sm2 = f.run("aws kms generate-data-key-pair --key-id alias/DemoKey --key-pair-spec SM2 --profile alice");
        assert_eq!(sm2.status, STATUS_SERVICE_ERROR);
        assert!(
            sm2.stderr.contains("(UnsupportedOperationException)")
                && sm2
                    .stderr
                    .contains("it generates only RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256"),
            "{}",
            sm2.stderr
        );
    }

    /// KMS API Reference, CreateKey (KeyUsage KEY_AGREEMENT for NIST elliptic-curve specs),
    /// GetPublicKey and DeriveSharedSecret, and the AWS CLI's `create-key --key-usage
    /// KEY_AGREEMENT` and `derive-shared-secret` (`--key-agreement-algorithm`, `--public-key`
    /// as a blob): two key agreement keys derive the same `SharedSecret` from each other's
    /// public keys; a signing key is `InvalidKeyUsageException`.
    #[test]
    fn derive_shared_secret_takes_and_prints_aws_field_names() {
        let mut f = Fixture::of(ADMIN_WORLD);
        assert_eq!(f.run("aws configure --profile alice").status, 0);
        for name in ["A", "B"] {
            let created = f.run(&format!("{name}=$(aws kms create-key --key-spec ECC_NIST_P256 --key-usage KEY_AGREEMENT --profile alice --query KeyMetadata.Arn --output text)"));
            assert_eq!(created.status, 0, "{}", created.stderr);
            let public = f.run(&format!("P{name}=$(aws kms get-public-key --key-id ${name} --profile alice --query PublicKey --output text)"));
            assert_eq!(public.status, 0, "{}", public.stderr);
        }
        let ab = f.run("aws kms derive-shared-secret --key-id $A --key-agreement-algorithm ECDH --public-key $PB --profile alice");
        assert_eq!(ab.status, 0, "{}", ab.stderr);
        let response = ab.response.as_deref().unwrap();
        let fields: Vec<&str> = response
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            fields,
            [
                "KeyId",
                "SharedSecret",
                "KeyAgreementAlgorithm",
                "KeyOrigin"
            ]
        );
        assert_eq!(response["KeyAgreementAlgorithm"], "ECDH");
        assert_eq!(response["KeyOrigin"], "AWS_KMS");
        let ba = f.run("aws kms derive-shared-secret --key-id $B --key-agreement-algorithm ECDH --public-key $PA --profile alice --query SharedSecret");
        assert_eq!(ba.status, 0, "{}", ba.stderr);
        assert_eq!(ba.stdout, format!("{}\n", response["SharedSecret"]));

        let signing = f.run("S=$(aws kms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --profile alice --query KeyMetadata.Arn --output text)");
        assert_eq!(signing.status, 0, "{}", signing.stderr);
        let refused = f.run("aws kms derive-shared-secret --key-id $S --key-agreement-algorithm ECDH --public-key $PA --profile alice");
        assert_eq!(refused.status, STATUS_SERVICE_ERROR);
        assert!(
            refused.stderr.contains("(InvalidKeyUsageException)")
                && refused.stderr.contains(
                    "key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."
                ),
            "{}",
            refused.stderr
        );
        let described = f.run("aws kms describe-key --key-id $A --profile alice --query KeyMetadata.[KeyUsage,KeyAgreementAlgorithms[0]] --output text");
        assert_eq!(described.stdout, "KEY_AGREEMENT\tECDH\n");
    }

    /// KMS API Reference, CreateKey, Encrypt, Decrypt, Sign, Verify and GetPublicKey with RSA
    /// keys, and the AWS CLI's options for them: `--key-usage` picks an RSA key's usage,
    /// `encrypt --encryption-algorithm RSAES_OAEP_SHA_256` makes ciphertext that `decrypt`
    /// opens given `--key-id` and the same algorithm, `sign`/`verify` take the RSASSA
    /// algorithms, and `get-public-key` lists the key's `EncryptionAlgorithms` or
    /// `SigningAlgorithms`; a signing key cannot encrypt (InvalidKeyUsageException).
    #[test]
    fn rsa_keys_encrypt_decrypt_sign_and_verify_in_the_emulator() {
        let mut f = Fixture::of(ADMIN_WORLD);
        assert_eq!(f.run("aws configure --profile alice").status, 0);
        let created = f.run("E=$(aws kms create-key --key-spec RSA_2048 --key-usage ENCRYPT_DECRYPT --profile alice --query KeyMetadata.Arn --output text)");
        assert_eq!(created.status, 0, "{}", created.stderr);
        let encrypted = f.run("C=$(aws kms encrypt --key-id $E --plaintext hello --encryption-algorithm RSAES_OAEP_SHA_256 --profile alice --query CiphertextBlob --output text)");
        assert_eq!(encrypted.status, 0, "{}", encrypted.stderr);
        let decrypted = f.run("aws kms decrypt --key-id $E --ciphertext-blob $C --encryption-algorithm RSAES_OAEP_SHA_256 --profile alice --query Plaintext --output text");
        // `--plaintext` is text; the response's Plaintext is base64: "hello" is aGVsbG8=.
        assert_eq!(
            (decrypted.status, decrypted.stdout.as_str()),
            (0, "aGVsbG8=\n"),
            "{}",
            decrypted.stderr
        );
        let without_key = f.run("aws kms decrypt --ciphertext-blob $C --encryption-algorithm RSAES_OAEP_SHA_256 --profile alice");
        assert!(
            without_key.stderr.contains("(InvalidCiphertextException)"),
            "{}",
            without_key.stderr
        );
        let public = f.run("aws kms get-public-key --key-id $E --profile alice");
        let response = public.response.as_deref().unwrap();
        assert_eq!(response["KeyUsage"], "ENCRYPT_DECRYPT");
        assert_eq!(response["EncryptionAlgorithms"][1], "RSAES_OAEP_SHA_256");
        assert!(response.get("SigningAlgorithms").is_none());

        let created = f.run("S=$(aws kms create-key --key-spec RSA_2048 --key-usage SIGN_VERIFY --profile alice --query KeyMetadata.Arn --output text)");
        assert_eq!(created.status, 0, "{}", created.stderr);
        let signed = f.run("G=$(aws kms sign --key-id $S --message aGVsbG8= --signing-algorithm RSASSA_PSS_SHA_256 --profile alice --query Signature --output text)");
        assert_eq!(signed.status, 0, "{}", signed.stderr);
        let verified = f.run("aws kms verify --key-id $S --message aGVsbG8= --signing-algorithm RSASSA_PSS_SHA_256 --signature $G --profile alice --query SignatureValid");
        assert_eq!((verified.status, verified.stdout.as_str()), (0, "true\n"));
        let forged = f.run("aws kms verify --key-id $S --message aGVsbG9v --signing-algorithm RSASSA_PSS_SHA_256 --signature $G --profile alice");
        assert!(
            forged.stderr.contains("(KMSInvalidSignatureException)"),
            "{}",
            forged.stderr
        );
        let refused = f.run("aws kms encrypt --key-id $S --plaintext hello --encryption-algorithm RSAES_OAEP_SHA_1 --profile alice");
        assert!(
            refused.stderr.contains("(InvalidKeyUsageException)"),
            "{}",
            refused.stderr
        );
        let public = f.run("aws kms get-public-key --key-id $S --profile alice");
        let response = public.response.as_deref().unwrap();
        assert_eq!(response["SigningAlgorithms"][0], "RSASSA_PSS_SHA_256");
        assert!(response.get("EncryptionAlgorithms").is_none());
    }

    /// KMS API Reference, GenerateMac and VerifyMac, and the AWS CLI's `generate-mac` and
    /// `verify-mac`: `--message` and `--mac` are blobs (base64 text), the responses carry `Mac`,
    /// `MacAlgorithm`, `KeyId` and `MacValid`, and a MAC that does not verify is
    /// `KMSInvalidMacException` with exit status 254.
    #[test]
    fn generate_mac_and_verify_mac_take_and_print_aws_field_names() {
        let mut f = Fixture::of(ADMIN_WORLD);
        assert_eq!(f.run("aws configure --profile alice").status, 0);
        let created = f.run("K=$(aws kms create-key --key-spec HMAC_512 --key-usage GENERATE_VERIFY_MAC --profile alice --query KeyMetadata.Arn --output text)");
        assert_eq!(created.status, 0, "{}", created.stderr);
        let key = f.session.variable("K").unwrap().to_owned();
        let mac = f.run("aws kms generate-mac --key-id $K --message aGVsbG8= --mac-algorithm HMAC_SHA_512 --profile alice");
        assert_eq!(mac.status, 0, "{}", mac.stderr);
        let generated = mac.response.as_deref().unwrap();
        assert_eq!(generated["KeyId"], key.as_str());
        assert_eq!(generated["MacAlgorithm"], "HMAC_SHA_512");
        assert_eq!(
            generated["Mac"].as_str().map(str::len),
            Some(88),
            "64 bytes in base64"
        );
        let captured = f.run("M=$(aws kms generate-mac --key-id $K --message aGVsbG8= --mac-algorithm HMAC_SHA_512 --profile alice --query Mac --output text)");
        assert_eq!(captured.status, 0, "{}", captured.stderr);
        assert_eq!(f.session.variable("M"), generated["Mac"].as_str());
        let verified = f.run("aws kms verify-mac --key-id $K --message aGVsbG8= --mac-algorithm HMAC_SHA_512 --mac $M --profile alice");
        assert_eq!(verified.status, 0, "{}", verified.stderr);
        assert_eq!(
            verified.stdout,
            format!(
                "{{\n    \"KeyId\": \"{key}\",\n    \"MacValid\": true,\n    \"MacAlgorithm\": \"HMAC_SHA_512\"\n}}\n"
            )
        );
        let wrong = f.run("aws kms verify-mac --key-id $K --message aGVsbG9v --mac-algorithm HMAC_SHA_512 --mac $M --profile alice");
        assert_eq!(wrong.status, STATUS_SERVICE_ERROR);
        assert!(
            wrong
                .stderr
                .contains("(KMSInvalidMacException) when calling the VerifyMac operation"),
            "{}",
            wrong.stderr
        );
    }

    /// IAM User Guide, reference_identifiers.html: roles and users under a path keep it in
    /// their ARN; the emulator takes them as callers and as grantees like any other principal.
    #[test]
    fn principals_with_iam_paths_call_and_receive_grants() {
        let text = r#"{
          "principals": [
            {"name": "admin", "arn": "arn:aws:iam::111122223333:user/ops/admin"},
            {"name": "exec", "arn": "arn:aws:iam::111122223333:role/service-role/lambda-exec"},
            {"name": "run", "arn": "arn:aws:sts::111122223333:assumed-role/lambda-exec/run"}
          ],
          "keys": [{"name": "K", "aliases": ["alias/PathKey"], "policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/ops/admin"},
             "Action": "kms:*", "Resource": "*"}]}}]
        }"#;
        let mut rng = SeededRandomness::new(7);
        let loaded = kms_engine::scenario::load(text, NOW, &mut rng).unwrap();
        let mut f = Fixture {
            world: loaded.world,
            rng,
            session: Session::new(NOW),
        };
        for line in [
            "aws configure set principal arn:aws:iam::111122223333:user/ops/admin --profile admin",
            "aws configure set region us-east-1 --profile admin",
            "aws configure set principal arn:aws:sts::111122223333:assumed-role/lambda-exec/run --profile run",
            "aws configure set region us-east-1 --profile run",
        ] {
            assert_eq!(f.run(line).status, 0, "{line}");
        }
        // CreateGrant takes a key id or ARN, not an alias (KMS API Reference, CreateGrant).
        let key = f.world.keys.keys().next().unwrap().arn.clone();
        let grant = f.run(&format!("aws kms create-grant --key-id {key} --grantee-principal arn:aws:iam::111122223333:role/service-role/lambda-exec --operations Encrypt --profile admin"));
        assert_eq!(grant.status, 0, "{}", grant.stderr);
        assert_eq!(f.run("sleep 5m").status, 0);
        let encrypt = f.run("aws kms encrypt --plaintext hi --key-id alias/PathKey --profile run");
        assert_eq!(encrypt.status, 0, "{}", encrypt.stderr);
        let decrypt_denied = f.run("aws kms list-keys --profile run");
        assert_eq!(decrypt_denied.status, STATUS_SERVICE_ERROR);
    }

    /// KMS Developer Guide, grant-manage.html#using-grant-token: a new grant works at once with
    /// its token, and without it only after eventual consistency (up to five minutes).
    #[test]
    fn a_captured_grant_token_works_at_once_and_the_grant_alone_after_the_window() {
        let mut f = Fixture::demo1();
        let out = f.run(&format!(
            "T=$(aws kms create-grant --key-id {KEY_ARN} --grantee-principal arn:aws:iam::111122223333:user/Bob --operations Encrypt Decrypt --profile alice --query GrantToken --output text)"
        ));
        assert_eq!(
            (out.status, out.stdout.as_str(), out.stderr.as_str()),
            (0, "", "")
        );
        let token = f.session.variable("T").unwrap().to_owned();
        assert!(!token.is_empty() && !token.contains('\n'));
        let with = f.run("aws kms encrypt --plaintext Friday --key-id alias/DemoKey --grant-tokens ${T} --profile bob");
        assert_eq!(with.status, 0, "{}", with.stderr);
        let without =
            f.run("aws kms encrypt --plaintext Friday --key-id alias/DemoKey --profile bob");
        assert_eq!(without.status, STATUS_SERVICE_ERROR);
        assert!(without.stderr.starts_with("\nAn error occurred (AccessDeniedException) when calling the Encrypt operation: User: arn:aws:iam::111122223333:user/Bob"));
        assert_eq!(f.run("sleep 5m").status, 0);
        assert_eq!(f.session.now(), NOW.plus_millis(300_000));
        let later = f.run("aws kms encrypt --plaintext Friday --key-id alias/DemoKey --profile bob --query KeyId --output text");
        assert_eq!(
            (later.status, later.stdout.as_str()),
            (0, format!("{KEY_ARN}\n").as_str())
        );
    }

    #[test]
    fn a_line_carries_its_response_and_its_denial_beside_the_text() {
        let mut f = Fixture::demo1();
        let denied =
            f.run("aws kms encrypt --plaintext Friday --key-id alias/DemoKey --profile bob");
        let denial = denied.denial.as_deref().unwrap();
        assert_eq!(
            (
                denial.caller.as_str(),
                denial.action,
                denial.resource.as_str()
            ),
            (
                "arn:aws:iam::111122223333:user/Bob",
                kms_engine::catalog::Action::Encrypt,
                KEY_ARN
            )
        );
        assert!(denied.stderr.contains(denial.message()));
        assert!(denied.response.is_none());
        // And the request the refused call sent, as the KMS API received it.
        let sent = denied.denied_request.as_deref().unwrap();
        assert_eq!(sent["KeyId"], "alias/DemoKey");
        assert!(sent.contains_key("Plaintext"));
        // The response is the service's, whatever `--query` printed.
        let described = f.run(
            "aws kms describe-key --key-id alias/DemoKey --profile alice --query KeyMetadata.KeyId --output text",
        );
        let response = described.response.as_deref().unwrap();
        assert_eq!(response["KeyMetadata"]["Arn"], KEY_ARN);
        assert!(described.denial.is_none());
        assert!(described.denied_request.is_none());
    }

    #[test]
    fn ciphertexts_round_trip_through_variables_and_text_output() {
        let mut f = Fixture::demo1();
        f.run("CT=$(aws kms encrypt --plaintext 'Cloud Academy' --key-id alias/DemoKey --encryption-context dept=eng --profile alice --query CiphertextBlob --output text)");
        let out = f.run("aws kms decrypt --ciphertext-blob $CT --encryption-context dept=eng --profile alice --output text --query Plaintext");
        assert_eq!(out.stdout, "Q2xvdWQgQWNhZGVteQ==\n", "{}", out.stderr);
        let wrong = f.run(
            "aws kms decrypt --ciphertext-blob $CT --encryption-context dept=ops --profile alice",
        );
        assert!(
            wrong
                .stderr
                .contains("(InvalidCiphertextException) when calling the Decrypt operation"),
            "{}",
            wrong.stderr
        );
        let echoed = f.run("echo \"status $?\"");
        assert_eq!(echoed.stdout, "status 254\n");
    }

    #[test]
    fn profiles_resolve_as_the_aws_cli_would() {
        let mut f = Fixture::demo1();
        let no_profile = f.run("aws sts get-caller-identity");
        assert_eq!(no_profile.status, STATUS_CONFIG);
        assert_eq!(
            no_profile.stderr,
            "\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n"
        );
        f.run("export AWS_PROFILE=ALICE");
        let who = f.run("aws sts get-caller-identity --query Arn --output text");
        assert_eq!(who.stdout, "arn:aws:iam::111122223333:user/Alice\n");
        assert_eq!(
            f.run("aws configure set principal Bob --profile ops")
                .status,
            0
        );
        let ops = f.run("aws sts get-caller-identity --profile ops --output text");
        assert!(
            ops.stdout
                .starts_with("111122223333\tarn:aws:iam::111122223333:user/Bob\tAIDA"),
            "{}",
            ops.stdout
        );
        assert_eq!(f.run("aws configure list-profiles").stdout, "ops\n");
        let unknown = f.run("aws kms list-keys --profile carol");
        assert_eq!(
            unknown.stderr,
            "\nThe config profile (carol) could not be found\n"
        );
    }

    #[test]
    fn output_formats_and_queries_apply_to_real_responses() {
        let mut f = Fixture::demo1();
        let table =
            f.run("aws kms describe-key --key-id alias/DemoKey --profile alice --output table");
        assert!(table.stdout.starts_with("-"), "{}", table.stdout);
        assert!(table.stdout.contains("|  KeyState  "), "{}", table.stdout);
        assert!(
            table
                .stdout
                .lines()
                .any(|l| l.trim_matches(|c| c == '|' || c == ' ') == "DescribeKey")
        );
        // ListAliases is authorized by IAM policies alone (KMS Developer Guide, alias-access.html).
        let aliases = f.run("aws kms list-aliases --profile alice");
        assert!(aliases.stderr.contains("not authorized to perform: kms:ListAliases on resource: * because no identity-based policy allows the kms:ListAliases action"), "{}", aliases.stderr);
        f.run(&format!("aws kms create-grant --key-id {KEY_ARN} --grantee-principal arn:aws:iam::111122223333:user/Bob --operations Decrypt --profile alice"));
        let text = f.run(&format!(
            "aws kms list-grants --key-id {KEY_ARN} --profile alice --query 'Grants[?GranteePrincipal==`arn:aws:iam::111122223333:user/Bob`].Operations[]' --output text"
        ));
        assert_eq!(text.stdout, "Decrypt\n", "{}", text.stderr);
        let json = f.run("aws kms describe-key --key-id alias/DemoKey --profile alice --query KeyMetadata.CreationDate");
        assert_eq!(json.stdout, "\"2024-01-01T00:00:00+00:00\"\n");
        let nothing = f.run("aws kms enable-key --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --profile cloudacademy");
        assert_eq!(
            (
                nothing.status,
                nothing.stdout.as_str(),
                nothing.stderr.as_str()
            ),
            (0, "", "")
        );
    }

    #[test]
    fn dry_run_and_other_regions() {
        let mut f = Fixture::demo1();
        let dry =
            f.run("aws kms encrypt --plaintext x --key-id alias/DemoKey --profile alice --dry-run");
        assert!(
            dry.stderr
                .contains("(DryRunOperationException) when calling the Encrypt operation"),
            "{}",
            dry.stderr
        );
        let elsewhere =
            f.run("aws kms describe-key --key-id alias/DemoKey --profile alice --region eu-west-2");
        assert_eq!(elsewhere.status, STATUS_SERVICE_ERROR);
        assert!(
            elsewhere
                .stderr
                .contains("(NotFoundException) when calling the DescribeKey operation"),
            "{}",
            elsewhere.stderr
        );
        assert!(
            elsewhere.stderr.contains("eu-west-2"),
            "{}",
            elsewhere.stderr
        );
    }

    /// `--region` on a command, else the profile's `region`, is the Region the request is sent
    /// to (AWS CLI User Guide, cli-configure-options.html: `--region` overrides the profile's
    /// `region`). CreateKey makes the key there, ListKeys and ListAliases list that Region's,
    /// a bare key id is looked up there, and a key ARN of another Region is refused with
    /// `NotFoundException: Invalid arn REGION` (KMS Developer Guide, concepts.html#key-id).
    #[test]
    fn region_from_the_command_line_or_the_profile() {
        let mut f = Fixture::of(ADMIN_WORLD);
        assert_eq!(f.run("aws configure --profile alice").status, 0);
        assert_eq!(
            f.run("aws configure set region eu-west-2 --profile alice")
                .status,
            0
        );
        let eu = f.run("aws kms create-key --profile alice --query KeyMetadata.Arn --output text");
        assert_eq!(eu.status, 0, "{}", eu.stderr);
        let eu_arn = eu.stdout.trim().to_owned();
        assert!(
            eu_arn.starts_with("arn:aws:kms:eu-west-2:111122223333:key/"),
            "{eu_arn}"
        );
        let home = f.run(
            "aws kms create-key --profile alice --region us-east-1 --query KeyMetadata.KeyId --output text",
        );
        assert_eq!(home.status, 0, "{}", home.stderr);
        let home_id = home.stdout.trim().to_owned();
        let listed = f.run("aws kms list-keys --profile alice --query Keys[].KeyArn --output text");
        assert_eq!(listed.stdout.trim(), eu_arn);
        let listed_home = f.run(
            "aws kms list-keys --profile alice --region us-east-1 --query Keys[].KeyId --output text",
        );
        assert_eq!(listed_home.stdout.trim(), home_id);
        // The same alias name in both Regions.
        for region in ["eu-west-2", "us-east-1"] {
            let key = if region == "us-east-1" {
                home_id.clone()
            } else {
                eu_arn.clone()
            };
            let made = f.run(&format!(
                "aws kms create-alias --alias-name alias/app --target-key-id {key} --profile alice --region {region}"
            ));
            assert_eq!(made.status, 0, "{}", made.stderr);
        }
        let bare = f.run(&format!(
            "aws kms describe-key --key-id {home_id} --profile alice"
        ));
        assert_eq!(bare.status, STATUS_SERVICE_ERROR);
        assert!(
            bare.stderr.contains(&format!(
                "(NotFoundException) when calling the DescribeKey operation: Key 'arn:aws:kms:eu-west-2:111122223333:key/{home_id}' does not exist"
            )),
            "{}",
            bare.stderr
        );
        let other = f.run(&format!(
            "aws kms describe-key --key-id {eu_arn} --profile alice --region us-east-1"
        ));
        assert!(
            other.stderr.contains(
                "(NotFoundException) when calling the DescribeKey operation: Invalid arn eu-west-2"
            ),
            "{}",
            other.stderr
        );
    }

    /// `aws kms create-key --multi-region` makes a multi-Region primary key: an `mrk-` key id,
    /// `MultiRegion` true and its `MultiRegionConfiguration` (KMS API Reference, CreateKey
    /// MultiRegion and MultiRegionConfiguration).
    #[test]
    fn create_key_multi_region() {
        let mut f = Fixture::of(ADMIN_WORLD);
        assert_eq!(f.run("aws configure --profile alice").status, 0);
        let out = f.run("aws kms create-key --multi-region --profile alice --region eu-west-1");
        assert_eq!(out.status, 0, "{}", out.stderr);
        let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let metadata = &value["KeyMetadata"];
        let id = metadata["KeyId"].as_str().unwrap();
        assert!(id.starts_with("mrk-") && id.len() == 36, "{id}");
        assert_eq!(metadata["MultiRegion"], true);
        assert_eq!(
            metadata["MultiRegionConfiguration"]["MultiRegionKeyType"],
            "PRIMARY"
        );
        assert_eq!(
            metadata["MultiRegionConfiguration"]["PrimaryKey"]["Region"],
            "eu-west-1"
        );
        let text = f.run(&format!(
            "aws kms describe-key --key-id {id} --profile alice --region eu-west-1 --query KeyMetadata.MultiRegionConfiguration.PrimaryKey.Arn --output text"
        ));
        assert_eq!(
            text.stdout.trim(),
            format!("arn:aws:kms:eu-west-1:111122223333:key/{id}")
        );
    }

    /// `aws kms replicate-key` prints `ReplicaKeyMetadata`, `ReplicaPolicy` and `ReplicaTags`
    /// (KMS API Reference, ReplicateKey, Response Syntax); the replica is found by its key id in
    /// its own Region; `aws kms update-primary-region` prints nothing and swaps the roles (API
    /// Reference, UpdatePrimaryRegion); ciphertext from one Region decrypts in the other.
    #[test]
    fn replicate_key_and_update_primary_region() {
        let mut f = Fixture::of(ADMIN_WORLD);
        assert_eq!(f.run("aws configure --profile alice").status, 0);
        let id = f.run(
            "aws kms create-key --multi-region --profile alice --region us-east-1 --query KeyMetadata.KeyId --output text",
        );
        let id = id.stdout.trim().to_owned();
        let out = f.run(&format!(
            "aws kms replicate-key --key-id {id} --replica-region eu-west-2 --description copy --tags TagKey=Team,TagValue=Blue --profile alice --region us-east-1"
        ));
        assert_eq!(out.status, 0, "{}", out.stderr);
        let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["ReplicaKeyMetadata", "ReplicaPolicy", "ReplicaTags"]);
        let metadata = &value["ReplicaKeyMetadata"];
        assert_eq!(metadata["KeyId"], id.as_str());
        assert_eq!(
            metadata["Arn"],
            format!("arn:aws:kms:eu-west-2:111122223333:key/{id}")
        );
        assert_eq!(
            metadata["MultiRegionConfiguration"]["MultiRegionKeyType"],
            "REPLICA"
        );
        assert_eq!(value["ReplicaTags"][0]["TagValue"], "Blue");
        assert!(value["ReplicaPolicy"].as_str().unwrap().contains("kms:*"));
        let again = f.run(&format!(
            "aws kms replicate-key --key-id {id} --replica-region eu-west-2 --profile alice --region us-east-1"
        ));
        assert!(
            again
                .stderr
                .contains("(AlreadyExistsException) when calling the ReplicateKey operation"),
            "{}",
            again.stderr
        );

        let blob = f.run(&format!(
            "aws kms encrypt --key-id {id} --plaintext hello --profile alice --region us-east-1 --query CiphertextBlob --output text"
        ));
        let blob = blob.stdout.trim().to_owned();
        let decrypt = format!(
            "aws kms decrypt --ciphertext-blob {blob} --profile alice --region eu-west-2 --query KeyId --output text"
        );
        // The new replica is Creating for a few seconds (KMS API Reference, ReplicateKey).
        let early = f.run(&decrypt);
        assert!(
            early.stderr.contains(
                "(KMSInvalidStateException) when calling the Decrypt operation: arn:aws:kms:eu-west-2:111122223333:key/"
            ) && early.stderr.contains(" is creating."),
            "{}",
            early.stderr
        );
        assert_eq!(f.run("sleep 5").status, 0);
        let opened = f.run(&decrypt);
        assert_eq!(opened.status, 0, "{}", opened.stderr);
        assert_eq!(
            opened.stdout.trim(),
            format!("arn:aws:kms:eu-west-2:111122223333:key/{id}")
        );
        let described = f.run(&format!(
            "aws kms describe-key --key-id {id} --profile alice --region eu-west-2 --query KeyMetadata.Description --output text"
        ));
        assert_eq!(described.stdout.trim(), "copy");

        let update = f.run(&format!(
            "aws kms update-primary-region --key-id {id} --primary-region eu-west-2 --profile alice --region us-east-1"
        ));
        assert_eq!(update.status, 0, "{}", update.stderr);
        assert_eq!(update.stdout, "");
        let kind = f.run(&format!(
            "aws kms describe-key --key-id {id} --profile alice --region us-east-1 --query KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType --output text"
        ));
        assert_eq!(kind.stdout.trim(), "REPLICA");
        // Both keys are Updating for a few seconds, then Enabled again (API Reference,
        // UpdatePrimaryRegion).
        let state = |f: &mut Fixture, region: &str| {
            f.run(&format!(
                "aws kms describe-key --key-id {id} --profile alice --region {region} --query KeyMetadata.KeyState --output text"
            ))
            .stdout
            .trim()
            .to_owned()
        };
        assert_eq!(state(&mut f, "us-east-1"), "Updating");
        assert_eq!(state(&mut f, "eu-west-2"), "Updating");
        assert_eq!(f.run("sleep 5").status, 0);
        assert_eq!(state(&mut f, "us-east-1"), "Enabled");
        assert_eq!(state(&mut f, "eu-west-2"), "Enabled");
    }

    #[test]
    fn help_and_shell_errors() {
        let mut f = Fixture::demo1();
        assert!(
            f.run("aws kms help")
                .stdout
                .contains("       o create-grant\n")
        );
        assert!(
            f.run("aws kms create-grant help")
                .stdout
                .contains("          --operations <value>\n")
        );
        let nested = f.run("X=$(aws kms encrypt --profile alice)");
        assert_eq!(nested.status, STATUS_USAGE);
        assert!(
            nested
                .stderr
                .contains("the following arguments are required: --key-id, --plaintext")
        );
        assert_eq!(f.run("A=1 aws kms list-keys").status, STATUS_SYNTAX);
        assert!(f.run("clear").clear);
        assert_eq!(
            f.run("sleep soon").stderr,
            "sleep: invalid time interval 'soon'\n"
        );
    }

    /// `sh script` runs each line as its own process: a line the AWS CLI or the shell refuses
    /// sets `$?` and the next line runs (POSIX Shell Command Language, 2.9.3 Lists: "commands
    /// ... shall be executed sequentially"; only `set -e` stops at a failure).
    #[test]
    fn a_script_goes_on_after_bad_input_and_reports_its_lines() {
        let mut f = Fixture::demo1();
        let mut seen = Vec::new();
        let mut host = Host {
            world: &mut f.world,
            rng: &mut f.rng,
            files: &NoFiles,
        };
        let result = f.session.run_script(
            "# comment\necho one \\\n  two\nnope\necho $?\naws kms list-keys --profile alice --bogus\necho after\n",
            &mut host,
            &mut |line, text, out| seen.push((line, text.to_owned(), out.stdout.clone())),
        );
        assert_eq!(
            result,
            Ok(vec![
                ScriptError {
                    line: 4,
                    message: "nope: command not found (this emulator runs `aws`, `echo`, `sleep`, `export`, `unset`, `clear`, `NAME=value` and `#` comments)".to_owned()
                },
                ScriptError {
                    line: 6,
                    message: "Unknown options: --bogus".to_owned()
                },
            ])
        );
        assert_eq!(
            seen[0],
            (2, "echo one   two".to_owned(), "one two\n".to_owned())
        );
        assert_eq!(seen[2], (5, "echo $?".to_owned(), "127\n".to_owned()));
        assert_eq!(seen[4], (7, "echo after".to_owned(), "after\n".to_owned()));
        assert_eq!(seen.len(), 5);
        // A script the shell cannot read runs nothing.
        let unreadable =
            f.session
                .run_script("echo ran\necho 'open\n", &mut host, &mut |_, _, _| {
                    panic!("nothing runs")
                });
        assert_eq!(unreadable.map_err(|e| e.line), Err(2));
    }

    /// A script that doubles a variable 31 times would need 2 GiB: the word that grows past
    /// `MAX_WORD_BYTES` is refused as the kernel refuses an over-long argument, and the variable
    /// keeps its last value.
    #[test]
    fn a_variable_cannot_grow_without_bound() {
        let mut f = Fixture::demo1();
        assert_eq!(f.run("A=xxxxxxxxxxxxxxxx").status, 0);
        let mut refused = None;
        for round in 0..31 {
            let out = f.run("A=$A$A");
            if out.status != 0 {
                refused = Some((round, out));
                break;
            }
        }
        let (round, out) = refused.expect("the doubling is stopped");
        assert_eq!(
            round, 13,
            "16 bytes doubled 13 times is 128 KiB; the 14th is refused"
        );
        assert_eq!(out.status, 126);
        assert!(out.is_bad_input());
        assert!(
            out.stderr.starts_with(
                "argument list too long: a word or variable may expand to at most 131072 bytes"
            ),
            "{}",
            out.stderr
        );
        assert_eq!(f.session.variable("A").map(str::len), Some(MAX_WORD_BYTES));
        let line = format!("echo{}", " $A".repeat(20));
        let out = f.run(&line);
        assert_eq!(out.status, 126);
        assert!(
            out.stderr
                .contains("a command line may expand to at most 2097152 bytes")
        );
        assert!(out.stdout.is_empty());
    }

    /// What one line prints is bounded too, so a script cannot make the in-page console keep
    /// without bound: nine 128 KiB words fit on a command line (2 MiB) but print more than
    /// `MAX_OUTPUT_BYTES`, and the line fails as the AWS CLI fails a command (status 255),
    /// printing only why; seven print.
    #[test]
    fn a_line_cannot_print_without_bound() {
        let mut f = Fixture::demo1();
        f.session
            .variables
            .insert("A".to_owned(), "x".repeat(MAX_WORD_BYTES));
        let fits = f.run(&format!("echo{}", " $A".repeat(7)));
        assert_eq!(fits.status, 0);
        assert_eq!(fits.stdout.len(), 7 * (MAX_WORD_BYTES + 1));
        let out = f.run(&format!("echo{}", " $A".repeat(9)));
        assert_eq!(out.status, STATUS_FAILED);
        assert!(out.is_bad_input());
        assert!(out.stdout.is_empty());
        assert!(
            out.stderr.contains("output is larger than 1048576 bytes"),
            "{}",
            out.stderr
        );
        assert_eq!(f.session.variable("?"), None);
        assert_eq!(f.run("echo $?").stdout, "255\n");
    }
}
