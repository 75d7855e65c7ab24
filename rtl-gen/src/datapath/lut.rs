//! The table-lookup lane (`sim::datapath::lut`).
//!
//! The tile's precompute unit builds every group's table from stage 0's
//! activations: each stored entry with more than one nonzero weight is one
//! add (or subtract) of a stored entry of one nonzero weight fewer and an
//! activation (signfold: the lowest nonzero weight removed; bitserial: the
//! lowest plane bit removed), so a group's build is `entries − 1 − g`
//! (signfold) or `2^g − 2` (bitserial) adds, as the simulator counts. With
//! `storage = "regfile"` the tile registers the tables once (pipeline
//! register 1) and every lane reads them; with `"lanes"` every lane
//! registers its own copy.
//!
//! A lane keeps the tile's common `in_wgt` contract (2-bit ternary or 1-bit
//! binary codes): it encodes each group's weights into the table index (the
//! negate bit and the entry) and registers the indices beside the tables;
//! then per group and plane an entry multiplexer, the conditional negate,
//! and the pairwise tree (registered every `stage_levels` levels); a ternary
//! bitserial sum is halved (its lowest bit is always 0) before the
//! accumulator.

use super::{ActPort, LaneGen};
use crate::arith::{bits_for, Body, Stages, Val};
use crate::design::Design;
use crate::ir::{and, bin, konst, mux, name, not, slice, vbit, wire, BinOp, Expr, Item};
use crate::lane::{range_of, tree};
use sim::datapath::lut::{signfold_index, signfold_pattern, LutShape, TableKind, TableStorage};
use workloads::Precision;

/// The table-lookup lane generator.
#[derive(Debug, Clone, Copy)]
pub struct LutGen;

fn shape(d: &Design) -> LutShape {
    LutShape::of(&d.array)
}

/// The magnitude bound of an entry: `g · max|a|`.
fn entry_mag(d: &Design, s: &LutShape) -> i128 {
    let (lo, hi) = range_of(d.acts());
    lo.abs().max(hi.abs()) * i128::from(s.g)
}

/// Bits of the broadcast table bus.
fn table_bus_bits(s: &LutShape) -> u32 {
    s.groups * s.entries * s.entry_bits
}

/// Entry `e` of group `k` on the table bus `bus`.
fn entry(d: &Design, s: &LutShape, bus: &str, k: u32, e: u32) -> Val {
    let eb = s.entry_bits;
    let lo = (k * s.entries + e) * eb;
    // the entries' range, or every value of a wider configured entry
    let m = if eb == s.min_entry_bits {
        entry_mag(d, s)
    } else {
        (1i128 << (eb - 1)) - 1
    };
    Val::new(slice(bus, lo + eb - 1, lo), eb, -m, m)
}

impl LaneGen for LutGen {
    fn act_ports(&self, d: &Design) -> Vec<ActPort> {
        let s = shape(d);
        vec![ActPort {
            name: "tbl",
            bits: table_bus_bits(&s),
            doc: match s.storage {
                TableStorage::Lanes => {
                    "the tables built from stage 0 (registered in the lane): group k, entry e at \
                     [(k*entries + e)*entry_bits +: entry_bits]"
                }
                _ => {
                    "the tile's registered tables: group k, entry e at \
                     [(k*entries + e)*entry_bits +: entry_bits]"
                }
            },
            source: match s.storage {
                TableStorage::Lanes => "tbl",
                _ => "tblq",
            },
        }]
    }

    fn refuses(&self, d: &Design) -> Option<String> {
        let s = shape(d);
        if s.storage == TableStorage::Sram {
            return Some(
                "`array.lut.storage` = \"sram\" is simulated and priced but not generated (the \
                 RTL builds register tables: \"lanes\" or \"regfile\")"
                    .into(),
            );
        }
        let ii = s.initiation_interval(d.lanes());
        (ii > 1).then(|| {
            format!(
                "a shared table with {} read ports serves {} lookups a chunk over {ii} cycles; the \
                 RTL generates one chunk a cycle: set `array.lut.read_ports` >= {} or \
                 `array.lut.storage` = \"lanes\"",
                s.read_ports,
                d.lanes() * s.planes,
                d.lanes() * s.planes
            )
        })
    }

