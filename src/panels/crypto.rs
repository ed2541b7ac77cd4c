//! The crypto panel: Encrypt, Decrypt, GenerateDataKey and ReEncrypt as the caller, with the
//! ciphertext inspector and its tamper button; GenerateMac and VerifyMac for an HMAC key; Sign,
//! Verify and GetPublicKey for an asymmetric signing key, and RSA encryption with RSAES-OAEP.
//!
//! Every operation is the engine's, with AWS's request fields; the ciphertext is kept as base64,
//! as the AWS CLI prints it, and can be edited or pasted. The inspector shows the blob's parts as
//! the engine reads them ([`kms_engine::crypto::inspect`]); tampering flips one bit of one byte,
//! after which Decrypt fails with `InvalidCiphertextException`, as it does when one value of the
//! encryption context changes (KMS Developer Guide, concepts.html#encrypt_context).

use super::fields::{PairEdit, PairRow, edit_pairs, items, pairs_map};
use super::{Refusal, WorldHost};
use crate::why::RequestInputs;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use kms_engine::catalog::KeySpecRow;
use kms_engine::crypto::{BlobField, BlobInspection, inspect};
use kms_engine::kms::{
    Caller, DecryptRequest, EncryptRequest, GenerateDataKeyRequest, GenerateMacRequest,
    GetPublicKeyRequest, ReEncryptRequest, SignRequest, VerifyMacRequest, VerifyRequest,
};
use kms_engine::request::PrincipalArn;
use kms_engine::world::World;
use std::collections::BTreeMap;

/// A change the user makes in the crypto panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CryptoIntent {
    /// The key: id, ARN, alias name or alias ARN.
    SetKey(String),
    /// The plaintext to encrypt.
    SetPlaintext(String),
    /// Edit the encryption context's pairs.
    Context(PairEdit),
    /// Grant tokens, one per line.
    SetGrantTokens(String),
    /// The ciphertext blob, base64.
    SetCiphertext(String),
    /// ReEncrypt's destination key.
    SetDestination(String),
    /// Encrypt the plaintext under the key.
    Encrypt,
    /// Decrypt the ciphertext.
    Decrypt,
    /// GenerateDataKey under the key (AES_256).
    GenerateDataKey,
    /// ReEncrypt the ciphertext under the destination key.
    ReEncrypt,
    /// Flip one bit of one byte of the ciphertext.
    Tamper,
    /// The MAC to verify, base64.
    SetMac(String),
    /// GenerateMac of the message (the plaintext field) with the HMAC key.
    GenerateMac,
    /// VerifyMac of the message against the MAC field.
    VerifyMac,
    /// The signing algorithm Sign and Verify send (one of the key spec's).
    SetSigningAlgorithm(String),
    /// The signature to verify, base64.
    SetSignature(String),
    /// Sign the message (the plaintext field, `RAW`) with the asymmetric key.
    Sign,
    /// Verify the signature field over the message.
    Verify,
    /// GetPublicKey of the asymmetric key.
    GetPublicKey,
    /// Dismiss the outcome.
    Dismiss,
}

