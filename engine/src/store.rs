//! The key store: keys, their states and aliases.
//!
//! Keys are kept behind `Arc`s so that cloning a [`KeyStore`] (the app keeps one world per undo
//! step) copies pointers, not key policies or key material; a change copies only the key it
//! touches.

pub mod alias;
pub mod grants;
pub mod key;
pub mod key_ref;
pub mod state;

pub use alias::{Alias, MAX_ALIASES_PER_KEY, alias_arn, validate_alias_name};
pub use key::{
    DAY_MILLIS, ExpirationModel, ImportParameters, Key, KeyId, KeyPolicy, KeyState, KeyVersion,
    Origin, Rotation, RotationType, TRANSIENT_STATE_MILLIS, Tag, Transient, key_arn,
};
pub use key_ref::KeyRef;
pub use state::{check_key, check_key_state, check_key_usage};

use crate::entropy::Timestamp;
use crate::error::KmsError;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A key found through a `KeyId` parameter.
#[derive(Clone, Debug)]
pub struct ResolvedKey<'a> {
    /// The key.
    pub key: &'a Arc<Key>,
    /// The alias name the request used, if it named the key by alias (for `kms:RequestAlias`).
    pub via_alias: Option<String>,
}

/// Keys and aliases of every account and Region (each key and alias knows its Region).
///
/// A key is identified by its Region and key id (its key ARN says both): a multi-Region replica
/// key has the same key id as its primary key, in another Region (KMS Developer Guide,
/// multi-Region-keys-overview.html).
#[derive(Clone, Debug, Default)]
pub struct KeyStore {
    /// In creation order.
    keys: Vec<Arc<Key>>,
    /// (key id, Region) → position in `keys`.
    index: BTreeMap<(KeyId, String), usize>,
    /// (Region, account, alias name) → alias: alias names are unique per account and Region.
    aliases: BTreeMap<(String, String, String), Alias>,
    /// Key ARN → the key's last successful cryptographic operation. Each key of a multi-Region
    /// set keeps its own (KMS API Reference, GetKeyLastUsage).
    last_use: BTreeMap<String, KeyUse>,
    /// How many uses have been recorded, for telling the calls apart.
    uses: u64,
}

/// The last successful cryptographic operation with a key (KMS API Reference,
/// KeyLastUsageData).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyUse {
    /// The API operation, such as `Encrypt` (`ReEncrypt` for both of its keys).
    pub operation: &'static str,
    /// When it ran.
    pub at: Timestamp,
    /// The call's number among the uses the store recorded, which tells calls apart (their
    /// request and event ids derive from it).
    pub call: u64,
}

impl KeyStore {
    /// An empty store.
    pub fn new() -> KeyStore {
        KeyStore::default()
    }

    /// Every key, in creation order.
    pub fn keys(&self) -> impl Iterator<Item = &Arc<Key>> {
        self.keys.iter()
    }

    /// The keys of `account`, in creation order.
    pub fn keys_of<'a>(&'a self, account: &'a str) -> impl Iterator<Item = &'a Arc<Key>> {
        self.keys.iter().filter(move |k| k.account == account)
    }

    /// The key with this id in `region`.
    pub fn get_in(&self, region: &str, id: &KeyId) -> Option<&Arc<Key>> {
        self.index
            .get(&(id.clone(), region.to_owned()))
            .and_then(|&i| self.keys.get(i))
    }

    /// Every key with this id, in creation order: one key, or a multi-Region key's primary and
    /// replicas (one per Region).
    pub fn with_id<'a>(&'a self, id: &'a KeyId) -> impl Iterator<Item = &'a Arc<Key>> {
        self.keys.iter().filter(move |k| &k.id == id)
    }

    /// The key whose ARN is `arn`.
    pub fn get_by_arn(&self, arn: &str) -> Option<&Arc<Key>> {
        match KeyRef::parse(arn) {
            Ok(KeyRef::KeyArn { id, region, .. }) => {
                self.get_in(&region, &id).filter(|k| k.arn == arn)
            }
            _ => None,
        }
    }

    /// Mutable access to the key whose ARN is `arn` (copies it if an older world still shares
    /// it).
    pub fn get_mut_by_arn(&mut self, arn: &str) -> Option<&mut Key> {
        let i = self.position(arn)?;
        self.keys.get_mut(i).map(Arc::make_mut)
    }

