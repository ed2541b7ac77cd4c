//! Who a principal is, by name: [`PrincipalArn`] for an IAM principal the world can hold, and
//! [`PrincipalId`] for any caller (an IAM principal or an AWS service principal, which has no
//! ARN).

use super::PrincipalType;
use serde::Serialize;
use std::fmt;

/// The ARN of an IAM principal the world can hold: an account's root user
/// (`arn:aws:iam::111122223333:root`), a user or role, possibly under an IAM path
/// (`arn:aws:iam::111122223333:user/engineering/Alice`), or an assumed-role session
/// (`arn:aws:sts::111122223333:assumed-role/Admin/session`). Made only by
/// [`PrincipalArn::parse`], so every value has one of these shapes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct PrincipalArn(#[serde(deserialize_with = "checked")] String);

/// Text that is not the ARN of an account root, IAM user, IAM role or assumed-role session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidPrincipalArn(pub String);

impl fmt::Display for InvalidPrincipalArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an ARN of an account root, IAM user, IAM role or assumed-role session",
            self.0
        )
    }
}

impl std::error::Error for InvalidPrincipalArn {}

/// Deserializes a principal ARN through [`PrincipalArn::parse`].
fn checked<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(deserializer)?;
    PrincipalArn::parse(&text)
        .map(PrincipalArn::into_string)
        .map_err(serde::de::Error::custom)
}

/// IAM names in an ARN: letters, digits and `+=,.@_-` (IAM User Guide, reference_iam-quotas.html,
/// "IAM name requirements").
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// Whether `path` is an IAM path: `/`, or `/` followed by segments each ending in `/`, of
/// printable ASCII other than space, at most 512 characters (IAM API Reference, CreateRole and
/// CreateUser, `Path`).
pub fn is_iam_path(path: &str) -> bool {
    path.len() <= 512
        && path.starts_with('/')
        && path.ends_with('/')
        && !path.contains("//")
        && path.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

impl PrincipalArn {
    /// `text` if it is the ARN of an account root, an IAM user or role (with or without an IAM
    /// path: IAM User Guide, reference_identifiers.html, "Friendly names and paths") or an
    /// assumed-role session, in the `aws` partition with a 12-digit account.
    pub fn parse(text: &str) -> Result<PrincipalArn, InvalidPrincipalArn> {
        match principal_type_of(text) {
            Some(_) => Ok(PrincipalArn(text.to_owned())),
            None => Err(InvalidPrincipalArn(text.to_owned())),
        }
    }

    /// The root user of `account` (`arn:aws:iam::ACCOUNT:root`), if `account` is 12 digits.
    pub fn account_root(account: &str) -> Result<PrincipalArn, InvalidPrincipalArn> {
        PrincipalArn::parse(&format!("arn:aws:iam::{account}:root"))
    }

    /// The ARN as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ARN as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The 12-digit account id in the ARN.
    pub fn account(&self) -> &str {
        self.0.split(':').nth(4).unwrap_or_default()
    }

    /// What kind of principal the ARN names: `AccountRoot`, `User`, `Role` or `AssumedRole`.
    pub fn principal_type(&self) -> PrincipalType {
        principal_type_of(&self.0).unwrap_or(PrincipalType::AccountRoot)
    }

    /// The role name of an assumed-role session's ARN (`Admin` in
    /// `arn:aws:sts::111122223333:assumed-role/Admin/session`).
    pub fn session_role(&self) -> Option<&str> {
        let resource = self.0.splitn(6, ':').nth(5)?;
        let (role, _session) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
        Some(role)
    }
}

/// The kind of principal `arn` names, if it is one [`PrincipalArn::parse`] accepts.
fn principal_type_of(arn: &str) -> Option<PrincipalType> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some("aws"), Some(service), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let named = |rest: &str| match rest.rsplit_once('/') {
        None => is_name(rest),
        Some((path, name)) => is_name(name) && is_iam_path(&format!("/{path}/")),
    };
    match (service, resource.split_once('/')) {
        ("iam", None) if resource == "root" => Some(PrincipalType::AccountRoot),
        ("iam", Some(("user", rest))) if named(rest) => Some(PrincipalType::User),
        ("iam", Some(("role", rest))) if named(rest) => Some(PrincipalType::Role),
        ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
            Some((role, session)) if is_name(role) && is_name(session) => {
                Some(PrincipalType::AssumedRole)
            }
            _ => None,
        },
        _ => None,
    }
}

