//! `kmsplay aws` importing key material the way the KMS Developer Guide does it with the AWS CLI
//! and openssl: one run gets the wrapping public key and import token, the material is wrapped
//! outside KMS (here with the `rsa` and `aes-kw` crates, as `openssl pkeyutl` and `openssl enc
//! -id-aes256-wrap-pad` do it), and a later run of the same saved session imports it from
//! `fileb://` files and uses the key.

use crate::common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{TempFile, kmsplay_stdin, stderr, stdout};
use rsa::pkcs8::DecodePublicKey as _;

const SCENARIO: &str = r#"{"name": "import", "account": "111122223333", "region": "us-east-1",
 "principals": [{"name": "Alice", "policies": [{"name": "All", "document": {"Version": "2012-10-17",
   "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}]}"#;

/// A `rand_core` generator over the operating system's randomness, for the `rsa` crate.
struct OsRng;

impl rsa::rand_core::TryRng for OsRng {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        getrandom::fill(dst).unwrap();
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for OsRng {}

/// KMS Developer Guide, importing-keys-get-public-key-and-token.html (get-parameters-for-import
/// with RSA_AES_KEY_WRAP_SHA_256 and RSA_3072) and importing-keys-encrypt-key-material.html
/// (a 32-byte AES key under RSAES-OAEP with SHA-256, then the material under AES key wrap with
/// padding, concatenated); API Reference, ImportKeyMaterial: the key becomes Enabled and
/// encrypts. The same blob sent again with a fresh token, whose wrapping key is another, is
/// InvalidCiphertextException.
#[test]
fn material_wrapped_outside_kms_imports_in_a_later_run() {
    let scenario = TempFile::new("import-scenario.json", SCENARIO);
    let state = TempFile::new("import-session.json", "");
    std::fs::remove_file(&state.0).unwrap();
    let first = kmsplay_stdin(
        &["aws", scenario.path(), "--state", state.path()],
        "KEY=$(aws kms create-key --origin EXTERNAL --query KeyMetadata.KeyId --output text --profile alice)\n\
         aws kms get-parameters-for-import --key-id $KEY --wrapping-algorithm RSA_AES_KEY_WRAP_SHA_256 --wrapping-key-spec RSA_3072 --profile alice\n",
    );
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let params: serde_json::Value = serde_json::from_str(&stdout(&first)).unwrap();
    let public_key = STANDARD
        .decode(params["PublicKey"].as_str().unwrap())
        .unwrap();
    let token = STANDARD
        .decode(params["ImportToken"].as_str().unwrap())
        .unwrap();
    let public = rsa::RsaPublicKey::from_public_key_der(&public_key).unwrap();

    let mut material = [0u8; 32];
    getrandom::fill(&mut material).unwrap();
    let mut aes_key = [0u8; 32];
    getrandom::fill(&mut aes_key).unwrap();
    let mut blob = public
        .encrypt(&mut OsRng, rsa::Oaep::<rsa::sha2::Sha256>::new(), &aes_key)
        .unwrap();
    assert_eq!(blob.len(), 384);
    let mut wrapped = [0u8; 40];
    use aes_kw::cipher::KeyInit as _;
    let wrapped = aes_kw::KwpAes256::new_from_slice(&aes_key)
        .unwrap()
        .wrap_key(&material, &mut wrapped)
        .unwrap();
    blob.extend_from_slice(wrapped);

    let files = TempFile::new("EncryptedKeyMaterial.bin", "");
    std::fs::write(&files.0, &blob).unwrap();
    let token_file = files.0.with_file_name("ImportToken.bin");
    std::fs::write(&token_file, &token).unwrap();
    let second = kmsplay_stdin(
        &["aws", scenario.path(), "--state", state.path()],
        &format!(
            "aws kms import-key-material --key-id $KEY --encrypted-key-material fileb://{} --import-token fileb://{} --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE --profile alice\n\
             aws kms describe-key --key-id $KEY --query KeyMetadata.KeyState --output text --profile alice\n\
             aws kms encrypt --key-id $KEY --plaintext aGVsbG8= --query KeyId --output text --profile alice\n\
             aws kms get-parameters-for-import --key-id $KEY --wrapping-algorithm RSA_AES_KEY_WRAP_SHA_256 --wrapping-key-spec RSA_2048 --query ImportToken --output text --profile alice\n",
            files.path(),
            token_file.display()
        ),
    );
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let out = stdout(&second);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first(), Some(&"Enabled"), "{out}");
    assert!(
        lines.get(1).is_some_and(|l| l.ends_with(&format!(
            ":key/{}",
            params["KeyId"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        ))),
        "{out}"
    );
    // A saved session replays its lines with the files as they are now: the fresh token goes to
    // a file of its own, so the earlier import still replays.
    let fresh = STANDARD.decode(lines.get(2).unwrap()).unwrap();
    let token_file = files.0.with_file_name("FreshImportToken.bin");
    std::fs::write(&token_file, &fresh).unwrap();
    let third = kmsplay_stdin(
        &["aws", scenario.path(), "--state", state.path()],
        &format!(
            "aws kms import-key-material --key-id $KEY --encrypted-key-material fileb://{} --import-token fileb://{} --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE --profile alice\n",
            files.path(),
            token_file.display()
        ),
    );
    assert!(
        stderr(&third)
            .contains("(InvalidCiphertextException) when calling the ImportKeyMaterial operation"),
        "{}",
        stderr(&third)
    );
}
