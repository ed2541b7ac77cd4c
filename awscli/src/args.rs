//! Reading an `aws` command line the way the AWS CLI does: global options anywhere, one value per
//! scalar option, one or more words per list option, booleans as bare flags, shorthand or JSON for
//! structured options, `file://` and `fileb://` for file contents.
//!
//! Blob options: `--plaintext` takes text as its UTF-8 bytes, as AWS CLI version 1 did and as the
//! lecture types it (`--plaintext CloudAcademy`); `--cli-binary-format base64` makes it base64, the
//! AWS CLI version 2 default. Every other blob (`--ciphertext-blob`, `--import-token`,
//! `--encrypted-key-material`) is base64 text, as version 2 reads it, so that a ciphertext printed
//! by one command can be passed to the next. `fileb://PATH` always gives the file's raw bytes.

use super::output::OutputFormat;
use super::query::Query;
use super::shorthand::{self, Shorthand};
use super::spec::{self, OperationSpec, Param, Shape};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value};
use std::fmt;

/// Reads the files a command line names with `file://` and `fileb://`.
///
/// The engine does no I/O: the CLI implements this with the file system, the web app with the
/// files the user has loaded.
pub trait Files {
    /// The bytes of `path`, or the reason it cannot be read, worded like the operating system's
    /// error (for example `[Errno 2] No such file or directory: 'policy.json'`).
    ///
    /// Read at most [`MAX_FILE_BYTES`] + 1 bytes: a longer file is refused whatever it holds, and
    /// `fileb:///dev/zero` must not be read to exhaustion.
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;
}

/// The largest file `file://` and `fileb://` load: twice the largest value any KMS parameter
/// takes (a 32 KB key policy; plaintexts take 4,096 bytes and ciphertext blobs 6,144), so that a
/// file within it still meets the operation's own limit and its AWS error.
pub const MAX_FILE_BYTES: usize = 64 * 1024;

/// A [`Files`] with no files at all.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFiles;

impl Files for NoFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("[Errno 2] No such file or directory: '{path}'"))
    }
}

/// How `--plaintext` text is read (`--cli-binary-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BinaryFormat {
    /// `raw-in-base64-out` (this emulator's default): the text's own bytes.
    #[default]
    RawInBase64Out,
    /// `base64` (the AWS CLI version 2 default): base64 text.
    Base64,
}

