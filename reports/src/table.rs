//! Plain-text tables with aligned columns, for terminal output and
//! Markdown summaries.

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text columns.
    Left,
    /// Number columns.
    Right,
}

/// A table: a header row and data rows of the same width.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with the given column titles and alignments.
    pub fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            header: columns.iter().map(|(t, a)| (t.to_string(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells are empty, extra cells are dropped.
    pub fn row(&mut self, cells: Vec<String>) {
        let mut cells = cells;
        cells.resize(self.header.len(), String::new());
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        self.header
            .iter()
            .enumerate()
            .map(|(i, (t, _))| {
                self.rows
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([t.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// The table as aligned text: header, a rule, rows; two spaces between columns.
    pub fn to_text(&self) -> String {
        let widths = self.widths();
        let line = |cells: Vec<&str>| {
            let parts: Vec<String> = cells
                .iter()
                .zip(&widths)
                .zip(&self.header)
                .map(|((c, &w), (_, a))| pad(c, w, *a))
                .collect();
            parts.join("  ").trim_end().to_string() + "\n"
        };
        let mut s = line(self.header.iter().map(|(t, _)| t.as_str()).collect());
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        s += &rule.join("  ");
        s.push('\n');
        for r in &self.rows {
            s += &line(r.iter().map(String::as_str).collect());
        }
        s
    }

    /// The table as GitHub-flavoured Markdown.
    pub fn to_markdown(&self) -> String {
        let esc = |c: &str| c.replace('|', "\\|");
        let mut s = String::from("|");
        for (t, _) in &self.header {
            s += &format!(" {} |", esc(t));
        }
        s += "\n|";
        for (_, a) in &self.header {
            s += if *a == Align::Right { "---:|" } else { "---|" };
        }
        s.push('\n');
        for r in &self.rows {
            s.push('|');
            for c in r {
                s += &format!(" {} |", esc(c));
            }
            s.push('\n');
        }
        s
    }
}

/// `cell` padded with spaces to `width` characters. Written out rather
/// than with `format!("{:<w$}")`, whose width must fit in 16 bits: a cell
/// of any length is laid out.
fn pad(cell: &str, width: usize, align: Align) -> String {
    let fill = " ".repeat(width.saturating_sub(cell.chars().count()));
    match align {
        Align::Left => format!("{cell}{fill}"),
        Align::Right => format!("{fill}{cell}"),
    }
}

impl Table {
    /// Column titles.
    pub fn header(&self) -> Vec<&str> {
        self.header.iter().map(|(t, _)| t.as_str()).collect()
    }

    /// The data rows.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table as an HTML `<table>` (cells escaped; right-aligned
    /// columns get the class `num`).
    pub fn to_html(&self) -> String {
        let cls = |a: Align| {
            if a == Align::Right {
                " class=\"num\""
            } else {
                ""
            }
        };
        let mut s = String::from("<div class=\"tablewrap\"><table>\n<thead><tr>");
        for (t, a) in &self.header {
            s += &format!("<th{}>{}</th>", cls(*a), crate::page::escape(t));
        }
        s += "</tr></thead>\n<tbody>\n";
        for r in &self.rows {
            s += "<tr>";
            for (c, (_, a)) in r.iter().zip(&self.header) {
                s += &format!("<td{}>{}</td>", cls(*a), crate::page::escape(c));
            }
            s += "</tr>\n";
        }
        s += "</tbody>\n</table></div>\n";
        s
    }

    /// The table as CSV: the header, then the rows.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(self.header.iter().map(|(t, _)| t.as_str()));
        for r in &self.rows {
            let _ = w.write_record(r);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_wider_than_65535_characters_are_laid_out() {
        let long = "x".repeat(70_000);
        let mut t = Table::new(&[("name", Align::Left), ("n", Align::Right)]);
        t.row(vec![long.clone(), "1".into()]);
        t.row(vec!["a".into(), "22".into()]);
        let text = t.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], format!("{long}   1"));
        assert_eq!(lines[3], format!("a{}  22", " ".repeat(69_999)));
        let mut r = Table::new(&[("n", Align::Right)]);
        r.row(vec![long.clone()]);
        assert_eq!(r.to_text().lines().nth(2), Some(long.as_str()));
    }

    #[test]
    fn aligned_text_and_markdown() {
        let mut t = Table::new(&[("name", Align::Left), ("GiB", Align::Right)]);
        t.row(vec!["a".into(), "1.50".into()]);
        t.row(vec!["longer".into(), "12.00".into()]);
        assert_eq!(
            t.to_text(),
            "name      GiB\n------  -----\na        1.50\nlonger  12.00\n"
        );
        assert_eq!(
            t.to_markdown(),
            "| name | GiB |\n|---|---:|\n| a | 1.50 |\n| longer | 12.00 |\n"
        );
    }
}
