//! Which layers the top runs: why a layer of `m x k x n` cannot run on it
//! (a short chunk, a partial group, packed or LUT-index tiles, the
//! gearboxes' whole beats, the buffers), each refusal with its reason.

use super::params::{AccelParams, SHORT_CHUNK_CODES};

impl AccelParams {
    /// Why the gearboxes do not take the layer `m x k x n` (`None`: they
    /// do, or none is built). `streams`: the engine streams its input. The engine moves a weight
    /// tile as its bytes (`Precision::bytes_for`) and its DRAM model times
    /// those bytes: a tile whose bytes are not whole beats would be timed
    /// as the beats the bus moves, so tiles of whole beats are taken
    /// (`image.rs` checks every tile of the mapping); an output row must be
    /// whole beats (its bursts); a store per tile (`store_out.rs`, a
    /// group's `m` output words packed into beats) is its bytes from any
    /// byte, strobed (`strobes::strobed`), so it is taken; the streamed
    /// rows arrive as input words of whole beats at the engine's rate (`stream_in.rs`; the input
    /// splitter holds the bus a beat's words), whatever the weight words.
    pub fn refuses_gear(&self, n: u64, streams: bool) -> Option<String> {
        let db = u64::from(self.axi_bits);
        if let Some(w) = streams
            .then(|| super::stream_in::refuses_fill(self))
            .flatten()
        {
            return Some(w);
        }
        if self.asplit() && streams {
            return Some(format!(
                "the engine streams this layer's input with its weight tiles, and the top's \
                 streamed rows arrive as input words of whole {db}-bit beats, which this \
                 design's {}-bit input word (width x activation bits) is not (the input \
                 splitter would hold the bus while it writes a beat's words)",
                self.aword_bits()
            ));
        }
        if self.ogear() && !(n * 32).is_multiple_of(db) {
            return Some(format!(
                "N = {n}: an output row of {} bytes must be whole {}-byte beats",
                n * 4,
                self.beat_bytes()
            ));
        }
        None
    }

    /// Why the top refuses the weight tiles `tiles` (their bytes, in the
    /// engine's load order, each at the byte after the one before it, as the
    /// engine places them; `None`: it takes them): a tile read from inside
    /// a beat (the weight gearbox) moves every beat it touches, one more
    /// than its bytes' whole beats where its first byte's offset in its beat
    /// and its bytes' remainder pass a beat, and the engine's DRAM model
    /// times its bytes: where the bus, a beat a cycle, keeps up with the
    /// DRAM's rate for the bytes' whole beats but not for the beats touched,
    /// the top would finish the tile a cycle after the engine (the engine
    /// does not time the bus's beats; it is not fitted to them). Where the
    /// bus is slower than the DRAM anyway (the check notes it) or has a
    /// cycle to spare, the tile is taken.
    pub fn refuses_reads(&self, tiles: impl IntoIterator<Item = u64>) -> Option<String> {
        if !self.wgear() {
            return None;
        }
        let bb = self.beat_bytes();
        let rate = sim::memory::DramChannel::new(&self.arch).rate;
        let mut at = 0u64;
        for bytes in tiles {
            let off = at % bb;
            at += bytes;
            let (touched, whole) = ((off + bytes).div_ceil(bb), bytes.div_ceil(bb));
            let cycles = rate.cycles_for(bytes);
            if touched > whole && touched > cycles && whole <= cycles {
                return Some(format!(
                    "a weight tile of {bytes} bytes from byte {off} of its first {bb}-byte beat \
                     moves {touched} beats on the bus, one a cycle, and the engine's DRAM model \
                     times its bytes in {cycles} cycles (at {:.2} B a cycle, {whole} whole \
                     beats): the read from inside a beat would end a cycle after the engine's",
                    rate.bytes_per_cycle()
                ));
            }
        }
        None
    }

