//! The crypto panel through the app's reducer: Encrypt, Decrypt, GenerateDataKey and ReEncrypt
//! as the caller, the inspector, and the two ways a ciphertext stops decrypting: a changed byte
//! and a changed encryption-context value (KMS Developer Guide, concepts.html#encrypt_context;
//! API Decrypt, InvalidCiphertextException).

#![expect(clippy::panic, reason = "tests")]

use crate::panels_support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use kms_engine::catalog::Action;
use kms_engine::crypto::{BlobField, NONCE_LEN, TAG_LEN};
use kms_playground::panels::PanelIntent;
use kms_playground::panels::crypto::{CryptoIntent, CryptoOutcome};
use kms_playground::panels::fields::PairEdit;
use kms_playground::state::{AppState, Intent};
use panels_support::*;

fn crypto(state: &mut AppState, intent: CryptoIntent) -> CryptoOutcome {
    state.apply(Intent::Panel(PanelIntent::Crypto(intent)));
    state
        .panels
        .crypto
        .outcome
        .clone()
        .unwrap_or(CryptoOutcome::Invalid("none".into()))
}

fn set_context(state: &mut AppState, key: &str, value: &str) {
    crypto(state, CryptoIntent::Context(PairEdit::Key(0, key.into())));
    crypto(
        state,
        CryptoIntent::Context(PairEdit::Value(0, value.into())),
    );
}

