//! GetKeyPolicy, PutKeyPolicy (with the lockout safety check), ListKeyPolicies.

use super::{
    Action, Caller, Env, GetKeyPolicyRequest, GetKeyPolicyResponse, KeyIdRequest,
    ListKeyPoliciesResponse, PutKeyPolicyRequest,
};
use crate::authz::{self, AuthzRequest, KEY_POLICY_NAME, RequestParams, Target};
use crate::entropy::Timestamp;
use crate::error::KmsError;
use crate::policy::Policy;
use crate::policy::parse::{INVALID_PRINCIPALS_MESSAGE, PolicyKind, parse_policy};
use crate::store::{Key, KeyPolicy};
use crate::world::{Principal, World};
use std::sync::Arc;

/// KMS's message when the lockout safety check fails (API PutKeyPolicy).
pub const LOCKOUT_MESSAGE: &str =
    "The new key policy will not allow you to update the key policy in the future.";

impl World {
    /// Checks a key policy the way CreateKey and PutKeyPolicy do: size and characters
    /// (`LimitExceededException` above 32 KB), grammar (`MalformedPolicyDocumentException`), and
    /// principals KMS cannot find ("Policy contains a statement with one or more invalid
    /// principals."). Returns the text with its parsed form.
    pub fn check_key_policy(&self, text: &str) -> Result<KeyPolicy, KmsError> {
        let parsed = parse_policy(text, PolicyKind::KeyPolicy);
        if let Some(rejection) = parsed.kms_rejection() {
            return Err(match rejection.exception {
                "LimitExceededException" => KmsError::LimitExceeded(rejection.message),
                _ => KmsError::MalformedPolicyDocument(rejection.message),
            });
        }
        let policy = parsed.policy.ok_or_else(|| {
            KmsError::MalformedPolicyDocument("The key policy is not valid.".to_owned())
        })?;
        if !self.invalid_policy_principals(text, &policy).is_empty() {
            return Err(KmsError::MalformedPolicyDocument(
                INVALID_PRINCIPALS_MESSAGE.to_owned(),
            ));
        }
        Ok(KeyPolicy {
            text: Arc::from(text),
            policy: Arc::new(policy),
        })
    }

    /// The lockout safety check: would `policy` let the caller call PutKeyPolicy on `key` later?
    /// It counts IAM delegation, so a policy that only trusts the account fails for a caller
    /// whose IAM policies do not allow `kms:PutKeyPolicy` (API PutKeyPolicy,
    /// BypassPolicyLockoutSafetyCheck; semantics §6).
    pub(super) fn lockout_check(
        &self,
        principal: &Principal,
        caller: &Caller,
        key: &Key,
        policy: &Policy,
        now: Timestamp,
    ) -> Result<(), KmsError> {
        // A later call that does not bypass the check: it leaves the parameter out, so
        // `kms:BypassPolicyLockoutSafetyCheck` is not in its context.
        let params = RequestParams {
            via_service: caller.via_service.clone(),
            ..RequestParams::default()
        };
        let verdict = authz::decide(
            self,
            &AuthzRequest {
                caller: principal,
                action: Action::PutKeyPolicy,
                target: Target::KeyWithPolicy { key, policy },
                params: &params,
                now,
            },
        );
        if verdict.is_allowed() {
            Ok(())
        } else {
            Err(KmsError::MalformedPolicyDocument(
                LOCKOUT_MESSAGE.to_owned(),
            ))
        }
    }

    /// GetKeyPolicy: the policy text as written. A `PolicyName` other than `default` gets
    /// `NotFoundException` (the real error is undocumented; semantics §6).
    pub fn get_key_policy(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GetKeyPolicyRequest,
    ) -> Result<GetKeyPolicyResponse, KmsError> {
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::GetKeyPolicy)?;
        check_policy_name(request.policy_name.as_deref())?;
        Ok(GetKeyPolicyResponse {
            policy: key.policy.text.to_string(),
            policy_name: KEY_POLICY_NAME.to_owned(),
        })
    }

    /// PutKeyPolicy: replaces the key policy after checking it ([`World::check_key_policy`]) and,
    /// unless `BypassPolicyLockoutSafetyCheck` is true, that the new policy still lets the caller
    /// call PutKeyPolicy. Works in every key state (KMS Developer Guide, key-state.html).
    pub fn put_key_policy(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: PutKeyPolicyRequest,
    ) -> Result<(), KmsError> {
        let bypass = request.bypass_policy_lockout_safety_check.unwrap_or(false);
        let params = bypass_params(request.bypass_policy_lockout_safety_check);
        let (principal, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::PutKeyPolicy,
            false,
            params,
        )?;
        check_policy_name(request.policy_name.as_deref())?;
        let policy = self.check_key_policy(&request.policy)?;
        if !bypass {
            self.lockout_check(&principal, caller, &key, &policy.policy, env.now)?;
        }
        self.key_mut(&key)?.policy = policy;
        Ok(())
    }

    /// ListKeyPolicies: always `["default"]`.
    pub fn list_key_policies(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: KeyIdRequest,
    ) -> Result<ListKeyPoliciesResponse, KmsError> {
        self.managed_key(caller, env, &request.key_id, Action::ListKeyPolicies)?;
        Ok(ListKeyPoliciesResponse {
            policy_names: vec![KEY_POLICY_NAME.to_owned()],
            truncated: false,
        })
    }
}

/// The request parameters of a call that may carry `BypassPolicyLockoutSafetyCheck`: the condition
/// key `kms:BypassPolicyLockoutSafetyCheck` is in the context only when the request includes the
/// parameter. KMS Developer Guide, conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check:
/// a statement with `"Null": {"kms:BypassPolicyLockoutSafetyCheck": true}` allows exactly the
/// requests without it.
pub(super) fn bypass_params(bypass: Option<bool>) -> RequestParams {
    let mut params = RequestParams::default();
    if let Some(bypass) = bypass {
        params
            .context
            .set("kms:BypassPolicyLockoutSafetyCheck", bypass.to_string());
    }
    params
}

/// Only `default` names a key policy.
fn check_policy_name(name: Option<&str>) -> Result<(), KmsError> {
    match name {
        None | Some(KEY_POLICY_NAME) => Ok(()),
        Some(other) => Err(KmsError::NotFound(format!(
            "No such policy exists: {other}. The only key policy name is default."
        ))),
    }
}
