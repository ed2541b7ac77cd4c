//! The create-key wizard, step by step as the AWS console's (lecture demonstration 2).
//!
//! The console asks for the key's configuration, labels (alias, description, tags), key
//! administrators and key users, then shows the key policy it will send and lets you edit it. The
//! policy is the engine's [`console_key_policy`] for the choices made. Finish calls `CreateKey`
//! with that policy (and the description, origin and tags), then `CreateAlias`, as the console
//! does, both as the selected caller; either can be refused with KMS's error.
//! Source: KMS Developer Guide, create-symmetric-cmk.html and key-policy-default.html.

use super::fields::{PairEdit, PairRow, edit_pairs};
use super::{CallerChoice, Refusal, WorldHost, caller_choices};
use kms_engine::catalog::{KEY_SPECS, KeySpec, KeyUsage};
use kms_engine::diagnostics::{Diagnostic, Severity};
use kms_engine::entropy::{SeededRandomness, Timestamp};
use kms_engine::kms::{AliasRequest, Caller, CreateKeyRequest, Env, validate_tag};
use kms_engine::policy::lint::check_policy;
use kms_engine::policy::parse::PolicyKind;
use kms_engine::policy::{ConsoleKeySpec, ConsoleKeyType, console_key_policy};
use kms_engine::request::PrincipalArn;
use kms_engine::store::{Origin, Tag, validate_alias_name};
use kms_engine::world::World;

/// The Labels step's problem while the alias is empty.
const ALIAS_REQUIRED: &str = "Alias is required.";

/// The wizard's steps, in the console's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WizardStep {
    /// Key type, key usage and, under advanced options, the key material origin.
    Configure,
    /// Alias, description and tags.
    Labels,
    /// Key administrators and the key-deletion checkbox.
    Administrators,
    /// Key users and other AWS accounts.
    Users,
    /// The generated key policy, editable.
    Policy,
    /// Everything at once, then Finish.
    Review,
}

impl WizardStep {
    /// Every step in order.
    pub const ALL: [WizardStep; 6] = [
        WizardStep::Configure,
        WizardStep::Labels,
        WizardStep::Administrators,
        WizardStep::Users,
        WizardStep::Policy,
        WizardStep::Review,
    ];

    /// The step's title as the console words it.
    pub fn title(self) -> &'static str {
        match self {
            WizardStep::Configure => "Configure key",
            WizardStep::Labels => "Add labels",
            WizardStep::Administrators => "Define key administrative permissions",
            WizardStep::Users => "Define key usage permissions",
            WizardStep::Policy => "Edit key policy",
            WizardStep::Review => "Review",
        }
    }

    /// Its position, from 1.
    pub fn number(self) -> usize {
        WizardStep::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(1, |i| i + 1)
    }

    fn next(self) -> Option<WizardStep> {
        WizardStep::ALL.get(self.number()).copied()
    }

    fn previous(self) -> Option<WizardStep> {
        self.number()
            .checked_sub(2)
            .and_then(|i| WizardStep::ALL.get(i).copied())
    }
}

/// A change the user makes in the wizard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WizardIntent {
    /// Go to the next step (refused while this one has problems).
    Next,
    /// Go back one step.
    Previous,
    /// Jump to a step (the review's Edit links); refused past a step with problems.
    GoTo(WizardStep),
    /// Fold or unfold the advanced options.
    ToggleAdvanced,
    /// Choose the key type, usage and spec at once: a row of the key-spec table (an asymmetric
    /// one only when the build has asymmetric keys). A spec other than `SYMMETRIC_DEFAULT`
    /// sets the origin back to KMS: only symmetric encryption keys are imported here.
    SetKeySpec(KeySpec),
    /// Choose the key material origin.
    SetOrigin(Origin),
    /// Tick "I understand the security, availability and durability implications of using an
    /// imported key."
    AcknowledgeExternal(bool),
    /// Regionality: a multi-Region key (`true`) or a single-Region key.
    SetMultiRegion(bool),
    /// The alias, without `alias/`.
    SetAlias(String),
    /// The description.
    SetDescription(String),
    /// Edit the tag rows.
    Tag(PairEdit),
    /// Filter the administrator and user tables.
    SetFilter(String),
    /// Tick or untick a key administrator.
    ToggleAdministrator(String),
    /// "Allow key administrators to delete this key".
    SetAllowDelete(bool),
    /// Tick or untick a key user.
    ToggleUser(String),
    /// "Add another AWS account".
    AddAccount,
    /// Set other account `n` (12 digits).
    SetAccount(usize, String),
    /// Remove other account `n`.
    RemoveAccount(usize),
    /// Show the policy in the editor (`true`) or as a preview.
    SetEditing(bool),
    /// The hand-edited policy text.
    EditPolicy(String),
    /// Drop the hand edits and go back to the generated policy.
    DiscardPolicyEdits,
}

