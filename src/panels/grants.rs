//! The grants panel (lecture demonstration 1): create a grant as the caller, see every grant per
//! key with its eventual-consistency countdown, retire and revoke them, and move the simulated
//! clock.
//!
//! Creating, retiring and revoking are the engine's CreateGrant, RetireGrant and RevokeGrant,
//! called as the caller; the list shows the world's grants as they stand. A new grant works at
//! once with its grant token, and without one only after the propagation window (KMS Developer
//! Guide, grants.html, "Eventual consistency").

use super::fields::{PairEdit, PairRow, PairsError, edit_pairs, pairs_map};
use super::{Refusal, WorldHost, principal_name, relative_time};
use kms_engine::catalog::Action;
use kms_engine::catalog::KEY_SPECS;
use kms_engine::entropy::Timestamp;
use kms_engine::kms::{Caller, CreateGrantRequest, RetireGrantRequest, RevokeGrantRequest};
use kms_engine::request::PrincipalArn;
use kms_engine::store::grants::{GrantConstraints, GrantId};
use kms_engine::world::World;

/// Which encryption-context constraint a new grant carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConstraintChoice {
    /// None.
    #[default]
    None,
    /// `EncryptionContextEquals`: the request's context must be exactly these pairs.
    Equals,
    /// `EncryptionContextSubset`: the request's context must include these pairs.
    Subset,
}

/// The create-grant form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantForm {
    /// The key (its id).
    pub key: String,
    /// The grantee principal's ARN.
    pub grantee: String,
    /// The grant operations ticked, in the catalogue's order.
    pub operations: Vec<Action>,
    /// The constraint kind.
    pub constraint: ConstraintChoice,
    /// The constraint's pairs.
    pub constraint_pairs: Vec<PairRow>,
    /// The retiring principal's ARN (empty: none).
    pub retiring: String,
    /// The grant's name (empty: none).
    pub name: String,
}

/// A grant this panel created: what CreateGrant returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedGrant {
    /// The grant id.
    pub grant_id: String,
    /// The grant token.
    pub grant_token: String,
    /// The key it is for.
    pub key: Option<String>,
    /// The grantee.
    pub grantee: String,
}

/// The outcome of the panel's last action.
#[derive(Clone, Debug, PartialEq)]
pub enum GrantOutcome {
    /// CreateGrant returned a grant.
    Created(IssuedGrant),
    /// A grant was retired or revoked.
    Ended {
        /// The grant id.
        grant_id: String,
        /// "retired" or "revoked".
        how: &'static str,
    },
    /// KMS refused.
    Refused(Refusal),
    /// The form cannot be sent as it is.
    Invalid(String),
}

/// A change the user makes in the grants panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantsIntent {
    /// Choose the key.
    SetKey(String),
    /// Choose the grantee.
    SetGrantee(String),
    /// Tick or untick an operation.
    ToggleOperation(Action),
    /// Choose the constraint kind.
    SetConstraint(ConstraintChoice),
    /// Edit the constraint's pairs.
    ConstraintPair(PairEdit),
    /// Choose the retiring principal (empty: none).
    SetRetiring(String),
    /// The grant's name.
    SetName(String),
    /// CreateGrant as the caller.
    Create,
    /// RetireGrant (by key and grant id) as the caller.
    Retire {
        /// The key.
        key: String,
        /// The grant.
        grant: String,
    },
    /// RevokeGrant as the caller.
    Revoke {
        /// The key.
        key: String,
        /// The grant.
        grant: String,
    },
    /// Dismiss the outcome.
    Dismiss,
}

/// The grants panel's state.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantsPanel {
    /// The form.
    pub form: GrantForm,
    /// The last CreateGrant's outcome, shown under the form.
    pub outcome: Option<GrantOutcome>,
    /// The last Retire or Revoke's outcome, shown by the grant lists: a refused RetireGrant has
    /// nothing to do with the form.
    pub list_outcome: Option<GrantOutcome>,
}

impl GrantsPanel {
    /// A panel whose form starts on the world's first key, with Encrypt and Decrypt ticked (the
    /// lecture's grant).
    pub fn new(world: &World) -> GrantsPanel {
        GrantsPanel {
            form: GrantForm {
                key: world
                    .keys
                    .keys()
                    .next()
                    .map(|k| k.id.to_string())
                    .unwrap_or_default(),
                grantee: String::new(),
                operations: vec![Action::Encrypt, Action::Decrypt],
                constraint: ConstraintChoice::None,
                constraint_pairs: vec![PairRow::default()],
                retiring: String::new(),
                name: String::new(),
            },
            outcome: None,
            list_outcome: None,
        }
    }

