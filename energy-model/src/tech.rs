//! Technology tables: the energy of every event the simulator counts, and
//! the cell sizes of the area model, each with its source.
//!
//! The tables are TOML data files compiled into the crate (`tech/7nm.toml`,
//! the default, `tech/16nm.toml`, `tech/28nm.toml` and `tech/45nm.toml`). A user file overrides any subset of
//! their entries: it starts with a `[technology]` table (optionally naming
//! the `base` table it amends) and then lists the entries it changes, as
//! `key = { value = X, source = "..." }` or just `key = X`. Every error
//! names the key and its line and column.

use std::fmt;
use std::ops::Range;
use toml_edit::{ImDocument, Item, TableLike, Value};

macro_rules! keys {
    ($( $var:ident => $sec:literal, $name:literal, $min:expr, $max:expr, $doc:literal; )*) => {
        /// One entry of a technology table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Key { $(#[doc = $doc] $var),* }

        impl Key {
            /// Every entry, in file order.
            pub const ALL: &'static [Key] = &[$(Key::$var),*];

            /// The TOML table the entry lives in.
            pub fn section(self) -> &'static str {
                match self { $(Key::$var => $sec),* }
            }

            /// The entry's key within its table.
            pub fn name(self) -> &'static str {
                match self { $(Key::$var => $name),* }
            }

            /// The accepted range `[min, max]`.
            pub fn range(self) -> (f64, f64) {
                match self { $(Key::$var => ($min, $max)),* }
            }

            /// What the entry is, with its unit.
            pub fn doc(self) -> &'static str {
                match self { $(Key::$var => $doc),* }
            }
        }
    };
}

const BIG: f64 = 1e9;