/// The wizard's inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wizard {
    /// The step shown.
    pub step: WizardStep,
    /// The account the key is created in (the caller's).
    pub account: String,
    /// Whether the advanced options are unfolded.
    pub advanced_open: bool,
    /// The key type, one of the key-spec table's rows ([`kms_engine::catalog::KEY_SPECS`]).
    pub key_spec: KeySpec,
    /// `AWS_KMS` (KMS generates the material) or `EXTERNAL` (you import it).
    pub origin: Origin,
    /// The acknowledgement the console asks for with External.
    pub external_acknowledged: bool,
    /// Regionality: a multi-Region primary key (an `mrk-` key id, which ReplicateKey can copy
    /// into other Regions) rather than a single-Region key.
    pub multi_region: bool,
    /// The alias, without `alias/`.
    pub alias: String,
    /// The description.
    pub description: String,
    /// Tag rows.
    pub tags: Vec<PairRow>,
    /// The table filter.
    pub filter: String,
    /// Key administrators (ARNs), in the order ticked.
    pub administrators: Vec<String>,
    /// "Allow key administrators to delete this key" (ticked by default, as in the console).
    pub allow_admins_to_delete: bool,
    /// Key users (ARNs), in the order ticked.
    pub users: Vec<String>,
    /// Other AWS accounts that may use the key (12-digit ids, as typed).
    pub other_accounts: Vec<String>,
    /// Whether the policy step shows the editor rather than the preview.
    pub editing: bool,
    /// The policy as edited by hand; `None` while it is the generated one.
    pub policy_edit: Option<String>,
    /// Whether the alias has been typed in: "Alias is required." waits until it has (or until
    /// Next is pressed), rather than greeting the user.
    pub alias_touched: bool,
    /// KMS's refusal of CreateKey for the caller, as the AWS CLI prints it, found when the
    /// wizard opened: said at step 1 rather than after six steps.
    pub create_key_refused: Option<String>,
}

/// What Finish created.
#[derive(Clone, Debug, PartialEq)]
pub struct CreatedKey {
    /// The new key's id.
    pub key_id: String,
    /// Its ARN.
    pub arn: String,
    /// `alias/NAME` when CreateAlias succeeded, else why it did not.
    pub alias: Result<String, Refusal>,
}

/// Why Finish did nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum FinishError {
    /// A step still has a problem (the first one, in words).
    Incomplete(WizardStep, String),
    /// KMS refused CreateKey.
    Refused(Box<Refusal>),
}

impl std::fmt::Display for FinishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FinishError::Incomplete(_, problem) => write!(f, "{problem}"),
            FinishError::Refused(refusal) => write!(f, "{}", refusal.line),
        }
    }
}

impl std::error::Error for FinishError {}

impl Wizard {
    /// A fresh wizard for a key in `account`, on its first step.
    pub fn new(account: impl Into<String>) -> Wizard {
        Wizard {
            step: WizardStep::Configure,
            account: account.into(),
            advanced_open: false,
            key_spec: KeySpec::SymmetricDefault,
            origin: Origin::AwsKms,
            external_acknowledged: false,
            multi_region: false,
            alias: String::new(),
            description: String::new(),
            tags: Vec::new(),
            filter: String::new(),
            administrators: Vec::new(),
            allow_admins_to_delete: true,
            users: Vec::new(),
            other_accounts: Vec::new(),
            editing: false,
            policy_edit: None,
            alias_touched: false,
            create_key_refused: None,
        }
    }

