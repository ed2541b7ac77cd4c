//! The KMS API operations, on a [`World`].
//!
//! Each operation is a method taking the [`Caller`], an [`Env`] (the simulated time and the
//! randomness), and a request struct with AWS's field names; it returns a response struct that
//! serializes with AWS's field names (so an `aws kms` emulator can print it) or a [`KmsError`]
//! named after the KMS exception. Every operation is authorized by [`crate::authz`] before it
//! acts, then checked against the key-state table ([`crate::store::check_key`]: the key-state table, then the key-spec table).
//!
//! Time moves forward with the `Env`: before each call, keys whose deletion date has passed are
//! deleted, automatic rotations that are due happen, and imported key material past its
//! `ValidTo` expires.
//!
//! **Import.** `GetParametersForImport` makes a real RSA wrapping key pair and hands out its
//! public key with the import token; `ImportKeyMaterial` unwraps the material with RSAES-OAEP or
//! RSA-OAEP plus AES key wrap with padding, as the Developer Guide's openssl steps produce. The
//! RSA code is an asymmetric backend's (`crypto::backend`): while a build has none loaded,
//! GetParametersForImport answers `KMSInternalException`, asking to try again. Only the latest parameters
//! of a key are kept: a new call replaces the token and wrapping key of the one before.

mod aliases;
mod crypto_ops;
mod grants;
mod import;
mod key_pairs;
mod key_policy;
mod keys;
mod mac;
mod replicas;
mod rotation;
mod sign;
mod tags;
pub mod types;
mod usage;

pub use crypto_ops::*;
pub use grants::*;
pub use key_pairs::*;
pub use mac::*;
pub use sign::*;
pub use tags::validate_tag;
pub use types::*;

use crate::authz::{self, AuthzRequest, RequestParams, Target, Verdict};
use crate::catalog::Action;
use crate::entropy::{Randomness, Timestamp};
use crate::error::KmsError;
use crate::request::{Context, PrincipalArn};
use crate::store::{DAY_MILLIS, ExpirationModel, Key, KeyRef, KeyState, KeyVersion, RotationType};
use crate::world::{Principal, World};
use std::sync::Arc;

/// Who makes a call, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Caller {
    /// The caller's ARN (an IAM user, role, assumed-role session or account root).
    pub principal: PrincipalArn,
    /// The AWS service the call came through, such as `ebs.us-east-1.amazonaws.com`
    /// (`kms:ViaService`).
    pub via_service: Option<String>,
    /// Extra condition keys to put in the request context (`aws:SourceIp`, ...).
    pub context: Context,
    /// The Region the request is sent to; `None` is the world's Region. Keys, aliases and grants
    /// live in a Region: a bare key id or alias name is looked up in this one, CreateKey makes
    /// its key here, and the list operations list this Region's (KMS Developer Guide,
    /// concepts.html#key-id).
    pub region: Option<String>,
}

impl Caller {
    /// A direct call by `principal`.
    pub fn new(principal: PrincipalArn) -> Caller {
        Caller {
            principal,
            via_service: None,
            context: Context::new(),
            region: None,
        }
    }

    /// The same caller, sending its requests to `region`.
    #[must_use]
    pub fn in_region(self, region: impl Into<String>) -> Caller {
        Caller {
            region: Some(region.into()),
            ..self
        }
    }
}

/// The simulated time and the source of randomness of one call.
pub struct Env<'a> {
    /// The current time.
    pub now: Timestamp,
    /// Random bytes (key ids, key material, tokens).
    pub rng: &'a mut dyn Randomness,
}

