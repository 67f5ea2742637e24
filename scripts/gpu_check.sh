#!/usr/bin/env bash
# The one script to run on a machine with CuPy and a CUDA device (no network, no
# mypy needed: fchain runs from src/ via PYTHONPATH).  Budget: about 6 minutes in all.
#
#   bash scripts/gpu_check.sh
#
# Phases, most informative first, so a run cut short still reports the important part:
#   1. environment: Python, numpy, CuPy, the device, a first kernel (CUDA context and
#      compiler warm-up, timed);
#   2. tests/gpu: namespace conformance, stub check, device moves, MLP, optimizers,
#      serializers, Trainer (about 170 tests, mostly kernel compiles);
#   3. every other test marked gpu: each op's gradient property test on the device
#      (hypothesis profile "gpu"), forward tests, serializers, links, and the
#      distributed communicators' GPU paths where mpirun and mpi4py are present;
#   4. benchmarks that take a --device flag, run with --device @cupy:0 (none: skipped).
#
# Expected time on an H100 (an estimate, not yet measured): kernel compilation
# dominates, one CuPy kernel per (function, dtypes, array rank), roughly 0.1-0.3 s
# each on a cold machine; phase 2 about 1-2 minutes, phase 3 about 2-3 minutes at 10
# examples.  The durations pytest prints per phase tell the next run what to trim.
#
# Knobs (environment):
#   GPU_CHECK_SECONDS     total budget in seconds (default 360); each phase gets what
#                         is left, pytest is interrupted with SIGINT at its limit and
#                         still prints its summary
#   FCHAIN_GPU_EXAMPLES   hypothesis examples per op test (default 10; 3 halves phase 3)
#   GPU_CHECK_LOGS        folder for full logs and JUnit XML (default: $OUT if set, else
#                         a temporary folder); the console shows only summaries
#   GPU_CHECK_DRY_RUN=1   on a machine without a GPU: run the plumbing anyway (every
#                         gpu test is then skipped), to check this script itself
#
# A test module that cannot be imported there (tests/serializers/test_hdf5.py needs
# h5py, which the GPU machine lacks) is reported as an ERROR but does not stop the
# other tests (--continue-on-collection-errors).
#
# Exit status: 0 when every phase passed, 1 when a test failed or a phase timed out,
# 2 when CuPy or the device is missing (nothing was tested).
set -uo pipefail
cd "$(dirname "$0")/.."

export PYTHONPATH="src${PYTHONPATH:+:$PYTHONPATH}"
export HYPOTHESIS_PROFILE=gpu
export FCHAIN_GPU_EXAMPLES="${FCHAIN_GPU_EXAMPLES:-10}"
PY="${PYTHON:-python3}"
BUDGET="${GPU_CHECK_SECONDS:-360}"
LOGS="${GPU_CHECK_LOGS:-${OUT:-$(mktemp -d)}}"
mkdir -p "$LOGS"
START=$(date +%s)
STATUS=0
SUMMARY=()

left() { echo $(( BUDGET - ($(date +%s) - START) )); }

echo "== environment (logs in $LOGS)"
if ! "$PY" - <<'EOF'
import sys, time
import numpy
print(f"python {sys.version.split()[0]}, numpy {numpy.__version__}")
try:
    import cupy
except Exception as error:  # ImportError or a CUDA error at import
    print(f"CuPy cannot be imported: {error!r}")
    sys.exit(2)
count = cupy.cuda.runtime.getDeviceCount()
props = cupy.cuda.runtime.getDeviceProperties(0) if count else {}
name = props.get("name", b"?")
print(f"cupy {cupy.__version__}, {count} device(s), device 0: "
      f"{name.decode() if isinstance(name, bytes) else name}, "
      f"CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}")
if count == 0:
    sys.exit(2)
t = time.perf_counter()
x = cupy.arange(10, dtype=cupy.float32)
float((x * 2).sum())
print(f"first kernel (context + compile): {time.perf_counter() - t:.2f} s")
EOF
then
    if [ "${GPU_CHECK_DRY_RUN:-0}" != 1 ]; then
        echo "gpu_check: no usable CuPy/GPU here; nothing tested"
        exit 2
    fi
    echo "gpu_check: dry run without a GPU: every gpu test will be skipped"
