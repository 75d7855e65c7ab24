#!/usr/bin/env python3
"""Writes the small BitNet checkpoints onebit's tests read (tests/data/weights/),
and their expected statistics and reference layer outputs (expected.json).

The files are written by the real writers wherever one exists:
  * GGUF TQ1_0 / TQ2_0: llama.cpp's gguf-py (`pip install gguf`), which packs
    the ternary blocks itself (gguf.quants.quantize);
  * safetensors: the `safetensors` package (packed uint8 ternary as the
    Hugging Face BitNet integration stores it, and BF16 master weights);
  * GGUF I2_S: no Python writer exists (I2_S is bitnet.cpp's own type, id 36,
    not in gguf-py), so this script writes that file itself, following the
    GGUF v2 layout and bitnet.cpp's quantize_i2_s (docs/weights.md).

Every ternary layer has statistics chosen up front:
  q    Gaussian weights, absmean-quantized (about 31% zeros)
  k    exactly 50% zeros, random signs
  v    Gaussian
  o    Gaussian
  gate per-row structure: row r has round(r / (N-1) * K) zeros
  up   Gaussian with a positive mean (more +1 than -1)
  down Gaussian

Usage:
  scripts/make-test-checkpoints.py [OUT_DIR]          # default tests/data/weights
  scripts/make-test-checkpoints.py --big FILE         # a 2B-4T-shaped I2_S GGUF (~1.2 GB) for the benchmark

Needs: pip install gguf safetensors numpy
"""

import json
import struct
import sys
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as QT
from safetensors import TensorSpec, serialize_file

SEED = 20240417
I2_S = 36  # bitnet.cpp's GGML_TYPE_I2_S


# ---------------------------------------------------------------- weights
def absmean(w):
    """BitNet b1.58 absmean: gamma = max(mean|W|, 1e-5), q = clip(round(W/gamma), -1, 1)."""
    w = w.astype(np.float64)
    gamma = max(float(np.abs(w).mean()), 1e-5)
    q = np.clip(np.rint(w * (1.0 / gamma)), -1, 1).astype(np.int8)
    return q, gamma


def f16_exact(x):
    return float(np.float16(x))