    fn register_levels(&self, d: &Design) -> Vec<u32> {
        // level 0: the table and index register, then the lookups' tree
        let mut v = vec![0];
        v.extend(sim::bitexact::adder_tree::register_levels(
            d.timing.tree_levels,
            d.array.stage_levels,
        ));
        v
    }

    fn pipeline_note(&self) -> &'static str {
        ", after the table and index register"
    }

    fn broadcast(&self, d: &Design) -> Vec<Item> {
        let s = shape(d);
        let ab = d.act_bits;
        let (amin, amax) = range_of(d.acts());
        let mut body = Body::default();
        body.push(Item::Comment(format!(
            "precompute unit: {} tables ({} kind, g = {}) of {} entries of {} bits, once for all lanes",
            s.groups,
            kind_name(s.kind),
            s.g,
            s.entries,
            s.entry_bits
        )));
        let mut bus = Vec::new();
        for k in 0..s.groups {
            let acts: Vec<Val> = (0..s.g)
                .map(|j| {
                    let e = k * s.g + j;
                    Val::new(slice("s0_act", e * ab + ab - 1, e * ab), ab, amin, amax)
                })
                .collect();
            let table = build_entries(&mut body, &s, k, &acts);
            for v in &table {
                bus.push(v.ext(s.entry_bits));
            }
        }
        bus.reverse();
        let bits = table_bus_bits(&s);
        body.push(wire("tbl", bits, crate::ir::concat(bus)));
        if s.storage != TableStorage::Lanes {
            body.push(Item::Comment(
                "the shared register file: loaded with pipeline register 1".into(),
            ));
            body.push(crate::ir::reg("tblq", bits));
            body.push(crate::ir::on_clock(
                "clk",
                vec![crate::ir::if_(
                    vbit("stage_en", d.depth(), 0),
                    vec![crate::ir::nb(name("tblq"), name("tbl"))],
                )],
            ));
        }
        body.items
    }

    fn lane_body(
        &self,
        d: &Design,
        body: &mut Body,
        stages: &mut Stages,
        reg_levels: &[u32],
    ) -> Val {
        let s = shape(d);
        let lw = d.lane_wgt_bits();
        let wb = d.wgt_bits;
        body.push(Item::Comment(format!(
            "weight index encoder: per group of {} weights and plane, a negate bit and a {}-bit entry",
            s.g,
            s.lookup_index_bits - 1
        )));
        let eix_bits = s.lookup_index_bits - 1;
        let mut idx = Vec::new();
        for k in 0..s.groups {
            let code = |j: u32, b: u32| vbit("wgt", lw, (k * s.g + j) * wb + b);
            match s.kind {
                TableKind::Signfold => {
                    // digit d_j = w_j + 1 from the code {neg, nonzero}: 01 -> 2, 11 -> 0, else 1
                    let mid = (3u32.pow(s.g) - 1) / 2;
                    let vmax = 3u32.pow(s.g) - 1;
                    let vb = bits_for(0, i128::from(vmax));
                    let terms: Vec<Expr> = (0..s.g)
                        .map(|j| {
                            let hi = and(not(code(j, 1)), code(j, 0));
                            let lo = not(code(j, 0));
                            let dj = crate::ir::concat(vec![konst(vb - 2, 0), hi, lo]);
                            bin(BinOp::Mul, dj, konst(vb, u128::from(3u32.pow(j))))
                        })
                        .collect();
                    let v = terms
                        .into_iter()
                        .reduce(|a, b| bin(BinOp::Add, a, b))
                        .expect("g >= 2");
                    let vn = format!("v_{k}");
                    body.push(wire(&vn, vb, v));
                    let neg = bin(BinOp::Lt, name(&vn), konst(vb, u128::from(mid)));
                    let e = mux(
                        neg.clone(),
                        bin(BinOp::Sub, konst(vb, u128::from(mid)), name(&vn)),
                        bin(BinOp::Sub, name(&vn), konst(vb, u128::from(mid))),
                    );
                    let en = format!("e_{k}");
                    body.push(Item::Waive {
                        rule: "UNUSEDSIGNAL".into(),
                        reason: format!(
                            "the entry is at most {mid}: the high bits of the {vb}-bit difference \
                             are always 0"
                        ),
                        items: vec![wire(&en, vb, e)],
                    });
                    let nn = format!("n_{k}");
                    body.push(wire(&nn, 1, neg));
                    idx.push((
                        k,
                        0,
                        crate::ir::concat(vec![name(&nn), slice(&en, eix_bits - 1, 0)]),
                    ));
                }
                TableKind::Bitserial => {
                    let planes: Vec<Vec<Expr>> = match d.weights() {
                        Precision::Binary => vec![(0..s.g).map(|j| code(j, 0)).collect()],
                        _ => vec![
                            // p1 = +1 unless w = -1 (code 11)
                            (0..s.g).map(|j| not(and(code(j, 0), code(j, 1)))).collect(),
                            // p0 = +1 only for w = +1 (code 01)
                            (0..s.g).map(|j| and(code(j, 0), not(code(j, 1)))).collect(),
                        ],
                    };
                    for (p, bits) in planes.into_iter().enumerate() {
                        let bn = format!("b_{k}_{p}");
                        let mut rev = bits.clone();
                        rev.reverse();
                        body.push(wire(&bn, s.g, crate::ir::concat(rev)));
                        let top = vbit(&bn, s.g, s.g - 1);
                        let low = if s.g == 2 {
                            vbit(&bn, s.g, 0)
                        } else {
                            slice(&bn, s.g - 2, 0)
                        };
                        // stored patterns have p_{g-1} = +1; else negate the complement
                        let e = mux(top.clone(), low.clone(), not(low));
                        idx.push((k, p as u32, crate::ir::concat(vec![not(top), e])));
                    }
                }
            }
        }
        body.push(Item::Blank);
        body.push(Item::Comment(
            "pipeline register 1: the indices (and, with lane storage, the tables)".into(),
        ));
        let ib = s.lookup_index_bits;
        let ixs: Vec<(u32, Val)> = idx
            .into_iter()
            .map(|(k, p, e)| {
                let n = format!("ix_{k}_{p}");
                body.push(wire(&n, ib, e));
                let v = Val::new(name(&n), ib, 0, (1i128 << ib) - 1);
                (k, stages.register(body, 0, &format!("ixq_{k}_{p}"), &v))
            })
            .collect();
        let tables: Vec<Vec<Val>> = (0..s.groups)
            .map(|k| {
                (0..s.entries)
                    .map(|e| {
                        let v = entry(d, &s, "tbl", k, e);
                        if s.storage == TableStorage::Lanes {
                            stages.register(body, 0, &format!("tq_{k}_{e}"), &v)
                        } else {
                            v
                        }
                    })
                    .collect()
            })
            .collect();
        body.push(Item::Blank);
        body.push(Item::Comment(
            "lookups: the entry multiplexer and the conditional negate".into(),
        ));
        let mut leaves = Vec::new();
        for (i, (k, ix)) in ixs.iter().enumerate() {
            let n = ix.sig.clone();
            let Expr::Name(ixn) = n else {
                unreachable!("registers are names")
            };
            let eb_sel = |e: u32| {
                bin(
                    BinOp::Eq,
                    if eix_bits == 1 {
                        vbit(&ixn, ib, 0)
                    } else {
                        slice(&ixn, eix_bits - 1, 0)
                    },
                    konst(eix_bits, u128::from(e)),
                )
            };
            let t = &tables[*k as usize];
            let mut acc = t[s.entries as usize - 1].clone();
            for e in (0..s.entries - 1).rev() {
                acc = body.mux(&format!("lk_{i}_{e}"), eb_sel(e), &t[e as usize], &acc);
            }
            let negd = body.neg(&format!("ln_{i}"), &acc);
            let sel = vbit(&ixn, ib, ib - 1);
            leaves.push(body.mux(&format!("lu_{i}"), sel, &negd, &acc));
        }
        body.push(Item::Blank);
        // the tree's registers are stages 1.. (stage 0 is the index register)
        let mut levels = vec![u32::MAX];
        levels.extend(reg_levels.iter().copied().filter(|&l| l > 0));
        let sum = tree(d, body, stages, leaves, &levels, "");
        if s.planes == 2 {
            body.push(Item::Comment(
                "two ternary planes sum to twice the dot product: drop the always-zero bit".into(),
            ));
            let w = sum.width;
            body.push(Item::Waive {
                rule: "UNUSEDSIGNAL".into(),
                reason: "bit 0 of the sum of the two planes' lookups is always 0".into(),
                items: vec![wire("lut_twice", w, sum.sig.clone())],
            });
            Val::new(
                slice("lut_twice", w - 1, 1),
                w - 1,
                sum.lo >> 1,
                sum.hi >> 1,
            )
        } else {
            sum
        }
    }
}

