//! The JMESPath expressions `--query` accepts (JMESPath specification, jmespath.org/specification.html).
//!
//! Covered: identifiers (bare and `"quoted"`), sub-expressions `A.B`, indexes `List[0]` and
//! `List[-1]`, list projections `List[*].Field`, object projections `*.Field`, flattening `[]`,
//! filters `List[?Field=='value']` with `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, `!`,
//! parentheses, multi-select lists `[A, B]` and hashes `{Name: A}`, pipes `|`, `@`, and literals
//! (`'raw'` and `` `json` ``). That is every form the AWS CLI documentation's KMS examples use.
//! Functions and slices are not covered; they are reported as errors, never misread.

use serde_json::Value;
use std::fmt;

/// A parsed `--query` expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    ast: Node,
}

/// Why an expression could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// What went wrong.
    pub message: String,
    /// 0-based character column of the offending token.
    pub column: usize,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: Parse error at column {}", self.message, self.column)
    }
}

impl std::error::Error for QueryError {}

impl Query {
    /// Parses `expression`.
    pub fn parse(expression: &str) -> Result<Query, QueryError> {
        let tokens = tokenize(expression)?;
        let mut parser = Parser { tokens, pos: 0 };
        let ast = parser.expression(0)?;
        match parser.peek() {
            Tok::Eof => Ok(Query { ast }),
            other => Err(parser.error(format!("Unexpected token: {}", other.describe()))),
        }
    }

