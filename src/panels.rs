//! The hands-on panels: acting as a caller, the create-key wizard, grants with the simulated
//! clock, encryption with the ciphertext inspector, a multi-Region key's Regions, and the in-page
//! `aws` console.
//!
//! This is plain Rust, tested natively; [`crate::ui`] renders it. Nothing here decides access or
//! performs KMS logic: every world operation is a call of the engine's KMS API (or of its `aws kms`
//! emulator) as the selected caller, made through a [`WorldHost`], and every refusal is the
//! engine's [`KmsError`](kms_engine::error::KmsError), shown with its exception name and AWS's
//! message ([`Refusal`]).
//!
//! The host is the app's domain model: it owns the world, the simulated clock and the randomness,
//! and after each operation it recomputes what it derives from the world (the access matrix, the
//! key list, the documents), so whatever a panel does shows everywhere at once.

pub mod console;
pub mod crypto;
pub mod fields;
pub mod grants;
mod host;
pub mod refusal;
pub mod regions;
pub mod wizard;

pub use refusal::{Refusal, WhyLink};

use console::{Console, ConsoleIntent};
use crypto::{CryptoIntent, CryptoPanel};
use grants::{GrantsIntent, GrantsPanel};
use kms_engine::entropy::Timestamp;
use kms_engine::kms::Env;
use kms_engine::request::PrincipalArn;
use kms_engine::world::{PrincipalKind, World};
use regions::{RegionsIntent, RegionsPanel};
use wizard::{CreatedKey, FinishError, Wizard, WizardIntent};

/// What the panels need from the app's domain model.
pub trait WorldHost {
    /// The world as it is now.
    fn world(&self) -> &World;

    /// The simulated time.
    fn now(&self) -> Timestamp;

    /// Runs `op` on the world at the simulated time with the app's randomness, then refreshes
    /// everything derived from the world (the matrix, the key list, the documents).
    fn operate<R>(&mut self, op: impl FnOnce(&mut World, &mut Env<'_>) -> R) -> R;

    /// Moves the simulated clock forward by `millis` (grants become consistent, keys pending
    /// deletion go away).
    fn advance_clock(&mut self, millis: i64);
}

/// A change the user makes in one of the hands-on panels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PanelIntent {
    /// Act as this principal (ARN) from now on.
    SetCaller(String),
    /// Open the create-key wizard on its first step.
    OpenWizard,
    /// Cancel: close the wizard, creating nothing.
    CloseWizard,
    /// A change inside the wizard.
    Wizard(WizardIntent),
    /// Finish: create the key and its alias as the caller.
    FinishWizard,
    /// Dismiss the report of the last key the wizard created.
    DismissCreated,
    /// Something typed or clicked in the console.
    Console(ConsoleIntent),
    /// Something typed or clicked in the grants panel.
    Grants(GrantsIntent),
    /// Something typed or clicked in the crypto panel.
    Crypto(CryptoIntent),
    /// Something typed or clicked in a multi-Region key's Regions.
    Regions(RegionsIntent),
    /// Put a grant token into the crypto panel's grant tokens (after the ones there).
    UseGrantToken(String),
}

/// What the app should do after a panel intent, beyond the panels themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PanelEffect {
    /// A key was created: select it, so its policy opens in the editor.
    KeyCreated(String),
    /// The console's "Replay demo 1" starts from demonstration 1's world as the lecture shows it:
    /// load it afresh (undoably), even over a demo 1 already changed, then start the replay.
    NeedsDemo1,
}

/// The hands-on panels' state.
#[derive(Clone, Debug, PartialEq)]
pub struct Panels {
    /// Who every panel acts as (an ARN); `--profile` overrides it for one console command.
    pub caller: Option<PrincipalArn>,
    /// The instant the clock chip calls `T+0`.
    pub clock_origin: Timestamp,
    /// The create-key wizard, while open.
    pub wizard: Option<Wizard>,
    /// Why the wizard's last Finish did nothing.
    pub wizard_error: Option<FinishError>,
    /// The key the wizard created last.
    pub created: Option<CreatedKey>,
    /// The grants panel.
    pub grants: GrantsPanel,
    /// The crypto panel.
    pub crypto: CryptoPanel,
    /// The `aws` console.
    pub console: Console,
    /// A multi-Region key's Regions: replicate, make primary.
    pub regions: RegionsPanel,
}

impl Panels {
    /// The panels for a fresh world at `now`.
    pub fn new(world: &World, now: Timestamp) -> Panels {
        Panels {
            caller: default_caller(world),
            clock_origin: now,
            wizard: None,
            wizard_error: None,
            created: None,
            grants: GrantsPanel::new(world),
            crypto: CryptoPanel::new(first_key_name(world)),
            console: Console::new(now),
            regions: RegionsPanel::default(),
        }
    }