keys! {
    Fp32AddPj => "arithmetic", "fp32_add_pj", 0.0, BIG, "FP32 add, pJ";
    Fp32MulPj => "arithmetic", "fp32_mul_pj", 0.0, BIG, "FP32 multiply, pJ";
    Fp16AddPj => "arithmetic", "fp16_add_pj", 0.0, BIG, "FP16 add, pJ";
    Fp16MulPj => "arithmetic", "fp16_mul_pj", 0.0, BIG, "FP16 multiply, pJ";
    Int8AddPj => "arithmetic", "int8_add_pj", 0.0, BIG, "INT8 add, pJ";
    Int8MulPj => "arithmetic", "int8_mul_pj", 0.0, BIG, "INT8 multiply, pJ";
    Bf16AddPj => "arithmetic", "bf16_add_pj", 0.0, BIG, "bf16 add, pJ";
    Bf16MulPj => "arithmetic", "bf16_mul_pj", 0.0, BIG, "bf16 multiply, pJ";
    IntAddWidthExponent => "logic", "int_add_width_exponent", 0.0, 4.0, "exponent e of a b-bit integer add: int8_add_pj x (b/8)^e";
    IntMulWidthExponent => "logic", "int_mul_width_exponent", 0.0, 4.0, "exponent e of a b-bit integer multiply: int8_mul_pj x (b/8)^e";
    PopcountPjPerInput => "logic", "popcount_pj_per_input", 0.0, BIG, "popcount, pJ per input bit";
    SelectPjPerBit => "logic", "select_pj_per_bit", 0.0, BIG, "select/negate of a term, pJ per bit";
    RegisterPjPerBit => "logic", "register_pj_per_bit", 0.0, BIG, "flip-flop capturing one bit, pJ";
    ClockPjPerFlopCycle => "logic", "clock_pj_per_flop_cycle", 0.0, BIG, "clock network, pJ per flip-flop per clocked cycle";
    SramRead8KibPj => "sram", "read_64b_8kib_45nm_pj", 0.0, BIG, "64-bit read from an 8 KiB SRAM at 45 nm, pJ";
    SramRead32KibPj => "sram", "read_64b_32kib_45nm_pj", 0.0, BIG, "64-bit read from a 32 KiB SRAM at 45 nm, pJ";
    SramRead1MibPj => "sram", "read_64b_1mib_45nm_pj", 0.0, BIG, "64-bit read from a 1 MiB SRAM at 45 nm, pJ";
    SramNodeScale => "sram", "node_scale", 0.0, 10.0, "factor from the 45 nm SRAM points to this node";
    SramWriteOverRead => "sram", "write_over_read", 0.0, 10.0, "SRAM write energy per bit over read energy per bit";
    Ddr4PjPerBit => "dram", "ddr4_pj_per_bit", 0.0, BIG, "DDR4, pJ per bit";
    Lpddr5PjPerBit => "dram", "lpddr5_pj_per_bit", 0.0, BIG, "LPDDR5, pJ per bit";
    Hbm2ePjPerBit => "dram", "hbm2e_pj_per_bit", 0.0, BIG, "HBM2e, pJ per bit";
    Hbm3PjPerBit => "dram", "hbm3_pj_per_bit", 0.0, BIG, "HBM3, pJ per bit";
    HorowitzDramMinNj => "dram", "horowitz_64b_access_min_nj", 0.0, BIG, "Horowitz 2014 DRAM 64-bit access, lower end, nJ (reference only)";
    HorowitzDramMaxNj => "dram", "horowitz_64b_access_max_nj", 0.0, BIG, "Horowitz 2014 DRAM 64-bit access, upper end, nJ (reference only)";
    LogicLeakMwPerMm2 => "leakage", "logic_mw_per_mm2", 0.0, BIG, "logic leakage, mW per mm2";
    SramLeakMwPerMm2 => "leakage", "sram_mw_per_mm2", 0.0, BIG, "SRAM leakage, mW per mm2";
    Nand2Um2 => "area", "nand2_um2", 1e-6, BIG, "area of a NAND2 gate equivalent (GE), um2";
    LogicUtilization => "area", "logic_utilization", 1e-3, 1.0, "placement density of standard cells, 0..1";
    SramBitcellUm2 => "area", "sram_bitcell_um2", 1e-6, BIG, "6T SRAM bit cell, um2";
    SramArrayEfficiency => "area", "sram_array_efficiency", 1e-3, 1.0, "share of a macro's array that is bit cells, 0..1";
    SramBankPeripheryUm2 => "area", "sram_bank_periphery_um2", 0.0, BIG, "fixed area of one SRAM bank (macro), um2";
    FullAdderGe => "area", "full_adder_ge", 0.0, BIG, "full adder, GE";
    XorGe => "area", "xor_ge", 0.0, BIG, "XOR2, GE";
    AndGe => "area", "and_ge", 0.0, BIG, "AND2, GE";
    DffGe => "area", "dff_ge", 0.0, BIG, "D flip-flop, GE";
    Int8MulGe => "area", "int8_mul_ge", 0.0, BIG, "INT8 multiplier, GE (b-bit: x (b/8)^2)";
    Fp16MulGe => "area", "fp16_mul_ge", 0.0, BIG, "FP16 multiplier, GE";
    Fp16AddGe => "area", "fp16_add_ge", 0.0, BIG, "FP16 adder, GE";
    Bf16MulGe => "area", "bf16_mul_ge", 0.0, BIG, "bf16 multiplier, GE";
    Bf16AddGe => "area", "bf16_add_ge", 0.0, BIG, "bf16 adder, GE";
    Fp32MulGe => "area", "fp32_mul_ge", 0.0, BIG, "FP32 multiplier, GE";
    Fp32AddGe => "area", "fp32_add_ge", 0.0, BIG, "FP32 adder, GE";
    VectorLaneOverheadGe => "area", "vector_lane_overhead_ge", 0.0, BIG, "special functions and control per vector element lane, GE";
    ControlOverhead => "area", "control_overhead", 0.0, 10.0, "control and interconnect as a share of datapath logic";
}

impl Key {
    /// `section.name`.
    pub fn path(self) -> String {
        format!("{}.{}", self.section(), self.name())
    }