    /// Evaluates the expression against `value`.
    pub fn search(&self, value: &Value) -> Value {
        eval(&self.ast, value)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Identity,
    Field(String),
    Literal(Value),
    Sub(Box<Node>, Box<Node>),
    Index(Box<Node>, i64),
    Projection(Box<Node>, Box<Node>),
    ValueProjection(Box<Node>, Box<Node>),
    Filter(Box<Node>, Box<Node>, Box<Node>),
    Flatten(Box<Node>),
    Pipe(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Compare(Cmp, Box<Node>, Box<Node>),
    List(Vec<Node>),
    Hash(Vec<(String, Node)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Quoted(String),
    Literal(Value),
    Number(i64),
    Dot,
    Star,
    Flatten,
    LBracket,
    Filter,
    RBracket,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Colon,
    Pipe,
    Or,
    And,
    Not,
    At,
    Cmp(Cmp),
    Eof,
}

impl Tok {
    fn binding_power(&self) -> u8 {
        match self {
            Tok::Pipe => 1,
            Tok::Or => 2,
            Tok::And => 3,
            Tok::Cmp(_) => 5,
            Tok::Flatten => 9,
            Tok::Star => 20,
            Tok::Filter => 21,
            Tok::Dot => 40,
            Tok::Not => 45,
            Tok::LBrace => 50,
            Tok::LBracket => 55,
            Tok::LParen => 60,
            _ => 0,
        }
    }

    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) | Tok::Quoted(s) => format!("\"{s}\""),
            Tok::Literal(v) => v.to_string(),
            Tok::Number(n) => n.to_string(),
            Tok::Eof => "EOF".to_owned(),
            Tok::Dot => ".".to_owned(),
            Tok::Star => "*".to_owned(),
            Tok::Flatten => "[]".to_owned(),
            Tok::LBracket => "[".to_owned(),
            Tok::Filter => "[?".to_owned(),
            Tok::RBracket => "]".to_owned(),
            Tok::LBrace => "{".to_owned(),
            Tok::RBrace => "}".to_owned(),
            Tok::LParen => "(".to_owned(),
            Tok::RParen => ")".to_owned(),
            Tok::Comma => ",".to_owned(),
            Tok::Colon => ":".to_owned(),
            Tok::Pipe => "|".to_owned(),
            Tok::Or => "||".to_owned(),
            Tok::And => "&&".to_owned(),
            Tok::Not => "!".to_owned(),
            Tok::At => "@".to_owned(),
            Tok::Cmp(c) => match c {
                Cmp::Eq => "==",
                Cmp::Ne => "!=",
                Cmp::Lt => "<",
                Cmp::Le => "<=",
                Cmp::Gt => ">",
                Cmp::Ge => ">=",
            }
            .to_owned(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<(Tok, usize)>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |message: String, column: usize| QueryError { message, column };
    while let Some(&c) = chars.get(i) {
        let start = i;
        let next = chars.get(i + 1).copied();
        let (tok, len) = match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '.' => (Tok::Dot, 1),
            '*' => (Tok::Star, 1),
            '[' => match next {
                Some(']') => (Tok::Flatten, 2),
                Some('?') => (Tok::Filter, 2),
                _ => (Tok::LBracket, 1),
            },
            ']' => (Tok::RBracket, 1),
            '{' => (Tok::LBrace, 1),
            '}' => (Tok::RBrace, 1),
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ',' => (Tok::Comma, 1),
            ':' => (Tok::Colon, 1),
            '@' => (Tok::At, 1),
            '|' if next == Some('|') => (Tok::Or, 2),
            '|' => (Tok::Pipe, 1),
            '&' if next == Some('&') => (Tok::And, 2),
            '!' if next == Some('=') => (Tok::Cmp(Cmp::Ne), 2),
            '!' => (Tok::Not, 1),
            '=' if next == Some('=') => (Tok::Cmp(Cmp::Eq), 2),
            '<' if next == Some('=') => (Tok::Cmp(Cmp::Le), 2),
            '<' => (Tok::Cmp(Cmp::Lt), 1),
            '>' if next == Some('=') => (Tok::Cmp(Cmp::Ge), 2),
            '>' => (Tok::Cmp(Cmp::Gt), 1),
            '\'' | '`' | '"' => {
                let mut j = i + 1;
                let mut body = String::new();
                loop {
                    match chars.get(j) {
                        None => return Err(err(format!("Unclosed {c} delimiter"), start)),
                        Some(&d) if d == c => break,
                        Some('\\') if chars.get(j + 1) == Some(&c) && c != '"' => {
                            body.push(c);
                            j += 2;
                        }
                        Some('\\') if c == '"' => {
                            body.push('\\');
                            if let Some(&e) = chars.get(j + 1) {
                                body.push(e);
                            }
                            j += 2;
                        }
                        Some(&d) => {
                            body.push(d);
                            j += 1;
                        }
                    }
                }
                let tok = match c {
                    '\'' => Tok::Literal(Value::String(body)),
                    '"' => match serde_json::from_str::<String>(&format!("\"{body}\"")) {
                        Ok(s) => Tok::Quoted(s),
                        Err(_) => {
                            return Err(err(
                                format!("Invalid quoted identifier \"{body}\""),
                                start,
                            ));
                        }
                    },
                    // Like the AWS CLI's JMESPath library, a literal that is not JSON is read
                    // as a string (the deprecated `` `foo` `` form the AWS docs still use).
                    _ => match serde_json::from_str::<Value>(body.trim()).or_else(|_| {
                        serde_json::from_str::<Value>(&format!("\"{}\"", body.trim_start()))
                    }) {
                        Ok(v) => Tok::Literal(v),
                        Err(_) => return Err(err(format!("Bad token `{body}`"), start)),
                    },
                };
                (tok, j + 1 - i)
            }
            '-' | '0'..='9' => {
                let mut j = i + 1;
                while chars.get(j).is_some_and(char::is_ascii_digit) {
                    j += 1;
                }
                let digits: String = chars.get(i..j).unwrap_or(&[]).iter().collect();
                match digits.parse::<i64>() {
                    Ok(n) => (Tok::Number(n), j - i),
                    Err(_) => return Err(err(format!("Unknown token '{digits}'"), start)),
                }
            }
            c if c == '_' || c.is_ascii_alphabetic() => {
                let mut j = i + 1;
                while chars
                    .get(j)
                    .is_some_and(|&c| c == '_' || c.is_ascii_alphanumeric())
                {
                    j += 1;
                }
                (
                    Tok::Ident(chars.get(i..j).unwrap_or(&[]).iter().collect()),
                    j - i,
                )
            }
            other => return Err(err(format!("Unknown token '{other}'"), start)),
        };
        out.push((tok, start));
        i += len;
    }
    out.push((Tok::Eof, chars.len()));
    Ok(out)
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
}

const PROJECTION_STOP: u8 = 10;

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).map_or(&Tok::Eof, |(t, _)| t)
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        self.tokens
            .get(self.pos + ahead)
            .map_or(&Tok::Eof, |(t, _)| t)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.pos).map_or(0, |(_, c)| *c)
    }

    fn advance(&mut self) -> Tok {
        let tok = self.peek().clone();
        self.pos += 1;
        tok
    }

    fn error(&self, message: String) -> QueryError {
        QueryError {
            message,
            column: self.column(),
        }
    }

    fn expect(&mut self, want: &Tok) -> Result<(), QueryError> {
        if self.peek() == want {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(format!(
                "Expecting: {}, got: {}",
                want.describe(),
                self.peek().describe()
            )))
        }
    }

    fn expression(&mut self, bp: u8) -> Result<Node, QueryError> {
        let mut left = self.nud()?;
        while bp < self.peek().binding_power() {
            left = self.led(left)?;
        }
        Ok(left)
    }

    fn nud(&mut self) -> Result<Node, QueryError> {
        let column = self.column();
        match self.advance() {
            Tok::Ident(name) | Tok::Quoted(name) => {
                if self.peek() == &Tok::LParen {
                    return Err(QueryError {
                        message: format!("function `{name}()` is not supported by this emulator"),
                        column,
                    });
                }
                Ok(Node::Field(name))
            }
            Tok::Literal(v) => Ok(Node::Literal(v)),
            Tok::At => Ok(Node::Identity),
            Tok::Star => {
                let right = self.projection_rhs(Tok::Star.binding_power())?;
                Ok(Node::ValueProjection(
                    Box::new(Node::Identity),
                    Box::new(right),
                ))
            }
            Tok::Filter => self.filter(Node::Identity),
            Tok::Flatten => {
                let right = self.projection_rhs(Tok::Flatten.binding_power())?;
                Ok(Node::Projection(
                    Box::new(Node::Flatten(Box::new(Node::Identity))),
                    Box::new(right),
                ))
            }
            Tok::LBracket => match self.peek() {
                Tok::Number(_) | Tok::Colon => self.index(Node::Identity),
                Tok::Star if self.peek_at(1) == &Tok::RBracket => {
                    self.pos += 2;
                    let right = self.projection_rhs(Tok::Star.binding_power())?;
                    Ok(Node::Projection(Box::new(Node::Identity), Box::new(right)))
                }
                _ => self.multi_select_list(),
            },
            Tok::LBrace => self.multi_select_hash(),
            Tok::Not => Ok(Node::Not(Box::new(
                self.expression(Tok::Not.binding_power())?,
            ))),
            Tok::LParen => {
                let inner = self.expression(0)?;
                self.expect(&Tok::RParen)?;
                Ok(inner)
            }
            other => Err(QueryError {
                message: format!("Invalid token: {}", other.describe()),
                column,
            }),
        }
    }

    fn led(&mut self, left: Node) -> Result<Node, QueryError> {
        let tok = self.advance();
        match tok {
            Tok::Dot => {
                if self.peek() == &Tok::Star {
                    self.pos += 1;
                    let right = self.projection_rhs(Tok::Star.binding_power())?;
                    return Ok(Node::ValueProjection(Box::new(left), Box::new(right)));
                }
                let right = self.dot_rhs(Tok::Dot.binding_power())?;
                Ok(Node::Sub(Box::new(left), Box::new(right)))
            }
            Tok::Pipe => Ok(Node::Pipe(Box::new(left), Box::new(self.expression(1)?))),
            Tok::Or => Ok(Node::Or(Box::new(left), Box::new(self.expression(2)?))),
            Tok::And => Ok(Node::And(Box::new(left), Box::new(self.expression(3)?))),
            Tok::Cmp(op) => Ok(Node::Compare(
                op,
                Box::new(left),
                Box::new(self.expression(5)?),
            )),
            Tok::LBracket => match self.peek() {
                Tok::Number(_) | Tok::Colon => self.index(left),
                _ => {
                    self.expect(&Tok::Star)?;
                    self.expect(&Tok::RBracket)?;
                    let right = self.projection_rhs(Tok::Star.binding_power())?;
                    Ok(Node::Projection(Box::new(left), Box::new(right)))
                }
            },
            Tok::Filter => self.filter(left),
            Tok::Flatten => {
                let right = self.projection_rhs(Tok::Flatten.binding_power())?;
                Ok(Node::Projection(
                    Box::new(Node::Flatten(Box::new(left))),
                    Box::new(right),
                ))
            }
            Tok::LParen => {
                Err(self.error("function calls are not supported by this emulator".to_owned()))
            }
            other => Err(self.error(format!("Unexpected token: {}", other.describe()))),
        }
    }

    fn index(&mut self, left: Node) -> Result<Node, QueryError> {
        match self.advance() {
            Tok::Number(n) if self.peek() == &Tok::RBracket => {
                self.pos += 1;
                Ok(Node::Index(Box::new(left), n))
            }
            _ => Err(self.error("slices are not supported by this emulator".to_owned())),
        }
    }

    fn filter(&mut self, left: Node) -> Result<Node, QueryError> {
        let condition = self.expression(0)?;
        self.expect(&Tok::RBracket)?;
        let right = self.projection_rhs(Tok::Filter.binding_power())?;
        Ok(Node::Filter(
            Box::new(left),
            Box::new(right),
            Box::new(condition),
        ))
    }

    fn projection_rhs(&mut self, bp: u8) -> Result<Node, QueryError> {
        match self.peek() {
            t if t.binding_power() < PROJECTION_STOP => Ok(Node::Identity),
            Tok::LBracket | Tok::Filter => self.expression(bp),
            Tok::Dot => {
                self.pos += 1;
                self.dot_rhs(bp)
            }
            other => Err(self.error(format!(
                "Syntax error, unexpected token: {}",
                other.describe()
            ))),
        }
    }

    fn dot_rhs(&mut self, bp: u8) -> Result<Node, QueryError> {
        match self.peek() {
            Tok::Ident(_) | Tok::Quoted(_) => self.expression(bp),
            Tok::LBracket => {
                self.pos += 1;
                self.multi_select_list()
            }
            Tok::LBrace => {
                self.pos += 1;
                self.multi_select_hash()
            }
            other => Err(self.error(format!(
                "Expecting: quoted_identifier, unquoted_identifier, lbracket, lbrace, got: {}",
                other.describe()
            ))),
        }
    }

    fn multi_select_list(&mut self) -> Result<Node, QueryError> {
        let mut items = vec![self.expression(0)?];
        while self.peek() == &Tok::Comma {
            self.pos += 1;
            items.push(self.expression(0)?);
        }
        self.expect(&Tok::RBracket)?;
        Ok(Node::List(items))
    }

    fn multi_select_hash(&mut self) -> Result<Node, QueryError> {
        let mut pairs = Vec::new();
        loop {
            let key = match self.advance() {
                Tok::Ident(k) | Tok::Quoted(k) => k,
                other => {
                    self.pos -= 1;
                    return Err(self.error(format!(
                        "Expecting: quoted_identifier, unquoted_identifier, got: {}",
                        other.describe()
                    )));
                }
            };
            self.expect(&Tok::Colon)?;
            pairs.push((key, self.expression(0)?));
            if self.peek() == &Tok::Comma {
                self.pos += 1;
            } else {
                self.expect(&Tok::RBrace)?;
                return Ok(Node::Hash(pairs));
            }
        }
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(_) => true,
    }
}

