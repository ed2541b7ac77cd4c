//! `kmsplay aws`: the `aws kms` emulator on a scenario's world, with an optional saved session.
//!
//! A saved session (`--state PATH`) holds the scenario file's digest, the seed, the start time and
//! every command line run so far. Loading it replays those lines on a fresh world built with the
//! same seed, which gives back exactly the same keys, key material, grants and variables, without
//! ever writing key material to a file. Lines that read files with `file://` replay with the files
//! as they are now.

use crate::system::{self, DiskFiles, OsRandomness};
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
    seed: u64,
    start: Timestamp,
    history: Vec<String>,
}

const STATE_VERSION: u64 = 1;

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_state(path: &Path, text: &str) -> Result<State, Failure> {
    let bad = |what: &str| {
        Failure::input(format!(
            "`{}` is not a kmsplay session file: {what}",
            path.display()
        ))
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    if value
        .get("kmsplay_session")
        .and_then(serde_json::Value::as_u64)
        != Some(STATE_VERSION)
    {
        return Err(bad("missing or unknown `kmsplay_session` version"));
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
        seed: field("seed")?
            .as_u64()
            .ok_or_else(|| bad("`seed` is not a number"))?,
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
    let value = json!({
        "kmsplay_session": STATE_VERSION,
        "scenario_sha256": state.scenario_sha256,
        "seed": state.seed,
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
        if seed.is_some_and(|s| s != saved.seed) {
            return Err(Failure::input(format!(
                "`{}` continues a session with seed {}: drop --seed or delete the session file",
                path.display(),
                saved.seed
            )));
        }
    }
    // A saved session replays from its seed and start time; a new one that will be saved needs
    // a seed too, even when none was given.
    let (seed, start) = match (&saved, seed, state_path) {
        (Some(saved), _, _) => (Some(saved.seed), saved.start),
        (None, Some(seed), _) => (Some(seed), SEEDED_START),
        (None, None, Some(_)) => (Some(OsRandomness::new().seed()), system::now()),
        (None, None, None) => (None, system::now()),
    };
    let mut rng: Box<dyn Randomness> = match seed {
        Some(s) => Box::new(SeededRandomness::new(s)),
        None => Box::new(OsRandomness::new()),
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
        };
        match &script_text {
            Some(script) => run.script(script),
            None => run.stdin(),
        }
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
}

impl Run<'_, '_> {
    fn bad_line(&self, line: usize, message: impl std::fmt::Display) -> Failure {
        Failure::input(format!("{}:{line}: {message}", self.source))
    }

    /// Runs one logical line and prints what it printed; a line that is bad input stops the run.
    fn line(&mut self, line: LogicalLine) -> Result<(), Failure> {
        let out = self.session.run_line(&line.text, self.host);
        self.printer.line(&line.raw, &out)?;
        if out.is_bad_input() {
            return Err(self.bad_line(line.line, out.error_line()));
        }
        self.history.push(line.text);
        Ok(())
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