impl<'a> Env<'a> {
    /// An environment at `now` drawing from `rng`.
    pub fn new(now: Timestamp, rng: &'a mut dyn Randomness) -> Env<'a> {
        Env { now, rng }
    }
}

/// How long import parameters stay valid (API GetParametersForImport: 24 hours).
const IMPORT_PARAMETERS_MILLIS: i64 = DAY_MILLIS;

impl World {
    /// Applies what the passage of time does, up to `env.now`: deletes keys whose waiting
    /// period is over (KMS Developer Guide, deleting-keys.html), performs due automatic
    /// rotations of enabled keys (rotate-keys.html), and expires imported key material past its
    /// `ValidTo` (importing-keys.html: the key becomes `PendingImport`). Every operation calls it
    /// first; the app calls it when its clock moves.
    pub fn advance_time(&mut self, env: &mut Env<'_>) {
        let now = env.now;
        if !self.keys.expire(now).is_empty() {
            let keys = &self.keys;
            self.grants
                .retain_keys(|arn| keys.get_by_arn(arn).is_some());
        }
        let arns: Vec<String> = self.keys.keys().map(|k| k.arn.clone()).collect();
        for arn in arns {
            let Some(key) = self.keys.get_by_arn(&arn) else {
                continue;
            };
            // A replica's material rotates with its primary's (KMS Developer Guide,
            // multi-region-keys-overview.html: automatic rotation is a shared property).
            let rotation_due = key.state == KeyState::Enabled
                && !key.replica
                && key.rotation.enabled
                && key.rotation.next_rotation.is_some_and(|at| at <= now);
            let material_expired = key.expiration_model == Some(ExpirationModel::Expires)
                && key.material_valid_to.is_some_and(|at| at <= now)
                && key.ring.has_material();
            if !rotation_due && !material_expired {
                continue;
            }
            let Some(key) = self.keys.get_mut_by_arn(&arn) else {
                continue;
            };
            if rotation_due {
                let period = i64::from(key.rotation.period_days) * DAY_MILLIS;
                // A key that slept through several periods rotates once per period, each
                // version dated when it was due; the cap only guards against absurd clocks.
                for _ in 0..64 {
                    let Some(at) = key.rotation.next_rotation.filter(|&at| at <= now) else {
                        break;
                    };
                    // Without random bytes the rotation waits for the next tick: no version
                    // is made from a buffer the source failed to fill.
                    let Ok(version) = KeyVersion::new(&mut *env.rng, at, RotationType::Automatic)
                    else {
                        break;
                    };
                    if !matches!(key.ring.rotate(&mut *env.rng), Ok(Some(_))) {
                        break;
                    }
                    key.versions.push(version);
                    key.rotation.next_rotation = Some(at.plus_millis(period));
                }
            }
            if material_expired {
                remove_material(key);
            }
            if rotation_due {
                self.sync_replicas(&arn);
            }
        }
    }

    /// Copies what related multi-Region keys share from the primary key `primary_arn` to its
    /// replicas: the key material (every backing key version) and the rotation settings (KMS
    /// Developer Guide, multi-region-keys-overview.html, "shared properties": KMS synchronizes
    /// them from the primary). Does nothing for a key that is not a multi-Region primary key.
    pub(super) fn sync_replicas(&mut self, primary_arn: &str) {
        let Some(primary) = self.keys.get_by_arn(primary_arn).cloned() else {
            return;
        };
        if primary.multi_region_key_type() != Some("PRIMARY") {
            return;
        }
        let replicas: Vec<String> = self
            .keys
            .with_id(&primary.id)
            .filter(|k| k.replica && k.account == primary.account)
            .map(|k| k.arn.clone())
            .collect();
        for arn in replicas {
            if let Some(replica) = self.keys.get_mut_by_arn(&arn) {
                replica.rotation = primary.rotation;
                if replica.ring.has_material() && primary.ring.has_material() {
                    replica.ring = primary.ring.clone();
                    replica.versions.clone_from(&primary.versions);
                }
            }
        }
    }

    /// The calling principal, or `UnrecognizedClientException` for an identity the world does
    /// not know.
    fn calling_principal(&self, caller: &Caller) -> Result<Arc<Principal>, KmsError> {
        self.principal(&caller.principal).cloned().ok_or_else(|| {
            KmsError::UnrecognizedClient(
                "The security token included in the request is invalid.".to_owned(),
            )
        })
    }

    /// The Region `caller` sends its request to: its own, or the world's.
    pub fn request_region<'a>(&'a self, caller: &'a Caller) -> &'a str {
        caller.region.as_deref().unwrap_or(self.region())
    }

    /// The key a `KeyId` parameter names for `principal` in the request's Region (see
    /// [`crate::store::KeyStore::resolve`]), with the alias it used.
    fn find_key(
        &self,
        principal: &Principal,
        caller: &Caller,
        key_id: &str,
        accept_alias: bool,
    ) -> Result<(Arc<Key>, Option<String>), KmsError> {
        let key_ref = KeyRef::parse(key_id)?;
        let resolved = self.keys.resolve(
            &key_ref,
            &principal.account,
            self.request_region(caller),
            accept_alias,
        )?;
        Ok((Arc::clone(resolved.key), resolved.via_alias))
    }