    /// Why the top refuses the weight tile of `bytes` bytes (`None`: it
    /// takes it): with words narrower than a beat a tile must be whole
    /// beats, as the engine's DRAM model times the tile's bytes and the bus
    /// moves beats; with the weight gearbox a tile is its bytes from any
    /// byte (its read starts inside a beat, `dma/gearbox.rs`, timed on its
    /// bytes), but for a streamed input (`streams`), whose rows follow the
    /// tile's weights in its transfer in whole beats.
    pub fn refuses_tile(&self, bytes: u64, streams: bool) -> Option<String> {
        let any = self.wgear() && !streams;
        ((self.wgear() || self.wnarrow()) && !any && !bytes.is_multiple_of(self.beat_bytes())).then(
            || {
                format!(
                    "a weight tile of {bytes} bytes is not whole {}-byte beats: the engine's DRAM \
                 model times the tile's bytes, the bus would move {} beats ({} bytes)",
                    self.beat_bytes(),
                    bytes.div_ceil(self.beat_bytes()),
                    bytes.div_ceil(self.beat_bytes()) * self.beat_bytes()
                )
            },
        )
    }

    /// Why the `ternary-packed` weights of a layer of `K = k`, `N = n` in K
    /// tiles of `kt` chunks cannot be moved (`None`: they can): every weight
    /// tile of `g` lanes and `klen` elements is the engine's `g x klen / 5`
    /// bytes in whole AXI beats (the DRAM model times what the bus moves);
    /// a short last chunk (stored element-major in its chunk) needs the
    /// unpacker's rewiring and a zero activation code of 0 (the missing
    /// elements' weights are the zero bytes' digits, -1); a partial last
    /// group needs five-chunk words (a word of one chunk is `lanes x width
    /// / 5` bytes, no whole bytes for fewer lanes), the unpacker's row
    /// shifter and a word of whole beats.
    pub fn refuses_packed(&self, k: u64, n: u64, kt: u64) -> Option<String> {
        let (l, w) = (self.lanes(), self.width());
        let db = u64::from(self.axi_bits);
        let (kr, rest) = (k % w, n % l);
        let limit = |what: &str| {
            format!(
                "{what} with \"ternary-packed\" weights: the unpacker's rewiring is built for \
                 arrays of at most {SHORT_CHUNK_CODES} lanes x width (this one has {})",
                l * w
            )
        };
        if kr != 0 && !self.pack_rewire {
            return Some(limit(&format!(
                "K = {k} is not a multiple of the width {w}"
            )));
        }
        if kr != 0 {
            use sim::bitexact::encoding::decode_act;
            let a = self.arch.array.activations;
            if decode_act(a, 0).unwrap_or(0) != 0 {
                return Some(format!(
                    "K = {k} is not a multiple of the width {w}: the short last chunk's missing \
                     elements have \"{a}\" activation code 0 (not the value 0) and \
                     \"ternary-packed\" weights -1 (zero bytes)"
                ));
            }
        }
        if rest != 0 && self.pack_period == 1 {
            return Some(format!(
                "N = {n} leaves a last group of {rest} of the {l} lanes: the packed word is one \
                 chunk of every lane ({} bytes) when lanes x width is a multiple of 5, and the \
                 group's chunks ({rest} x {w} weights) are not whole words of it",
                l * w / 5
            ));
        }
        if rest != 0 && !self.pack_rewire {
            return Some(limit(&format!(
                "N = {n} is not a multiple of the lanes {l}"
            )));
        }
        if rest != 0 && !(rest * w * 8).is_multiple_of(db) {
            return Some(format!(
                "N = {n} leaves a last group of {rest} of the {l} lanes, whose packed word of \
                 five chunks ({} bits) must be whole {db}-bit beats",
                rest * w * 8
            ));
        }
        let c_total = k.div_ceil(w);
        let kt = kt.clamp(1, c_total);
        let mut klens = vec![k - (c_total - 1) / kt * kt * w];
        if c_total > kt {
            klens.push(kt * w);
        }
        let mut groups = Vec::new();
        if n >= l {
            groups.push(l);
        }
        if rest != 0 {
            groups.push(rest);
        }
        for &g in &groups {
            for &klen in &klens {
                if !(g * klen).is_multiple_of(5 * self.beat_bytes()) {
                    return Some(format!(
                        "a weight tile of {g} lanes x {klen} \"ternary-packed\" weights is {:.1} \
                         bytes (five a byte), not whole {}-byte beats",
                        (g * klen) as f64 / 5.0,
                        self.beat_bytes()
                    ));
                }
            }
        }
        None
    }

