//! `kmsplay aws`: the `aws kms` emulator on a scenario's world, with an optional saved session.
//!
//! A saved session (`--state PATH`) holds the scenario file's digest, the seed, the start time and
//! every command line run so far. Loading it replays those lines on a fresh world built with the
//! same seed, which gives back exactly the same keys, key material, grants and variables, without
//! ever writing key material to a file. Lines that read files with `file://` replay with the files
//! as they are now.

use crate::system::{self, DiskFiles, OsRandomness};
use crate::{Failure, SEEDED_START, read, scenario_failure};
use kms_awscli::{Host, Output, Session, shell};
use kms_engine::entropy::{Randomness, SeededRandomness, Timestamp};
use kms_engine::scenario;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::{BufRead, IsTerminal, Write};
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

fn load_state(path: &Path) -> Result<Option<State>, Failure> {
    if !path.exists() {
        return Ok(None);
    }
    let text = read(path)?;
    let bad = |what: &str| {
        Failure::input(format!(
            "`{}` is not a kmsplay session file: {what}",
            path.display()
        ))
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))?;
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
    Ok(Some(State {
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
    }))
}

fn save_state(path: &Path, state: &State) -> Result<(), Failure> {
    let value = json!({
        "kmsplay_session": STATE_VERSION,
        "scenario_sha256": state.scenario_sha256,
        "seed": state.seed,
        "start": state.start.0,
        "history": state.history,
    });
    let text = serde_json::to_string_pretty(&value).unwrap_or_default() + "\n";
    std::fs::write(path, text)
        .map_err(|e| Failure::input(format!("cannot write `{}`: {e}", path.display())))
}

/// Where printed output goes.
struct Printer {
    transcript: bool,
}

impl Printer {
    /// Prints one command's output; in a transcript, the command first as typed after the
    /// shell's prompts (`$ `, and `> ` for continuation lines).
    fn line(&self, raw: &str, out: &Output) {
        let mut stdout = std::io::stdout().lock();
        if self.transcript {
            for (i, typed) in raw.lines().enumerate() {
                let _ = writeln!(stdout, "{}{typed}", if i == 0 { "$ " } else { "> " });
            }
            let _ = write!(stdout, "{}{}", out.stdout, out.stderr);
        } else {
            let _ = write!(stdout, "{}", out.stdout);
            let _ = stdout.flush();
            eprint!("{}", out.stderr);
        }
        let _ = stdout.flush();
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
    let saved = state_path.map(load_state).transpose()?.flatten();
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
        match &script_text {
            Some(script) => run_text(&mut session, &mut host, script, 0, &printer, &mut history),
            None => run_stdin(&mut session, &mut host, &printer, &mut history),
        }
    };
    if let (Some(path), Some(seed)) = (state_path, seed) {
        save_state(
            path,
            &State {
                scenario_sha256: digest(&text),
                seed,
                start,
                history,
            },
        )?;
    }
    match result {
        Ok(()) => Ok(0),
        Err((line, message)) => Err(Failure::input(format!("{source}:{line}: {message}"))),
    }
}

/// Runs the logical lines of `text` (whose first line is line `offset + 1` of its source).
fn run_text(
    session: &mut Session,
    host: &mut Host<'_>,
    text: &str,
    offset: usize,
    printer: &Printer,
    history: &mut Vec<String>,
) -> Result<(), (usize, String)> {
    let lines = shell::logical_lines(text).map_err(|(line, e)| (offset + line, e.to_string()))?;
    for line in lines {
        let out = session.run_line(&line.text, host);
        printer.line(&line.raw, &out);
        if out.is_bad_input() {
            return Err((offset + line.line, out.error_line()));
        }
        history.push(line.text);
    }
    Ok(())
}

/// Reads standard input line by line, running each logical line once it is complete (a line
/// ending in `\`, or an open quote or `$(`, waits for the next).
fn run_stdin(
    session: &mut Session,
    host: &mut Host<'_>,
    printer: &Printer,
    history: &mut Vec<String>,
) -> Result<(), (usize, String)> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut buffer = String::new();
    let mut consumed = 0usize;
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            eprint!("{}", if buffer.is_empty() { "$ " } else { "> " });
        }
        let Some(Ok(line)) = lines.next() else { break };
        buffer.push_str(&line);
        buffer.push('\n');
        let continued = line.ends_with('\\') && !line.ends_with("\\\\");
        let open = matches!(
            shell::logical_lines(&buffer),
            Err((_, shell::ShellError::Unterminated { .. }))
        );
        if continued || open {
            continue;
        }
        let chunk = std::mem::take(&mut buffer);
        let count = chunk.lines().count();
        run_text(session, host, &chunk, consumed, printer, history)?;
        consumed += count;
    }
    if buffer.trim().is_empty() {
        Ok(())
    } else {
        run_text(session, host, &buffer, consumed, printer, history)
    }
}
