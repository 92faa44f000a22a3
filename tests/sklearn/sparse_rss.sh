#!/usr/bin/env bash
# Issue 12's memory target: peak RSS of `nmfkit fit X.mtx` on the 20000 x 5000 CSR matrix at
# 0.5 % density (rank 20, float32) must stay within the CSR arrays + O((n+m)·r) + 16 MB.
# Writes the matrix once (scipy.sparse.random, seed 3, as bench_sklearn.py --sparse) as .mtx
# for nmfkit and as .npz for scikit-learn, runs both fits under /usr/bin/time -v and prints
# their peak RSS beside the CSR bytes nnz·(4+4) + (n+1)·8 and the bound, read as
# CSR + 16 MiB + 4·(n+m)·r·4 (the O((n+m)·r) term as four float32 copies of W and H: the
# factors themselves, their update buffers and sums; 7.6 MiB here).
#
#   cmake --preset release && cmake --build build/release -j2 --target nmfkit_cli
#   tests/sklearn/sparse_rss.sh            # ITERS=10 by default: RSS does not grow with them
#
# scikit-learn's figure includes the Python interpreter and its imports (printed on their own
# as the baseline); nmfkit's includes reading the .mtx file.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cli=${NMFKIT_CLI:-$repo/build/release/nmfkit}
iters=${ITERS:-10}
py=/usr/bin/python3
n=20000 m=5000 r=20
[ -x "$cli" ] || { echo "no $cli: build the release preset first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$py" - "$tmp" $n $m <<'EOF'
import sys, numpy as np, scipy.io, scipy.sparse
d, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X = scipy.sparse.random(n, m, density=0.005, format="csr", dtype=np.float32, random_state=3)
scipy.io.mmwrite(f"{d}/X.mtx", X, precision=9)
scipy.sparse.save_npz(f"{d}/X.npz", X, compressed=False)
open(f"{d}/nnz", "w").write(str(X.nnz))
EOF
nnz=$(cat "$tmp/nnz")

# peak RSS in KiB of a command, its output kept in $tmp/out
peak_kib() {
  /usr/bin/time -v "$@" >"$tmp/out" 2>"$tmp/time" || { cat "$tmp/out" "$tmp/time" >&2; exit 1; }
  sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$tmp/time"
}

skl_fit='
import sys, warnings, numpy as np, scipy.sparse
from sklearn.decomposition import NMF
warnings.simplefilter("ignore")
X = scipy.sparse.load_npz(sys.argv[1])
NMF(n_components=int(sys.argv[2]), solver="mu", beta_loss=sys.argv[3], init="random", max_iter=int(sys.argv[4]),
    tol=0, random_state=42).fit(X)
'
skl_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1)

csr=$((nnz * 8 + (n + 1) * 8))
factors=$(((n + m) * r * 4))
mib=$((1 << 20))
echo "X: ${n}x${m}, nnz $nnz, rank $r, float32, $iters iterations"
printf 'CSR arrays nnz*(4+4) + (n+1)*8: %.1f MiB; W + H (n+m)*r*4: %.1f MiB; CSR + 16 MiB: %.1f MiB\n' \
  "$(bc -l <<<"$csr / $mib")" "$(bc -l <<<"$factors / $mib")" "$(bc -l <<<"($csr + 16 * $mib) / $mib")"
base=$(peak_kib "${skl_env[@]}" "$py" -c 'import numpy, scipy.sparse, sklearn.decomposition')
printf '%-44s %8.1f MiB\n' "python + numpy/scipy/sklearn imports" "$(bc -l <<<"$base / 1024")"
for loss in frobenius kl; do
  skl_loss=$([ $loss = kl ] && echo kullback-leibler || echo frobenius)
  kib=$(peak_kib "$cli" fit "$tmp/X.mtx" --rank $r --loss $loss --solver mu --max-iter "$iters" --tol 0 \
    --out-w "$tmp/W.npy" --out-h "$tmp/H.npy")
  extra=$((kib * 1024 - csr))
  verdict=$([ $extra -le $((16 * mib + 4 * factors)) ] && echo "within" || echo "ABOVE")
  printf '%-44s %8.1f MiB  (peak - CSR = %.1f MiB: %s 16 MiB + 4 x (n+m)*r*4)\n' "nmfkit fit X.mtx, $loss" \
    "$(bc -l <<<"$kib / 1024")" "$(bc -l <<<"$extra / $mib")" "$verdict"
  kib=$(peak_kib "${skl_env[@]}" "$py" -c "$skl_fit" "$tmp/X.npz" $r $skl_loss "$iters")
  printf '%-44s %8.1f MiB  (%.1f MiB above the imports)\n' "scikit-learn NMF(solver='mu').fit, $loss" \
    "$(bc -l <<<"$kib / 1024")" "$(bc -l <<<"($kib - $base) / 1024")"
done