    /// Why a layer of `m x k x n` cannot run on this top (`None`: it can):
    /// the shapes it takes are K and N of any length (a short last chunk or
    /// a partial last group of whole bus beats, not both), the input and the
    /// partial sums of a K split on chip, the outputs in the output buffer
    /// or, when the engine stores them per tile
    /// ([`super::stream::StreamPlan::out_spill`]), a group's tokens within
    /// a half of it (`store_out.rs`).
    pub fn refuses_layer(&self, m: u64, k: u64, n: u64) -> Option<String> {
        self.refuses_block(m, k, n, false)
    }

    /// Why a layer of `m x k x n` cannot run as one descriptor (`None`: it
    /// can), its outputs stored per tile when the engine stores them for
    /// this layer or when `stored` (a token block of a larger layer whose
    /// outputs the engine stores, `stream_check.rs`): as
    /// [`AccelParams::refuses_layer`].
    pub fn refuses_block(&self, m: u64, k: u64, n: u64, stored: bool) -> Option<String> {
        let (l, w) = (self.lanes(), self.width());
        if m == 0 || k == 0 || n == 0 {
            return Some("M, K and N must be at least 1".into());
        }
        let db = u64::from(self.axi_bits);
        // a short last chunk of `K % width` elements: stored element-major,
        // its codes (the engine's load, `lanes x (K % width)`) whole beats
        let kr = k % w;
        if self.packed() {
            if let Some(why) = self.refuses_packed(k, n, self.slot_words) {
                return Some(why);
            }
        }
        // (LUT indices: a short chunk's partial last group of `kr % g`
        // weights is a whole index, its missing weights 0)
        let index = self.lut_index();
        if kr != 0 && !self.short_chunk && !self.packed() {
            return Some(format!(
                "K = {k} is not a multiple of the width {w}: the short chunk's rewiring is built \
                 for arrays of at most {SHORT_CHUNK_CODES} lanes x width (this one has {})",
                l * w
            ));
        }
        let (wb, ab) = (self.wgt_bits(), self.act_bits());
        if self.gears() {
            let streams = super::stream::StreamPlan::new(self, m, k, n).streams_input();
            if let Some(why) = self.refuses_gear(n, streams) {
                return Some(why);
            }
        }
        // (LUT indices: the short chunk's `ceil(kr / g)` groups a lane)
        let short_bits = match index {
            Some(ix) => l * kr.div_ceil(u64::from(ix.g)) * u64::from(ix.bits),
            None => l * kr * wb,
        };
        // (with the weight gearbox the tile's last beat ends its short
        // word: the tile, not the chunk, is whole beats, `refuses_tile`)
        if kr != 0 && !self.packed() && !self.wgear() && !short_bits.is_multiple_of(db) {
            return Some(format!(
                "K = {k} leaves a last chunk of {kr} of the width {w}, whose {short_bits} bits of \
                 weights must be whole {db}-bit beats"
            ));
        }
        // the missing elements of a short chunk are zero codes, whose
        // product must be 0 (binary +-1 activations and weights: -1 x -1)
        if kr != 0 && !self.packed() && self.pad_product() != 0 {
            return Some(format!(
                "K = {k} is not a multiple of the width {w}: the short last chunk is padded with \
                 zero codes, which are -1 for both {} activations and {} weights (a product of \
                 1 a missing element)",
                self.arch.array.activations, self.arch.array.weights
            ));
        }
        // a partial last group of `N % lanes` lanes: its chunks (the
        // engine's load, `rest x width` codes) and its output words must be
        // whole bus beats
        let rest = n % l;
        // (with the weight gearbox the respacer of `dma/short_rows.rs`
        // takes both: the short chunk's rows of the group's lanes)
        if kr != 0 && rest != 0 && !self.short_rows() {
            return Some(format!(
                "K = {k} is not a multiple of the width {w} and N = {n} not of the lanes {l}: \
                 the top takes one or the other (the short chunk's element-major order is \
                 wired for a whole group; the respacer of a partial group's rows is built with \
                 the weight gearbox, for words that are not whole beats)"
            ));
        }
        // (with the weight gearbox a partial chunk of at least a beat; with
        // the output gearbox any outputs, `refuses_gear`)
        // (packed: `refuses_packed`; LUT indices: a lane's chunk of them)
        let lb = self.lane_chunk_bits();
        let wrest_bad = if self.packed() {
            false
        } else if self.wgear() {
            rest * lb < db
        } else {
            !(rest * lb).is_multiple_of(db)
        };
        let orest_bad = !self.ogear() && !(rest * 32).is_multiple_of(db);
        if rest != 0 && (wrest_bad || orest_bad) {
            return Some(format!(
                "N = {n} leaves a last group of {rest} of the {l} lanes, whose chunk ({} bits) {} \
                 and outputs ({} bits) {}",
                rest * lb,
                if self.wgear() {
                    format!("must be at least a {db}-bit beat (one word a beat)")
                } else {
                    format!("must be whole {db}-bit beats")
                },
                rest * 32,
                if self.ogear() {
                    "are taken by the output gearbox".to_string()
                } else {
                    format!("must be whole {db}-bit beats")
                }
            ));
        }
        if !(k * ab).is_multiple_of(db) {
            return Some(if ab == 8 {
                format!(
                    "K = {k} bytes a row must be whole {}-byte beats",
                    self.beat_bytes()
                )
            } else {
                format!(
                    "K = {k} activations of {ab} bits a row ({} bits) must be whole {db}-bit beats",
                    k * ab
                )
            });
        }
        // the engine's moves when the data does not fit on chip (the input
        // streamed in token blocks, the outputs stored per tile, the partial
        // sums of a K split spilled): `stream.rs` derives them; one
        // descriptor takes its input on chip (a streamed input runs as one
        // descriptor a token block, `stream_check.rs`), its partial sums in
        // the output buffer, and its outputs there or stored per tile
        // (`store_out.rs`)
        let moves = super::stream::StreamPlan::new(self, m, k, n);
        if moves.streams_input() || moves.partial_spill {
            return Some(format!(
                "the engine moves this layer's data through DRAM ({}), which one descriptor of \
                 the top does not (it takes the input and the partial sums on chip{})",
                moves.describe(),
                if moves.partial_spill {
                    "; spilled partial sums are not built"
                } else {
                    ""
                }
            ));
        }
        let c = k.div_ceil(w);
        if m * c > self.act_words {
            return Some(format!(
                "the input ({m} rows of {c} words) does not fit the activation buffer's {} words",
                self.act_words
            ));
        }
        if moves.out_spill || stored {
            let half = super::store_out::half(self);
            if !super::store_out::built(self) {
                return Some(format!(
                    "the engine stores the outputs per tile ({}): the store path needs an \
                     output buffer of at least 2 words",
                    moves.describe()
                ));
            }
            if m > half {
                return Some(format!(
                    "the engine stores the outputs per tile ({}): a group's {m} output words must \
                     fit a half of the output buffer ({half} words)",
                    moves.describe()
                ));
            }
        } else if m * n.div_ceil(l) > self.out_words {
            return Some(format!(
                "the output ({m} x {n} accumulators) does not fit the output buffer"
            ));
        }
        if m * k > u64::from(u32::MAX) || k * l > u64::from(u32::MAX) {
            return Some("the layer is too large for the 32-bit counters".into());
        }
        None
    }
}
