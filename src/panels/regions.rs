//! A multi-Region key's Regions, as the console's Regionality tab shows them: the primary key and
//! its replicas with their states, Replicate on the primary and Make primary on a replica.
//!
//! Replicate is the engine's ReplicateKey, sent to the primary key's Region; Make primary is its
//! UpdatePrimaryRegion, sent to the current primary's Region with the replica's Region as
//! `PrimaryRegion`; both as the caller (KMS Developer Guide, multi-region-keys-replicate.html,
//! multi-region-update.html). Whatever KMS refuses is shown as the AWS CLI prints it.

use super::{Refusal, WorldHost, countdown};
use kms_engine::entropy::Timestamp;
use kms_engine::kms::{Caller, ReplicateKeyRequest, UpdatePrimaryRegionRequest};
use kms_engine::request::PrincipalArn;
use kms_engine::store::Key;
use kms_engine::world::World;

/// One key of a set of related multi-Region keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedKey {
    /// Its key ARN.
    pub arn: String,
    /// Its Region.
    pub region: String,
    /// Whether it is the primary key.
    pub primary: bool,
    /// Its key state now, as DescribeKey prints it.
    pub state: &'static str,
    /// For a transient state (`Creating`, `Updating`): how long until it ends, in words.
    pub settles_in: Option<String>,
}

/// What the panel did last, on which key.
#[derive(Clone, Debug, PartialEq)]
pub enum RegionOutcome {
    /// ReplicateKey made a replica.
    Replicated {
        /// The replica's key ARN.
        arn: String,
        /// Its Region.
        region: String,
        /// Its state as ReplicateKey returned it (`Creating`).
        state: &'static str,
    },
    /// UpdatePrimaryRegion made the key in `region` the primary.
    PrimaryChanged {
        /// The new primary's Region.
        region: String,
    },
    /// KMS refused.
    Refused(Refusal),
    /// The form cannot be sent as it is.
    Invalid(String),
}

/// A change the user makes in a key's Regions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionsIntent {
    /// The Region typed or picked for a new replica.
    SetRegion(String),
    /// Replicate key `key` (an ARN) into the Region typed.
    Replicate(String),
    /// Make replica `replica` (an ARN) the primary key of its set.
    MakePrimary(String),
    /// Dismiss the last outcome.
    Dismiss,
}

/// The Regions panel's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionsPanel {
    /// The Region typed for a new replica.
    pub region: String,
    /// The last outcome, with the key (ARN) whose page it belongs to.
    pub outcome: Option<(String, RegionOutcome)>,
}

impl RegionsPanel {
    /// Applies one intent; world operations go through `host` as `caller`.
    pub fn apply(
        &mut self,
        host: &mut impl WorldHost,
        caller: Option<&PrincipalArn>,
        intent: RegionsIntent,
    ) {
        match intent {
            RegionsIntent::SetRegion(region) => self.region = region,
            RegionsIntent::Dismiss => self.outcome = None,
            RegionsIntent::Replicate(key) => {
                let Some(caller) = caller else { return };
                let region = self.region.trim().to_owned();
                let outcome = if region.is_empty() {
                    RegionOutcome::Invalid("Choose or type the Region of the replica.".to_owned())
                } else {
                    replicate(host, caller, &key, region)
                };
                if matches!(outcome, RegionOutcome::Replicated { .. }) {
                    self.region.clear();
                }
                self.outcome = Some((key, outcome));
            }
            RegionsIntent::MakePrimary(replica) => {
                let Some(caller) = caller else { return };
                let outcome = make_primary(host, caller, &replica);
                self.outcome = Some((replica, outcome));
            }
        }
    }

    /// The outcome to show on key `key`'s page: the last one about `key` or a key related to it
    /// (Make primary is offered on every page of the set).
    pub fn outcome_for(&self, world: &World, key: &str) -> Option<&RegionOutcome> {
        let (about, outcome) = self.outcome.as_ref()?;
        let same_set = || {
            let (Some(a), Some(b)) = (world.keys.get_by_arn(about), world.keys.get_by_arn(key))
            else {
                return false;
            };
            a.is_multi_region() && a.id == b.id && a.account == b.account
        };
        (about == key || same_set()).then_some(outcome)
    }
}

