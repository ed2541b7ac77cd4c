//! Condition operators: does one (operator, key, values) entry of a `Condition` block hold for a
//! request?
//!
//! Sources: IAM User Guide, reference_policies_elements_condition_operators.html (the operators,
//! missing keys, `...IfExists`, `Null`), reference_policies_multi-value-conditions.html and
//! reference_policies_condition-single-vs-multi-valued-context-keys.html (`ForAllValues:`,
//! `ForAnyValue:`), reference_policies_elements_condition.html (several values OR, key names
//! case-insensitive); shared/kms-semantics.md §9.3.
//!
//! The rules, in one place:
//! - Several values for one key are ORed; for a negated operator (`StringNotEquals`, `NotIpAddress`,
//!   ...) the request value must match none of them.
//! - A key missing from the request: a positive operator is false, a negated operator is true,
//!   `...IfExists` is true, `ForAllValues:` is true, `ForAnyValue:` is false. An empty multivalued
//!   key counts as missing.
//! - `ForAllValues:` holds when every request value satisfies the operator; `ForAnyValue:` when at
//!   least one does. Without a qualifier a multivalued key behaves like `ForAnyValue:` for a
//!   positive operator and like `ForAllValues:` for a negated one: the request matches when some
//!   value matches, and a negated operator fails as soon as any value matches.
//! - A value that cannot be read as the operator's type (a number that is not a number, a date
//!   that is not a date) matches nothing.
//!
//! [`condition_holds`] is the fast path (no allocation unless a value holds a policy variable, or
//! for `BinaryEquals`); [`explain_condition`] returns the same answer with the values compared and
//! the reason, for the trace. Both run [`verdict`], so they cannot disagree.

use crate::policy::document::{
    Condition, ConditionOperator, OperatorKind, PolicyVersion, SetQualifier,
};
use crate::policy::pattern::CaseMode;
use crate::policy::variables::{self, Resolved};
use crate::request::{ContextValue, PrincipalType, Request};
use base64::Engine as _;
use serde::Serialize;
use std::cmp::Ordering;
use std::net::IpAddr;

/// The value(s) a request carries for one condition key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestValues<'r> {
    /// A single-valued key.
    Single(&'r str),
    /// A multivalued key such as `kms:EncryptionContextKeys`.
    Multi(&'r [String]),
}

impl<'r> RequestValues<'r> {
    /// The value of a single-valued key (`None` for a multivalued one).
    pub fn single(self) -> Option<&'r str> {
        match self {
            RequestValues::Single(v) => Some(v),
            RequestValues::Multi(_) => None,
        }
    }

    /// How many values there are.
    pub fn len(self) -> usize {
        match self {
            RequestValues::Single(_) => 1,
            RequestValues::Multi(vs) => vs.len(),
        }
    }

    /// Whether there is no value (an empty multivalued key).
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The `i`-th value.
    pub fn get(self, i: usize) -> Option<&'r str> {
        match self {
            RequestValues::Single(v) => (i == 0).then_some(v),
            RequestValues::Multi(vs) => vs.get(i).map(String::as_str),
        }
    }
}