def tiny_layers(rng, hidden, ffn, kv_dim):
    """The ternary layers of one block: name -> (int8 [N, K] matrix, scale)."""
    out = {}

    def gaussian(n, k, mean=0.0):
        q, g = absmean(rng.normal(mean, 0.02, size=(n, k)))
        return q, f16_exact(g)

    out["q"] = gaussian(hidden, hidden)
    k = np.zeros((kv_dim, hidden), dtype=np.int8)
    flat = k.reshape(-1)
    idx = rng.permutation(flat.size)[: flat.size // 2]
    flat[idx] = rng.choice(np.array([-1, 1], dtype=np.int8), size=idx.size)
    out["k"] = (k, f16_exact(0.05))
    out["v"] = gaussian(kv_dim, hidden)
    out["o"] = gaussian(hidden, hidden)
    n, kk = ffn, hidden
    g = np.zeros((n, kk), dtype=np.int8)
    for r in range(n):
        zeros = int(round(r / (n - 1) * kk))
        row = rng.choice(np.array([-1, 1], dtype=np.int8), size=kk)
        row[rng.permutation(kk)[:zeros]] = 0
        g[r] = row
    out["gate"] = (g, f16_exact(0.03))
    out["up"] = gaussian(ffn, hidden, mean=0.01)
    out["down"] = gaussian(hidden, ffn)
    return out


def stats(q, scale):
    n = q.size
    return {
        "zeros": int((q == 0).sum()),
        "plus": int((q == 1).sum()),
        "minus": int((q == -1).sum()),
        "count": int(n),
        "zero_share": float((q == 0).sum() / n),
        "scale": scale,
    }


# ------------------------------------------------------------- reference
def act_quant(x):
    """Per-token absmax INT8 with round half to even (torch.round)."""
    m = np.maximum(np.abs(x).max(axis=1, keepdims=True), 1e-5)
    s = 127.0 / m
    return np.clip(np.rint(x * s), -128, 127).astype(np.int64), s[:, 0]


def layer_reference(rng, q, scale, tokens, dequant_w):
    """Activations, their INT8 form, the integer outputs and the two float outputs."""
    k = q.shape[1]
    x = rng.normal(0.0, 1.0, size=(tokens, k))
    xq, xs = act_quant(x)
    acc = xq @ q.astype(np.int64).T  # [tokens, N]
    deq = acc * scale / xs[:, None]
    f32 = (x.astype(np.float32) @ dequant_w.astype(np.float32).T).astype(np.float64)
    return {
        "tokens": tokens,
        "x": x.tolist(),
        "x_q": xq.tolist(),
        "acc": acc.tolist(),
        "dequantized": deq.tolist(),
        "f32": f32.tolist(),
    }


# ------------------------------------------------------------------ GGUF
ARCH = "bitnet-b1.58"
GGUF_NAMES = {
    "q": "attn_q", "k": "attn_k", "v": "attn_v", "o": "attn_output",
    "gate": "ffn_gate", "up": "ffn_up", "down": "ffn_down",
}


def add_shape_metadata(w, cfg):
    w.add_uint32(f"{ARCH}.block_count", cfg["layers"])
    w.add_uint32(f"{ARCH}.embedding_length", cfg["hidden"])
    w.add_uint32(f"{ARCH}.feed_forward_length", cfg["ffn"])
    w.add_uint32(f"{ARCH}.attention.head_count", cfg["heads"])
    w.add_uint32(f"{ARCH}.attention.head_count_kv", cfg["kv_heads"])
    w.add_uint32(f"{ARCH}.context_length", cfg["context"])
    w.add_uint32(f"{ARCH}.vocab_size", cfg["vocab"])


def write_gguf_tq(path, qtype, cfg, layers, embd, norm):
    w = gguf.GGUFWriter(str(path), ARCH)
    add_shape_metadata(w, cfg)
    w.add_name("onebit-tiny")
    w.add_tensor("token_embd.weight", embd.astype(np.float16))
    for short, (q, scale) in layers.items():
        data = (q.astype(np.float32) * np.float32(scale))
        packed = gguf.quants.quantize(data, qtype)
        w.add_tensor(f"blk.0.{GGUF_NAMES[short]}.weight", packed, raw_shape=packed.shape, raw_dtype=qtype)
    w.add_tensor("blk.0.attn_norm.weight", norm.astype(np.float32))
    if qtype == QT.TQ1_0:
        bf = gguf.quants.quantize(norm.astype(np.float32), QT.BF16)
        w.add_tensor("blk.0.ffn_norm.weight", bf, raw_shape=bf.shape, raw_dtype=QT.BF16)
    else:
        w.add_tensor("blk.0.ffn_norm.weight", norm.astype(np.float32))
    w.add_tensor("output_norm.weight", norm.astype(np.float32))
    q8 = gguf.quants.quantize(embd.astype(np.float32), QT.Q8_0)
    w.add_tensor("output.weight", q8, raw_shape=q8.shape, raw_dtype=QT.Q8_0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def i2s_pack(q):
    """bitnet.cpp quantize_i2_s (x86, QK_I2_S = 128): the tensor's weights in
    row-major order cut into blocks of 128; weight j of a block goes to byte
    j % 32 of the block's 32 bytes, at bit 6 - 2 * (j // 32); codes 0 = -1,
    1 = 0, 2 = +1."""
    flat = (q.reshape(-1).astype(np.int16) + 1).astype(np.uint8)
    assert flat.size % 128 == 0
    blocks = flat.reshape(-1, 4, 32)
    shifts = np.array([6, 4, 2, 0], dtype=np.uint8).reshape(1, 4, 1)
    return np.bitwise_or.reduce(blocks << shifts, axis=1).reshape(-1).astype(np.uint8)


def write_gguf_i2s(path, cfg, tensors, version=2, alignment=32, name="onebit-tiny"):
    """A GGUF file of (name, ggml type, ne dims, raw bytes) tensors, written by hand
    (gguf-py cannot: I2_S is not one of its types)."""
    kv = []

    def kv_u32(key, v):
        kv.append(gguf_string(key) + struct.pack("<II", 4, v))

    def kv_str(key, v):
        kv.append(gguf_string(key) + struct.pack("<I", 8) + gguf_string(v))

    kv_str("general.architecture", ARCH)
    kv_str("general.name", name)
    kv_u32("general.alignment", alignment)
    kv_u32(f"{ARCH}.block_count", cfg["layers"])
    kv_u32(f"{ARCH}.embedding_length", cfg["hidden"])
    kv_u32(f"{ARCH}.feed_forward_length", cfg["ffn"])
    kv_u32(f"{ARCH}.attention.head_count", cfg["heads"])
    kv_u32(f"{ARCH}.attention.head_count_kv", cfg["kv_heads"])
    kv_u32(f"{ARCH}.context_length", cfg["context"])
    kv_u32(f"{ARCH}.vocab_size", cfg["vocab"])
    infos = []
    offset = 0
    tensors = [(n, t, ne, raw if isinstance(raw, list) else [raw]) for n, t, ne, raw in tensors]
    for name, ttype, ne, parts in tensors:
        raw_len = sum(len(p) for p in parts)
        infos.append(gguf_string(name) + struct.pack("<I", len(ne))
                     + b"".join(struct.pack("<Q", d) for d in ne)
                     + struct.pack("<IQ", ttype, offset))
        offset += raw_len
        offset += (-offset) % alignment
    with open(path, "wb") as f:
        f.write(b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kv)))
        for e in kv:
            f.write(e)
        for e in infos:
            f.write(e)
        f.write(b"\0" * ((-f.tell()) % alignment))
        for _, _, _, parts in tensors:
            for p in parts:
                f.write(p)
            f.write(b"\0" * ((-sum(len(p) for p in parts)) % alignment))


