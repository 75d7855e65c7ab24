//! The whole accelerator in RTL (`onebit rtl emit --top accel`): the
//! compute tile of [`crate::tile`] behind weight, activation and output
//! buffers built from one SRAM macro wrapper ([`sram`]), a DMA engine on an
//! AXI4 master ([`dma`]), an AXI4-Lite control slave ([`regs`]) and a
//! sequencer ([`sequencer`]) that runs a linear-layer descriptor from
//! memory with the tile order and the prefetch rules of the simulator's
//! engine, so that its layer starts and ends at the engine's cycles
//! ([`check`] proves it under Verilator with the engine's own DRAM model
//! timing the memory).
//! [`chain`] gives the engine's timing and the results of a list of
//! layers run as one sequence; the top runs such a list of independent
//! layers (`DESC_COUNT` descriptors, [`table`]) and [`chain_check`]
//! compares it with the engine.
//!
//! Descriptors: `DESC_COUNT` (1 to [`table::MAX_LAYERS`]) one after the
//! other from `DESC_BASE`, run as one chain. Descriptor (64 bytes, 16
//! little-endian 32-bit words): 0 `M` (tokens),
//! 1 `K`, 2 `N`, 3 flags (bit 0: the input is layer `flags[18:16]`'s
//! output requantized with the shift `flags[12:8]`, [`forward`]; bit 1:
//! the input rows follow the layer's first weight tile in the weight
//! stream, [`stream_in`]; bit 2: the
//! outputs written as INT8, requantized by the same rule with the shift
//! `flags[28:24]`, one byte an output, [`dma`]; else 32-bit
//! accumulators; bit 3: the outputs stored per tile during the layer,
//! [`store_out`]; bit 4, with bit 1: a weights-outer token block after the
//! first, whose tiles compute with the weights its group's first block
//! loaded, its transfers its rows alone; bit 5, with bit 1, on every
//! descriptor: the chain is one layer's token blocks in the weights-outer
//! order, its tiles walked `(group, K tile, block)`, [`stream_in`]), 4 activation base, 5 weight base, 6 output base, 7 activation
//! row stride (bytes), 8 output row stride (bytes), 9 the K tile (chunks
//! a weight tile holds of a row, 0: a slot's words; with weight registers
//! bits 15:0, bits 31:16 the token tile, [`tokens`]), 10 the N tile (feature
//! groups a weight tile holds, 0 or 1: one; [`ntile`], where the design
//! builds it), 11-15 reserved (0).
//! Activations: `M` rows of `K` values packed at the design's activation
//! bits (INT8: `K` bytes; INT4: `K / 2`; element 0 in the low bits).
//! Weights: the tiles in the engine's order (feature group `g` of `lanes`
//! outputs), each `ceil(K / width)` chunks of `lanes x width` weight codes
//! at the tile's bits (2-bit ternary, 1-bit binary, `B`-bit INT`B`; the
//! tile's `in_wgt`, lane 0 element 0 first), tile after tile, exactly the
//! bytes the engine loads: a last group of `N % lanes` lanes has that many
//! lanes a chunk, and a short last chunk of `K % width` elements holds only
//! those, element-major (a prefix of whole beats; the DMA rewires it). Outputs: `M` rows of `N`
//! 32-bit two's-complement accumulators, or `N` INT8 values with flags bit 2.

pub mod block_loop;
pub mod build;
pub mod chain;
pub mod chain_check;
pub mod check;
pub mod collector;
pub mod cursor;
pub mod dma;
pub mod dram_lib;
pub mod forward;
pub mod fw_columns;
pub mod harness;
pub mod icarus_tb;
pub mod image;
pub mod layer;
pub mod lut_index;
pub mod lut_serial;
pub mod mapping;
pub mod ntile;
pub mod ntile_store;
pub mod ntile_stream;
pub mod params;
pub mod partial_spill;
pub mod partition;
pub mod refusals;
pub mod regs;
pub mod sequencer;
pub mod sram;
pub mod store_out;
pub mod store_write;
pub mod stream;
pub mod stream_check;
pub mod stream_in;
pub mod strobes;
pub mod synth;
pub mod table;
pub mod tokens;
pub mod unpack;