    /// A fresh wizard for `caller`'s account, knowing already whether KMS would let `caller`
    /// create a key: CreateKey is tried on a copy of the world, which is then dropped.
    pub fn for_caller(
        world: &World,
        caller: &PrincipalArn,
        account: String,
        now: Timestamp,
    ) -> Wizard {
        let mut trial = world.clone();
        let mut randomness = SeededRandomness::new(0);
        let refused = trial
            .create_key(
                &Caller::new(caller.clone()),
                &mut Env::new(now, &mut randomness),
                CreateKeyRequest::default(),
            )
            .err()
            .map(|e| Refusal::new(world, "CreateKey", &e).line);
        Wizard {
            create_key_refused: refused,
            ..Wizard::new(account)
        }
    }

    /// The problems to show for `step`: those of [`Wizard::problems`], except that an alias
    /// not yet typed is not called missing until the user tries to go on.
    pub fn visible_problems(&self, world: &World, step: WizardStep) -> Vec<String> {
        let mut problems = self.problems(world, step);
        if step == WizardStep::Labels && !self.alias_touched && self.alias.trim().is_empty() {
            problems.retain(|p| p != ALIAS_REQUIRED);
        }
        problems
    }

    /// Applies one change. Navigation checks the steps it leaves with `world`.
    pub fn apply(&mut self, world: &World, intent: WizardIntent) {
        match intent {
            WizardIntent::Next => {
                if self.step == WizardStep::Labels {
                    self.alias_touched = true;
                }
                if self.problems(world, self.step).is_empty() {
                    if let Some(next) = self.step.next() {
                        self.step = next;
                    }
                }
            }
            WizardIntent::Previous => {
                if let Some(previous) = self.step.previous() {
                    self.step = previous;
                }
            }
            WizardIntent::GoTo(step) => {
                let blocked = WizardStep::ALL
                    .iter()
                    .take_while(|s| **s < step)
                    .any(|s| !self.problems(world, *s).is_empty());
                if !blocked {
                    self.step = step;
                }
            }
            WizardIntent::ToggleAdvanced => self.advanced_open = !self.advanced_open,
            // Every key type may have imported key material (API Reference, ImportKeyMaterial),
            // so the origin stays what was chosen.
            WizardIntent::SetKeySpec(spec) => self.key_spec = spec,
            WizardIntent::SetOrigin(origin) => {
                self.origin = origin;
                if origin == Origin::AwsKms {
                    self.external_acknowledged = false;
                }
            }
            WizardIntent::AcknowledgeExternal(yes) => self.external_acknowledged = yes,
            WizardIntent::SetMultiRegion(yes) => self.multi_region = yes,
            WizardIntent::SetAlias(alias) => {
                self.alias = alias;
                self.alias_touched = true;
            }
            WizardIntent::SetDescription(text) => self.description = text,
            WizardIntent::Tag(edit) => edit_pairs(&mut self.tags, edit),
            WizardIntent::SetFilter(filter) => self.filter = filter,
            WizardIntent::ToggleAdministrator(arn) => toggle(&mut self.administrators, arn),
            WizardIntent::SetAllowDelete(yes) => self.allow_admins_to_delete = yes,
            WizardIntent::ToggleUser(arn) => toggle(&mut self.users, arn),
            WizardIntent::AddAccount => self.other_accounts.push(String::new()),
            WizardIntent::SetAccount(n, id) => {
                if let Some(slot) = self.other_accounts.get_mut(n) {
                    *slot = id;
                }
            }
            WizardIntent::RemoveAccount(n) => {
                if n < self.other_accounts.len() {
                    self.other_accounts.remove(n);
                }
            }
            WizardIntent::SetEditing(editing) => self.editing = editing,
            WizardIntent::EditPolicy(text) => self.policy_edit = Some(text),
            WizardIntent::DiscardPolicyEdits => {
                self.policy_edit = None;
                self.editing = false;
            }
        }
    }

