//! Wildcard matching for `Action`, `Resource`, `StringLike` and the ARN operators.
//!
//! IAM patterns know two wildcards: `*` (any run of characters, including none) and `?` (exactly
//! one character) (IAM User Guide, reference_policies_elements_action.html,
//! reference_policies_elements_resource.html, reference_policies_elements_condition_operators.html).
//! Matching never allocates: patterns are walked in place, with one backtracking point per `*`
//! run, which keeps the worst case at O(pattern × value).
//!
//! A pattern is either text as written (every `*` and `?` is a wildcard) or a resolved pattern
//! ([`Token`]s) produced when policy variables are substituted: there a `*` that came from
//! `${*}` or from a request value is a literal character, not a wildcard
//! (IAM User Guide, reference_policies_variables.html, "Special characters").

/// One element of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    /// A character that must appear as is.
    Char(char),
    /// `*`: any run of characters, possibly empty.
    Star,
    /// `?`: exactly one character.
    Question,
}

/// Something that can be read as a sequence of [`Token`]s, front to back.
///
/// Implemented for `&str` (wildcards active) and `&[Token]` (resolved patterns).
pub trait PatternSource: Copy {
    /// The first token and the rest, or `None` when empty.
    fn split_first_token(self) -> Option<(Token, Self)>;

    /// Splits at the first literal `:` into (before, after); `None` when there is no colon.
    fn split_colon(self) -> Option<(Self, Self)>;

    /// True when the whole pattern is a single `*` wildcard.
    fn is_lone_star(self) -> bool {
        matches!(self.split_first_token(), Some((Token::Star, rest)) if rest.split_first_token().is_none())
    }
}

impl PatternSource for &str {
    fn split_first_token(self) -> Option<(Token, Self)> {
        let mut chars = self.chars();
        let c = chars.next()?;
        let token = match c {
            '*' => Token::Star,
            '?' => Token::Question,
            other => Token::Char(other),
        };
        Some((token, chars.as_str()))
    }

    fn split_colon(self) -> Option<(Self, Self)> {
        self.split_once(':')
    }
}

impl PatternSource for &[Token] {
    fn split_first_token(self) -> Option<(Token, Self)> {
        self.split_first().map(|(t, rest)| (*t, rest))
    }

    fn split_colon(self) -> Option<(Self, Self)> {
        let at = self.iter().position(|t| *t == Token::Char(':'))?;
        let (before, after) = self.split_at(at);
        Some((before, after.get(1..).unwrap_or_default()))
    }
}

/// How characters compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseMode {
    /// Exact comparison (`Resource`, `StringLike`, the ARN operators).
    Sensitive,
    /// Case-insensitive comparison (`Action` names, `...IgnoreCase` operators).
    Insensitive,
}

fn chars_equal(a: char, b: char, case: CaseMode) -> bool {
    a == b
        || (case == CaseMode::Insensitive
            && (a.eq_ignore_ascii_case(&b)
                || (!a.is_ascii() || !b.is_ascii()) && a.to_lowercase().eq(b.to_lowercase())))
}

/// Whether `value` matches `pattern`, with `*` and `?` as wildcards.
pub fn glob<P: PatternSource>(pattern: P, value: &str, case: CaseMode) -> bool {
    let mut p = pattern;
    let mut v = value;
    // The position after the last `*` seen, and where in the value its match would resume.
    let mut backtrack: Option<(P, &str)> = None;
    loop {
        match p.split_first_token() {
            Some((Token::Star, rest)) => {
                // A trailing `*` matches whatever is left, without trying each length.
                if rest.split_first_token().is_none() {
                    return true;
                }
                backtrack = Some((rest, v));
                p = rest;
                continue;
            }
            Some((token, rest)) => {
                let mut chars = v.chars();
                if let Some(c) = chars.next() {
                    let ok = match token {
                        Token::Question => true,
                        Token::Char(pc) => chars_equal(pc, c, case),
                        Token::Star => false,
                    };
                    if ok {
                        p = rest;
                        v = chars.as_str();
                        continue;
                    }
                }
            }
            None if v.is_empty() => return true,
            None => {}
        }
        // Mismatch: let the last `*` swallow one more character and retry from there.
        match backtrack {
            Some((after_star, resume)) => {
                let mut chars = resume.chars();
                if chars.next().is_none() {
                    return false;
                }
                let resume = chars.as_str();
                backtrack = Some((after_star, resume));
                p = after_star;
                v = resume;
            }
            None => return false,
        }
    }
}