use crate::emit::emit_design;
use crate::ir::{name, Dir, Expr, Item, Module, Port};
use crate::manifest::GENERATOR_VERSION;
use crate::print::print_file;
use build::{Body, X};
pub use params::AccelParams;
use serde::Serialize;

fn ports(p: &AccelParams) -> Vec<Port> {
    let db = p.axi_bits;
    let mut v = vec![
        Port::new("clk", Dir::Input, 1, "clock, rising edge"),
        Port::new("rst_n", Dir::Input, 1, "synchronous reset, active low"),
    ];
    let lite: &[(&str, Dir, u32, &str)] = &[
        ("s_axil_awvalid", Dir::Input, 1, "AXI4-Lite write address"),
        ("s_axil_awready", Dir::Output, 1, ""),
        ("s_axil_awaddr", Dir::Input, 8, "register byte offset"),
        ("s_axil_wvalid", Dir::Input, 1, "AXI4-Lite write data"),
        ("s_axil_wready", Dir::Output, 1, ""),
        ("s_axil_wdata", Dir::Input, 32, ""),
        (
            "s_axil_wstrb",
            Dir::Input,
            4,
            "ignored: registers are written whole",
        ),
        ("s_axil_bvalid", Dir::Output, 1, "AXI4-Lite write response"),
        ("s_axil_bready", Dir::Input, 1, ""),
        ("s_axil_bresp", Dir::Output, 2, "always OKAY"),
        ("s_axil_arvalid", Dir::Input, 1, "AXI4-Lite read address"),
        ("s_axil_arready", Dir::Output, 1, ""),
        ("s_axil_araddr", Dir::Input, 8, "register byte offset"),
        ("s_axil_rvalid", Dir::Output, 1, "AXI4-Lite read data"),
        ("s_axil_rready", Dir::Input, 1, ""),
        ("s_axil_rdata", Dir::Output, 32, ""),
        ("s_axil_rresp", Dir::Output, 2, "always OKAY"),
        ("irq", Dir::Output, 1, "done and interrupt enabled (level)"),
    ];
    let m: Vec<(&str, Dir, u32, &str)> = vec![
        ("m_axi_arvalid", Dir::Output, 1, "AXI4 read address"),
        ("m_axi_arready", Dir::Input, 1, ""),
        ("m_axi_araddr", Dir::Output, X, ""),
        (
            "m_axi_arlen",
            Dir::Output,
            8,
            "beats - 1 (INCR, at most 256 beats, never across 4 KiB)",
        ),
        (
            "m_axi_arsize",
            Dir::Output,
            3,
            "log2(bytes a beat): the full bus",
        ),
        ("m_axi_arburst", Dir::Output, 2, "INCR"),
        (
            "m_axi_arid",
            Dir::Output,
            2,
            "0 control traffic, 1 + s weight slot s",
        ),
        (
            "m_axi_aruser",
            Dir::Output,
            dma::aruser_bits(p),
            if p.wgear() {
                "bit 0: last burst of a transfer (one weight tile, one row); above it, a weight tile's end byte in its last beat (0: whole; its first ARADDR is its first byte)"
            } else {
                "last burst of a transfer (one weight tile, one row)"
            },
        ),
        (
            "m_axi_rvalid",
            Dir::Input,
            1,
            "AXI4 read data (always accepted)",
        ),
        ("m_axi_rready", Dir::Output, 1, ""),
        ("m_axi_rdata", Dir::Input, db, ""),
        ("m_axi_rresp", Dir::Input, 2, "not OKAY sets ERROR bit 0"),
        ("m_axi_rlast", Dir::Input, 1, "unused: beats are counted"),
        ("m_axi_rid", Dir::Input, 2, ""),
        ("m_axi_awvalid", Dir::Output, 1, "AXI4 write address"),
        ("m_axi_awready", Dir::Input, 1, ""),
        ("m_axi_awaddr", Dir::Output, X, ""),
        ("m_axi_awlen", Dir::Output, 8, "beats - 1 (INCR)"),
        ("m_axi_awsize", Dir::Output, 3, ""),
        ("m_axi_awburst", Dir::Output, 2, "INCR"),
        (
            "m_axi_awid",
            Dir::Output,
            2,
            "0: the write-back; 1: a store of outputs per tile",
        ),
        (
            "m_axi_awuser",
            Dir::Output,
            strobes::user_bits(p),
            if strobes::strobed(p) {
                "bit 0: last burst of an output row or a store; above it, a store's end byte in its last beat (0: whole)"
            } else {
                "last burst of an output row"
            },
        ),
        ("m_axi_wvalid", Dir::Output, 1, "AXI4 write data"),
        ("m_axi_wready", Dir::Input, 1, ""),
        ("m_axi_wdata", Dir::Output, db, ""),
        (
            "m_axi_wstrb",
            Dir::Output,
            db / 8,
            if strobes::strobed(p) {
                "all bytes, but a store's bytes outside it in its first and last beats"
            } else {
                "all bytes"
            },
        ),
        ("m_axi_wlast", Dir::Output, 1, ""),
        (
            "m_axi_bvalid",
            Dir::Input,
            1,
            "AXI4 write response (always accepted)",
        ),
        ("m_axi_bready", Dir::Output, 1, ""),
        ("m_axi_bresp", Dir::Input, 2, "not OKAY sets ERROR bit 1"),
        (
            "m_axi_bid",
            Dir::Input,
            2,
            "1: a store's response, counted for the layer's completion",
        ),
        (
            "dbg_window",
            Dir::Output,
            1,
            "observation: the layer is running (its cycle 0 is the first cycle high)",
        ),
        (
            "dbg_layer_start",
            Dir::Output,
            1,
            "observation: the layer's first tile starts this cycle",
        ),
        (
            "dbg_layer_done",
            Dir::Output,
            1,
            "observation: the layer's result is complete this cycle",
        ),
        (
            "dbg_wread",
            Dir::Output,
            1,
            "observation: the weight buffer is read this cycle (a chunk of weights for the \
             tile's next chunk: every chunk with token_tile = 1, a sub-tile's first token's \
             with weight registers)",
        ),
    ];
    for (nm, d, w, c) in lite.iter().cloned().chain(m) {
        v.push(Port::new(nm, d, w, c));
    }
    v
}

