//! Writing a [`Scenario`] as scenario-file text.
//!
//! Defaults are left out (a principal's default ARN, a key's derived id, the default Region,
//! `Enabled`, `AWS_KMS`, empty lists), so a written file reads like a hand-written one and reading
//! it back gives the same scenario.

use super::{
    ConstraintKind, EditScope, Expectation, KeyEntry, NamedPolicy, OrgPolicyEntry, PolicyText,
    PrincipalEntry, Scenario, SessionPolicyEntry, derived_key_id,
};
use crate::json::{self, write_newline, write_string};
use crate::request::ContextValue;

/// Builds one JSON object member by member, two-space indented.
struct ObjectWriter<'o> {
    out: &'o mut String,
    depth: usize,
    first: bool,
}

impl<'o> ObjectWriter<'o> {
    fn open(out: &'o mut String, depth: usize) -> ObjectWriter<'o> {
        out.push('{');
        ObjectWriter {
            out,
            depth,
            first: true,
        }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_newline(self.depth + 1, self.out);
        write_string(key, self.out);
        self.out.push_str(": ");
        self.out
    }

    fn string(&mut self, key: &str, value: &str) {
        write_string(value, self.key(key));
    }

    fn strings(&mut self, key: &str, values: &[String]) {
        let depth = self.depth + 1;
        let out = self.key(key);
        write_string_list(values, depth, out);
    }

    fn map(&mut self, key: &str, pairs: &[(String, String)]) {
        let depth = self.depth + 1;
        let out = self.key(key);
        let mut map = ObjectWriter::open(out, depth);
        for (k, v) in pairs {
            map.string(k, v);
        }
        map.close();
    }

    fn policy(&mut self, key: &str, policy: &PolicyText) {
        let depth = self.depth + 1;
        let out = self.key(key);
        write_policy(policy, depth, out);
    }

    fn list<T>(&mut self, key: &str, items: &[T], mut each: impl FnMut(&T, usize, &mut String)) {
        let depth = self.depth + 1;
        let out = self.key(key);
        if items.is_empty() {
            out.push_str("[]");
            return;
        }
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_newline(depth + 1, out);
            each(item, depth + 1, out);
        }
        write_newline(depth, out);
        out.push(']');
    }

    fn close(self) {
        if self.first {
            self.out.push('}');
        } else {
            write_newline(self.depth, self.out);
            self.out.push('}');
        }
    }
}

fn write_string_list(values: &[String], depth: usize, out: &mut String) {
    // Short lists of short strings stay on one line, as people write them.
    let short = values.iter().map(|v| v.len() + 4).sum::<usize>() < 80;
    if short {
        out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_string(v, out);
        }
        out.push(']');
        return;
    }
    out.push('[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_newline(depth + 1, out);
        write_string(v, out);
    }
    write_newline(depth, out);
    out.push(']');
}

/// A canonical document (the pretty form of its own JSON) as an object, anything else as a string
/// holding the text exactly.
fn write_policy(policy: &PolicyText, depth: usize, out: &mut String) {
    let canonical = json::parse(&policy.text)
        .value
        .map(|v| v.to_pretty_string())
        .filter(|pretty| *pretty == policy.text);
    match canonical {
        Some(pretty) => {
            let mut indent = String::from("\n");
            for _ in 0..depth {
                indent.push_str("  ");
            }
            // Raw newlines in pretty JSON only ever separate tokens (string newlines are escaped).
            out.push_str(&pretty.replace('\n', &indent));
        }
        None => write_string(&policy.text, out),
    }
}

fn write_principal(p: &PrincipalEntry, account: &str, depth: usize, out: &mut String) {
    let mut w = ObjectWriter::open(out, depth);
    w.string("name", &p.name);
    if p.arn != format!("arn:aws:iam::{account}:user/{}", p.name) {
        w.string("arn", p.arn.as_str());
    }
    if !p.tags.is_empty() {
        w.map("tags", &p.tags);
    }
    if !p.policies.is_empty() {
        w.list("policies", &p.policies, write_named_policy);
    }
    if let Some(boundary) = &p.permissions_boundary {
        w.string("permissions_boundary", boundary);
    }
    if !p.session_policies.is_empty() {
        w.list(
            "session_policies",
            &p.session_policies,
            |sp, depth, out| match sp {
                SessionPolicyEntry::Inline(policy) => write_named_policy(policy, depth, out),
                SessionPolicyEntry::Managed(arn) => {
                    let mut pw = ObjectWriter::open(out, depth);
                    pw.string("arn", arn);
                    pw.close();
                }
            },
        );
    }
    w.close();
}

