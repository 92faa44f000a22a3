#!/usr/bin/python3
"""How fast can any MU iteration be next to scikit-learn's? Issue 13's target asks nmfkit's MU
iteration to be 1.5x faster than NMF(solver='mu') on one thread. An MU iteration must form
X·Hᵀ and Wᵀ·X (2·n·m·r multiply-adds, nearly all of its work when r ≪ n, m) plus the r×r-sized
products: no algorithm of the same iteration does less. This script measures, on one thread and
float32, in one run:

  - scikit-learn's MU ms/iteration (whole fit / max_iter, tol = 0, best of --reps),
  - OpenBLAS (numpy) on the products of one iteration, best of --reps,
  - OpenBLAS's square SGEMM rate (its best case on this core),

and prints the ceiling of the ratio scikit-learn / X for any X that spends nothing but the
multiply-adds of the iteration at that square-SGEMM rate: if the ceiling is below 1.5, the target
cannot be met by any implementation on this core without doing less arithmetic than MU does.

    OPENBLAS_NUM_THREADS=1 taskset -c 1 /usr/bin/python3 tests/sklearn/mu_bound.py [--reps N]
    OPENBLAS_CORETYPE=Haswell ...   # OpenBLAS's AVX2 kernels on an AVX-512 machine
"""
import sys
import time
import warnings

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

warnings.simplefilter("ignore", ConvergenceWarning)


def best(f, reps):
    t = []
    for _ in range(reps + 1):  # the first is a warm-up
        s = time.perf_counter()
        f()
        t.append(time.perf_counter() - s)
    return min(t[1:])


def main():
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 5
    rng = np.random.default_rng(0)
    info = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    core = info[0].get("architecture", "?") if info else "none"
    print(f"# OpenBLAS core type {core}, 1 thread, float32, best of {reps}")
    a = rng.random((2000, 2000), dtype=np.float32)
    b = rng.random((2000, 2000), dtype=np.float32)
    square = 2 * 2000**3 / best(lambda: a @ b, reps) / 1e9
    print(f"square SGEMM 2000^3: {square:.1f} GFLOPS")
    print(f"{'problem':<24}{'sklearn ms':>11}{'BLAS ms':>9}{'GFLOPS':>8}{'min ms':>9}{'ceiling':>9}")
    for name, n, m, r, iters in (("digits 1797x64 r=16", 1797, 64, 16, 200), ("uniform 2000x1000 r=20", 2000, 1000, 20, 50),
                                 ("uniform 5000x2000 r=50", 5000, 2000, 50, 20)):
        X = rng.random((n, m), dtype=np.float32)
        W = rng.random((n, r), dtype=np.float32)
        H = rng.random((r, m), dtype=np.float32)

        def fit():
            NMF(n_components=r, solver="mu", init="random", max_iter=iters, tol=0, random_state=42).fit(X)

        skl = best(fit, reps) / iters * 1e3

        def products():  # what one MU iteration multiplies
            X @ H.T
            W @ (H @ H.T)
            W.T @ X
            (W.T @ W) @ H

        blas = best(products, reps) * 1e3
        flops = 2 * (2 * n * m * r + 2 * (n + m) * r * r + (n + m) * r * r)
        floor = flops / (square * 1e9) * 1e3  # every multiply-add at the square SGEMM rate
        print(f"{name:<24}{skl:>11.3f}{blas:>9.3f}{flops / blas / 1e6:>8.1f}{floor:>9.3f}{skl / floor:>8.2f}x")
    print("ceiling = scikit-learn ms / min ms: the most any MU iteration can lead by on this core")


if __name__ == "__main__":
    with threadpool_limits(1):
        main()
