//! Importing key material into HMAC keys through the emulator, as the KMS Developer Guide does
//! it with the AWS CLI: `create-key --key-spec HMAC_* --key-usage GENERATE_VERIFY_MAC --origin
//! EXTERNAL`, `get-parameters-for-import`, the material wrapped outside KMS with the RSA public
//! key (RSAES-OAEP, as `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep` wraps it), and
//! `import-key-material --encrypted-key-material fileb://... --import-token fileb://...`.
//!
//! Sources are named on each test: KMS Developer Guide importing-keys-encrypt-key-material.html,
//! hmac.html; KMS API Reference CreateKey, GetParametersForImport, ImportKeyMaterial,
//! GenerateMac, VerifyMac.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "fixtures fail the test on a bad setup"
)]

use std::cell::RefCell;
use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac as _};
use kms_awscli::{Files, Host, Output, Session};
use kms_engine::entropy::{Randomness as _, SeededRandomness, Timestamp};
use kms_engine::scenario;
use kms_engine::world::World;
use rsa::pkcs8::DecodePublicKey as _;

const NOW: Timestamp = Timestamp(1_704_067_200_000);

/// Alice may do anything with KMS through IAM.
const ADMIN_WORLD: &str = r#"{"name": "admin", "account": "111122223333", "region": "us-east-1",
    "principals": [{"name": "Alice", "policies": [{"name": "Admin", "document":
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}}]}],
    "keys": []}"#;

/// Files the test writes, by path.
#[derive(Default)]
struct MemoryFiles(RefCell<HashMap<String, Vec<u8>>>);

impl Files for MemoryFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        self.0
            .borrow()
            .get(path)
            .cloned()
            .ok_or_else(|| format!("[Errno 2] No such file or directory: '{path}'"))
    }
}

struct Console {
    world: World,
    rng: SeededRandomness,
    session: Session,
    files: MemoryFiles,
}

impl Console {
    fn new() -> Console {
        let mut rng = SeededRandomness::new(7);
        let loaded = scenario::load(ADMIN_WORLD, NOW, &mut rng).unwrap();
        let mut session = Session::new(NOW);
        for p in &loaded.scenario.principals {
            session.add_principal_name(&p.name, &p.arn);
        }
        let mut console = Console {
            world: loaded.world,
            rng,
            session,
            files: MemoryFiles::default(),
        };
        assert_eq!(console.run("aws configure --profile alice").status, 0);
        console
    }

    fn run(&mut self, line: &str) -> Output {
        let mut host = Host {
            world: &mut self.world,
            rng: &mut self.rng,
            files: &self.files,
        };
        self.session.run_line(line, &mut host)
    }

    /// What a command that must succeed prints, trimmed.
    fn ok(&mut self, line: &str) -> String {
        let out = self.run(line);
        assert_eq!(out.status, 0, "{line}: {}", out.stderr);
        out.stdout.trim().to_owned()
    }

    /// What a command that must fail prints on standard error.
    fn fails(&mut self, line: &str) -> String {
        let out = self.run(line);
        assert_ne!(out.status, 0, "{line}: {}", out.stdout);
        out.stderr
    }

    fn write(&self, path: &str, bytes: &[u8]) {
        self.files
            .0
            .borrow_mut()
            .insert(path.to_owned(), bytes.to_vec());
    }

    /// A new `EXTERNAL` key of the HMAC `spec`; its key id.
    fn external_hmac_key(&mut self, spec: &str) -> String {
        self.ok(&format!(
            "aws kms create-key --key-spec {spec} --key-usage GENERATE_VERIFY_MAC --origin EXTERNAL --query KeyMetadata.KeyId --output text --profile alice"
        ))
    }

    /// `get-parameters-for-import` for `key` with RSAES_OAEP_SHA_256 and RSA_2048, then
    /// `material` wrapped under the public key into `material.bin` and the token into
    /// `token.bin`.
    fn wrap_for_import(&mut self, key: &str, material: &[u8]) {
        let params: serde_json::Value = serde_json::from_str(&self.ok(&format!(
            "aws kms get-parameters-for-import --key-id {key} --wrapping-algorithm RSAES_OAEP_SHA_256 --wrapping-key-spec RSA_2048 --profile alice"
        )))
        .unwrap();
        let public_key = STANDARD
            .decode(params["PublicKey"].as_str().unwrap())
            .unwrap();
        let token = STANDARD
            .decode(params["ImportToken"].as_str().unwrap())
            .unwrap();
        let public = rsa::RsaPublicKey::from_public_key_der(&public_key).unwrap();
        let wrapped = public
            .encrypt(
                &mut TestRng(SeededRandomness::new(material.len() as u64)),
                rsa::Oaep::<rsa::sha2::Sha256>::new(),
                material,
            )
            .unwrap();
        self.write("material.bin", &wrapped);
        self.write("token.bin", &token);
    }

    fn import_line(key: &str) -> String {
        format!(
            "aws kms import-key-material --key-id {key} --encrypted-key-material fileb://material.bin --import-token fileb://token.bin --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE --profile alice"
        )
    }
}

/// A `rand_core` generator over seeded bytes, for the `rsa` crate outside KMS.
struct TestRng(SeededRandomness);

