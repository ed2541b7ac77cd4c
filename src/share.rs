//! Share links: a whole scenario compressed into the URL fragment, so no server ever sees it.
//!
//! The fragment is `s=<format>.<base64url(deflate(payload))>`. The payload is a two-line header
//! (the link format and the engine version that wrote it) followed by the scenario file exactly as
//! the CLI reads it. The format number is checked before anything is decompressed; a newer or
//! unknown format is refused by name rather than half-read.
//!
//! A link may also say where to open: `&at=<base64url(JSON)>` after the scenario names a cell and
//! the request the why panel decides there ([`SharedFocus`]). A focus that cannot be read is
//! dropped; the scenario still opens.

use crate::why::RequestInputs;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What separates the scenario from the focus in a share link's fragment.
pub const FOCUS_SEPARATOR: &str = "&at=";

/// The cell a share link opens the why panel on, with its request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFocus {
    /// The principal's ARN.
    pub principal: String,
    /// The key's ARN (a key id in links made before keys were named by ARN: the key of that
    /// id in the world's Region).
    pub key: String,
    /// The action explained (`kms:Decrypt`); `None` lets the panel choose.
    #[serde(default)]
    pub action: Option<String>,
    /// The request's context and condition keys.
    #[serde(default)]
    pub request: RequestInputs,
}

/// The fragment part (starting with [`FOCUS_SEPARATOR`]) that opens at `focus`.
pub fn encode_focus(focus: &SharedFocus) -> String {
    let json = serde_json::to_string(focus).unwrap_or_default();
    format!("{FOCUS_SEPARATOR}{}", URL_SAFE_NO_PAD.encode(json))
}

/// Reads the focus part of a fragment (after [`FOCUS_SEPARATOR`]); `None` if it is damaged.
fn decode_focus(text: &str) -> Option<SharedFocus> {
    let json = URL_SAFE_NO_PAD.decode(text).ok()?;
    serde_json::from_slice(&json).ok()
}

/// The share-link format this build writes and reads.
pub const SHARE_FORMAT: u32 = 1;

/// The fragment key of a share link (`#s=...`).
pub const SHARE_PREFIX: &str = "s=";

/// The fragment that opens a fresh playground, ignoring saved state.
pub const FRESH_FRAGMENT: &str = "fresh";

/// A decompressed scenario may be at most this big: a link cannot make the page allocate
/// without bound.
const MAX_PAYLOAD: usize = 4 * 1024 * 1024;

const HEADER: &str = "kms-playground share";

/// What a share link holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedScenario {
    /// The engine version that made the link (shown when it differs from ours).
    pub engine_version: String,
    /// The scenario file text.
    pub scenario: String,
    /// Where the link opens, if it says.
    pub focus: Option<Box<SharedFocus>>,
}

/// Why a share link could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The fragment is not a share link.
    NotAShareLink,
    /// The link was made by a newer or unknown format.
    UnknownFormat(String),
    /// The text after the format is not base64url.
    NotBase64,
    /// The compressed data is damaged or too large.
    Damaged,
    /// The payload lacks the share header.
    MissingHeader,
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::NotAShareLink => write!(f, "the link does not hold a scenario"),
            ShareError::UnknownFormat(v) => write!(
                f,
                "the link uses share format `{v}`, which this version of the playground cannot read (it reads format {SHARE_FORMAT})"
            ),
            ShareError::NotBase64 => write!(f, "the link is damaged: its data is not base64url"),
            ShareError::Damaged => {
                write!(f, "the link is damaged: its data does not decompress")
            }
            ShareError::MissingHeader => {
                write!(
                    f,
                    "the link is damaged: it does not start with the share header"
                )
            }
        }
    }
}

impl std::error::Error for ShareError {}

/// The fragment (without `#`) for `scenario`, written by engine `engine_version`.
pub fn encode_share(scenario: &str, engine_version: &str) -> String {
    let payload = format!("{HEADER} {SHARE_FORMAT}\nengine {engine_version}\n{scenario}");
    let compressed = miniz_oxide::deflate::compress_to_vec(payload.as_bytes(), 9);
    format!(
        "{SHARE_PREFIX}{SHARE_FORMAT}.{}",
        URL_SAFE_NO_PAD.encode(compressed)
    )
}