fn project(items: Vec<&Value>, right: &Node) -> Value {
    Value::Array(
        items
            .into_iter()
            .map(|item| eval(right, item))
            .filter(|v| !v.is_null())
            .collect(),
    )
}

fn eval(node: &Node, value: &Value) -> Value {
    match node {
        Node::Identity => value.clone(),
        Node::Field(name) => value.get(name.as_str()).cloned().unwrap_or(Value::Null),
        Node::Literal(v) => v.clone(),
        Node::Sub(a, b) | Node::Pipe(a, b) => eval(b, &eval(a, value)),
        Node::Index(left, n) => match eval(left, value) {
            Value::Array(items) => {
                let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                let at = if *n < 0 { len + n } else { *n };
                usize::try_from(at)
                    .ok()
                    .and_then(|i| items.get(i).cloned())
                    .unwrap_or(Value::Null)
            }
            _ => Value::Null,
        },
        Node::Projection(left, right) => match eval(left, value) {
            Value::Array(items) => project(items.iter().collect(), right),
            _ => Value::Null,
        },
        Node::ValueProjection(left, right) => match eval(left, value) {
            Value::Object(map) => project(map.values().collect(), right),
            _ => Value::Null,
        },
        Node::Filter(left, right, condition) => match eval(left, value) {
            Value::Array(items) => project(
                items
                    .iter()
                    .filter(|item| truthy(&eval(condition, item)))
                    .collect(),
                right,
            ),
            _ => Value::Null,
        },
        Node::Flatten(inner) => match eval(inner, value) {
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::Array(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                Value::Array(out)
            }
            _ => Value::Null,
        },
        Node::Or(a, b) => {
            let left = eval(a, value);
            if truthy(&left) { left } else { eval(b, value) }
        }
        Node::And(a, b) => {
            let left = eval(a, value);
            if truthy(&left) { eval(b, value) } else { left }
        }
        Node::Not(inner) => Value::Bool(!truthy(&eval(inner, value))),
        Node::Compare(op, a, b) => compare(*op, &eval(a, value), &eval(b, value)),
        Node::List(items) => {
            if value.is_null() {
                return Value::Null;
            }
            Value::Array(items.iter().map(|n| eval(n, value)).collect())
        }
        Node::Hash(pairs) => {
            if value.is_null() {
                return Value::Null;
            }
            Value::Object(
                pairs
                    .iter()
                    .map(|(k, n)| (k.clone(), eval(n, value)))
                    .collect(),
            )
        }
    }
}