fi

# fchain.distributed's GPU tests (naive through the host, pure_nccl and single_node
# with NCCL) launch MPI jobs: say whether they can run here
if command -v mpirun >/dev/null 2>&1 && "$PY" -c "import mpi4py" >/dev/null 2>&1; then
    echo "MPI: $(mpirun --version 2>/dev/null | head -n 1); the distributed GPU tests will run"
else
    echo "MPI: mpirun or mpi4py missing; the distributed GPU tests (tests/distributed/test_gpu.py) will be skipped"
fi

# run_phase NAME LIMIT_SECONDS PYTEST_ARGS...
run_phase() {
    local name="$1" limit="$2"
    shift 2
    if [ "$limit" -lt 20 ]; then
        SUMMARY+=("$name: NOT RUN (budget spent)")
        STATUS=1
        return
    fi
    echo "== $name (limit ${limit}s)"
    local t0 rc line
    t0=$(date +%s)
    timeout -s INT -k 30 "$limit" "$PY" -m pytest -m gpu -q -p no:cacheprovider \
        --maxfail=50 --durations=10 -o addopts="" -rfE --continue-on-collection-errors \
        --junitxml="$LOGS/$name.xml" "$@" >"$LOGS/$name.log" 2>&1
    rc=$?
    # failures first, then pytest's own summary line
    grep -E "^(FAILED|ERROR) " "$LOGS/$name.log" | head -40
    line=$(grep -E "(passed|failed|errors?|skipped|deselected|no tests ran).* in [0-9.]+s" "$LOGS/$name.log" \
        | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')
    [ -z "$line" ] && line="no pytest summary: $(tail -1 "$LOGS/$name.log")"
    echo "$line"
    sed -n '/slowest 10 durations/,/^$/p' "$LOGS/$name.log" | head -12
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then  # timeout's codes: interrupted at the limit
        SUMMARY+=("$name: TIMED OUT after ${limit}s ($line)")
        STATUS=1
    elif [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
        SUMMARY+=("$name: FAILED, exit $rc, $(( $(date +%s) - t0 ))s ($line)")
        tail -60 "$LOGS/$name.log" | grep -E "^(E |tests/|src/)" | head -30
        STATUS=1
    else
        SUMMARY+=("$name: ok, $(( $(date +%s) - t0 ))s ($line)")
    fi
}

# phase 2 gets at most 40% of the budget, so phase 3 always starts
LIMIT=$(left)
run_phase gpu-suite $(( LIMIT * 2 / 5 )) tests/gpu
run_phase gpu-marked $(( $(left) - 30 )) tests --ignore=tests/gpu

echo "== benchmarks"
found=0
for bench in benchmarks/*.py; do
    grep -q -- "--device" "$bench" || continue
    found=1
    limit=$(( $(left) ))
    if [ "$limit" -lt 20 ]; then
        SUMMARY+=("$bench: NOT RUN (budget spent)")
        continue
    fi
    echo "-- $bench --device @cupy:0 (limit ${limit}s)"
    if timeout -s INT -k 10 "$limit" "$PY" "$bench" --device @cupy:0 >"$LOGS/$(basename "$bench" .py).bench.log" 2>&1; then
        tail -25 "$LOGS/$(basename "$bench" .py).bench.log"
        SUMMARY+=("$bench: ok")
    else
        tail -15 "$LOGS/$(basename "$bench" .py).bench.log"
        SUMMARY+=("$bench: FAILED or timed out")
        STATUS=1
    fi
done
[ "$found" -eq 0 ] && echo "(no benchmark takes --device; skipped)"

echo "== summary ($(( $(date +%s) - START ))s, FCHAIN_GPU_EXAMPLES=$FCHAIN_GPU_EXAMPLES)"
for line in "${SUMMARY[@]}"; do
    echo "  $line"
done
exit "$STATUS"