    /// The position in `keys` of the key whose ARN is `arn`.
    fn position(&self, arn: &str) -> Option<usize> {
        let Ok(KeyRef::KeyArn { id, region, .. }) = KeyRef::parse(arn) else {
            return None;
        };
        let i = *self.index.get(&(id, region))?;
        self.keys.get(i).filter(|k| k.arn == arn).map(|_| i)
    }

    /// Records that `operation` succeeded with the key whose ARN is `arn` at `at`. Every
    /// cryptographic call records, so this allocates only for a key's first use.
    pub fn record_use(&mut self, arn: &str, operation: &'static str, at: Timestamp) {
        self.uses += 1;
        let key_use = KeyUse {
            operation,
            at,
            call: self.uses,
        };
        if let Some(last) = self.last_use.get_mut(arn) {
            *last = key_use;
        } else if self.position(arn).is_some() {
            self.last_use.insert(arn.to_owned(), key_use);
        }
    }

    /// The last successful cryptographic operation with the key whose ARN is `arn`, if any.
    pub fn last_use(&self, arn: &str) -> Option<&KeyUse> {
        self.last_use.get(arn)
    }

    /// Adds a key. Its (key id, Region) must be new; a key id already used in another Region
    /// is accepted only for a multi-Region replica key of the same account (KMS API Reference,
    /// ReplicateKey).
    pub fn insert(&mut self, key: Key) -> Result<(), KmsError> {
        let exists = || KmsError::AlreadyExists(format!("Key '{}' already exists", key.arn));
        if self
            .index
            .contains_key(&(key.id.clone(), key.region.clone()))
        {
            return Err(exists());
        }
        if self
            .with_id(&key.id)
            .any(|other| !key.replica || !key.is_multi_region() || other.account != key.account)
        {
            return Err(exists());
        }
        self.index
            .insert((key.id.clone(), key.region.clone()), self.keys.len());
        self.keys.push(Arc::new(key));
        Ok(())
    }

    /// Removes the key whose ARN is `arn` and its aliases (what happens when the deletion
    /// waiting period ends: KMS Developer Guide, deleting-keys.html).
    pub fn remove(&mut self, arn: &str) -> Option<Arc<Key>> {
        let i = self.position(arn)?;
        let key = self.keys.remove(i);
        self.last_use.remove(arn);
        self.aliases.retain(|_, alias| {
            !(alias.target == key.id && alias.region == key.region && alias.account == key.account)
        });
        self.index = crate::sort::map_from(
            self.keys
                .iter()
                .enumerate()
                .map(|(i, k)| ((k.id.clone(), k.region.clone()), i)),
        );
        Some(key)
    }

    /// Deletes every key whose deletion date is at or before `now`; returns their ARNs.
    ///
    /// A multi-Region primary key scheduled for deletion while it had replicas waits in
    /// `PendingReplicaDeletion`; when the last of its replicas is deleted its waiting period
    /// begins and it becomes `PendingDeletion` (KMS API Reference, ScheduleKeyDeletion).
    pub fn expire(&mut self, now: Timestamp) -> Vec<String> {
        let mut deleted = Vec::new();
        // Each pass can start a primary's waiting period, which may itself be over by `now`;
        // every pass but the last removes a key, so the passes end.
        loop {
            let mut due: Vec<(Timestamp, String)> = self
                .keys
                .iter()
                .filter_map(|k| match k.state {
                    KeyState::PendingDeletion { deletion_date, .. } if deletion_date <= now => {
                        Some((deletion_date, k.arn.clone()))
                    }
                    _ => None,
                })
                .collect();
            if due.is_empty() {
                return deleted;
            }
            crate::sort::sort_by(&mut due, |a, b| a.0.cmp(&b.0));
            for (at, arn) in due {
                let Some(key) = self.remove(&arn) else {
                    continue;
                };
                deleted.push(arn);
                // The primary is the last key left with this id once its replicas are gone.
                let left: Vec<String> = self.with_id(&key.id).map(|k| k.arn.clone()).collect();
                if let [last] = left.as_slice()
                    && let Some(primary) = self.get_mut_by_arn(last)
                    && let KeyState::PendingReplicaDeletion { window_days } = primary.state
                {
                    primary.state = KeyState::PendingDeletion {
                        deletion_date: at.plus_millis(i64::from(window_days) * DAY_MILLIS),
                        window_days,
                    };
                }
            }
        }
    }

    /// Every alias, ordered by Region, account, then name.
    pub fn aliases(&self) -> impl Iterator<Item = &Alias> {
        self.aliases.values()
    }