/// Reads a fragment made by [`encode_share`] (with or without the leading `#`).
pub fn decode_share(fragment: &str) -> Result<SharedScenario, ShareError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let (fragment, focus) = match fragment.split_once(FOCUS_SEPARATOR) {
        Some((scenario, focus)) => (scenario, decode_focus(focus).map(Box::new)),
        None => (fragment, None),
    };
    let rest = fragment
        .strip_prefix(SHARE_PREFIX)
        .ok_or(ShareError::NotAShareLink)?;
    let (format, data) = rest
        .split_once('.')
        .ok_or_else(|| ShareError::UnknownFormat(rest.chars().take(8).collect()))?;
    if format != SHARE_FORMAT.to_string() {
        return Err(ShareError::UnknownFormat(format.chars().take(8).collect()));
    }
    let compressed = URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| ShareError::NotBase64)?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_PAYLOAD)
        .map_err(|_| ShareError::Damaged)?;
    let text = String::from_utf8(bytes).map_err(|_| ShareError::Damaged)?;
    let (first, rest) = text.split_once('\n').ok_or(ShareError::MissingHeader)?;
    if first != format!("{HEADER} {SHARE_FORMAT}") {
        return Err(ShareError::MissingHeader);
    }
    let (second, scenario) = rest.split_once('\n').ok_or(ShareError::MissingHeader)?;
    let engine_version = second
        .strip_prefix("engine ")
        .ok_or(ShareError::MissingHeader)?;
    Ok(SharedScenario {
        engine_version: engine_version.to_owned(),
        scenario: scenario.to_owned(),
        focus,
    })
}

/// What the page's URL fragment asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartRequest {
    /// Restore the autosave (or the lecture if there is none).
    Saved,
    /// Start from the lecture and ignore the autosave (until the next edit overwrites it).
    Fresh,
    /// Open a shared scenario.
    Shared(Result<SharedScenario, ShareError>),
}

