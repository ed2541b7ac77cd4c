//! `kmsplay aws`: the `aws kms` emulator on a scenario's world, with an optional saved session.
//!
//! A saved session (`--state PATH`) holds the scenario file's digest, the seed, the start time and
//! every command line run so far. Loading it replays those lines on a fresh world built with the
//! same seed, which gives back exactly the same keys, key material, grants and variables, without
//! ever writing key material to a file. Lines that read files with `file://` replay with the files
//! as they are now.

use crate::system::{self, DiskFiles, OsRandomness, SessionRandomness};
use crate::{Failure, SEEDED_START, out, read, scenario_failure, state_file};
use kms_awscli::shell::{self, LogicalLine};
use kms_awscli::{Host, Output, Session};
use kms_engine::entropy::{Randomness, SeededRandomness, Timestamp};
use kms_engine::scenario;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{BufRead, IsTerminal};
use std::path::Path;

/// The saved form of a session.
struct State {
    scenario_sha256: String,
    seed: Seed,
    start: Timestamp,
    history: Vec<String>,
}

/// What a session's keys, ids and tokens derive from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seed {
    /// `--seed N`: reproducible by anyone who knows N, so nothing derived from it is secret.
    Number(u64),
    /// 256 bits from the operating system, kept only in the (private) session file.
    Secret([u8; 32]),
}

impl Seed {
    fn generator(self) -> SeededRandomness {
        match self {
            Seed::Number(n) => SeededRandomness::new(n),
            Seed::Secret(key) => SeededRandomness::from_key(key),
        }
    }
}

