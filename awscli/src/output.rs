//! Printing a response as the AWS CLI prints it with `--output json`, `text` or `table`.
//!
//! The rules follow the AWS CLI's formatters (aws/aws-cli `awscli/formatter.py`, `awscli/text.py`,
//! `awscli/table.py`):
//! - json: Python's `json.dump(indent=4, ensure_ascii=False)`; an empty object prints nothing
//!   (operations without output, such as `enable-key`, print nothing).
//! - text: scalars of an object on one tab-separated line in key order, then each nested list or
//!   object; lists of objects one line per object with the union of scalar keys; scalars of a nested
//!   list prefixed by the upper-cased key. Values print as Python's `str` does (`True`, `None`).
//! - table: sections titled by the operation and the nested keys, columns sized to the contents,
//!   and single-row sections turned vertical when the table is wider than 80 columns (the width the
//!   CLI assumes when its output is not a terminal).

use serde::Serialize;
use serde_json::Value;

/// An output format (`--output`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// `json`, the default.
    #[default]
    Json,
    /// `text`: tab-separated values.
    Text,
    /// `table`: boxes drawn with `-`, `+` and `|`.
    Table,
}

impl OutputFormat {
    /// Reads an `--output` value.
    pub fn parse(name: &str) -> Option<OutputFormat> {
        match name {
            "json" => Some(OutputFormat::Json),
            "text" => Some(OutputFormat::Text),
            "table" => Some(OutputFormat::Table),
            _ => None,
        }
    }
}

/// Renders `value` (the response after `--query`) in `format`; `title` is the operation's name
/// (the table's title). The result ends with a newline unless it is empty.
pub fn render(value: &Value, format: OutputFormat, title: &str) -> String {
    match format {
        OutputFormat::Json => render_json(value),
        OutputFormat::Text => {
            let mut out = String::new();
            text(value, None, None, &mut out);
            out
        }
        OutputFormat::Table => render_table(value, title),
    }
}

/// `json.dump(value, indent=4, ensure_ascii=False)` and a newline; nothing for `{}`.
pub fn render_json(value: &Value) -> String {
    if value.as_object().is_some_and(serde_json::Map::is_empty) {
        return String::new();
    }
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    if value.serialize(&mut ser).is_err() {
        return String::new();
    }
    let mut out = String::from_utf8_lossy(&buf).into_owned();
    out.push('\n');
    out
}

/// A scalar as Python's `str()` shows it.
fn py_str(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

fn text(value: &Value, identifier: Option<&str>, scalar_keys: Option<&[String]>, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut scalars: Vec<String> = Vec::new();
            let mut nested: Vec<(&str, &Value)> = Vec::new();
            match scalar_keys {
                None => {
                    let mut keys: Vec<&String> = map.keys().collect();
                    kms_engine::sort::sort(&mut keys);
                    for key in keys {
                        let Some(v) = map.get(key) else { continue };
                        if is_scalar(v) {
                            scalars.push(py_str(v));
                        } else {
                            nested.push((key, v));
                        }
                    }
                }
                Some(keys) => {
                    for key in keys {
                        scalars.push(map.get(key).map(py_str).unwrap_or_default());
                    }
                    let mut rest: Vec<&String> = map.keys().filter(|k| !keys.contains(k)).collect();
                    kms_engine::sort::sort(&mut rest);
                    for key in rest {
                        if let Some(v) = map.get(key) {
                            nested.push((key, v));
                        }
                    }
                }
            }
            if !scalars.is_empty() {
                if let Some(id) = identifier {
                    scalars.insert(0, id.to_uppercase());
                }
                out.push_str(&scalars.join("\t"));
                out.push('\n');
            }
            for (key, v) in nested {
                text(v, Some(key), None, out);
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                return;
            }
            if items.iter().any(Value::is_object) {
                let mut keys: Vec<String> = items
                    .iter()
                    .filter_map(Value::as_object)
                    .flat_map(|m| {
                        m.iter()
                            .filter(|(_, v)| is_scalar(v))
                            .map(|(k, _)| k.clone())
                    })
                    .collect();
                kms_engine::sort::sort(&mut keys);
                keys.dedup();
                for item in items {
                    text(item, identifier, Some(&keys), out);
                }
            } else if items.iter().any(Value::is_array) {
                let scalars: Vec<&Value> = items.iter().filter(|v| is_scalar(v)).collect();
                if !scalars.is_empty() {
                    scalar_list(&scalars, identifier, out);
                }
                for item in items.iter().filter(|v| !is_scalar(v)) {
                    text(item, identifier, None, out);
                }
            } else {
                scalar_list(&items.iter().collect::<Vec<_>>(), identifier, out);
            }
        }
        scalar => {
            out.push_str(&py_str(scalar));
            out.push('\n');
        }
    }
}