fn compare(op: Cmp, a: &Value, b: &Value) -> Value {
    match op {
        Cmp::Eq => Value::Bool(a == b),
        Cmp::Ne => Value::Bool(a != b),
        _ => match (a.as_f64(), b.as_f64()) {
            // Ordering comparisons are defined on numbers only; anything else is null.
            (Some(x), Some(y)) => Value::Bool(match op {
                Cmp::Lt => x < y,
                Cmp::Le => x <= y,
                Cmp::Gt => x > y,
                _ => x >= y,
            }),
            _ => Value::Null,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(expr: &str, doc: &Value) -> Value {
        Query::parse(expr).unwrap().search(doc)
    }

    fn grants() -> Value {
        json!({
            "Grants": [
                {"GrantId": "g1", "Operations": ["Encrypt", "Decrypt"], "GranteePrincipal": "bob", "Constraints": {"EncryptionContextSubset": {"dept": "eng"}}},
                {"GrantId": "g2", "Operations": ["Decrypt"], "GranteePrincipal": "carol"}
            ],
            "Truncated": false
        })
    }

    #[test]
    fn the_forms_the_aws_docs_use() {
        let doc = grants();
        assert_eq!(q("Truncated", &doc), json!(false));
        assert_eq!(q("Grants[0].GrantId", &doc), json!("g1"));
        assert_eq!(q("Grants[-1].GrantId", &doc), json!("g2"));
        assert_eq!(q("Grants[*].GrantId", &doc), json!(["g1", "g2"]));
        assert_eq!(
            q("Grants[0].Constraints.EncryptionContextSubset.dept", &doc),
            json!("eng")
        );
        assert_eq!(
            q("Grants[*].Constraints.EncryptionContextSubset.dept", &doc),
            json!(["eng"])
        );
        assert_eq!(
            q("Grants[*].Operations[]", &doc),
            json!(["Encrypt", "Decrypt", "Decrypt"])
        );
        assert_eq!(
            q("Grants[*].Operations[0]", &doc),
            json!(["Encrypt", "Decrypt"])
        );
        assert_eq!(
            q("Grants[?GranteePrincipal=='carol'].GrantId", &doc),
            json!(["g2"])
        );
        assert_eq!(
            q("Grants[?GranteePrincipal=='carol'].GrantId | [0]", &doc),
            json!("g2")
        );
        assert_eq!(
            q("Grants[].[GrantId, GranteePrincipal]", &doc),
            json!([["g1", "bob"], ["g2", "carol"]])
        );
        assert_eq!(
            q("Grants[0].{Id: GrantId, Who: GranteePrincipal}", &doc),
            json!({"Id": "g1", "Who": "bob"})
        );
        assert_eq!(q("Missing.Field", &doc), Value::Null);
        assert_eq!(q("Grants[5]", &doc), Value::Null);
        assert_eq!(q("\"Truncated\"", &doc), json!(false));
    }

    #[test]
    fn filters_combine_and_compare() {
        let doc = json!({"Keys": [{"Id": "a", "N": 1}, {"Id": "b", "N": 5}, {"Id": "c", "N": 9}]});
        assert_eq!(q("Keys[?N > `2` && N < `9`].Id", &doc), json!(["b"]));
        assert_eq!(
            q("Keys[?N <= `1` || Id == 'c'].Id", &doc),
            json!(["a", "c"])
        );
        assert_eq!(q("Keys[?!(Id == 'a')].Id", &doc), json!(["b", "c"]));
        assert_eq!(q("Keys[?Id > 'a'].Id", &doc), json!([]));
        assert_eq!(q("Keys[?Id == `c`].N", &doc), json!([9]));
        assert_eq!(
            q("*.Id", &json!({"x": {"Id": 1}, "y": {"Id": 2}})),
            json!([1, 2])
        );
    }

    #[test]
    fn unsupported_or_broken_expressions_are_errors() {
        assert!(Query::parse("Grants[").is_err());
        assert!(
            Query::parse("length(Grants)")
                .unwrap_err()
                .message
                .contains("not supported")
        );
        assert!(
            Query::parse("Grants[0:2]")
                .unwrap_err()
                .message
                .contains("slices")
        );
        assert!(Query::parse("Grants..x").is_err());
        assert!(Query::parse("'open").is_err());
        assert!(Query::parse("a b").is_err());
    }
}
