//! CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (API Reference; KMS
//! Developer Guide, grants.html, create-grant-overview.html, grant-manage.html), and the check of
//! `GrantTokens` every operation that takes them shares.
//!
//! Who may create a grant: anyone the authorizer allows `kms:CreateGrant` on the key. When that
//! permission comes from a key policy or an IAM policy, the new grant may hold any grant
//! operation, whether or not the creator holds it; when it comes only from a grant, the new grant
//! must be a subset of that grant with constraints at least as strict. The authorizer judges
//! both (the request carries the new grant's operations and constraints), so a refusal and its
//! explanation agree.

use serde::{Deserialize, Serialize};

use super::{Action, Caller, Env, page};
use crate::authz::{RequestParams, Target};
use crate::catalog::KEY_SPECS;
use crate::error::{Constraint, KmsError, Shown};
use crate::store::grants::{
    EndKind, GrantConstraints, GrantId, GrantListEntry, GrantPrincipal, MAX_GRANT_TOKENS, NewGrant,
    TokenProblem, parse_operation,
};
use crate::store::{Key, check_key_state};
use crate::world::World;

/// Grants per key (KMS Developer Guide, resource-limits.html: 50,000 per customer managed key).
pub const MAX_GRANTS_PER_KEY: usize = 50_000;

/// ListGrants and ListRetirableGrants page sizes: 1–100, default 50 (API Reference).
const LIST_LIMIT_DEFAULT: u32 = 50;
const LIST_LIMIT_MAX: u32 = 100;

/// CreateGrant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateGrantRequest {
    /// Key id or key ARN (the ARN for a key in another account).
    pub key_id: String,
    /// The principal that gets the operations.
    pub grantee_principal: String,
    /// The principal that may retire the grant.
    pub retiring_principal: Option<String>,
    /// Grant operations, such as `Encrypt`.
    pub operations: Vec<String>,
    /// Encryption-context constraints.
    pub constraints: Option<GrantConstraints>,
    /// Grant tokens (for a CreateGrant permission that comes from a new grant).
    pub grant_tokens: Vec<String>,
    /// A name that makes retries idempotent.
    pub name: Option<String>,
    /// Check permissions only: fails with `DryRunOperationException` when it would succeed.
    pub dry_run: Option<bool>,
}

/// CreateGrant's response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateGrantResponse {
    /// A token that makes the grant usable at once (CreateGrant is the only operation that
    /// returns one).
    pub grant_token: String,
    /// The grant id (64 hex digits).
    pub grant_id: String,
}

/// ListGrants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListGrantsRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// Only this grant.
    pub grant_id: Option<String>,
    /// Only grants to this principal.
    pub grantee_principal: Option<String>,
    /// Page size, 1–100 (default 50).
    pub limit: Option<u32>,
    /// Where to continue.
    pub marker: Option<String>,
}

/// ListRetirableGrants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ListRetirableGrantsRequest {
    /// The retiring principal whose grants to list.
    pub retiring_principal: String,
    /// Page size, 1–100 (default 50).
    pub limit: Option<u32>,
    /// Where to continue.
    pub marker: Option<String>,
}

/// ListGrants and ListRetirableGrants response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGrantsResponse {
    /// The grants; tokens never appear.
    pub grants: Vec<GrantListEntry>,
    /// Where the next page starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether more grants follow.
    pub truncated: bool,
}

/// RetireGrant: by token, or by key ARN and grant id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RetireGrantRequest {
    /// A token of the grant (works before the grant is consistent).
    pub grant_token: Option<String>,
    /// The key ARN (with `GrantId`).
    pub key_id: Option<String>,
    /// The grant id (with `KeyId`).
    pub grant_id: Option<String>,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// RevokeGrant (takes no grant token).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RevokeGrantRequest {
    /// Key id or key ARN.
    pub key_id: String,
    /// The grant id.
    pub grant_id: String,
    /// Check permissions only.
    pub dry_run: Option<bool>,
}

/// `DryRunOperationException`: the request would have succeeded (KMS Developer Guide,
/// programming-dryrun.html).
pub(super) fn dry_run_error() -> KmsError {
    KmsError::DryRunOperation(
        "The request would have succeeded, but the DryRun option is set.".to_owned(),
    )
}

