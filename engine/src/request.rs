//! What a policy is evaluated against: who asks, for what action, on which resource, with which
//! condition keys.
//!
//! The authorizer ([`crate::authz`]) builds one [`Request`] per decision; policy evaluation
//! ([`crate::policy::eval`]) only reads it.

use serde::Serialize;
use std::sync::Arc;

mod principal;

pub use principal::{InvalidPrincipalArn, PrincipalArn, PrincipalId, is_iam_path};

/// The kind of identity making a request.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
pub enum PrincipalType {
    /// The account's root user (`arn:aws:iam::ACCOUNT:root`).
    AccountRoot,
    /// An IAM user (`arn:aws:iam::ACCOUNT:user/NAME`).
    User,
    /// An IAM role acting directly; the playground treats it as a session of that role.
    Role,
    /// An assumed-role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    AssumedRole,
    /// An AWS service principal (`ec2.amazonaws.com`).
    Service,
    /// A federated user (`arn:aws:sts::ACCOUNT:federated-user/NAME`).
    FederatedUser,
}

impl PrincipalType {
    /// The value of `aws:PrincipalType` for this kind (IAM User Guide,
    /// reference_policies_variables.html, "Principal key values").
    pub fn aws_principal_type(self) -> &'static str {
        match self {
            PrincipalType::AccountRoot => "Account",
            PrincipalType::User => "User",
            PrincipalType::Role | PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::Service => "AWSService",
            PrincipalType::FederatedUser => "FederatedUser",
        }
    }
}

/// The caller, as policy evaluation sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestPrincipal {
    /// The caller's ARN, or for a service its service name.
    pub id: PrincipalId,
    /// The caller's account id (12 digits); empty for a service.
    pub account: String,
    /// What kind of identity the caller is.
    pub kind: PrincipalType,
    /// For an assumed-role session (or a role acting directly), the role's ARN: a policy that names
    /// the role matches its sessions (IAM User Guide, reference_policies_elements_principal.html).
    pub role_arn: Option<PrincipalArn>,
}

impl RequestPrincipal {
    /// The account principal `arn:aws:iam::ACCOUNT:root` of the caller's account.
    pub fn account_root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account)
    }
}

/// A condition key's value in a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ContextValue {
    /// A single-valued key such as `aws:PrincipalArn` or `kms:EncryptionContext:dept`.
    Single(String),
    /// A multivalued key such as `kms:EncryptionContextKeys` or `kms:GrantOperations`.
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values as a slice-like iterator (one element for a single value).
    pub fn values(&self) -> impl Iterator<Item = &str> {
        let (single, multi): (Option<&str>, &[String]) = match self {
            ContextValue::Single(v) => (Some(v.as_str()), &[]),
            ContextValue::Multi(vs) => (None, vs.as_slice()),
        };
        single.into_iter().chain(multi.iter().map(String::as_str))
    }
}

/// The condition keys a request carries. Key names are case-insensitive (IAM User Guide,
/// reference_policies_elements_condition.html); values keep their case.
///
/// A context may share layers with other contexts: the keys of a caller (built once per caller)
/// and of a key (once per key) serve every request that caller makes on that key, so building a
/// request's context copies neither. A context's own entries come first, then each shared layer
/// in order; the first that has a key gives its value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    entries: Vec<(String, ContextValue)>,
    shared: Vec<Arc<Context>>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// A context whose keys are those of `layers` (the first that has a key gives its value), with
    /// no entries of its own yet.
    pub fn layered(layers: impl IntoIterator<Item = Arc<Context>>) -> Context {
        Context {
            entries: Vec::new(),
            shared: layers.into_iter().collect(),
        }
    }

    /// Whether the context has no key at all, in itself or in a shared layer.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.shared.iter().all(|layer| layer.is_empty())
    }

    /// Sets `key` (replacing any value under the same key in any case).
    pub fn insert(&mut self, key: impl Into<String>, value: ContextValue) {
        let key = key.into();
        match self
            .entries
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Sets a single-valued key.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.insert(key, ContextValue::Single(value.into()));
    }

    /// Removes `key` if present.
    pub fn remove(&mut self, key: &str) {
        if self.shared.iter().any(|layer| layer.get(key).is_some()) {
            // A shared layer cannot change: this context takes its own copy of every key.
            *self = self.flattened();
        }
        self.entries.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    }

    /// The same keys, all as this context's own entries.
    fn flattened(&self) -> Context {
        Context {
            entries: self
                .iter()
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect(),
            shared: Vec::new(),
        }
    }

    /// The value of `key`, looked up case-insensitively.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        // Lengths first: most keys differ in length, and that test is cheaper than the call.
        self.entries
            .iter()
            .find(|(k, _)| k.len() == key.len() && k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
            .or_else(|| self.shared.iter().find_map(|layer| layer.get(key)))
    }

    /// Every key once, with the value [`Context::get`] gives: the shared layers' keys, the last
    /// layer first, then the context's own entries in insertion order (so a caller's keys come
    /// before a key's, and the request's own keys last).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        let shadowed = move |i: usize, key: &str| {
            self.entries
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case(key))
                || self
                    .shared
                    .get(..i)
                    .unwrap_or_default()
                    .iter()
                    .any(|earlier| earlier.get(key).is_some())
        };
        let shared = self
            .shared
            .iter()
            .enumerate()
            .rev()
            .flat_map(move |(i, layer)| layer.iter().filter(move |(key, _)| !shadowed(i, key)));
        let own = self.entries.iter().map(|(k, v)| (k.as_str(), v));
        Box::new(shared.chain(own)) as Box<dyn Iterator<Item = (&str, &ContextValue)> + '_>
    }
}

impl Serialize for Context {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let entries: Vec<(&str, &ContextValue)> = self.iter().collect();
        let mut out = serializer.serialize_struct("Context", 1)?;
        out.serialize_field("entries", &entries)?;
        out.end()
    }
}

/// One request to evaluate a policy against.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Who is asking.
    pub principal: &'a RequestPrincipal,
    /// The action, such as `kms:Encrypt`.
    pub action: &'a str,
    /// The resource ARN, such as a key ARN.
    pub resource: &'a str,
    /// Condition keys, including `aws:username` and the other keys policy variables read.
    pub context: &'a Context,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keys_are_case_insensitive_and_values_are_not() {
        let mut context = Context::new();
        context.set("kms:EncryptionContext:Dept", "Eng");
        assert_eq!(
            context.get("KMS:encryptioncontext:dept"),
            Some(&ContextValue::Single("Eng".into()))
        );
        context.set("kms:encryptioncontext:DEPT", "ops");
        assert_eq!(context.iter().count(), 1);
        assert_eq!(
            context
                .get("kms:EncryptionContext:Dept")
                .map(|v| v.values().collect::<Vec<_>>()),
            Some(vec!["ops"])
        );
    }
}
