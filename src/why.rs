//! The why panel's choices, natively tested: which action it explains for a cell, how the verdict
//! reads, and the whole trace as text or Markdown for copying. The engine makes every decision and
//! writes every step; this module only picks among them and lays them out.

use crate::model::Playground;
use crate::panels::fields::{PairRow, items, pairs_map};
use kms_engine::authz::{Explanation, Reason, RequestParams};
use kms_engine::catalog::Action;
use kms_engine::matrix::Cell;
use kms_engine::policy::eval::Decision;
use kms_engine::request::ContextValue;
use kms_engine::store::grants::GrantConstraints;
use serde::{Deserialize, Serialize};

/// The inputs of the request the why panel decides, beyond principal, key and action: what a
/// decision depends on and the matrix leaves out (it decides the bare request). All empty is the
/// matrix's own request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestInputs {
    /// The encryption context (`kms:EncryptionContext:*`; grant constraints check it too).
    pub encryption_context: Vec<(String, String)>,
    /// Grant tokens passed with the request, separated by spaces, commas or new lines.
    pub grant_tokens: String,
    /// `kms:ViaService`: the AWS service the request came through.
    pub via_service: String,
    /// `aws:SourceIp`.
    pub source_ip: String,
    /// `aws:CurrentTime` as the conditions see it (ISO 8601); empty for the simulated clock.
    pub current_time: String,
    /// `aws:PrincipalTag/*` values that replace the principal's own tags.
    pub principal_tags: Vec<(String, String)>,
    /// For CreateGrant: the operations of the grant the request creates (`kms:GrantOperations`).
    /// A grant that gives the caller CreateGrant allows the request only when the new grant is
    /// within it (KMS Developer Guide, create-grant-overview.html, "Granting CreateGrant
    /// permission"). Empty: the request names no grant, as the matrix asks. Written as the
    /// API's operation names, and left out of a link when empty, so older links read the same.
    #[serde(skip_serializing_if = "Vec::is_empty", with = "operation_names")]
    pub grant_operations: Vec<Action>,
    /// For CreateGrant: the constraints of the grant the request creates (its encryption
    /// context is what `kms:EncryptionContext:*` tests for CreateGrant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_constraints: Option<Box<GrantConstraints>>,
    /// For CreateGrant: its `GranteePrincipal` as written (`kms:GranteePrincipal`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub grantee_principal: String,
    /// For CreateGrant: its `RetiringPrincipal` as written (`kms:RetiringPrincipal`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub retiring_principal: String,
}

/// [`RequestInputs::grant_operations`] as the API's `GrantOperation` names (`Decrypt`), read
/// back with the engine's parser: a name that is no grant operation makes the whole request
/// unreadable (a share link then opens without it).
mod operation_names {
    use kms_engine::catalog::Action;
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(operations: &[Action], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(operations.iter().filter_map(|a| a.grant_operation_name()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Action>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|name| {
                kms_engine::store::grants::parse_operation(name)
                    .ok_or_else(|| D::Error::custom(format!("{name} is no grant operation")))
            })
            .collect()
    }
}

/// One field of [`RequestInputs`] the user edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestEdit {
    /// The encryption context rows.
    EncryptionContext(Vec<PairRow>),
    /// The grant tokens text.
    GrantTokens(String),
    /// `kms:ViaService`.
    ViaService(String),
    /// `aws:SourceIp`.
    SourceIp(String),
    /// `aws:CurrentTime`.
    CurrentTime(String),
    /// The principal tag rows.
    PrincipalTags(Vec<PairRow>),
    /// Back to the bare request.
    Reset,
}

fn pairs_of(rows: &[PairRow]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| (r.key.clone(), r.value.clone()))
        .collect()
}