/// What the last operation returned.
#[derive(Clone, Debug, PartialEq)]
pub enum CryptoOutcome {
    /// Encrypt's response.
    Encrypted {
        /// The key ARN.
        key_id: String,
        /// The blob, base64.
        ciphertext: String,
    },
    /// Decrypt's response.
    Decrypted {
        /// The key ARN.
        key_id: String,
        /// The plaintext: text when it is UTF-8, else base64 (see `base64`).
        plaintext: String,
        /// Whether `plaintext` is base64 because the bytes are not text.
        base64: bool,
    },
    /// GenerateDataKey's response.
    DataKey {
        /// The key ARN.
        key_id: String,
        /// The plaintext data key, base64.
        plaintext: String,
        /// The encrypted data key, base64.
        ciphertext: String,
    },
    /// ReEncrypt's response.
    ReEncrypted {
        /// The key that had encrypted the blob.
        source_key_id: String,
        /// The key that encrypts it now.
        key_id: String,
        /// The new blob, base64.
        ciphertext: String,
    },
    /// GenerateMac's response.
    MacGenerated {
        /// The key ARN.
        key_id: String,
        /// The HMAC, base64.
        mac: String,
        /// The algorithm, such as `HMAC_SHA_256`.
        mac_algorithm: &'static str,
    },
    /// VerifyMac's response: `MacValid` is true (a MAC that does not match is
    /// `KMSInvalidMacException`, a refusal).
    MacVerified {
        /// The key ARN.
        key_id: String,
        /// `MacValid`.
        mac_valid: bool,
        /// The algorithm.
        mac_algorithm: &'static str,
    },
    /// Sign's response.
    Signed {
        /// The key ARN.
        key_id: String,
        /// The signature, base64.
        signature: String,
        /// The algorithm, such as `ECDSA_SHA_256`.
        signing_algorithm: String,
    },
    /// Verify's response: `SignatureValid` is true (a signature that does not verify is
    /// `KMSInvalidSignatureException`, a refusal).
    Verified {
        /// The key ARN.
        key_id: String,
        /// `SignatureValid`.
        signature_valid: bool,
        /// The algorithm.
        signing_algorithm: String,
    },
    /// GetPublicKey's response.
    PublicKey {
        /// The key ARN.
        key_id: String,
        /// The public key, DER `SubjectPublicKeyInfo`, base64.
        public_key: String,
        /// `KeySpec`.
        key_spec: &'static str,
        /// `KeyUsage`.
        key_usage: &'static str,
    },
    /// The ciphertext was tampered with: byte `offset`, in the blob's `field`.
    Tampered {
        /// The byte changed.
        offset: usize,
        /// The part it belongs to.
        field: Option<BlobField>,
    },
    /// KMS refused.
    Refused(Refusal),
    /// The form cannot be sent as it is.
    Invalid(String),
}

/// The crypto panel's state.
#[derive(Clone, Debug, PartialEq)]
pub struct CryptoPanel {
    /// The key.
    pub key: String,
    /// The plaintext.
    pub plaintext: String,
    /// The encryption context's rows.
    pub context: Vec<PairRow>,
    /// Grant tokens, as typed.
    pub grant_tokens: String,
    /// The ciphertext blob, base64, as typed or as the last operation left it.
    pub ciphertext: String,
    /// ReEncrypt's destination key.
    pub destination: String,
    /// The byte the tamper button changed, while the ciphertext is the tampered one.
    pub tampered: Option<usize>,
    /// The MAC to verify, base64, as typed or as GenerateMac left it.
    pub mac: String,
    /// The signing algorithm chosen; one the key's spec does not have stands for its first.
    pub signing_algorithm: String,
    /// The signature to verify, base64, as typed or as Sign left it.
    pub signature: String,
    /// The last operation's outcome.
    pub outcome: Option<CryptoOutcome>,
}

impl Default for CryptoPanel {
    fn default() -> CryptoPanel {
        CryptoPanel {
            key: String::new(),
            plaintext: "CloudAcademy".to_owned(),
            context: vec![PairRow::default()],
            grant_tokens: String::new(),
            ciphertext: String::new(),
            destination: String::new(),
            tampered: None,
            mac: String::new(),
            signing_algorithm: String::new(),
            signature: String::new(),
            outcome: None,
        }
    }
}

impl CryptoPanel {
    /// A panel whose key is `key` (such as the world's first alias).
    pub fn new(key: impl Into<String>) -> CryptoPanel {
        CryptoPanel {
            key: key.into(),
            ..CryptoPanel::default()
        }
    }

    /// The ciphertext's bytes, when it is valid base64.
    pub fn blob(&self) -> Option<Vec<u8>> {
        let text: String = self.ciphertext.split_whitespace().collect();
        if text.is_empty() {
            return None;
        }
        BASE64.decode(text.as_bytes()).ok()
    }