    /// Keeps the form pointing at things that exist after the world changed.
    pub fn world_replaced(&mut self, world: &World) {
        *self = GrantsPanel::new(world);
    }

    /// Applies one change; operations go through `host` as `caller`.
    pub fn apply(
        &mut self,
        host: &mut impl WorldHost,
        caller: Option<&PrincipalArn>,
        intent: GrantsIntent,
    ) {
        let form = &mut self.form;
        match intent {
            GrantsIntent::SetKey(key) => form.key = key,
            GrantsIntent::SetGrantee(arn) => form.grantee = arn,
            GrantsIntent::ToggleOperation(action) => {
                if let Some(i) = form.operations.iter().position(|a| *a == action) {
                    form.operations.remove(i);
                } else if grant_operations().contains(&action) {
                    form.operations.push(action);
                    let offered = grant_operations();
                    kms_engine::sort::sort_by_key(&mut form.operations, |a| {
                        offered.iter().position(|b| b == a)
                    });
                }
            }
            GrantsIntent::SetConstraint(kind) => form.constraint = kind,
            GrantsIntent::ConstraintPair(edit) => edit_pairs(&mut form.constraint_pairs, edit),
            GrantsIntent::SetRetiring(arn) => form.retiring = arn,
            GrantsIntent::SetName(name) => form.name = name,
            GrantsIntent::Create => {
                let Some(caller) = caller else { return };
                self.outcome = Some(match self.form.request() {
                    Ok(request) => create(host, caller, request),
                    Err(problem) => GrantOutcome::Invalid(problem),
                });
            }
            GrantsIntent::Retire { key, grant } => {
                let Some(caller) = caller else { return };
                let caller = Caller::new(caller.clone());
                self.list_outcome = Some(host.operate(|world, env| {
                    let key_arn = world
                        .keys
                        .get_by_arn(&key)
                        .map(|k| k.arn.clone())
                        .unwrap_or_default();
                    let request = RetireGrantRequest {
                        key_id: Some(key_arn),
                        grant_id: Some(grant.clone()),
                        ..RetireGrantRequest::default()
                    };
                    match world.retire_grant(&caller, env, request) {
                        Ok(()) => GrantOutcome::Ended {
                            grant_id: grant,
                            how: "retired",
                        },
                        Err(e) => GrantOutcome::Refused(Refusal::new(world, "RetireGrant", &e)),
                    }
                }));
            }
            GrantsIntent::Revoke { key, grant } => {
                let Some(caller) = caller else { return };
                let caller = Caller::new(caller.clone());
                self.list_outcome = Some(host.operate(|world, env| {
                    let request = RevokeGrantRequest {
                        key_id: key.to_string(),
                        grant_id: grant.clone(),
                        ..RevokeGrantRequest::default()
                    };
                    match world.revoke_grant(&caller, env, request) {
                        Ok(()) => GrantOutcome::Ended {
                            grant_id: grant,
                            how: "revoked",
                        },
                        Err(e) => GrantOutcome::Refused(Refusal::new(world, "RevokeGrant", &e)),
                    }
                }));
            }
            GrantsIntent::Dismiss => {
                self.outcome = None;
                self.list_outcome = None;
            }
        }
    }
}

fn create(
    host: &mut impl WorldHost,
    caller: &PrincipalArn,
    request: CreateGrantRequest,
) -> GrantOutcome {
    let caller = Caller::new(caller.clone());
    host.operate(|world, env| {
        let grantee = request.grantee_principal.clone();
        // A refusal's why link decides this request, the new grant included.
        let sent = crate::why::RequestInputs::of_create_grant(&request);
        match world.create_grant(&caller, env, request) {
            Ok(response) => GrantOutcome::Created(IssuedGrant {
                key: world
                    .grants
                    .get(&GrantId::from_text(&response.grant_id))
                    .and_then(|g| world.keys.get_by_arn(&g.key_arn))
                    .map(|k| k.arn.clone()),
                grant_id: response.grant_id,
                grant_token: response.grant_token,
                grantee,
            }),
            Err(e) => {
                GrantOutcome::Refused(Refusal::new(world, "CreateGrant", &e).with_request(sent))
            }
        }
    })
}

