//! The AWS CLI's shorthand syntax for structured options: `k=v,k2=v2`, `Key={a=b}`, `Key=[x,y]`,
//! quoted values, and `a=b,c` for a list (AWS CLI User Guide, cli-usage-shorthand.html).
//!
//! The grammar is the one the AWS CLI documents; errors point at the offending character the way
//! the AWS CLI prints them (`Expected: '=', received: 'EOF' for input:` and a caret).

use std::fmt;

/// A parsed shorthand value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shorthand {
    /// A scalar, always text.
    Text(String),
    /// `[a,b]` or `a,b` after a key.
    List(Vec<Shorthand>),
    /// `k=v,...` or `{k=v,...}`, in written order.
    Map(Vec<(String, Shorthand)>),
}

/// A syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShorthandError {
    message: String,
}

impl fmt::Display for ShorthandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShorthandError {}

/// Parses `input` as `key=value[,key=value...]`.
pub fn parse(input: &str) -> Result<Shorthand, ShorthandError> {
    let mut p = Parser {
        chars: input.chars().collect(),
        input,
        pos: 0,
    };
    let mut pairs: Vec<(String, Shorthand)> = Vec::new();
    let (key, value) = p.keyval()?;
    pairs.push((key, value));
    let mut last = p.pos;
    while !p.at_eof() {
        p.expect(',', true)?;
        let (key, value) = p.keyval()?;
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err(ShorthandError {
                message: format!(
                    "Second instance of key \"{key}\" encountered for input:\n{}\nThis is often because there is a preceding \",\" instead of a space.",
                    p.location(last + 1)
                ),
            });
        }
        pairs.push((key, value));
        last = p.pos;
    }
    Ok(Shorthand::Map(pairs))
}

struct Parser<'a> {
    chars: Vec<char>,
    input: &'a str,
    pos: usize,
}

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '#' | '/' | ':')
}

/// Characters that may start an unquoted value.
fn start_char(c: char) -> bool {
    !matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | '"' | '\'' | ',' | '=' | '[' | '{'
    ) && u32::from(c) >= 0x21
}

/// Characters that may continue the first value after a key (it may hold `=` and spaces).
fn first_follow(c: char) -> bool {
    c.is_whitespace() || (!matches!(c, '"' | '\'' | ',' | ']' | '}') && u32::from(c) >= 0x21)
}

/// Characters that may continue a later value of a list (a `=` ends it: it starts the next key).
fn second_follow(c: char) -> bool {
    c.is_whitespace() || (!matches!(c, '"' | '\'' | ',' | '=') && u32::from(c) >= 0x21)
}

