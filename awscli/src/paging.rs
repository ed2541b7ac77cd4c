//! How the AWS CLI pages a list command: it calls the operation again with each `NextMarker`
//! until `Truncated` is false, prints the results of every page as one list, and, when
//! `--max-items` stops it early, prints a `NextToken` that `--starting-token` resumes from
//! (awscli `customizations/paginate.py`; botocore `paginate.py`, `PageIterator`).
//!
//! A `NextToken` is botocore's: the base64 of the JSON `{"Marker": ..., "boto_truncate_amount":
//! N}`, where `Marker` is the marker of the page the run stopped in (`null` for the first page)
//! and `N` how many of that page's items were printed; without `boto_truncate_amount` when the
//! run stopped at the end of a page.

use super::args::Paging;
use super::exec::{self, ApiError, Call};
use super::spec::OperationSpec;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use kms_engine::entropy::Randomness;
use kms_engine::world::World;
use serde_json::{Map, Value};

/// Where a `--starting-token` resumes: the marker to send, and how many items of that page were
/// printed already.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StartingToken {
    /// The `Marker` of the first call (`None`: the first page).
    pub marker: Option<String>,
    /// The items of the first page to skip.
    pub skip: usize,
}

/// Why a paged command failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PagingError {
    /// A call failed: the AWS CLI's `An error occurred (...)` line.
    Api(ApiError),
    /// botocore refused the starting token (`ValueError`: the AWS CLI prints the message and
    /// exits with 255).
    BadToken(String),
}

