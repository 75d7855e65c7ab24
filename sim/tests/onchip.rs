//! On-chip data movement: weight registers in the lanes (hand-computed on
//! a 2-lane design over 4 tokens), and the mapper, which is never worse
//! than the fixed mapping on its objective, simulated.

use proptest::prelude::*;
use sim::arch::preset;
use sim::mapping::{map_op, mapper, ChunkCost, MapPrices, Mapper, MappingCache, Objective};
use sim::{simulate, Accelerator, SimOptions};
use workloads::{Op, OpKind, Precision, Trace, TraceMeta};

fn linear(m: u64, k: u64, n: u64) -> Op {
    Op::linear("p", m, k, n, Precision::Ternary)
}

/// 2 lanes x 4 wide ternary adder trees.
fn two_lanes(token_tile: u32) -> Accelerator {
    let mut a = preset("edge-ternary").unwrap();
    a.array.lanes = 2;
    a.array.width = 4;
    a.array.token_tile = token_tile;
    a
}

#[test]
fn two_lanes_hold_weights_over_four_tokens() {
    // 4 tokens x K = 8 (2 chunks) x N = 2 (one feature group of 2 lanes)
    let op = linear(4, 8, 2);
    let (held, plain) = (two_lanes(4), two_lanes(1));
    let p4 = map_op(&held, &ChunkCost::of(&held), &op).unwrap();
    let p1 = map_op(&plain, &ChunkCost::of(&plain), &op).unwrap();
    let wread =
        |p: &sim::mapping::OpPlan| p.activity.sram[&sim::activity::Buffer::Weights].read_bytes;
    let aread =
        |p: &sim::mapping::OpPlan| p.activity.sram[&sim::activity::Buffer::Activations].read_bytes;
    // a chunk of weights for 2 lanes: 2 x 4 x 2 bits = 2 bytes; 2 chunks.
    // Without registers: read for each of 4 tokens = 16 bytes; held for
    // the 4 tokens: once = 4 bytes.
    assert_eq!(wread(&p1), 16);
    assert_eq!(wread(&p4), 4);
    // activations still one 4-byte chunk per token and chunk: 4 x 2 x 4
    assert_eq!(aread(&p1), 32);
    assert_eq!(aread(&p4), 32);
    // the weight registers are written once per load instead of once per
    // token: 2 lanes x 2 chunks x (4 - 1) tokens x 8 bits fewer
    assert_eq!(p1.activity.reg_bits - p4.activity.reg_bits, 2 * 2 * 3 * 8);
    // the 4:1 partial-sum select: 2 levels x acc bits, per lane, chunk and token
    let acc = u64::from(held.acc_bits());
    assert_eq!(p4.activity.mux_bits, 2 * 2 * 4 * 2 * acc);
    assert_eq!(p1.activity.mux_bits, 0);
    // the 4 tokens' results leave as their last chunks arrive (sim::tile):
    // no extra drain
    assert_eq!(p4.drain, p1.drain);
    // same compute, same MACs
    assert_eq!(p4.tiles.sum(|t| t.busy), p1.tiles.sum(|t| t.busy));
    assert_eq!(p4.macs, 4 * 8 * 2);
    // simulated: the same cycles
    let t = Trace {
        meta: TraceMeta::default(),
        ops: vec![op],
    };
    let r4 = simulate(&held, &t, SimOptions::default()).unwrap();
    let r1 = simulate(&plain, &t, SimOptions::default()).unwrap();
    assert_eq!(r4.cycles, r1.cycles);
}

/// Prices of the right order for a 7 nm design (the energy model's own
/// come from `energy_model::mapper_prices`; this crate does not depend on it).
fn prices() -> MapPrices {
    MapPrices {
        sram_read_pj_per_byte: [1.0, 1.0, 1.0],
        sram_write_pj_per_byte: [1.2, 1.2, 1.2],
        dram_pj_per_bit: 4.0,
        reg_pj_per_bit: 0.01,
        mux_pj_per_bit: 0.005,
        term_pj: 0.01,
        static_pj_per_cycle: 5.0,
    }
}