    /// The entry called `section.name`.
    pub fn find(section: &str, name: &str) -> Option<Key> {
        Key::ALL
            .iter()
            .copied()
            .find(|k| k.section() == section && k.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The tables of a technology file, in order.
pub const SECTIONS: [&str; 6] = ["arithmetic", "logic", "sram", "dram", "leakage", "area"];

/// A value and where it comes from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Entry {
    /// The value, in the key's unit.
    pub value: f64,
    /// The publication, formula ("model: ...") or assumption ("assumption: ...").
    pub source: String,
}

/// A technology: every entry of the table, with its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Technology {
    /// Table name (e.g. `7nm`).
    pub name: String,
    /// Feature size in nm.
    pub node_nm: f64,
    /// One line on the table.
    pub description: String,
    entries: Vec<Entry>,
    /// Entries a user file replaced, in [`Key::ALL`] order.
    pub overridden: Vec<Key>,
}

/// The built-in tables: name and TOML text.
pub const BUILTIN: [(&str, &str); 4] = [
    ("7nm", include_str!("../tech/7nm.toml")),
    ("16nm", include_str!("../tech/16nm.toml")),
    ("28nm", include_str!("../tech/28nm.toml")),
    ("45nm", include_str!("../tech/45nm.toml")),
];

/// The default table.
pub const DEFAULT_TECH: &str = "7nm";

/// A technology file that does not parse or validate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct TechError {
    /// 1-based line of the offending key or value.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// Dotted path of the offending key (`dram.hbm3_pj_per_bit`); empty
    /// when the error is not about one key.
    pub key: String,
    /// What is wrong; names the key.
    pub message: String,
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// True when `text` looks like a technology file: it has a top-level
/// `[technology]` table.
pub fn is_technology_file(text: &str) -> bool {
    text.lines()
        .any(|l| l.split('#').next().unwrap_or("").trim() == "[technology]")
}

/// What a file says, before merging.
struct Parsed {
    name: Option<String>,
    base: Option<(String, Range<usize>)>,
    node_nm: Option<f64>,
    description: Option<String>,
    entries: Vec<(Key, Entry, Range<usize>)>,
}

struct Ctx<'a> {
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Option<Range<usize>>, key: &str, message: String) -> TechError {
        let (line, col) = line_col(self.text, span.map_or(0, |s| s.start));
        TechError {
            line,
            col,
            key: key.to_string(),
            message,
        }
    }
}

fn type_name(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Value(v) => match v {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::InlineTable(_) => "a table",
        },
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
    }
}

fn number(item: &Item) -> Option<f64> {
    match item {
        Item::Value(Value::Float(f)) => Some(*f.value()),
        Item::Value(Value::Integer(i)) => Some(*i.value() as f64),
        _ => None,
    }
}

fn key_span(t: &dyn TableLike, k: &str) -> Option<Range<usize>> {
    t.key(k).and_then(|k| k.span())
}