impl fmt::Display for PrincipalArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PrincipalArn {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for PrincipalArn {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<String> for PrincipalArn {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl PartialEq<&str> for PrincipalArn {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Who a caller is by name: an IAM principal's ARN, or an AWS service principal's name (such as
/// `cloudtrail.amazonaws.com`), which is no ARN (IAM User Guide,
/// reference_policies_elements_principal.html, "AWS service principals").
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalId {
    /// An IAM principal.
    Arn(PrincipalArn),
    /// An AWS service principal.
    Service(String),
}

impl PrincipalId {
    /// The ARN or the service name, as text.
    pub fn as_str(&self) -> &str {
        match self {
            PrincipalId::Arn(arn) => arn.as_str(),
            PrincipalId::Service(name) => name,
        }
    }

    /// The ARN of an IAM principal; `None` for a service.
    pub fn arn(&self) -> Option<&PrincipalArn> {
        match self {
            PrincipalId::Arn(arn) => Some(arn),
            PrincipalId::Service(_) => None,
        }
    }
}

impl fmt::Display for PrincipalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for PrincipalId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<PrincipalArn> for PrincipalId {
    fn from(arn: PrincipalArn) -> PrincipalId {
        PrincipalId::Arn(arn)
    }
}

impl PartialEq<str> for PrincipalId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<PrincipalArn> for PrincipalId {
    fn eq(&self, other: &PrincipalArn) -> bool {
        self.arn() == Some(other)
    }
}

impl Serialize for PrincipalId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_arns_of_roots_users_roles_and_sessions_are_accepted() {
        for (text, kind) in [
            ("arn:aws:iam::123456789012:root", PrincipalType::AccountRoot),
            ("arn:aws:iam::123456789012:user/Alice", PrincipalType::User),
            (
                "arn:aws:iam::123456789012:user/engineering/team-a/Alice",
                PrincipalType::User,
            ),
            ("arn:aws:iam::123456789012:role/Admin", PrincipalType::Role),
            (
                "arn:aws:iam::123456789012:role/service-role/lambda-exec",
                PrincipalType::Role,
            ),
            (
                "arn:aws:sts::123456789012:assumed-role/Admin/session@example.com",
                PrincipalType::AssumedRole,
            ),
        ] {
            let arn = PrincipalArn::parse(text).unwrap();
            assert_eq!(arn.as_str(), text);
            assert_eq!(arn.to_string(), text);
            assert_eq!(arn.principal_type(), kind, "{text}");
            assert_eq!(arn.account(), "123456789012");
        }
    }

    #[test]
    fn principal_arn_refuses_what_is_no_iam_principal_and_says_what_it_wanted() {
        for text in [
            "",
            "kms.amazonaws.com",
            "123456789012",
            "arn:aws:iam::12345678901:root",
            "arn:aws:iam::1234567890123:root",
            "arn:aws:iam::12345678901a:root",
            "arn:aws-cn:iam::123456789012:root",
            "arn:aws:iam:us-east-1:123456789012:root",
            "arn:aws:iam::123456789012:group/Admins",
            "arn:aws:iam::123456789012:user/",
            "arn:aws:iam::123456789012:user/bad name",
            "arn:aws:iam::123456789012:user/a//Alice",
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:sts::123456789012:assumed-role/Admin",
            "arn:aws:sts::123456789012:federated-user/Bob",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ] {
            let error = PrincipalArn::parse(text).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!(
                    "`{text}` is not an ARN of an account root, IAM user, IAM role or \
                     assumed-role session"
                )
            );
        }
    }

    #[test]
    fn principal_arn_parts() {
        let role = PrincipalArn::parse("arn:aws:iam::111122223333:role/service-role/exec").unwrap();
        assert_eq!(role.account(), "111122223333");
        assert_eq!(role.session_role(), None);
        let session =
            PrincipalArn::parse("arn:aws:sts::444455556666:assumed-role/Admin/s1").unwrap();
        assert_eq!(session.account(), "444455556666");
        assert_eq!(session.session_role(), Some("Admin"));
        // An IAM path may hold a colon: the user stays a user.
        let user =
            PrincipalArn::parse("arn:aws:iam::111122223333:user/a:assumed-role/x/Bob").unwrap();
        assert_eq!(user.principal_type(), PrincipalType::User);
        assert_eq!(user.session_role(), None);
        assert_eq!(
            PrincipalArn::account_root("111122223333").unwrap().as_str(),
            "arn:aws:iam::111122223333:root"
        );
        assert!(PrincipalArn::account_root("1111").is_err());
    }

    #[test]
    fn principal_arns_serialize_as_plain_strings_and_deserialize_checked() {
        let arn = PrincipalArn::parse("arn:aws:iam::111122223333:user/Alice").unwrap();
        let json = serde_json::to_string(&arn).unwrap();
        assert_eq!(json, "\"arn:aws:iam::111122223333:user/Alice\"");
        assert_eq!(serde_json::from_str::<PrincipalArn>(&json).unwrap(), arn);
        assert!(serde_json::from_str::<PrincipalArn>("\"kms.amazonaws.com\"").is_err());
        let service = PrincipalId::Service("kms.amazonaws.com".to_owned());
        assert_eq!(
            serde_json::to_string(&service).unwrap(),
            "\"kms.amazonaws.com\""
        );
        assert_eq!(service.arn(), None);
        assert_eq!(PrincipalId::from(arn.clone()).arn(), Some(&arn));
    }
}