fn single(arch: &Accelerator, op: &Op, mapper: Mapper) -> (u64, f64) {
    let t = Trace {
        meta: TraceMeta::default(),
        ops: vec![op.clone()],
    };
    let r = simulate(
        arch,
        &t,
        SimOptions {
            mapper,
            allow_oversubscribe: true,
            ..SimOptions::default()
        },
    )
    .unwrap();
    (r.cycles, prices().energy(&r.activity, r.cycles))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The mapper's choice is never worse than the fixed mapping on its
    /// objective: in its own record and in a full simulation.
    #[test]
    fn mapper_never_worse_than_fixed(
        m in 1u64..300,
        k in 1u64..3000,
        n in 1u64..300,
        lanes in 1u32..16,
        width in 1u32..64,
        tt in 1u32..32,
        wkib in 1u32..8,
        akib in 1u32..8,
        okib in 1u32..4,
        obj in 0usize..3,
        slots in 0u32..7,
        lat in 10u32..3000,
    ) {
        let mut a = preset("edge-ternary").unwrap();
        a.array.lanes = lanes;
        a.array.width = width;
        a.array.token_tile = tt;
        // prefetch depths 2..=slots and latency-bound tiles: the N tile and
        // the depth are searched
        a.buffers.prefetch_slots = if slots == 0 { None } else { Some(slots) };
        a.dram.latency_ns = f64::from(lat);
        a.buffers.weights.kib = wkib;
        a.buffers.activations.kib = akib;
        a.buffers.outputs.kib = okib;
        let objective = Objective::ALL[obj];
        let op = linear(m, k, n);
        let chunk = ChunkCost::of(&a);
        let Ok(fixed) = map_op(&a, &chunk, &op) else { return Ok(()) };
        let p = prices();
        let searched = MappingCache::default()
            .plan(&a, &chunk, &op, None, objective, Some(&p))
            .unwrap();
        let choice = searched.choice.clone().unwrap();
        prop_assert_eq!(mapper::simulated(&a, &op, &fixed, Some(&p)), choice.fixed_cost);
        prop_assert!(objective.score(&choice.cost) <= objective.score(&choice.fixed_cost));
        // simulated, on the objective
        let search = Mapper::Search { objective, prices: Some(p) };
        let (c_f, e_f) = single(&a, &op, Mapper::Fixed);
        let (c_s, e_s) = single(&a, &op, search);
        let score = |c: u64, e: f64| objective.score(&sim::mapping::Cost { cycles: c, energy_pj: e });
        prop_assert!(
            score(c_s, e_s) <= score(c_f, e_f) * (1.0 + 1e-9),
            "{}: searched {} cycles {} pJ, fixed {} cycles {} pJ",
            choice.describe(), c_s, e_s, c_f, e_f
        );
    }
}

#[test]
fn the_choice_is_deterministic_and_cached() {
    let a = preset("datacenter-ternary").unwrap();
    let chunk = ChunkCost::of(&a);
    let op = linear(2048, 8192, 8192);
    let mut cache = MappingCache::default();
    let p = prices();
    let first = cache
        .plan(&a, &chunk, &op, None, Objective::Edp, Some(&p))
        .unwrap();
    let again = cache
        .plan(&a, &chunk, &op, None, Objective::Edp, Some(&p))
        .unwrap();
    assert_eq!(first, again);
    let fresh = MappingCache::default()
        .plan(&a, &chunk, &op, None, Objective::Edp, Some(&p))
        .unwrap();
    assert_eq!(first, fresh);
    let c = first.choice.unwrap();
    assert!(c.runner_up.is_some());
    assert_eq!(c.chosen.token_tile, 16);
}

#[test]
fn heads_are_packed_across_the_lanes() {
    // an A100-like MAC array: 512 lanes x 16 wide FP16, attention on the
    // array; one PV product per head of 128 outputs fills 128 of the 512
    // lanes, so the mapper packs 4 heads side by side
    let mut a = preset("datacenter-fp16").unwrap();
    a.array.lanes = 512;
    a.array.width = 16;
    a.attention.mapping = sim::arch::AttentionMapping::Array;
    a.attention.fused = false;
    a.buffers.activations.banks = 64;
    let op = Op {
        name: "pv".into(),
        kind: OpKind::Pv,
        layer: None,
        inputs: vec![],
        g: 8,
        m: 64,
        k: 1024,
        n: 128,
        a: Precision::Fp16,
        w: Some(Precision::Fp16),
        out: Precision::Fp16,
        wbytes: 0,
        zeros: None,
        mask: workloads::Mask::Full,
    };
    let chunk = ChunkCost::of(&a);
    let fixed = map_op(&a, &chunk, &op).unwrap();
    let p = prices();
    let searched = MappingCache::default()
        .plan(&a, &chunk, &op, None, Objective::Cycles, Some(&p))
        .unwrap();
    let busy = |p: &sim::mapping::OpPlan| p.tiles.sum(|t| t.busy);
    // 8 heads x 64 queries x 64 chunks of K, one 128-lane group each
    assert_eq!(busy(&fixed), 8 * 64 * 64);
    assert_eq!(searched.choice.as_ref().unwrap().chosen.pack, 4);
    assert_eq!(busy(&searched), 2 * 64 * 64);
    assert_eq!(searched.macs, fixed.macs);
    assert!(
        searched.note.contains("4 instances packed"),
        "{}",
        searched.note
    );
}

