#!/bin/bash
# Yosys cell counts of a set of lane-array designs (onebit rtl synth), the
# data the area model's per-datapath calibration is fitted to
# (energy-model/data/yosys-cells.json, gathered from the JSON files this
# writes into the current directory). Needs Yosys; takes about a minute.
#   mkdir /tmp/cells && cd /tmp/cells && path/to/scripts/yosys-cells.sh
set -e
OB=${ONEBIT:-onebit}
gen() { # base name lanes width
  $OB presets --toml $1 | sed -e "s/^lanes = .*/lanes = $3/" -e "s/^read_ports = .*/read_ports = $3/" -e "s/^width = .*/width = $4/" -e "s/^token_tile = .*/token_tile = 1/" -e "s/^name = .*/name = \"$2\"/" > $2.toml
  $OB rtl synth --arch $2.toml --json $2.json > /dev/null
  echo "$2 done"
}
for w in 16 32 64 128; do gen edge-ternary tern_8x$w 8 $w; done
for w in 32 64 128 256; do gen edge-popcount pop_8x$w 8 $w; done
for w in 64 128 256 512; do gen edge-xnor xnor_8x$w 8 $w; done
for w in 16 32 64; do gen edge-int8 int8_8x$w 8 $w; done
for w in 21 42 63 126; do gen edge-lut lut_8x$w 8 $w; done