def i2s_raw(q, scale):
    return i2s_pack(q).tobytes() + struct.pack("<f", scale) + b"\0" * 28


# ----------------------------------------------------------- safetensors
def bf16_bits(x):
    """float32 -> bfloat16 bit patterns, round to nearest even."""
    b = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    b = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
    return b.astype(np.uint16)


def bf16_value(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def hf_pack(q):
    """transformers' BitNet pack_weights: [N, K] ternary -> [N/4, K] uint8;
    row i * N/4 + r is stored in byte [r, :] at bits 2i, as value + 1."""
    n = q.shape[0]
    assert n % 4 == 0
    rows = n // 4
    u = (q.astype(np.int16) + 1).astype(np.uint8)
    p = np.zeros((rows, q.shape[1]), dtype=np.uint8)
    for i in range(4):
        p |= u[i * rows:(i + 1) * rows] << (2 * i)
    return p


HF_NAMES = {
    "q": "self_attn.q_proj", "k": "self_attn.k_proj", "v": "self_attn.v_proj",
    "o": "self_attn.o_proj", "gate": "mlp.gate_proj", "up": "mlp.up_proj",
    "down": "mlp.down_proj",
}


def save_safetensors(path, arrays):
    keep = []
    specs = {}
    for name, (dtype, arr) in arrays.items():
        arr = np.ascontiguousarray(arr)
        keep.append(arr)
        specs[name] = TensorSpec(dtype=dtype, shape=list(arr.shape),
                                 data_ptr=arr.ctypes.data, data_len=arr.nbytes)
    serialize_file(specs, str(path), metadata={"format": "pt"})


def hf_config(cfg):
    return {
        "architectures": ["BitNetForCausalLM"],
        "model_type": "bitnet",
        "hidden_size": cfg["hidden"],
        "intermediate_size": cfg["ffn"],
        "num_hidden_layers": cfg["layers"],
        "num_attention_heads": cfg["heads"],
        "num_key_value_heads": cfg["kv_heads"],
        "vocab_size": cfg["vocab"],
        "max_position_embeddings": cfg["context"],
        "hidden_act": "relu2",
        "tie_word_embeddings": True,
        "quantization_config": {"quant_method": "bitnet", "linear_class": "bitlinear",
                                "quantization_mode": "offline"},
    }


# ------------------------------------------------------------------ main
def tiny(out):
    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True, exist_ok=True)
    cfg = {"layers": 1, "hidden": 256, "ffn": 256, "heads": 4, "kv_heads": 1,
           "context": 2048, "vocab": 32}
    layers = tiny_layers(rng, cfg["hidden"], cfg["ffn"], 64)
    embd = rng.normal(0, 0.02, size=(cfg["vocab"], cfg["hidden"])).astype(np.float32)
    norm = (1.0 + rng.normal(0, 0.1, size=cfg["hidden"])).astype(np.float32)
    expected = {"seed": SEED, "tensors": {}, "files": {}}
    for short, (q, scale) in layers.items():
        expected["tensors"][short] = stats(q, scale)

    ref_rng = np.random.default_rng(SEED + 1)
    refs = {}

    # GGUF TQ2_0 and TQ1_0 (gguf-py)
    for qtype, fname in [(QT.TQ2_0, "tiny-tq2_0.gguf"), (QT.TQ1_0, "tiny-tq1_0.gguf")]:
        write_gguf_tq(out / fname, qtype, cfg, layers, embd, norm)
        # read back through gguf-py to be sure the writer's blocks hold our trits
        r = gguf.GGUFReader(str(out / fname))
        for t in r.tensors:
            if t.name.startswith("blk.0.attn_q"):
                deq = gguf.quants.dequantize(t.data, t.tensor_type)
                q, s = layers["q"]
                assert np.array_equal(np.sign(deq), q), fname
        expected["files"][fname] = {"format": "gguf", "version": 3,
                                    "type": qtype.name, "names": GGUF_NAMES}

    # GGUF I2_S v2 (hand-written)
    tensors = [("token_embd.weight", 1, [cfg["hidden"], cfg["vocab"]],
                embd.astype(np.float16).tobytes())]
    for short, (q, scale) in layers.items():
        tensors.append((f"blk.0.{GGUF_NAMES[short]}.weight", I2_S,
                        [q.shape[1], q.shape[0]], i2s_raw(q, scale)))
    tensors.append(("blk.0.attn_norm.weight", 0, [cfg["hidden"]], norm.tobytes()))
    tensors.append(("output_norm.weight", 0, [cfg["hidden"]], norm.tobytes()))
    write_gguf_i2s(out / "tiny-i2_s.gguf", cfg, tensors)
    expected["files"]["tiny-i2_s.gguf"] = {"format": "gguf", "version": 2,
                                           "type": "I2_S", "names": GGUF_NAMES}

    # safetensors, packed ternary (the microsoft/bitnet-b1.58-2B-4T layout)
    packed_dir = out / "tiny-packed"
    packed_dir.mkdir(exist_ok=True)
    arrays = {"model.embed_tokens.weight": ("bfloat16", bf16_bits(embd))}
    for short, (q, scale) in layers.items():
        p = f"model.layers.0.{HF_NAMES[short]}"
        arrays[p + ".weight"] = ("uint8", hf_pack(q))
        # weight_scale is the reciprocal of mean|W|: BitLinear divides by it
        arrays[p + ".weight_scale"] = ("bfloat16", bf16_bits(np.array([1.0 / scale], dtype=np.float32)))
    arrays["model.layers.0.input_layernorm.weight"] = ("bfloat16", bf16_bits(norm))
    arrays["model.norm.weight"] = ("bfloat16", bf16_bits(norm))
    save_safetensors(packed_dir / "model.safetensors", arrays)
    (packed_dir / "config.json").write_text(json.dumps(hf_config(cfg), indent=2) + "\n")
    expected["files"]["tiny-packed/model.safetensors"] = {
        "format": "safetensors", "type": "packed", "names": HF_NAMES,
        "scale_of": {s: float(bf16_value(bf16_bits(np.array([1.0 / v[1]], dtype=np.float32)))[0])
                     for s, v in layers.items()}}

    # reference layer outputs (the same ternary q and k in every file)
    for short in ["q", "k"]:
        q, scale = layers[short]
        refs[short] = layer_reference(ref_rng, q, scale, 2, q.astype(np.float64) * scale)
    expected["layers"] = refs

    # safetensors, BF16 master weights quantized on load (a smaller block)
    mcfg = {"layers": 1, "hidden": 64, "ffn": 128, "heads": 2, "kv_heads": 2,
            "context": 512, "vocab": 16}
    master_dir = out / "tiny-master"
    master_dir.mkdir(exist_ok=True)
    shapes = {"q": (64, 64), "k": (64, 64), "v": (64, 64), "o": (64, 64),
              "gate": (128, 64), "up": (128, 64), "down": (64, 128)}
    arrays = {"model.embed_tokens.weight": ("bfloat16", bf16_bits(rng.normal(0, 0.02, size=(16, 64))))}
    mexp = {}
    for short, shp in shapes.items():
        w = rng.normal(0, 0.02, size=shp)
        if short == "k":  # heavy tails: a Laplace layer has more zeros after absmean
            w = rng.laplace(0, 0.02, size=shp)
        bits = bf16_bits(w)
        q, gamma = absmean(bf16_value(bits).astype(np.float64))
        st = stats(q, gamma)
        mexp[short] = st
        arrays[f"model.layers.0.{HF_NAMES[short]}.weight"] = ("bfloat16", bits)
    save_safetensors(master_dir / "model.safetensors", arrays)
    (master_dir / "config.json").write_text(json.dumps(hf_config(mcfg), indent=2) + "\n")
    expected["master"] = mexp
    expected["files"]["tiny-master/model.safetensors"] = {
        "format": "safetensors", "type": "BF16", "names": HF_NAMES}

    (out / "expected.json").write_text(json.dumps(expected, sort_keys=True) + "\n")
    for p in sorted(out.rglob("*")):
        if p.is_file():
            print(f"{p.stat().st_size:>8}  {p}")


