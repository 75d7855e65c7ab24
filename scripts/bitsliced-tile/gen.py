# Generates bs.v: the lane-transposed 64 x 64 ternary adder tree of
# scripts/bitsliced-tile/run.sh (a speed experiment, not the generator).
# Prototype: a lane-transposed (bit-sliced) 64x64 ternary adder-tree tile.
L, W, AB = 64, 64, 8
o = []
p = o.append
p("module bs(input wire clk, input wire load, input wire [%d:0] in_wgt, input wire [%d:0] in_act, output wire [%d:0] out_bits);" % (L*W*2-1, W*AB-1, 15*64-1))
# rows: lane l = in_wgt[l*128 +: 128]; two 64x64 matrices (columns 0..63 and 64..127)
for h in range(2):
    for r in range(64):
        p(f"  wire [63:0] m{h}_0_{r} = in_wgt[{r*128 + h*64} +: 64];")
    st = 0
    for j in [32, 16, 8, 4, 2, 1]:
        m = 0
        for bit in range(64):
            if bit & j == 0: m |= 1 << bit
        for k in range(64):
            if k & j == 0:
                p(f"  wire [63:0] t{h}_{st}_{k} = ((m{h}_{st}_{k} >> {j}) ^ m{h}_{st}_{k+j}) & 64'h{m:016x};")
                p(f"  wire [63:0] m{h}_{st+1}_{k} = m{h}_{st}_{k} ^ (t{h}_{st}_{k} << {j});")
                p(f"  wire [63:0] m{h}_{st+1}_{k+j} = m{h}_{st}_{k+j} ^ t{h}_{st}_{k};")
        st += 1
# stage 0 register: column c of all lanes
for c in range(128):
    h, cc = divmod(c, 64)
    p(f"  reg [63:0] col_{c};")
p("  reg [%d:0] act;" % (W*AB-1))
p("  always @(posedge clk) if (load) begin")
for c in range(128):
    h, cc = divmod(c, 64)
    p(f"    col_{c} <= m{h}_6_{cc};")
p("    act <= in_act;")
p("  end")
# terms
TB = AB + 1
for e in range(W):
    p(f"  wire [63:0] pos_{e} = col_{2*e} & ~col_{2*e+1};")
    p(f"  wire [63:0] neg_{e} = col_{2*e} & col_{2*e+1};")
    p(f"  wire [8:0] ap_{e} = {{act[{e*AB+7}], act[{e*AB} +: 8]}};")
    p(f"  wire [8:0] an_{e} = -ap_{e};")
    for b in range(TB):
        p(f"  wire [63:0] x0_{e}_{b} = (pos_{e} & {{64{{ap_{e}[{b}]}}}}) | (neg_{e} & {{64{{an_{e}[{b}]}}}});")
# tree
n, width, lvl, prefix = W, TB, 0, "x0"
regs = []
while n > 1:
    lvl += 1
    nw = width + 1
    src = prefix
    pre = f"x{lvl}"
    for i in range(n // 2):
        a, bb = f"{src}_{2*i}", f"{src}_{2*i+1}"
        p(f"  wire [63:0] {pre}c_{i}_1 = {a}_0 & {bb}_0;")
        p(f"  wire [63:0] {pre}s_{i}_0 = {a}_0 ^ {bb}_0;")
        for k in range(1, nw):
            ak = f"{a}_{min(k, width-1)}"; bk = f"{bb}_{min(k, width-1)}"
            p(f"  wire [63:0] {pre}h_{i}_{k} = {ak} ^ {bk};")
            p(f"  wire [63:0] {pre}s_{i}_{k} = {pre}h_{i}_{k} ^ {pre}c_{i}_{k};")
            if k < nw - 1:
                p(f"  wire [63:0] {pre}c_{i}_{k+1} = ({ak} & {bk}) | ({pre}c_{i}_{k} & {pre}h_{i}_{k});")
        if lvl % 2 == 0:
            for k in range(nw):
                p(f"  reg [63:0] {pre}_{i}_{k};")
            p("  always @(posedge clk) begin")
            for k in range(nw):
                p(f"    {pre}_{i}_{k} <= {pre}s_{i}_{k};")
            p("  end")
        else:
            for k in range(nw):
                p(f"  wire [63:0] {pre}_{i}_{k} = {pre}s_{i}_{k};")
    n //= 2; width = nw; prefix = pre
p("  assign out_bits = {" + ", ".join(f"{prefix}_0_{k}" for k in reversed(range(width))) + "};")
p("endmodule")
open("bs.v", "w").write("\n".join(o) + "\n")
print("width", width, "levels", lvl)
