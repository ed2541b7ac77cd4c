//! Running a parsed `aws kms` request against the world.
//!
//! Requests arrive as the JSON the KMS API receives (see [`super::args`]) and are read into the
//! engine's request types, which carry AWS's member names; responses are written back as JSON with
//! AWS's member names, and dates turned into the ISO 8601 text AWS CLI version 2 prints.

use super::spec::OperationSpec;
use kms_engine::entropy::{Randomness, Timestamp};
use kms_engine::error::{AccessDenied, KmsError};
use kms_engine::kms::{Caller, Env};
use kms_engine::request::PrincipalArn;
use kms_engine::world::World;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// A KMS error as the AWS CLI shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The exception name, such as `AccessDeniedException`.
    pub exception: &'static str,
    /// The message.
    pub message: String,
    /// For an `AccessDeniedException` from the authorizer, who was refused what: front ends
    /// link to the explanation with it instead of reading the message.
    pub denial: Option<Box<AccessDenied>>,
}

impl std::fmt::Display for ApiError {
    /// `EXCEPTION: message`, as the error part of the AWS CLI's line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.exception, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<KmsError> for ApiError {
    fn from(e: KmsError) -> ApiError {
        ApiError {
            exception: e.exception_name(),
            message: e.message().to_owned(),
            denial: e.denial().cloned().map(Box::new),
        }
    }
}

/// Who calls, where and when.
pub struct Call<'a> {
    /// The caller's ARN.
    pub caller: &'a PrincipalArn,
    /// The Region the command is sent to.
    pub region: &'a str,
    /// The simulated time.
    pub now: Timestamp,
}