    /// Brings the panels in line with a world that was replaced. A scenario loaded or imported
    /// (`loaded`) starts with its own default caller, as a fresh page does; after Undo or Redo a
    /// caller that still exists stays. The wizard, which was filling in a key for the old world,
    /// closes.
    pub fn world_replaced(&mut self, world: &World, now: Timestamp, loaded: bool) {
        if loaded
            || self
                .caller
                .as_ref()
                .is_none_or(|arn| world.principal(arn).is_none())
        {
            self.caller = default_caller(world);
        }
        self.wizard = None;
        self.wizard_error = None;
        self.created = None;
        self.clock_origin = now;
        self.grants.world_replaced(world);
        self.crypto = CryptoPanel::new(first_key_name(world));
        self.regions = RegionsPanel::default();
    }

    /// Applies one intent; world operations go through `host` as the caller.
    pub fn apply(&mut self, host: &mut impl WorldHost, intent: PanelIntent) -> Option<PanelEffect> {
        match intent {
            PanelIntent::SetCaller(text) => {
                if let Some(arn) = host.world().find_principal(&text).and_then(|p| p.arn()) {
                    self.caller = Some(arn.clone());
                }
            }
            PanelIntent::OpenWizard => {
                let account = self
                    .caller
                    .as_ref()
                    .and_then(|arn| host.world().principal(arn))
                    .map(|p| p.account.clone())
                    .or_else(|| host.world().accounts().first().map(|a| a.id.clone()))
                    .unwrap_or_default();
                self.wizard = Some(match self.caller.as_ref() {
                    Some(caller) => Wizard::for_caller(host.world(), caller, account, host.now()),
                    None => Wizard::new(account),
                });
                self.wizard_error = None;
            }
            PanelIntent::CloseWizard => {
                self.wizard = None;
                self.wizard_error = None;
            }
            PanelIntent::Wizard(intent) => {
                if let Some(wizard) = &mut self.wizard {
                    wizard.apply(host.world(), intent);
                    self.wizard_error = None;
                }
            }
            PanelIntent::FinishWizard => {
                let (Some(wizard), Some(caller)) = (&self.wizard, self.caller.clone()) else {
                    return None;
                };
                match wizard.finish(host, &caller) {
                    Ok(created) => {
                        let key = created.key_id.clone();
                        self.created = Some(created);
                        self.wizard = None;
                        self.wizard_error = None;
                        return Some(PanelEffect::KeyCreated(key));
                    }
                    Err(error) => self.wizard_error = Some(error),
                }
            }
            PanelIntent::DismissCreated => self.created = None,
            PanelIntent::Console(ConsoleIntent::ReplayDemo1) => {
                return Some(PanelEffect::NeedsDemo1);
            }
            PanelIntent::Console(intent) => {
                self.console.apply(host, self.caller.as_ref(), intent);
            }
            PanelIntent::Grants(intent) => {
                self.grants.apply(host, self.caller.as_ref(), intent);
            }
            PanelIntent::Crypto(intent) => {
                self.crypto.apply(host, self.caller.as_ref(), intent);
            }
            PanelIntent::Regions(intent) => {
                self.regions.apply(host, self.caller.as_ref(), intent);
            }
            PanelIntent::UseGrantToken(token) => {
                let tokens = &mut self.crypto.grant_tokens;
                if !fields::items(tokens).contains(&token) {
                    if !tokens.trim().is_empty() {
                        tokens.push('\n');
                    }
                    tokens.push_str(&token);
                }
            }
        }
        None
    }
}

/// How the crypto panel names a world's first key: by its first alias (as the lecture types
/// `alias/DemoKey`), else by its id.
fn first_key_name(world: &World) -> String {
    let Some(key) = world.keys.keys().next() else {
        return String::new();
    };
    world
        .keys
        .aliases_for(key)
        .next()
        .map_or_else(|| key.id.to_string(), |a| a.name.clone())
}

/// One principal the caller picker offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerChoice {
    /// The principal's ARN.
    pub arn: PrincipalArn,
    /// A short name: the user, role or session name, or "root (ACCOUNT)".
    pub name: String,
    /// "user", "role", "session" or "root".
    pub kind: &'static str,
}

impl CallerChoice {
    /// How pickers list it: "Alice (user)"; an account root's name already says what it is
    /// ("root (111122223333)").
    pub fn label(&self) -> String {
        if self.kind == "root" {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.kind)
        }
    }
}

/// Every principal of the world, in world order: whom the caller picker offers.
pub fn caller_choices(world: &World) -> Vec<CallerChoice> {
    world
        .principals()
        .filter_map(|p| p.arn().map(|arn| (p, arn)))
        .map(|(p, arn)| CallerChoice {
            arn: arn.clone(),
            name: p.display_name(),
            kind: kind_word(&p.kind),
        })
        .collect()
}

