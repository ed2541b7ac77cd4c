//! Words for decisions: how a principal's access to a key, over a set of actions, reads in one
//! matrix cell ("Full", "Use", "Admin only", "Encrypt only", "Encrypt, Decrypt", "5 of 12",
//! "Deny", "None", "Pending").
//!
//! This is presentation, not authorization: it only counts decisions the authorizer already made,
//! so the web app and the CLI word the same decisions the same way.

use crate::authz::{IdentityAllow, Reason, Verdict};
use crate::catalog::{ACTIONS, ActionGroup, KmsAction, ResourceKind};
use crate::catalog::{Action, KeySpec, PermissionSource};
use crate::matrix::Matrix;
use crate::policy::eval::Decision;
use crate::store::Key;
use crate::world::{Principal, World};
use serde::Serialize;

/// The actions a matrix column summarises: one action, a list (a scenario's `actions`), a picker
/// group, or every key action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ActionSet {
    /// Every action that is authorized against a symmetric encryption key.
    All,
    /// One picker group's key actions.
    Group(ActionGroup),
    /// Listed actions, such as a scenario's default columns.
    Listed(Vec<&'static KmsAction>),
    /// A single action.
    One(&'static KmsAction),
}

/// Whether `action` is decided per key by policies and applies to a key of one of `specs`
/// ([`crate::catalog::KEY_SPECS`]).
/// IAM-only actions such as `kms:CreateKey` have no key to decide them for, and
/// `kms:RetireGrant` only ever comes from a grant (API RetireGrant), so policies cannot allow it.
pub fn is_key_action_for(action: &KmsAction, specs: &[KeySpec]) -> bool {
    action.resource != ResourceKind::IamOnly
        && Action::from_name(action.action).is_some_and(|a| {
            a.permission_source() != PermissionSource::Grant
                && specs.iter().any(|spec| spec.row().supports(a))
        })
}

/// [`is_key_action_for`] symmetric encryption keys, the sets' default: the actions a world of
/// such keys offers.
pub fn is_modelled_key_action(action: &KmsAction) -> bool {
    is_key_action_for(action, &[KeySpec::SymmetricDefault])
}

/// The key specs of `world`'s keys, symmetric encryption first: the kinds of key a world's
/// action sets cover ([`ActionSet::actions_for`]).
pub fn key_specs_of(world: &World) -> Vec<KeySpec> {
    let mut specs = vec![KeySpec::SymmetricDefault];
    for key in world.keys.keys() {
        if !specs.contains(&key.spec) {
            specs.push(key.spec);
        }
    }
    specs
}

impl ActionSet {
    /// The groups the picker offers, in order.
    pub const GROUPS: [ActionGroup; 4] = [
        ActionGroup::Cryptographic,
        ActionGroup::Administrative,
        ActionGroup::Grants,
        ActionGroup::Read,
    ];

    /// The set of `names` (unknown names are left out; one name is [`ActionSet::One`]).
    pub fn listed<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<ActionSet> {
        let mut actions: Vec<&'static KmsAction> = Vec::new();
        for action in names.into_iter().filter_map(crate::catalog::action) {
            if !actions.iter().any(|a| a.action == action.action) {
                actions.push(action);
            }
        }
        match actions.as_slice() {
            [] => None,
            [one] => Some(ActionSet::One(one)),
            _ => Some(ActionSet::Listed(actions)),
        }
    }

    /// The actions in the set for symmetric encryption keys, in catalog (alphabetical) order,
    /// or as listed.
    pub fn actions(&self) -> Vec<&'static KmsAction> {
        self.actions_for(&[KeySpec::SymmetricDefault])
    }

    /// The actions in the set that apply to a key of one of `specs` (a world's
    /// [`key_specs_of`]: an HMAC key adds the MAC actions), in catalog order, or as listed.
    pub fn actions_for(&self, specs: &[KeySpec]) -> Vec<&'static KmsAction> {
        match self {
            ActionSet::One(action) => vec![*action],
            ActionSet::Listed(actions) => actions.clone(),
            ActionSet::All => ACTIONS
                .iter()
                .filter(|a| is_key_action_for(a, specs))
                .collect(),
            ActionSet::Group(group) => ACTIONS
                .iter()
                .filter(|a| a.group == *group && is_key_action_for(a, specs))
                .collect(),
        }
    }

    /// The set as the engine's actions (what a [`Matrix`] is computed over).
    pub fn kms_actions(&self) -> Vec<Action> {
        self.actions()
            .into_iter()
            .filter_map(|a| Action::from_name(a.action))
            .collect()
    }

    /// [`ActionSet::kms_actions`] for keys of `specs` (a world's [`key_specs_of`]): a group or
    /// all actions gain GenerateMac and VerifyMac when the world has an HMAC key.
    pub fn kms_actions_for(&self, specs: &[KeySpec]) -> Vec<Action> {
        self.actions_for(specs)
            .into_iter()
            .filter_map(|a| Action::from_name(a.action))
            .collect()
    }

    /// How the picker and headings name the set: `kms:Encrypt`, "cryptographic actions", "all
    /// key actions".
    pub fn label(&self) -> String {
        match self {
            ActionSet::One(action) => action.action.to_owned(),
            ActionSet::Listed(actions) => actions
                .iter()
                .map(|a| a.action)
                .collect::<Vec<_>>()
                .join(", "),
            ActionSet::Group(group) => format!("{} actions", group.label()),
            ActionSet::All => "all key actions".to_owned(),
        }
    }

    /// A stable identifier for storage and URLs: `all`, `group:cryptographic`, `kms:Encrypt`,
    /// `list:kms:Encrypt,kms:Decrypt`.
    pub fn id(&self) -> String {
        match self {
            ActionSet::One(action) => action.action.to_owned(),
            ActionSet::Listed(_) => format!("list:{}", self.label().replace(", ", ",")),
            ActionSet::Group(group) => format!("group:{}", group.label()),
            ActionSet::All => "all".to_owned(),
        }
    }

    /// Reads an identifier made by [`ActionSet::id`].
    pub fn from_id(id: &str) -> Option<ActionSet> {
        if id == "all" {
            return Some(ActionSet::All);
        }
        if let Some(list) = id.strip_prefix("list:") {
            return ActionSet::listed(list.split(','));
        }
        if let Some(name) = id.strip_prefix("group:") {
            return ActionSet::GROUPS
                .into_iter()
                .find(|g| g.label() == name)
                .map(ActionSet::Group);
        }
        crate::catalog::action(id).map(ActionSet::One)
    }

    /// The word for "everything in the set is allowed".
    fn full_word(&self) -> &'static str {
        match self {
            ActionSet::All => "Full",
            ActionSet::Group(ActionGroup::Cryptographic) => "Use",
            ActionSet::Group(ActionGroup::Administrative) => "Admin",
            ActionSet::Group(ActionGroup::Grants) => "Grants",
            ActionSet::Group(ActionGroup::Read) => "Read",
            ActionSet::One(_) | ActionSet::Listed(_) => "Allow",
        }
    }
}