fn write_named_policy(policy: &NamedPolicy, depth: usize, out: &mut String) {
    let mut pw = ObjectWriter::open(out, depth);
    pw.string("name", &policy.name);
    pw.policy("document", &policy.document);
    pw.close();
}

fn write_org_policy(p: &OrgPolicyEntry, depth: usize, out: &mut String) {
    let mut w = ObjectWriter::open(out, depth);
    w.string("name", &p.name);
    if let Some(id) = &p.id {
        w.string("id", id);
    }
    w.policy("document", &p.document);
    w.strings("targets", &p.targets);
    w.close();
}

/// The `managed_policies`, `groups` and `organization` members.
fn write_iam(scenario: &Scenario, w: &mut ObjectWriter<'_>) {
    let iam = &scenario.iam;
    let holder = |arn: &String| -> String {
        match iam.groups.iter().find(|g| &g.arn == arn) {
            Some(group) => group.name.clone(),
            None => principal_name(scenario, arn).to_owned(),
        }
    };
    if !iam.managed_policies.is_empty() {
        w.list(
            "managed_policies",
            &iam.managed_policies,
            |m, depth, out| {
                let mut mw = ObjectWriter::open(out, depth);
                mw.string("arn", &m.arn);
                mw.policy("document", &m.document);
                if !m.attached_to.is_empty() {
                    let names: Vec<String> = m.attached_to.iter().map(holder).collect();
                    mw.strings("attached_to", &names);
                }
                mw.close();
            },
        );
    }
    if !iam.groups.is_empty() {
        w.list("groups", &iam.groups, |g, depth, out| {
            let mut gw = ObjectWriter::open(out, depth);
            gw.string("name", &g.name);
            if g.arn != format!("arn:aws:iam::{}:group/{}", scenario.account, g.name) {
                gw.string("arn", &g.arn);
            }
            if !g.members.is_empty() {
                let names: Vec<String> = g
                    .members
                    .iter()
                    .map(|m| principal_name(scenario, m.as_str()).to_owned())
                    .collect();
                gw.strings("members", &names);
            }
            if !g.policies.is_empty() {
                gw.list("policies", &g.policies, write_named_policy);
            }
            gw.close();
        });
    }
    if let Some(org) = &iam.organization {
        let depth = w.depth + 1;
        let out = w.key("organization");
        let mut ow = ObjectWriter::open(out, depth);
        if let Some(id) = &org.id {
            ow.string("id", id);
        }
        ow.string("management_account", &org.management_account);
        if !org.accounts.is_empty() {
            ow.strings("accounts", &org.accounts);
        }
        if !org.units.is_empty() {
            ow.list("units", &org.units, |u, depth, out| {
                let mut uw = ObjectWriter::open(out, depth);
                uw.string("id", &u.id);
                if u.name != u.id {
                    uw.string("name", &u.name);
                }
                if u.parent != "root" {
                    uw.string("parent", &u.parent);
                }
                if !u.accounts.is_empty() {
                    uw.strings("accounts", &u.accounts);
                }
                uw.close();
            });
        }
        if !org.scps.is_empty() {
            ow.list("scps", &org.scps, write_org_policy);
        }
        if !org.rcps.is_empty() {
            ow.list("rcps", &org.rcps, write_org_policy);
        }
        ow.close();
    }
}