    /// The choices that shape the console policy.
    pub fn spec(&self) -> ConsoleKeySpec {
        ConsoleKeySpec {
            administrators: self.administrators.clone(),
            allow_admins_to_delete: self.allow_admins_to_delete,
            users: self.users.clone(),
            other_accounts: self
                .other_accounts
                .iter()
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect(),
            key_type: match (self.key_spec.row().usage, self.key_spec.row().asymmetric) {
                (KeyUsage::GenerateVerifyMac, _) => ConsoleKeyType::Hmac,
                (KeyUsage::SignVerify, _) => ConsoleKeyType::Signing,
                (KeyUsage::KeyAgreement, _) => ConsoleKeyType::KeyAgreement,
                (KeyUsage::EncryptDecrypt, true) => ConsoleKeyType::AsymmetricEncryption,
                (KeyUsage::EncryptDecrypt, false) => ConsoleKeyType::SymmetricEncryption,
            },
            multi_region: self.multi_region,
            imported_material: self.origin == Origin::External,
            ..ConsoleKeySpec::new(self.account.clone())
        }
    }

    /// The key usages the console offers for the chosen key type (Symmetric: encrypt and
    /// decrypt, or generate and verify MAC; Asymmetric: sign and verify), each with the spec
    /// choosing it selects: the spec chosen when it has that usage, else the usage's first row
    /// of the key-spec table.
    pub fn usage_choices(&self) -> Vec<(KeyUsage, KeySpec)> {
        let asymmetric = self.key_spec.row().asymmetric;
        let mut out: Vec<(KeyUsage, KeySpec)> = Vec::new();
        for row in KEY_SPECS.iter().filter(|r| r.asymmetric == asymmetric) {
            if out.iter().all(|(usage, _)| *usage != row.usage) {
                let spec = if self.key_spec.row().usage == row.usage {
                    self.key_spec
                } else {
                    row.spec
                };
                out.push((row.usage, spec));
            }
        }
        out
    }

    /// The key specs of the chosen usage, in the table's order (the HMAC specs for "Generate and
    /// verify MAC"); one spec means the console asks nothing more.
    pub fn spec_choices(&self) -> Vec<KeySpec> {
        let (usage, asymmetric) = (self.key_spec.row().usage, self.key_spec.row().asymmetric);
        // RSA keys encrypt too: the key type keeps them apart from SYMMETRIC_DEFAULT.
        KEY_SPECS
            .iter()
            .filter(|r| r.usage == usage && r.asymmetric == asymmetric)
            .map(|r| r.spec)
            .collect()
    }

    /// The review's line for the key: type, usage, spec, origin and regionality, as the console
    /// words them.
    pub fn key_summary(&self) -> String {
        let row = self.key_spec.row();
        format!(
            "{}, {}, key spec {} (key usage {}), origin {}, {}",
            key_type_words(row.asymmetric),
            usage_words(row.usage),
            row.name,
            row.usage_name,
            self.origin.as_str(),
            regionality_words(self.multi_region)
        )
    }

    /// The policy the console generates for the choices made (the engine's).
    pub fn generated_policy(&self) -> String {
        console_key_policy(&self.spec())
    }

    /// The policy Finish sends: the hand-edited text, else the generated one.
    pub fn policy_text(&self) -> String {
        self.policy_edit
            .clone()
            .unwrap_or_else(|| self.generated_policy())
    }

    /// Whether the policy was edited by hand (so steps 3 and 4 no longer shape it).
    pub fn edited_by_hand(&self) -> bool {
        self.policy_edit
            .as_deref()
            .is_some_and(|text| text != self.generated_policy())
    }