/// Options that may appear anywhere on an `aws` command line.
#[derive(Clone, Debug, Default)]
pub struct Globals {
    /// `--profile`.
    pub profile: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--output`.
    pub output: Option<OutputFormat>,
    /// `--query`, parsed.
    pub query: Option<Query>,
    /// `--cli-binary-format`.
    pub binary_format: Option<BinaryFormat>,
    /// `--no-paginate`: one call, its response as the service sent it.
    pub no_paginate: bool,
}

/// How the AWS CLI pages a list command: through every page (its default), starting at
/// `--starting-token`, `--page-size` items a call, stopping after `--max-items` items (awscli
/// `customizations/paginate.py`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Paging {
    /// The member holding the results, such as `Keys`.
    pub result_key: &'static str,
    /// `--starting-token`: the `NextToken` a run stopped by `--max-items` printed.
    pub starting_token: Option<String>,
    /// `--page-size`: the `Limit` of each call.
    pub page_size: Option<i64>,
    /// `--max-items`: the most items to print.
    pub max_items: Option<i64>,
}

/// What an `aws` command line asks for.
#[derive(Clone, Debug)]
pub enum Command {
    /// `aws kms <operation> ...`: the request, as the JSON the KMS API receives (member names as in
    /// the API, blobs in base64).
    Kms {
        /// The operation.
        operation: &'static OperationSpec,
        /// The request parameters.
        request: Map<String, Value>,
        /// For a command the AWS CLI pages through, how; `None` for one call whose response is
        /// printed as the service sent it (any other command, `--no-paginate`, or a list
        /// command given the service's own `--marker` or `--limit`).
        paging: Option<Paging>,
    },
    /// `aws sts get-caller-identity`.
    GetCallerIdentity,
    /// `aws configure [--profile NAME]`: set up a profile.
    Configure,
    /// `aws configure set NAME VALUE`.
    ConfigureSet {
        /// The setting, such as `region` or `principal`.
        name: String,
        /// Its value.
        value: String,
    },
    /// `aws configure get NAME`.
    ConfigureGet {
        /// The setting.
        name: String,
    },
    /// `aws configure list-profiles`.
    ListProfiles,
    /// `aws help`, `aws kms help` or `aws kms <operation> help`.
    Help(HelpTopic),
}

/// What `help` was asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelpTopic {
    /// `aws help`.
    Aws,
    /// `aws kms help`.
    Kms,
    /// `aws kms <operation> help`.
    Operation(&'static OperationSpec),
}

/// A parsed command line.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// The command.
    pub command: Command,
    /// The global options.
    pub globals: Globals,
}

/// A command line the AWS CLI would refuse, with the text it prints (exit status 252).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsageError {
    /// An argparse error: printed after the usage block as `aws: error: ...`.
    Argument(String),
    /// Options no command knows: `Unknown options: --x, y`.
    UnknownOptions(Vec<String>),
    /// A value that cannot be read: `Error parsing parameter '--x': ...`.
    Parameter {
        /// The option, with its dashes.
        option: String,
        /// Why.
        reason: String,
    },
    /// Values of the wrong type or unknown members: `Parameter validation failed:` and one line
    /// per problem.
    Validation(Vec<String>),
}

/// The usage block the AWS CLI prints before an argument error.
pub const USAGE: &str = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";

impl fmt::Display for UsageError {
    /// The text the AWS CLI writes to standard error, without the final newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsageError::Argument(message) => write!(f, "{USAGE}\naws: error: {message}"),
            UsageError::UnknownOptions(words) => {
                write!(f, "{USAGE}\nUnknown options: {}", words.join(", "))
            }
            UsageError::Parameter { option, reason } => {
                write!(f, "\nError parsing parameter '{option}': {reason}")
            }
            UsageError::Validation(problems) => {
                write!(f, "\nParameter validation failed:\n{}", problems.join("\n"))
            }
        }
    }
}

impl std::error::Error for UsageError {}

/// Two columns of choices, as argparse prints them after "Invalid choice".
pub fn choice_columns(choices: &[&str]) -> String {
    let mut out = String::new();
    for pair in choices.chunks(2) {
        match pair {
            [a, b] => out.push_str(&format!("{a:<40} | {b:<40}\n")),
            [a] => out.push_str(&format!("{a:<40}\n")),
            _ => {}
        }
    }
    out
}

fn is_option(word: &str) -> bool {
    word.len() > 1
        && word.starts_with('-')
        && !word.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
}

const GLOBAL_VALUE_OPTIONS: &[&str] = &[
    "profile",
    "region",
    "output",
    "query",
    "cli-binary-format",
    "color",
];
const GLOBAL_FLAGS: &[&str] = &["no-cli-pager", "no-paginate", "debug", "no-cli-auto-prompt"];

/// Parses the words after `aws`.
pub fn parse(words: &[String], files: &dyn Files) -> Result<Invocation, UsageError> {
    let (globals, rest) = take_globals(words)?;
    let mut rest = rest.into_iter();
    let Some(service) = rest.next() else {
        return Err(UsageError::Argument(
            "the following arguments are required: command".to_owned(),
        ));
    };
    let rest: Vec<String> = rest.collect();
    let command = match service.as_str() {
        "help" => Command::Help(HelpTopic::Aws),
        "kms" => parse_kms(
            &rest,
            files,
            globals.binary_format.unwrap_or_default(),
            globals.no_paginate,
        )?,
        "sts" => match rest.first().map(String::as_str) {
            Some("get-caller-identity") => {
                reject_unknown(rest.get(1..).unwrap_or(&[]))?;
                Command::GetCallerIdentity
            }
            None => {
                return Err(UsageError::Argument(
                    "the following arguments are required: operation".to_owned(),
                ));
            }
            Some(_) => {
                return Err(UsageError::Argument(format!(
                    "argument operation: Invalid choice, valid choices are:\n\n{}",
                    choice_columns(&["get-caller-identity"])
                )));
            }
        },
        "configure" => parse_configure(&rest)?,
        _ => {
            return Err(UsageError::Argument(format!(
                "argument command: Invalid choice, valid choices are:\n\n{}",
                choice_columns(&["configure", "kms", "sts"])
            )));
        }
    };
    Ok(Invocation { command, globals })
}

fn take_globals(words: &[String]) -> Result<(Globals, Vec<String>), UsageError> {
    let mut globals = Globals::default();
    let mut rest = Vec::new();
    let mut i = 0;
    while let Some(word) = words.get(i) {
        i += 1;
        let (name, inline) = match word.strip_prefix("--") {
            Some(opt) => match opt.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (opt, None),
            },
            None => {
                rest.push(word.clone());
                continue;
            }
        };
        if GLOBAL_FLAGS.contains(&name) {
            globals.no_paginate |= name == "no-paginate";
            continue;
        }
        if !GLOBAL_VALUE_OPTIONS.contains(&name) {
            rest.push(word.clone());
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => match words.get(i) {
                Some(v) if !is_option(v) => {
                    i += 1;
                    v.clone()
                }
                _ => {
                    return Err(UsageError::Argument(format!(
                        "argument --{name}: expected one argument"
                    )));
                }
            },
        };
        match name {
            "profile" => globals.profile = Some(value),
            "region" => globals.region = Some(value),
            "output" => {
                globals.output = Some(OutputFormat::parse(&value).ok_or_else(|| {
                    UsageError::Argument(format!(
                        "argument --output: Invalid choice, valid choices are:\n\n{}",
                        choice_columns(&["json", "text", "table"])
                    ))
                })?);
            }
            "query" => {
                globals.query = Some(Query::parse(&value).map_err(|e| {
                    UsageError::Argument(format!(
                        "argument --query: Bad value for --query {value}: {e}"
                    ))
                })?);
            }
            "cli-binary-format" => {
                globals.binary_format = Some(match value.as_str() {
                    "base64" => BinaryFormat::Base64,
                    "raw-in-base64-out" => BinaryFormat::RawInBase64Out,
                    _ => {
                        return Err(UsageError::Argument(format!(
                            "argument --cli-binary-format: Invalid choice, valid choices are:\n\n{}",
                            choice_columns(&["base64", "raw-in-base64-out"])
                        )));
                    }
                });
            }
            _ => {
                // `--color` only changes terminal colours, which this emulator never prints.
                if !matches!(value.as_str(), "on" | "off" | "auto") {
                    return Err(UsageError::Argument(format!(
                        "argument --color: Invalid choice, valid choices are:\n\n{}",
                        choice_columns(&["on", "off", "auto"])
                    )));
                }
            }
        }
    }
    Ok((globals, rest))
}

fn reject_unknown(words: &[String]) -> Result<(), UsageError> {
    if words.is_empty() {
        Ok(())
    } else {
        Err(UsageError::UnknownOptions(words.to_vec()))
    }
}

fn parse_configure(rest: &[String]) -> Result<Command, UsageError> {
    match rest.first().map(String::as_str) {
        None => Ok(Command::Configure),
        Some("set") => match rest.get(1..) {
            Some([name, value]) => Ok(Command::ConfigureSet {
                name: name.clone(),
                value: value.clone(),
            }),
            Some([_, _, extra @ ..]) => Err(UsageError::UnknownOptions(extra.to_vec())),
            _ => Err(UsageError::Argument(
                "the following arguments are required: varname, value".to_owned(),
            )),
        },
        Some("get") => match rest.get(1..) {
            Some([name]) => Ok(Command::ConfigureGet { name: name.clone() }),
            Some([_, extra @ ..]) => Err(UsageError::UnknownOptions(extra.to_vec())),
            _ => Err(UsageError::Argument(
                "the following arguments are required: varname".to_owned(),
            )),
        },
        Some("list-profiles") => {
            reject_unknown(rest.get(1..).unwrap_or(&[]))?;
            Ok(Command::ListProfiles)
        }
        Some(_) => Err(UsageError::UnknownOptions(rest.to_vec())),
    }
}

fn operation_choices() -> String {
    let mut names: Vec<&str> = spec::OPERATIONS.iter().map(|o| o.cli).collect();
    names.push("help");
    format!(
        "argument operation: Invalid choice, valid choices are:\n\n{}",
        choice_columns(&names)
    )
}

fn parse_kms(
    rest: &[String],
    files: &dyn Files,
    binary: BinaryFormat,
    no_paginate: bool,
) -> Result<Command, UsageError> {
    let Some(name) = rest.first() else {
        return Err(UsageError::Argument(
            "the following arguments are required: operation".to_owned(),
        ));
    };
    if name == "help" {
        return Ok(Command::Help(HelpTopic::Kms));
    }
    let operation =
        spec::operation(name).ok_or_else(|| UsageError::Argument(operation_choices()))?;
    let args = rest.get(1..).unwrap_or(&[]);
    if args.last().is_some_and(|w| w == "help") {
        return Ok(Command::Help(HelpTopic::Operation(operation)));
    }

    let result_key = spec::result_key(operation.api);
    // First pass, as argparse: collect each option's words, find unknown words.
    let mut given: Vec<(&'static Param, Vec<String>, String)> = Vec::new();
    let mut paging_given: Vec<(&'static str, String)> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let Some(opt) = word.strip_prefix("--") else {
            unknown.push(word.clone());
            continue;
        };
        let (opt_name, inline) = match opt.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (opt, None),
        };
        if let Some(paging_option) = spec::PAGING_OPTIONS
            .iter()
            .find(|o| result_key.is_some() && **o == opt_name)
        {
            let value = match inline {
                Some(v) => v,
                None => match args.get(i).filter(|w| !is_option(w)) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => {
                        return Err(UsageError::Argument(format!(
                            "argument --{opt_name}: expected one argument"
                        )));
                    }
                },
            };
            paging_given.retain(|(o, _)| o != paging_option);
            paging_given.push((paging_option, value));
            continue;
        }
        let (param, negated) = match operation.param(opt_name) {
            Some(p) => (p, false),
            None => match opt_name
                .strip_prefix("no-")
                .and_then(|n| operation.param(n))
            {
                Some(p) if p.shape == Shape::Boolean => (p, true),
                _ => {
                    unknown.push(word.clone());
                    continue;
                }
            },
        };
        let mut values = Vec::new();
        match param.shape {
            Shape::Boolean => {
                if let Some(v) = inline {
                    return Err(UsageError::Argument(format!(
                        "argument --{opt_name}: ignored explicit argument '{v}'"
                    )));
                }
                values.push(if negated { "false" } else { "true" }.to_owned());
            }
            Shape::StringList | Shape::StructureList(_) => {
                values.extend(inline);
                while let Some(next) = args.get(i).filter(|w| !is_option(w)) {
                    values.push(next.clone());
                    i += 1;
                }
                if values.is_empty() {
                    return Err(UsageError::Argument(format!(
                        "argument --{opt_name}: expected at least one argument"
                    )));
                }
            }
            _ => match inline {
                Some(v) => values.push(v),
                None => match args.get(i).filter(|w| !is_option(w)) {
                    Some(v) => {
                        values.push(v.clone());
                        i += 1;
                    }
                    None => {
                        return Err(UsageError::Argument(format!(
                            "argument --{opt_name}: expected one argument"
                        )));
                    }
                },
            },
        }
        // Like argparse, a repeated option keeps its last value.
        given.retain(|(p, _, _)| p.api != param.api);
        given.push((param, values, format!("--{}", param.cli)));
    }

    let missing: Vec<String> = operation
        .params
        .iter()
        .filter(|p| p.required && !given.iter().any(|(g, _, _)| g.api == p.api))
        .map(|p| format!("--{}", p.cli))
        .collect();
    if !missing.is_empty() {
        return Err(UsageError::Argument(format!(
            "the following arguments are required: {}",
            missing.join(", ")
        )));
    }
    reject_unknown(&unknown)?;

    let mut request = Map::new();
    let mut problems = Vec::new();
    for param in operation.params {
        let Some((_, values, option)) = given.iter().find(|(g, _, _)| g.api == param.api) else {
            continue;
        };
        let value = convert(param, values, option, files, binary)?;
        validate(param.shape, &value, param.api, &mut problems);
        request.insert(param.api.to_owned(), value);
    }
    if !problems.is_empty() {
        return Err(UsageError::Validation(problems));
    }
    let paging = paging(result_key, &paging_given, &request, no_paginate)?;
    Ok(Command::Kms {
        operation,
        request,
        paging,
    })
}

/// How a command pages (awscli `customizations/paginate.py`): a list command pages unless
/// `--no-paginate` is given or the service's own `Marker` or `Limit` is (which turns paging
/// off); the CLI's paging options with paging off are refused.
fn paging(
    result_key: Option<&'static str>,
    given: &[(&'static str, String)],
    request: &Map<String, Value>,
    no_paginate: bool,
) -> Result<Option<Paging>, UsageError> {
    let Some(result_key) = result_key else {
        return Ok(None);
    };
    let paginate =
        !no_paginate && !request.contains_key("Marker") && !request.contains_key("Limit");
    if !paginate {
        if given.is_empty() {
            return Ok(None);
        }
        let used: Vec<String> = spec::PAGING_OPTIONS
            .iter()
            .filter(|o| given.iter().any(|(g, _)| g == *o))
            .map(|o| format!("--{o}"))
            .collect();
        return Err(UsageError::Validation(vec![format!(
            "Cannot specify --no-paginate along with pagination arguments: {}",
            used.join(", ")
        )]));
    }
    let mut paging = Paging {
        result_key,
        ..Paging::default()
    };
    for (option, value) in given {
        let number = || {
            value.parse::<i64>().map_err(|_| {
                UsageError::Argument(format!("argument --{option}: invalid int value: '{value}'"))
            })
        };
        match *option {
            "page-size" => paging.page_size = Some(number()?),
            "max-items" => paging.max_items = Some(number()?),
            _ => paging.starting_token = Some(value.clone()),
        }
    }
    Ok(Some(paging))
}

/// What a `file://` or `fileb://` value holds.
enum Loaded {
    Text(String),
    Bytes(Vec<u8>),
}

fn load(value: &str, option: &str, files: &dyn Files) -> Result<Loaded, UsageError> {
    let (path, binary) = if let Some(p) = value.strip_prefix("fileb://") {
        (p, true)
    } else if let Some(p) = value.strip_prefix("file://") {
        (p, false)
    } else {
        return Ok(Loaded::Text(value.to_owned()));
    };
    let bytes = files.read(path).map_err(|reason| UsageError::Parameter {
        option: option.to_owned(),
        reason: format!("Unable to load paramfile {value}: {reason}"),
    })?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(UsageError::Parameter {
            option: option.to_owned(),
            reason: format!(
                "Unable to load paramfile {value}: the file is larger than {MAX_FILE_BYTES} bytes, more than any KMS parameter takes"
            ),
        });
    }
    if binary {
        return Ok(Loaded::Bytes(bytes));
    }
    String::from_utf8(bytes).map(Loaded::Text).map_err(|_| UsageError::Parameter {
        option: option.to_owned(),
        reason: format!("Unable to load paramfile {value}: the file is not UTF-8 text (use fileb:// for binary files)"),
    })
}

