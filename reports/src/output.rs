//! The files a report consists of, before they are written.

/// Files by relative path (`/`-separated), in the order they were added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// (relative path, contents).
    pub files: Vec<(String, Vec<u8>)>,
}

impl Output {
    /// An empty set of files.
    pub fn new() -> Output {
        Output::default()
    }

    /// Adds (or replaces) a file.
    pub fn add(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        let path = path.into();
        let contents = contents.into();
        if let Some(f) = self.files.iter_mut().find(|f| f.0 == path) {
            f.1 = contents;
        } else {
            self.files.push((path, contents));
        }
    }

    /// The contents of `path`, if present.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|f| f.0 == path)
            .map(|f| f.1.as_slice())
    }

    /// Adds every file of `other` under `prefix/`.
    pub fn merge_under(&mut self, prefix: &str, other: Output) {
        for (p, c) in other.files {
            self.add(format!("{prefix}/{p}"), c);
        }
    }

    /// Adds a page as `report.html` and `summary.md`, and its figures as
    /// `figures/<id>.svg` and `figures/<id>.png`.
    pub fn add_page(&mut self, page: &crate::Page) {
        for f in page.figures() {
            self.add(format!("figures/{}.svg", f.id), f.rendered.svg_file());
            self.add(format!("figures/{}.png", f.id), f.rendered.png.clone());
        }
        self.add("report.html", page.to_html());
        self.add("summary.md", page.to_markdown());
    }
}