/// The value of condition key `key` in `request`, looked up case-insensitively.
///
/// The request's [`Context`](crate::request::Context) comes first. When it does not carry them,
/// the keys IAM always derives from the caller are derived from [`Request::principal`]
/// (IAM User Guide, reference_policies_condition-keys.html): `aws:PrincipalArn` (for a role
/// session, the role's ARN), `aws:PrincipalAccount`, `aws:PrincipalType`, `kms:CallerAccount`
/// (KMS Developer Guide, conditions-kms.html) and, for an IAM user, `aws:username`.
pub fn request_value<'r>(request: &Request<'r>, key: &str) -> Option<RequestValues<'r>> {
    if let Some(value) = request.context.get(key) {
        return Some(match value {
            ContextValue::Single(v) => RequestValues::Single(v.as_str()),
            ContextValue::Multi(vs) => RequestValues::Multi(vs.as_slice()),
        });
    }
    let principal = request.principal;
    let is_service = principal.kind == PrincipalType::Service;
    if key.eq_ignore_ascii_case("aws:PrincipalType") {
        return Some(RequestValues::Single(principal.kind.aws_principal_type()));
    }
    if key.eq_ignore_ascii_case("aws:PrincipalArn") && !is_service {
        let arn = match (principal.kind, &principal.role_arn) {
            (PrincipalType::AssumedRole | PrincipalType::Role, Some(role)) => role.as_str(),
            _ => principal.id.as_str(),
        };
        return Some(RequestValues::Single(arn));
    }
    if (key.eq_ignore_ascii_case("aws:PrincipalAccount")
        || key.eq_ignore_ascii_case("kms:CallerAccount"))
        && !principal.account.is_empty()
    {
        return Some(RequestValues::Single(principal.account.as_str()));
    }
    if key.eq_ignore_ascii_case("aws:username") && principal.kind == PrincipalType::User {
        // `arn:aws:iam::ACCOUNT:user/PATH/NAME`: the friendly name is the last path element.
        return principal
            .id
            .as_str()
            .rsplit_once('/')
            .map(|(_, name)| RequestValues::Single(name));
    }
    None
}

/// Why a condition held or not, as positions into the request and policy values.
///
/// This is what [`verdict`] computes; [`condition_holds`] keeps only `holds()`, and
/// [`explain_condition`] turns the positions into the values themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionOutcome {
    /// The key is missing from the request (or is an empty multivalued key).
    KeyAbsent {
        /// The condition's result.
        holds: bool,
    },
    /// A `Null` check.
    Null {
        /// Whether the key is present.
        present: bool,
        /// The condition's result.
        holds: bool,
    },
    /// Request value `request` matched policy value `policy`: a positive operator holds, a
    /// negated one fails.
    Pair {
        /// Index into the request values.
        request: usize,
        /// Index into the policy values.
        policy: usize,
        /// The condition's result.
        holds: bool,
    },
    /// No request value matched any policy value: a positive operator fails, a negated one holds.
    NoPair {
        /// The condition's result.
        holds: bool,
    },
    /// Request value `request` matched no policy value: `ForAllValues:` fails, and
    /// `ForAnyValue:` with a negated operator holds.
    Unmatched {
        /// Index into the request values.
        request: usize,
        /// The condition's result.
        holds: bool,
    },
    /// Every request value matched some policy value: `ForAllValues:` holds, and `ForAnyValue:`
    /// with a negated operator fails.
    AllMatched {
        /// The condition's result.
        holds: bool,
    },
}

impl ConditionOutcome {
    /// Whether the condition holds.
    pub fn holds(self) -> bool {
        match self {
            ConditionOutcome::KeyAbsent { holds }
            | ConditionOutcome::Null { holds, .. }
            | ConditionOutcome::Pair { holds, .. }
            | ConditionOutcome::NoPair { holds }
            | ConditionOutcome::Unmatched { holds, .. }
            | ConditionOutcome::AllMatched { holds } => holds,
        }
    }
}

/// Whether `condition` holds for `request` in a policy of `version`.
pub fn condition_holds(
    condition: &Condition,
    version: PolicyVersion,
    request: &Request<'_>,
) -> bool {
    verdict(condition, version, request).holds()
}