fn text_of(loaded: Loaded, option: &str) -> Result<String, UsageError> {
    match loaded {
        Loaded::Text(t) => Ok(t),
        Loaded::Bytes(b) => String::from_utf8(b).map_err(|_| UsageError::Parameter {
            option: option.to_owned(),
            reason: "the file is not UTF-8 text".to_owned(),
        }),
    }
}

fn convert(
    param: &Param,
    values: &[String],
    option: &str,
    files: &dyn Files,
    binary: BinaryFormat,
) -> Result<Value, UsageError> {
    let bad = |reason: String| UsageError::Parameter {
        option: option.to_owned(),
        reason,
    };
    let single = || values.first().map(String::as_str).unwrap_or_default();
    match param.shape {
        Shape::Boolean => Ok(Value::Bool(single() == "true")),
        Shape::String => Ok(Value::String(text_of(
            load(single(), option, files)?,
            option,
        )?)),
        Shape::Integer => {
            let text = text_of(load(single(), option, files)?, option)?;
            text.trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| bad(format!("invalid literal for int() with base 10: '{text}'")))
        }
        Shape::Blob => {
            let bytes = match load(single(), option, files)? {
                Loaded::Bytes(b) => b,
                Loaded::Text(t)
                    if param.api == "Plaintext" && binary == BinaryFormat::RawInBase64Out =>
                {
                    t.into_bytes()
                }
                Loaded::Text(t) => BASE64
                    .decode(t.trim())
                    .map_err(|_| bad(format!("Invalid base64: \"{t}\"")))?,
            };
            Ok(Value::String(BASE64.encode(bytes)))
        }
        Shape::StringList => {
            if let [only] = values {
                let text = text_of(load(only, option, files)?, option)?;
                if text.trim_start().starts_with('[') {
                    return parse_json(&text, option);
                }
                return Ok(Value::Array(vec![Value::String(text)]));
            }
            let mut out = Vec::new();
            for v in values {
                out.push(Value::String(text_of(load(v, option, files)?, option)?));
            }
            Ok(Value::Array(out))
        }
        Shape::StringMap | Shape::Structure(_) => {
            let text = text_of(load(single(), option, files)?, option)?;
            if text.trim_start().starts_with('{') {
                return parse_json(&text, option);
            }
            let parsed = shorthand::parse(&text).map_err(|e| bad(e.to_string()))?;
            Ok(shorthand_to_json(parsed))
        }
        Shape::StructureList(_) => {
            if let [only] = values {
                let text = text_of(load(only, option, files)?, option)?;
                if text.trim_start().starts_with('[') {
                    return parse_json(&text, option);
                }
            }
            let mut out = Vec::new();
            for v in values {
                let text = text_of(load(v, option, files)?, option)?;
                if text.trim_start().starts_with('{') {
                    out.push(parse_json(&text, option)?);
                } else {
                    let parsed = shorthand::parse(&text).map_err(|e| bad(e.to_string()))?;
                    out.push(shorthand_to_json(parsed));
                }
            }
            Ok(Value::Array(out))
        }
    }
}

