//! A report page as a list of blocks (headings, key figures, takeaways,
//! plots, tables), rendered two ways from the same content: a
//! self-contained HTML page (inline SVG, inline CSS and fonts, no scripts,
//! nothing fetched from the network; it opens from disk) and a Markdown
//! summary that links the plots' files.
//!
//! Every plot is a `<figure class="plot" id="fig-...">` whose SVG keeps its
//! natural size in a `viewBox`. Opening `report.html#fig-...` (a link under
//! each plot) shows that plot alone, at its natural size, in the top-left
//! corner of the window: a CSS `:target` rule, no script. The screenshot
//! test uses it to find every plot on screen.

use crate::chart::Rendered;
use crate::fonts;
use crate::table::Table;

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Inline markup of page text: `code` spans and **bold**, escaped.
fn inline_html(s: &str) -> String {
    let mut out = String::new();
    let mut code = false;
    for (i, part) in s.split('`').enumerate() {
        if i > 0 {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
        }
        if code {
            out.push_str(&escape(part));
        } else {
            let mut bold = false;
            for (j, p) in part.split("**").enumerate() {
                if j > 0 {
                    out.push_str(if bold { "</strong>" } else { "<strong>" });
                    bold = !bold;
                }
                out.push_str(&escape(p));
            }
            if bold {
                out.push_str("</strong>");
            }
        }
    }
    if code {
        out.push_str("</code>");
    }
    out
}

/// One key figure: a label, a value in large type, a note below.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// What the value is ("Energy per token").
    pub label: String,
    /// The value with its unit ("55.5 mJ").
    pub value: String,
    /// One line of context ("96% of it DRAM").
    pub note: String,
}

impl Card {
    /// A card.
    pub fn new(
        label: impl Into<String>,
        value: impl Into<String>,
        note: impl Into<String>,
    ) -> Card {
        Card {
            label: label.into(),
            value: value.into(),
            note: note.into(),
        }
    }
}

/// A plot on a page: its rendering and the words around it.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Identifier: the file stem under `figures/` and the HTML anchor
    /// (`fig-<id>`); letters, digits, `-` and `_`.
    pub id: String,
    /// What the plot shows; also its heading on the page.
    pub title: String,
    /// How to read it (one or two sentences).
    pub caption: String,
    /// The plot as SVG and PNG.
    pub rendered: Rendered,
}

/// A piece of a page.
#[derive(Debug, Clone)]
pub enum Block {
    /// A section heading (level 2) or subsection (level 3), with an anchor.
    Heading {
        /// 2 or 3.
        level: u8,
        /// The text.
        text: String,
        /// Anchor (no `#`).
        id: String,
    },
    /// A paragraph (inline `code` and **bold** allowed).
    Paragraph(String),
    /// A bulleted list.
    Bullets(Vec<String>),
    /// The findings a reader should take away, in a highlighted box.
    Takeaways(Vec<String>),
    /// Key figures in large type.
    Cards(Vec<Card>),
    /// A plot.
    Figure(Box<Figure>),
    /// A table, with the CSV file that holds it (relative path), if any.
    Table {
        /// Shown above the table.
        caption: String,
        /// The table.
        table: Table,
        /// Relative path of its CSV file.
        csv: Option<String>,
    },
    /// Links to files of the report (label, relative path).
    Files(Vec<(String, String)>),
}

/// A report page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The page title.
    pub title: String,
    /// One line under the title: what was run.
    pub subtitle: String,
    /// The content, in order.
    pub blocks: Vec<Block>,
}