/// The blocks of the top, each a module of the generated Verilog
/// ([`partition`]): `(block, what it is)`.
pub const BLOCKS: &[(&str, &str)] = &[
    ("axil_slave", "AXI4-Lite slave: the control registers"),
    (
        "table",
        "descriptor table: the chain's descriptors in registers",
    ),
    (
        "sequencer",
        "sequencer: run phases, tile starts, fetch decisions, chunk feeder",
    ),
    (
        "buffers",
        "buffers' control: output collector, partial sums, forwarding, SRAM ports",
    ),
    (
        "axi_master",
        "AXI4 master: bursts (256 beats, 4 KiB), read requests with IDs, channels",
    ),
    ("dma", "DMA: read-data router and gearboxes, write-back"),
];

/// The top of `p` as one flat body, every item tagged with its block.
fn body(p: &AccelParams) -> Body {
    let mut o = Body::default();
    o.block("axil_slave");
    regs::control_slave(p, &mut o);
    o.block("sequencer");
    sequencer::phases(p, &mut o);
    o.block("sequencer");
    layer::layer(p, &mut o);
    o.block("buffers");
    forward::forward(p, &mut o);
    o.block("axi_master");
    dma::read_requests(p, &mut o);
    o.block("dma");
    dma::read_data(p, &mut o);
    o.block("dma");
    dma::write_back(p, &mut o);
    o.block("dma");
    store_write::channel(p, &mut o);
    o.block("buffers");
    o.note("the buffers (one SRAM macro wrapper) and the compute tile");
    let wab = params::addr_bits(u64::from(p.slots) * p.wslot_rows());
    let aab = params::addr_bits(p.act_words);
    let oab = params::addr_bits(p.out_words);
    // (narrow weight words: the buffer reads a row of a beat, `w_qr`)
    let wq = if p.wnarrow() { "w_qr" } else { "w_q" };
    for (w, sig) in [
        (p.wrow_bits(), wq),
        (p.aword_bits(), "a_q"),
        (p.oword_bits(), "ob_q"),
    ] {
        o.items.push(crate::ir::wire_decl(sig, w));
    }
    if p.wnarrow() {
        dma::narrow::read_select(p, &mut o);
    }
    if p.packed() {
        unpack::unpacker(p, &mut o);
    }
    if let Some(ix) = p.lut_index() {
        lut_index::decoder(p, &ix, &mut o);
    }
    if p.serial() {
        lut_serial::register(p, &mut o);
    }
    for (sig, w) in [
        ("t_in_valid", 1),
        ("t_in_last", 1),
        ("t_in_ready", 1),
        ("t_out_valid", 1),
    ] {
        o.items.push(crate::ir::wire_decl(sig, w));
    }
    o.items
        .push(crate::ir::wire_decl("t_out_acc", p.tile.out_acc_bits()));
    if p.tile.token_tile() > 1 {
        o.items.push(crate::ir::wire_decl("t_in_wload", 1));
    }
    let sl = |s: &str, bits: u32| build::sl(s, bits - 1, 0);
    let inst = |module: String, nm: &str, conns: Vec<(&str, Expr)>| Item::Instance {
        module,
        name: nm.into(),
        conns: conns.into_iter().map(|(a, e)| (a.to_string(), e)).collect(),
    };
    o.items.push(inst(
        p.sram("w"),
        "u_wbuf",
        vec![
            ("clk", name("clk")),
            ("re", name("w_re")),
            (
                "raddr",
                if p.wnarrow() {
                    let lo = dma::narrow::sel_bits(p);
                    build::sl("w_raddr_n", wab + lo - 1, lo)
                } else {
                    sl("w_raddr_n", wab)
                },
            ),
            ("q", name(wq)),
            ("we", name("wb_we")),
            ("waddr", sl("wb_waddr", wab)),
            ("wdata", name("wb_wdata")),
        ],
    ));
    fw_columns::act_buffer(
        p,
        &mut o,
        name(if p.holds() || p.serial() {
            "a_re"
        } else {
            "comp_n"
        }),
        sl("fd_aa_n", aab),
    );
    // (a store's data side reads on the cycles the partial sums leave free)
    let (re, ra) = if store_out::built(p) {
        (
            build::or(name("ob_re_acc"), name("sw_rd")),
            build::mux(name("sw_rd"), name("sw_raddr"), name("r_addr")),
        )
    } else {
        (name("ob_re_acc"), name("r_addr"))
    };
    o.wire("ob_re", 1, build::or(name("ob_re_wb"), re));
    o.wire(
        "ob_raddr",
        X,
        build::mux(
            build::eq(name("ph"), crate::ir::konst(3, 4)),
            name("wb_ra"),
            ra,
        ),
    );
    o.items.push(inst(
        p.sram("o"),
        "u_obuf",
        vec![
            ("clk", name("clk")),
            ("re", name("ob_re")),
            ("raddr", sl("ob_raddr", oab)),
            ("q", name("ob_q")),
            ("we", name("t_out_valid")),
            ("waddr", sl("o_wa", oab)),
            ("wdata", name("o_word")),
        ],
    ));
    o.block(partition::TOP);
    o.items.push(inst(
        p.tile.top(),
        "u_tile",
        vec![
            ("clk", name("clk")),
            ("rst_n", name("rst_n")),
            ("in_valid", name("t_in_valid")),
            ("in_ready", name("t_in_ready")),
            ("in_act", name(if p.serial() { "t_act" } else { "a_q" })),
            (
                "in_wgt",
                name(if p.packed() {
                    "w_un"
                } else if p.lut_index().is_some() {
                    "w_dx"
                } else {
                    "w_q"
                }),
            ),
            ("in_last", name("t_in_last")),
        ]
        .into_iter()
        .chain((p.tile.token_tile() > 1).then(|| ("in_wload", name("t_in_wload"))))
        .chain([
            ("out_valid", name("t_out_valid")),
            ("out_ready", crate::ir::konst(1, 1)),
            ("out_acc", name("t_out_acc")),
        ])
        .collect(),
    ));
    // Counters are 32 bits wide; the buffers take their low address bits,
    // and a few inputs are not needed (documented on the ports).
    let unused = crate::ir::Expr::Concat(vec![
        name("s_axil_wstrb"),
        build::sl("s_axil_awaddr", 1, 0),
        build::sl("s_axil_araddr", 1, 0),
        name("m_axi_rlast"),
        name("desc"),
        name("w_raddr_n"),
        name("wb_waddr"),
        name("fd_aa_n"),
        name("a_wa"),
        name("wb_ra"),
        name("o_wa"),
        name("fd_c"),
        name("e_cnt"),
        name("ob_raddr"),
        name("ic_nx"),
        name("ic_n1"),
        // (with N tiles the partial sums' tile cursor is `rct`, `ntile::waived`)
        name(if p.ntiles() { "rc_gx" } else { "rc_nx" }),
        name(if p.ntiles() { "rc_te" } else { "rc_n1" }),
        name("fc2_wrap"),
        name("fc_ch"),
        name("fc2_ch"),
        name("oc_ch"),
        name("rc_ch"),
        name("rb_to4k"),
        name("rb_bm1"),
        name("wbb_to4k"),
        name("wbb_bm1"),
        name("wb_off"),
        name("fd_slot"),
        name("fd_ws"),
        name("e_slot"),
        name("arr1"),
        name("i_lbits"),
        name("i_tbits"),
        name("d_kp"),
        name("wb_lbits"),
        name("va_k"),
        name("vwn_n"),
        name("vw_n"),
        name("t0_n"),
        name("va_flags"),
        name("vi_flags"),
        name("vi_m"),
        name("i_rowb"),
        name("van_flags"),
        name("ve_flags"),
        name("vw_flags"),
        name("vwn_flags"),
        name("a_waddr"),
    ]);
    let mut unused = unused;
    if let crate::ir::Expr::Concat(v) = &mut unused {
        if store_out::built(p) {
            // the stores' flags views (bit 3 read), a group's lanes (whole
            // beats), the bursts' 4 KiB arithmetic
            for s in [
                "vsd_flags",
                "vso_flags",
                "vsr_flags",
                "st_gl",
                "sab_to4k",
                "swb_to4k",
                "swb_bm1",
            ] {
                v.push(name(s));
            }
        } else {
            v.push(name("m_axi_bid"));
        }
    }
    if p.packed() {
        if let crate::ir::Expr::Concat(v) = &mut unused {
            v.extend(unpack::waived(p));
        }
    }
    // a weight word of one beat: a chunk's beat count is its bit 0
    if p.wword_bits() == p.axi_bits {
        if let crate::ir::Expr::Concat(v) = &mut unused {
            v.push(name("i_bpw"));
        }
    }
    // the gearboxes (`dma/gearbox.rs`): a tile's bits whose low bits are
    // below a beat; the streamed input's slot bases (not built with them)
    if p.gears() {
        if let crate::ir::Expr::Concat(v) = &mut unused {
            if p.wgear() || p.wnarrow() {
                v.push(name("i_cbits"));
            }
            if !stream_in::built(p) {
                for s in 0..p.slots {
                    v.push(name(format!("sab{s}")));
                }
            }
        }
    }
    if let Some(ix) = p.lut_index() {
        if let crate::ir::Expr::Concat(v) = &mut unused {
            v.extend(lut_index::waived(p, &ix));
        }
    }
    if p.ntiles() {
        if let crate::ir::Expr::Concat(v) = &mut unused {
            v.extend(ntile::waived(p).into_iter().map(name));
        }
    }
    let waived = vec![crate::ir::wire(
        "unused_ok",
        1,
        crate::ir::Expr::Unary(crate::ir::UnOp::ReduceOr, Box::new(unused)),
    )];
    o.waive(
        "UNUSEDSIGNAL",
        "32-bit counters whose low bits address the buffers; descriptor words not used; \
         inputs the ports document as unused",
        waived,
    );
    o
}