/// The authorizer's answer for one action of a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionOutcome {
    /// The action.
    pub action: &'static KmsAction,
    /// The decision without grant tokens.
    pub decision: Decision,
    /// Denied without a token but allowed with the grant's token: a grant still inside its
    /// eventual-consistency window.
    pub token_only: bool,
    /// Allowed by policy, but the key's state refuses the operation (KMS Developer Guide,
    /// key-state.html).
    pub blocked: bool,
}

/// How a cell looks: each kind has its own icon and word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellKind {
    /// Every action in the set is allowed.
    Allow,
    /// Some are allowed.
    Partial,
    /// None is allowed and a `Deny` statement decided at least one.
    ExplicitDeny,
    /// None is allowed and nothing denied explicitly: nothing allowed them.
    ImplicitDeny,
    /// None is allowed now, but a grant token would allow some.
    Pending,
    /// Policies allow some actions, but the key's state refuses every one of them.
    Blocked,
}

/// One cell's summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CellSummary {
    /// The look.
    pub kind: CellKind,
    /// The word shown: "Full", "Encrypt only", "3 of 8", "Deny", "None", "Pending", "Disabled"...
    pub word: String,
    /// How many actions are allowed and not refused by the key's state.
    pub allowed: usize,
    /// How many are allowed by policy but refused by the key's state.
    pub blocked: usize,
    /// How many are denied by a `Deny` statement.
    pub explicit_denies: usize,
    /// How many would be allowed with a grant token.
    pub pending: usize,
    /// How many actions the cell covers.
    pub total: usize,
}