fn invalid_grant_id(id: &str) -> KmsError {
    KmsError::InvalidGrantId(format!("Grant id {id} is not valid for this key"))
}

/// `GranteePrincipal` and `RetiringPrincipal`: 1–256 characters of `[\w+=,.@:/-]` (API
/// Reference, CreateGrant).
fn validate_principal(field: &str, value: &str) -> Result<(), KmsError> {
    KmsError::check_length(Shown::Text(value), value.chars().count(), field, 1, 256)?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c);
    if !value.chars().all(allowed) {
        return Err(KmsError::validation(
            Shown::Text(value),
            field,
            Constraint::Pattern("^[\\w+=,.@:/-]+$"),
        ));
    }
    Ok(())
}

/// `Name`: 1–256 characters of `[a-zA-Z0-9:/_-]` (API Reference, CreateGrant).
fn validate_name(name: &str) -> Result<(), KmsError> {
    KmsError::check_length(Shown::Text(name), name.chars().count(), "name", 1, 256)?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || ":/_-".contains(c);
    if !name.chars().all(allowed) {
        return Err(KmsError::validation(
            Shown::Text(name),
            "name",
            Constraint::Pattern("^[a-zA-Z0-9:/_-]+$"),
        ));
    }
    Ok(())
}

/// The operations named in CreateGrant, each a `GrantOperation` some kind of key accepts (KMS
/// Developer Guide, grants.html: other operations are a validation error). Whether the key named
/// accepts them is checked once it is found ([`check_operations_for_key`]).
fn unsupported_grant_operation(name: &str, kind_of_key: &str) -> KmsError {
    KmsError::Validation(format!(
        "Grant operation {name} is not supported by {kind_of_key}"
    ))
}

/// Each of `operations` is one a grant on `key` may list (its key spec's row): otherwise the
/// `ValidationException` CreateGrant answers. The scenario builder checks grants written in a file
/// with it too.
pub fn check_operations_for_key(key: &Key, operations: &[Action]) -> Result<(), KmsError> {
    let row = key.spec.row();
    match operations
        .iter()
        .find(|op| !row.allows_grant_operation(**op))
    {
        Some(op) => Err(unsupported_grant_operation(
            op.grant_operation_name().unwrap_or_default(),
            row.described_as,
        )),
        None => Ok(()),
    }
}

fn parse_operations(names: &[String]) -> Result<Vec<Action>, KmsError> {
    if names.is_empty() {
        return Err(KmsError::validation(
            Shown::List(&[]),
            "operations",
            Constraint::MinLength(1),
        ));
    }
    let mut operations = Vec::with_capacity(names.len());
    for name in names {
        let operation = parse_operation(name).ok_or_else(|| {
            let valid: Vec<&str> = Action::ALL
                .iter()
                .filter_map(|a| a.grant_operation_name())
                .collect();
            KmsError::validation(
                Shown::List(names),
                "operations",
                Constraint::EachEnum(&valid),
            )
        })?;
        if !KEY_SPECS
            .iter()
            .any(|row| row.allows_grant_operation(operation))
        {
            let kinds = crate::catalog::kinds_of_key();
            return Err(unsupported_grant_operation(name, &kinds.join(" or ")));
        }
        if !operations.contains(&operation) {
            operations.push(operation);
        }
    }
    Ok(operations)
}

impl World {
    /// Rejects a `GrantTokens` list that is too long (`ValidationException`), or holds a token
    /// that is malformed or was never issued (`InvalidGrantTokenException`).
    pub(super) fn check_grant_tokens(&self, tokens: &[String]) -> Result<(), KmsError> {
        if tokens.len() > MAX_GRANT_TOKENS {
            return Err(KmsError::validation(
                Shown::List(tokens),
                "grantTokens",
                Constraint::MaxLength(MAX_GRANT_TOKENS),
            ));
        }
        self.grants
            .resolve_tokens(tokens)
            .map(|_| ())
            .map_err(|problem| {
                KmsError::InvalidGrantToken(
                    match problem {
                        TokenProblem::Malformed => "The grant token is malformed.",
                        TokenProblem::Unknown => "The grant token does not belong to any grant.",
                    }
                    .to_owned(),
                )
            })
    }