/// Evaluates `condition` and says why, as positions ([`ConditionOutcome`]).
pub fn verdict(
    condition: &Condition,
    version: PolicyVersion,
    request: &Request<'_>,
) -> ConditionOutcome {
    let operator = condition.operator;
    let values = request_value(request, &condition.key).filter(|v| !v.is_empty());
    if operator.kind == OperatorKind::Null {
        return null_verdict(condition, values.is_some());
    }
    let Some(values) = values else {
        return ConditionOutcome::KeyAbsent {
            holds: absent_key_holds(operator),
        };
    };
    let negated = operator.kind.is_negated();
    // The first policy value that the positive form of the operator matches against `value`.
    let first_match = |value: &str| {
        condition
            .values
            .iter()
            .position(|p| value_matches(operator.kind, &p.text, version, request, value))
    };
    let every_value_matches_some = || {
        (0..values.len()).find_map(|i| {
            let value = values.get(i)?;
            first_match(value).is_none().then_some(i)
        })
    };
    let some_pair = || {
        (0..values.len()).find_map(|i| {
            let value = values.get(i)?;
            first_match(value).map(|p| (i, p))
        })
    };
    match (operator.qualifier, negated) {
        // "Some value matches" (positive, with or without ForAnyValue) and "no value may match"
        // (negated, with or without ForAllValues) both look for one matching pair.
        (None | Some(SetQualifier::ForAnyValue), false)
        | (None | Some(SetQualifier::ForAllValues), true) => match some_pair() {
            Some((request, policy)) => ConditionOutcome::Pair {
                request,
                policy,
                holds: !negated,
            },
            None => ConditionOutcome::NoPair { holds: negated },
        },
        // ForAllValues with a positive operator: every request value must match some policy value.
        // ForAnyValue with a negated operator: some request value must match none.
        (Some(SetQualifier::ForAllValues), false) | (Some(SetQualifier::ForAnyValue), true) => {
            let for_all = !negated;
            match every_value_matches_some() {
                Some(request) => ConditionOutcome::Unmatched {
                    request,
                    holds: !for_all,
                },
                None => ConditionOutcome::AllMatched { holds: for_all },
            }
        }
    }
}

fn absent_key_holds(operator: ConditionOperator) -> bool {
    if operator.if_exists {
        return true;
    }
    match operator.qualifier {
        Some(SetQualifier::ForAllValues) => true,
        Some(SetQualifier::ForAnyValue) => false,
        None => operator.kind.is_negated(),
    }
}

/// `Null`: `true` means "the key is absent", `false` "the key is present"; several values OR.
fn null_verdict(condition: &Condition, present: bool) -> ConditionOutcome {
    let holds = condition.values.iter().any(|v| match parse_bool(&v.text) {
        Some(expect_absent) => expect_absent != present,
        None => false,
    });
    ConditionOutcome::Null { present, holds }
}

/// Whether the positive form of `kind` matches request `value` against policy value `written`.
fn value_matches(
    kind: OperatorKind,
    written: &str,
    version: PolicyVersion,
    request: &Request<'_>,
    value: &str,
) -> bool {
    use OperatorKind as K;
    match kind {
        K::StringEquals | K::StringNotEquals => {
            variables::resolve(written, version, request).literal_equals(value, CaseMode::Sensitive)
        }
        K::StringEqualsIgnoreCase | K::StringNotEqualsIgnoreCase => {
            variables::resolve(written, version, request)
                .literal_equals(value, CaseMode::Insensitive)
        }
        K::StringLike | K::StringNotLike => {
            variables::resolve(written, version, request).glob(value, CaseMode::Sensitive)
        }
        K::ArnEquals | K::ArnLike | K::ArnNotEquals | K::ArnNotLike => {
            variables::resolve(written, version, request).arn_matches(value)
        }
        K::Bool => match variables::resolve(written, version, request) {
            Resolved::AsWritten(text) => bools_equal(text, value),
            other => other
                .display()
                .is_some_and(|text| bools_equal(&text, value)),
        },
        K::NumericEquals | K::NumericNotEquals => compare_numbers(written, value, Ordering::is_eq),
        K::NumericLessThan => compare_numbers(written, value, Ordering::is_lt),
        K::NumericLessThanEquals => compare_numbers(written, value, Ordering::is_le),
        K::NumericGreaterThan => compare_numbers(written, value, Ordering::is_gt),
        K::NumericGreaterThanEquals => compare_numbers(written, value, Ordering::is_ge),
        K::DateEquals | K::DateNotEquals => compare_dates(written, value, Ordering::is_eq),
        K::DateLessThan => compare_dates(written, value, Ordering::is_lt),
        K::DateLessThanEquals => compare_dates(written, value, Ordering::is_le),
        K::DateGreaterThan => compare_dates(written, value, Ordering::is_gt),
        K::DateGreaterThanEquals => compare_dates(written, value, Ordering::is_ge),
        K::BinaryEquals => binary_equals(written, value),
        K::IpAddress | K::NotIpAddress => ip_in_range(written, value),
        // `Null` never reaches here: it tests presence, not values.
        K::Null => false,
    }
}