/// Whether `value` equals `pattern` read literally (`*` and `?` are ordinary characters).
pub fn literal_equals<P: PatternSource>(pattern: P, value: &str, case: CaseMode) -> bool {
    let mut p = pattern;
    let mut chars = value.chars();
    loop {
        match (p.split_first_token(), chars.next()) {
            (None, None) => return true,
            (Some((token, rest)), Some(c)) => {
                let pc = match token {
                    Token::Char(pc) => pc,
                    Token::Star => '*',
                    Token::Question => '?',
                };
                if !chars_equal(pc, c, case) {
                    return false;
                }
                p = rest;
            }
            _ => return false,
        }
    }
}

/// Whether an `Action`/`NotAction` pattern such as `kms:Get*` matches `action`.
///
/// The service prefix and the action name are both case-insensitive (IAM User Guide,
/// reference_policies_elements_action.html); `*` alone matches every action.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob(pattern, action, CaseMode::Insensitive)
}

/// Whether an ARN pattern matches `arn`, segment by segment.
///
/// Both are split on their first five colons into `arn`, partition, service, region, account and
/// resource; the resource part keeps any further colons. Each segment is matched on its own, so a
/// `*` never crosses a colon between segments but may cross `/` inside one (IAM User Guide,
/// reference_policies_elements_condition_operators.html, "ARN condition operators", and
/// reference_policies_elements_resource.html). Matching is case-sensitive. The service segment
/// takes no wildcards (shared/kms-semantics.md §9.2): it is compared literally. A pattern that is
/// `*` alone matches anything, ARN or not; any other pattern or value without all six segments
/// matches nothing.
pub fn arn_matches<P: PatternSource>(pattern: P, arn: &str) -> bool {
    if pattern.is_lone_star() {
        return true;
    }
    let mut p = pattern;
    let mut v = arn;
    for segment in 0..5 {
        let (Some((p_seg, p_rest)), Some((v_seg, v_rest))) = (p.split_colon(), v.split_once(':'))
        else {
            return false;
        };
        // Segments: 0 `arn`, 1 partition, 2 service, 3 region, 4 account; the rest is the resource.
        let ok = if segment == 2 {
            literal_equals(p_seg, v_seg, CaseMode::Sensitive)
        } else {
            glob(p_seg, v_seg, CaseMode::Sensitive)
        };
        if !ok {
            return false;
        }
        p = p_rest;
        v = v_rest;
    }
    glob(p, v, CaseMode::Sensitive)
}

/// Whether a `Resource`/`NotResource` pattern matches the request's resource.
///
/// `*` matches everything; a pattern starting with `arn:` is matched segment-wise
/// ([`arn_matches`]); anything else (rare: resource names without ARN form) is a plain
/// case-sensitive wildcard match.
pub fn resource_matches<P: PatternSource>(pattern: P, resource: &str) -> bool {
    if pattern.is_lone_star() {
        return true;
    }
    if literal_prefix_is(pattern, "arn:") {
        arn_matches(pattern, resource)
    } else {
        glob(pattern, resource, CaseMode::Sensitive)
    }
}

/// An ARN cut into the six parts [`arn_matches`] compares: `arn`, partition, service, region,
/// account and resource (which keeps any further colons). Cut once per key, then matched against
/// many [`CompiledResource`] patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArnParts<'a> {
    /// The whole text, for patterns that are not ARN patterns.
    text: &'a str,
    /// The six segments, or `None` when the text has fewer than five colons (no ARN pattern
    /// matches it then).
    segments: Option<[&'a str; 6]>,
}

impl<'a> ArnParts<'a> {
    /// Cuts `text` at its first five colons, as [`arn_matches`] does.
    pub fn new(text: &'a str) -> ArnParts<'a> {
        let mut segments = [""; 6];
        let mut rest = text;
        let mut complete = true;
        for segment in segments.iter_mut().take(5) {
            match rest.split_once(':') {
                Some((head, tail)) => {
                    *segment = head;
                    rest = tail;
                }
                None => complete = false,
            }
        }
        if let Some(last) = segments.get_mut(5) {
            *last = rest;
        }
        ArnParts {
            text,
            segments: complete.then_some(segments),
        }
    }

    /// The text as given.
    pub fn text(&self) -> &'a str {
        self.text
    }
}