    /// CreateGrant: a grant for `GranteePrincipal` on the key, returning its id and a token.
    pub fn create_grant(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: CreateGrantRequest,
    ) -> Result<CreateGrantResponse, KmsError> {
        self.advance_time(env);
        validate_principal("granteePrincipal", &request.grantee_principal)?;
        if let Some(retiring) = &request.retiring_principal {
            validate_principal("retiringPrincipal", retiring)?;
        }
        if let Some(name) = &request.name {
            validate_name(name)?;
        }
        let operations = parse_operations(&request.operations)?;
        let constraints = request.constraints.filter(|c| !c.is_empty());
        if let Some(constraints) = &constraints {
            constraints.validate().map_err(KmsError::Validation)?;
        }
        let principal = self.calling_principal(caller)?;
        let (key, _) = self.find_key(&principal, caller, &request.key_id, false)?;
        check_operations_for_key(&key, &operations)?;
        // "Grants for asymmetric KMS keys cannot include an encryption context grant
        // constraint" (API Reference, CreateGrant): asymmetric encryption takes no context.
        if constraints.is_some() && key.spec.row().asymmetric {
            return Err(KmsError::Validation(format!(
                "Encryption context grant constraints are not supported for asymmetric KMS key {}",
                key.arn
            )));
        }
        self.check_grant_tokens(&request.grant_tokens)?;

        // For CreateGrant, kms:EncryptionContext:* and kms:EncryptionContextKeys test the
        // encryption context of the grant's constraint (KMS Developer Guide, conditions-kms.html).
        let constraint_pairs = constraints.as_ref().map(GrantConstraints::condition_pairs);
        let params = RequestParams {
            encryption_context: constraint_pairs,
            // The authorizer judges a CreateGrant permission that comes from a grant by these
            // two: the new grant must be within that grant.
            grant_operations: Some(operations.clone()),
            grant_constraints: constraints.clone(),
            grantee_principal: Some(request.grantee_principal.clone()),
            retiring_principal: request.retiring_principal.clone(),
            grant_constraint_type: constraints
                .as_ref()
                .and_then(|c| c.types().first().map(|t| t.as_str().to_owned())),
            grant_tokens: request.grant_tokens.clone(),
            ..RequestParams::default()
        };
        self.authorize(
            &principal,
            caller,
            Action::CreateGrant,
            Target::Key(&key),
            params,
            env.now,
        )?;
        check_key_state(
            key.state_at(env.now),
            key.origin,
            Action::CreateGrant,
            &key.arn,
        )?;
        let spec = NewGrant {
            key_arn: key.arn.clone(),
            grantee: GrantPrincipal::new(&request.grantee_principal),
            retiring: request
                .retiring_principal
                .as_deref()
                .map(GrantPrincipal::new),
            operations,
            constraints,
            name: request.name,
            issuing_account: principal.account.clone(),
            created_by: caller.principal.clone(),
        };
        spec.check_principals()?;
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        if self.grants.on_key(&key.arn).count() >= MAX_GRANTS_PER_KEY {
            return Err(KmsError::LimitExceeded(format!(
                "The number of grants on key {} exceeds the limit of {MAX_GRANTS_PER_KEY}",
                key.arn
            )));
        }
        let created = self.grants.create(spec, env.now, &mut *env.rng)?;
        Ok(CreateGrantResponse {
            grant_token: created.token.as_str().to_owned(),
            grant_id: created.id.to_string(),
        })
    }