impl rsa::rand_core::TryRng for TestRng {
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
        self.0.fill(dst).unwrap();
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for TestRng {}

/// KMS API Reference, CreateKey (an HMAC key spec with KeyUsage GENERATE_VERIFY_MAC and Origin
/// EXTERNAL) and ImportKeyMaterial ("You can create a symmetric encryption KMS key, HMAC KMS
/// key, ..." with origin EXTERNAL; the key becomes Enabled); KMS Developer Guide,
/// importing-keys-encrypt-key-material.html (HMAC key material as long as the key spec says,
/// wrapped with RSAES_OAEP_SHA_256). GenerateMac then answers the HMAC-SHA-256 of the message
/// under exactly the imported bytes (RFC 2104; API Reference, GenerateMac), as the `hmac` crate
/// computes it, and VerifyMac accepts it.
#[test]
fn an_hmac_key_with_origin_external_imports_its_material_from_files_and_macs_with_it() {
    let mut console = Console::new();
    let key = console.external_hmac_key("HMAC_256");
    assert_eq!(
        console.ok(&format!(
            "aws kms describe-key --key-id {key} --query KeyMetadata.[KeyState,Origin,KeySpec] --output text --profile alice"
        )),
        "PendingImport\tEXTERNAL\tHMAC_256"
    );
    console.write("message.bin", b"a message to authenticate");
    let generate = format!(
        "aws kms generate-mac --key-id {key} --mac-algorithm HMAC_SHA_256 --message fileb://message.bin --query Mac --output text --profile alice"
    );
    assert!(
        console
            .fails(&generate)
            .contains("(KMSInvalidStateException) when calling the GenerateMac operation"),
    );

    let material: Vec<u8> = (0u8..32).map(|b| b.wrapping_mul(13)).collect();
    console.wrap_for_import(&key, &material);
    console.ok(&Console::import_line(&key));
    assert_eq!(
        console.ok(&format!(
            "aws kms describe-key --key-id {key} --query KeyMetadata.KeyState --output text --profile alice"
        )),
        "Enabled"
    );

    let mac = STANDARD.decode(console.ok(&generate)).unwrap();
    let mut expected =
        <Hmac<rsa::sha2::Sha256> as hmac::KeyInit>::new_from_slice(&material).unwrap();
    expected.update(b"a message to authenticate");
    assert_eq!(mac, expected.finalize().into_bytes().to_vec());

    console.write("mac.bin", &mac);
    assert_eq!(
        console.ok(&format!(
            "aws kms verify-mac --key-id {key} --mac-algorithm HMAC_SHA_256 --message fileb://message.bin --mac fileb://mac.bin --query MacValid --output text --profile alice"
        )),
        "True"
    );
}

/// KMS Developer Guide, importing-keys-encrypt-key-material.html ("Generate key material for
/// testing", HMAC keys: the key's length must match the length the KMS key's key spec defines);
/// API Reference,
/// ImportKeyMaterial, Errors: IncorrectKeyMaterialException. 32 bytes for an HMAC_384 key (48)
/// are refused and the key stays PendingImport; 48 bytes import.
#[test]
fn hmac_material_of_another_length_than_the_key_specs_is_incorrect_key_material() {
    let mut console = Console::new();
    let key = console.external_hmac_key("HMAC_384");
    console.wrap_for_import(&key, &[5u8; 32]);
    let error = console.fails(&Console::import_line(&key));
    assert!(
        error.contains(
            "(IncorrectKeyMaterialException) when calling the ImportKeyMaterial operation"
        ),
        "{error}"
    );
    assert_eq!(
        console.ok(&format!(
            "aws kms describe-key --key-id {key} --query KeyMetadata.KeyState --output text --profile alice"
        )),
        "PendingImport"
    );
    console.wrap_for_import(&key, &[5u8; 48]);
    console.ok(&Console::import_line(&key));
}

/// KMS API Reference, ImportKeyMaterial ("asymmetric signing KMS key" with origin EXTERNAL) and
/// KMS Developer Guide, importing-keys-conceptual.html ("Requirements for imported key
/// material": an asymmetric key imports its private key, PKCS #8 DER): an elliptic-curve private
/// key wrapped under the public key (RSAES-OAEP, small enough for it) imports from files, and
/// `get-public-key` then prints the imported key's own public key.
#[test]
fn an_elliptic_curve_key_with_origin_external_imports_its_private_key_from_files() {
    use p256::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
    let mut console = Console::new();
    let key = console.ok(
        "aws kms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY --origin EXTERNAL --query KeyMetadata.KeyId --output text --profile alice",
    );
    let secret = p256::SecretKey::from_slice(&[0x42; 32]).unwrap();
    console.wrap_for_import(&key, secret.to_pkcs8_der().unwrap().as_bytes());
    console.ok(&Console::import_line(&key));
    let public = console.ok(&format!(
        "aws kms get-public-key --key-id {key} --query PublicKey --output text --profile alice"
    ));
    let expected = secret.public_key().to_public_key_der().unwrap();
    assert_eq!(public, STANDARD.encode(expected.as_bytes()));
}