def big(path):
    """A file the shape of microsoft/bitnet-b1.58-2B-4T's I2_S GGUF: 30 blocks,
    hidden 2560, FFN 6912, 20 heads, 5 KV heads, vocab 128256, F16 embedding."""
    rng = np.random.default_rng(SEED)
    cfg = {"layers": 30, "hidden": 2560, "ffn": 6912, "heads": 20, "kv_heads": 5,
           "context": 4096, "vocab": 128256}
    h, f, kv = cfg["hidden"], cfg["ffn"], 640
    shapes = {"q": (h, h), "k": (kv, h), "v": (kv, h), "o": (h, h),
              "gate": (f, h), "up": (f, h), "down": (h, f)}
    # Gaussian absmean statistics: P(0) = P(|z| < 0.5 * sqrt(pi/2)) = 0.3101
    p0 = 0.3101

    def ternary(shape):
        u = rng.random(size=shape, dtype=np.float32)
        q = np.where(u < p0, 0, np.where(u < p0 + (1 - p0) / 2, 1, -1)).astype(np.int8)
        return q

    embd = [rng.standard_normal(size=(min(8192, cfg["vocab"] - r), h), dtype=np.float32)
            .astype(np.float16).tobytes() for r in range(0, cfg["vocab"], 8192)]
    tensors = [("token_embd.weight", 1, [h, cfg["vocab"]], embd)]
    norm = np.ones(h, dtype=np.float32).tobytes()
    for b in range(cfg["layers"]):
        for short, shp in shapes.items():
            tensors.append((f"blk.{b}.{GGUF_NAMES[short]}.weight", I2_S, [shp[1], shp[0]],
                            i2s_raw(ternary(shp), 0.02)))
        tensors.append((f"blk.{b}.attn_norm.weight", 0, [h], norm))
        tensors.append((f"blk.{b}.ffn_norm.weight", 0, [h], norm))
    tensors.append(("output_norm.weight", 0, [h], norm))
    write_gguf_i2s(path, cfg, tensors, version=3, name="bitnet-b1.58-2B-4T-shaped")
    print(f"{Path(path).stat().st_size} bytes  {path}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--big"]:
        big(args[1] if len(args) > 1 else "/tmp/bitnet-2b4t-i2_s.gguf")
    else:
        tiny(Path(args[0]) if args else Path(__file__).resolve().parent.parent / "tests/data/weights")