fn parse(text: &str, origin: &str) -> Result<Parsed, TechError> {
    let cx = Ctx { text };
    let doc = ImDocument::parse(text).map_err(|e| {
        let what = sim::arch::toml_message(e.message(), e.span().map(|s| s.start), text);
        cx.err(e.span(), "", format!("TOML syntax error: {what}"))
    })?;
    let root = doc.as_table();
    let mut p = Parsed {
        name: None,
        base: None,
        node_nm: None,
        description: None,
        entries: Vec::new(),
    };
    let Some(head) = root.get("technology") else {
        return Err(cx.err(
            None,
            "technology",
            "missing the `[technology]` table (a technology file starts with `[technology]`)"
                .into(),
        ));
    };
    for (section, item) in root.iter() {
        let sspan = key_span(root, section);
        let Some(table) = item.as_table_like() else {
            return Err(cx.err(
                sspan,
                section,
                format!(
                    "`{section}` must be a table ([{section}]), found {}",
                    type_name(item)
                ),
            ));
        };
        if section == "technology" {
            continue;
        }
        if !SECTIONS.contains(&section) {
            return Err(cx.err(
                sspan,
                section,
                format!(
                    "unknown table `[{section}]`: expected one of technology, {}",
                    SECTIONS.join(", ")
                ),
            ));
        }
        for (name, item) in table.iter() {
            let path = format!("{section}.{name}");
            let kspan = key_span(table, name).or(sspan.clone());
            let Some(key) = Key::find(section, name) else {
                let known: Vec<&str> = Key::ALL
                    .iter()
                    .filter(|k| k.section() == section)
                    .map(|k| k.name())
                    .collect();
                return Err(cx.err(
                    kspan,
                    &path,
                    format!(
                        "unknown key `{path}`: `[{section}]` has {}",
                        known.join(", ")
                    ),
                ));
            };
            let (value, source, vspan) = if let Some(v) = number(item) {
                (v, None, item.span().or(kspan.clone()))
            } else if let Some(t) = item.as_table_like() {
                let mut value = None;
                let mut source = None;
                for (f, fi) in t.iter() {
                    let fspan = key_span(t, f).or(kspan.clone());
                    match f {
                        "value" => match number(fi) {
                            Some(v) => value = Some((v, fi.span().or(fspan))),
                            None => {
                                return Err(cx.err(
                                    fi.span().or(fspan),
                                    &path,
                                    format!(
                                        "`{path}.value` must be a number, found {}",
                                        type_name(fi)
                                    ),
                                ))
                            }
                        },
                        "source" => match fi.as_str() {
                            Some(s) if !s.trim().is_empty() => source = Some(s.to_string()),
                            _ => {
                                return Err(cx.err(
                                    fi.span().or(fspan),
                                    &path,
                                    format!("`{path}.source` must be a non-empty string"),
                                ))
                            }
                        },
                        other => {
                            return Err(cx.err(
                                fspan,
                                &path,
                                format!(
                                    "unknown field `{other}` in `{path}`: an entry has `value` and `source`"
                                ),
                            ))
                        }
                    }
                }
                let Some((v, vs)) = value else {
                    return Err(cx.err(kspan, &path, format!("`{path}` has no `value`")));
                };
                (v, source, vs)
            } else {
                return Err(cx.err(
                    item.span().or(kspan),
                    &path,
                    format!(
                        "`{path}` must be a number or {{ value = NUMBER, source = \"...\" }}, found {}",
                        type_name(item)
                    ),
                ));
            };
            let (lo, hi) = key.range();
            if !(value >= lo && value <= hi) {
                return Err(cx.err(
                    vspan,
                    &path,
                    format!(
                        "`{path}` = {value} is out of range: expected a number from {lo} to {hi} ({})",
                        key.doc()
                    ),
                ));
            }
            let source = source.unwrap_or_else(|| format!("override: {origin}"));
            p.entries
                .push((key, Entry { value, source }, vspan.unwrap_or(0..0)));
        }
    }
    let head = head.as_table_like().expect("checked above");
    for (f, fi) in head.iter() {
        let path = format!("technology.{f}");
        let fspan = key_span(head, f);
        let vspan = fi.span().or(fspan.clone());
        match f {
            "name" | "description" | "base" => {
                let Some(s) = fi.as_str() else {
                    return Err(cx.err(
                        vspan,
                        &path,
                        format!("`{path}` must be a string, found {}", type_name(fi)),
                    ));
                };
                match f {
                    "name" => p.name = Some(s.to_string()),
                    "description" => p.description = Some(s.to_string()),
                    _ => p.base = Some((s.to_string(), vspan.unwrap_or(0..0))),
                }
            }
            "node_nm" => match number(fi) {
                Some(v) if v > 0.0 && v <= 1000.0 => p.node_nm = Some(v),
                _ => {
                    return Err(cx.err(
                        vspan,
                        &path,
                        format!("`{path}` must be a number from 0 (exclusive) to 1000"),
                    ))
                }
            },
            other => {
                return Err(cx.err(
                    fspan,
                    &path,
                    format!(
                        "unknown key `technology.{other}`: `[technology]` has name, base, node_nm, description"
                    ),
                ))
            }
        }
    }
    Ok(p)
}

