//! The in-page `aws` console: a terminal over the engine's `aws kms` emulator, acting on the live
//! world.
//!
//! Each line runs in the engine's [`Session`] (profiles, variables, `sleep`, `clear`), and its
//! output is printed exactly as the emulator, which prints as the AWS CLI does, returns it. The
//! session's clock is the app's: it is set from the app before each line, and a `sleep` moves the
//! app's clock forward. Without `--profile` a command runs as the caller picked in the header.

use super::{WhyLink, WorldHost};
use kms_awscli::{Host, NoFiles, Session};
use kms_engine::request::PrincipalArn;
use kms_engine::world::World;
use std::rc::Rc;

/// What a block of console text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// A command as typed, after the prompt.
    Command,
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// A note from the console itself (not the AWS CLI's output), such as why a replay cannot
    /// start.
    Note,
}

/// One block of console text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleLine {
    /// What it is.
    pub kind: LineKind,
    /// The text, possibly several lines, as printed.
    pub text: String,
    /// For an `AccessDeniedException`, the why panel's cell that explains it.
    pub why: Option<WhyLink>,
}

/// A change the user makes in the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleIntent {
    /// The prompt's text changed.
    SetInput(String),
    /// Enter: run the prompt's line.
    Submit,
    /// Up: the previous command from the history.
    HistoryUp,
    /// Down: the next command from the history, or back to an empty prompt.
    HistoryDown,
    /// Ctrl+L: clear the screen.
    Clear,
    /// Ctrl+C: drop the line being typed.
    Cancel,
    /// Start typing demonstration 1's commands one by one.
    ReplayDemo1,
    /// Type the next characters of the replay (the view calls this on a timer).
    ReplayTick,
    /// Run the rest of the replay at once (the reduced-motion preference).
    ReplayToEnd,
    /// Stop the replay.
    StopReplay,
}

/// How many characters a replay tick types.
pub const REPLAY_CHARS_PER_TICK: usize = 6;
/// How many ticks the replay waits after running a command, so its output can be read.
pub const REPLAY_PAUSE_TICKS: u32 = 12;

/// A replay in progress: the lines left to type, and where it is in the current one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replay {
    steps: Vec<String>,
    next: usize,
    typed: usize,
    pause: u32,
    current: Option<String>,
}

impl Replay {
    /// How many commands the replay has, and how many it has run.
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.steps.len())
    }
}

/// The most lines the console keeps; older ones scroll away.
const MAX_LINES: usize = 2000;
/// The most bytes of text the console keeps (one line prints at most
/// [`kms_awscli::MAX_OUTPUT_BYTES`]); older lines scroll away.
pub const MAX_KEPT_BYTES: usize = 4 * kms_awscli::MAX_OUTPUT_BYTES;
/// The most commands the history keeps.
const MAX_HISTORY: usize = 500;

/// The console's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Console {
    session: Session,
    /// What the screen shows, oldest first (shared, so copying the app state per keystroke
    /// does not copy the screen).
    pub lines: Rc<Vec<ConsoleLine>>,
    /// Commands run, oldest first.
    pub history: Vec<String>,
    history_cursor: Option<usize>,
    /// The prompt's text.
    pub input: String,
    /// The replay in progress.
    pub replay: Option<Replay>,
    default_principal: Option<PrincipalArn>,
    last_grant_token: Option<String>,
}

impl Console {
    /// An empty console whose session starts at `host`'s time.
    pub fn new(now: kms_engine::entropy::Timestamp) -> Console {
        Console {
            session: Session::new(now),
            lines: Rc::default(),
            history: Vec::new(),
            history_cursor: None,
            input: String::new(),
            replay: None,
            default_principal: None,
            last_grant_token: None,
        }
    }

