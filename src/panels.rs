//! The hands-on panels: acting as a caller, the create-key wizard, grants with the simulated
//! clock, encryption with the ciphertext inspector, and the in-page `aws` console.
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

pub mod fields;
pub mod refusal;
pub mod wizard;

pub use refusal::{Refusal, WhyLink};

use kms_engine::entropy::Timestamp;
use kms_engine::kms::Env;
use kms_engine::world::{PrincipalKind, World};

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

/// One principal the caller picker offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerChoice {
    /// The principal's ARN.
    pub arn: String,
    /// A short name: the user, role or session name, or "root (ACCOUNT)".
    pub name: String,
    /// "user", "role", "session" or "root".
    pub kind: &'static str,
}

/// Every principal of the world, in world order: whom the caller picker offers.
pub fn caller_choices(world: &World) -> Vec<CallerChoice> {
    world
        .principals()
        .map(|p| CallerChoice {
            arn: p.arn.clone(),
            name: p.display_name(),
            kind: match p.kind {
                PrincipalKind::AccountRoot => "root",
                PrincipalKind::User { .. } => "user",
                PrincipalKind::Role { .. } => "role",
                PrincipalKind::AssumedRole { .. } => "session",
            },
        })
        .collect()
}

/// The caller a fresh world starts with: its first IAM user (the lecture's worlds start with
/// Alice), else its first principal.
pub fn default_caller(world: &World) -> Option<String> {
    world
        .principals()
        .find(|p| matches!(p.kind, PrincipalKind::User { .. }))
        .or_else(|| world.principals().next())
        .map(|p| p.arn.clone())
}

/// The short name of principal `arn` ("Alice"), or the ARN itself when the world has no such
/// principal.
pub fn principal_name(world: &World, arn: &str) -> String {
    world
        .principal(arn)
        .map_or_else(|| arn.to_owned(), |p| p.display_name())
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
    fn middle_ellipsis_keeps_both_ends() {
        let arn = "arn:aws:iam::111122223333:user/alice";
        assert_eq!(middle_ellipsis(arn, 100), arn);
        let short = middle_ellipsis(arn, 21);
        assert_eq!(short.chars().count(), 21);
        assert!(short.starts_with("arn:aws:iam"));
        assert!(short.ends_with("user/alice"));
        assert_eq!(middle_ellipsis("ééééééééé", 5), "éé…éé");
    }
}