/// One segment of a compiled ARN pattern, sorted into the shapes policies use so that most
/// segments compare without walking wildcards.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SegmentPattern {
    /// Only `*`s: any segment.
    Any,
    /// No wildcard (or the service segment, which takes none): the same text.
    Exact(String),
    /// Literal text then one trailing `*` (`key/*`): a segment starting with the text.
    Prefix(String),
    /// Anything else: [`glob`].
    Glob(String),
}

impl SegmentPattern {
    fn of(text: &str) -> SegmentPattern {
        let wildcard = |c: char| c == '*' || c == '?';
        if !text.is_empty() && text.chars().all(|c| c == '*') {
            SegmentPattern::Any
        } else if !text.contains(wildcard) {
            SegmentPattern::Exact(text.to_owned())
        } else if let Some(prefix) = text.strip_suffix('*').filter(|p| !p.contains(wildcard)) {
            SegmentPattern::Prefix(prefix.to_owned())
        } else {
            SegmentPattern::Glob(text.to_owned())
        }
    }

    fn matches(&self, segment: &str) -> bool {
        match self {
            SegmentPattern::Any => true,
            SegmentPattern::Exact(text) => segment == text,
            SegmentPattern::Prefix(prefix) => segment.starts_with(prefix.as_str()),
            SegmentPattern::Glob(text) => glob(text.as_str(), segment, CaseMode::Sensitive),
        }
    }
}

/// A `Resource` pattern without policy variables, prepared once so that matching it against
/// many resources does what [`resource_matches`] does without cutting the pattern each time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledResource(Compiled);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Compiled {
    /// `*`: everything.
    Anything,
    /// An `arn:` pattern with its six segments.
    Arn(Box<[SegmentPattern; 6]>),
    /// An `arn:` pattern with fewer than six segments: matches nothing.
    Nothing,
    /// Any other text: a plain case-sensitive wildcard match on the whole resource.
    Plain(String),
}

impl CompiledResource {
    /// Prepares `pattern` (text as written: every `*` and `?` is a wildcard).
    pub fn new(pattern: &str) -> CompiledResource {
        if pattern.is_lone_star() {
            return CompiledResource(Compiled::Anything);
        }
        if !literal_prefix_is(pattern, "arn:") {
            return CompiledResource(Compiled::Plain(pattern.to_owned()));
        }
        let Some([arn, partition, service, region, account, resource]) =
            ArnParts::new(pattern).segments
        else {
            return CompiledResource(Compiled::Nothing);
        };
        CompiledResource(Compiled::Arn(Box::new([
            SegmentPattern::of(arn),
            SegmentPattern::of(partition),
            // The service segment takes no wildcards: its `*` and `?` are plain characters.
            SegmentPattern::Exact(service.to_owned()),
            SegmentPattern::of(region),
            SegmentPattern::of(account),
            SegmentPattern::of(resource),
        ])))
    }

    /// Whether the pattern matches `resource`: the same answer as [`resource_matches`] on the
    /// pattern's text.
    pub fn matches(&self, resource: &ArnParts<'_>) -> bool {
        match &self.0 {
            Compiled::Anything => true,
            Compiled::Nothing => false,
            Compiled::Plain(text) => glob(text.as_str(), resource.text, CaseMode::Sensitive),
            Compiled::Arn(patterns) => resource.segments.is_some_and(|segments| {
                patterns
                    .iter()
                    .zip(segments)
                    .all(|(pattern, segment)| pattern.matches(segment))
            }),
        }
    }
}

