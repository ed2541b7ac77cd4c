//! TagResource, UntagResource, ListResourceTags (API Reference; KMS Developer Guide,
//! tagging-keys.html).

use super::{
    Action, Caller, Env, ListResourceTagsRequest, ListResourceTagsResponse, TagResourceRequest,
    UntagResourceRequest, page,
};
use crate::authz::RequestParams;
use crate::error::KmsError;
use crate::request::ContextValue;
use crate::store::Tag;
use crate::world::World;

/// The most tags a key can have (KMS Developer Guide, resource-limits.html).
pub const MAX_TAGS: usize = 50;

/// The characters a tag key or value may hold besides Unicode letters, digits and spaces (API
/// Reference, Tag: `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`; KMS Developer Guide, tagging-keys.html).
const TAG_PUNCTUATION: &str = "_.:/=+-@";

/// The first character of `text` a tag key or value may not hold, if any.
fn forbidden_tag_char(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        !(c.is_alphabetic() || c.is_numeric() || c == ' ' || TAG_PUNCTUATION.contains(c))
    })
}

/// Checks one tag as KMS does (`TagException`): see [`validate_tags`].
pub fn validate_tag(tag: &Tag) -> Result<(), KmsError> {
    validate_tags(std::slice::from_ref(tag))
}

/// Checks tags: keys 1–128 characters, values 0–256, only letters, digits, spaces and
/// `_ . : / = + - @`, and no key starting with the reserved `aws:` prefix (`TagException`; API
/// TagResource).
pub(super) fn validate_tags(tags: &[Tag]) -> Result<(), KmsError> {
    for tag in tags {
        for (what, text) in [("key", &tag.tag_key), ("value", &tag.tag_value)] {
            if let Some(c) = forbidden_tag_char(text) {
                return Err(KmsError::Tag(format!(
                    "Tag {what} `{text}` contains `{c}`: tag keys and values may contain only letters, digits, spaces and _ . : / = + - @"
                )));
            }
        }
        let key_len = tag.tag_key.chars().count();
        if key_len == 0 || key_len > 128 {
            return Err(KmsError::Tag(format!(
                "Tag key `{}` must be 1 to 128 characters",
                tag.tag_key
            )));
        }
        if tag.tag_value.chars().count() > 256 {
            return Err(KmsError::Tag(format!(
                "Tag value for `{}` must be at most 256 characters",
                tag.tag_key
            )));
        }
        if tag.tag_key.to_ascii_lowercase().starts_with("aws:") {
            return Err(KmsError::Tag(format!(
                "Tag key `{}` uses the reserved prefix aws:",
                tag.tag_key
            )));
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(KmsError::LimitExceeded(format!(
            "A key can have at most {MAX_TAGS} tags"
        )));
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
            return Err(KmsError::LimitExceeded(format!(
                "A key can have at most {MAX_TAGS} tags"
            )));
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