    /// Authorizes `action` on `target` for `principal`: the verdict, or the
    /// `AccessDeniedException` with its explanation.
    fn authorize(
        &self,
        principal: &Principal,
        caller: &Caller,
        action: Action,
        target: Target<'_>,
        params: RequestParams,
        now: Timestamp,
    ) -> Result<Verdict, KmsError> {
        let params = call_params(caller, params);
        authz::require(
            self,
            &AuthzRequest {
                caller: principal,
                action,
                target,
                params: &params,
                now,
            },
        )
    }

    /// The common start of an IAM-only operation (no key): the caller, with `action` authorized
    /// by its IAM policies.
    fn account_operation(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        action: Action,
    ) -> Result<Arc<Principal>, KmsError> {
        self.advance_time(env);
        let principal = self.calling_principal(caller)?;
        self.authorize(
            &principal,
            caller,
            action,
            Target::Account,
            RequestParams::default(),
            env.now,
        )?;
        Ok(principal)
    }

    /// The common start of an operation on one key: find it, authorize `action` on it, check its
    /// state.
    fn key_operation(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        key_id: &str,
        action: Action,
        accept_alias: bool,
        params: RequestParams,
    ) -> Result<(Arc<Principal>, Arc<Key>), KmsError> {
        self.advance_time(env);
        let principal = self.calling_principal(caller)?;
        let (key, via_alias) = self.find_key(&principal, caller, key_id, accept_alias)?;
        self.check_grant_tokens(&params.grant_tokens)?;
        let params = RequestParams {
            request_alias: via_alias,
            ..params
        };
        self.authorize(
            &principal,
            caller,
            action,
            Target::Key(&key),
            params,
            env.now,
        )?;
        crate::store::check_key(&key, action, env.now)?;
        Ok((principal, key))
    }

    /// [`World::key_operation`] for an operation whose `KeyId` takes a key id or key ARN only and
    /// that adds no condition keys of its own: most management operations.
    fn managed_key(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        key_id: &str,
        action: Action,
    ) -> Result<(Arc<Principal>, Arc<Key>), KmsError> {
        self.key_operation(caller, env, key_id, action, false, RequestParams::default())
    }

    /// Mutable access to a key found by [`World::key_operation`].
    fn key_mut(&mut self, key: &Key) -> Result<&mut Key, KmsError> {
        self.keys
            .get_mut_by_arn(&key.arn)
            .ok_or_else(|| KmsError::key_not_found(&key.arn))
    }
}

/// The authorizer's parameters for a call: the operation's `params` with what the caller brings,
/// the service it came through (`kms:ViaService`) and its extra condition keys.
fn call_params(caller: &Caller, mut params: RequestParams) -> RequestParams {
    params.via_service.clone_from(&caller.via_service);
    if let Some(region) = &caller.region {
        // IAM User Guide, reference_policies_condition-keys.html#condition-keys-requestedregion:
        // the Region the request is made to.
        params.context.set("aws:RequestedRegion", region.as_str());
    }
    for (key, value) in caller.context.iter() {
        params.context.insert(key, value.clone());
    }
    params
}

/// Deletes a key's imported material: the key becomes `PendingImport` unless it is pending
/// deletion (KMS Developer Guide, importing-keys-delete-key-material.html).
fn remove_material(key: &mut Key) {
    key.ring = crate::crypto::KeyRing::without_material(key.spec);
    key.versions.clear();
    key.material_valid_to = None;
    key.expiration_model = None;
    if !matches!(key.state, KeyState::PendingDeletion { .. }) {
        key.state = KeyState::PendingImport;
    }
}

/// Pages through `items`: `marker` is the opaque position a previous page returned.
fn page<T: Clone>(
    items: &[T],
    limit: Option<u32>,
    marker: Option<&str>,
    default_limit: u32,
    max_limit: u32,
) -> Result<Page<T>, KmsError> {
    let limit = limit.unwrap_or(default_limit);
    KmsError::check_range(i64::from(limit), "limit", 1, i64::from(max_limit))?;
    let start = match marker {
        None => 0,
        Some(marker) => marker
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n <= items.len())
            .ok_or_else(|| KmsError::InvalidMarker(format!("Invalid marker: {marker}")))?,
    };
    let end = start.saturating_add(limit as usize).min(items.len());
    let truncated = end < items.len();
    Ok(Page {
        items: items.get(start..end).unwrap_or_default().to_vec(),
        truncated,
        next_marker: truncated.then(|| format!("page-{end}")),
    })
}

/// One page of a list operation.
struct Page<T> {
    items: Vec<T>,
    truncated: bool,
    next_marker: Option<String>,
}