impl std::fmt::Display for PagingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PagingError::Api(e) => e.fmt(f),
            PagingError::BadToken(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for PagingError {}

impl From<ApiError> for PagingError {
    fn from(e: ApiError) -> PagingError {
        PagingError::Api(e)
    }
}

impl StartingToken {
    /// Reads a `--starting-token` as botocore does: base64 of JSON first, else the older
    /// `MARKER___N` form (`None` for no marker), else the whole text as the service's marker.
    pub fn parse(token: &str) -> Result<StartingToken, PagingError> {
        if let Some(parsed) = Self::parse_json(token) {
            return parsed;
        }
        let bad = || PagingError::BadToken(format!("Bad starting token: {token}"));
        let parts: Vec<&str> = token.split("___").collect();
        let (marker, skip) = match parts.as_slice() {
            [marker] => (*marker, 0),
            [marker, index] => match index.parse::<usize>() {
                Ok(skip) => (*marker, skip),
                Err(_) => (token, 0),
            },
            _ => return Err(bad()),
        };
        Ok(StartingToken {
            marker: (marker != "None").then(|| marker.to_owned()),
            skip,
        })
    }

    /// The JSON form, if `token` is base64 of a JSON value; `None` sends the token to the
    /// older form.
    fn parse_json(token: &str) -> Option<Result<StartingToken, PagingError>> {
        let bytes = BASE64.decode(token.as_bytes()).ok()?;
        let value: Value = serde_json::from_slice(&bytes).ok()?;
        let bad = || {
            Some(Err(PagingError::BadToken(format!(
                "Bad starting token: {token}"
            ))))
        };
        let Value::Object(map) = value else {
            return bad();
        };
        let mut start = StartingToken::default();
        for (key, value) in map {
            match (key.as_str(), value) {
                ("Marker", Value::Null) => {}
                ("Marker", Value::String(marker)) => start.marker = Some(marker),
                ("boto_truncate_amount", Value::Number(n)) => {
                    start.skip = usize::try_from(n.as_u64()?).ok()?;
                }
                _ => return bad(),
            }
        }
        Some(Ok(start))
    }
}

/// The `NextToken` that resumes after `kept` items of the page fetched with `marker` (`None`
/// for `kept`: at the start of the page `marker` names).
pub fn next_token(marker: Option<&str>, kept: Option<usize>) -> String {
    let marker = serde_json::to_string(&marker).unwrap_or_else(|_| "null".to_owned());
    let json = match kept {
        Some(kept) => format!("{{\"Marker\": {marker}, \"boto_truncate_amount\": {kept}}}"),
        None => format!("{{\"Marker\": {marker}}}"),
    };
    BASE64.encode(json)
}

/// The most pages one command follows: far more than any world holds (each page has at least
/// one item), a bound on a marker that never ends.
const MAX_PAGES: usize = 100_000;

/// Runs a list command as the AWS CLI does: every page, or up to `--max-items` items; the
/// result is `{RESULT_KEY: [...]}` and, when `--max-items` stopped it early, `NextToken`.
pub fn run(
    world: &mut World,
    call: &Call<'_>,
    rng: &mut dyn Randomness,
    operation: &'static OperationSpec,
    request: &Map<String, Value>,
    paging: &Paging,
) -> Result<Value, PagingError> {
    let start = paging
        .starting_token
        .as_deref()
        .map(StartingToken::parse)
        .transpose()?;
    let mut marker = start.as_ref().and_then(|s| s.marker.clone());
    let mut skip = start.as_ref().map_or(0, |s| s.skip);
    let max_items = paging.max_items.map(|n| usize::try_from(n).unwrap_or(0));
    let mut items: Vec<Value> = Vec::new();
    let mut resume = None;
    for _ in 0..MAX_PAGES {
        let mut page_request = request.clone();
        if let Some(m) = &marker {
            page_request.insert("Marker".to_owned(), Value::String(m.clone()));
        }
        if let Some(size) = paging.page_size {
            page_request.insert("Limit".to_owned(), Value::from(size));
        }
        let page = exec::kms(world, call, rng, operation, page_request)?;
        let mut results = match page.get(paging.result_key) {
            Some(Value::Array(results)) => results.clone(),
            _ => Vec::new(),
        };
        // The starting token's items of the first page were printed by the run it resumes.
        let skipped = std::mem::take(&mut skip).min(results.len());
        results.drain(..skipped);
        if let Some(max) = max_items {
            let room = max.saturating_sub(items.len());
            if results.len() > room {
                results.truncate(room);
                resume = Some(next_token(marker.as_deref(), Some(room + skipped)));
                items.extend(results);
                break;
            }
        }
        items.extend(results);
        let next = match (page.get("Truncated"), page.get("NextMarker")) {
            (Some(Value::Bool(true)), Some(Value::String(next))) if !next.is_empty() => {
                next.clone()
            }
            _ => break,
        };
        if max_items == Some(items.len()) {
            resume = Some(next_token(Some(&next), None));
            break;
        }
        if marker.as_deref() == Some(next.as_str()) {
            return Err(PagingError::BadToken(format!(
                "The same next token was received twice: {{'Marker': '{next}'}}"
            )));
        }
        marker = Some(next);
    }
    let mut result = Map::new();
    result.insert(paging.result_key.to_owned(), Value::Array(items));
    if let Some(token) = resume {
        result.insert("NextToken".to_owned(), Value::String(token));
    }
    Ok(Value::Object(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_botocores() {
        // botocore TokenEncoder: base64 of json.dumps, with its ", " and ": " separators.
        assert_eq!(
            next_token(None, Some(2)),
            "eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ=="
        );
        assert_eq!(
            BASE64.decode(next_token(Some("page-2"), None)).unwrap(),
            b"{\"Marker\": \"page-2\"}"
        );
        let start = StartingToken::parse(&next_token(Some("page-4"), Some(1))).unwrap();
        assert_eq!(start.marker.as_deref(), Some("page-4"));
        assert_eq!(start.skip, 1);
        // The older form, and an opaque marker.
        let old = StartingToken::parse("page-2___3").unwrap();
        assert_eq!((old.marker.as_deref(), old.skip), (Some("page-2"), 3));
        assert_eq!(StartingToken::parse("None___1").unwrap().marker, None);
        assert_eq!(
            StartingToken::parse("opaque").unwrap().marker.as_deref(),
            Some("opaque")
        );
        assert_eq!(
            StartingToken::parse("a___b___c"),
            Err(PagingError::BadToken(
                "Bad starting token: a___b___c".to_owned()
            ))
        );
    }
}