const CSS: &str = r#"
:root { --ink: #1d2430; --muted: #5b6472; --line: #dde2ea; --bg: #f6f7f9; --accent: #1f6feb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 'DejaVu Sans', Verdana, Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; min-height: 100vh; }
header .kicker { margin: 0; color: var(--accent); font-weight: bold; letter-spacing: .06em; text-transform: uppercase; font-size: 12px; }
h1 { margin: 4px 0 2px; font-size: 27px; line-height: 1.25; }
header .sub { margin: 0 0 12px; color: var(--muted); }
h2 { margin: 36px 0 10px; padding-top: 10px; border-top: 2px solid var(--line); font-size: 21px; }
h3 { margin: 26px 0 8px; font-size: 17px; }
nav.toc { font-size: 13px; color: var(--muted); margin: 6px 0 8px; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 14px; white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fbfcfd; }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 24px; font-weight: bold; line-height: 1.3; overflow-wrap: anywhere; }
.card .value .unit { font-size: 14px; font-weight: normal; color: var(--muted); }
.card .note { font-size: 12.5px; color: var(--muted); }
.takeaways { border-left: 4px solid var(--accent); background: #eef4ff; padding: 10px 16px; margin: 14px 0; border-radius: 0 8px 8px 0; }
.takeaways p { margin: 0 0 4px; font-weight: bold; }
.takeaways ul { margin: 0; padding-left: 20px; }
figure.plot { margin: 18px 0 26px; }
figure.plot svg { display: block; width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
figure.plot figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; }
figure.plot figcaption a { color: var(--accent); text-decoration: none; }
figure.plot:target { position: fixed; top: 0; left: 0; right: 0; bottom: 0; margin: 0; z-index: 10; background: #fff; overflow: auto; }
figure.plot:target svg { width: auto; max-width: none; border: 0; border-radius: 0; }
figure.plot:target figcaption { padding: 8px 12px; }
.tablewrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 4px; font-size: 13px; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f0f2f5; font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.tablecap { font-size: 13px; color: var(--muted); margin: 14px 0 2px; }
.tablecap a, .files a { color: var(--accent); }
code { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 13px; background: #f0f2f5; padding: 0 3px; border-radius: 3px; }
.files { font-size: 13px; columns: 2; }
footer { margin-top: 36px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line); padding-top: 8px; }
"#;

impl Page {
    /// A page with a title and subtitle.
    pub fn new(title: impl Into<String>, subtitle: impl Into<String>) -> Page {
        Page {
            title: title.into(),
            subtitle: subtitle.into(),
            blocks: Vec::new(),
        }
    }

    /// Appends a block.
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    /// Appends a section heading with an anchor.
    pub fn h2(&mut self, text: impl Into<String>, id: impl Into<String>) {
        self.push(Block::Heading {
            level: 2,
            text: text.into(),
            id: id.into(),
        });
    }

    /// Appends a subsection heading with an anchor.
    pub fn h3(&mut self, text: impl Into<String>, id: impl Into<String>) {
        self.push(Block::Heading {
            level: 3,
            text: text.into(),
            id: id.into(),
        });
    }

    /// Appends a paragraph.
    pub fn para(&mut self, text: impl Into<String>) {
        self.push(Block::Paragraph(text.into()));
    }

    /// Appends a figure.
    pub fn figure(&mut self, f: Figure) {
        self.push(Block::Figure(Box::new(f)));
    }

    /// Appends a table with the CSV file that holds it.
    pub fn table(&mut self, caption: impl Into<String>, table: Table, csv: Option<String>) {
        self.push(Block::Table {
            caption: caption.into(),
            table,
            csv,
        });
    }

    /// Every figure of the page, in order.
    pub fn figures(&self) -> impl Iterator<Item = &Figure> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Figure(f) => Some(f.as_ref()),
            _ => None,
        })
    }

    /// The page as one self-contained HTML document.
    pub fn to_html(&self) -> String {
        let mut s =
            String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
        s += &format!("<title>{}</title>\n<style>\n", escape(&self.title));
        s += &fonts::css_font_faces();
        s += CSS;
        s += "</style>\n</head>\n<body>\n<main>\n<header>\n<p class=\"kicker\">onebit report</p>\n";
        s += &format!("<h1>{}</h1>\n", inline_html(&self.title));
        if !self.subtitle.is_empty() {
            s += &format!("<p class=\"sub\">{}</p>\n", inline_html(&self.subtitle));
        }
        s += "</header>\n";
        let toc: Vec<String> = self
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level: 2, text, id } => {
                    Some(format!("<a href=\"#{}\">{}</a>", escape(id), escape(text)))
                }
                _ => None,
            })
            .collect();
        if toc.len() > 1 {
            s += &format!("<nav class=\"toc\">Contents: {}</nav>\n", toc.join(" "));
        }
        for b in &self.blocks {
            s += &block_html(b);
        }
        s += &format!(
            "<footer>Generated by onebit {} (docs/reports.md). Every plot is also in <code>figures/</code> as SVG and PNG; every table is in <code>tables/</code> as CSV.</footer>\n",
            env!("CARGO_PKG_VERSION")
        );
        s += "</main>\n</body>\n</html>\n";
        s
    }

    /// The page as Markdown; plots are linked as `figures/<id>.svg`.
    pub fn to_markdown(&self) -> String {
        let mut s = format!("# {}\n\n", self.title);
        if !self.subtitle.is_empty() {
            s += &format!("{}\n\n", self.subtitle);
        }
        for b in &self.blocks {
            match b {
                Block::Heading { level, text, .. } => {
                    s += &format!("{} {}\n\n", "#".repeat(usize::from(*level)), text);
                }
                Block::Paragraph(t) => s += &format!("{t}\n\n"),
                Block::Bullets(items) => {
                    for i in items {
                        s += &format!("- {i}\n");
                    }
                    s += "\n";
                }
                Block::Takeaways(items) => {
                    s += "**At a glance**\n\n";
                    for i in items {
                        s += &format!("- {i}\n");
                    }
                    s += "\n";
                }
                Block::Cards(cards) => {
                    let mut t = Table::new(&[
                        ("", crate::Align::Left),
                        ("", crate::Align::Right),
                        ("", crate::Align::Left),
                    ]);
                    for c in cards {
                        t.row(vec![c.label.clone(), c.value.clone(), c.note.clone()]);
                    }
                    s += &t.to_markdown();
                    s += "\n";
                }
                Block::Figure(f) => {
                    s += &format!(
                        "![{}](figures/{}.svg)\n\n*{}* {} ([SVG](figures/{}.svg), [PNG](figures/{}.png))\n\n",
                        f.title, f.id, f.title, f.caption, f.id, f.id
                    );
                }
                Block::Table {
                    caption,
                    table,
                    csv,
                } => {
                    if !caption.is_empty() {
                        s += caption;
                        if let Some(c) = csv {
                            s += &format!(" ([CSV]({c}))");
                        }
                        s += "\n\n";
                    }
                    s += &table.to_markdown();
                    s += "\n";
                }
                Block::Files(files) => {
                    for (label, path) in files {
                        s += &format!("- [{label}]({path})\n");
                    }
                    s += "\n";
                }
            }
        }
        s.trim_end().to_string() + "\n"
    }
}