    /// The aliases of `account` in `region`, ordered by name.
    pub fn aliases_of<'a>(
        &'a self,
        region: &'a str,
        account: &'a str,
    ) -> impl Iterator<Item = &'a Alias> {
        self.aliases
            .values()
            .filter(move |a| a.account == account && a.region == region)
    }

    /// The aliases pointing at `key` (in its account and Region), ordered by name.
    pub fn aliases_for<'a>(&'a self, key: &'a Key) -> impl Iterator<Item = &'a Alias> {
        self.aliases.values().filter(move |a| {
            a.target == key.id && a.region == key.region && a.account == key.account
        })
    }

    /// The key an alias points to.
    pub fn alias_target(&self, alias: &Alias) -> Option<&Arc<Key>> {
        self.get_in(&alias.region, &alias.target)
            .filter(|k| k.account == alias.account)
    }

    /// The alias `name` of `account` in `region`.
    pub fn alias(&self, region: &str, account: &str, name: &str) -> Option<&Alias> {
        self.aliases
            .get(&(region.to_owned(), account.to_owned(), name.to_owned()))
    }

    /// Adds or replaces an alias.
    pub fn put_alias(&mut self, alias: Alias) {
        self.aliases.insert(
            (
                alias.region.clone(),
                alias.account.clone(),
                alias.name.clone(),
            ),
            alias,
        );
    }

    /// Removes the alias `name` of `account` in `region`.
    pub fn remove_alias(&mut self, region: &str, account: &str, name: &str) -> Option<Alias> {
        self.aliases
            .remove(&(region.to_owned(), account.to_owned(), name.to_owned()))
    }

    /// Finds the key a `KeyId` parameter names, for a caller in `caller_account`, in `region`
    /// (the Region the request is sent to).
    ///
    /// A bare key id or alias name is looked up in the caller's own account and the request's
    /// Region; a key ARN or alias ARN of another Region is not found. Reaching a key in
    /// another account takes its key ARN or alias ARN (KMS Developer Guide,
    /// key-policy-modifying-external-accounts.html). `accept_alias` is false for operations
    /// whose `KeyId` takes only a key id or key ARN.
    pub fn resolve(
        &self,
        key_ref: &KeyRef,
        caller_account: &str,
        region: &str,
        accept_alias: bool,
    ) -> Result<ResolvedKey<'_>, KmsError> {
        let found = |region: &str, account: &str, id: &KeyId| {
            self.get_in(region, id)
                .filter(|k| k.account == account)
                .ok_or_else(|| KmsError::key_not_found(&key_arn(region, account, id)))
        };
        match key_ref {
            KeyRef::Id(id) => Ok(ResolvedKey {
                key: found(region, caller_account, id)?,
                via_alias: None,
            }),
            // A key ARN of another Region is refused before the key is looked for: KMS answers
            // `NotFoundException: Invalid arn REGION` (seen from the AWS CLI and SDKs when the
            // client's Region differs from the ARN's; keys are Regional, KMS Developer Guide,
            // concepts.html#key-id-key-ARN).
            KeyRef::KeyArn {
                region: arn_region, ..
            } if arn_region != region => {
                Err(KmsError::NotFound(format!("Invalid arn {arn_region}")))
            }
            KeyRef::KeyArn {
                region: arn_region,
                account,
                id,
            } => Ok(ResolvedKey {
                key: found(arn_region, account, id)?,
                via_alias: None,
            }),
            KeyRef::AliasName(name) | KeyRef::AliasArn { name, .. } => {
                let (alias_region, account) = match key_ref {
                    KeyRef::AliasArn {
                        region, account, ..
                    } => (region.as_str(), account.as_str()),
                    _ => (region, caller_account),
                };
                if !accept_alias {
                    return Err(key_ref::invalid_key_id(&match key_ref {
                        KeyRef::AliasArn { .. } => alias_arn(alias_region, account, name),
                        _ => name.clone(),
                    }));
                }
                let not_found =
                    || KmsError::alias_not_found(&alias_arn(alias_region, account, name));
                if alias_region != region {
                    return Err(not_found());
                }
                let alias = self.alias(region, account, name).ok_or_else(not_found)?;
                let key = self.alias_target(alias).ok_or_else(not_found)?;
                Ok(ResolvedKey {
                    key,
                    via_alias: Some(name.clone()),
                })
            }
        }
    }
}