type Operation<Req, Resp> = fn(&mut World, &Caller, &mut Env<'_>, Req) -> Result<Resp, KmsError>;

fn run<Req: DeserializeOwned, Resp: Serialize>(
    world: &mut World,
    caller: &Caller,
    env: &mut Env<'_>,
    request: Map<String, Value>,
    operation: Operation<Req, Resp>,
) -> Result<Value, ApiError> {
    // The map's own deserializer only reads structs from objects, so the derived code that reads
    // them from arrays is not compiled in (`from_value` of the object takes the same path).
    let request = Req::deserialize(request).map_err(invalid_request)?;
    let response = operation(world, caller, env, request)?;
    response_value(serde_json::to_value(response))
}

// The steps that do not depend on the request and response types live outside `run`, which is
// compiled once per operation.

fn invalid_request(e: serde_json::Error) -> ApiError {
    ApiError {
        exception: "ValidationException",
        message: format!("1 validation error detected: {e}"),
        denial: None,
    }
}

fn response_value(value: Result<Value, serde_json::Error>) -> Result<Value, ApiError> {
    let mut value = value.map_err(|e| ApiError {
        exception: "KMSInternalException",
        message: e.to_string(),
        denial: None,
    })?;
    if value.is_null() {
        value = Value::Object(Map::new());
    }
    iso_dates(&mut value);
    Ok(value)
}

/// Runs `operation` with `request` for `call.caller`.
pub fn kms(
    world: &mut World,
    call: &Call<'_>,
    rng: &mut dyn Randomness,
    operation: &OperationSpec,
    request: Map<String, Value>,
) -> Result<Value, ApiError> {
    // The engine looks bare key ids and alias names up, creates keys and lists in the Region
    // the request is sent to.
    let caller = if call.region == world.region() {
        Caller::new(call.caller.clone())
    } else {
        Caller::new(call.caller.clone()).in_region(call.region)
    };
    let mut env = Env::new(call.now, rng);
    let w = world;
    let c = &caller;
    let e = &mut env;
    let r = request;
    let value = match operation.api {
        "CancelKeyDeletion" => run(w, c, e, r, World::cancel_key_deletion),
        "CreateAlias" => run(w, c, e, r, World::create_alias),
        "CreateGrant" => run(w, c, e, r, World::create_grant),
        "CreateKey" => run(w, c, e, r, World::create_key),
        "Decrypt" => run(w, c, e, r, World::decrypt),
        "DeleteAlias" => run(w, c, e, r, World::delete_alias),
        "DeleteImportedKeyMaterial" => run(w, c, e, r, World::delete_imported_key_material),
        "DeriveSharedSecret" => run(w, c, e, r, World::derive_shared_secret),
        "DescribeKey" => run(w, c, e, r, World::describe_key),
        "DisableKey" => run(w, c, e, r, World::disable_key),
        "DisableKeyRotation" => run(w, c, e, r, World::disable_key_rotation),
        "EnableKey" => run(w, c, e, r, World::enable_key),
        "EnableKeyRotation" => run(w, c, e, r, World::enable_key_rotation),
        "Encrypt" => run(w, c, e, r, World::encrypt),
        "GenerateDataKey" => run(w, c, e, r, World::generate_data_key),
        "GenerateDataKeyPair" => run(w, c, e, r, World::generate_data_key_pair),
        "GenerateDataKeyPairWithoutPlaintext" => {
            run(w, c, e, r, World::generate_data_key_pair_without_plaintext)
        }
        "GenerateDataKeyWithoutPlaintext" => {
            run(w, c, e, r, World::generate_data_key_without_plaintext)
        }
        "GenerateMac" => run(w, c, e, r, World::generate_mac),
        "GenerateRandom" => run(w, c, e, r, World::generate_random),
        "GetKeyLastUsage" => run(w, c, e, r, World::get_key_last_usage),
        "GetKeyPolicy" => run(w, c, e, r, World::get_key_policy),
        "GetKeyRotationStatus" => run(w, c, e, r, World::get_key_rotation_status),
        "GetParametersForImport" => run(w, c, e, r, World::get_parameters_for_import),
        "GetPublicKey" => run(w, c, e, r, World::get_public_key),
        "ImportKeyMaterial" => run(w, c, e, r, World::import_key_material),
        "ListAliases" => run(w, c, e, r, World::list_aliases),
        "ListGrants" => run(w, c, e, r, World::list_grants),
        "ListKeyPolicies" => run(w, c, e, r, World::list_key_policies),
        "ListKeyRotations" => run(w, c, e, r, World::list_key_rotations),
        "ListKeys" => run(w, c, e, r, World::list_keys),
        "ListResourceTags" => run(w, c, e, r, World::list_resource_tags),
        "ListRetirableGrants" => run(w, c, e, r, World::list_retirable_grants),
        "PutKeyPolicy" => run(w, c, e, r, World::put_key_policy),
        "ReEncrypt" => run(w, c, e, r, World::re_encrypt),
        "ReplicateKey" => run(w, c, e, r, World::replicate_key),
        "RetireGrant" => run(w, c, e, r, World::retire_grant),
        "RevokeGrant" => run(w, c, e, r, World::revoke_grant),
        "RotateKeyOnDemand" => run(w, c, e, r, World::rotate_key_on_demand),
        "ScheduleKeyDeletion" => run(w, c, e, r, World::schedule_key_deletion),
        "Sign" => run(w, c, e, r, World::sign),
        "TagResource" => run(w, c, e, r, World::tag_resource),
        "UntagResource" => run(w, c, e, r, World::untag_resource),
        "UpdateAlias" => run(w, c, e, r, World::update_alias),
        "UpdateKeyDescription" => run(w, c, e, r, World::update_key_description),
        "UpdatePrimaryRegion" => run(w, c, e, r, World::update_primary_region),
        "Verify" => run(w, c, e, r, World::verify),
        "VerifyMac" => run(w, c, e, r, World::verify_mac),
        other => Err(ApiError {
            exception: "UnsupportedOperationException",
            message: format!("{other} is not modelled by KMS Playground"),
            denial: None,
        }),
    }?;
    Ok(value)
}

/// `aws sts get-caller-identity` (AWS STS API Reference, GetCallerIdentity).
pub fn caller_identity(world: &World, caller: &PrincipalArn) -> Result<Value, ApiError> {
    let principal = world.principal(caller).ok_or_else(|| ApiError {
        exception: "InvalidClientTokenId",
        message: "The security token included in the request is invalid.".to_owned(),
        denial: None,
    })?;
    let mut map = Map::new();
    map.insert(
        "UserId".to_owned(),
        Value::String(principal.user_id.clone()),
    );
    map.insert(
        "Account".to_owned(),
        Value::String(principal.account.clone()),
    );
    map.insert("Arn".to_owned(), Value::String(principal.id.to_string()));
    Ok(Value::Object(map))
}

/// The principal whose user, role or session name is `name`, in any case (so `--profile alice`
/// is the user `Alice`).
pub fn principal_named(world: &World, name: &str) -> Option<PrincipalArn> {
    world
        .principals()
        .find(|p| {
            let short = p.display_name();
            short.eq_ignore_ascii_case(name)
                || short
                    .rsplit('/')
                    .next()
                    .is_some_and(|s| s.eq_ignore_ascii_case(name))
        })
        .and_then(|p| p.arn().cloned())
}

/// A stable, made-up access key id for a principal (`AKIA` and 16 characters, as IAM's look).
pub fn access_key_id(arn: &str) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = Sha256::digest(format!("kms-playground-access-key\0{arn}").as_bytes());
    let tail: String = digest
        .iter()
        .take(16)
        .map(|b| char::from(ALPHABET.get(usize::from(b % 32)).copied().unwrap_or(b'A')))
        .collect();
    format!("AKIA{tail}")
}