    /// The engine session (profiles, variables).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Applies one change; `caller` is the header's caller, whom commands without `--profile` run
    /// as.
    pub fn apply(
        &mut self,
        host: &mut impl WorldHost,
        caller: Option<&PrincipalArn>,
        intent: ConsoleIntent,
    ) {
        match intent {
            ConsoleIntent::SetInput(text) => {
                self.input = text;
                self.history_cursor = None;
            }
            ConsoleIntent::Submit => {
                let line = std::mem::take(&mut self.input);
                self.run(host, caller, &line);
            }
            ConsoleIntent::HistoryUp => {
                let at = match self.history_cursor {
                    Some(i) => i.saturating_sub(1),
                    None => match self.history.len().checked_sub(1) {
                        Some(last) => last,
                        None => return,
                    },
                };
                if let Some(command) = self.history.get(at) {
                    self.input = command.clone();
                    self.history_cursor = Some(at);
                }
            }
            ConsoleIntent::HistoryDown => match self.history_cursor {
                Some(i) if i + 1 < self.history.len() => {
                    self.history_cursor = Some(i + 1);
                    self.input = self.history.get(i + 1).cloned().unwrap_or_default();
                }
                Some(_) => {
                    self.history_cursor = None;
                    self.input.clear();
                }
                None => {}
            },
            ConsoleIntent::Clear => self.lines = Rc::default(),
            ConsoleIntent::Cancel => {
                let line = std::mem::take(&mut self.input);
                self.push(LineKind::Command, format!("{line}^C"), None);
                self.history_cursor = None;
                self.replay = None;
            }
            ConsoleIntent::ReplayDemo1 => match demo1_script(host.world()) {
                Ok(steps) => {
                    self.input.clear();
                    self.replay = Some(Replay {
                        steps,
                        next: 0,
                        typed: 0,
                        pause: 0,
                        current: None,
                    });
                }
                Err(note) => self.push(LineKind::Note, note, None),
            },
            ConsoleIntent::ReplayTick => self.replay_tick(host, caller),
            ConsoleIntent::ReplayToEnd => self.replay_all(host, caller),
            ConsoleIntent::StopReplay => self.replay = None,
        }
    }

    /// Runs one line as the user would by typing it and pressing Enter.
    pub fn run(&mut self, host: &mut impl WorldHost, caller: Option<&PrincipalArn>, line: &str) {
        self.history_cursor = None;
        self.push(LineKind::Command, line.to_owned(), None);
        if line.trim().is_empty() {
            return;
        }
        if self.history.last().is_none_or(|last| last != line) {
            self.history.push(line.to_owned());
            if self.history.len() > MAX_HISTORY {
                self.history.remove(0);
            }
        }
        self.session.set_now(host.now());
        let before = host.now();
        let session = &mut self.session;
        let default_principal = &mut self.default_principal;
        let output = host.operate(|world, env| {
            let mut shell_host = Host {
                world,
                rng: &mut *env.rng,
                files: &NoFiles,
            };
            follow_caller(session, default_principal, caller, &mut shell_host);
            session.run_line(line, &mut shell_host)
        });
        // `sleep` moved the session's clock: the app's clock follows.
        let slept = self.session.now().0.saturating_sub(before.0);
        if slept > 0 {
            host.advance_clock(slept);
        }
        if output.clear {
            self.lines = Rc::default();
        }
        if let Some(token) = output
            .response
            .as_ref()
            .and_then(|r| r.get("GrantToken"))
            .and_then(serde_json::Value::as_str)
        {
            self.last_grant_token = Some(token.to_owned());
        }
        if !output.stdout.is_empty() {
            self.push(LineKind::Stdout, output.stdout, None);
        }
        if !output.stderr.is_empty() {
            // The link explains the request the line sent (a CreateGrant's new grant
            // included), not the bare permission.
            let why = output.denial.as_ref().and_then(|denied| {
                let link = WhyLink::of_denial(host.world(), denied)?;
                Some(match output.denied_request.as_deref() {
                    Some(sent) => {
                        link.with_request(crate::why::RequestInputs::of_sent(denied.action, sent))
                    }
                    None => link,
                })
            });
            self.push(LineKind::Stderr, output.stderr, why);
        }
    }

    fn push(&mut self, kind: LineKind, text: String, why: Option<WhyLink>) {
        let lines = Rc::make_mut(&mut self.lines);
        lines.push(ConsoleLine { kind, text, why });
        let mut kept = 0;
        let keep = lines
            .iter()
            .rev()
            .take(MAX_LINES)
            .take_while(|line| {
                kept += line.text.len();
                kept <= MAX_KEPT_BYTES
            })
            .count()
            .max(1);
        let excess = lines.len() - keep;
        lines.drain(..excess);
    }

