//! GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial (API Reference; KMS
//! Developer Guide, importing-keys.html). GetParametersForImport makes an RSA wrapping key pair
//! (`RSA_2048`, `RSA_3072`, `RSA_4096`) and hands out its public key with an import token;
//! ImportKeyMaterial unwraps the material with that pair's private key and the wrapping
//! algorithm the parameters named (importing-keys-encrypt-key-material.html). The RSA code is
//! an asymmetric backend's (`crypto::backend`): while none is loaded, GetParametersForImport
//! answers `KMSInternalException`, as Sign does.

use super::{
    Action, Caller, Env, GetParametersForImportRequest, GetParametersForImportResponse,
    IMPORT_PARAMETERS_MILLIS, ImportKeyMaterialRequest, KeyIdRequest, remove_material,
};
use crate::authz::RequestParams;
use crate::crypto::{ImportMaterialError, UNWRAPPING_ALGORITHMS, WrappingKey, WrappingKeyError};
use crate::error::{Constraint, KmsError, Shown};
use crate::store::{
    DAY_MILLIS, ExpirationModel, ImportParameters, KeyState, KeyVersion, RotationType,
};
use crate::world::World;
use sha2::{Digest, Sha256};

/// The wrapping algorithms GetParametersForImport accepts (API `AlgorithmSpec`).
const WRAPPING_ALGORITHMS: [&str; 6] = [
    "RSAES_PKCS1_V1_5",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
    "SM2PKE",
];

/// The wrapping key specs (API `WrappingKeySpec`).
const WRAPPING_KEY_SPECS: [&str; 4] = ["RSA_2048", "RSA_3072", "RSA_4096", "SM2"];

impl World {
    /// GetParametersForImport: an import token and wrapping key, valid 24 hours, for a key with
    /// origin `EXTERNAL`.
    pub fn get_parameters_for_import(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: GetParametersForImportRequest,
    ) -> Result<GetParametersForImportResponse, KmsError> {
        if !WRAPPING_ALGORITHMS.contains(&request.wrapping_algorithm.as_str()) {
            return Err(KmsError::validation(
                Shown::Text(&request.wrapping_algorithm),
                "wrappingAlgorithm",
                Constraint::Enum(&WRAPPING_ALGORITHMS),
            ));
        }
        if !WRAPPING_KEY_SPECS.contains(&request.wrapping_key_spec.as_str()) {
            return Err(KmsError::validation(
                Shown::Text(&request.wrapping_key_spec),
                "wrappingKeySpec",
                Constraint::Enum(&WRAPPING_KEY_SPECS),
            ));
        }
        let mut params = RequestParams::default();
        params
            .context
            .set("kms:WrappingAlgorithm", request.wrapping_algorithm.as_str());
        params
            .context
            .set("kms:WrappingKeySpec", request.wrapping_key_spec.as_str());
        let (_, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::GetParametersForImport,
            false,
            params,
        )?;
        if !UNWRAPPING_ALGORITHMS.contains(&request.wrapping_algorithm.as_str()) {
            // API Reference, GetParametersForImport, WrappingAlgorithm: "As of October 10,
            // 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm"; SM2PKE goes
            // with the SM2 wrapping key spec of the China Regions.
            return Err(KmsError::UnsupportedOperation(format!(
                "WrappingAlgorithm {} is not supported: use RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256",
                request.wrapping_algorithm
            )));
        }
        let wrapping_key = match WrappingKey::generate(&request.wrapping_key_spec, env.rng) {
            Ok(wrapping_key) => wrapping_key,
            Err(WrappingKeyError::Randomness(e)) => return Err(e.into()),
            // The enum check above lets only SM2 through without a wrapping key of its own.
            Err(WrappingKeyError::UnknownSpec) => {
                return Err(KmsError::UnsupportedOperation(
                    "WrappingKeySpec SM2 is only available in the AWS China Regions: use RSA_2048, RSA_3072 or RSA_4096"
                        .to_owned(),
                ));
            }
            Err(WrappingKeyError::Unavailable) => {
                return Err(super::sign::unavailable(&request.wrapping_key_spec));
            }
        };
        let mut token = vec![0u8; 32];
        env.rng.fill(&mut token)?;
        let valid_until = env.now.plus_millis(IMPORT_PARAMETERS_MILLIS);
        let response = GetParametersForImportResponse {
            key_id: key.arn.clone(),
            import_token: token.clone(),
            public_key: wrapping_key.public_key().to_vec(),
            parameters_valid_to: valid_until,
        };
        self.key_mut(&key)?.import = Some(ImportParameters {
            token,
            wrapping_key,
            wrapping_algorithm: request.wrapping_algorithm,
            valid_until,
        });
        Ok(response)
    }