fn parse_json(text: &str, option: &str) -> Result<Value, UsageError> {
    serde_json::from_str(text).map_err(|e| UsageError::Parameter {
        option: option.to_owned(),
        reason: format!("Invalid JSON: {e}\nJSON received: {text}"),
    })
}

fn shorthand_to_json(value: Shorthand) -> Value {
    match value {
        Shorthand::Text(t) => Value::String(t),
        Shorthand::List(items) => Value::Array(items.into_iter().map(shorthand_to_json).collect()),
        Shorthand::Map(pairs) => Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, shorthand_to_json(v)))
                .collect(),
        ),
    }
}

/// A value as Python's `repr` shows it, for botocore's messages.
fn py_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("'{s}'"),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("'{k}': {}", py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn py_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<class 'NoneType'>",
        Value::Bool(_) => "<class 'bool'>",
        Value::Number(n) if n.is_f64() => "<class 'float'>",
        Value::Number(_) => "<class 'int'>",
        Value::String(_) => "<class 'str'>",
        Value::Array(_) => "<class 'list'>",
        Value::Object(_) => "<class 'dict'>",
    }
}

/// botocore's parameter validation: types and unknown structure members.
fn validate(shape: Shape, value: &Value, path: &str, problems: &mut Vec<String>) {
    let wrong = |problems: &mut Vec<String>| {
        problems.push(format!(
            "Invalid type for parameter {path}, value: {}, type: {}, valid types: {}",
            py_repr(value),
            py_type(value),
            shape.python_types()
        ));
    };
    match shape {
        Shape::String | Shape::Blob if !value.is_string() => wrong(problems),
        Shape::Integer if !value.is_i64() => wrong(problems),
        Shape::Boolean if !value.is_boolean() => wrong(problems),
        Shape::StringList => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    validate(Shape::String, item, &format!("{path}[{i}]"), problems);
                }
            }
            None => wrong(problems),
        },
        Shape::StringMap => match value.as_object() {
            Some(map) => {
                for (k, v) in map {
                    validate(Shape::String, v, &format!("{path}.{k}"), problems);
                }
            }
            None => wrong(problems),
        },
        Shape::Structure(members) => match value.as_object() {
            Some(map) => {
                for (k, v) in map {
                    match members.iter().find(|(name, _)| name == k) {
                        Some((_, member_shape)) => {
                            validate(*member_shape, v, &format!("{path}.{k}"), problems);
                        }
                        None => problems.push(format!(
                            "Unknown parameter in {path}: \"{k}\", must be one of: {}",
                            members
                                .iter()
                                .map(|(n, _)| *n)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    }
                }
            }
            None => wrong(problems),
        },
        Shape::StructureList(members) => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    validate(
                        Shape::Structure(members),
                        item,
                        &format!("{path}[{i}]"),
                        problems,
                    );
                }
            }
            None => wrong(problems),
        },
        _ => {}
    }
}