fn flat_top(p: &AccelParams, items: Vec<Item>) -> Module {
    Module {
        name: p.top(),
        doc: vec![format!(
            "The accelerator top of `{}`: AXI4 master ({}-bit data), AXI4-Lite control slave, \
             weight/activation/output buffers, DMA, sequencer, the compute tile.",
            p.tile.name, p.axi_bits
        )],
        ports: ports(p),
        items,
    }
}

/// The buffers' SRAM wrappers: (module, words, bits).
fn buffers(p: &AccelParams) -> [(String, u64, u32); 3] {
    [
        (
            p.sram("w"),
            u64::from(p.slots) * p.wslot_rows(),
            p.wrow_bits(),
        ),
        (p.sram("a"), p.act_words, fw_columns::sram_bits(p)),
        (p.sram("o"), p.out_words, p.oword_bits()),
    ]
}

/// The top of `p` as one flat module (every block's items in one body;
/// the same logic as [`accel_modules`]).
pub fn accel_module(p: &AccelParams) -> Module {
    flat_top(p, body(p).items)
}

/// The top of `p` as its blocks' modules and the top that instantiates
/// them and the compute tile (last).
pub fn accel_modules(p: &AccelParams) -> Vec<partition::Part> {
    let mut ifaces = vec![crate::tile::tile_module(&p.tile)];
    for (m, words, bits) in buffers(p) {
        ifaces.push(sram::sram_module(&m, words, bits, false));
    }
    partition::partition(&flat_top(p, Vec::new()), body(p).tagged(), &ifaces)
        .unwrap_or_else(|e| panic!("the accelerator's blocks do not partition: {e}"))
}