impl CellSummary {
    /// Extra words beside the main one, such as "1 denied" on a partly allowed cell.
    pub fn note(&self) -> Option<String> {
        match self.kind {
            CellKind::Partial | CellKind::Blocked if self.explicit_denies > 0 => {
                Some(format!("{} denied", self.explicit_denies))
            }
            CellKind::Partial if self.pending > 0 => Some(format!("{} pending", self.pending)),
            CellKind::Partial if self.blocked > 0 => Some(format!("{} blocked", self.blocked)),
            _ => None,
        }
    }

    /// The decision in a sentence, for screen readers and the CSV export: "allowed for 1 of 8
    /// actions (Encrypt only)".
    pub fn sentence(&self) -> String {
        match self.kind {
            CellKind::Allow if self.total == 1 => "allowed".to_owned(),
            CellKind::Allow => format!("allowed for all {} actions", self.total),
            CellKind::Partial => format!(
                "allowed for {} of {} actions ({}){}",
                self.allowed,
                self.total,
                self.word,
                self.note().map(|n| format!(", {n}")).unwrap_or_default()
            ),
            CellKind::ExplicitDeny => "explicitly denied".to_owned(),
            CellKind::ImplicitDeny => "implicitly denied (nothing allows it)".to_owned(),
            CellKind::Pending => {
                "allowed only with a grant token until the grant is consistent".to_owned()
            }
            CellKind::Blocked => format!(
                "allowed by policy for {} of {} actions, but the key's state ({}) refuses them",
                self.blocked, self.total, self.word
            ),
        }
    }
}

/// Sums up a cell. `key_state` is the key's state as DescribeKey prints it (`Enabled`,
/// `Disabled`, `PendingDeletion`...), named when it is what refuses the allowed actions.
pub fn summarize(set: &ActionSet, outcomes: &[ActionOutcome], key_state: &str) -> CellSummary {
    let total = outcomes.len();
    let allowed: Vec<&KmsAction> = outcomes
        .iter()
        .filter(|o| o.decision == Decision::Allow && !o.blocked)
        .map(|o| o.action)
        .collect();
    let blocked = outcomes
        .iter()
        .filter(|o| o.decision == Decision::Allow && o.blocked)
        .count();
    let explicit_denies = outcomes
        .iter()
        .filter(|o| o.decision == Decision::ExplicitDeny)
        .count();
    let pending = outcomes
        .iter()
        .filter(|o| o.decision != Decision::Allow && o.token_only)
        .count();
    let summary = |kind, word: String| CellSummary {
        kind,
        word,
        allowed: allowed.len(),
        blocked,
        explicit_denies,
        pending,
        total,
    };
    if total == 0 {
        // None of the set's actions applies to the key (Encrypt and Decrypt on an HMAC key).
        return summary(CellKind::ImplicitDeny, NOT_FOR_THIS_KEY.to_owned());
    }
    if blocked > 0 && allowed.is_empty() {
        return summary(CellKind::Blocked, state_word(key_state).to_owned());
    }
    if total > 0 && allowed.len() == total {
        return summary(CellKind::Allow, set.full_word().to_owned());
    }
    if allowed.is_empty() {
        return if pending > 0 {
            summary(CellKind::Pending, "Pending".to_owned())
        } else if explicit_denies > 0 {
            summary(CellKind::ExplicitDeny, "Deny".to_owned())
        } else {
            summary(CellKind::ImplicitDeny, "None".to_owned())
        };
    }
    summary(CellKind::Partial, partial_word(set, &allowed, total))
}

/// A cell's word when none of the set's actions applies to its key's spec.
pub const NOT_FOR_THIS_KEY: &str = "n/a";

/// Sums up the cell of row `principal`, column `key` of `matrix`, whose actions are `set`'s.
/// `key_state` is the key's state as DescribeKey prints it.
///
/// The words are about permissions: an allowed action counts as blocked only when the key is not
/// `Enabled` and its state refuses the operation. Operations that do not apply to a key at all
/// (importing material into a key KMS generated, cancelling a deletion that was never
/// scheduled) stay counted as allowed, as a policy simulator would.
pub fn summarize_matrix_cell(
    set: &ActionSet,
    matrix: &Matrix,
    principal: usize,
    key: usize,
    key_state: &str,
    spec: KeySpec,
) -> CellSummary {
    let outcomes = matrix_outcomes(matrix, principal, key, key_state, spec);
    summarize(set, &outcomes, key_state)
}