/// 4 lanes x 4 wide ternary adder trees at 1 GHz on a DRAM of 4 bytes a
/// cycle and 100 cycles of latency: a chunk of one feature group's weights
/// (4 x 4 x 2 bits = 4 bytes) takes one cycle on the bus, so every tile of
/// a one-token product is latency-bound.
fn latency_bound(slots: Option<u32>) -> Accelerator {
    let mut a = preset("edge-ternary").unwrap();
    a.array.lanes = 4;
    a.array.width = 4;
    a.clock_ghz = 1.0;
    a.dram.bandwidth_gbps = 4.0;
    a.dram.latency_ns = 100.0;
    a.dram.max_outstanding = 4096;
    a.buffers.prefetch_slots = slots;
    a.validate().unwrap();
    a
}

#[test]
fn an_n_tile_amortizes_the_latency_of_small_tiles() {
    // one token, K = 4 (one chunk), 16 outputs: 4 feature groups of 4
    // lanes, each a tile of 4 bytes and 1 busy cycle; activations on chip
    let a = latency_bound(None);
    let op = linear(1, 4, 16);
    let chunk = ChunkCost::of(&a);
    let d = u64::from(chunk.timing.latency);
    // fixed: one group a tile, two in flight. T0 and T1 are issued at 0 and
    // arrive at 101 and 102 (the bus serializes); T0 computes 101..102, and
    // its slot fetches T2 at 102 (arrives 202 + 1 = 203); T1 computes
    // 102..103 and fetches T3 at 103 (arrives 204); T2 203..204, T3
    // 204..205; the result is complete after the pipeline drain
    let (fixed_cycles, _) = single(&a, &op, Mapper::Fixed);
    assert_eq!(fixed_cycles, 205 + d);
    // N tile of 2 groups: two tiles of 8 bytes issued at 0 arrive at 102
    // and 104 and compute 2 cycles each: 102..104, 104..106. N tile 4: one
    // tile of 16 bytes arrives at 104 and computes 4 cycles, to 108. The
    // mapper (cycles) keeps the N tile of 2.
    let search = Mapper::Search {
        objective: Objective::Cycles,
        prices: None,
    };
    let (cycles, _) = single(&a, &op, search);
    assert_eq!(cycles, 106 + d);
    let plan = MappingCache::default()
        .plan(&a, &chunk, &op, None, Objective::Cycles, None)
        .unwrap();
    let c = plan.choice.as_ref().unwrap();
    assert_eq!((c.chosen.n_tile, c.chosen.depth), (2, 2));
    assert_eq!(c.cost.cycles, 106 + d);
    assert_eq!(c.fixed_cost.cycles, 205 + d);
    assert_eq!(c.runner_up.unwrap().1.cycles, 108 + d);
    assert_eq!(plan.tile_count(), 2);
    assert!(
        plan.note.contains("N tiles of 2 feature groups"),
        "{}",
        plan.note
    );
    // the same work as the fixed mapping: 4 groups' weights, 4 busy cycles
    let fixed = map_op(&a, &chunk, &op).unwrap();
    assert_eq!(plan.dram_bytes(), fixed.dram_bytes());
    assert_eq!(plan.tiles.sum(|t| t.busy), 4);
    assert_eq!(plan.activity, fixed.activity);
}

#[test]
fn the_engine_holds_the_depth_the_mapping_chose() {
    // the same product on a design with 4 slots: all four one-group tiles
    // are issued at 0 and arrive at 101..104, each computing 1 cycle: the
    // last ends at 105
    let a = latency_bound(Some(4));
    let op = linear(1, 4, 16);
    let chunk = ChunkCost::of(&a);
    let d = u64::from(chunk.timing.latency);
    let fixed = map_op(&a, &chunk, &op).unwrap();
    assert_eq!(fixed.depth, Some(4));
    assert_eq!(mapper::simulated(&a, &op, &fixed, None).cycles, 105 + d);
    // the same tiles held two at a time run as on the 2-slot design
    let shallow = sim::mapping::OpPlan {
        depth: Some(2),
        ..fixed.clone()
    };
    assert_eq!(mapper::simulated(&a, &op, &shallow, None).cycles, 205 + d);
    // the mapper searches depths 4 and 2 (N tiles 1, 2, 4 at each) and
    // keeps the deepest: 105 against 106 for the N tile of 2 at depth 4
    let plan = MappingCache::default()
        .plan(&a, &chunk, &op, None, Objective::Cycles, None)
        .unwrap();
    let c = plan.choice.as_ref().unwrap();
    assert_eq!((c.chosen.n_tile, c.chosen.depth), (1, 4));
    assert_eq!(c.cost.cycles, 105 + d);
    assert_eq!(c.candidates, 1 + 2 * 3);
    assert_eq!(plan.depth, Some(4));
    assert!(
        c.describe().contains("4 tiles in flight"),
        "{}",
        c.describe()
    );
}
