#!/usr/bin/env bash
# Issue 12's speed target, measured side by side in one run: whole CSR fits, ms per iteration,
# nmfkit (build/release/nmfkit_bench --sparse-fits) against scikit-learn 1.2.1 NMF(solver='mu')
# (tests/sklearn/bench_sklearn.py --sparse) on a 20000 x 5000 CSR float32 matrix at 0.5 %
# density, rank 20, one thread, both pinned to one core. The two programs alternate ROUNDS
# times (REPS timed fits of every row per round, after a warm-up), so a change in the machine's
# load hits both; prints min and median per row (wall clock and process CPU time) and the
# ratios scikit-learn / nmfkit.
#
#   cmake --preset release && cmake --build build/release -j2 --target nmfkit_bench
#   tests/sklearn/bench_sparse.sh                # ROUNDS=5 REPS=1 CPU=1 by default
#   ROUNDS=9 CPU=0 tests/sklearn/bench_sparse.sh
#
# Both sides time fit() / max_iter with tol = 0 and a random init, as the dense rows do
# (Frobenius 50 iterations, KL 20). The matrices are drawn by different generators with the
# same shape, density and value distribution (uniform): the cost of an iteration depends on
# those, not on the values. OpenBLAS runs on one thread with its own kernel choice
# (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this command only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bench=${NMFKIT_BENCH:-$repo/build/release/nmfkit_bench}
rounds=${ROUNDS:-5}
reps=${REPS:-1}
cpu=${CPU:-1}
py=/usr/bin/python3
[ -x "$bench" ] || { echo "no $bench: build the release preset first" >&2; exit 1; }

echo "# $(lscpu | sed -n 's/^Model name: *//p'), pinned to CPU $cpu, $rounds rounds of $reps"
echo "# load before: $(uptime)"
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT
for ((i = 1; i <= rounds; ++i)); do
  taskset -c "$cpu" "$bench" --sparse-fits --raw --reps "$reps" >>"$samples"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
    taskset -c "$cpu" "$py" "$here/bench_sklearn.py" --sparse --raw --reps "$reps" >>"$samples"
done
echo "# load after: $(uptime)"
"$py" - "$samples" <<'PY'
import collections, statistics, sys
s = collections.defaultdict(list)
notes = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 5 and f[0] == "sample":
        s[(f[1], f[2], "wall")].append(float(f[3]))
        s[(f[1], f[2], "cpu")].append(float(f[4]))
    elif line.startswith("#") and line not in notes:
        notes.append(line)
print("".join(notes), end="")
print(f"{'row':<12}{'clock':>6}{'runs':>5}{'nmfkit min':>12}{'median':>9}{'sklearn min':>13}{'median':>9}"
      f"{'ratio min':>11}{'median':>9}")
for row in ("csr_fro_mu", "csr_kl_mu", "csr_fro_amu"):
    for clock in ("wall", "cpu"):
        a, b = s.get(("nmfkit", row, clock), []), s.get(("sklearn", row, clock), [])
        if not a:
            continue
        line = f"{row:<12}{clock:>6}{len(a):>5}{min(a):>12.3f}{statistics.median(a):>9.3f}"
        if b:
            line += (f"{min(b):>13.3f}{statistics.median(b):>9.3f}"
                     f"{min(b) / min(a):>10.2f}x{statistics.median(b) / statistics.median(a):>8.2f}x")
        print(line)
print("ms/iter = whole fit() / max_iter; ratio = scikit-learn / nmfkit (> 1: nmfkit faster).")
print("wall: elapsed time; cpu: the process's CPU time, which other processes on the pinned core do")
print("not inflate (a loaded machine stretches scikit-learn's seconds-long fits more often than")
print("nmfkit's short ones: compare the wall ratios of a quiet run, or the cpu ratios).")
print("csr_fro_amu: nmfkit's accelerated MU (several inner updates per iteration); scikit-learn has none.")
PY