    /// The inspector's view of the ciphertext: its bytes and parts.
    pub fn inspection(&self) -> Option<(Vec<u8>, BlobInspection)> {
        self.blob().map(|bytes| {
            let inspection = inspect(&bytes);
            (bytes, inspection)
        })
    }

    /// Applies one change; operations go through `host` as `caller`.
    pub fn apply(
        &mut self,
        host: &mut impl WorldHost,
        caller: Option<&PrincipalArn>,
        intent: CryptoIntent,
    ) {
        match intent {
            CryptoIntent::SetKey(key) => self.key = key,
            CryptoIntent::SetPlaintext(text) => self.plaintext = text,
            CryptoIntent::Context(edit) => edit_pairs(&mut self.context, edit),
            CryptoIntent::SetGrantTokens(text) => self.grant_tokens = text,
            CryptoIntent::SetCiphertext(text) => {
                self.ciphertext = text;
                self.tampered = None;
            }
            CryptoIntent::SetDestination(key) => self.destination = key,
            CryptoIntent::SetMac(mac) => self.mac = mac,
            CryptoIntent::SetSigningAlgorithm(algorithm) => self.signing_algorithm = algorithm,
            CryptoIntent::SetSignature(signature) => self.signature = signature,
            CryptoIntent::Tamper => self.tamper(),
            CryptoIntent::Dismiss => self.outcome = None,
            CryptoIntent::Encrypt
            | CryptoIntent::Decrypt
            | CryptoIntent::GenerateDataKey
            | CryptoIntent::ReEncrypt
            | CryptoIntent::GenerateMac
            | CryptoIntent::VerifyMac
            | CryptoIntent::Sign
            | CryptoIntent::Verify
            | CryptoIntent::GetPublicKey => {
                let Some(caller) = caller else { return };
                let outcome = self
                    .call(host, caller, &intent)
                    .unwrap_or_else(CryptoOutcome::Invalid);
                self.outcome = Some(outcome);
            }
        }
    }