/// Compares request `value` to policy `written`: `test(value.cmp(written))`.
fn compare_numbers(written: &str, value: &str, test: fn(Ordering) -> bool) -> bool {
    match (Decimal::parse(value), Decimal::parse(written)) {
        (Some(v), Some(w)) => test(v.cmp(&w)),
        _ => false,
    }
}

fn compare_dates(written: &str, value: &str, test: fn(Ordering) -> bool) -> bool {
    match (parse_date(value), parse_date(written)) {
        (Some(v), Some(w)) => test(v.cmp(&w)),
        _ => false,
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn bools_equal(written: &str, value: &str) -> bool {
    matches!((parse_bool(written), parse_bool(value)), (Some(a), Some(b)) if a == b)
}

/// `BinaryEquals`: the policy holds base64; the request key's value is base64 text too (the
/// request context is text). Both are decoded and compared byte for byte.
fn binary_equals(written: &str, value: &str) -> bool {
    let engine = base64::engine::general_purpose::STANDARD;
    match (engine.decode(written.trim()), engine.decode(value.trim())) {
        (Ok(w), Ok(v)) => w == v,
        _ => false,
    }
}

/// `IpAddress`: the policy holds an address or a CIDR range (an address alone means `/32`, or
/// `/128` for IPv6); IPv4 never matches an IPv6 range or the reverse.
fn ip_in_range(written: &str, value: &str) -> bool {
    let (Some(range), Some(address)) = (Cidr::parse(written), parse_ip(value)) else {
        return false;
    };
    range.contains(address)
}

fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    // A request value written as a one-address range is still one address.
    let address = match text.split_once('/') {
        Some((address, _)) => address,
        None => text,
    };
    address.parse().ok()
}

/// An IP range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    fn parse(text: &str) -> Option<Cidr> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
            None => max,
        };
        (prefix <= max).then_some(Cidr { network, prefix })
    }

    fn contains(self, address: IpAddr) -> bool {
        match (self.network, address) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_equal(
                u128::from(n.to_bits()) << 96,
                u128::from(a.to_bits()) << 96,
                self.prefix,
            ),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_equal(n.to_bits(), a.to_bits(), self.prefix),
            _ => false,
        }
    }
}

fn prefix_equal(a: u128, b: u128, prefix: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = 128 - u32::from(prefix.min(128));
    a.checked_shr(shift).unwrap_or(0) == b.checked_shr(shift).unwrap_or(0)
}

/// A decimal number as written, compared exactly (no floating-point rounding): an optional sign,
/// digits, and an optional fraction (IAM User Guide, "Numeric condition operators": integers and
/// decimals).
#[derive(Clone, Copy, Debug)]
struct Decimal<'a> {
    negative: bool,
    /// Integer digits without leading zeros.
    int: &'a str,
    /// Fraction digits without trailing zeros.
    frac: &'a str,
}