/// "root", "user", "role", "session" or "service": a principal's kind in a word.
pub fn kind_word(kind: &PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::AccountRoot => "root",
        PrincipalKind::User { .. } => "user",
        PrincipalKind::Role { .. } => "role",
        PrincipalKind::AssumedRole { .. } => "session",
        PrincipalKind::Service { .. } => "service",
    }
}

/// The caller a fresh world starts with: its first IAM user (the lecture's worlds start with
/// Alice), else its first principal.
pub fn default_caller(world: &World) -> Option<PrincipalArn> {
    world
        .principals()
        .find(|p| matches!(p.kind, PrincipalKind::User { .. }))
        .or_else(|| world.principals().next())
        .and_then(|p| p.arn().cloned())
}

/// The short name of principal `arn` ("Alice"), or the ARN itself when the world has no such
/// principal.
pub fn principal_name(world: &World, arn: &str) -> String {
    kms_engine::analysis::edit::Names::default().principal(world, arn)
}

/// `T+3 min`: how far the simulated clock is past `origin`, for the clock chip. Whole minutes
/// with seconds when there are any (`T+4 min 30 s`); before the origin it counts down (`T-1 min`).
pub fn relative_time(origin: Timestamp, at: Timestamp) -> String {
    let delta = at.0.saturating_sub(origin.0);
    let sign = if delta < 0 { '-' } else { '+' };
    let seconds = delta.unsigned_abs() / 1000;
    let (minutes, seconds) = (seconds / 60, seconds % 60);
    match (minutes, seconds) {
        (0, 0) => "T+0".to_owned(),
        (m, 0) => format!("T{sign}{m} min"),
        (0, s) => format!("T{sign}{s} s"),
        (m, s) => format!("T{sign}{m} min {s} s"),
    }
}

/// How long until `at`, from `now`, in words for a countdown: "4 min 10 s", "45 s", "now".
pub fn countdown(now: Timestamp, at: Timestamp) -> String {
    let millis = at.0.saturating_sub(now.0);
    if millis <= 0 {
        return "now".to_owned();
    }
    // Round up: a grant 100 ms from consistency is not consistent "in 0 s".
    let seconds = millis.unsigned_abs().div_ceil(1000);
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// Shortens a long identifier in the middle for display (`arn:aws:iam::1111…:user/alice`); the
/// full text belongs in a `title`. Counts characters, never splits one.
pub fn middle_ellipsis(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max || max < 5 {
        return text.to_owned();
    }
    let keep = max - 1;
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_time_reads_like_the_clock_chip() {
        let origin = Timestamp(1_000_000);
        assert_eq!(relative_time(origin, origin), "T+0");
        assert_eq!(
            relative_time(origin, origin.plus_millis(180_000)),
            "T+3 min"
        );
        assert_eq!(relative_time(origin, origin.plus_millis(45_000)), "T+45 s");
        assert_eq!(
            relative_time(origin, origin.plus_millis(270_000)),
            "T+4 min 30 s"
        );
        assert_eq!(
            relative_time(origin, origin.plus_millis(-60_000)),
            "T-1 min"
        );
    }

    #[test]
    fn countdown_rounds_up_and_stops_at_now() {
        let now = Timestamp(0);
        assert_eq!(countdown(now, Timestamp(100)), "1 s");
        assert_eq!(countdown(now, Timestamp(250_000)), "4 min 10 s");
        assert_eq!(countdown(now, Timestamp(300_000)), "5 min");
        assert_eq!(countdown(now, Timestamp(0)), "now");
        assert_eq!(countdown(now, Timestamp(-5)), "now");
    }

    #[test]
    fn a_root_is_labelled_once() {
        let root = CallerChoice {
            arn: PrincipalArn::parse("arn:aws:iam::111122223333:root").unwrap(),
            name: "root (111122223333)".into(),
            kind: "root",
        };
        assert_eq!(root.label(), "root (111122223333)");
        let alice = CallerChoice {
            arn: PrincipalArn::parse("arn:aws:iam::111122223333:user/Alice").unwrap(),
            name: "Alice".into(),
            kind: "user",
        };
        assert_eq!(alice.label(), "Alice (user)");
    }

    #[test]
    fn middle_ellipsis_keeps_both_ends() {
        let arn = "arn:aws:iam::111122223333:user/alice";
        assert_eq!(middle_ellipsis(arn, 100), arn);
        let short = middle_ellipsis(arn, 25);
        assert_eq!(short.chars().count(), 25);
        assert!(short.starts_with("arn:aws:iam"));
        assert!(short.ends_with("user/alice"));
        assert_eq!(middle_ellipsis("ééééééééé", 5), "éé…éé");
    }
}