fn scalar_list(items: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            for item in items {
                out.push_str(&format!("{}\t{}\n", id.to_uppercase(), py_str(item)));
            }
        }
        None => {
            out.push_str(
                &items
                    .iter()
                    .map(|v| py_str(v))
                    .collect::<Vec<_>>()
                    .join("\t"),
            );
            out.push('\n');
        }
    }
}

/// The width the AWS CLI assumes when standard output is not a terminal.
const TERMINAL_WIDTH: usize = 80;

#[derive(Clone, Debug, Default)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    max_widths: Vec<usize>,
}

impl Section {
    fn update_widths(&mut self, row: &[String]) {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|s| text_width(s)).collect();
        } else {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = self.max_widths.get_mut(i) {
                    *w = (*w).max(text_width(cell));
                }
            }
        }
    }

    fn add_header(&mut self, headers: Vec<String>) {
        self.update_widths(&headers);
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        self.update_widths(&row);
        self.rows.push(row);
    }

    /// Column widths scaled so that they add up to `max_width` (Python's `round` rounds half to even).
    fn column_widths(&self, padding: usize, max_width: usize) -> Vec<usize> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + padding).collect();
        let total: usize = unscaled.iter().sum();
        if unscaled.is_empty() || total == 0 {
            return unscaled;
        }
        let factor = max_width as f64 / total as f64;
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|&w| (factor * w as f64).round_ties_even() as i64)
            .collect();
        let target = i64::try_from(max_width).unwrap_or(i64::MAX);
        let mut off_by: i64 = scaled.iter().sum::<i64>() - target;
        let n = scaled.len();
        while off_by != 0 {
            let order: Vec<usize> = if off_by < 0 {
                (0..n).rev().collect()
            } else {
                (0..n).collect()
            };
            for i in order {
                if let Some(w) = scaled.get_mut(i) {
                    if off_by > 0 {
                        *w -= 1;
                        off_by -= 1;
                    } else {
                        *w += 1;
                        off_by += 1;
                    }
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled
            .into_iter()
            .map(|w| usize::try_from(w).unwrap_or(0))
            .collect()
    }

    fn total_width(&self) -> usize {
        let padding = 4;
        let border = 2;
        let outer = self.indent;
        let columns: usize = self.max_widths.iter().map(|w| w + padding).sum();
        let total = columns + border + 2 * outer;
        total.max(text_width(&self.title) + border + 2 * outer)
    }
}

/// Display width: East Asian wide and full-width characters take two columns.
fn text_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = u32::from(c);
            let wide = matches!(c,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F
                | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

struct TableBuilder {
    sections: Vec<Section>,
}

impl TableBuilder {
    fn add_row(&mut self, row: Vec<String>) {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        if let Some(section) = self.sections.last_mut() {
            section.add_row(row);
        }
    }

    fn add_header(&mut self, headers: Vec<String>) {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        if let Some(section) = self.sections.last_mut() {
            section.add_header(headers);
        }
    }

    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section {
            title: title.to_owned(),
            indent,
            ..Section::default()
        });
    }

    fn build(&mut self, title: Option<&str>, current: &Value, indent: usize) -> bool {
        if !truthy(current) {
            return false;
        }
        if let Some(title) = title {
            self.new_section(title, indent);
        }
        match current {
            Value::Array(items) => {
                if items.first().is_some_and(Value::is_object) {
                    self.list_rows(items, indent, title.unwrap_or_default());
                } else {
                    for item in items {
                        match item {
                            Value::Array(inner) if inner.iter().all(is_scalar) => {
                                self.add_row(inner.iter().map(py_str).collect());
                            }
                            Value::Object(map) => {
                                self.add_row(map.keys().cloned().collect());
                            }
                            Value::Array(_) => {
                                self.build(None, item, 0);
                            }
                            scalar => self.add_row(vec![py_str(scalar)]),
                        }
                    }
                }
            }
            Value::Object(map) => self.dict_rows(map, indent),
            _ => {}
        }
        true
    }

    fn dict_rows(&mut self, map: &serde_json::Map<String, Value>, indent: usize) {
        let (headers, more) = group_keys(map);
        if let [only] = headers.as_slice() {
            let value = map.get(only).map(py_str).unwrap_or_default();
            self.add_row(vec![only.clone(), value]);
        } else if !headers.is_empty() {
            let row = headers
                .iter()
                .map(|k| map.get(k).map(py_str).unwrap_or_default())
                .collect();
            self.add_header(headers);
            self.add_row(row);
        }
        for key in more {
            if let Some(v) = map.get(&key) {
                self.build(Some(&key), v, indent + 1);
            }
        }
    }

    fn list_rows(&mut self, items: &[Value], indent: usize, title: &str) {
        let mut headers: Vec<String> = Vec::new();
        let mut more: Vec<String> = Vec::new();
        for item in items {
            if let Value::Object(map) = item {
                let (h, m) = group_keys(map);
                headers.extend(h);
                more.extend(m);
            }
        }
        kms_engine::sort::sort(&mut headers);
        headers.dedup();
        kms_engine::sort::sort(&mut more);
        more.dedup();
        self.add_header(headers.clone());
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !more.is_empty() {
                self.new_section(title, indent);
                self.add_header(headers.clone());
            }
            let map = item.as_object();
            let row = headers
                .iter()
                .map(|h| map.and_then(|m| m.get(h)).map(py_str).unwrap_or_default())
                .collect();
            self.add_row(row);
            for key in &more {
                if let Some(v) = map.and_then(|m| m.get(key)) {
                    self.build(Some(key), v, indent + 1);
                }
            }
        }
    }
}