impl Technology {
    /// A built-in table by name (`7nm`, `16nm`, `28nm`, `45nm`).
    pub fn builtin(name: &str) -> Option<Technology> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        Some(Technology::from_full_toml(text).expect("built-in tables are valid"))
    }

    /// The names of the built-in tables.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// The default 7 nm table.
    pub fn default_7nm() -> Technology {
        Technology::builtin(DEFAULT_TECH).expect("the default table exists")
    }

    /// Reads a complete table: every entry present, each with a source.
    pub fn from_full_toml(text: &str) -> Result<Technology, TechError> {
        let p = parse(text, "")?;
        let cx = Ctx { text };
        let mut entries: Vec<Option<Entry>> = vec![None; Key::ALL.len()];
        for (k, e, span) in p.entries {
            if e.source.starts_with("override: ") {
                return Err(cx.err(
                    Some(span),
                    &k.path(),
                    format!(
                        "`{}` has no source (a full table needs `source` on every entry)",
                        k.path()
                    ),
                ));
            }
            entries[k.index()] = Some(e);
        }
        let mut out = Vec::with_capacity(entries.len());
        for (k, e) in Key::ALL.iter().zip(entries) {
            match e {
                Some(e) => out.push(e),
                None => {
                    return Err(cx.err(
                        None,
                        &k.path(),
                        format!("missing `{}` ({})", k.path(), k.doc()),
                    ))
                }
            }
        }
        Ok(Technology {
            name: p.name.unwrap_or_else(|| "unnamed".into()),
            node_nm: p.node_nm.unwrap_or(0.0),
            description: p.description.unwrap_or_default(),
            entries: out,
            overridden: Vec::new(),
        })
    }

    /// Reads a user file: a `[technology]` table (with `base` one of the
    /// built-in tables, default 7nm) and the entries it overrides. `origin` (the
    /// file name) becomes the source of entries given without one.
    pub fn from_override_toml(text: &str, origin: &str) -> Result<Technology, TechError> {
        let p = parse(text, origin)?;
        let cx = Ctx { text };
        let mut t = match &p.base {
            None => Technology::default_7nm(),
            Some((b, span)) => Technology::builtin(b).ok_or_else(|| {
                cx.err(
                    Some(span.clone()),
                    "technology.base",
                    format!(
                        "`technology.base` = \"{b}\" is not a built-in table: expected one of {}",
                        Technology::builtin_names().join(", ")
                    ),
                )
            })?,
        };
        for (k, e, _) in p.entries {
            t.entries[k.index()] = e;
            if !t.overridden.contains(&k) {
                t.overridden.push(k);
            }
        }
        t.overridden.sort();
        if let Some(n) = p.name {
            t.name = n;
        } else if !t.overridden.is_empty() {
            t.name = format!("{} (overridden by {origin})", t.name);
        }
        if let Some(n) = p.node_nm {
            t.node_nm = n;
        }
        if let Some(d) = p.description {
            t.description = d;
        }
        Ok(t)
    }

    /// The value of an entry.
    pub fn get(&self, k: Key) -> f64 {
        self.entries[k.index()].value
    }

    /// An entry with its source.
    pub fn entry(&self, k: Key) -> &Entry {
        &self.entries[k.index()]
    }

    /// Sets an entry (for sweeps and tests); records it as overridden.
    pub fn set(&mut self, k: Key, value: f64, source: &str) {
        self.entries[k.index()] = Entry {
            value,
            source: source.to_string(),
        };
        if !self.overridden.contains(&k) {
            self.overridden.push(k);
            self.overridden.sort();
        }
    }

    /// Every entry with its key, in file order.
    pub fn entries(&self) -> impl Iterator<Item = (Key, &Entry)> {
        Key::ALL.iter().copied().zip(self.entries.iter())
    }
}

