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
    Origin, Rotation, RotationType, Tag, key_arn,
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
#[derive(Clone, Debug, Default)]
pub struct KeyStore {
    /// In creation order.
    keys: Vec<Arc<Key>>,
    /// Key id → position in `keys`.
    index: BTreeMap<KeyId, usize>,
    /// (Region, account, alias name) → alias: alias names are unique per account and Region.
    aliases: BTreeMap<(String, String, String), Alias>,
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

    /// The key with this id.
    pub fn get(&self, id: &KeyId) -> Option<&Arc<Key>> {
        self.index.get(id).and_then(|&i| self.keys.get(i))
    }

    /// The key with this id, by text.
    pub fn get_by_id_str(&self, id: &str) -> Option<&Arc<Key>> {
        KeyId::parse(id).and_then(|id| self.get(&id))
    }

    /// The key whose ARN is `arn`.
    pub fn get_by_arn(&self, arn: &str) -> Option<&Arc<Key>> {
        match KeyRef::parse(arn) {
            Ok(KeyRef::KeyArn { id, .. }) => self.get(&id).filter(|k| k.arn == arn),
            _ => None,
        }
    }

    /// Mutable access to a key (copies it if an older world still shares it).
    pub fn get_mut(&mut self, id: &KeyId) -> Option<&mut Key> {
        let i = *self.index.get(id)?;
        self.keys.get_mut(i).map(Arc::make_mut)
    }

    /// Adds a key. Its id must be new (ids come from 122 random bits).
    pub fn insert(&mut self, key: Key) -> Result<(), KmsError> {
        if self.index.contains_key(&key.id) {
            return Err(KmsError::AlreadyExists(format!(
                "Key '{}' already exists",
                key.arn
            )));
        }
        self.index.insert(key.id.clone(), self.keys.len());
        self.keys.push(Arc::new(key));
        Ok(())
    }

    /// Removes a key and its aliases (what happens when the deletion waiting period ends: KMS
    /// Developer Guide, deleting-keys.html).
    pub fn remove(&mut self, id: &KeyId) -> Option<Arc<Key>> {
        let i = self.index.remove(id)?;
        if i >= self.keys.len() {
            return None;
        }
        let key = self.keys.remove(i);
        self.aliases.retain(|_, alias| &alias.target != id);
        self.index =
            crate::sort::map_from(self.keys.iter().enumerate().map(|(i, k)| (k.id.clone(), i)));
        Some(key)
    }

    /// Deletes every key whose deletion date is at or before `now`; returns their ids.
    pub fn expire(&mut self, now: Timestamp) -> Vec<KeyId> {
        let due: Vec<KeyId> = self
            .keys
            .iter()
            .filter(|k| {
                matches!(k.state, KeyState::PendingDeletion { deletion_date, .. } if deletion_date <= now)
            })
            .map(|k| k.id.clone())
            .collect();
        for id in &due {
            self.remove(id);
        }
        due
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

    /// The aliases pointing at key `id`, ordered by name.
    pub fn aliases_for<'a>(&'a self, id: &'a KeyId) -> impl Iterator<Item = &'a Alias> {
        self.aliases.values().filter(move |a| &a.target == id)
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
            self.get(id)
                .filter(|k| k.account == account && k.region == region)
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
                let key = self.get(&alias.target).ok_or_else(not_found)?;
                Ok(ResolvedKey {
                    key,
                    via_alias: Some(name.clone()),
                })
            }
        }
    }
}