/// Sums up one action (number `action` of [`Matrix::actions`]) of a cell, for the per-action view.
pub fn summarize_matrix_action(
    matrix: &Matrix,
    principal: usize,
    key: usize,
    action: usize,
    key_state: &str,
    spec: KeySpec,
) -> Option<CellSummary> {
    let wanted = *matrix.actions().get(action)?;
    let outcome = *matrix_outcomes(matrix, principal, key, key_state, spec)
        .iter()
        .find(|o| o.action.action == wanted.name())?;
    Some(summarize(
        &ActionSet::One(outcome.action),
        &[outcome],
        key_state,
    ))
}

fn matrix_outcomes(
    matrix: &Matrix,
    principal: usize,
    key: usize,
    key_state: &str,
    spec: KeySpec,
) -> Vec<ActionOutcome> {
    // A cell lists only the actions the key's spec supports (its row of the key-spec table):
    // the others are InvalidKeyUsageException whatever the policies say.
    matrix
        .actions()
        .iter()
        .enumerate()
        .filter(|(_, action)| spec.row().supports(**action))
        .filter_map(|(i, action)| {
            let cell = matrix.cell(principal, key, i)?;
            Some(ActionOutcome {
                action: action.entry(),
                decision: cell.verdict.decision,
                token_only: matches!(cell.verdict.reason, Reason::GrantPendingTokenOnly { .. }),
                blocked: key_state != "Enabled"
                    && cell
                        .state_error
                        .is_some_and(|e| e != "UnsupportedOperationException"),
            })
        })
        .collect()
}

/// The statement a verdict rests on, named for people: the key policy's or the identity
/// policy's statement (its Sid, else `Statement[i]`), or "a grant".
pub fn verdict_cause(
    world: &World,
    principal: &Principal,
    key: &Key,
    verdict: Verdict,
) -> Option<String> {
    let key_statement = |i: usize| {
        key.policy
            .policy
            .statements
            .get(i)
            .map(|s| format!("statement {} in the key policy", s.label()))
    };
    let identity_statement = |policy: usize, statement: usize| {
        let p = world.identity_policies(principal).get(policy)?;
        let s = p.policy.statements.get(statement)?;
        Some(format!("statement {} in IAM policy {}", s.label(), p.name))
    };
    match verdict.reason {
        Reason::KeyPolicy { statement } | Reason::ExplicitDenyInKeyPolicy { statement } => {
            key_statement(statement)
        }
        Reason::ExplicitDenyInIdentityPolicy { policy, statement } => {
            identity_statement(policy, statement)
        }
        Reason::KeyPolicyAndIam {
            key_statement: k,
            identity: IdentityAllow::Policy { policy, statement },
            ..
        } => Some(format!(
            "{} and {}",
            key_statement(k)?,
            identity_statement(policy, statement)?
        )),
        Reason::KeyPolicyAndIam {
            key_statement: k, ..
        } => key_statement(k),
        Reason::Iam {
            identity: IdentityAllow::Policy { policy, statement },
        } => identity_statement(policy, statement),
        Reason::Grant => Some("a grant".to_owned()),
        Reason::GrantPendingTokenOnly { .. } => {
            Some("a grant that works only with its grant token for now".to_owned())
        }
        Reason::Iam { .. }
        | Reason::NoResourcePolicyAllows
        | Reason::NoIdentityPolicyAllows
        | Reason::NotCrossAccount
        | Reason::ExplicitDenyInGuardrail { .. }
        | Reason::GuardrailDoesNotAllow { .. } => None,
    }
}

fn state_word(state: &str) -> &str {
    match state {
        "PendingDeletion" => "Pending deletion",
        "PendingImport" => "Pending import",
        other => other,
    }
}