    /// Every problem KMS would find in the policy Finish sends, from the engine: the parser's
    /// and linter's diagnostics and the principals KMS cannot find.
    pub fn policy_diagnostics(&self, world: &World) -> Vec<Diagnostic> {
        let text = self.policy_text();
        let parsed = check_policy(&text, PolicyKind::KeyPolicy, Some(&self.account));
        let mut diagnostics = parsed.diagnostics;
        if let Some(policy) = &parsed.policy {
            diagnostics.extend(world.invalid_policy_principals(&text, policy));
            kms_engine::sort::sort_by_key(&mut diagnostics, |d| (d.span.start, d.severity));
        }
        diagnostics
    }

    /// The IAM users and roles of the key's account that match the filter: the rows of the
    /// administrator and user tables (the console lists users and roles only).
    pub fn candidates(&self, world: &World) -> Vec<CallerChoice> {
        let filter = self.filter.trim().to_lowercase();
        caller_choices(world)
            .into_iter()
            .filter(|c| matches!(c.kind, "user" | "role"))
            .filter(|c| {
                world
                    .principal(&c.arn)
                    .is_some_and(|p| p.account == self.account)
            })
            .filter(|c| filter.is_empty() || c.name.to_lowercase().contains(&filter))
            .collect()
    }

    /// The tags Finish sends (rows with neither key nor value are skipped).
    pub fn tag_list(&self) -> Vec<Tag> {
        self.tags
            .iter()
            .filter(|r| !(r.key.trim().is_empty() && r.value.is_empty()))
            .map(|r| Tag {
                tag_key: r.key.trim().to_owned(),
                tag_value: r.value.clone(),
            })
            .collect()
    }