fn kind_name(k: TableKind) -> &'static str {
    match k {
        TableKind::Signfold => "signfold",
        TableKind::Bitserial => "bitserial",
    }
}

/// Group `k`'s table entries from its activations, each multi-term entry
/// one add or subtract of a stored entry (or partial sum) and an
/// activation.
fn build_entries(body: &mut Body, s: &LutShape, k: u32, acts: &[Val]) -> Vec<Val> {
    let g = s.g;
    match s.kind {
        TableKind::Signfold => {
            // in order of nonzero weights, so an entry's base is built first
            let mut table: Vec<Option<Val>> = vec![None; s.entries as usize];
            let mut order: Vec<u32> = (0..s.entries).collect();
            let nonzeros = |e: u32| signfold_pattern(e, g).iter().filter(|&&w| w != 0).count();
            order.sort_by_key(|&e| (nonzeros(e), e));
            for e in order {
                let p = signfold_pattern(e, g);
                let nz: Vec<usize> = (0..g as usize).filter(|&j| p[j] != 0).collect();
                let v = match nz.len() {
                    0 => Val::constant(0),
                    1 => acts[nz[0]].clone(),
                    _ => {
                        // remove the lowest nonzero weight: the rest is a stored entry
                        let low = nz[0];
                        let mut rest = p.clone();
                        rest[low] = 0;
                        let (neg, r) = signfold_index(&rest);
                        debug_assert!(!neg);
                        let base = table[r as usize].clone().expect("built before");
                        let n = format!("t_{k}_{e}");
                        if p[low] > 0 {
                            body.add(&n, &base, &acts[low])
                        } else {
                            body.sub(&n, &base, &acts[low])
                        }
                    }
                };
                table[e as usize] = Some(v);
            }
            table.into_iter().map(|v| v.expect("every entry")).collect()
        }
        TableKind::Bitserial => {
            // partial sums from the top: level g-1 is a_{g-1}; level j adds
            // or subtracts a_j to every level j+1 sum (2^(g-1-j) of them)
            let mut level: Vec<Val> = vec![acts[g as usize - 1].clone()];
            for j in (0..g - 1).rev() {
                let mut next = Vec::with_capacity(level.len() * 2);
                // entry bits j.. of the new level: index i = (rest << 1) | bit_j
                for (r, rest) in level.iter().enumerate() {
                    for bit in 0..2u32 {
                        let n = format!("t_{k}_l{j}_{}", (r << 1) | bit as usize);
                        next.push(if bit == 1 {
                            body.add(&n, rest, &acts[j as usize])
                        } else {
                            body.sub(&n, rest, &acts[j as usize])
                        });
                    }
                }
                level = next;
            }
            // the new bit enters at the bottom, so level 0's index is
            // sum_j (p_j = +1) << j: the entry number itself
            debug_assert_eq!(level.len(), s.entries as usize);
            level
        }
    }
}