/// Names a partial allow in the words a person would use: a single action ("Encrypt only");
/// the console's roles when the allowed actions are exactly the set's cryptographic ones ("Use
/// only", a key user) or cover its administrative ones without any cryptographic one ("Admin
/// only", a key administrator); up to three actions by name ("Encrypt, Decrypt"); a count only
/// for longer lists ("5 of 12"), whose names the cell's label and the why panel give.
fn partial_word(set: &ActionSet, allowed: &[&KmsAction], total: usize) -> String {
    if let [only] = allowed {
        return format!("{} only", only.name());
    }
    let shown = set.actions();
    let is_allowed = |a: &KmsAction| allowed.iter().any(|b| b.action == a.action);
    let covers = |group: ActionGroup| {
        let mut in_group = shown.iter().filter(|a| a.group == group).peekable();
        in_group.peek().is_some() && in_group.all(|a| is_allowed(a))
    };
    let use_group =
        |a: &KmsAction| matches!(a.group, ActionGroup::Cryptographic | ActionGroup::Read);
    if covers(ActionGroup::Cryptographic) && allowed.iter().all(|a| use_group(a)) {
        return "Use only".to_owned();
    }
    if covers(ActionGroup::Administrative)
        && !allowed
            .iter()
            .any(|a| a.group == ActionGroup::Cryptographic)
    {
        return "Admin only".to_owned();
    }
    if allowed.len() <= 3 {
        return allowed
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>()
            .join(", ");
    }
    format!("{} of {}", allowed.len(), total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::action;

    fn outcomes(set: &ActionSet, allow: &[&str], deny: &[&str]) -> Vec<ActionOutcome> {
        set.actions()
            .into_iter()
            .map(|a| ActionOutcome {
                action: a,
                decision: if allow.contains(&a.action) {
                    Decision::Allow
                } else if deny.contains(&a.action) {
                    Decision::ExplicitDeny
                } else {
                    Decision::ImplicitDeny
                },
                token_only: false,
                blocked: false,
            })
            .collect()
    }

    fn word(set: &ActionSet, allow: &[&str], deny: &[&str]) -> (CellKind, String) {
        let s = summarize(set, &outcomes(set, allow, deny), "Enabled");
        (s.kind, s.word)
    }

    #[test]
    fn the_sets_hold_key_actions_for_symmetric_keys_only() {
        let all = ActionSet::All.actions();
        assert!(all.iter().any(|a| a.action == "kms:Encrypt"));
        assert!(!all.iter().any(|a| a.action == "kms:CreateKey"), "IAM-only");
        assert!(
            !all.iter().any(|a| a.action == "kms:Sign"),
            "asymmetric only"
        );
        let crypto = ActionSet::Group(ActionGroup::Cryptographic).actions();
        assert!(crypto.iter().all(|a| a.group == ActionGroup::Cryptographic));
        for set in [ActionSet::All, ActionSet::Group(ActionGroup::Grants)] {
            assert_eq!(ActionSet::from_id(&set.id()), Some(set));
        }
        let encrypt = ActionSet::One(action("kms:Encrypt").unwrap());
        assert_eq!(ActionSet::from_id("kms:Encrypt"), Some(encrypt));
        assert_eq!(ActionSet::from_id("group:nonsense"), None);
    }

    #[test]
    fn everything_allowed_reads_as_the_sets_word() {
        let all: Vec<&str> = ActionSet::All.actions().iter().map(|a| a.action).collect();
        assert_eq!(
            word(&ActionSet::All, &all, &[]),
            (CellKind::Allow, "Full".into())
        );
        let crypto = ActionSet::Group(ActionGroup::Cryptographic);
        let names: Vec<&str> = crypto.actions().iter().map(|a| a.action).collect();
        assert_eq!(word(&crypto, &names, &[]), (CellKind::Allow, "Use".into()));
    }

    #[test]
    fn the_lectures_partial_access_reads_encrypt_only() {
        // Charlie's IAM policy allows kms:Encrypt on CMK-A (the lecture's scenario).
        assert_eq!(
            word(&ActionSet::All, &["kms:Encrypt"], &[]),
            (CellKind::Partial, "Encrypt only".into())
        );
    }

    #[test]
    fn the_console_key_user_and_administrator_statements_read_use_and_admin() {
        // KMS Developer Guide, key-policy-default.html: the key users' and administrators' actions.
        let user = [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncryptFrom",
            "kms:ReEncryptTo",
            "kms:GenerateDataKey",
            "kms:GenerateDataKeyWithoutPlaintext",
            "kms:GenerateDataKeyPair",
            "kms:GenerateDataKeyPairWithoutPlaintext",
            "kms:DescribeKey",
        ];
        assert_eq!(
            word(&ActionSet::All, &user, &[]),
            (CellKind::Partial, "Use only".into())
        );
        let admin: Vec<&str> = ActionSet::All
            .actions()
            .iter()
            .filter(|a| a.group != ActionGroup::Cryptographic)
            .map(|a| a.action)
            .collect();
        assert_eq!(
            word(&ActionSet::All, &admin, &[]),
            (CellKind::Partial, "Admin only".into())
        );
        // Words over counts: a few actions by name, a count only for a long list.
        assert_eq!(
            word(&ActionSet::All, &["kms:Encrypt", "kms:Decrypt"], &[]).1,
            "Decrypt, Encrypt",
            "in the set's order"
        );
        assert_eq!(
            word(&ActionSet::All, &user[..5], &[]).1,
            format!("5 of {}", ActionSet::All.actions().len())
        );
        // Demo 2's columns (the lecture's console demonstration): key users and key
        // administrators read differently.
        let demo2 = ActionSet::listed([
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:CreateGrant",
            "kms:PutKeyPolicy",
            "kms:ScheduleKeyDeletion",
        ])
        .unwrap();
        assert_eq!(
            word(&demo2, &["kms:Encrypt", "kms:Decrypt"], &[]).1,
            "Use only"
        );
        assert_eq!(
            word(
                &demo2,
                &[
                    "kms:CreateGrant",
                    "kms:PutKeyPolicy",
                    "kms:ScheduleKeyDeletion"
                ],
                &[]
            )
            .1,
            "Admin only"
        );
    }

    #[test]
    fn denials_tell_explicit_from_implicit() {
        // IAM User Guide, reference_policies_evaluation-logic.html: an explicit deny vs. no allow.
        assert_eq!(
            word(&ActionSet::All, &[], &["kms:Encrypt"]),
            (CellKind::ExplicitDeny, "Deny".into())
        );
        assert_eq!(
            word(&ActionSet::All, &[], &[]),
            (CellKind::ImplicitDeny, "None".into())
        );
        let mixed = summarize(
            &ActionSet::All,
            &outcomes(
                &ActionSet::All,
                &["kms:Encrypt", "kms:Decrypt"],
                &["kms:Sign", "kms:ReEncryptFrom"],
            ),
            "Enabled",
        );
        assert_eq!(mixed.kind, CellKind::Partial);
        assert_eq!(mixed.note().as_deref(), Some("1 denied"));
    }

    #[test]
    fn a_listed_set_reads_allow_when_all_of_it_is_allowed() {
        let set = ActionSet::listed(["kms:Encrypt", "kms:Decrypt", "kms:Nonsense"]).unwrap();
        assert_eq!(set.actions().len(), 2);
        assert_eq!(ActionSet::from_id(&set.id()), Some(set.clone()));
        assert_eq!(
            word(&set, &["kms:Encrypt", "kms:Decrypt"], &[]),
            (CellKind::Allow, "Allow".into())
        );
        assert_eq!(
            word(&set, &["kms:Encrypt"], &[]),
            (CellKind::Partial, "Encrypt only".into())
        );
        assert_eq!(
            ActionSet::listed(["kms:Encrypt"]),
            Some(ActionSet::One(action("kms:Encrypt").unwrap()))
        );
    }

    #[test]
    fn a_grant_usable_only_with_its_token_reads_pending() {
        // KMS Developer Guide, grants.html#grant_token: eventual consistency and grant tokens.
        let set = ActionSet::One(action("kms:Encrypt").unwrap());
        let mut o = outcomes(&set, &[], &[]);
        o[0].token_only = true;
        let s = summarize(&set, &o, "Enabled");
        assert_eq!((s.kind, s.word.as_str()), (CellKind::Pending, "Pending"));
        assert!(s.sentence().contains("grant token"));
    }

    #[test]
    fn a_disabled_key_blocks_what_policies_allow() {
        // KMS Developer Guide, key-state.html: a disabled key refuses cryptographic operations.
        let set = ActionSet::Group(ActionGroup::Cryptographic);
        let mut o = outcomes(&set, &["kms:Encrypt"], &[]);
        o.iter_mut().for_each(|o| o.blocked = true);
        let s = summarize(&set, &o, "Disabled");
        assert_eq!((s.kind, s.word.as_str()), (CellKind::Blocked, "Disabled"));
        let s = summarize(&set, &outcomes(&set, &[], &[]), "PendingDeletion");
        assert_eq!(s.kind, CellKind::ImplicitDeny);
        // Administrative actions still work on a disabled key; only the blocked ones are counted.
        let mut o = outcomes(&ActionSet::All, &["kms:Encrypt", "kms:EnableKey"], &[]);
        o.iter_mut()
            .filter(|o| o.action.action == "kms:Encrypt")
            .for_each(|o| o.blocked = true);
        let s = summarize(&ActionSet::All, &o, "Disabled");
        assert_eq!(
            (s.kind, s.word.as_str()),
            (CellKind::Partial, "EnableKey only")
        );
        assert_eq!(s.note().as_deref(), Some("1 blocked"));
    }
}