fn refused(outcome: CryptoOutcome) -> kms_playground::panels::Refusal {
    match outcome {
        CryptoOutcome::Refused(refusal) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Alice encrypts "CloudAcademy" under DemoKey with a context, as in demonstration 1.
fn alice_encrypts() -> AppState {
    let mut state = app_state(DEMO1, &user("Alice"));
    assert_eq!(state.panels.crypto.key, "alias/DemoKey");
    set_context(&mut state, "Department", "Finance");
    let outcome = crypto(&mut state, CryptoIntent::Encrypt);
    let CryptoOutcome::Encrypted { ciphertext, key_id } = outcome else {
        panic!("Alice is a key user: {outcome:?}");
    };
    assert!(key_id.starts_with("arn:aws:kms:us-east-1:111122223333:key/"));
    assert_eq!(state.panels.crypto.ciphertext, ciphertext);
    state
}

#[test]
fn encrypt_then_decrypt_gives_the_plaintext_back() {
    let mut state = alice_encrypts();
    let outcome = crypto(&mut state, CryptoIntent::Decrypt);
    assert_eq!(
        outcome,
        CryptoOutcome::Decrypted {
            key_id: state.model().columns()[0].arn.clone(),
            plaintext: "CloudAcademy".into(),
            base64: false,
        }
    );
}

#[test]
fn the_inspector_shows_key_version_nonce_body_and_tag() {
    let state = alice_encrypts();
    let (bytes, inspection) = state.panels.crypto.inspection().unwrap();
    assert_eq!(inspection.problem, None);
    assert_eq!(
        inspection.key_arn.as_deref(),
        Some(state.model().columns()[0].arn.as_str())
    );
    assert_eq!(inspection.key_version, Some(1));
    let len = |field| {
        let part = inspection.parts.iter().find(|p| p.field == field).unwrap();
        part.end - part.start
    };
    assert_eq!(len(BlobField::Nonce), NONCE_LEN);
    assert_eq!(len(BlobField::Tag), TAG_LEN);
    assert_eq!(len(BlobField::Body), "CloudAcademy".len());
    assert_eq!(inspection.length, bytes.len());
}

#[test]
fn a_tampered_byte_makes_decrypt_fail_with_invalid_ciphertext() {
    let mut state = alice_encrypts();
    let before = state.panels.crypto.blob().unwrap();
    let outcome = crypto(&mut state, CryptoIntent::Tamper);
    let CryptoOutcome::Tampered { offset, field } = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(field, Some(BlobField::Body));
    assert_eq!(state.panels.crypto.tampered, Some(offset));
    let after = state.panels.crypto.blob().unwrap();
    let changed: Vec<usize> = (0..before.len())
        .filter(|&i| before[i] != after[i])
        .collect();
    assert_eq!(changed, [offset], "exactly one byte changed");
    assert_eq!(
        (before[offset] ^ after[offset]).count_ones(),
        1,
        "one bit of it"
    );

    let refusal = refused(crypto(&mut state, CryptoIntent::Decrypt));
    assert_eq!(refusal.exception, "InvalidCiphertextException");
    assert!(refusal.why.is_none(), "no policy decided this");
    assert_eq!(
        refusal.line,
        format!(
            "An error occurred (InvalidCiphertextException) when calling the Decrypt operation: {}",
            refusal.message
        )
    );
}

#[test]
fn a_changed_context_value_makes_decrypt_fail_the_same_way() {
    let mut state = alice_encrypts();
    set_context(&mut state, "Department", "finance");
    let refusal = refused(crypto(&mut state, CryptoIntent::Decrypt));
    assert_eq!(refusal.exception, "InvalidCiphertextException");
    set_context(&mut state, "Department", "Finance");
    assert!(matches!(
        crypto(&mut state, CryptoIntent::Decrypt),
        CryptoOutcome::Decrypted { plaintext, .. } if plaintext == "CloudAcademy"
    ));
}

#[test]
fn decrypt_as_a_denied_principal_fails_with_aws_message_and_a_why_link() {
    // Bob is not in DemoKey's policy and has no IAM policy; the key policy trusts the account,
    // so the denial names the identity-based policy (semantics §1.6).
    let mut state = alice_encrypts();
    state.apply(Intent::Panel(PanelIntent::SetCaller(
        user("Bob").to_string(),
    )));
    let refusal = refused(crypto(&mut state, CryptoIntent::Decrypt));
    let key_arn = state.model().columns()[0].arn.clone();
    assert_eq!(refusal.exception, "AccessDeniedException");
    assert_eq!(
        refusal.message,
        format!(
            "User: {} is not authorized to perform: kms:Decrypt on resource: {key_arn} because no identity-based policy allows the kms:Decrypt action",
            user("Bob")
        )
    );
    let why = refusal.why.unwrap();
    assert_eq!(why.principal, user("Bob"));
    assert_eq!(why.key, state.model().columns()[0].id);
    assert_eq!(why.action, Action::Decrypt);
}

#[test]
fn a_data_key_comes_back_plain_and_encrypted_and_the_encrypted_copy_decrypts_to_it() {
    let mut state = app_state(DEMO1, &user("Alice"));
    let CryptoOutcome::DataKey {
        plaintext,
        ciphertext,
        ..
    } = crypto(&mut state, CryptoIntent::GenerateDataKey)
    else {
        panic!("Alice may generate data keys");
    };
    let key = BASE64.decode(&plaintext).unwrap();
    assert_eq!(key.len(), 32, "AES_256");
    assert_eq!(state.panels.crypto.ciphertext, ciphertext);
    let decrypted = match crypto(&mut state, CryptoIntent::Decrypt) {
        CryptoOutcome::Decrypted {
            plaintext,
            base64: true,
            ..
        } => BASE64.decode(plaintext).unwrap(),
        CryptoOutcome::Decrypted { plaintext, .. } => plaintext.into_bytes(),
        other => panic!("{other:?}"),
    };
    assert_eq!(decrypted, key);
}

#[test]
fn re_encrypt_moves_the_ciphertext_to_another_key() {
    // The lecture's world: Alice may use CMK-A through IAM and CMK-C through its key policy.
    let mut state = app_state(LECTURE, &user("Alice"));
    crypto(&mut state, CryptoIntent::SetKey("alias/CMK-A".into()));
    assert!(matches!(
        crypto(&mut state, CryptoIntent::Encrypt),
        CryptoOutcome::Encrypted { .. }
    ));
    crypto(
        &mut state,
        CryptoIntent::SetDestination("alias/CMK-C".into()),
    );
    let CryptoOutcome::ReEncrypted {
        source_key_id,
        key_id,
        ..
    } = crypto(&mut state, CryptoIntent::ReEncrypt)
    else {
        panic!("Alice may re-encrypt from CMK-A to CMK-C");
    };
    let arn = |i: usize| state.model().columns()[i].arn.clone();
    assert_eq!((source_key_id, key_id.clone()), (arn(0), arn(2)));
    let (_, inspection) = state.panels.crypto.inspection().unwrap();
    assert_eq!(inspection.key_arn, Some(key_id));
    assert!(matches!(
        crypto(&mut state, CryptoIntent::Decrypt),
        CryptoOutcome::Decrypted { plaintext, .. } if plaintext == "CloudAcademy"
    ));
    // Bob is denied CMK-C explicitly: his ReEncrypt is refused with AWS's explicit-deny wording.
    state.apply(Intent::Panel(PanelIntent::SetCaller(
        user("Bob").to_string(),
    )));
    crypto(
        &mut state,
        CryptoIntent::SetDestination("alias/CMK-B".into()),
    );
    let refusal = refused(crypto(&mut state, CryptoIntent::ReEncrypt));
    assert!(
        refusal
            .message
            .ends_with("with an explicit deny in a resource-based policy"),
        "{}",
        refusal.message
    );
}

#[test]
fn bad_input_is_reported_without_calling_kms() {
    let mut state = app_state(DEMO1, &user("Alice"));
    assert_eq!(
        crypto(&mut state, CryptoIntent::Decrypt),
        CryptoOutcome::Invalid(
            "There is no ciphertext: encrypt something first, or paste a CiphertextBlob.".into()
        )
    );
    crypto(
        &mut state,
        CryptoIntent::SetCiphertext("not base64!".into()),
    );
    assert_eq!(
        crypto(&mut state, CryptoIntent::Decrypt),
        CryptoOutcome::Invalid("The ciphertext is not valid base64.".into())
    );
    crypto(
        &mut state,
        CryptoIntent::Context(PairEdit::Value(0, "orphan".into())),
    );
    assert_eq!(
        crypto(&mut state, CryptoIntent::Encrypt),
        CryptoOutcome::Invalid("Encryption context: pair 1 has a value but no key.".into())
    );
}

#[test]
fn a_refusals_why_link_carries_the_context_it_was_sent_with() {
    // Bob decrypts Alice's ciphertext with her context: the why link decides that request, not
    // the bare one.
    let mut state = alice_encrypts();
    state.apply(Intent::Panel(PanelIntent::SetCaller(
        user("Bob").to_string(),
    )));
    let refusal = refused(crypto(&mut state, CryptoIntent::Decrypt));
    assert_eq!(
        refusal.exception, "AccessDeniedException",
        "{}",
        refusal.line
    );
    let link = refusal.why.unwrap();
    assert_eq!(
        link.request.encryption_context,
        [("Department".to_owned(), "Finance".to_owned())]
    );
    state.apply(link.intent());
    assert_eq!(state.ui.request, *link.request);
}
