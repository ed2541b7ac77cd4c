//! Model-based property test: random sequences of key lifecycle and alias operations run against
//! the engine and against a plain model of KMS's rules; every result (success or exception name)
//! and every key's state must agree.
//!
//! Rules modelled: KMS Developer Guide key-state.html (which state allows which operation),
//! deleting-keys.html (7–30 day window; deletion removes the key and its aliases; cancelling
//! leaves the key Disabled), API CreateAlias/UpdateAlias/DeleteAlias (unique names; a target
//! pending deletion is refused for CreateAlias and UpdateAlias).

#![expect(
    clippy::indexing_slicing,
    clippy::map_entry,
    reason = "a test model: indexes are checked by the model's own state lookups"
)]

use crate::kms_common;

use kms_common::*;
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::error::KmsError;
use kms_engine::kms::*;
use kms_engine::store::DAY_MILLIS;
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Op {
    Create,
    Enable(usize),
    Disable(usize),
    Schedule(usize, u32),
    Cancel(usize),
    CreateAlias(usize, usize),
    UpdateAlias(usize, usize),
    DeleteAlias(usize),
    Describe(usize),
    DisableAsStranger(usize),
    Advance(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Create),
        2 => (0..6usize).prop_map(Op::Enable),
        2 => (0..6usize).prop_map(Op::Disable),
        2 => ((0..6usize), 5..33u32).prop_map(|(k, d)| Op::Schedule(k, d)),
        2 => (0..6usize).prop_map(Op::Cancel),
        2 => ((0..3usize), (0..6usize)).prop_map(|(a, k)| Op::CreateAlias(a, k)),
        1 => ((0..3usize), (0..6usize)).prop_map(|(a, k)| Op::UpdateAlias(a, k)),
        1 => (0..3usize).prop_map(Op::DeleteAlias),
        2 => (0..6usize).prop_map(Op::Describe),
        1 => (0..6usize).prop_map(Op::DisableAsStranger),
        2 => (0..12i64).prop_map(Op::Advance),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ModelState {
    Enabled,
    Disabled,
    PendingDeletion(Timestamp),
    Deleted,
}

impl ModelState {
    fn name(self) -> &'static str {
        match self {
            ModelState::Enabled => "Enabled",
            ModelState::Disabled => "Disabled",
            ModelState::PendingDeletion(_) => "PendingDeletion",
            ModelState::Deleted => "Deleted",
        }
    }
}

/// The plain model: key states by creation index, alias name → key index.
#[derive(Default)]
struct Model {
    keys: Vec<ModelState>,
    aliases: BTreeMap<usize, usize>,
    now: i64,
}

const NOT_FOUND: &str = "NotFoundException";
const INVALID_STATE: &str = "KMSInvalidStateException";
const OK: &str = "ok";

impl Model {
    fn state(&self, k: usize) -> ModelState {
        self.keys.get(k).copied().unwrap_or(ModelState::Deleted)
    }

    fn pending(&self, k: usize) -> bool {
        matches!(self.state(k), ModelState::PendingDeletion(_))
    }

    fn apply(&mut self, op: &Op) -> &'static str {
        match *op {
            Op::Create => {
                self.keys.push(ModelState::Enabled);
                OK
            }
            Op::Enable(k) | Op::Disable(k) => {
                if self.state(k) == ModelState::Deleted {
                    NOT_FOUND
                } else if self.pending(k) {
                    INVALID_STATE
                } else {
                    self.keys[k] = if matches!(op, Op::Enable(_)) {
                        ModelState::Enabled
                    } else {
                        ModelState::Disabled
                    };
                    OK
                }
            }
            Op::Schedule(k, days) => {
                if !(7..=30).contains(&days) {
                    "ValidationException"
                } else if self.state(k) == ModelState::Deleted {
                    NOT_FOUND
                } else if self.pending(k) {
                    INVALID_STATE
                } else {
                    let at =
                        Timestamp(NOW.0 + self.now * DAY_MILLIS + i64::from(days) * DAY_MILLIS);
                    self.keys[k] = ModelState::PendingDeletion(at);
                    OK
                }
            }
            Op::Cancel(k) => {
                if self.state(k) == ModelState::Deleted {
                    NOT_FOUND
                } else if !self.pending(k) {
                    INVALID_STATE
                } else {
                    self.keys[k] = ModelState::Disabled;
                    OK
                }
            }
            Op::CreateAlias(a, k) => {
                if self.state(k) == ModelState::Deleted {
                    NOT_FOUND
                } else if self.pending(k) {
                    INVALID_STATE
                } else if self.aliases.contains_key(&a) {
                    "AlreadyExistsException"
                } else {
                    self.aliases.insert(a, k);
                    OK
                }
            }
            Op::UpdateAlias(a, k) => {
                if !self.aliases.contains_key(&a) || self.state(k) == ModelState::Deleted {
                    NOT_FOUND
                } else if self.pending(k) {
                    INVALID_STATE
                } else {
                    self.aliases.insert(a, k);
                    OK
                }
            }
            Op::DeleteAlias(a) => {
                if self.aliases.remove(&a).is_some() {
                    OK
                } else {
                    NOT_FOUND
                }
            }
            Op::Describe(k) => {
                if self.state(k) == ModelState::Deleted {
                    NOT_FOUND
                } else {
                    OK
                }
            }
            Op::DisableAsStranger(k) => {
                if self.state(k) == ModelState::Deleted {
                    NOT_FOUND
                } else {
                    "AccessDeniedException"
                }
            }
            Op::Advance(days) => {
                self.now += days;
                let now = Timestamp(NOW.0 + self.now * DAY_MILLIS);
                for k in 0..self.keys.len() {
                    if matches!(self.keys[k], ModelState::PendingDeletion(at) if at <= now) {
                        self.keys[k] = ModelState::Deleted;
                        self.aliases.retain(|_, target| *target != k);
                    }
                }
                OK
            }
        }
    }
}