impl<'a> Decimal<'a> {
    fn parse(text: &'a str) -> Option<Decimal<'a>> {
        let text = text.trim();
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..)?),
            Some(b'+') => (false, text.get(1..)?),
            _ => (false, text),
        };
        let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
            return None;
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        // -0 is 0.
        let negative = negative && !(int.is_empty() && frac.is_empty());
        Some(Decimal {
            negative,
            int,
            frac,
        })
    }

    fn cmp_magnitude(&self, other: &Decimal<'_>) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(other.int))
            .then_with(|| self.frac.cmp(other.frac))
    }

    fn cmp(&self, other: &Decimal<'_>) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

/// Reads the date forms IAM accepts (IAM User Guide, "Date condition operators": the W3C profile
/// of ISO 8601, or epoch seconds): `2020-01-01`, `2020-01-01T12:00Z`, `2020-01-01T12:00:00Z`,
/// `2020-01-01T12:00:00.123Z`, with `Z`, `+hh:mm`, `-hh:mm` or `+hhmm` (no zone means UTC), and
/// `1577836800`. Returns seconds since the Unix epoch and nanoseconds.
pub fn parse_date(text: &str) -> Option<(i64, u32)> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Some((text.parse().ok()?, 0));
    }
    let bytes = text.as_bytes();
    let year = digits_at(bytes, 0, 4)?;
    if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits_at(bytes, 5, 2)?;
    let day = digits_at(bytes, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let mut seconds = days * 86_400;
    let mut nanos = 0u32;
    let mut rest = bytes.get(10..)?;
    if rest.is_empty() {
        return Some((seconds, 0));
    }
    if !matches!(rest.first(), Some(b'T' | b't')) {
        return None;
    }
    let hour = digits_at(rest, 1, 2)?;
    if rest.get(3) != Some(&b':') {
        return None;
    }
    let minute = digits_at(rest, 4, 2)?;
    let mut second = 0;
    rest = rest.get(6..)?;
    if rest.first() == Some(&b':') {
        second = digits_at(rest, 1, 2)?;
        rest = rest.get(3..)?;
        if rest.first() == Some(&b'.') {
            let frac_len = rest
                .get(1..)?
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if frac_len == 0 {
                return None;
            }
            let mut scale = 100_000_000u32;
            for b in rest.get(1..=frac_len)? {
                nanos += u32::from(b - b'0') * scale;
                scale /= 10;
            }
            rest = rest.get(1 + frac_len..)?;
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    seconds += hour * 3600 + minute * 60 + second;
    match rest {
        [] | [b'Z' | b'z'] => {}
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (zh, zm) = match zone {
                [_, _, b':', _, _] => (digits_at(zone, 0, 2)?, digits_at(zone, 3, 2)?),
                [_, _, _, _] => (digits_at(zone, 0, 2)?, digits_at(zone, 2, 2)?),
                [_, _] => (digits_at(zone, 0, 2)?, 0),
                _ => return None,
            };
            if zh > 23 || zm > 59 {
                return None;
            }
            let offset = zh * 3600 + zm * 60;
            // Local time = UTC + offset, so UTC = local - offset.
            seconds = if *sign == b'+' {
                seconds - offset
            } else {
                seconds + offset
            };
        }
        _ => return None,
    }
    Some((seconds, nanos))
}

fn digits_at(bytes: &[u8], at: usize, len: usize) -> Option<i64> {
    let slice = bytes.get(at..at + len)?;
    let mut n = 0i64;
    for b in slice {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some(n)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One condition's evaluation, for the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionTrace {
    /// The operator as written, such as `ForAnyValue:StringLike`.
    pub operator: String,
    /// The condition key as written.
    pub key: String,
    /// The request's values for the key; `None` when the key is missing.
    pub request_values: Option<Vec<String>>,
    /// The policy's values, as written and as resolved.
    pub policy_values: Vec<PolicyValueTrace>,
    /// Whether the condition holds.
    pub holds: bool,
    /// Why.
    pub reason: ConditionReason,
}

/// One policy value of a condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyValueTrace {
    /// As written in the policy.
    pub written: String,
    /// After policy variables were substituted; `None` when a variable had no value (the value
    /// then matches nothing). Equal to `written` when there is no variable.
    pub resolved: Option<String>,
}

/// Why a condition held or not, with the values involved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ConditionReason {
    /// The key is missing (or an empty list).
    KeyAbsent,
    /// A `Null` check on a key that is present or not.
    NullCheck {
        /// Whether the key is present.
        present: bool,
    },
    /// A request value matched a policy value.
    Matched {
        /// The request's value.
        request_value: String,
        /// The policy value it matched (resolved).
        policy_value: String,
    },
    /// No request value matched any policy value.
    NothingMatched,
    /// This request value matched no policy value.
    ValueUnmatched {
        /// The request's value.
        request_value: String,
    },
    /// Every request value matched some policy value.
    EveryValueMatched,
}