    /// ListGrants: the grants on a key (`kms:ListGrants`), filtered and paged.
    pub fn list_grants(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ListGrantsRequest,
    ) -> Result<ListGrantsResponse, KmsError> {
        if let Some(grantee) = &request.grantee_principal {
            validate_principal("granteePrincipal", grantee)?;
        }
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::ListGrants)?;
        let grant_id = request.grant_id.as_deref().map(GrantId::from_text);
        let entries = self
            .grants
            .list(
                &key.arn,
                grant_id.as_ref(),
                request.grantee_principal.as_deref(),
            )
            .map_err(|unknown| invalid_grant_id(&unknown.0))?;
        let page = page(
            &entries,
            request.limit,
            request.marker.as_deref(),
            LIST_LIMIT_DEFAULT,
            LIST_LIMIT_MAX,
        )?;
        Ok(ListGrantsResponse {
            grants: page.items,
            next_marker: page.next_marker,
            truncated: page.truncated,
        })
    }

    /// ListRetirableGrants: the grants a principal may retire as their retiring principal
    /// (IAM-only `kms:ListRetirableGrants`; KMS does not check access to the keys listed).
    pub fn list_retirable_grants(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ListRetirableGrantsRequest,
    ) -> Result<ListGrantsResponse, KmsError> {
        validate_principal("retiringPrincipal", &request.retiring_principal)?;
        self.account_operation(caller, env, Action::ListRetirableGrants)?;
        // Grants live in their key's Region: the list shows the request Region's.
        let region = self.request_region(caller);
        let mut entries = self.grants.list_retirable(&request.retiring_principal);
        entries.retain(|e| {
            self.keys
                .get_by_arn(&e.key_id)
                .is_some_and(|k| k.region == region)
        });
        let page = page(
            &entries,
            request.limit,
            request.marker.as_deref(),
            LIST_LIMIT_DEFAULT,
            LIST_LIMIT_MAX,
        )?;
        Ok(ListGrantsResponse {
            grants: page.items,
            next_marker: page.next_marker,
            truncated: page.truncated,
        })
    }

    /// RetireGrant: ends a grant, named by one of its tokens or by key ARN and grant id.
    ///
    /// The grant decides who may: its retiring principal, its grantee when it lists
    /// `RetireGrant`, and its issuing account (whose IAM principals need `kms:RetireGrant` in an
    /// identity policy). `kms:RetireGrant` in a key policy or an RCP has no effect, neither
    /// `Allow` nor `Deny`; a `Deny` in an IAM policy still counts (API Reference, RetireGrant;
    /// KMS Developer Guide, grant-delete.html). It stops working at once.
    pub fn retire_grant(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: RetireGrantRequest,
    ) -> Result<(), KmsError> {
        self.advance_time(env);
        let principal = self.calling_principal(caller)?;
        let (key_arn, grant_id) = match (&request.grant_token, &request.key_id, &request.grant_id) {
            (Some(token), _, _) => {
                self.check_grant_tokens(std::slice::from_ref(token))?;
                let grant = self
                    .grants
                    .grant_for_token(token)
                    .ok()
                    .filter(|g| g.is_active())
                    .ok_or_else(|| {
                        KmsError::InvalidGrantToken(
                            "The grant token names a grant that was retired or revoked.".to_owned(),
                        )
                    })?;
                (grant.key_arn.clone(), grant.id.clone())
            }
            (None, Some(key_id), Some(grant_id)) => {
                let (key, _) = self.find_key(&principal, caller, key_id, false)?;
                let id = GrantId::from_text(grant_id);
                if self.grants.active(&key.arn, &id).is_none() {
                    return Err(invalid_grant_id(grant_id));
                }
                (key.arn.clone(), id)
            }
            _ => {
                return Err(KmsError::Validation(
                    "Either GrantToken, or both KeyId and GrantId, must be specified".to_owned(),
                ));
            }
        };
        let key = self
            .keys
            .get_by_arn(&key_arn)
            .cloned()
            .ok_or_else(|| KmsError::key_not_found(&key_arn))?;
        self.authorize(
            &principal,
            caller,
            Action::RetireGrant,
            Target::Key(&key),
            RequestParams {
                grant_id: Some(grant_id.to_string()),
                grant_tokens: request.grant_token.into_iter().collect(),
                ..RequestParams::default()
            },
            env.now,
        )?;
        check_key_state(
            key.state_at(env.now),
            key.origin,
            Action::RetireGrant,
            &key.arn,
        )?;
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        self.grants
            .end(&grant_id, EndKind::Retired, &caller.principal, env.now);
        Ok(())
    }

    /// RevokeGrant: ends a grant (`kms:RevokeGrant` from the key policy or IAM). It stops
    /// working at once.
    pub fn revoke_grant(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: RevokeGrantRequest,
    ) -> Result<(), KmsError> {
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::RevokeGrant)?;
        let id = GrantId::from_text(&request.grant_id);
        if self.grants.active(&key.arn, &id).is_none() {
            return Err(invalid_grant_id(&request.grant_id));
        }
        if request.dry_run == Some(true) {
            return Err(dry_run_error());
        }
        self.grants
            .end(&id, EndKind::Revoked, &caller.principal, env.now);
        Ok(())
    }
}