    fn replay_tick(&mut self, host: &mut impl WorldHost, caller: Option<&PrincipalArn>) {
        let Some(replay) = &mut self.replay else {
            return;
        };
        if replay.pause > 0 {
            replay.pause -= 1;
            return;
        }
        let current = match &replay.current {
            Some(line) => line.clone(),
            None => {
                let Some(template) = replay.steps.get(replay.next) else {
                    self.replay = None;
                    return;
                };
                // The presenter pastes the token create-grant printed.
                let token = self.last_grant_token.as_deref().unwrap_or("$GRANT_TOKEN");
                let line = template.replace(GRANT_TOKEN_SLOT, token);
                replay.current = Some(line.clone());
                replay.typed = 0;
                line
            }
        };
        let total = current.chars().count();
        if replay.typed < total {
            replay.typed = (replay.typed + REPLAY_CHARS_PER_TICK).min(total);
            self.input = current.chars().take(replay.typed).collect();
            return;
        }
        replay.current = None;
        replay.next += 1;
        replay.pause = REPLAY_PAUSE_TICKS;
        let line = std::mem::take(&mut self.input);
        self.run(host, caller, &line);
    }

    /// Runs the rest of the replay at once.
    fn replay_all(&mut self, host: &mut impl WorldHost, caller: Option<&PrincipalArn>) {
        // Each tick types or pauses; a generous bound keeps a bug from looping forever.
        for _ in 0..100_000 {
            if self.replay.is_none() {
                break;
            }
            self.replay_tick(host, caller);
        }
    }
}

/// Makes the session's `default` profile stand for the header's caller, as a person would with
/// `aws configure`; it changes only when the caller does.
fn follow_caller(
    session: &mut Session,
    current: &mut Option<PrincipalArn>,
    caller: Option<&PrincipalArn>,
    host: &mut Host<'_>,
) {
    let Some(caller) = caller else {
        return;
    };
    if current.as_ref() == Some(caller) || host.world.principal(caller).is_none() {
        return;
    }
    let out = session.run_line(
        &format!("aws configure set principal {caller} --profile default"),
        host,
    );
    if out.status == 0 {
        *current = Some(caller.clone());
    }
}

/// The `GrantToken` of a CreateGrant response printed as JSON.
const GRANT_TOKEN_SLOT: &str = "{grant-token}";

/// Demonstration 1's commands, as the lecture types them, for this world: the key with alias
/// `alias/DemoKey`, and the users Alice and Bob. The presenter copies the key's ARN and id and
/// Bob's ARN from the console, and pastes the grant token create-grant printed; the replay does
/// the same. The last three lines go beyond the lecture: without the token, Bob waits for the
/// grant's eventual consistency (KMS Developer Guide, grants.html).
pub fn demo1_script(world: &World) -> Result<Vec<String>, String> {
    let missing = || {
        "Replay needs demonstration 1's world: a key with the alias alias/DemoKey and the users \
         Alice and Bob. Load the \"Demo 1\" scenario first."
            .to_owned()
    };
    let user = |name: &str| {
        world
            .principals()
            .find(|p| p.user_name().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .and_then(|p| p.arn().cloned())
    };
    let bob = user("bob").ok_or_else(missing)?;
    let alice = user("alice").ok_or_else(missing)?;
    let account = world
        .principal(&alice)
        .map(|p| p.account.clone())
        .ok_or_else(missing)?;
    let alias = world
        .keys
        .alias(world.region(), &account, "alias/DemoKey")
        .ok_or_else(missing)?;
    let key = world.keys.alias_target(alias).ok_or_else(missing)?;
    let (key_id, key_arn) = (key.id.as_str(), key.arn.as_str());
    Ok(vec![
        "# Bob has no permissions: the key policy does not name him and he has no IAM policy"
            .to_owned(),
        "aws kms encrypt --plaintext CloudAcademy --key-id alias/DemoKey --profile bob".to_owned(),
        "# Alice is a user of the key".to_owned(),
        "aws kms encrypt --plaintext CloudAcademy --key-id alias/DemoKey --profile alice"
            .to_owned(),
        "# Alice grants Bob Encrypt and Decrypt".to_owned(),
        format!(
            "aws kms create-grant --key-id {key_arn} --grantee-principal {bob} --operations Encrypt Decrypt --profile alice"
        ),
        "# With the grant token, Bob can encrypt at once".to_owned(),
        format!(
            "aws kms encrypt --plaintext Friday --key-id {key_id} --grant-tokens {GRANT_TOKEN_SLOT} --profile bob"
        ),
        "# Without the token he waits for eventual consistency (about five minutes)".to_owned(),
        format!("aws kms encrypt --plaintext Friday --key-id {key_id} --profile bob"),
        "sleep 300".to_owned(),
        format!("aws kms encrypt --plaintext Friday --key-id {key_id} --profile bob"),
    ])
}