struct Real {
    world: kms_engine::world::World,
    rng: SeededRandomness,
    now: Timestamp,
    ids: Vec<String>,
    stranger: PrincipalArn,
}

/// Key ids for indexes that were never created: a well-formed id no key has.
const MISSING: &str = "00000000-0000-4000-8000-000000000000";

impl Real {
    fn id(&self, k: usize) -> String {
        self.ids
            .get(k)
            .cloned()
            .unwrap_or_else(|| MISSING.to_owned())
    }

    fn run<T>(
        &mut self,
        who: &PrincipalArn,
        f: impl FnOnce(&mut kms_engine::world::World, &Caller, &mut Env<'_>) -> Result<T, KmsError>,
    ) -> Result<T, KmsError> {
        let mut env = Env::new(self.now, &mut self.rng);
        f(&mut self.world, &Caller::new(who.clone()), &mut env)
    }

    fn apply(&mut self, op: &Op) -> &'static str {
        let admin = root(ACCOUNT);
        let alias = |a: usize| format!("alias/a{a}");
        let result: Result<(), KmsError> = match *op {
            Op::Create => self
                .run(&admin, |w, c, e| {
                    w.create_key(c, e, CreateKeyRequest::default())
                })
                .map(|r| self.ids.push(r.key_metadata.key_id)),
            Op::Enable(k) => {
                let id = self.id(k);
                self.run(&admin, |w, c, e| w.enable_key(c, e, KeyIdRequest::new(id)))
            }
            Op::Disable(k) => {
                let id = self.id(k);
                self.run(&admin, |w, c, e| w.disable_key(c, e, KeyIdRequest::new(id)))
            }
            Op::Schedule(k, days) => {
                let request = ScheduleKeyDeletionRequest {
                    key_id: self.id(k),
                    pending_window_in_days: Some(days),
                };
                self.run(&admin, |w, c, e| w.schedule_key_deletion(c, e, request))
                    .map(|_| ())
            }
            Op::Cancel(k) => {
                let id = self.id(k);
                self.run(&admin, |w, c, e| {
                    w.cancel_key_deletion(c, e, KeyIdRequest::new(id))
                })
                .map(|_| ())
            }
            Op::CreateAlias(a, k) => {
                let request = AliasRequest {
                    alias_name: alias(a),
                    target_key_id: self.id(k),
                };
                self.run(&admin, |w, c, e| w.create_alias(c, e, request))
            }
            Op::UpdateAlias(a, k) => {
                let request = AliasRequest {
                    alias_name: alias(a),
                    target_key_id: self.id(k),
                };
                self.run(&admin, |w, c, e| w.update_alias(c, e, request))
            }
            Op::DeleteAlias(a) => {
                let request = DeleteAliasRequest {
                    alias_name: alias(a),
                };
                self.run(&admin, |w, c, e| w.delete_alias(c, e, request))
            }
            Op::Describe(k) => {
                let request = DescribeKeyRequest {
                    key_id: self.id(k),
                    ..Default::default()
                };
                self.run(&admin, |w, c, e| w.describe_key(c, e, request))
                    .map(|_| ())
            }
            Op::DisableAsStranger(k) => {
                let id = self.id(k);
                let stranger = self.stranger.clone();
                self.run(&stranger, |w, c, e| {
                    w.disable_key(c, e, KeyIdRequest::new(id))
                })
            }
            Op::Advance(days) => {
                self.now = self.now.plus_millis(days * DAY_MILLIS);
                let mut env = Env::new(self.now, &mut self.rng);
                self.world.advance_time(&mut env);
                Ok(())
            }
        };
        result.err().map_or(OK, |e| e.exception_name())
    }

    fn state(&self, k: usize) -> &'static str {
        self.world
            .keys
            .keys()
            .find(|key| key.id.as_str() == self.id(k))
            .map_or("Deleted", |key| key.state_at(self.now).as_str())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn key_lifecycle_and_aliases_follow_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        let mut world = world();
        let stranger = world.add_user(ACCOUNT, "Stranger").unwrap();
        let mut real = Real { world, rng: SeededRandomness::new(3), now: NOW, ids: Vec::new(), stranger };
        let mut model = Model::default();
        for (step, op) in ops.iter().enumerate() {
            let expected = model.apply(op);
            let got = real.apply(op);
            prop_assert_eq!(got, expected, "step {} {:?}", step, op);
            for k in 0..model.keys.len() {
                prop_assert_eq!(real.state(k), model.state(k).name(), "key {} after step {} {:?}", k, step, op);
            }
            for a in 0..3 {
                let target = real
                    .world
                    .keys
                    .alias("us-east-1", ACCOUNT, &format!("alias/a{a}"))
                    .map(|alias| alias.target.to_string());
                prop_assert_eq!(target, model.aliases.get(&a).map(|&k| real.id(k)), "alias {} after step {}", a, step);
            }
        }
    }
}