    /// The key-spec table's row of the key the key field names (its id, ARN, alias name or
    /// alias ARN), when it names one: what the panel offers for it (encryption for a symmetric
    /// encryption key, GenerateMac and VerifyMac with the spec's algorithms for an HMAC key).
    pub fn key_row(&self, world: &World) -> Option<&'static KeySpecRow> {
        let name = self.key.trim();
        world
            .keys
            .keys()
            .find(|k| {
                k.id.as_str() == name
                    || k.arn == name
                    || world
                        .keys
                        .aliases_for(k)
                        .any(|a| a.name == name || a.arn == name)
            })
            .map(|k| k.spec.row())
    }

    /// The MAC algorithm GenerateMac and VerifyMac send: the key's spec allows one
    /// (`HMAC_SHA_256` for `HMAC_256`); for a key the panel does not know, `HMAC_SHA_256`, and
    /// KMS answers.
    pub fn mac_algorithm(&self, world: &World) -> &'static str {
        self.key_row(world)
            .and_then(|row| row.mac_algorithms.first())
            .map_or("HMAC_SHA_256", |a| a.as_str())
    }

    /// The signing algorithm Sign and Verify send: the one chosen when the key's spec has it,
    /// else the spec's first (`ECDSA_SHA_256` for `ECC_NIST_P256`); for a key the panel does not
    /// know, the one chosen, and KMS answers.
    pub fn signing_algorithm(&self, world: &World) -> String {
        let chosen = self.signing_algorithm.trim();
        match self.key_row(world) {
            Some(row) if !row.signing_algorithms.contains(&chosen) => row
                .signing_algorithms
                .first()
                .map_or_else(|| chosen.to_owned(), |a| (*a).to_owned()),
            _ => chosen.to_owned(),
        }
    }

    /// The encryption algorithm Encrypt and Decrypt send for an RSA key (`RSAES_OAEP_SHA_256`,
    /// the one of its two that the Developer Guide's examples use); none for a symmetric key,
    /// whose only algorithm is the default.
    pub fn encryption_algorithm(&self, world: &World) -> Option<&'static str> {
        let row = self.key_row(world).filter(|row| row.asymmetric)?;
        row.encryption_algorithms
            .iter()
            .find(|a| **a == "RSAES_OAEP_SHA_256")
            .or(row.encryption_algorithms.first())
            .copied()
    }

    fn context_map(&self) -> Result<Option<BTreeMap<String, String>>, String> {
        let map = pairs_map(&self.context).map_err(|e| format!("Encryption context: {e}."))?;
        Ok((!map.is_empty()).then_some(map))
    }

    fn ciphertext_bytes(&self) -> Result<Vec<u8>, String> {
        if self.ciphertext.trim().is_empty() {
            return Err(
                "There is no ciphertext: encrypt something first, or paste a CiphertextBlob."
                    .to_owned(),
            );
        }
        self.blob()
            .ok_or_else(|| "The ciphertext is not valid base64.".to_owned())
    }

    fn call(
        &mut self,
        host: &mut impl WorldHost,
        caller: &PrincipalArn,
        intent: &CryptoIntent,
    ) -> Result<CryptoOutcome, String> {
        let caller = Caller::new(caller.clone());
        let context = self.context_map()?;
        let grant_tokens = items(&self.grant_tokens);
        let key = self.key.trim().to_owned();
        // A refusal's why link decides the request sent: its grant tokens, and its encryption
        // context for the operations that take one.
        let tokens_only = RequestInputs {
            grant_tokens: self.grant_tokens.clone(),
            ..RequestInputs::default()
        };
        let with_context = RequestInputs {
            encryption_context: context.clone().unwrap_or_default().into_iter().collect(),
            ..tokens_only.clone()
        };
        let outcome = match intent {
            CryptoIntent::Encrypt => {
                let request = EncryptRequest {
                    key_id: key,
                    plaintext: self.plaintext.as_bytes().to_vec(),
                    encryption_context: context,
                    grant_tokens,
                    encryption_algorithm: self
                        .encryption_algorithm(host.world())
                        .map(str::to_owned),
                    ..EncryptRequest::default()
                };
                host.operate(|world, env| match world.encrypt(&caller, env, request) {
                    Ok(r) => CryptoOutcome::Encrypted {
                        key_id: r.key_id,
                        ciphertext: BASE64.encode(r.ciphertext_blob),
                    },
                    Err(e) => CryptoOutcome::Refused(
                        Refusal::new(world, "Encrypt", &e).with_request(with_context.clone()),
                    ),
                })
            }
            CryptoIntent::Decrypt => {
                // RSA ciphertext names no key: Decrypt is told the key and the algorithm.
                let algorithm = self.encryption_algorithm(host.world());
                let request = DecryptRequest {
                    ciphertext_blob: self.ciphertext_bytes()?,
                    encryption_context: context,
                    grant_tokens,
                    key_id: algorithm.is_some().then_some(key),
                    encryption_algorithm: algorithm.map(str::to_owned),
                    ..DecryptRequest::default()
                };
                host.operate(|world, env| match world.decrypt(&caller, env, request) {
                    Ok(r) => {
                        let (plaintext, base64) = match String::from_utf8(r.plaintext) {
                            Ok(text) => (text, false),
                            Err(e) => (BASE64.encode(e.as_bytes()), true),
                        };
                        CryptoOutcome::Decrypted {
                            key_id: r.key_id,
                            plaintext,
                            base64,
                        }
                    }
                    Err(e) => CryptoOutcome::Refused(
                        Refusal::new(world, "Decrypt", &e).with_request(with_context.clone()),
                    ),
                })
            }
            CryptoIntent::GenerateDataKey => {
                let request = GenerateDataKeyRequest {
                    key_id: key,
                    encryption_context: context,
                    key_spec: Some("AES_256".to_owned()),
                    grant_tokens,
                    ..GenerateDataKeyRequest::default()
                };
                host.operate(
                    |world, env| match world.generate_data_key(&caller, env, request) {
                        Ok(r) => CryptoOutcome::DataKey {
                            key_id: r.key_id,
                            plaintext: BASE64.encode(r.plaintext),
                            ciphertext: BASE64.encode(r.ciphertext_blob),
                        },
                        Err(e) => CryptoOutcome::Refused(
                            Refusal::new(world, "GenerateDataKey", &e)
                                .with_request(with_context.clone()),
                        ),
                    },
                )
            }
            CryptoIntent::ReEncrypt => {
                let request = ReEncryptRequest {
                    ciphertext_blob: self.ciphertext_bytes()?,
                    source_encryption_context: context.clone(),
                    destination_key_id: self.destination.trim().to_owned(),
                    destination_encryption_context: context,
                    grant_tokens,
                    ..ReEncryptRequest::default()
                };
                host.operate(|world, env| match world.re_encrypt(&caller, env, request) {
                    Ok(r) => CryptoOutcome::ReEncrypted {
                        source_key_id: r.source_key_id,
                        key_id: r.key_id,
                        ciphertext: BASE64.encode(r.ciphertext_blob),
                    },
                    Err(e) => CryptoOutcome::Refused(
                        Refusal::new(world, "ReEncrypt", &e).with_request(with_context.clone()),
                    ),
                })
            }
            CryptoIntent::GenerateMac => {
                let mac_algorithm = self.mac_algorithm(host.world());
                let request = GenerateMacRequest {
                    key_id: key,
                    message: self.plaintext.as_bytes().to_vec(),
                    mac_algorithm: mac_algorithm.to_owned(),
                    grant_tokens,
                    ..GenerateMacRequest::default()
                };
                host.operate(
                    |world, env| match world.generate_mac(&caller, env, request) {
                        Ok(r) => CryptoOutcome::MacGenerated {
                            key_id: r.key_id,
                            mac: BASE64.encode(r.mac),
                            mac_algorithm: r.mac_algorithm.as_str(),
                        },
                        Err(e) => CryptoOutcome::Refused(
                            Refusal::new(world, "GenerateMac", &e)
                                .with_request(tokens_only.clone()),
                        ),
                    },
                )
            }
            CryptoIntent::VerifyMac => {
                let mac_algorithm = self.mac_algorithm(host.world());
                let text: String = self.mac.split_whitespace().collect();
                if text.is_empty() {
                    return Err(
                        "There is no MAC to verify: generate one first, or paste a Mac.".to_owned(),
                    );
                }
                let mac = BASE64
                    .decode(text.as_bytes())
                    .map_err(|_| "The MAC is not valid base64.".to_owned())?;
                let request = VerifyMacRequest {
                    key_id: key,
                    message: self.plaintext.as_bytes().to_vec(),
                    mac_algorithm: mac_algorithm.to_owned(),
                    mac,
                    grant_tokens,
                    ..VerifyMacRequest::default()
                };
                host.operate(|world, env| match world.verify_mac(&caller, env, request) {
                    Ok(r) => CryptoOutcome::MacVerified {
                        key_id: r.key_id,
                        mac_valid: r.mac_valid,
                        mac_algorithm: r.mac_algorithm.as_str(),
                    },
                    Err(e) => CryptoOutcome::Refused(
                        Refusal::new(world, "VerifyMac", &e).with_request(tokens_only.clone()),
                    ),
                })
            }
            CryptoIntent::Sign => {
                let request = SignRequest {
                    key_id: key,
                    message: self.plaintext.as_bytes().to_vec(),
                    message_type: Some("RAW".to_owned()),
                    signing_algorithm: self.signing_algorithm(host.world()),
                    grant_tokens,
                    ..SignRequest::default()
                };
                host.operate(|world, env| match world.sign(&caller, env, request) {
                    Ok(r) => CryptoOutcome::Signed {
                        key_id: r.key_id,
                        signature: BASE64.encode(r.signature),
                        signing_algorithm: r.signing_algorithm,
                    },
                    Err(e) => CryptoOutcome::Refused(
                        Refusal::new(world, "Sign", &e).with_request(tokens_only.clone()),
                    ),
                })
            }
            CryptoIntent::Verify => {
                let text: String = self.signature.split_whitespace().collect();
                if text.is_empty() {
                    return Err(
                        "There is no signature to verify: sign first, or paste a Signature."
                            .to_owned(),
                    );
                }
                let signature = BASE64
                    .decode(text.as_bytes())
                    .map_err(|_| "The signature is not valid base64.".to_owned())?;
                let request = VerifyRequest {
                    key_id: key,
                    message: self.plaintext.as_bytes().to_vec(),
                    message_type: Some("RAW".to_owned()),
                    signature,
                    signing_algorithm: self.signing_algorithm(host.world()),
                    grant_tokens,
                    ..VerifyRequest::default()
                };
                host.operate(|world, env| match world.verify(&caller, env, request) {
                    Ok(r) => CryptoOutcome::Verified {
                        key_id: r.key_id,
                        signature_valid: r.signature_valid,
                        signing_algorithm: r.signing_algorithm,
                    },
                    Err(e) => CryptoOutcome::Refused(
                        Refusal::new(world, "Verify", &e).with_request(tokens_only.clone()),
                    ),
                })
            }
            CryptoIntent::GetPublicKey => {
                let request = GetPublicKeyRequest {
                    key_id: key,
                    grant_tokens,
                };
                host.operate(
                    |world, env| match world.get_public_key(&caller, env, request) {
                        Ok(r) => CryptoOutcome::PublicKey {
                            key_id: r.key_id,
                            public_key: BASE64.encode(r.public_key),
                            key_spec: r.key_spec,
                            key_usage: r.key_usage,
                        },
                        Err(e) => CryptoOutcome::Refused(
                            Refusal::new(world, "GetPublicKey", &e)
                                .with_request(tokens_only.clone()),
                        ),
                    },
                )
            }
            _ => return Err("not an operation".to_owned()),
        };
        if let CryptoOutcome::MacGenerated { mac, .. } = &outcome {
            self.mac = mac.clone();
        }
        if let CryptoOutcome::Signed { signature, .. } = &outcome {
            self.signature = signature.clone();
        }
        // A new blob replaces the ciphertext field, so it can be inspected, tampered with and
        // decrypted next.
        match &outcome {
            CryptoOutcome::Encrypted { ciphertext, .. }
            | CryptoOutcome::DataKey { ciphertext, .. }
            | CryptoOutcome::ReEncrypted { ciphertext, .. } => {
                self.ciphertext = ciphertext.clone();
                self.tampered = None;
            }
            _ => {}
        }
        Ok(outcome)
    }

    /// Flips the lowest bit of one byte: the middle of the encrypted data, or the first byte of
    /// the tag when there is no data. A blob the inspector cannot read gets its last byte flipped.
    fn tamper(&mut self) {
        let Some(mut bytes) = self.blob() else {
            self.outcome = Some(CryptoOutcome::Invalid(
                "There is no ciphertext to tamper with: encrypt something first.".to_owned(),
            ));
            return;
        };
        let inspection = inspect(&bytes);
        let part = |field| inspection.parts.iter().find(|p| p.field == field);
        let offset = match (part(BlobField::Body), part(BlobField::Tag)) {
            (Some(body), _) if body.end > body.start => body.start + (body.end - body.start) / 2,
            (_, Some(tag)) => tag.start,
            _ => bytes.len().saturating_sub(1),
        };
        if let Some(byte) = bytes.get_mut(offset) {
            *byte ^= 0x01;
        }
        let field = inspection
            .parts
            .iter()
            .find(|p| (p.start..p.end).contains(&offset))
            .map(|p| p.field);
        self.ciphertext = BASE64.encode(&bytes);
        self.tampered = Some(offset);
        self.outcome = Some(CryptoOutcome::Tampered { offset, field });
    }
}
