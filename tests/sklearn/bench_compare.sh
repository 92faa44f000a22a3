#!/usr/bin/env bash
# Issue 13's benchmark, nmfkit against scikit-learn 1.2.1 in one run on the same data, the two
# alternating ROUNDS times so a change in the machine's load hits both; prints min and median
# of each and the ratios scikit-learn / nmfkit (> 1: nmfkit faster), the CPU model, nmfkit's
# kernel set, OpenBLAS's and the load average before and after.
#
#   cmake --preset release && cmake --build build/release -j2 --target nmfkit_bench
#   tests/sklearn/bench_compare.sh           # ROUNDS=5 (ROUNDS_BIG=3 for 5000x2000) CPU=1
#   ROUNDS=9 ROUNDS_BIG=5 CPU=0 tests/sklearn/bench_compare.sh
#   KERNEL=avx2 SKL_CORETYPE=Haswell PROBLEMS="..." tests/sklearn/bench_compare.sh
#       AVX2 on an AVX-512 machine: nmfkit's avx2 kernel set (MU per iteration, (a)) against
#       OpenBLAS's Haswell kernels (OPENBLAS_CORETYPE), on the same core
#
# Problems: digits 1797x64 r=16 (data/digits), uniform 2000x1000 r=20 and 5000x2000 r=50.
# The uniform matrices come from nmfkit_bench's generator, written once to a temporary
# directory (nmfkit_bench --write-data) that scikit-learn reads: both factorize the same bytes.
#
# (a) MU ms/iteration: whole fit() / max_iter, tol = 0, random init, float32, one thread, both
#     pinned to core CPU (nmfkit_bench --compare-mu, bench_sklearn.py --compare-mu).
# (b) Time to solution: scikit-learn's default NMF(n_components=r, random_state=0) (cd, nndsvda,
#     tol 1e-4, max_iter 200) on float32 X, fit_transform timed, OpenBLAS on 1 thread pinned to
#     CPU and on every core (all CPUs, OPENBLAS_NUM_THREADS = nproc). Its final relative error
#     ||X - WH||_F / ||X||_F (float64, from a first untimed 1-thread run: scikit-learn is
#     deterministic here) is the target. Each nmfkit candidate (solver+init, tol = 0, one thread)
#     runs one iteration at a time through the resumable solver until its relative error is at
#     most the target (nmfkit_bench --to-error); its seconds include allocation, validation,
#     initialization and the exact final error. A candidate still above the target after
#     LIMIT x scikit-learn's 1-thread seconds (default 3) is cut off there, reported as not
#     reached, and not run again in later rounds. The reached error is rechecked in float64.
#     nmfkit runs on every core (--threads nproc, nmfkit/thread_pool.hpp), as scikit-learn's
#     all-core run; THREADS=1 gives the one-core figures.
# (c) Threads: MU and HALS ms/iteration with --threads 1 (pinned to CPU) and --threads nproc (all
#     CPUs), interleaved, on the three problems; the ratio, and whether W and H hash the same.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bench=${NMFKIT_BENCH:-$repo/build/release/nmfkit_bench}
rounds=${ROUNDS:-5}
rounds_big=${ROUNDS_BIG:-3}
cpu=${CPU:-1}
limit=${LIMIT:-3}
problems=${PROBLEMS:-"digits u2000 u5000"}
candidates=${CANDIDATES:-"hals+nndsvda hals+random amu+nndsvda amu+random mu+nndsvda mu+random"}
all_cpus=$(nproc)
threads=${THREADS:-$all_cpus}
nmf_pin=$cpu
[ "$threads" = 1 ] || nmf_pin=0-$((all_cpus - 1))
py=/usr/bin/python3
[ -x "$bench" ] || { echo "no $bench: build the release preset first" >&2; exit 1; }