fn block_html(b: &Block) -> String {
    match b {
        Block::Heading { level, text, id } => format!(
            "<h{level} id=\"{}\">{}</h{level}>\n",
            escape(id),
            inline_html(text)
        ),
        Block::Paragraph(t) => format!("<p>{}</p>\n", inline_html(t)),
        Block::Bullets(items) => {
            let li: String = items
                .iter()
                .map(|i| format!("<li>{}</li>", inline_html(i)))
                .collect();
            format!("<ul>{li}</ul>\n")
        }
        Block::Takeaways(items) => {
            let li: String = items
                .iter()
                .map(|i| format!("<li>{}</li>", inline_html(i)))
                .collect();
            format!("<div class=\"takeaways\"><p>At a glance</p><ul>{li}</ul></div>\n")
        }
        Block::Cards(cards) => {
            let mut s = String::from("<div class=\"cards\">\n");
            for c in cards {
                let value = match c.value.split_once(' ') {
                    Some((num, unit)) => format!(
                        "{} <span class=\"unit\">{}</span>",
                        escape(num),
                        escape(unit)
                    ),
                    None => escape(&c.value),
                };
                s += &format!(
                    "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{value}</div><div class=\"note\">{}</div></div>\n",
                    escape(&c.label),
                    inline_html(&c.note)
                );
            }
            s += "</div>\n";
            s
        }
        Block::Figure(f) => format!(
            "<figure class=\"plot\" id=\"fig-{id}\" aria-label=\"{title}\">\n{svg}<figcaption>{cap} <a href=\"#fig-{id}\">[enlarge]</a> <a href=\"#\">[close]</a> <a href=\"figures/{id}.svg\">SVG</a> · <a href=\"figures/{id}.png\">PNG</a></figcaption>\n</figure>\n",
            id = escape(&f.id),
            title = inline_html(&f.title),
            svg = f.rendered.inline_svg(),
            cap = inline_html(&f.caption)
        ),
        Block::Table { caption, table, csv } => {
            let mut s = String::new();
            if !caption.is_empty() || csv.is_some() {
                s += &format!("<p class=\"tablecap\">{}", inline_html(caption));
                if let Some(c) = csv {
                    s += &format!(" <a href=\"{}\">CSV</a>", escape(c));
                }
                s += "</p>\n";
            }
            s += &table.to_html();
            s
        }
        Block::Files(files) => {
            let li: String = files
                .iter()
                .map(|(l, p)| format!("<li><a href=\"{}\">{}</a></li>", escape(p), escape(l)))
                .collect();
            format!("<ul class=\"files\">{li}</ul>\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_is_escaped_and_rendered() {
        assert_eq!(
            inline_html("a <b> `x<y` **bold** & c"),
            "a &lt;b&gt; <code>x&lt;y</code> <strong>bold</strong> &amp; c"
        );
    }

    #[test]
    fn html_has_no_external_resources() {
        let mut p = Page::new("t", "s");
        p.h2("Section", "sec");
        p.para("hello");
        let h = p.to_html();
        assert!(h.starts_with("<!DOCTYPE html>"));
        for bad in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!h.contains(bad), "{bad}");
        }
        assert!(!h.contains("<script"));
        assert!(p.to_markdown().contains("## Section"));
    }
}