/// Rows to edit for stored pairs.
pub fn rows_of(pairs: &[(String, String)]) -> Vec<PairRow> {
    pairs
        .iter()
        .map(|(key, value)| PairRow {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

impl RequestInputs {
    /// Applies one edit.
    pub fn apply(&mut self, edit: RequestEdit) {
        match edit {
            RequestEdit::EncryptionContext(rows) => self.encryption_context = pairs_of(&rows),
            RequestEdit::GrantTokens(text) => self.grant_tokens = text,
            RequestEdit::ViaService(text) => self.via_service = text,
            RequestEdit::SourceIp(text) => self.source_ip = text,
            RequestEdit::CurrentTime(text) => self.current_time = text,
            RequestEdit::PrincipalTags(rows) => self.principal_tags = pairs_of(&rows),
            RequestEdit::Reset => *self = RequestInputs::default(),
        }
    }

    /// The request a CreateGrant call sent, as the why panel decides it: the new grant's
    /// operations, constraints, grantee and retiring principal, and the grant tokens passed
    /// with it. `operations` are the
    /// API's names; one that is no grant operation is left out (KMS refuses such a request
    /// before it decides access, so no access denial names it).
    pub fn of_create_grant(request: &kms_engine::kms::CreateGrantRequest) -> RequestInputs {
        RequestInputs {
            grant_operations: request
                .operations
                .iter()
                .filter_map(|name| kms_engine::store::grants::parse_operation(name))
                .collect(),
            grant_constraints: request
                .constraints
                .clone()
                .filter(|c| !c.is_empty())
                .map(Box::new),
            grant_tokens: request.grant_tokens.join(" "),
            grantee_principal: request.grantee_principal.clone(),
            retiring_principal: request.retiring_principal.clone().unwrap_or_default(),
            ..RequestInputs::default()
        }
    }

    /// The request a refused `aws kms` call sent (`denied_request`, the JSON the KMS API
    /// receives), as the why panel decides it: a CreateGrant's grant, and for any call its
    /// `EncryptionContext` and `GrantTokens`. Members it cannot read are left out.
    pub fn of_sent(
        action: Action,
        sent: &serde_json::Map<String, serde_json::Value>,
    ) -> RequestInputs {
        let object = serde_json::Value::Object(sent.clone());
        if action == Action::CreateGrant {
            if let Ok(request) =
                serde_json::from_value::<kms_engine::kms::CreateGrantRequest>(object.clone())
            {
                return RequestInputs::of_create_grant(&request);
            }
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Common {
            #[serde(default)]
            encryption_context: Option<std::collections::BTreeMap<String, String>>,
            #[serde(default)]
            grant_tokens: Vec<String>,
        }
        let Ok(common) = serde_json::from_value::<Common>(object) else {
            return RequestInputs::default();
        };
        RequestInputs {
            encryption_context: common
                .encryption_context
                .unwrap_or_default()
                .into_iter()
                .collect(),
            grant_tokens: common.grant_tokens.join(" "),
            ..RequestInputs::default()
        }
    }

    /// Why the request cannot be pinned as a scenario's `expect` entry, if it cannot: an entry
    /// writes condition keys and grant tokens, not the grant a CreateGrant creates, so it would
    /// check a different question (CreateGrant at all) than the one the why panel answers.
    pub fn expectation_problem(&self) -> Option<&'static str> {
        (!self.grant_operations.is_empty() || self.grant_constraints.is_some()).then_some(
            "A scenario's expect entry cannot write the grant a CreateGrant request creates (its operations and constraints), so this decision is not pinned. Go back to the bare request to pin whether the caller may call CreateGrant at all.",
        )
    }

    /// The CreateGrant parts of the request in words, for the request form: a label, an element
    /// id and the text for each part that is set (the new grant's operations and constraints, its
    /// grantee and retiring principal).
    pub fn grant_rows(&self) -> Vec<(&'static str, &'static str, String)> {
        let mut rows = Vec::new();
        if !self.grant_operations.is_empty() {
            let operations = self
                .grant_operations
                .iter()
                .filter_map(|a| a.grant_operation_name())
                .collect::<Vec<_>>()
                .join(", ");
            rows.push(("New grant's operations", "why-grant-operations", operations));
        }
        let pairs = |map: &std::collections::BTreeMap<String, String>| {
            map.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(c) = &self.grant_constraints {
            let mut parts = Vec::new();
            if let Some(map) = &c.encryption_context_equals {
                parts.push(format!("EncryptionContextEquals {{{}}}", pairs(map)));
            }
            if let Some(map) = &c.encryption_context_subset {
                parts.push(format!("EncryptionContextSubset {{{}}}", pairs(map)));
            }
            rows.push((
                "New grant's constraints",
                "why-grant-constraints",
                parts.join("; "),
            ));
        }
        for (label, id, text) in [
            (
                "kms:GranteePrincipal",
                "why-grantee",
                &self.grantee_principal,
            ),
            (
                "kms:RetiringPrincipal",
                "why-retiring",
                &self.retiring_principal,
            ),
        ] {
            if !text.trim().is_empty() {
                rows.push((label, id, text.trim().to_owned()));
            }
        }
        rows
    }

    /// Whether this is the matrix's own request (nothing set).
    pub fn is_bare(&self) -> bool {
        self.params().is_ok_and(|p| p == RequestParams::default())
    }

    /// The request as a scenario file's `expect` entry writes it: condition keys
    /// (`kms:EncryptionContext:K`, `kms:ViaService`, ...) and grant tokens.
    pub fn as_expectation(&self) -> (Vec<(String, ContextValue)>, Vec<String>) {
        let mut context = Vec::new();
        let mut add = |key: String, value: &str| {
            if !value.trim().is_empty() || key.starts_with("kms:EncryptionContext:") {
                context.push((key, ContextValue::Single(value.trim().to_owned())));
            }
        };
        for (key, value) in &self.encryption_context {
            if !key.is_empty() {
                add(format!("kms:EncryptionContext:{key}"), value);
            }
        }
        add("kms:ViaService".to_owned(), &self.via_service);
        add("aws:SourceIp".to_owned(), &self.source_ip);
        add("aws:CurrentTime".to_owned(), &self.current_time);
        add("kms:GranteePrincipal".to_owned(), &self.grantee_principal);
        add("kms:RetiringPrincipal".to_owned(), &self.retiring_principal);
        for (key, value) in &self.principal_tags {
            if !key.is_empty() {
                add(format!("aws:PrincipalTag/{key}"), value);
            }
        }
        (context, items(&self.grant_tokens))
    }

    /// The request parameters for the engine, or what is wrong with the inputs, in words. The
    /// values go to the engine as typed: it compares them as its condition operators do.
    pub fn params(&self) -> Result<RequestParams, String> {
        let mut params = RequestParams::default();
        let context = pairs_map(&rows_of(&self.encryption_context))
            .map_err(|e| format!("Encryption context: {e}"))?;
        if !context.is_empty() {
            params.encryption_context = Some(context);
        }
        params.grant_tokens = items(&self.grant_tokens);
        let via = self.via_service.trim();
        if !via.is_empty() {
            params.via_service = Some(via.to_owned());
        }
        for (key, value) in [
            ("aws:SourceIp", self.source_ip.trim()),
            ("aws:CurrentTime", self.current_time.trim()),
        ] {
            if !value.is_empty() {
                params.context.set(key, value);
            }
        }
        let tags = pairs_map(&rows_of(&self.principal_tags))
            .map_err(|e| format!("Principal tags: {e}"))?;
        for (key, value) in tags {
            params.context.set(format!("aws:PrincipalTag/{key}"), value);
        }
        // The grant a CreateGrant request creates, as the operation passes it to the authorizer
        // (`World::create_grant`): its operations, grantee, retiring principal, constraints,
        // and, for the conditions, the constraints' pairs as the request's encryption context
        // and their type.
        if !self.grant_operations.is_empty() {
            params.grant_operations = Some(self.grant_operations.clone());
        }
        for (value, param) in [
            (&self.grantee_principal, &mut params.grantee_principal),
            (&self.retiring_principal, &mut params.retiring_principal),
        ] {
            if !value.trim().is_empty() {
                *param = Some(value.trim().to_owned());
            }
        }
        if let Some(constraints) = self.grant_constraints.as_ref().filter(|c| !c.is_empty()) {
            if params.encryption_context.is_some() {
                return Err("Encryption context: a CreateGrant request's encryption context is its grant constraints' pairs; leave the encryption context empty".to_owned());
            }
            params.encryption_context = Some(constraints.condition_pairs());
            params.grant_constraint_type =
                constraints.types().first().map(|t| t.as_str().to_owned());
            params.grant_constraints = Some(GrantConstraints::clone(constraints));
        }
        Ok(params)
    }
}

/// Which of the matrix's actions (an index into its action list) the why panel explains for the
/// cell at `row`, `column`: `chosen` when the user picked one; else the action that raises the
/// cell's question. An explicit deny first, then a grant usable only with its token; in a cell
/// that allows some actions and not others ("Encrypt only"), the first one denied, since that is
/// what the cell's word leaves open; otherwise the first action. Cryptographic actions come first:
/// "may Bob encrypt?" is asked before "may Bob cancel a key deletion?".
pub fn explained_action(
    model: &Playground,
    row: usize,
    column: usize,
    chosen: Option<Action>,
) -> usize {
    let matrix = model.matrix();
    let actions = matrix.actions();
    if let Some(i) = chosen.and_then(|a| actions.iter().position(|&x| x == a)) {
        return i;
    }
    // Only the actions the key's spec supports: the others are not a question of policy.
    let spec = model
        .columns()
        .get(column)
        .map_or(kms_engine::catalog::KeySpec::SymmetricDefault, |c| c.spec);
    let mut order: Vec<usize> = (0..actions.len())
        .filter(|&i| actions.get(i).is_some_and(|a| spec.row().supports(*a)))
        .collect();
    kms_engine::sort::sort_by_key(&mut order, |&i| {
        actions.get(i).is_none_or(|a| !a.is_cryptographic())
    });
    let first = |wanted: &dyn Fn(&Cell) -> bool| {
        order
            .iter()
            .copied()
            .find(|&i| matrix.cell(row, column, i).is_some_and(|c| wanted(&c)))
    };
    let some_allowed = first(&|c| c.verdict.is_allowed()).is_some();
    first(&|c| c.verdict.decision == Decision::ExplicitDeny)
        .or_else(|| first(&|c| matches!(c.verdict.reason, Reason::GrantPendingTokenOnly { .. })))
        .or_else(|| {
            some_allowed
                .then(|| first(&|c| !c.verdict.is_allowed()))
                .flatten()
        })
        .or_else(|| order.first().copied())
        .unwrap_or(0)
}

/// The why panel's explanation of the cell at `row`, `column` for the matrix's action `action`:
/// decided for `inputs` when they set anything and read, else the matrix's bare request.
pub fn explain_cell(
    model: &Playground,
    row: usize,
    column: usize,
    action: usize,
    inputs: &RequestInputs,
) -> Option<Explanation> {
    match inputs.params() {
        Ok(params) if params != RequestParams::default() => {
            model.explain_request(row, column, action, &params)
        }
        _ => model.explain(row, column, action),
    }
}

/// For an action the key's spec does not support (Encrypt with an HMAC key), KMS's refusal as
/// the AWS CLI prints it: `InvalidKeyUsageException` whatever the policies say (its message from
/// the key-spec table, [`kms_engine::store::check_key_usage`]); `None` for an action the key
/// supports.
pub fn key_usage_line(model: &Playground, column: usize, action: Action) -> Option<String> {
    let head = model.columns().get(column)?;
    let error = kms_engine::store::check_key_usage(head.spec, action, &head.arn).err()?;
    Some(format!(
        "An error occurred ({}) when calling the {} operation: {}",
        error.exception_name(),
        action.operation(),
        error.message()
    ))
}

/// A decision in words, as the expectations list and its notices say it.
pub fn decision_words(decision: Decision) -> &'static str {
    match decision {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny => "explicit Deny",
        Decision::ImplicitDeny => "implicit deny",
    }
}

/// How a verdict looks: a class for its colour and icon, and its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictLook {
    /// Allowed.
    Allow,
    /// Allowed by the policies, refused by the key's state.
    Blocked,
    /// Denied by an explicit Deny.
    Deny,
    /// Denied for now: only a grant token would make the grant count.
    Pending,
    /// Denied because nothing allows it.
    None,
}

impl VerdictLook {
    /// The stylesheet class of the verdict.
    pub fn class(self) -> &'static str {
        match self {
            VerdictLook::Allow => "allow",
            VerdictLook::Blocked => "blocked",
            VerdictLook::Deny => "deny",
            VerdictLook::Pending => "pending",
            VerdictLook::None => "none",
        }
    }
}

/// The verdict of `explanation` and its words ("ALLOWED", "DENIED, explicitly", ...).
pub fn verdict(explanation: &Explanation) -> (VerdictLook, String) {
    match (explanation.verdict.decision, explanation.verdict.reason) {
        (Decision::Allow, _) => match &explanation.key_state {
            Some(check) if check.exception.is_some() => (
                VerdictLook::Blocked,
                format!("ALLOWED by policy, but the key is {}", check.state),
            ),
            _ => (VerdictLook::Allow, "ALLOWED".to_owned()),
        },
        (Decision::ExplicitDeny, _) => (VerdictLook::Deny, "DENIED, explicitly".to_owned()),
        (Decision::ImplicitDeny, Reason::GrantPendingTokenOnly { .. }) => (
            VerdictLook::Pending,
            "DENIED for now: a grant allows it only with its grant token".to_owned(),
        ),
        (Decision::ImplicitDeny, _) => (
            VerdictLook::None,
            "DENIED, implicitly (nothing allows it)".to_owned(),
        ),
    }
}

/// The `AccessDeniedException` line the AWS CLI would print for `explanation`, if it denies.
pub fn access_denied_line(explanation: &Explanation) -> Option<String> {
    explanation.access_denied_message.as_ref().map(|message| {
        format!(
            "An error occurred (AccessDeniedException) when calling the {} operation: {message}",
            explanation.action.operation()
        )
    })
}

/// The key-state error line the AWS CLI would print, when the key's state refuses the request.
pub fn key_state_line(explanation: &Explanation) -> Option<String> {
    let check = explanation.key_state.as_ref()?;
    let (exception, message) = (check.exception?, check.message.as_ref()?);
    Some(format!(
        "An error occurred ({exception}) when calling the {} operation: {message}",
        explanation.action.operation()
    ))
}

/// The whole explanation of `principal` × `key` as plain text, or as Markdown (a heading, a
/// numbered walk, the error in a code block), for pasting into notes or an issue.
pub fn trace_text(explanation: &Explanation, principal: &str, key: &str, markdown: bool) -> String {
    let action = explanation.action.name();
    let (_, verdict_words) = verdict(explanation);
    let strong = |text: &str| {
        if markdown {
            format!("**{text}**")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    if markdown {
        out.push_str(&format!("### Why: {principal} × {key}, `{action}`\n\n"));
    } else {
        out.push_str(&format!("Why: {principal} × {key}, {action}\n\n"));
    }
    out.push_str(&format!(
        "{}\n\n{}\n\n",
        strong(&verdict_words),
        explanation.summary
    ));
    for (n, step) in explanation.steps.iter().enumerate() {
        out.push_str(&format!(
            "{}. {} {} — {}\n",
            n + 1,
            strong(&step.question),
            step.result.answer(),
            step.text
        ));
        for statement in &step.statements {
            out.push_str(&format!("   - {}\n", statement.label()));
        }
    }
    if let Some(grant) = &explanation.grant {
        out.push_str(&format!("\nGrant {grant} allows it.\n"));
    }
    for line in [access_denied_line(explanation), key_state_line(explanation)]
        .into_iter()
        .flatten()
    {
        if markdown {
            out.push_str(&format!("\nAWS would print:\n\n```\n{line}\n```\n"));
        } else {
            out.push_str(&format!("\nAWS would print:\n{line}\n"));
        }
    }
    for note in &explanation.notes {
        out.push_str(&format!("\n{} {}\n", strong("Real KMS:"), note.text()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;
    use kms_engine::entropy::Timestamp;
    use kms_engine::view::ActionSet;

    const NOW: Timestamp = Timestamp(1_767_225_600_000);

    fn lecture() -> Playground {
        presets::lecture(NOW)
    }

    fn position(model: &Playground, name: &str) -> usize {
        model.rows().iter().position(|r| r.name == name).unwrap()
    }

    fn explained(model: &Playground, who: &str, column: usize) -> Action {
        let row = position(model, who);
        let i = explained_action(model, row, column, None);
        model.matrix().actions()[i]
    }

    #[test]
    fn a_partial_cell_explains_the_action_it_denies() {
        // The lecture: Charlie may encrypt with CMK-A but not decrypt ("Encrypt only").
        let model = lecture();
        assert_eq!(explained(&model, "Charlie", 0), Action::Decrypt);
    }

    #[test]
    fn an_explicit_deny_is_explained_first_and_a_full_cell_opens_on_its_first_action() {
        let model = lecture();
        // Bob × CMK-C: an explicit Deny.
        let row = position(&model, "Bob");
        let i = explained_action(&model, row, 2, None);
        let cell = model.matrix().cell(row, 2, i).unwrap();
        assert_eq!(cell.verdict.decision, Decision::ExplicitDeny);
        // Alice × CMK-A: everything allowed, so the first (cryptographic) action.
        assert_eq!(explained(&model, "Alice", 0), Action::Encrypt);
    }

    #[test]
    fn the_chosen_action_wins_and_admin_actions_come_after_cryptographic_ones() {
        let mut model = lecture();
        model.set_action_set(ActionSet::All);
        let row = position(&model, "Alice");
        let i = explained_action(&model, row, 0, Some(Action::ScheduleKeyDeletion));
        assert_eq!(model.matrix().actions()[i], Action::ScheduleKeyDeletion);
        assert!(explained(&model, "David", 0).is_cryptographic());
    }

    #[test]
    fn request_inputs_become_the_engines_request_parameters() {
        let mut inputs = RequestInputs::default();
        assert!(inputs.is_bare());
        inputs.apply(RequestEdit::EncryptionContext(vec![PairRow {
            key: "dept".into(),
            value: "eng".into(),
        }]));
        inputs.apply(RequestEdit::GrantTokens("t1, t2".into()));
        inputs.apply(RequestEdit::SourceIp(" 203.0.113.7 ".into()));
        inputs.apply(RequestEdit::PrincipalTags(vec![PairRow {
            key: "team".into(),
            value: "blue".into(),
        }]));
        let params = inputs.params().unwrap();
        assert_eq!(
            params
                .encryption_context
                .unwrap()
                .get("dept")
                .map(String::as_str),
            Some("eng")
        );
        assert_eq!(params.grant_tokens, ["t1", "t2"]);
        assert!(params.context.get("aws:SourceIp").is_some());
        assert!(params.context.get("aws:PrincipalTag/team").is_some());
        inputs.apply(RequestEdit::EncryptionContext(vec![PairRow {
            key: String::new(),
            value: "x".into(),
        }]));
        assert!(
            inputs
                .params()
                .unwrap_err()
                .starts_with("Encryption context:")
        );
        inputs.apply(RequestEdit::Reset);
        assert!(inputs.is_bare());
    }

    /// For CreateGrant the request names the new grant, and `kms:EncryptionContext:*` tests its
    /// constraints' pairs (KMS Developer Guide, create-grant-overview.html and
    /// conditions-kms.html), as `World::create_grant` passes them to the authorizer.
    #[test]
    fn a_create_grant_request_passes_its_new_grant_as_the_operation_does() {
        let sent: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
            r#"{"KeyId": "k", "GranteePrincipal": "arn:aws:iam::111122223333:user/Bob",
                "Operations": ["Decrypt", "Encrypt"], "GrantTokens": ["t1"],
                "Constraints": {"EncryptionContextEquals": {"dept": "eng"}}}"#,
        )
        .unwrap();
        let mut inputs = RequestInputs::of_sent(Action::CreateGrant, &sent);
        assert_eq!(inputs.grant_operations, [Action::Decrypt, Action::Encrypt]);
        assert_eq!(inputs.grant_tokens, "t1");
        assert!(!inputs.is_bare());
        let params = inputs.params().unwrap();
        assert_eq!(
            params.grant_operations,
            Some(vec![Action::Decrypt, Action::Encrypt])
        );
        assert_eq!(
            params.grant_constraints,
            inputs.grant_constraints.as_deref().cloned()
        );
        assert_eq!(
            params.grant_constraint_type.as_deref(),
            Some("EncryptionContextEquals")
        );
        assert_eq!(
            params.encryption_context,
            Some([("dept".to_owned(), "eng".to_owned())].into())
        );
        assert_eq!(
            params.grantee_principal.as_deref(),
            Some("arn:aws:iam::111122223333:user/Bob")
        );
        assert_eq!(params.retiring_principal, None);
        let rows: Vec<String> = inputs
            .grant_rows()
            .into_iter()
            .map(|(label, _, text)| format!("{label}: {text}"))
            .collect();
        assert_eq!(
            rows,
            [
                "New grant's operations: Decrypt, Encrypt",
                "New grant's constraints: EncryptionContextEquals {dept=eng}",
                "kms:GranteePrincipal: arn:aws:iam::111122223333:user/Bob",
            ]
        );
        // An expect entry cannot write the new grant; it could write the grantee.
        assert!(
            inputs
                .as_expectation()
                .0
                .iter()
                .any(|(k, _)| k == "kms:GranteePrincipal")
        );
        assert!(inputs.expectation_problem().is_some());
        // The context of a CreateGrant is its constraints': a second one is refused in words.
        inputs.apply(RequestEdit::EncryptionContext(vec![PairRow {
            key: "dept".into(),
            value: "ops".into(),
        }]));
        assert!(
            inputs
                .params()
                .unwrap_err()
                .starts_with("Encryption context:")
        );
        inputs.apply(RequestEdit::Reset);
        assert!(inputs.is_bare() && inputs.grant_rows().is_empty());

        // Another call keeps its context and tokens; no grant.
        let sent: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
            r#"{"KeyId": "k", "Plaintext": "eA==", "EncryptionContext": {"a": "b"}}"#,
        )
        .unwrap();
        let inputs = RequestInputs::of_sent(Action::Encrypt, &sent);
        assert_eq!(
            inputs.encryption_context,
            [("a".to_owned(), "b".to_owned())]
        );
        assert!(inputs.grant_operations.is_empty() && inputs.expectation_problem().is_none());
    }

    #[test]
    fn a_trace_copies_as_text_and_as_markdown() {
        let model = lecture();
        let row = position(&model, "Bob");
        let i = explained_action(&model, row, 2, None);
        let explanation = model.explain(row, 2, i).unwrap();
        let markdown = trace_text(&explanation, "Bob", "CMK-C", true);
        assert!(markdown.starts_with("### Why: Bob × CMK-C"), "{markdown}");
        assert!(markdown.contains("**DENIED, explicitly**"));
        assert!(markdown.contains("```\nAn error occurred (AccessDeniedException)"));
        let text = trace_text(&explanation, "Bob", "CMK-C", false);
        assert!(!text.contains("**") && !text.contains("```"), "{text}");
        assert!(text.contains("1. Does an explicit Deny apply?"), "{text}");
    }
}