/// The caller as it sends a request to `region`: the world's Region is the default one.
fn caller_in(world: &World, caller: &PrincipalArn, region: &str) -> Caller {
    let call = Caller::new(caller.clone());
    if region == world.region() {
        call
    } else {
        call.in_region(region)
    }
}

fn replicate(
    host: &mut impl WorldHost,
    caller: &PrincipalArn,
    key: &str,
    region: String,
) -> RegionOutcome {
    host.operate(|world, env| {
        let Some(primary) = world.keys.get_by_arn(key).cloned() else {
            return RegionOutcome::Invalid("That key no longer exists.".to_owned());
        };
        let call = caller_in(world, caller, &primary.region);
        let request = ReplicateKeyRequest {
            key_id: primary.arn.clone(),
            replica_region: region.clone(),
            ..ReplicateKeyRequest::default()
        };
        match world.replicate_key(&call, env, request) {
            Ok(response) => RegionOutcome::Replicated {
                arn: response.replica_key_metadata.arn.clone(),
                region,
                state: response.replica_key_metadata.key_state,
            },
            Err(e) => RegionOutcome::Refused(Refusal::new(world, "ReplicateKey", &e)),
        }
    })
}

fn make_primary(host: &mut impl WorldHost, caller: &PrincipalArn, replica: &str) -> RegionOutcome {
    host.operate(|world, env| {
        let Some(replica) = world.keys.get_by_arn(replica).cloned() else {
            return RegionOutcome::Invalid("That key no longer exists.".to_owned());
        };
        // The request names the current primary key, in its Region (API Reference,
        // UpdatePrimaryRegion, "KeyId": "Identifies the current primary key").
        let Some(primary) = related(world, &replica).into_iter().find(|k| !k.replica) else {
            return RegionOutcome::Invalid(format!(
                "{} has no primary key in this world.",
                replica.arn
            ));
        };
        let call = caller_in(world, caller, &primary.region);
        let request = UpdatePrimaryRegionRequest {
            key_id: primary.arn.clone(),
            primary_region: replica.region.clone(),
        };
        match world.update_primary_region(&call, env, request) {
            Ok(()) => RegionOutcome::PrimaryChanged {
                region: replica.region.clone(),
            },
            Err(e) => RegionOutcome::Refused(Refusal::new(world, "UpdatePrimaryRegion", &e)),
        }
    })
}

/// The keys related to `key` (same account and key id), `key` included, in the store's order.
fn related<'a>(world: &'a World, key: &'a Key) -> Vec<&'a Key> {
    world
        .keys
        .with_id(&key.id)
        .filter(|k| k.account == key.account)
        .map(|k| &**k)
        .collect()
}

/// The set of multi-Region keys `key` (an ARN) belongs to, the primary first, then the replicas
/// by Region; `None` for a single-Region key or a key the world does not have.
pub fn related_keys(world: &World, key: &str, now: Timestamp) -> Option<Vec<RelatedKey>> {
    let key = world.keys.get_by_arn(key)?;
    if !key.is_multi_region() {
        return None;
    }
    let mut out: Vec<RelatedKey> = related(world, key)
        .into_iter()
        .map(|k| RelatedKey {
            arn: k.arn.clone(),
            region: k.region.clone(),
            primary: !k.replica,
            state: k.state_at(now).as_str(),
            settles_in: k.transient_until(now).map(|at| countdown(now, at)),
        })
        .collect();
    kms_engine::sort::sort_by_key(&mut out, |k| (!k.primary, k.region.clone()));
    Some(out)
}

/// The Regions the replica picker offers for key `key`: those the world knows (its own Region and
/// every key's), without the Regions the key's set already has a key in. Any other Region can be
/// typed.
pub fn region_choices(world: &World, key: &str) -> Vec<String> {
    let taken: Vec<String> = world
        .keys
        .get_by_arn(key)
        .map(|k| related(world, k).iter().map(|r| r.region.clone()).collect())
        .unwrap_or_default();
    let mut regions: Vec<String> = std::iter::once(world.region().to_owned())
        .chain(world.keys.keys().map(|k| k.region.clone()))
        .filter(|r| !taken.contains(r))
        .collect();
    kms_engine::sort::sort(&mut regions);
    regions.dedup();
    regions
}
