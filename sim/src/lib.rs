//! The cycle-level simulator: accelerator description, datapaths, memory system, mapping, engine and bit-exact model.