/// The accelerator's files: the tile's (lane, tile), the three buffer
/// wrappers and the top, each `(file name, Verilog)` in compile order, and
/// the manifest. `blackbox` gives the SRAMs' synthesis view.
pub fn emit_accel(p: &AccelParams, blackbox: bool) -> (Vec<(String, String)>, AccelManifest) {
    let tile = emit_design(&p.tile);
    let header = vec![
        format!(
            "Generated by onebit rtl-gen {GENERATOR_VERSION} from design `{}`; regenerate with `onebit rtl emit --top accel`.",
            p.tile.name
        ),
        "Verilog-2005. Lint: verilator --lint-only -Wall (clean; waivers in docs/rtl.md).".into(),
    ];
    let mut files = tile.verilog.clone();
    for (m, words, bits) in buffers(p) {
        let m = sram::sram_module(&m, words, bits, blackbox);
        files.push((format!("{}.v", m.name), print_file(&header, &[m])));
    }
    let parts = accel_modules(p);
    for part in &parts {
        files.push((
            format!("{}.v", part.module.name),
            print_file(&header, std::slice::from_ref(&part.module)),
        ));
    }
    (files, AccelManifest::of(p, &parts))
}

/// The accelerator's manifest: ports, register map, descriptor format.
#[derive(Debug, Clone, Serialize)]
pub struct AccelManifest {
    /// The top module.
    pub module: String,
    /// The tile inside.
    pub tile: String,
    /// AXI data bits.
    pub axi_data_bits: u32,
    /// Weight slots (prefetch depth).
    pub weight_slots: u32,
    /// Buffers: (name, words, bits).
    pub buffers: Vec<(String, u64, u32)>,
    /// The top's blocks, one module each (the top instantiates them and
    /// the tile).
    pub blocks: Vec<ManifestBlock>,
    /// Every port: (name, direction, bits, meaning).
    pub ports: Vec<(String, String, u32, String)>,
    /// The register map: (offset, name, meaning).
    pub registers: Vec<(u32, String, String)>,
    /// The descriptor's words: (index, meaning).
    pub descriptor: Vec<(u32, String)>,
    /// The descriptor list: how many, where.
    pub descriptor_list: String,
    /// The LUT's serial input load (`array.lut.load_elems`), when built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_load: Option<lut_serial::SerialLoad>,
}