impl ConditionTrace {
    /// The explanation in plain words, such as
    /// "`kms:ViaService` is missing from the request, so `StringEquals` does not hold".
    pub fn summary(&self) -> String {
        let op = &self.operator;
        let key = &self.key;
        let policy = self
            .policy_values
            .iter()
            .map(|v| match &v.resolved {
                Some(r) => format!("`{r}`"),
                None => format!("`{}` (unresolved variable)", v.written),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let verdict = if self.holds { "holds" } else { "does not hold" };
        match &self.reason {
            ConditionReason::KeyAbsent => {
                format!("`{key}` is missing from the request, so `{op}` {verdict}")
            }
            ConditionReason::NullCheck { present } => {
                let state = if *present { "present" } else { "missing" };
                format!(
                    "`{key}` is {state} in the request; `Null` expects {policy}, so it {verdict}"
                )
            }
            ConditionReason::Matched {
                request_value,
                policy_value,
            } => {
                format!("`{key}` = `{request_value}` matches `{policy_value}`, so `{op}` {verdict}")
            }
            ConditionReason::NothingMatched => {
                let values = self.request_values_text();
                format!("`{key}` = {values} matches none of {policy}, so `{op}` {verdict}")
            }
            ConditionReason::ValueUnmatched { request_value } => format!(
                "`{key}` value `{request_value}` matches none of {policy}, so `{op}` {verdict}"
            ),
            ConditionReason::EveryValueMatched => {
                let values = self.request_values_text();
                format!(
                    "every value of `{key}` ({values}) matches one of {policy}, so `{op}` {verdict}"
                )
            }
        }
    }

    fn request_values_text(&self) -> String {
        match &self.request_values {
            Some(values) => values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", "),
            None => "nothing".to_owned(),
        }
    }
}

/// Evaluates `condition` like [`condition_holds`] and records the values compared and why.
pub fn explain_condition(
    condition: &Condition,
    version: PolicyVersion,
    request: &Request<'_>,
) -> ConditionTrace {
    let verdict = verdict(condition, version, request);
    let values = request_value(request, &condition.key).filter(|v| !v.is_empty());
    let request_values: Option<Vec<String>> = values.map(|v| {
        (0..v.len())
            .filter_map(|i| v.get(i))
            .map(str::to_owned)
            .collect()
    });
    let takes_variables = condition.operator.kind.takes_variables();
    let policy_values: Vec<PolicyValueTrace> = condition
        .values
        .iter()
        .map(|v| PolicyValueTrace {
            written: v.text.clone(),
            resolved: if takes_variables {
                variables::resolve(&v.text, version, request).display()
            } else {
                Some(v.text.clone())
            },
        })
        .collect();
    let request_text = |i: usize| {
        request_values
            .as_ref()
            .and_then(|vs| vs.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let reason = match verdict {
        ConditionOutcome::KeyAbsent { .. } => ConditionReason::KeyAbsent,
        ConditionOutcome::Null { present, .. } => ConditionReason::NullCheck { present },
        ConditionOutcome::Pair {
            request, policy, ..
        } => ConditionReason::Matched {
            request_value: request_text(request),
            policy_value: policy_values
                .get(policy)
                .and_then(|p| p.resolved.clone())
                .unwrap_or_default(),
        },
        ConditionOutcome::NoPair { .. } => ConditionReason::NothingMatched,
        ConditionOutcome::Unmatched { request, .. } => ConditionReason::ValueUnmatched {
            request_value: request_text(request),
        },
        ConditionOutcome::AllMatched { .. } => ConditionReason::EveryValueMatched,
    };
    ConditionTrace {
        operator: condition.operator_text.clone(),
        key: condition.key.clone(),
        request_values,
        policy_values,
        holds: verdict.holds(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // IAM User Guide, "Date condition operators": ISO 8601 (W3C profile) or epoch seconds.
    #[test]
    fn date_forms() {
        assert_eq!(parse_date("1970-01-01"), Some((0, 0)));
        assert_eq!(parse_date("2020-01-01T00:00:00Z"), Some((1_577_836_800, 0)));
        assert_eq!(parse_date("1577836800"), Some((1_577_836_800, 0)));
        assert_eq!(parse_date("2020-01-01T00:00Z"), Some((1_577_836_800, 0)));
        assert_eq!(
            parse_date("2020-01-01T02:00:00+02:00"),
            Some((1_577_836_800, 0))
        );
        assert_eq!(
            parse_date("2019-12-31T22:00:00-0200"),
            Some((1_577_836_800, 0))
        );
        assert_eq!(
            parse_date("2020-01-01T00:00:00.250Z"),
            Some((1_577_836_800, 250_000_000))
        );
        assert_eq!(parse_date("2020-01-01T00:00:00"), Some((1_577_836_800, 0)));
        assert_eq!(parse_date("2024-02-29"), Some((1_709_164_800, 0)));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2020-13-01"), None);
        assert_eq!(parse_date("2020-01-01T24:00:00Z"), None);
        assert_eq!(parse_date("2020-01-01X"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn decimals_compare_exactly() {
        let d = |s| Decimal::parse(s).unwrap();
        assert_eq!(d("10").cmp(&d("10.0")), Ordering::Equal);
        assert_eq!(d("-0").cmp(&d("0")), Ordering::Equal);
        assert_eq!(d("9").cmp(&d("10")), Ordering::Less);
        assert_eq!(d("0.5").cmp(&d(".45")), Ordering::Greater);
        assert_eq!(d("-2").cmp(&d("-10")), Ordering::Greater);
        assert_eq!(d("007").cmp(&d("7")), Ordering::Equal);
        assert_eq!(
            d("12345678901234567890").cmp(&d("12345678901234567891")),
            Ordering::Less
        );
        assert!(Decimal::parse("1e3").is_none());
        assert!(Decimal::parse("").is_none());
        assert!(Decimal::parse("-").is_none());
        assert!(Decimal::parse(".").is_none());
        assert!(Decimal::parse("ten").is_none());
    }

    // IAM User Guide, "IP address condition operators": CIDR, IPv4 and IPv6, /32 by default.
    #[test]
    fn cidr_ranges() {
        assert!(ip_in_range("203.0.113.0/24", "203.0.113.7"));
        assert!(!ip_in_range("203.0.113.0/24", "203.0.114.7"));
        assert!(ip_in_range("203.0.113.7", "203.0.113.7"));
        assert!(!ip_in_range("203.0.113.7", "203.0.113.8"));
        assert!(ip_in_range("0.0.0.0/0", "198.51.100.1"));
        assert!(ip_in_range(
            "2001:DB8:1234:5678::/64",
            "2001:db8:1234:5678:abcd::1"
        ));
        assert!(!ip_in_range(
            "2001:DB8:1234:5678::/64",
            "2001:db8:1234:5679::1"
        ));
        assert!(!ip_in_range("0.0.0.0/0", "2001:db8::1"));
        assert!(!ip_in_range("203.0.113.0/33", "203.0.113.1"));
        assert!(!ip_in_range("not-an-ip", "203.0.113.1"));
    }
}