/// The text `aws kms help` and `aws kms <operation> help` print.
pub fn help_text(topic: HelpTopic) -> String {
    match topic {
        HelpTopic::Aws => format!(
            "{USAGE}\nThis emulator runs these commands against the playground's world:\n\n  aws kms <operation> [options]\n  aws sts get-caller-identity\n  aws configure [--profile NAME]\n  aws configure set region|output|principal VALUE [--profile NAME]\n  aws configure get region|output|principal [--profile NAME]\n  aws configure list-profiles\n\nGlobal options: --profile, --region, --output json|text|table, --query, --cli-binary-format.\n"
        ),
        HelpTopic::Kms => {
            let mut out = String::from("KMS()\n\nNAME\n       kms -\n\nAVAILABLE COMMANDS\n");
            for op in spec::OPERATIONS {
                out.push_str(&format!("       o {}\n\n", op.cli));
            }
            out
        }
        HelpTopic::Operation(op) => {
            let mut out = format!(
                "{}()\n\nNAME\n       {} -\n\nSYNOPSIS\n            {}\n",
                op.cli.to_uppercase(),
                op.cli,
                op.cli
            );
            let paginated = spec::result_key(op.api).is_some();
            // The AWS CLI hides the service's own paging members of a command it pages.
            for p in op
                .params
                .iter()
                .filter(|p| !(paginated && matches!(p.api, "Limit" | "Marker")))
            {
                let value = match p.shape {
                    Shape::Boolean => format!("--{} | --no-{}", p.cli, p.cli),
                    _ => format!("--{} <value>", p.cli),
                };
                if p.required {
                    out.push_str(&format!("          {value}\n"));
                } else {
                    out.push_str(&format!("          [{value}]\n"));
                }
            }
            out.push_str("          [--cli-input-json | --cli-input-yaml]\n");
            if paginated {
                for option in spec::PAGING_OPTIONS {
                    out.push_str(&format!("          [--{option} <value>]\n"));
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct OneFile;

    impl Files for OneFile {
        fn read(&self, path: &str) -> Result<Vec<u8>, String> {
            match path {
                "policy.json" => Ok(b"{\"Version\": \"2012-10-17\"}".to_vec()),
                "secret.bin" => Ok(vec![0, 159, 146, 150]),
                _ => NoFiles.read(path),
            }
        }
    }

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    fn kms(line: &str) -> Map<String, Value> {
        match parse(&words(line), &OneFile).unwrap().command {
            Command::Kms { request, .. } => request,
            other => panic!("{other:?}"),
        }
    }

    fn error(line: &str) -> String {
        parse(&words(line), &OneFile).unwrap_err().to_string()
    }

    /// The request bodies below are what aws-cli 1.46.3 sends for the same command lines
    /// (`--debug` shows them).
    #[test]
    fn builds_the_request_the_aws_cli_sends() {
        assert_eq!(
            Value::Object(kms(
                "kms create-grant --key-id k --grantee-principal p --operations Encrypt,Decrypt --grant-tokens a,b --constraints EncryptionContextSubset={dept=eng}"
            )),
            json!({"KeyId": "k", "GranteePrincipal": "p", "Operations": ["Encrypt,Decrypt"], "Constraints": {"EncryptionContextSubset": {"dept": "eng"}}, "GrantTokens": ["a,b"]})
        );
        assert_eq!(
            Value::Object(kms(
                "kms encrypt --key-id k --plaintext CloudAcademy --encryption-context {\"a\":\"b\"}"
            )),
            json!({"KeyId": "k", "Plaintext": "Q2xvdWRBY2FkZW15", "EncryptionContext": {"a": "b"}})
        );
        assert_eq!(
            Value::Object(kms(
                "kms tag-resource --key-id k --tags TagKey=a,TagValue=b TagKey=c,TagValue=d"
            )),
            json!({"KeyId": "k", "Tags": [{"TagKey": "a", "TagValue": "b"}, {"TagKey": "c", "TagValue": "d"}]})
        );
    }

    #[test]
    fn options_lists_booleans_and_files() {
        let r = kms(
            "kms create-grant --operations Encrypt Decrypt --profile alice --key-id k --grantee-principal p --dry-run",
        );
        assert_eq!(r["Operations"], json!(["Encrypt", "Decrypt"]));
        assert_eq!(r["DryRun"], json!(true));
        let r = kms(
            "kms put-key-policy --key-id k --policy file://policy.json --no-bypass-policy-lockout-safety-check",
        );
        assert_eq!(r["Policy"], json!("{\"Version\": \"2012-10-17\"}"));
        assert_eq!(r["BypassPolicyLockoutSafetyCheck"], json!(false));
        let r = kms("kms encrypt --key-id k --plaintext fileb://secret.bin");
        assert_eq!(r["Plaintext"], json!("AJ+Slg=="));
        let r = kms("kms decrypt --ciphertext-blob AJ+Slg==");
        assert_eq!(r["CiphertextBlob"], json!("AJ+Slg=="));
        let r = kms("kms schedule-key-deletion --key-id=k --pending-window-in-days 7");
        assert_eq!(r["PendingWindowInDays"], json!(7));
        let inv = parse(&words("kms encrypt --key-id k --plaintext QUJD --cli-binary-format base64 --output text --query CiphertextBlob --region eu-west-2"), &OneFile).unwrap();
        assert_eq!(inv.globals.output, Some(OutputFormat::Text));
        assert_eq!(inv.globals.region.as_deref(), Some("eu-west-2"));
        let Command::Kms { request, .. } = inv.command else {
            panic!()
        };
        assert_eq!(request["Plaintext"], json!("QUJD"));
    }

    /// Usage errors as aws-cli prints them (checked against aws-cli 1.46.3 and the version 2 forms).
    #[test]
    fn usage_errors_read_like_the_aws_cli() {
        assert_eq!(
            error("kms encrypt"),
            format!(
                "{USAGE}\naws: error: the following arguments are required: --key-id, --plaintext"
            )
        );
        assert_eq!(
            error("kms encrypt --key-id x --plaintext y --bogus 1"),
            format!("{USAGE}\nUnknown options: --bogus, 1")
        );
        assert_eq!(
            error("kms encrypt --key-id x --plaintext y --encryption-context dept"),
            "\nError parsing parameter '--encryption-context': Expected: '=', received: 'EOF' for input:\ndept\n    ^"
        );
        assert_eq!(
            error(
                "kms create-grant --key-id x --grantee-principal y --operations Encrypt --constraints Foo={a=b}"
            ),
            "\nParameter validation failed:\nUnknown parameter in Constraints: \"Foo\", must be one of: EncryptionContextSubset, EncryptionContextEquals"
        );
        assert_eq!(
            error("kms encrypt --key-id --plaintext x"),
            format!("{USAGE}\naws: error: argument --key-id: expected one argument")
        );
        assert!(error("kms frob").contains(
            "argument operation: Invalid choice, valid choices are:\n\ncancel-key-deletion"
        ));
        assert!(error("kms put-key-policy --key-id k --policy file://missing.json").contains(
            "Error parsing parameter '--policy': Unable to load paramfile file://missing.json: [Errno 2] No such file or directory: 'missing.json'"
        ));
        assert!(error("kms encrypt --key-id k --plaintext x --encryption-context {\"a\":1}").contains(
            "Invalid type for parameter EncryptionContext.a, value: 1, type: <class 'int'>, valid types: <class 'str'>"
        ));
        assert!(
            error("kms schedule-key-deletion --key-id k --pending-window-in-days x")
                .contains("invalid literal for int() with base 10: 'x'")
        );
        assert!(
            error("kms encrypt --key-id k --plaintext x --output yaml")
                .contains("argument --output: Invalid choice")
        );
        assert!(error("kms decrypt --ciphertext-blob @@@").contains("Invalid base64"));
        assert!(error("s3 ls").contains("argument command: Invalid choice"));
        assert!(error("").contains("the following arguments are required: command"));
    }

    #[test]
    fn help_and_other_commands() {
        assert!(
            matches!(parse(&words("kms encrypt help"), &NoFiles).unwrap().command, Command::Help(HelpTopic::Operation(op)) if op.api == "Encrypt")
        );
        assert!(matches!(
            parse(&words("sts get-caller-identity --profile bob"), &NoFiles)
                .unwrap()
                .command,
            Command::GetCallerIdentity
        ));
        assert!(matches!(
            parse(&words("configure --profile bob"), &NoFiles)
                .unwrap()
                .command,
            Command::Configure
        ));
        assert!(matches!(
            parse(&words("configure set region eu-west-2"), &NoFiles)
                .unwrap()
                .command,
            Command::ConfigureSet { .. }
        ));
        let help = help_text(HelpTopic::Operation(spec::operation("encrypt").unwrap()));
        assert!(help.contains("          --key-id <value>\n"));
        assert!(help.contains("[--dry-run | --no-dry-run]"));
    }
}