/// Interprets the URL fragment (with or without `#`).
pub fn start_request(fragment: &str) -> StartRequest {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment == FRESH_FRAGMENT {
        StartRequest::Fresh
    } else if fragment.starts_with(SHARE_PREFIX) {
        StartRequest::Shared(decode_share(fragment))
    } else {
        StartRequest::Saved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"{"name": "Größe \"x\"", "keys": [{"name": "CMK-A"}]}"#;

    #[test]
    fn a_share_link_round_trips_the_scenario_text_exactly() {
        let fragment = encode_share(SCENARIO, "0.1.0");
        assert!(fragment.starts_with("s=1."));
        assert!(
            fragment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"=._-".contains(&b))
        );
        let shared = decode_share(&format!("#{fragment}")).unwrap();
        assert_eq!(shared.scenario, SCENARIO);
        assert_eq!(shared.engine_version, "0.1.0");
        assert_eq!(start_request(&fragment), StartRequest::Shared(Ok(shared)));
    }

    #[test]
    fn a_link_can_open_at_a_cell_with_its_request() {
        let focus = SharedFocus {
            principal: "arn:aws:iam::111122223333:user/Alice".into(),
            key: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            action: Some("kms:Decrypt".into()),
            request: RequestInputs {
                encryption_context: vec![("dept".into(), "eng".into())],
                source_ip: "203.0.113.7".into(),
                ..RequestInputs::default()
            },
        };
        let fragment = format!(
            "{}{}",
            encode_share(SCENARIO, "0.1.0"),
            encode_focus(&focus)
        );
        let shared = decode_share(&fragment).unwrap();
        assert_eq!(shared.scenario, SCENARIO);
        assert_eq!(shared.focus, Some(Box::new(focus)));
        // A damaged focus is dropped; the scenario still opens.
        let damaged = format!("{}&at=***", encode_share(SCENARIO, "0.1.0"));
        let shared = decode_share(&damaged).unwrap();
        assert_eq!((shared.scenario.as_str(), shared.focus), (SCENARIO, None));
    }

    /// A refused CreateGrant's why link decides the new grant's operations and constraints
    /// (KMS Developer Guide, create-grant-overview.html, "Granting CreateGrant permission"); a
    /// link to that request keeps them.
    #[test]
    fn a_link_keeps_a_create_grant_requests_grant_operations_and_constraints() {
        use kms_engine::catalog::Action;
        use kms_engine::store::grants::GrantConstraints;
        let focus = SharedFocus {
            principal: "arn:aws:iam::111122223333:user/Alice".into(),
            key: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                .into(),
            action: Some("kms:CreateGrant".into()),
            request: RequestInputs {
                grant_operations: vec![Action::Encrypt, Action::Decrypt],
                grant_constraints: Some(Box::new(GrantConstraints {
                    encryption_context_subset: Some([("dept".into(), "eng".into())].into()),
                    ..GrantConstraints::default()
                })),
                ..RequestInputs::default()
            },
        };
        let fragment = format!(
            "{}{}",
            encode_share(SCENARIO, "0.1.0"),
            encode_focus(&focus)
        );
        let shared = decode_share(&fragment).unwrap();
        assert_eq!(shared.focus.as_deref(), Some(&focus));
        // Written as the API writes them.
        let json = serde_json::to_string(&focus.request).unwrap();
        assert!(
            json.ends_with(
                r#""grant_operations":["Encrypt","Decrypt"],"grant_constraints":{"EncryptionContextSubset":{"dept":"eng"}}}"#
            ),
            "{json}"
        );
        // A name that is no grant operation makes the focus unreadable: it is dropped.
        let whole = serde_json::to_string(&focus).unwrap();
        let foreign = format!(
            "{FOCUS_SEPARATOR}{}",
            URL_SAFE_NO_PAD.encode(whole.replace(r#""Decrypt""#, r#""PutKeyPolicy""#))
        );
        assert_ne!(foreign, encode_focus(&focus));
        let shared = decode_share(&format!("{}{foreign}", encode_share(SCENARIO, "0.1.0")));
        assert_eq!(shared.unwrap().focus, None);
    }

    #[test]
    fn a_focus_written_before_create_grant_requests_reads_and_writes_the_same() {
        // As links wrote it before a request could name a new grant: no such fields.
        let old = r#"{"principal":"arn:aws:iam::111122223333:user/Alice","key":"1234abcd-12ab-34cd-56ef-1234567890ab","action":"kms:Decrypt","request":{"encryption_context":[["dept","eng"]],"grant_tokens":"","via_service":"","source_ip":"203.0.113.7","current_time":"","principal_tags":[]}}"#;
        let part = format!("{FOCUS_SEPARATOR}{}", URL_SAFE_NO_PAD.encode(old));
        let shared = decode_share(&format!("{}{part}", encode_share(SCENARIO, "0.1.0"))).unwrap();
        let focus = shared.focus.unwrap();
        assert!(focus.request.grant_operations.is_empty());
        assert_eq!(focus.request.grant_constraints, None);
        assert_eq!(encode_focus(&focus), part);
    }

    #[test]
    fn damaged_or_foreign_links_say_what_is_wrong() {
        assert_eq!(decode_share("x=1.abc"), Err(ShareError::NotAShareLink));
        assert_eq!(
            decode_share("s=2.abc"),
            Err(ShareError::UnknownFormat("2".into()))
        );
        assert_eq!(decode_share("s=1.a*c"), Err(ShareError::NotBase64));
        assert_eq!(decode_share("s=1.AAAA"), Err(ShareError::Damaged));
        let no_header = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"{}", 9));
        assert_eq!(
            decode_share(&format!("s=1.{no_header}")),
            Err(ShareError::MissingHeader)
        );
        let fragment = encode_share(SCENARIO, "0.1.0");
        let cut = &fragment[..fragment.len() - 6];
        assert!(decode_share(cut).is_err());
    }

    #[test]
    fn the_fragment_chooses_how_the_page_starts() {
        assert_eq!(start_request(""), StartRequest::Saved);
        assert_eq!(start_request("#fresh"), StartRequest::Fresh);
        assert_eq!(start_request("#why"), StartRequest::Saved);
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let huge = "a".repeat(MAX_PAYLOAD + 10);
        let payload = format!("{HEADER} 1\nengine 0\n{huge}");
        let data =
            URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(payload.as_bytes(), 9));
        assert_eq!(
            decode_share(&format!("s=1.{data}")),
            Err(ShareError::Damaged)
        );
    }
}