impl GrantForm {
    /// The CreateGrant request the form describes, or what is missing, in words. Operation names
    /// and constraints are sent as typed; the engine validates them as KMS does.
    pub fn request(&self) -> Result<CreateGrantRequest, String> {
        if self.key.is_empty() {
            return Err("Choose a key.".to_owned());
        }
        if self.grantee.trim().is_empty() {
            return Err("Choose the grantee principal.".to_owned());
        }
        let pairs = pairs_map(&self.constraint_pairs).map_err(|e: PairsError| e.to_string())?;
        let constraints = match self.constraint {
            ConstraintChoice::None => None,
            ConstraintChoice::Equals => Some(GrantConstraints {
                encryption_context_equals: Some(pairs),
                encryption_context_subset: None,
            }),
            ConstraintChoice::Subset => Some(GrantConstraints {
                encryption_context_equals: None,
                encryption_context_subset: Some(pairs),
            }),
        };
        Ok(CreateGrantRequest {
            key_id: self.key.clone(),
            grantee_principal: self.grantee.trim().to_owned(),
            retiring_principal: Some(self.retiring.trim().to_owned()).filter(|r| !r.is_empty()),
            operations: self
                .operations
                .iter()
                .filter_map(|a| a.grant_operation_name())
                .map(str::to_owned)
                .collect(),
            constraints,
            name: Some(self.name.trim().to_owned()).filter(|n| !n.is_empty()),
            ..CreateGrantRequest::default()
        })
    }
}

/// The operations a grant can allow, from the key-spec table: the form's checkboxes (KMS
/// Developer Guide, grants.html, "Grant operations"), over every key type.
pub fn grant_operations() -> Vec<Action> {
    let mut offered: Vec<Action> = Vec::new();
    for row in KEY_SPECS {
        for &action in row.grant_operations {
            if !offered.contains(&action) {
                offered.push(action);
            }
        }
    }
    offered
}

/// Whether a grant works without its token yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantConsistency {
    /// Inside the propagation window: only with a grant token, until this instant.
    Pending {
        /// When it becomes effective without a token.
        until: Timestamp,
    },
    /// Effective for every request it covers.
    Effective,
}

/// One grant as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRow {
    /// The grant id.
    pub grant_id: GrantId,
    /// The key.
    pub key: String,
    /// The grant's name, if it has one.
    pub name: Option<String>,
    /// The grantee's ARN.
    pub grantee: String,
    /// The grantee's short name.
    pub grantee_name: String,
    /// The retiring principal's short name.
    pub retiring: Option<String>,
    /// Who created it (short name).
    pub created_by: String,
    /// The operations, as the grant lists them.
    pub operations: Vec<&'static str>,
    /// The constraint in words, such as `EncryptionContextSubset {Department=Finance}`.
    pub constraints: Option<String>,
    /// When it was created, relative to the clock's origin.
    pub created: String,
    /// Pending or effective.
    pub standing: GrantConsistency,
}

/// The active grants on `key`, oldest first, as they stand at `now`.
pub fn grant_rows(world: &World, key: &str, origin: Timestamp, now: Timestamp) -> Vec<GrantRow> {
    let Some(key_arn) = world.keys.get_by_arn(key).map(|k| k.arn.clone()) else {
        return Vec::new();
    };
    world
        .grants
        .on_key(&key_arn)
        .map(|grant| GrantRow {
            grant_id: grant.id.clone(),
            key: key.to_owned(),
            name: grant.name.clone(),
            grantee: grant.grantee.to_string(),
            grantee_name: principal_name(world, grant.grantee.as_str()),
            retiring: grant
                .retiring
                .as_ref()
                .map(|r| principal_name(world, r.as_str())),
            created_by: principal_name(world, grant.created_by.as_str()),
            operations: grant
                .operations
                .iter()
                .filter_map(|a| a.grant_operation_name())
                .collect(),
            constraints: grant.constraints.as_ref().and_then(describe_constraints),
            created: relative_time(origin, grant.created),
            standing: if grant.effective_from > now {
                GrantConsistency::Pending {
                    until: grant.effective_from,
                }
            } else {
                GrantConsistency::Effective
            },
        })
        .collect()
}

fn describe_constraints(constraints: &GrantConstraints) -> Option<String> {
    let pairs = |map: &std::collections::BTreeMap<String, String>| {
        map.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if let Some(map) = &constraints.encryption_context_equals {
        parts.push(format!("EncryptionContextEquals {{{}}}", pairs(map)));
    }
    if let Some(map) = &constraints.encryption_context_subset {
        parts.push(format!("EncryptionContextSubset {{{}}}", pairs(map)));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The clock chip: "T+3 min · consistent at T+5 min".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockChip {
    /// The simulated time relative to the origin.
    pub now: String,
    /// When the next pending grant becomes effective, relative to the origin, and how long until
    /// then.
    pub consistent_at: Option<(String, String)>,
}

/// The clock chip for `world` at `now`.
pub fn clock_chip(world: &World, origin: Timestamp, now: Timestamp) -> ClockChip {
    ClockChip {
        now: relative_time(origin, now),
        consistent_at: world
            .grants
            .next_change_after(now)
            .map(|at| (relative_time(origin, at), super::countdown(now, at))),
    }
}
