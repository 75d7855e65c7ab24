#!/usr/bin/env bash
# Re-create the SCALE-Sim v3 reference data in sim/tests/data/scalesim/ from scratch:
#   1. a venv (.venv-scalesim, gitignored) with scalesim 3.0.0 and numpy 1.26.4 (it breaks on numpy 2),
#   2. one SCALE-Sim GEMM run per (dataflow, array) configuration, reports copied next to the inputs,
#   3. sim/tests/data/scalesim/reference.csv consolidated from the reports,
#   4. scripts/scalesim_check.py: the closed-form formulas of README.md must reproduce every value.
# Takes about 4 minutes on 2 cores. Extra arguments go to scripts/scalesim_reference.py
# (e.g. --jobs 1, --only ws_8x8,os_16x16).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${SCALESIM_VENV:-.venv-scalesim}"
OUT=sim/tests/data/scalesim

if ! "$VENV/bin/python" - <<'EOF' 2>/dev/null
import importlib.metadata as md, numpy
assert numpy.__version__ == "1.26.4" and md.version("scalesim") == "3.0.0"
EOF
then
    echo "== installing SCALE-Sim 3.0.0 into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'numpy==1.26.4' 'tqdm==4.70.1' 'configparser==7.3.0'
    "$VENV/bin/pip" install -q --no-deps 'scalesim==3.0.0'
fi

"$VENV/bin/python" - <<'EOF'
import sys
if sys.version_info >= (3, 12):
    print("WARNING: Python >= 3.12 sums floats with compensated summation; SCALE-Sim's "
          "'Mapping Efficiency %' and 'Compute Util %' may then differ from the recorded data "
          "(recorded with Python 3.11) in the last digits.", file=sys.stderr)
EOF

echo "== running SCALE-Sim"
rm -rf "$OUT"/ws_*x* "$OUT"/os_*x* "$OUT"/is_*x* "$OUT/reference.csv"
start=$(date +%s)
"$VENV/bin/python" scripts/scalesim_reference.py --out "$OUT" "$@"
echo "== wall time: $(( $(date +%s) - start )) s"

echo "== checking the closed-form formulas against every recorded value"
"$VENV/bin/python" scripts/scalesim_check.py "$OUT"
