//! Verilog generation for the accelerator tile, its manifest, and the Verilator and Yosys drivers.