fn literal_prefix_is<P: PatternSource>(pattern: P, prefix: &str) -> bool {
    let mut p = pattern;
    for expected in prefix.chars() {
        match p.split_first_token() {
            Some((Token::Char(c), rest)) if c == expected => p = rest,
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    // IAM User Guide, reference_policies_elements_action.html: `*` and `?` anywhere, case-insensitive.
    #[test]
    fn action_wildcards_and_case() {
        assert!(action_matches("kms:*", "kms:Encrypt"));
        assert!(action_matches("*", "kms:Encrypt"));
        assert!(action_matches("KMS:encrypt", "kms:Encrypt"));
        assert!(action_matches("kms:Get*", "kms:GetKeyPolicy"));
        assert!(action_matches("kms:ReEncrypt*", "kms:ReEncryptFrom"));
        assert!(action_matches("kms:*Key*", "kms:GenerateDataKeyPair"));
        assert!(action_matches("kms:?ncrypt", "kms:Encrypt"));
        assert!(!action_matches("kms:?ncrypt", "kms:Decrypt2"));
        assert!(!action_matches("kms:Get*", "kms:Encrypt"));
        assert!(!action_matches("kms:Encrypt", "kms:EncryptX"));
        assert!(!action_matches("s3:*", "kms:Encrypt"));
        assert!(!action_matches("kms:", "kms:Encrypt"));
    }

    #[test]
    fn glob_edge_cases() {
        assert!(glob("", "", CaseMode::Sensitive));
        assert!(!glob("", "a", CaseMode::Sensitive));
        assert!(glob("***", "", CaseMode::Sensitive));
        assert!(glob("a*b*c", "aXbYbZc", CaseMode::Sensitive));
        assert!(!glob("a*b*c", "aXbYbZ", CaseMode::Sensitive));
        assert!(glob("?", "é", CaseMode::Sensitive));
        assert!(!glob("??", "é", CaseMode::Sensitive));
        assert!(glob("*ab", "aaab", CaseMode::Sensitive));
        assert!(!glob("A", "a", CaseMode::Sensitive));
        assert!(glob("É*", "éte", CaseMode::Insensitive));
    }

    // IAM User Guide, reference_policies_elements_condition_operators.html, "ARN condition
    // operators": each colon-delimited component is checked separately.
    #[test]
    fn arn_segments_are_matched_separately() {
        let pattern = "arn:aws:someservice:*:111122223333:finance/*";
        let value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert!(!arn_matches(pattern, value));
        // the same pair with a string wildcard match succeeds (the page's own example)
        assert!(glob(pattern, value, CaseMode::Sensitive));
    }

    // IAM User Guide, reference_policies_elements_resource.html: wildcards inside a segment, `*`
    // crosses `/`, the resource part may contain colons, matching is case-sensitive.
    #[test]
    fn resource_arns() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert!(resource_matches("*", key));
        assert!(resource_matches("arn:aws:kms:*:111122223333:key/*", key));
        assert!(resource_matches("arn:aws:kms:us-east-?:*:*", key));
        assert!(resource_matches(key, key));
        assert!(!resource_matches("arn:aws:kms:*:111122223333:alias/*", key));
        assert!(!resource_matches("arn:aws:kms:*:444455556666:key/*", key));
        assert!(!resource_matches("arn:aws:KMS:*:111122223333:key/*", key));
        assert!(!resource_matches("arn:aws:kms:*:111122223333:KEY/*", key));
        // fewer than six segments matches nothing, even with a trailing `*`
        assert!(!resource_matches("arn:aws:kms:*", key));
        // the resource part keeps its colons
        let with_colons = "arn:aws:logs:us-east-1:111122223333:log-group:my-group:*";
        assert!(resource_matches(
            "arn:aws:logs:*:*:log-group:*",
            with_colons
        ));
        assert!(resource_matches(
            "arn:aws:s3:::bucket/a/b/c",
            "arn:aws:s3:::bucket/a/b/c"
        ));
        assert!(resource_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b/c"
        ));
    }

    // shared/kms-semantics.md §9.2: no wildcard in the service segment.
    #[test]
    fn service_segment_is_literal() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/k";
        assert!(!arn_matches("arn:aws:*:us-east-1:111122223333:key/k", key));
        assert!(!arn_matches(
            "arn:aws:km?:us-east-1:111122223333:key/k",
            key
        ));
        assert!(arn_matches("arn:*:kms:*:*:*", key));
    }

    // IAM User Guide, reference_policies_variables.html, "Special characters": a `*` that came
    // from `${*}` is a literal asterisk.
    #[test]
    fn resolved_tokens_keep_literal_stars() {
        let tokens = [
            Token::Char('a'),
            Token::Char('*'),
            Token::Star,
            Token::Char(':'),
            Token::Question,
        ];
        assert!(glob(&tokens[..], "a*xyz:q", CaseMode::Sensitive));
        assert!(!glob(&tokens[..], "abxyz:q", CaseMode::Sensitive));
        assert!(literal_equals(&tokens[..], "a**:?", CaseMode::Sensitive));
        let (before, after) = (&tokens[..]).split_colon().unwrap();
        assert_eq!(before.len(), 3);
        assert_eq!(after, &[Token::Question]);
    }
}
