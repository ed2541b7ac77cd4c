//! CreateAlias, UpdateAlias, DeleteAlias, ListAliases (API Reference; KMS Developer Guide,
//! alias-access.html: alias operations need the permission on the alias, from an IAM policy, and
//! on the key, from the key policy or delegated IAM).

use super::{
    Action, AliasListEntry, AliasRequest, Caller, DeleteAliasRequest, Env, ListAliasesRequest,
    ListAliasesResponse, page,
};
use crate::authz::{RequestParams, Target};
use crate::entropy::Timestamp;
use crate::error::KmsError;
use crate::store::{
    Alias, KeyState, MAX_ALIASES_PER_KEY, alias_arn, check_key_state, validate_alias_name,
};
use crate::world::{Principal, World};
use std::sync::Arc;

impl World {
    /// The ARN of alias `name` of `account` in the Region `caller` sends its request to.
    fn alias_arn(&self, caller: &Caller, account: &str, name: &str) -> String {
        alias_arn(self.request_region(caller), account, name)
    }

    /// Authorizes `action` on `target` with no request-specific condition keys: alias
    /// operations need it on the alias (IAM policies) and on each key they touch.
    fn authorize_alias_operation(
        &self,
        principal: &Principal,
        caller: &Caller,
        action: Action,
        target: Target<'_>,
        now: Timestamp,
    ) -> Result<(), KmsError> {
        self.authorize(
            principal,
            caller,
            action,
            target,
            RequestParams::default(),
            now,
        )
        .map(|_| ())
    }

    /// The start of UpdateAlias and DeleteAlias: the caller's alias `name` (`NotFoundException`
    /// when its account has none), with `action` authorized on it.
    fn existing_alias(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        name: &str,
        action: Action,
    ) -> Result<(Arc<Principal>, Alias), KmsError> {
        validate_alias_name(name)?;
        self.advance_time(env);
        let principal = self.calling_principal(caller)?;
        let arn = self.alias_arn(caller, &principal.account, name);
        let alias = self
            .keys
            .alias(self.request_region(caller), &principal.account, name)
            .cloned()
            .ok_or_else(|| KmsError::alias_not_found(&arn))?;
        self.authorize_alias_operation(
            &principal,
            caller,
            action,
            Target::Alias { arn: &arn },
            env.now,
        )?;
        Ok((principal, alias))
    }

    /// CreateAlias: a new alias in the caller's account for a key of that account.
    pub fn create_alias(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: AliasRequest,
    ) -> Result<(), KmsError> {
        validate_alias_name(&request.alias_name)?;
        let (principal, key) =
            self.managed_key(caller, env, &request.target_key_id, Action::CreateAlias)?;
        let arn = self.alias_arn(caller, &principal.account, &request.alias_name);
        self.authorize_alias_operation(
            &principal,
            caller,
            Action::CreateAlias,
            Target::Alias { arn: &arn },
            env.now,
        )?;
        if self
            .keys
            .alias(&key.region, &principal.account, &request.alias_name)
            .is_some()
        {
            return Err(KmsError::AlreadyExists(format!(
                "An alias with the name {arn} already exists"
            )));
        }
        if self.keys.aliases_for(&key).count() >= MAX_ALIASES_PER_KEY {
            return Err(KmsError::LimitExceeded(format!(
                "Key {} already has {MAX_ALIASES_PER_KEY} aliases, the most a key can have",
                key.arn
            )));
        }
        self.keys.put_alias(Alias {
            name: request.alias_name,
            arn,
            account: principal.account.clone(),
            region: key.region.clone(),
            target: key.id.clone(),
            created: env.now,
            updated: env.now,
        });
        Ok(())
    }

    /// UpdateAlias: points an existing alias of the caller's account at another key of that
    /// account. Needs the permission on the alias, the current key and the new key.
    pub fn update_alias(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: AliasRequest,
    ) -> Result<(), KmsError> {
        let (principal, alias) =
            self.existing_alias(caller, env, &request.alias_name, Action::UpdateAlias)?;
        let current = self
            .keys
            .alias_target(&alias)
            .cloned()
            .ok_or_else(|| KmsError::alias_not_found(&alias.arn))?;
        self.authorize_alias_operation(
            &principal,
            caller,
            Action::UpdateAlias,
            Target::Key(&current),
            env.now,
        )?;
        check_key_state(
            current.state_at(env.now),
            current.origin,
            Action::UpdateAlias,
            &current.arn,
        )?;
        let (target, _) = self.find_key(&principal, caller, &request.target_key_id, false)?;
        self.authorize_alias_operation(
            &principal,
            caller,
            Action::UpdateAlias,
            Target::Key(&target),
            env.now,
        )?;
        // The new key may not be pending deletion (KMS Developer Guide, key-state.html,
        // footnote 10); the current one may.
        if matches!(target.state, KeyState::PendingDeletion { .. }) {
            return Err(KmsError::pending_deletion(&target.arn));
        }
        if self.keys.aliases_for(&target).count() >= MAX_ALIASES_PER_KEY && target.id != current.id
        {
            return Err(KmsError::LimitExceeded(format!(
                "Key {} already has {MAX_ALIASES_PER_KEY} aliases, the most a key can have",
                target.arn
            )));
        }
        self.keys.put_alias(Alias {
            target: target.id.clone(),
            updated: env.now,
            ..alias
        });
        Ok(())
    }

    /// DeleteAlias: removes an alias of the caller's account (its key is unaffected).
    pub fn delete_alias(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: DeleteAliasRequest,
    ) -> Result<(), KmsError> {
        let (principal, alias) =
            self.existing_alias(caller, env, &request.alias_name, Action::DeleteAlias)?;
        if let Some(key) = self.keys.alias_target(&alias).cloned() {
            self.authorize_alias_operation(
                &principal,
                caller,
                Action::DeleteAlias,
                Target::Key(&key),
                env.now,
            )?;
        }
        self.keys
            .remove_alias(&alias.region, &principal.account, &request.alias_name);
        Ok(())
    }

    /// ListAliases: the aliases of the caller's account, optionally only those of one key
    /// (IAM-only `kms:ListAliases`).
    pub fn list_aliases(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ListAliasesRequest,
    ) -> Result<ListAliasesResponse, KmsError> {
        let principal = self.account_operation(caller, env, Action::ListAliases)?;
        let only = match &request.key_id {
            Some(key_id) => Some(
                self.find_key(&principal, caller, key_id, false)?
                    .0
                    .id
                    .clone(),
            ),
            None => None,
        };
        let entries: Vec<AliasListEntry> = self
            .keys
            .aliases_of(self.request_region(caller), &principal.account)
            .filter(|a| only.as_ref().is_none_or(|id| &a.target == id))
            .map(|a| AliasListEntry {
                alias_name: a.name.clone(),
                alias_arn: a.arn.clone(),
                target_key_id: a.target.to_string(),
                creation_date: a.created,
                last_updated_date: a.updated,
            })
            .collect();
        let page = page(&entries, request.limit, request.marker.as_deref(), 50, 100)?;
        Ok(ListAliasesResponse {
            aliases: page.items,
            next_marker: page.next_marker,
            truncated: page.truncated,
        })
    }
}