    /// ImportKeyMaterial: unwraps the material with the wrapping key of the
    /// GetParametersForImport call that made the import token, and installs it. Material that
    /// does not unwrap is `InvalidCiphertextException`; material of the wrong length for the
    /// key spec, or (for a key whose material was deleted) not the material imported before, is
    /// `IncorrectKeyMaterialException`.
    pub fn import_key_material(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ImportKeyMaterialRequest,
    ) -> Result<(), KmsError> {
        let model = request.expiration_model.unwrap_or(ExpirationModel::Expires);
        match (model, request.valid_to) {
            (ExpirationModel::Expires, None) => {
                return Err(KmsError::Validation(
                    "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"
                        .to_owned(),
                ));
            }
            (ExpirationModel::DoesNotExpire, Some(_)) => {
                return Err(KmsError::Validation(
                    "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE"
                        .to_owned(),
                ));
            }
            _ => {}
        }
        let mut params = RequestParams::default();
        params.context.set(
            "kms:ExpirationModel",
            match model {
                ExpirationModel::Expires => "KEY_MATERIAL_EXPIRES",
                ExpirationModel::DoesNotExpire => "KEY_MATERIAL_DOES_NOT_EXPIRE",
            },
        );
        if let Some(valid_to) = request.valid_to {
            params
                .context
                .set("kms:ValidTo", valid_to.as_epoch_seconds().to_string());
        }
        let (_, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::ImportKeyMaterial,
            false,
            params,
        )?;
        if let Some(valid_to) = request.valid_to {
            if valid_to <= env.now || valid_to > env.now.plus_millis(365 * DAY_MILLIS) {
                return Err(KmsError::Validation(
                    "ValidTo must be in the future and at most 365 days from now".to_owned(),
                ));
            }
        }
        let Some(import) = key
            .import
            .as_ref()
            .filter(|p| p.token == request.import_token)
        else {
            return Err(KmsError::InvalidImportToken(format!(
                "The import token is not valid for {}",
                key.arn
            )));
        };
        if import.valid_until <= env.now {
            return Err(KmsError::ExpiredImportToken(format!(
                "The import token for {} has expired",
                key.arn
            )));
        }
        // API Reference, ImportKeyMaterial, Errors: InvalidCiphertextException "From the
        // ImportKeyMaterial operation, the request was rejected because KMS could not decrypt
        // the encrypted (wrapped) key material."
        let Some(material) = import
            .wrapping_key
            .unwrap(&import.wrapping_algorithm, &request.encrypted_key_material)
        else {
            return Err(KmsError::InvalidCiphertext(format!(
                "The encrypted key material could not be unwrapped with this import token's wrapping key and its wrapping algorithm {}",
                import.wrapping_algorithm
            )));
        };
        // IncorrectKeyMaterialException: "the key material in the request is, expired,
        // invalid, or does not meet expectations" (a symmetric encryption key's material is a
        // 256-bit key: importing-keys-conceptual.html, "Requirements for imported key material";
        // an HMAC key's is as long as its key spec says: importing-keys-encrypt-key-material.html;
        // an asymmetric key's is its private key, PKCS #8 DER, of the key's spec: "the key
        // material that you import must be compatible with the key spec", importing-keys-
        // conceptual.html). An asymmetric key keeps the key normalized, so the re-import check
        // below compares keys, not encodings.
        let material = match key.spec.row().import_material_bytes {
            Some(needed) if material.len() != needed => {
                return Err(KmsError::IncorrectKeyMaterial(format!(
                    "The key material for a {} key is {needed} bytes, not {}",
                    key.spec.as_str(),
                    material.len()
                )));
            }
            Some(_) => material,
            None => crate::crypto::private_key_material(key.spec, &material).map_err(|e| match e {
                ImportMaterialError::Unavailable => super::sign::unavailable(key.spec.as_str()),
                _ => KmsError::IncorrectKeyMaterial(format!(
                    "The key material is not a {} private key (PKCS #8 DER, the key pair's private key)",
                    key.spec.as_str()
                )),
            })?,
        };
        let digest: [u8; 32] = Sha256::digest(material.as_slice()).into();
        // Related multi-Region keys share their key material: each imports the same (KMS
        // Developer Guide, multi-region-keys-import.html).
        let related_digest = self
            .keys
            .with_id(&key.id)
            .filter(|k| k.account == key.account)
            .find_map(|k| k.imported_digest);
        if key
            .imported_digest
            .or(related_digest)
            .is_some_and(|d| d != digest)
        {
            return Err(KmsError::IncorrectKeyMaterial(format!(
                "The key material is not the material previously imported into {}",
                key.arn
            )));
        }
        let now = env.now;
        let target = self.key_mut(&key)?;
        if !target.ring.has_material() {
            let version = KeyVersion::new(&mut *env.rng, now, RotationType::Initial)?;
            target
                .ring
                .import_material(&material)
                .map_err(|e| KmsError::InvalidCiphertext(e.to_string()))?;
            target.versions.push(version);
        }
        target.imported_digest = Some(digest);
        target.import = None;
        target.expiration_model = Some(model);
        target.material_valid_to = request.valid_to;
        if target.state == KeyState::PendingImport {
            target.state = KeyState::Enabled;
        }
        Ok(())
    }

    /// DeleteImportedKeyMaterial: the key becomes `PendingImport` (unless pending deletion)
    /// until the same material is imported again.
    pub fn delete_imported_key_material(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: KeyIdRequest,
    ) -> Result<(), KmsError> {
        let (_, key) = self.managed_key(
            caller,
            env,
            &request.key_id,
            Action::DeleteImportedKeyMaterial,
        )?;
        remove_material(self.key_mut(&key)?);
        Ok(())
    }
}
