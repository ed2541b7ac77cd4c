//! HMAC keys in the app: the matrix's action groups gain GenerateMac and VerifyMac and a key's
//! cell counts only what its spec supports, the why panel answers InvalidKeyUsageException for
//! the others, the crypto panel makes and checks real MACs, and the wizard creates HMAC keys with
//! the console's choices. Sources: KMS Developer Guide hmac.html, hmac-authz.html,
//! symm-asymm-compare.html; KMS API Reference GenerateMac, VerifyMac (KMSInvalidMacException).

#![expect(clippy::unwrap_used, reason = "tests")]

use crate::panels_support;

use kms_engine::catalog::{Action, KeySpec, KeyUsage};
use kms_playground::panels::PanelIntent;
use kms_playground::panels::crypto::{CryptoIntent, CryptoOutcome};
use kms_playground::panels::wizard::{Wizard, WizardIntent, WizardStep};
use kms_playground::state::{AppState, Intent};
use panels_support::*;

const SCENARIO: &str = r#"{
  "name": "HMAC",
  "principals": [
    {"name": "Alice", "policies": [{"name": "Use", "document": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateMac", "kms:VerifyMac"], "Resource": "*"}]}}]}
  ],
  "keys": [
    {"name": "Data", "aliases": ["alias/Data"]},
    {"name": "Tokens", "aliases": ["alias/Tokens"], "key_spec": "HMAC_256"}
  ]
}"#;

fn crypto(state: &mut AppState, intent: CryptoIntent) -> CryptoOutcome {
    state.apply(Intent::Panel(PanelIntent::Crypto(intent)));
    state.panels.crypto.outcome.clone().unwrap()
}

#[test]
fn the_matrix_offers_mac_actions_and_a_key_counts_only_what_its_spec_supports() {
    let state = app_state(SCENARIO, &user("Alice"));
    let model = state.model();
    let actions = model.matrix().actions();
    assert!(actions.contains(&Action::GenerateMac) && actions.contains(&Action::VerifyMac));
    assert!(actions.contains(&Action::Encrypt));
    let column = |name: &str| model.columns().iter().position(|c| c.name == name).unwrap();
    let tokens = column("Tokens");
    assert_eq!(model.columns()[tokens].spec, KeySpec::Hmac256);
    // Alice may use both MAC actions on the HMAC key: all it supports, so "Full"; on the
    // symmetric key she may encrypt and decrypt, of its cryptographic actions.
    let summary = model.summary(0, tokens).unwrap();
    assert_eq!((summary.allowed, summary.total), (2, 2), "{summary:?}");
    let data = model.summary(0, column("Data")).unwrap();
    assert_eq!(data.allowed, 2);
    assert!(data.total > 2, "{data:?}");

    // The why panel explains a MAC action on the HMAC key, and for Encrypt says KMS refuses it
    // whatever the policies say.
    let explained = kms_playground::why::explained_action(&model, 0, tokens, None);
    assert!(matches!(
        actions[explained],
        Action::GenerateMac | Action::VerifyMac
    ));
    let line = kms_playground::why::key_usage_line(&model, tokens, Action::Encrypt).unwrap();
    assert!(
        line.starts_with(
            "An error occurred (InvalidKeyUsageException) when calling the Encrypt operation: "
        ) && line.contains("GENERATE_VERIFY_MAC"),
        "{line}"
    );
    assert!(kms_playground::why::key_usage_line(&model, tokens, Action::GenerateMac).is_none());
    assert!(
        kms_playground::why::key_usage_line(&model, column("Data"), Action::GenerateMac).is_some()
    );
}

#[test]
fn the_crypto_panel_generates_and_verifies_a_mac_and_a_changed_message_fails() {
    let mut state = app_state(SCENARIO, &user("Alice"));
    crypto_key(&mut state, "alias/Tokens");
    let row = state.panels.crypto.key_row(state.model().world()).unwrap();
    assert_eq!(row.usage, KeyUsage::GenerateVerifyMac);
    assert!(!row.supports(Action::Encrypt));
    assert_eq!(
        state.panels.crypto.mac_algorithm(state.model().world()),
        "HMAC_SHA_256"
    );
    let CryptoOutcome::MacGenerated {
        mac, mac_algorithm, ..
    } = crypto(&mut state, CryptoIntent::GenerateMac)
    else {
        panic!("Alice may GenerateMac");
    };
    assert_eq!(mac_algorithm, "HMAC_SHA_256");
    assert_eq!(state.panels.crypto.mac, mac);
    let outcome = crypto(&mut state, CryptoIntent::VerifyMac);
    assert!(
        matches!(
            outcome,
            CryptoOutcome::MacVerified {
                mac_valid: true,
                ..
            }
        ),
        "{outcome:?}"
    );
    crypto(
        &mut state,
        CryptoIntent::SetPlaintext("CloudAcademy!".into()),
    );
    let CryptoOutcome::Refused(refusal) = crypto(&mut state, CryptoIntent::VerifyMac) else {
        panic!("a changed message does not verify");
    };
    assert_eq!(refusal.exception, "KMSInvalidMacException");
    assert!(
        refusal
            .line
            .contains("when calling the VerifyMac operation")
    );
    // Encrypt with the HMAC key is KMS's InvalidKeyUsageException.
    let CryptoOutcome::Refused(refusal) = crypto(&mut state, CryptoIntent::Encrypt) else {
        panic!("an HMAC key does not encrypt");
    };
    assert_eq!(refusal.exception, "InvalidKeyUsageException");
    // A symmetric key offers encryption, not MACs.
    crypto_key(&mut state, "alias/Data");
    let row = state.panels.crypto.key_row(state.model().world()).unwrap();
    assert!(row.supports(Action::Encrypt) && !row.supports(Action::GenerateMac));
}

fn crypto_key(state: &mut AppState, key: &str) {
    state.apply(Intent::Panel(PanelIntent::Crypto(CryptoIntent::SetKey(
        key.to_owned(),
    ))));
}

#[test]
fn the_wizard_creates_an_hmac_key_with_the_consoles_choices() {
    let mut host = TestHost::new(four_users());
    let world = host.world.clone();
    let mut wizard = Wizard::new(ACCOUNT);
    // Symmetric offers two usages; choosing MAC offers the four HMAC specs.
    let usages: Vec<KeyUsage> = wizard.usage_choices().iter().map(|(u, _)| *u).collect();
    assert_eq!(
        usages,
        [KeyUsage::EncryptDecrypt, KeyUsage::GenerateVerifyMac]
    );
    wizard.apply(&world, WizardIntent::ToggleAdvanced);
    wizard.apply(
        &world,
        WizardIntent::SetOrigin(kms_engine::store::Origin::External),
    );
    let (_, mac_spec) = wizard.usage_choices()[1];
    wizard.apply(&world, WizardIntent::SetKeySpec(mac_spec));
    // An HMAC key may have imported key material too (API Reference, ImportKeyMaterial): the
    // origin chosen stays.
    assert_eq!(wizard.origin, kms_engine::store::Origin::External);
    wizard.apply(
        &world,
        WizardIntent::SetOrigin(kms_engine::store::Origin::AwsKms),
    );
    assert_eq!(
        wizard.spec_choices(),
        [
            KeySpec::Hmac224,
            KeySpec::Hmac256,
            KeySpec::Hmac384,
            KeySpec::Hmac512
        ]
    );
    wizard.apply(&world, WizardIntent::SetKeySpec(KeySpec::Hmac384));
    assert_eq!(
        wizard.key_summary(),
        "Symmetric, Generate and verify MAC, key spec HMAC_384 (key usage GENERATE_VERIFY_MAC), origin AWS_KMS, Single-Region key"
    );
    wizard.apply(&world, WizardIntent::Next);
    wizard.apply(&world, WizardIntent::SetAlias("Tokens".into()));
    wizard.apply(&world, WizardIntent::Next);
    wizard.apply(&world, WizardIntent::Next);
    wizard.apply(
        &world,
        WizardIntent::ToggleUser(user("Charlie").to_string()),
    );
    wizard.apply(&world, WizardIntent::Next);
    assert_eq!(wizard.step, WizardStep::Policy);
    // The console's policy for an HMAC key: users generate and verify MACs (hmac-authz.html).
    assert!(wizard.policy_text().contains("kms:GenerateMac"));
    assert!(!wizard.policy_text().contains("kms:Encrypt"));
    let created = wizard.finish(&mut host, &root()).unwrap();
    let key = host.world.keys.get_by_arn(&created.key_id).unwrap();
    assert_eq!(key.spec, KeySpec::Hmac384);
    assert_eq!(key.usage, KeyUsage::GenerateVerifyMac);
}