fn group_keys(map: &serde_json::Map<String, Value>) -> (Vec<String>, Vec<String>) {
    let mut headers = Vec::new();
    let mut more = Vec::new();
    for (k, v) in map {
        if is_scalar(v) {
            headers.push(k.clone());
        } else {
            more.push(k.clone());
        }
    }
    kms_engine::sort::sort(&mut headers);
    kms_engine::sort::sort(&mut more);
    (headers, more)
}

fn render_table(value: &Value, title: &str) -> String {
    let mut builder = TableBuilder {
        sections: Vec::new(),
    };
    if !builder.build(Some(title), value, 0) {
        return String::new();
    }
    let mut sections = builder.sections;
    let mut max_width = sections.iter().map(Section::total_width).max().unwrap_or(0);
    if max_width > TERMINAL_WIDTH {
        for section in &mut sections {
            if section.rows.len() == 1 && !section.headers.is_empty() {
                let mut vertical = Section {
                    title: section.title.clone(),
                    indent: section.indent,
                    ..Section::default()
                };
                let row = section.rows.first().cloned().unwrap_or_default();
                for (h, v) in section.headers.iter().zip(row) {
                    vertical.add_row(vec![h.clone(), v]);
                }
                *section = vertical;
            }
        }
        max_width = sections.iter().map(Section::total_width).max().unwrap_or(0);
    }
    let mut out = String::new();
    out.push_str(&"-".repeat(max_width));
    out.push('\n');
    for section in &sections {
        render_section(section, max_width, &mut out);
    }
    out
}

fn render_section(section: &Section, max_width: usize, out: &mut String) {
    let indent = "|".repeat(section.indent);
    let width = max_width.saturating_sub(section.indent * 2);
    let mut write = |line: &str| {
        out.push_str(&indent);
        out.push_str(line);
        out.push_str(&indent);
        out.push('\n');
    };
    if !section.title.is_empty() {
        write(&center(&section.title, width, "|", "|"));
        if section.headers.is_empty() && section.rows.is_empty() {
            write(&format!("+{}+", "-".repeat(width.saturating_sub(2))));
        }
    }
    if !section.headers.is_empty() {
        let widths = section.column_widths(4, width);
        let mut line = String::new();
        for (i, (w, header)) in widths.iter().zip(&section.headers).enumerate() {
            line.push_str(&center(header, *w, if i == 0 { "|" } else { "" }, "|"));
        }
        write(&line_break(&widths));
        write(&line);
    }
    if !section.rows.is_empty() {
        let widths = section.column_widths(4, width);
        if widths.is_empty() {
            return;
        }
        write(&line_break(&widths));
        for row in &section.rows {
            let mut line = String::new();
            for (i, (w, cell)) in widths.iter().zip(row).enumerate() {
                line.push_str(&align_left(cell, *w, if i == 0 { "|" } else { "" }, "|"));
            }
            write(&line);
        }
        write(&line_break(&widths));
    }
}