fn write_key(k: &KeyEntry, scenario: &Scenario, depth: usize, out: &mut String) {
    let mut w = ObjectWriter::open(out, depth);
    w.string("name", &k.name);
    if let Some(primary) = k.replica_of.and_then(|p| scenario.keys.get(p)) {
        // A replica has its primary's key id, spec and origin.
        w.string("replica_of", &primary.name);
        w.string("region", &k.region);
    } else if k.account != scenario.account {
        w.string("arn", &k.arn);
    } else {
        if k.id != derived_key_id(&k.account, &k.region, &k.name) {
            w.string("id", &k.id);
        }
        if k.region != scenario.region {
            w.string("region", &k.region);
        }
    }
    if !k.aliases.is_empty() {
        w.strings("aliases", &k.aliases);
    }
    if !k.description.is_empty() {
        w.string("description", &k.description);
    }
    if k.state != "Enabled" {
        w.string("state", k.state);
    }
    if k.origin != "AWS_KMS" && k.replica_of.is_none() {
        w.string("origin", k.origin);
    }
    if k.spec != crate::catalog::KeySpec::SymmetricDefault && k.replica_of.is_none() {
        w.string("key_spec", k.spec.as_str());
        w.string("key_usage", k.spec.row().usage_name);
    }
    if !k.tags.is_empty() {
        w.map("tags", &k.tags);
    }
    if let Some(policy) = &k.policy {
        w.policy("policy", policy);
    }
    w.close();
}

/// How an expectation or grant names a principal: its name when declared, else its ARN.
fn principal_name<'s>(scenario: &'s Scenario, arn: &'s str) -> &'s str {
    scenario
        .principals
        .iter()
        .find(|p| p.arn == arn)
        .map_or(arn, |p| p.name.as_str())
}

fn write_expectation(scenario: &Scenario, e: &Expectation, depth: usize, out: &mut String) {
    let mut ew = ObjectWriter::open(out, depth);
    ew.string(
        "principal",
        scenario
            .principals
            .get(e.principal)
            .map_or("", |p| p.name.as_str()),
    );
    // A key named by alias stays named so: the request carries `kms:RequestAlias`.
    let key_name = scenario.keys.get(e.key).map_or("", |k| k.name.as_str());
    ew.string("key", e.request_alias.as_deref().unwrap_or(key_name));
    ew.string("action", &e.action);
    if !e.context.is_empty() {
        let depth = ew.depth + 1;
        let out = ew.key("context");
        let mut cw = ObjectWriter::open(out, depth);
        for (k, v) in &e.context {
            match v {
                ContextValue::Single(s) => cw.string(k, s),
                ContextValue::Multi(values) => cw.strings(k, values),
            }
        }
        cw.close();
    }
    if !e.grant_tokens.is_empty() {
        ew.strings("grant_tokens", &e.grant_tokens);
    }
    ew.string("decision", e.decision.as_str());
    ew.close();
}

impl Scenario {
    /// The scenario as scenario-file text (two-space indented JSON, ending with a newline).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        let mut w = ObjectWriter::open(&mut out, 0);
        if let Some(name) = &self.name {
            w.string("name", name);
        }
        if let Some(description) = &self.description {
            w.string("description", description);
        }
        w.string("account", &self.account);
        w.string("region", &self.region);
        let account = self.account.clone();
        w.list("principals", &self.principals, |p, depth, out| {
            write_principal(p, &account, depth, out);
        });
        w.list("keys", &self.keys, |k, depth, out| {
            write_key(k, self, depth, out)
        });
        if !self.grants.is_empty() {
            w.list("grants", &self.grants, |g, depth, out| {
                let mut gw = ObjectWriter::open(out, depth);
                gw.string("key", self.keys.get(g.key).map_or("", |k| k.name.as_str()));
                gw.string("grantee", principal_name(self, &g.grantee));
                gw.strings("operations", &g.operations);
                if !g.constraints.is_empty() {
                    let depth = gw.depth + 1;
                    let out = gw.key("constraints");
                    let mut cw = ObjectWriter::open(out, depth);
                    for c in &g.constraints {
                        let name = match c.kind {
                            ConstraintKind::Subset => "EncryptionContextSubset",
                            ConstraintKind::Equals => "EncryptionContextEquals",
                        };
                        cw.map(name, &c.pairs);
                    }
                    cw.close();
                }
                if let Some(r) = &g.retiring_principal {
                    gw.string("retiring_principal", principal_name(self, r));
                }
                if let Some(name) = &g.name {
                    gw.string("name", name);
                }
                gw.close();
            });
        }
        write_iam(self, &mut w);
        if !self.actions.is_empty() {
            w.strings("actions", &self.actions);
        }
        for (field, list) in [("expect", &self.expect), ("goals", &self.exercise.goals)] {
            if !list.is_empty() {
                w.list(field, list, |e, depth, out| {
                    write_expectation(self, e, depth, out)
                });
            }
        }
        if let Some(scopes) = &self.exercise.may_edit {
            let entries: Vec<String> = scopes.iter().map(EditScope::entry).collect();
            w.strings("may_edit", &entries);
        }
        if !self.exercise.must_not.is_empty() {
            w.list("must_not", &self.exercise.must_not, |e, depth, out| {
                write_expectation(self, e, depth, out)
            });
        }
        w.close();
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

