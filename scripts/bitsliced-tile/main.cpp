// Clocks the lane-transposed tile of gen.py with a pool of random chunks,
// checks 64 cycles of lane sums against a plain dot product, prints cycles/s.
#include "Vbs.h"
#include "verilated.h"
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <vector>
#include <cstdint>
struct In { uint32_t w[256]; uint32_t a[16]; };
static int wv(const In& in, int l, int e) { int bit = (l*64+e)*2; int c = (in.w[bit/32] >> (bit%32)) & 3; return c==1?1:(c==3?-1:0); }
static int av(const In& in, int e) { return (int8_t)((in.a[e/4] >> ((e%4)*8)) & 0xff); }
int main(int argc, char** argv) {
    long cycles = argc > 1 ? atol(argv[1]) : 1000000;
    const int P = 256; std::vector<In> pool(P);
    srand(1);
    for (auto& in : pool) {
        for (int i = 0; i < 256; i++) { uint32_t v = 0; for (int k = 0; k < 16; k++) { int r = rand()%3; v |= (uint32_t)(r==0?0:(r==1?1:3)) << (2*k);} in.w[i] = v; }
        for (int i = 0; i < 16; i++) in.a[i] = (uint32_t)rand() ^ ((uint32_t)rand() << 16);
    }
    Vbs* top = new Vbs; top->clk = 0; top->load = 1; top->eval();
    long bad = 0, checked = 0; int lat = -1;
    auto t0 = std::chrono::steady_clock::now();
    for (long c = 0; c < cycles; c++) {
        const In& in = pool[c % P];
        for (int i = 0; i < 256; i++) top->in_wgt[i] = in.w[i];
        for (int i = 0; i < 16; i++) top->in_act[i] = in.a[i];
        top->clk = 1; top->eval(); top->clk = 0; top->eval();
        if (c >= 10 && c < 10 + 64) {  // check against every latency 1..6
            for (int L = 1; L <= 6; L++) {
                const In& src = pool[(c - L + 1 + P) % P];
                bool ok = true;
                for (int l = 0; l < 64 && ok; l++) {
                    int ref = 0; for (int e = 0; e < 64; e++) ref += wv(src, l, e) * av(src, e);
                    int v = 0; for (int k = 0; k < 15; k++) { int b = k*64 + l; v |= ((top->out_bits[b/32] >> (b%32)) & 1) << k; }
                    if (v & 0x4000) v -= 0x8000;
                    if (v != ref) ok = false;
                }
                if (ok) { if (lat < 0) lat = L; checked++; } else if (L == lat) bad++;
            }
        }
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    printf("latency %d checked %ld bad %ld; %ld cycles in %.2f s = %.0f cycles/s\n", lat, checked, bad, cycles, s, cycles / s);
    delete top;
    if (lat < 0 || checked != 64 || bad != 0) { printf("MISMATCH\n"); return 1; }
    return 0;
}