/// One block of the top in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestBlock {
    /// The block.
    pub block: String,
    /// What it holds.
    pub role: String,
    /// Its module.
    pub module: String,
    /// Its instance in the top.
    pub instance: String,
    /// Its inputs: (name, bits).
    pub inputs: Vec<(String, u32)>,
    /// Its outputs: (name, bits).
    pub outputs: Vec<(String, u32)>,
}

impl AccelManifest {
    fn of(p: &AccelParams, parts: &[partition::Part]) -> AccelManifest {
        let top = &parts.last().expect("the top").module;
        let blocks = parts
            .iter()
            .filter(|b| b.block != partition::TOP)
            .map(|b| {
                let side = |input: bool| {
                    b.module
                        .ports
                        .iter()
                        .filter(|x| (x.dir == Dir::Input) == input)
                        .map(|x| (x.name.clone(), x.width))
                        .collect()
                };
                ManifestBlock {
                    block: b.block.clone(),
                    role: BLOCKS
                        .iter()
                        .find(|(n, _)| *n == b.block)
                        .map_or(String::new(), |(_, r)| r.to_string()),
                    module: b.module.name.clone(),
                    instance: format!("u_{}", b.block),
                    inputs: side(true),
                    outputs: side(false),
                }
            })
            .collect();
        AccelManifest {
            module: p.top(),
            tile: p.tile.top(),
            axi_data_bits: p.axi_bits,
            weight_slots: p.slots,
            buffers: buffers(p).to_vec(),
            blocks,
            ports: top
                .ports
                .iter()
                .map(|pt| {
                    let d = match pt.dir {
                        Dir::Input => "input",
                        _ => "output",
                    };
                    (pt.name.clone(), d.to_string(), pt.width, pt.comment.clone())
                })
                .collect(),
            registers: regs::REGISTERS
                .iter()
                .map(|&(o, n, m)| (o, n.to_string(), m.to_string()))
                .collect(),
            descriptor: [
                "M: tokens (rows of the input)",
                "K: reduction length (a short last chunk when not a multiple of the width)",
                "N: output features (the last group of lanes may be partial)",
                "flags: bit 0 the input is an earlier layer's output requantized on chip \
                 (clamp((a + 2^(s-1)) >> s, -128, 127)), bits 12:8 the shift s, bits 18:16 that \
                 layer's index (lanes = width only); bit 1 the input is streamed: its rows follow \
                 the layer's first weight tile in the weight stream, into the activation buffer's \
                 first half (even descriptor index) or second (odd), with a double-buffered \
                 activation buffer only; 0: an input of its own; bit 2 outputs written as INT8 by \
                 the same rule with the shift in bits 28:24, one byte an output (lanes x 8 a multiple of the \
                 AXI width); else 32-bit accumulators; bit 3 outputs stored per tile during the layer: \
                 each feature group's output words as one store (AXI ID 1) when its last K tile ends, \
                 from the output base on, one store after the other (every layer of the chain or none); \
                 bit 4 (with bit 1) a weights-outer token block after the first: its transfers are \
                 its rows alone and its tiles compute with the weights its group's first block \
                 loaded; bit 5 (with bit 1, on every descriptor of the chain, bit 4 on all but the \
                 first) the chain is one layer's token blocks in the weights-outer order: its tiles \
                 walked (group, K tile, block), every tile's transfer its weights (the first block) \
                 then its block's rows, into the activation buffer's half of its transfer slot, the \
                 transfers one after the other from the first descriptor's weight base",
                "activation base (bytes)",
                "weight base (bytes; tiles in the engine's order)",
                "output base (bytes)",
                "activation row stride (bytes)",
                "output row stride (bytes)",
                "K tile: chunks of the row a weight tile holds, the mapping's (at most a weight \
                 slot's words; 0: a slot's words, the fixed mapping's largest K tile); a group's \
                 K tiles after the first add to its partial sums in the output buffer",
            ]
            .iter()
            .map(|s| s.to_string())
            .map(|s| {
                if s.starts_with("K tile") && tokens::built(p) {
                    format!(
                        "{s} (bits 15:0); bits 31:16 the token tile: tokens of a weight-register \
                         sub-tile, the mapping's (0 or over the design's {}: the design's)",
                        p.tile.token_tile()
                    )
                } else {
                    s
                }
            })
            .chain(p.ntiles().then(|| {
                "N tile: feature groups a weight tile holds, the mapping's (0 or 1: one group); \
                 a tile's transfer is its groups' K tile one group after the other, its groups \
                 computed one after the other from its weight slot (N tile x K tile at most a \
                 slot's words, else ERROR bit 2)"
                    .to_string()
            }))
            .enumerate()
            .map(|(i, s)| (i as u32, s))
            .collect(),
            descriptor_list: format!(
                "DESC_COUNT descriptors (1 to {}) of 64 bytes, contiguous from DESC_BASE, run as \
                 one chain: weights prefetched across layer boundaries, a dependent layer held \
                 until its producer is complete, every input loaded before and every output \
                 written back after the chain",
                table::MAX_LAYERS
            ),
            serial_load: p.serial_manifest(),
        }
    }
}
