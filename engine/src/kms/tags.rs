//! TagResource, UntagResource, ListResourceTags (API Reference; KMS Developer Guide,
//! tagging-keys.html).

use super::{
    Action, Caller, Env, ListResourceTagsRequest, ListResourceTagsResponse, TagResourceRequest,
    UntagResourceRequest, page,
};
use crate::authz::RequestParams;
use crate::error::{KmsError, Shown};
use crate::request::ContextValue;
use crate::store::Tag;
use crate::world::World;

/// The most tags a key can have (KMS Developer Guide, resource-limits.html: tags per KMS key).
pub const MAX_TAGS: usize = 50;

/// The longest tag key and tag value (API Reference, Tag: `TagKey` 1–128, `TagValue` 0–256).
const MAX_TAG_KEY: usize = 128;
const MAX_TAG_VALUE: usize = 256;

/// The characters a tag key or value may hold besides Unicode letters, digits and spaces (KMS
/// Developer Guide, tagging-keys.html, and the tag rules it links to).
const TAG_PUNCTUATION: &str = "_.:/=+-@";

/// The first character of `text` a tag key or value may not hold, if any.
fn forbidden_tag_char(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        !(c.is_alphabetic() || c.is_numeric() || c == ' ' || TAG_PUNCTUATION.contains(c))
    })
}

/// `TagException` with AWS's message for a request that holds more than [`MAX_TAGS`] tags, or
/// that would leave the key with more.
fn too_many_tags() -> KmsError {
    KmsError::Tag("Too many tags".to_owned())
}

/// Checks one tag as KMS does: see [`validate_tags`].
pub fn validate_tag(tag: &Tag) -> Result<(), KmsError> {
    validate_tags(std::slice::from_ref(tag))
}

/// Checks the `Tags` of TagResource and CreateKey as KMS does, in its order:
///
/// 1. request validation (API Reference, Tag): a key of 1–128 and a value of 0–256 characters,
///    else a `ValidationException` naming the tag's 1-based place, `tags.N.member.tagKey`;
/// 2. more than 50 tags (`TagException: Too many tags`), or one tag key twice (`TagException:
///    Duplicate tag keys`);
/// 3. per tag, the reserved `aws:` prefix in any letter case (`TagException: Tags beginning
///    with aws: are reserved`; KMS Developer Guide, tagging-keys.html), and characters outside
///    letters, digits, spaces and `_ . : / = + - @` (`TagException`).
pub(super) fn validate_tags(tags: &[Tag]) -> Result<(), KmsError> {
    for (i, tag) in tags.iter().enumerate() {
        let n = i.saturating_add(1);
        KmsError::check_length(
            Shown::Text(&tag.tag_key),
            tag.tag_key.chars().count(),
            &format!("tags.{n}.member.tagKey"),
            1,
            MAX_TAG_KEY,
        )?;
        KmsError::check_length(
            Shown::Text(&tag.tag_value),
            tag.tag_value.chars().count(),
            &format!("tags.{n}.member.tagValue"),
            0,
            MAX_TAG_VALUE,
        )?;
    }
    if tags.len() > MAX_TAGS {
        return Err(too_many_tags());
    }
    if tags
        .iter()
        .enumerate()
        .any(|(i, tag)| tags.iter().take(i).any(|t| t.tag_key == tag.tag_key))
    {
        return Err(KmsError::Tag("Duplicate tag keys".to_owned()));
    }
    for tag in tags {
        if tag
            .tag_key
            .get(..4)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("aws:"))
        {
            return Err(KmsError::Tag(
                "Tags beginning with aws: are reserved".to_owned(),
            ));
        }
        for (what, text) in [("key", &tag.tag_key), ("value", &tag.tag_value)] {
            if let Some(c) = forbidden_tag_char(text) {
                return Err(KmsError::Tag(format!(
                    "Tag {what} `{text}` contains `{c}`: tag keys and values may contain only letters, digits, spaces and _ . : / = + - @"
                )));
            }
        }
    }
    Ok(())
}

impl World {
    /// TagResource: adds tags, replacing the value of keys already present.
    pub fn tag_resource(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: TagResourceRequest,
    ) -> Result<(), KmsError> {
        validate_tags(&request.tags)?;
        let mut params = RequestParams::default();
        params.context.insert(
            "aws:TagKeys",
            ContextValue::Multi(request.tags.iter().map(|t| t.tag_key.clone()).collect()),
        );
        for tag in &request.tags {
            params.context.set(
                format!("aws:RequestTag/{}", tag.tag_key),
                tag.tag_value.as_str(),
            );
        }
        let (_, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::TagResource,
            false,
            params,
        )?;
        let mut tags = key.tags.clone();
        for tag in request.tags {
            match tags.iter_mut().find(|t| t.tag_key == tag.tag_key) {
                Some(existing) => existing.tag_value = tag.tag_value,
                None => tags.push(tag),
            }
        }
        if tags.len() > MAX_TAGS {
            return Err(too_many_tags());
        }
        self.key_mut(&key)?.tags = tags;
        Ok(())
    }

    /// UntagResource: removes tags by key (absent keys are ignored).
    pub fn untag_resource(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: UntagResourceRequest,
    ) -> Result<(), KmsError> {
        let mut params = RequestParams::default();
        params
            .context
            .insert("aws:TagKeys", ContextValue::Multi(request.tag_keys.clone()));
        let (_, key) = self.key_operation(
            caller,
            env,
            &request.key_id,
            Action::UntagResource,
            false,
            params,
        )?;
        self.key_mut(&key)?
            .tags
            .retain(|t| !request.tag_keys.contains(&t.tag_key));
        Ok(())
    }

    /// ListResourceTags.
    pub fn list_resource_tags(
        &mut self,
        caller: &Caller,
        env: &mut Env<'_>,
        request: ListResourceTagsRequest,
    ) -> Result<ListResourceTagsResponse, KmsError> {
        let (_, key) = self.managed_key(caller, env, &request.key_id, Action::ListResourceTags)?;
        let page = page(&key.tags, request.limit, request.marker.as_deref(), 50, 50)?;
        Ok(ListResourceTagsResponse {
            tags: page.items,
            next_marker: page.next_marker,
            truncated: page.truncated,
        })
    }
}