/// Replaces epoch-seconds dates with ISO 8601 text in UTC, as AWS CLI version 2 prints them
/// (`2024-01-01T00:00:00+00:00`, with microseconds when the time has a fraction).
fn iso_dates(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let is_date = key.ends_with("Date")
                    || key == "ValidTo"
                    || key == "ParametersValidTo"
                    || key == "Timestamp";
                match (is_date, v.as_f64()) {
                    (true, Some(seconds)) => *v = Value::String(iso_date(seconds)),
                    _ => iso_dates(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(iso_dates),
        _ => {}
    }
}

fn iso_date(seconds: f64) -> String {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "playground dates are far inside i64 milliseconds"
    )]
    let millis = (seconds * 1000.0).round() as i64;
    let base = kms_engine::format::iso8601(Timestamp(millis));
    let stem = base.trim_end_matches('Z');
    let fraction = millis.rem_euclid(1000);
    if fraction == 0 {
        format!("{stem}+00:00")
    } else {
        format!("{stem}.{:06}+00:00", fraction * 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_print_as_aws_cli_version_2_prints_them() {
        let mut v = json!({"KeyMetadata": {"CreationDate": 1_704_067_200.0, "Enabled": true}, "DeletionDate": 1_704_067_200.5, "Grants": [{"CreationDate": 0.0}]});
        iso_dates(&mut v);
        assert_eq!(
            v,
            json!({"KeyMetadata": {"CreationDate": "2024-01-01T00:00:00+00:00", "Enabled": true}, "DeletionDate": "2024-01-01T00:00:00.500000+00:00", "Grants": [{"CreationDate": "1970-01-01T00:00:00+00:00"}]})
        );
    }

    #[test]
    fn access_key_ids_look_like_iam_ones_and_are_stable() {
        let id = access_key_id("arn:aws:iam::111122223333:user/Bob");
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("AKIA"));
        assert_eq!(id, access_key_id("arn:aws:iam::111122223333:user/Bob"));
        assert_ne!(id, access_key_id("arn:aws:iam::111122223333:user/Alice"));
    }
}

#[cfg(test)]
mod dispatch_tests {
    use super::*;
    use kms_engine::entropy::SeededRandomness;

    /// Every command the argument parser accepts reaches an engine operation.
    #[test]
    fn every_listed_operation_is_dispatched() {
        let text = include_str!("../../scenarios/demo1-grants.json");
        let now = Timestamp(1_704_067_200_000);
        let mut rng = SeededRandomness::new(1);
        let mut world = kms_engine::scenario::load(text, now, &mut rng)
            .unwrap()
            .world;
        let alice = PrincipalArn::parse("arn:aws:iam::111122223333:user/Alice").unwrap();
        let call = Call {
            caller: &alice,
            region: "us-east-1",
            now,
        };
        for op in super::super::spec::OPERATIONS {
            let result = kms(&mut world, &call, &mut rng, op, Map::new());
            if let Err(e) = result {
                assert!(
                    !e.message.contains("is not modelled by KMS Playground"),
                    "{}: {}",
                    op.api,
                    e.message
                );
            }
        }
    }
}