impl fmt::Display for Technology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_are_complete_and_sourced() {
        for name in Technology::builtin_names() {
            let t = Technology::builtin(name).unwrap();
            assert_eq!(t.name, name);
            for (k, e) in t.entries() {
                assert!(!e.source.trim().is_empty(), "{name}: {}", k.path());
            }
        }
    }

    #[test]
    fn override_merges_and_names_its_source() {
        let t = Technology::from_override_toml(
            "[technology]\n[dram]\nhbm3_pj_per_bit = 2.5\nlpddr5_pj_per_bit = { value = 4.0, source = \"my lab\" }\n",
            "mine.toml",
        )
        .unwrap();
        assert_eq!(t.get(Key::Hbm3PjPerBit), 2.5);
        assert_eq!(t.entry(Key::Hbm3PjPerBit).source, "override: mine.toml");
        assert_eq!(t.entry(Key::Lpddr5PjPerBit).source, "my lab");
        assert_eq!(t.get(Key::Int8AddPj), 0.007);
        assert_eq!(t.overridden, vec![Key::Lpddr5PjPerBit, Key::Hbm3PjPerBit]);
        let t45 = Technology::from_override_toml(
            "[technology]\nbase = \"45nm\"\n[arithmetic]\nint8_add_pj = 0.02\n",
            "x",
        )
        .unwrap();
        assert_eq!(t45.get(Key::Int8AddPj), 0.02);
        assert_eq!(t45.get(Key::Fp16MulPj), 1.1);
    }

    fn refused(text: &str) -> TechError {
        Technology::from_override_toml(text, "bad.toml").unwrap_err()
    }

    #[test]
    fn bad_files_name_the_key_and_position() {
        let e = refused("[technology]\n[dram]\nhbm3_pj_per_bit = -1.0\n");
        assert_eq!(
            (e.line, e.col, e.key.as_str()),
            (3, 19, "dram.hbm3_pj_per_bit")
        );
        assert!(
            e.message
                .contains("`dram.hbm3_pj_per_bit` = -1 is out of range"),
            "{e}"
        );

        let e = refused("[technology]\n[dram]\nhbm4_pj_per_bit = 1.0\n");
        assert_eq!(
            (e.line, e.col, e.key.as_str()),
            (3, 1, "dram.hbm4_pj_per_bit")
        );
        assert!(e.message.contains("unknown key"), "{e}");

        let e = refused("[technology]\n[dramm]\nx = 1\n");
        assert_eq!((e.line, e.key.as_str()), (2, "dramm"));

        let e = refused("[technology]\n[sram]\nnode_scale = \"big\"\n");
        assert_eq!((e.line, e.col, e.key.as_str()), (3, 14, "sram.node_scale"));

        let e = refused("[technology]\n[sram]\nnode_scale = { value = 0.5, sorce = \"x\" }\n");
        assert_eq!((e.line, e.key.as_str()), (3, "sram.node_scale"));
        assert!(e.message.contains("unknown field `sorce`"), "{e}");

        let e = refused("[technology]\nbase = \"5nm\"\n");
        assert_eq!((e.line, e.col, e.key.as_str()), (2, 8, "technology.base"));

        let e = refused("[dram]\nhbm3_pj_per_bit = 1\n");
        assert_eq!(e.key, "technology");

        let e = refused("[technology]\n[dram\n");
        assert_eq!(e.line, 2);
        assert!(e.message.starts_with("TOML syntax error"), "{e}");
    }

    #[test]
    fn detects_technology_files() {
        assert!(is_technology_file("# x\n[technology]\nname = \"a\"\n"));
        assert!(is_technology_file("[technology] # c\n"));
        assert!(!is_technology_file("name = \"a\"\n[array]\n"));
        for (_, text) in BUILTIN {
            assert!(is_technology_file(text));
        }
    }

    #[test]
    fn full_tables_must_have_every_entry_with_a_source() {
        let e = Technology::from_full_toml("[technology]\nname = \"x\"\n").unwrap_err();
        assert_eq!(e.key, "arithmetic.fp32_add_pj");
        let e = Technology::from_full_toml("[technology]\n[arithmetic]\nfp32_add_pj = 1.0\n")
            .unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (3, "arithmetic.fp32_add_pj"));
    }
}