skl() {  # scikit-learn with OpenBLAS's own kernel choice, $1 threads, the rest: bench_sklearn.py's arguments
  local threads=$1
  shift
  local pin=$cpu
  [ "$threads" = 1 ] || pin=0-$((all_cpus - 1))
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ${SKL_CORETYPE:+OPENBLAS_CORETYPE=$SKL_CORETYPE} \
    OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
    taskset -c "$pin" "$py" "$here/bench_sklearn.py" "$@"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
samples=$tmp/samples
"$bench" --write-data "$tmp"
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $all_cpus CPUs; one-thread runs pinned to CPU $cpu"
echo "# kernel: $(uname -sr)"
echo "# load before: $(uptime)"

# (a) MU per iteration
for ((i = 1; i <= rounds; ++i)); do
  for p in $problems; do
    taskset -c "$cpu" "$bench" ${KERNEL:+--kernel "$KERNEL"} --compare-mu "$p" --reps 1 >>"$samples"
    skl 1 --compare-mu "$p" --data "$tmp" --reps 1 >>"$samples"
  done
done

# (b) time to solution
for p in $problems; do
  target_line=$(skl 1 --to-solution "$p" target --data "$tmp")
  echo "$target_line" >>"$samples"
  target=$(echo "$target_line" | awk '{print $6}')
  skl_s=$(echo "$target_line" | awk '{print $5}')
  cut=$(awk -v s="$skl_s" -v f="$limit" 'BEGIN { printf "%.3f", s * f + 0.05 }')
  live=$candidates
  n=$rounds
  [ "$p" = u5000 ] && n=$rounds_big
  for ((i = 1; i <= n; ++i)); do
    skl 1 --to-solution "$p" sklearn1 --data "$tmp" >>"$samples"
    next=""
    for c in $live; do
      line=$(taskset -c "$nmf_pin" "$bench" --threads "$threads" --to-error "$p" "$c" "$target" --time-limit "$cut")
      echo "$line" >>"$samples"
      [ "$(echo "$line" | awk '{print $9}')" = 1 ] && next="$next $c"
    done
    live=$next
    [ "$all_cpus" -gt 1 ] && skl "$all_cpus" --to-solution "$p" "sklearn$all_cpus" --data "$tmp" >>"$samples"
  done
done

# (c) threads
if [ "$all_cpus" -gt 1 ]; then
  for ((i = 1; i <= rounds; ++i)); do
    for p in $problems; do
      for s in mu hals; do
        taskset -c "$cpu" "$bench" ${KERNEL:+--kernel "$KERNEL"} --solver "$s" --compare-mu "$p" --reps 1 >>"$samples"
        taskset -c 0-$((all_cpus - 1)) "$bench" ${KERNEL:+--kernel "$KERNEL"} --threads "$all_cpus" --solver "$s" --compare-mu "$p" --reps 1 >>"$samples"
      done
    done
  done
fi
echo "# load after: $(uptime)"

"$py" - "$samples" "$limit" <<'PY'
import collections, statistics, sys
mu = collections.defaultdict(list)
skl = collections.defaultdict(list)   # (label, problem) -> [(iters, s, err)]
nmf = collections.defaultdict(list)   # (problem, candidate) -> [(iters, s, err, err64, reached)]
hashes = collections.defaultdict(set)  # label -> hashes of W, H
target = {}
notes = []
for line in open(sys.argv[1]):
    f = line.split()
    if line.startswith("#"):
        if line not in notes:
            notes.append(line)
    elif f[0] == "hash":
        hashes[f[2]].add(f[3])
    elif f[0] == "sample":
        mu[(f[1], f[2])].append((float(f[3]), float(f[4])))
    elif f[:2] == ["tts", "nmfkit"]:
        nmf[(f[2], f[3])].append((int(f[4]), float(f[5]), float(f[6]), float(f[7]), f[8] == "1"))
    elif f[0] == "tts" and f[1] == "target":
        target[f[2]] = (int(f[3]), float(f[4]), float(f[5]))
    elif f[0] == "tts":
        skl[(f[1], f[2])].append((int(f[3]), float(f[4]), float(f[5])))
print("".join(notes), end="")
med = statistics.median
names = {"digits": "digits 1797x64 r=16", "u2000": "uniform 2000x1000 r=20", "u5000": "uniform 5000x2000 r=50"}
print("\n(a) MU ms/iteration, float32, 1 thread (wall clock; cpu = process CPU time)")
print(f"{'problem':<24}{'runs':>5}{'nmfkit min':>11}{'median':>8}{'sklearn min':>12}{'median':>8}"
      f"{'ratio min':>10}{'median':>8}{'cpu ratio':>10}")
for p in names:
    a, b = mu.get(("nmfkit", "mu_" + p), []), mu.get(("sklearn", "mu_" + p), [])
    if not a or not b:
        continue
    w = lambda v: [x[0] for x in v]
    c = lambda v: [x[1] for x in v]
    print(f"{names[p]:<24}{len(a):>5}{min(w(a)):>11.3f}{med(w(a)):>8.3f}{min(w(b)):>12.3f}{med(w(b)):>8.3f}"
          f"{min(w(b)) / min(w(a)):>9.2f}x{med(w(b)) / med(w(a)):>7.2f}x{med(c(b)) / med(c(a)):>9.2f}x")
print("\n(b) time to scikit-learn's default NMF(n_components=r, random_state=0) final relative error")
labels = sorted({k[0] for k in skl})
for p in names:
    if p not in target:
        continue
    print(f"\n{names[p]}: target ||X-WH||/||X|| = {target[p][2]:.7f} (scikit-learn cd+nndsvda, "
          f"n_iter_ {target[p][0]})")
    print(f"  {'who':<22}{'runs':>5}{'iters':>7}{'min s':>9}{'median s':>9}{'error':>11}"
          f"{'skl1/this':>10}" + "".join(f"{l + '/this':>14}" for l in labels if l != "sklearn1"))
    base = {}
    for l in labels:
        v = skl.get((l, p), [])
        if v:
            base[l] = med([x[1] for x in v])
            print(f"  {'scikit-learn ' + l[7:] + ' thr':<22}{len(v):>5}{int(med([x[0] for x in v])):>7}"
                  f"{min(x[1] for x in v):>9.3f}{base[l]:>9.3f}{med([x[2] for x in v]):>11.7f}")
    best = None
    for (q, c), v in nmf.items():
        if q != p:
            continue
        ok = all(x[4] and x[3] <= target[p][2] * (1 + 1e-7) for x in v)
        s = med([x[1] for x in v])
        it = int(med([x[0] for x in v]))
        line = f"  {'nmfkit ' + c:<22}{len(v):>5}{it:>7}{min(x[1] for x in v):>9.3f}{s:>9.3f}{med([x[3] for x in v]):>11.7f}"
        if ok:
            line += f"{base['sklearn1'] / s:>9.2f}x" + "".join(f"{base[l] / s:>13.2f}x" for l in labels if l != "sklearn1")
            if best is None or s < best[1]:
                best = (c, s, it)
        else:
            line += f"   not reached in {s:.2f} s (cut at {sys.argv[2]}x scikit-learn's 1-thread time)"
        print(line)
    if best:
        print(f"  fastest: nmfkit {best[0]}, {best[2]} iterations, {best[1]:.3f} s: "
              f"{base['sklearn1'] / best[1]:.2f}x scikit-learn on 1 thread"
              + "".join(f", {base[l] / best[1]:.2f}x on {l[7:]} threads" for l in labels if l != "sklearn1"))
print("\nratios = scikit-learn median seconds / nmfkit median seconds (> 1: nmfkit faster)")
threaded = sorted({k[1] for k in mu if k[0] == "nmfkit" and "_t" in k[1]})
if threaded:
    print("\n(c) nmfkit threads: ms/iteration, float32, tol = 0, random init (min / median)")
    print(f"{'solver, problem':<34}{'1 thread':>16}{'all threads':>16}{'speedup min':>13}{'median':>8}  W, H")
    for t in threaded:
        one = t.rsplit("_t", 1)[0]
        a, b = [x[0] for x in mu.get(("nmfkit", one), [])], [x[0] for x in mu[("nmfkit", t)]]
        if not a:
            continue
        s, prob = one.split("_", 1)
        same = "bitwise equal" if len(hashes[one] | hashes[t]) == 1 else "DIFFER"
        print(f"{s + ', ' + names.get(prob, prob) + ' (' + t.rsplit('_t', 1)[1] + ' thr)':<34}"
              f"{min(a):>8.3f} /{med(a):>6.3f}{min(b):>8.3f} /{med(b):>6.3f}"
              f"{min(a) / min(b):>12.2f}x{med(a) / med(b):>7.2f}x  {same}")
PY