fn center(text: &str, length: usize, left: &str, right: &str) -> String {
    let text_len = text_width(text);
    let start = (length / 2).saturating_sub(text_len / 2).saturating_sub(1);
    let so_far = left.len() + start + text_len;
    let right_spaces = length.saturating_sub(right.len()).saturating_sub(so_far);
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(start),
        " ".repeat(right_spaces)
    )
}

fn align_left(text: &str, length: usize, left: &str, right: &str) -> String {
    let text_len = text_width(text);
    let padding = if text_len + 2 + left.len() + right.len() <= length {
        2
    } else {
        0
    };
    let so_far = left.len() + padding + text_len;
    let fill = length.saturating_sub(so_far).saturating_sub(right.len());
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(padding),
        " ".repeat(fill)
    )
}

fn line_break(widths: &[usize]) -> String {
    let mut out = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("+{}+", "-".repeat(w.saturating_sub(2))));
        } else {
            out.push_str(&format!("{}+", "-".repeat(w.saturating_sub(1))));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn encrypt_response() -> Value {
        json!({
            "CiphertextBlob": "AQICAHg=",
            "KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"
        })
    }

    #[test]
    fn json_is_indented_by_four_and_keeps_the_response_order() {
        assert_eq!(
            render_json(&encrypt_response()),
            "{\n    \"CiphertextBlob\": \"AQICAHg=\",\n    \"KeyId\": \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\",\n    \"EncryptionAlgorithm\": \"SYMMETRIC_DEFAULT\"\n}\n"
        );
        assert_eq!(render_json(&json!({})), "");
        assert_eq!(
            render_json(&json!({"Grants": []})),
            "{\n    \"Grants\": []\n}\n"
        );
        assert_eq!(render_json(&json!("tok")), "\"tok\"\n");
        assert_eq!(
            render_json(&json!({"a": "é\u{1}"})),
            "{\n    \"a\": \"é\\u0001\"\n}\n"
        );
    }

    #[test]
    fn text_sorts_scalars_and_prefixes_nested_lists() {
        // awscli/text.py: scalars sorted by key on one line, then nested values.
        assert_eq!(
            render(&encrypt_response(), OutputFormat::Text, "Encrypt"),
            "AQICAHg=\tSYMMETRIC_DEFAULT\tarn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n"
        );
        let meta = json!({"KeyMetadata": {"KeyId": "k", "Enabled": true, "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]}});
        assert_eq!(
            render(&meta, OutputFormat::Text, "DescribeKey"),
            "KEYMETADATA\tTrue\tk\nENCRYPTIONALGORITHMS\tSYMMETRIC_DEFAULT\n"
        );
        let grants = json!({"Grants": [{"GrantId": "g1", "Name": "a"}, {"GrantId": "g2"}], "Truncated": false});
        assert_eq!(
            render(&grants, OutputFormat::Text, "ListGrants"),
            "False\nGRANTS\tg1\ta\nGRANTS\tg2\t\n"
        );
        assert_eq!(render(&json!("tok"), OutputFormat::Text, "x"), "tok\n");
        assert_eq!(render(&Value::Null, OutputFormat::Text, "x"), "None\n");
        assert_eq!(
            render(&json!(["a", "b"]), OutputFormat::Text, "x"),
            "a\tb\n"
        );
    }
}

#[cfg(test)]
mod reference_tests {
    use super::*;
    use crate::query::Query;

    /// Each case was printed by the AWS CLI's own formatters (aws-cli 1.46.3, `awscli/formatter.py`
    /// with `--color off` and an 80-column terminal) from the same data; ours must match byte for byte.
    #[test]
    fn output_matches_the_aws_cli_formatters() {
        let cases: Vec<Value> =
            serde_json::from_str(include_str!("testdata/aws_cli_formatter.json")).unwrap();
        assert!(cases.len() > 15);
        for case in cases {
            let format = OutputFormat::parse(case["format"].as_str().unwrap()).unwrap();
            let mut data = case["data"].clone();
            if let Some(q) = case.get("query").and_then(Value::as_str) {
                data = Query::parse(q).unwrap().search(&data);
            }
            let got = render(&data, format, case["title"].as_str().unwrap());
            assert_eq!(got, case["expected"].as_str().unwrap(), "case {case}");
        }
    }
}