    /// What keeps `step` from being complete, in words (empty when it is).
    pub fn problems(&self, world: &World, step: WizardStep) -> Vec<String> {
        let mut problems = Vec::new();
        match step {
            WizardStep::Configure => {
                if self.origin == Origin::External && !self.external_acknowledged {
                    problems.push(
                        "Confirm that you understand the implications of using an imported key."
                            .to_owned(),
                    );
                }
            }
            WizardStep::Labels => {
                let alias = self.alias.trim();
                if alias.is_empty() {
                    problems.push(ALIAS_REQUIRED.to_owned());
                } else if alias.starts_with("aws/") {
                    problems.push("The alias cannot begin with aws/.".to_owned());
                } else if let Err(error) = validate_alias_name(&self.alias_name()) {
                    problems.push(error.message().to_owned());
                } else if world
                    .keys
                    .alias(world.region(), &self.account, &self.alias_name())
                    .is_some()
                {
                    problems.push(format!("The alias {} already exists.", self.alias_name()));
                }
                let tags = self.tag_list();
                for (i, tag) in tags.iter().enumerate() {
                    if tag.tag_key.is_empty() {
                        problems.push(format!("Tag {} needs a key.", i + 1));
                    } else if tags.iter().take(i).any(|t| t.tag_key == tag.tag_key) {
                        problems.push(format!("The tag key {} appears twice.", tag.tag_key));
                    } else if let Err(error) = validate_tag(tag) {
                        problems.push(format!("Tag {}: {}", i + 1, error.message()));
                    }
                }
            }
            WizardStep::Administrators => {}
            WizardStep::Users => {
                for account in &self.other_accounts {
                    let account = account.trim();
                    if account.is_empty() {
                        continue;
                    }
                    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                        problems.push(format!(
                            "{account} is not an AWS account ID: enter 12 digits."
                        ));
                    }
                }
            }
            WizardStep::Policy | WizardStep::Review => {
                let errors = self
                    .policy_diagnostics(world)
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                if errors > 0 {
                    problems.push(format!(
                        "The key policy has {errors} error(s): fix them or discard your edits."
                    ));
                }
            }
        }
        problems
    }

    /// The alias as KMS names it: `alias/NAME`.
    pub fn alias_name(&self) -> String {
        format!("alias/{}", self.alias.trim())
    }

    /// The same key created from the `aws` CLI: `create-key` with the policy, then
    /// `create-alias`, as the console calls both. Pasting it into the console does the same.
    pub fn as_cli(&self) -> String {
        let mut create = String::from("KEY_ID=$(aws kms create-key");
        if !self.description.is_empty() {
            create.push_str(&format!(
                " --description {}",
                shell_quote(&self.description)
            ));
        }
        if self.origin == Origin::External {
            create.push_str(" --origin EXTERNAL");
        }
        if self.multi_region {
            create.push_str(" --multi-region");
        }
        let tags = self.tag_list();
        if !tags.is_empty() {
            create.push_str(" --tags");
            for tag in &tags {
                create.push_str(&format!(
                    " {}",
                    shell_quote(&format!(
                        "TagKey={},TagValue={}",
                        tag.tag_key, tag.tag_value
                    ))
                ));
            }
        }
        let policy = compact_json(&self.policy_text());
        create.push_str(&format!(
            " --policy {} --query KeyMetadata.KeyId --output text)",
            shell_quote(&policy)
        ));
        format!(
            "{create}\naws kms create-alias --alias-name {} --target-key-id $KEY_ID\n",
            shell_quote(&self.alias_name())
        )
    }

    /// Finish: `CreateKey` then `CreateAlias`, as `caller`, through the engine.
    pub fn finish(
        &self,
        host: &mut impl WorldHost,
        caller: &PrincipalArn,
    ) -> Result<CreatedKey, FinishError> {
        for step in WizardStep::ALL {
            if let Some(problem) = self.problems(host.world(), step).into_iter().next() {
                return Err(FinishError::Incomplete(step, problem));
            }
        }
        let tags = self.tag_list();
        let request = CreateKeyRequest {
            policy: Some(self.policy_text()),
            description: Some(self.description.clone()),
            origin: Some(self.origin.as_str().to_owned()),
            key_spec: Some(self.key_spec.as_str().to_owned()),
            key_usage: Some(self.key_spec.row().usage_name.to_owned()),
            tags: (!tags.is_empty()).then_some(tags),
            multi_region: self.multi_region.then_some(true),
            ..CreateKeyRequest::default()
        };
        let alias_name = self.alias_name();
        let caller = Caller::new(caller.clone());
        host.operate(|world, env| {
            let created = world.create_key(&caller, env, request).map_err(|e| {
                FinishError::Refused(Box::new(Refusal::new(world, "CreateKey", &e)))
            })?;
            let metadata = created.key_metadata;
            let key_id = metadata.arn.clone();
            let alias = world
                .create_alias(
                    &caller,
                    env,
                    AliasRequest {
                        alias_name: alias_name.clone(),
                        target_key_id: metadata.key_id.clone(),
                    },
                )
                .map(|()| alias_name)
                .map_err(|e| Refusal::new(world, "CreateAlias", &e));
            Ok(CreatedKey {
                key_id,
                arn: metadata.arn,
                alias,
            })
        })
    }
}

/// The console's name for a key type: "Symmetric" or "Asymmetric".
pub fn key_type_words(asymmetric: bool) -> &'static str {
    if asymmetric {
        "Asymmetric"
    } else {
        "Symmetric"
    }
}

/// The console's name for a key's regionality: "Single-Region key" or "Multi-Region key".
pub fn regionality_words(multi_region: bool) -> &'static str {
    if multi_region {
        "Multi-Region key"
    } else {
        "Single-Region key"
    }
}

/// The console's words for a key usage: "Encrypt and decrypt", "Generate and verify MAC",
/// "Sign and verify".
pub fn usage_words(usage: KeyUsage) -> &'static str {
    match usage {
        KeyUsage::EncryptDecrypt => "Encrypt and decrypt",
        KeyUsage::GenerateVerifyMac => "Generate and verify MAC",
        KeyUsage::SignVerify => "Sign and verify",
        KeyUsage::KeyAgreement => "Key agreement",
    }
}

fn toggle(list: &mut Vec<String>, item: String) {
    if let Some(i) = list.iter().position(|x| *x == item) {
        list.remove(i);
    } else {
        list.push(item);
    }
}

/// `text` as one POSIX shell word in single quotes.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// JSON on one line for a command line: whitespace outside strings is dropped, everything else
/// (key order included) is kept as written.
fn compact_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}