    /// Spans say where things were in the text they came from; a rewritten file moves them.
    fn without_spans(mut s: Scenario) -> Scenario {
        for p in &mut s.principals {
            p.span = Span::default();
            for policy in &mut p.policies {
                policy.document.span = Span::default();
            }
        }
        for k in &mut s.keys {
            k.span = Span::default();
            if let Some(policy) = &mut k.policy {
                policy.span = Span::default();
            }
        }
        for g in &mut s.grants {
            g.span = Span::default();
        }
        for e in &mut s.expect {
            e.span = Span::default();
        }
        s
    }

    const SAMPLE: &str = r#"{
  "name": "Round trip",
  "account": "111122223333",
  "principals": [
    {"name": "Alice", "tags": {"dept": "eng"},
     "policies": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}]}}]},
    {"name": "Ops", "arn": "arn:aws:iam::111122223333:role/Ops",
     "policies": [{"name": "q", "document": "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"kms:*\",\"Resource\":\"*\"}}"}]},
    {"name": "ops-session", "arn": "arn:aws:sts::111122223333:assumed-role/Ops/s1"},
    {"name": "Partner", "arn": "arn:aws:iam::444455556666:root"}
  ],
  "keys": [
    {"name": "K1", "aliases": ["alias/one", "alias/uno"], "description": "first", "tags": {"team": "blue"}},
    {"name": "K2", "id": "1234abcd-12ab-34cd-56ef-1234567890ab", "region": "eu-west-2", "state": "Disabled", "origin": "EXTERNAL",
     "policy": {"Version": "2012-10-17", "Statement": [{"Sid": "x", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}},
    {"name": "K3", "arn": "arn:aws:kms:us-east-1:444455556666:key/0000abcd-12ab-34cd-56ef-1234567890ab"}
  ],
  "grants": [{"key": "K1", "grantee": "Partner", "operations": ["Encrypt"], "constraints": {"EncryptionContextEquals": {"a": "b"}}, "retiring_principal": "Alice", "name": "g"}],
  "actions": ["kms:Encrypt"],
  "expect": [{"principal": "ops-session", "key": "alias/uno", "action": "kms:Decrypt", "context": {"kms:EncryptionContextKeys": ["a", "b"], "aws:SourceIp": "10.0.0.1"}, "grant_tokens": ["t"], "decision": "explicit-deny"}]
}"#;

    #[test]
    fn writing_then_reading_gives_the_same_scenario_and_the_same_text() {
        let first = Scenario::parse(SAMPLE).unwrap();
        let text = first.to_json();
        let second = Scenario::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(without_spans(first), without_spans(second.clone()));
        assert_eq!(second.to_json(), text);
        // Defaults are left out; a document written as a string stays a string.
        assert!(!text.contains("\"state\": \"Enabled\""));
        assert!(text.contains("\"state\": \"Disabled\""));
        assert!(text.contains(r#""document": "{\"Version\":\"2012-10-17\",\"Statement\""#));
        assert!(text.contains("\"arn\": \"arn:aws:kms:us-east-1:444455556666:key/0000abcd"));
        assert!(!text.contains("\"id\": \"") || text.contains("\"id\": \"1234abcd"));
    }
}
