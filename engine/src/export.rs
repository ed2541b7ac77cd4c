//! The one writer of CSV and Markdown tables, for the CLI's `kmsplay matrix` and the app's
//! exports alike: a header and rows of text cells in, a document out.
//!
//! Both formats are opened by other programs, so cells are made safe for them. CSV follows RFC
//! 4180 (CRLF line ends; a field with a comma, quote or line break is quoted, its quotes doubled),
//! and a cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or
//! a carriage return) is written with a leading `'`, so it shows as the text it is. Markdown
//! renderers pass HTML through: `&`, `<` and `>` become entities; `|` and `\` are escaped and line
//! breaks become spaces, so a cell stays one cell.

/// `rows` under `header` as CSV.
pub fn csv<H: AsRef<str>, C: AsRef<str>>(header: &[H], rows: &[Vec<C>]) -> String {
    let mut out = String::new();
    csv_line(&mut out, header);
    for row in rows {
        csv_line(&mut out, row);
    }
    out
}

fn csv_line<C: AsRef<str>>(out: &mut String, cells: &[C]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, cell.as_ref());
    }
    out.push_str("\r\n");
}

fn csv_field(out: &mut String, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = formula || cell.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
    }
}

/// `rows` under `header` as a Markdown table (GitHub's pipe-table syntax).
pub fn markdown<H: AsRef<str>, C: AsRef<str>>(header: &[H], rows: &[Vec<C>]) -> String {
    let mut out = String::new();
    markdown_line(&mut out, header);
    out.push('|');
    for _ in header {
        out.push_str("---|");
    }
    out.push('\n');
    for row in rows {
        markdown_line(&mut out, row);
    }
    out
}

fn markdown_line<C: AsRef<str>>(out: &mut String, cells: &[C]) {
    out.push('|');
    for cell in cells {
        out.push(' ');
        for c in cell.as_ref().chars() {
            match c {
                '&' | '<' | '>' => push_html_char(out, c),
                '|' => out.push_str("\\|"),
                '\\' => out.push_str("\\\\"),
                '\n' | '\r' => out.push(' '),
                c => out.push(c),
            }
        }
        out.push_str(" |");
    }
    out.push('\n');
}

/// `text` with the characters HTML gives meaning to (`&`, `<`, `>`, both quotes) written as
/// character references, safe in element content and in quoted attribute values.
pub fn html_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_html_char(&mut out, c);
    }
    out
}

fn push_html_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_rfc_4180_requires_and_ends_lines_with_crlf() {
        let rows = vec![vec!["a,b", "say \"hi\"", "two\nlines", "plain"]];
        assert_eq!(
            csv(&["h1", "h2", "h3", "h4"], &rows),
            "h1,h2,h3,h4\r\n\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain\r\n"
        );
    }

    #[test]
    fn csv_cells_a_spreadsheet_would_run_are_written_as_text() {
        let rows = vec![vec![
            "=HYPERLINK(\"x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "a=b",
        ]];
        assert_eq!(
            csv(&["principal"], &rows),
            "principal\r\n\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-2\",\"'@SUM(A1)\",\"'\tx\",a=b\r\n"
        );
    }

    #[test]
    fn markdown_escapes_html_pipes_and_line_breaks() {
        let rows = vec![vec![
            "<img src=x onerror=alert(1)>",
            "a|b",
            "c\\d",
            "e\nf & g",
        ]];
        assert_eq!(
            markdown(&["Principal", "A", "B", "C"], &rows),
            "| Principal | A | B | C |\n|---|---|---|---|\n\
             | &lt;img src=x onerror=alert(1)&gt; | a\\|b | c\\\\d | e f &amp; g |\n"
        );
    }

    #[test]
    fn html_escaping_covers_content_and_quoted_attributes() {
        assert_eq!(
            html_escaped(r#"<b title="x">Tom & 'Jerry'</b>"#),
            "&lt;b title=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(html_escaped("plain"), "plain");
    }
}
