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
                .map(|((c, &w), (_, a))| match a {
                    Align::Left => format!("{c:<w$}"),
                    Align::Right => format!("{c:>w$}"),
                })
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

#[cfg(test)]
mod tests {
    use super::*;

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
