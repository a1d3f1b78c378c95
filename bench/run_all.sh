#!/usr/bin/env bash
# Run every benchmark with its defaults (takes several minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
for bench in bench_signatures bench_hub bench_governance bench_federation bench_measures bench_ingest bench_ingest_floor bench_overlap bench_privacy bench_load; do
  echo "== $bench"
  "$PY" "bench/$bench.py"
done