/// Version 2: ChaCha20-derived material and a 256-bit secret seed (version 1 sessions derived
/// their keys from a 64-bit seed through a generator that was not cryptographic).
const STATE_VERSION: u64 = 2;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex_key(text: &str) -> Option<[u8; 32]> {
    let mut key = [0u8; 32];
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    for (byte, pair) in key.iter_mut().zip(text.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(key)
}

fn digest(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn parse_state(path: &Path, text: &str) -> Result<State, Failure> {
    let bad = |what: &str| {
        Failure::input(format!(
            "`{}` is not a kmsplay session file: {what}",
            path.display()
        ))
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    match value
        .get("kmsplay_session")
        .and_then(serde_json::Value::as_u64)
    {
        Some(STATE_VERSION) => {}
        Some(1) => {
            return Err(Failure::input(format!(
                "`{}` was saved by an earlier kmsplay whose keys came from a generator that was not cryptographic: delete it to start a new session",
                path.display()
            )));
        }
        _ => return Err(bad("missing or unknown `kmsplay_session` version")),
    }
    let field = |name: &str| {
        value
            .get(name)
            .ok_or_else(|| bad(&format!("missing `{name}`")))
    };
    Ok(State {
        scenario_sha256: field("scenario_sha256")?
            .as_str()
            .ok_or_else(|| bad("`scenario_sha256` is not text"))?
            .to_owned(),
        seed: match (value.get("seed"), value.get("secret_seed")) {
            (Some(n), None) => {
                Seed::Number(n.as_u64().ok_or_else(|| bad("`seed` is not a number"))?)
            }
            (None, Some(key)) => Seed::Secret(
                key.as_str()
                    .and_then(unhex_key)
                    .ok_or_else(|| bad("`secret_seed` is not 64 hexadecimal digits"))?,
            ),
            _ => return Err(bad("expected one of `seed` and `secret_seed`")),
        },
        start: Timestamp(
            field("start")?
                .as_i64()
                .ok_or_else(|| bad("`start` is not a number"))?,
        ),
        history: field("history")?
            .as_array()
            .ok_or_else(|| bad("`history` is not a list"))?
            .iter()
            .map(|l| {
                l.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad("`history` holds a non-text entry"))
            })
            .collect::<Result<_, _>>()?,
    })
}

fn state_text(state: &State) -> String {
    let (name, seed) = match state.seed {
        Seed::Number(n) => ("seed", json!(n)),
        Seed::Secret(key) => ("secret_seed", json!(hex(&key))),
    };
    let value = json!({
        "kmsplay_session": STATE_VERSION,
        "scenario_sha256": state.scenario_sha256,
        name: seed,
        "start": state.start.0,
        "history": state.history,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// Where printed output goes.
struct Printer {
    transcript: bool,
}

impl Printer {
    /// Prints one command's output; in a transcript, the command first as typed after the
    /// shell's prompts (`$ `, and `> ` for continuation lines).
    fn line(&self, raw: &str, out: &Output) -> Result<(), Failure> {
        if self.transcript {
            let mut text = String::new();
            for (i, typed) in raw.lines().enumerate() {
                text.push_str(if i == 0 { "$ " } else { "> " });
                text.push_str(typed);
                text.push('\n');
            }
            text.push_str(&out.stdout);
            text.push_str(&out.stderr);
            out::print(&text)
        } else {
            out::print(&out.stdout)?;
            out::eprint(&out.stderr);
            Ok(())
        }
    }
}

/// Runs `aws` commands from `script` (or standard input) on the world of `file`.
pub fn run(
    file: &Path,
    script: Option<&Path>,
    seed: Option<u64>,
    state_path: Option<&Path>,
    transcript: bool,
) -> Result<u8, Failure> {
    let text = read(file)?;
    let script_text = script.map(read).transpose()?;
    // The lock is held from before the session is read until after it is saved.
    let lock = state_path.map(state_file::lock).transpose()?;
    let saved = match (state_path, &lock) {
        (Some(path), Some(lock)) => state_file::read(path, lock)?
            .map(|text| parse_state(path, &text))
            .transpose()?,
        _ => None,
    };
    if let (Some(saved), Some(path)) = (&saved, state_path) {
        if saved.scenario_sha256 != digest(&text) {
            return Err(Failure::input(format!(
                "`{}` was saved for another scenario, or `{}` changed since: delete it to start a new session",
                path.display(),
                file.display()
            )));
        }
        if seed.is_some_and(|s| Seed::Number(s) != saved.seed) {
            let was = match saved.seed {
                Seed::Number(n) => format!("seed {n}"),
                Seed::Secret(_) => "a secret seed".to_owned(),
            };
            return Err(Failure::input(format!(
                "`{}` continues a session with {was}: drop --seed or delete the session file",
                path.display(),
            )));
        }
    }
    // A saved session replays from its seed and start time; a new one that will be saved needs
    // a seed too, even when none was given: then a secret one from the operating system.
    let (seed, start) = match (&saved, seed, state_path) {
        (Some(saved), _, _) => (Some(saved.seed), saved.start),
        (None, Some(seed), _) => (Some(Seed::Number(seed)), SEEDED_START),
        (None, None, Some(_)) => {
            let mut key = [0u8; 32];
            OsRandomness
                .fill(&mut key)
                .map_err(|e| Failure::input(e.message))?;
            (Some(Seed::Secret(key)), system::now())
        }
        (None, None, None) => (None, system::now()),
    };
    // A saved session reproduces its keys, ids and tokens from the seed, but takes every nonce
    // and data key fresh from the OS: two runs continuing copies of one session file must never
    // encrypt under the same key and nonce. A `--seed` run that saves nothing is a reproducible
    // transcript: all of it comes from the seed (not secret, as `--help` says).
    let mut rng: Box<dyn Randomness> = match (seed, state_path) {
        (Some(seed), Some(_)) => Box::new(SessionRandomness {
            seeded: seed.generator(),
        }),
        (Some(seed), None) => Box::new(seed.generator()),
        (None, _) => Box::new(OsRandomness),
    };

    let loaded =
        scenario::load(&text, start, rng.as_mut()).map_err(|e| scenario_failure(file, &e))?;
    let mut world = loaded.world;
    let mut session = Session::new(start);
    for p in &loaded.scenario.principals {
        session.add_principal_name(&p.name, &p.arn);
    }
    let files = DiskFiles;
    let mut history: Vec<String> = saved
        .as_ref()
        .map(|s| s.history.clone())
        .unwrap_or_default();
    {
        let mut host = Host {
            world: &mut world,
            rng: rng.as_mut(),
            files: &files,
        };
        for (i, line) in history.iter().enumerate() {
            let out = session.run_line(line, &mut host);
            if out.is_bad_input() {
                return Err(Failure::input(format!(
                    "the saved session no longer replays: command {} (`{line}`) now fails",
                    i + 1
                )));
            }
        }
    }

    let printer = Printer { transcript };
    let source = script.map_or_else(|| "standard input".to_owned(), |p| p.display().to_string());
    let result = {
        let mut host = Host {
            world: &mut world,
            rng: rng.as_mut(),
            files: &files,
        };
        let mut run = Run {
            session: &mut session,
            host: &mut host,
            printer: &printer,
            source: &source,
            history: &mut history,
            refused: Vec::new(),
        };
        match &script_text {
            Some(script) => run.script(script),
            None => run.stdin(),
        }
        .and_then(|()| run.refusals())
    };
    // What ran is saved even when a line stopped the run: the session continues from there.
    if let (Some(path), Some(lock), Some(seed)) = (state_path, &lock, seed) {
        let state = State {
            scenario_sha256: digest(&text),
            seed,
            start,
            history,
        };
        state_file::write(path, &state_text(&state), lock)?;
    }
    result.map(|()| 0)
}

/// One run of lines: where they are read from, what they act on, where their output goes.
struct Run<'r, 'h> {
    session: &'r mut Session,
    host: &'r mut Host<'h>,
    printer: &'r Printer,
    source: &'r str,
    history: &'r mut Vec<String>,
    /// The lines that were bad input, as `SOURCE:LINE: why`.
    refused: Vec<String>,
}

impl Run<'_, '_> {
    fn bad_line(&self, line: usize, message: impl std::fmt::Display) -> Failure {
        Failure::input(format!("{}:{line}: {message}", self.source))
    }

    /// Runs one logical line and prints what it printed. A line that is bad input does not
    /// stop the run, as a shell goes on after a command that failed (each line of a script is
    /// its own `aws` process); it is left out of the saved history and reported at the end.
    fn line(&mut self, line: LogicalLine) -> Result<(), Failure> {
        let out = self.session.run_line(&line.text, self.host);
        self.printer.line(&line.raw, &out)?;
        if out.is_bad_input() {
            self.refused.push(format!(
                "{}:{}: {}",
                self.source,
                line.line,
                out.error_line()
            ));
            return Ok(());
        }
        self.history.push(line.text);
        Ok(())
    }

    /// Bad input (exit status 2) naming every line that was, once all have run.
    fn refusals(&self) -> Result<(), Failure> {
        if self.refused.is_empty() {
            return Ok(());
        }
        Err(Failure::input(self.refused.join("\nkmsplay: error: ")))
    }

    fn lines(&mut self, lines: Vec<LogicalLine>) -> Result<(), Failure> {
        lines.into_iter().try_for_each(|line| self.line(line))
    }

    /// Runs a whole script.
    fn script(&mut self, text: &str) -> Result<(), Failure> {
        let lines = shell::logical_lines(text).map_err(|(line, e)| self.bad_line(line, e))?;
        self.lines(lines)
    }

    /// Reads standard input line by line, running each logical line once it is complete (a line
    /// ending in `\`, or an open quote or `$(`, waits for the next). Each physical line is read
    /// once, so the work is linear in the input however long a quoted value runs.
    fn stdin(&mut self) -> Result<(), Failure> {
        let stdin = std::io::stdin();
        let interactive = stdin.is_terminal();
        let mut input = stdin.lock();
        let mut splitter = shell::LineSplitter::default();
        let mut bytes = Vec::new();
        let mut number = 0usize;
        loop {
            if interactive {
                out::eprint(if splitter.is_inside_line() {
                    "> "
                } else {
                    "$ "
                });
            }
            bytes.clear();
            let read = input
                .read_until(b'\n', &mut bytes)
                .map_err(|e| self.bad_line(number + 1, format!("cannot read: {e}")))?;
            if read == 0 {
                break;
            }
            number += 1;
            let text = std::str::from_utf8(&bytes).map_err(|e| {
                self.bad_line(
                    number,
                    format!(
                        "the line is not UTF-8 text (invalid byte at column {})",
                        e.valid_up_to() + 1
                    ),
                )
            })?;
            splitter.push(text);
            let ready = splitter.take_ready();
            self.lines(ready)?;
        }
        let rest = splitter
            .finish()
            .map_err(|(line, e)| self.bad_line(line, e))?;
        self.lines(rest)
    }
}