impl Parser<'_> {
    fn at_eof(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn current(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.current().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// The input with a caret under character `index`, as the AWS CLI prints it.
    fn location(&self, index: usize) -> String {
        let before: String = self.chars.iter().take(index).collect();
        let (consumed, remaining) = match self.chars.iter().skip(index).position(|&c| c == '\n') {
            Some(n) => {
                let split = index + n;
                (
                    self.chars.iter().take(split).collect::<String>(),
                    self.chars.iter().skip(split).collect::<String>(),
                )
            }
            None => (self.input.to_owned(), String::new()),
        };
        let spaces = match before.rfind('\n') {
            Some(nl) => before.get(nl + 1..).map_or(0, |s| s.chars().count()),
            None => index,
        };
        format!("{consumed}\n{}^{remaining}", " ".repeat(spaces))
    }

    fn syntax(&self, expected: &str, index: usize) -> ShorthandError {
        let actual = self
            .chars
            .get(index)
            .map_or_else(|| "EOF".to_owned(), char::to_string);
        ShorthandError {
            message: format!(
                "Expected: '{expected}', received: '{actual}' for input:\n{}",
                self.location(index)
            ),
        }
    }

    fn expect(&mut self, c: char, ws: bool) -> Result<(), ShorthandError> {
        if ws {
            self.skip_ws();
        }
        if self.current() != Some(c) {
            return Err(self.syntax(&c.to_string(), self.pos));
        }
        self.pos += 1;
        if ws {
            self.skip_ws();
        }
        Ok(())
    }

    fn keyval(&mut self) -> Result<(String, Shorthand), ShorthandError> {
        let key = self.key();
        self.expect('=', true)?;
        Ok((key, self.values()?))
    }

    fn key(&mut self) -> String {
        let start = self.pos;
        while self.current().is_some_and(key_char) {
            self.pos += 1;
        }
        self.chars
            .get(start..self.pos)
            .unwrap_or(&[])
            .iter()
            .collect()
    }

    fn values(&mut self) -> Result<Shorthand, ShorthandError> {
        match self.current() {
            None => Ok(Shorthand::Text(String::new())),
            Some('[') => self.list(),
            Some('{') => self.hash(),
            Some(_) => self.csv(),
        }
    }

    fn csv(&mut self) -> Result<Shorthand, ShorthandError> {
        let first = self.first_value()?;
        self.skip_ws();
        if self.current() != Some(',') {
            return Ok(Shorthand::Text(first));
        }
        self.expect(',', true)?;
        let mut items = vec![first.clone()];
        loop {
            let comma = self.pos;
            match self.second_value() {
                Ok(value) => {
                    self.skip_ws();
                    if self.at_eof() {
                        items.push(value);
                        break;
                    }
                    if self.current() == Some(',') {
                        self.expect(',', true)?;
                        items.push(value);
                        continue;
                    }
                    // What we read was the next key: give it back, from its comma on.
                    self.pos = self.comma_before(comma);
                    break;
                }
                Err(e) if self.at_eof() => return Err(e),
                Err(_) => {
                    self.pos = self.comma_before(comma);
                    break;
                }
            }
        }
        if items.len() == 1 {
            return Ok(Shorthand::Text(first));
        }
        Ok(Shorthand::List(
            items.into_iter().map(Shorthand::Text).collect(),
        ))
    }

    fn comma_before(&self, from: usize) -> usize {
        let mut i = from;
        while i > 0 {
            i -= 1;
            if self.chars.get(i) == Some(&',') {
                return i;
            }
        }
        from
    }

    fn first_value(&mut self) -> Result<String, ShorthandError> {
        match self.current() {
            Some('\'') => self.quoted('\''),
            Some('"') => self.quoted('"'),
            Some(c) if start_char(c) || c == '\\' => Ok(self.run(first_follow)),
            _ => Ok(String::new()),
        }
    }

    fn second_value(&mut self) -> Result<String, ShorthandError> {
        match self.current() {
            Some('\'') => self.quoted('\''),
            Some('"') => self.quoted('"'),
            Some(c) if start_char(c) || c == '\\' => Ok(self.run(second_follow)),
            _ => Err(self.syntax("<second>", self.pos)),
        }
    }

    /// Reads an unquoted value: a start character, then characters `follow` accepts; `\,` is a comma.
    fn run(&mut self, follow: fn(char) -> bool) -> String {
        let mut out = String::new();
        let mut first = true;
        while let Some(c) = self.current() {
            if c == '\\' && self.chars.get(self.pos + 1) == Some(&',') {
                out.push(',');
                self.pos += 2;
            } else if (first && (start_char(c) || c == '\\')) || (!first && follow(c)) {
                out.push(c);
                self.pos += 1;
            } else {
                break;
            }
            first = false;
        }
        out.trim_end().to_owned()
    }

    fn quoted(&mut self, q: char) -> Result<String, ShorthandError> {
        let start = self.pos;
        self.pos += 1;
        let mut raw = String::new();
        loop {
            match self.current() {
                None => {
                    let name = if q == '\'' {
                        "singled quoted"
                    } else {
                        "double quoted"
                    };
                    let err = ShorthandError {
                        message: format!(
                            "Expected: '<{name}>', received: '<none>' for input:\n{}",
                            self.location(start)
                        ),
                    };
                    self.pos = start;
                    return Err(err);
                }
                Some('\\') if self.chars.get(self.pos + 1) == Some(&q) => {
                    raw.push('\\');
                    raw.push(q);
                    self.pos += 2;
                }
                Some(c) if c == q => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    raw.push(c);
                    self.pos += 1;
                }
            }
        }
        Ok(raw
            .replace(&format!("\\{q}"), &q.to_string())
            .replace("\\\\", "\\"))
    }

    fn list(&mut self) -> Result<Shorthand, ShorthandError> {
        self.expect('[', true)?;
        let mut items = Vec::new();
        while self.current() != Some(']') {
            if self.at_eof() {
                return Err(self.syntax("]", self.pos));
            }
            items.push(self.explicit_value()?);
            self.skip_ws();
            if self.current() != Some(']') {
                self.expect(',', false)?;
                self.skip_ws();
            }
        }
        self.expect(']', false)?;
        Ok(Shorthand::List(items))
    }

    fn explicit_value(&mut self) -> Result<Shorthand, ShorthandError> {
        match self.current() {
            Some('[') => self.list(),
            Some('{') => self.hash(),
            _ => Ok(Shorthand::Text(self.first_value()?)),
        }
    }

    fn hash(&mut self) -> Result<Shorthand, ShorthandError> {
        self.expect('{', true)?;
        let mut pairs = Vec::new();
        while self.current() != Some('}') {
            if self.at_eof() {
                return Err(self.syntax("}", self.pos));
            }
            let key = self.key();
            self.expect('=', true)?;
            let value = self.explicit_value()?;
            self.skip_ws();
            if self.current() != Some('}') {
                self.expect(',', false)?;
                self.skip_ws();
            }
            pairs.push((key, value));
        }
        self.expect('}', false)?;
        Ok(Shorthand::Map(pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Shorthand {
        Shorthand::Text(s.to_owned())
    }

    fn map(pairs: &[(&str, Shorthand)]) -> Shorthand {
        Shorthand::Map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    /// Expected values are what the AWS CLI's own shorthand parser returns for the same input
    /// (aws-cli 1.46.3, `awscli.shorthand.ShorthandParser`).
    #[test]
    fn parses_as_the_aws_cli_does() {
        assert_eq!(
            parse("dept=eng,project=x").unwrap(),
            map(&[("dept", text("eng")), ("project", text("x"))])
        );
        assert_eq!(
            parse("EncryptionContextSubset={dept=eng,x=y}").unwrap(),
            map(&[(
                "EncryptionContextSubset",
                map(&[("dept", text("eng")), ("x", text("y"))])
            )])
        );
        assert_eq!(
            parse("a=b,c,d").unwrap(),
            map(&[("a", Shorthand::List(vec![text("b"), text("c"), text("d")]))])
        );
        assert_eq!(
            parse("a='x,y',b=\"q\"").unwrap(),
            map(&[("a", text("x,y")), ("b", text("q"))])
        );
        assert_eq!(parse("a=").unwrap(), map(&[("a", text(""))]));
        assert_eq!(parse("a=b c").unwrap(), map(&[("a", text("b c"))]));
        assert_eq!(
            parse("a=[1,2],b={c=d}").unwrap(),
            map(&[
                ("a", Shorthand::List(vec![text("1"), text("2")])),
                ("b", map(&[("c", text("d"))]))
            ])
        );
        assert_eq!(parse("k=v=w").unwrap(), map(&[("k", text("v=w"))]));
        assert_eq!(parse("k=a\\,b").unwrap(), map(&[("k", text("a,b"))]));
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(
            parse("dept").unwrap_err().to_string(),
            "Expected: '=', received: 'EOF' for input:\ndept\n    ^"
        );
        assert_eq!(
            parse("a=b,a=c").unwrap_err().to_string(),
            "Second instance of key \"a\" encountered for input:\na=b,a=c\n    ^\nThis is often because there is a preceding \",\" instead of a space."
        );
        assert!(parse("a={b=c").is_err());
        assert!(parse("a='open").is_err());
    }
}
