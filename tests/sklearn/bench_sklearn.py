#!/usr/bin/python3
"""scikit-learn's NMF(solver='mu') on the three shapes of nmfkit_bench, timed the same way
(whole fit() / max_iter, tol = 0, random init, float32, one thread, best of 5 after a
warm-up fit), so that both can be compared on the same machine at the same time:

    apt-get install python3-sklearn libopenblas0-pthread
    /usr/bin/python3 tests/sklearn/bench_sklearn.py            # OpenBLAS picks its kernels
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 tests/sklearn/bench_sklearn.py
    build/release/nmfkit_bench                                  # nmfkit, same shapes
    /usr/bin/python3 tests/sklearn/bench_sklearn.py --sgemm    # also OpenBLAS's square SGEMM
    /usr/bin/python3 tests/sklearn/bench_sklearn.py --sparse   # only the sparse rows
    build/release/nmfkit_bench --sparse                         # nmfkit's CSR kernels, same matrix shape

--sgemm adds the rate of OpenBLAS's own float32 GEMM on square matrices (its best case) on
one thread: a yardstick for the GFLOPS nmfkit_bench prints for whole iterations.

The sparse rows (issue 12): a 20000 x 5000 CSR matrix at 0.5 % density (scipy.sparse.random,
uniform values), rank 20, MU with the Frobenius (50 iterations) and the KL loss (20), timed the
same way but interleaved rep by rep, min and median of --reps N runs (default 5), wall clock
and process CPU time. --raw prints only the samples, "sample sklearn <row> <ms> <cpu ms>":
tests/sklearn/bench_sparse.sh interleaves them with nmfkit_bench --sparse-fits --raw in one
pinned run and prints the ratios.

Without libopenblas0 numpy runs on the reference BLAS (~15x slower); the script refuses that.
--compare-mu digits|u2000|u5000 [--reps N] and --to-solution digits|u2000|u5000 LABEL (with
--data DIR: the matrices nmfkit_bench --write-data DIR wrote) are tests/sklearn/bench_compare.sh's
scikit-learn side: MU ms/iteration samples, and scikit-learn's default NMF() timed to its own end.

The uniform matrices of the other rows are drawn by numpy, not nmfkit's generator: the per-iteration cost
of MU does not depend on the values.
"""
import os
import statistics
import sys
import time
import warnings

import numpy as np
import scipy.sparse
import sklearn
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

warnings.simplefilter("ignore", ConvergenceWarning)
REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def timed_fit(X, rank, iters, beta_loss="frobenius", cpu=False):
    """ms per iteration of one whole fit (tol = 0: exactly `iters` iterations); with cpu, also
    the process CPU time per iteration (OpenBLAS on one thread runs in this one)."""
    model = NMF(n_components=rank, solver="mu", beta_loss=beta_loss, init="random", max_iter=iters, tol=0,
                random_state=42)
    start, start_cpu = time.perf_counter(), time.process_time()
    model.fit(X)
    wall = (time.perf_counter() - start) / iters * 1e3
    return (wall, (time.process_time() - start_cpu) / iters * 1e3) if cpu else wall


def ms_per_iteration(X, rank, iters, beta_loss="frobenius"):
    timed_fit(X, rank, iters, beta_loss)  # warm-up: page faults, BLAS buffers
    return min(timed_fit(X, rank, iters, beta_loss) for _ in range(5))


def sparse_rows(reps, raw):
    """The CSR rows, interleaved rep by rep after one warm-up of each: min and median."""
    X = scipy.sparse.random(20000, 5000, density=0.005, format="csr", dtype=np.float32, random_state=3)
    rows = [("csr_fro_mu", "frobenius", 50), ("csr_kl_mu", "kullback-leibler", 20)]  # nmfkit_bench's names
    samples = {name: ([], []) for name, _, _ in rows}
    for rep in range(-1, reps):
        for name, loss, iters in rows:
            ms, cpu = timed_fit(X, 20, iters, loss, cpu=True)
            if rep >= 0:
                samples[name][0].append(ms)
                samples[name][1].append(cpu)
                if raw:
                    print(f"sample sklearn {name} {ms:.4f} {cpu:.4f}", flush=True)
    if raw:
        return
    print(f"\ncsr 20000x5000 nnz {X.nnz}, r=20, ms/iter over {reps} interleaved runs (wall clock, process CPU time):")
    print(f"  {'row':<14}{'iters':>6}{'min':>10}{'median':>10}{'cpu min':>10}{'cpu med':>10}")
    for name, _, iters in rows:
        wall, cpu = samples[name]
        print(f"  {name:<14}{iters:>6}{min(wall):>10.4g}{statistics.median(wall):>10.4g}"
              f"{min(cpu):>10.4g}{statistics.median(cpu):>10.4g}")


def sgemm_gflops(n):
    rng = np.random.default_rng(1)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)

    def once():
        start = time.perf_counter()
        a @ b
        return time.perf_counter() - start

    once()
    return 2 * n**3 / min(once() for _ in range(5)) / 1e9


COMPARE = {"digits": (1797, 64, 16, 200), "u2000": (2000, 1000, 20, 200), "u5000": (5000, 2000, 50, 20)}


def compare_data(name, data_dir):
    """The compare problems (tests/sklearn/bench_compare.sh): digits from data/, the uniform
    matrices as nmfkit_bench --write-data wrote them (nmfkit's own generator, the same bytes)."""
    n, m, rank, iters = COMPARE[name]
    path = (os.path.join(REPO, "data", "digits", "digits_1797x64_f32le.raw") if name == "digits"
            else os.path.join(data_dir, f"{name}_f32le.raw"))
    return np.fromfile(path, dtype="<f4").reshape(n, m), rank, iters


def compare_mu(name, data_dir, reps):
    """NMF(solver='mu') ms/iteration, timed as nmfkit_bench --compare-mu: one warm-up, then reps samples."""
    X, rank, iters = compare_data(name, data_dir)
    for rep in range(-1, reps):
        ms, cpu = timed_fit(X, rank, iters, cpu=True)
        if rep >= 0:
            print(f"sample sklearn mu_{name} {ms:.4f} {cpu:.4f}", flush=True)


def to_solution(name, data_dir, label):
    """scikit-learn's default NMF(n_components=r, random_state=0) as a user runs it (cd, nndsvda,
    tol 1e-4, max_iter 200), the whole fit_transform timed; its final relative error
    ||X - WH||_F / ||X||_F is computed in float64 afterwards and is nmfkit's target."""
    X, rank, _ = compare_data(name, data_dir)
    model = NMF(n_components=rank, random_state=0)
    start = time.perf_counter()
    W = model.fit_transform(X)
    seconds = time.perf_counter() - start
    X64 = X.astype(np.float64)
    err = np.linalg.norm(X64 - W.astype(np.float64) @ model.components_.astype(np.float64)) / np.linalg.norm(X64)
    print(f"tts {label} {name} {model.n_iter_} {seconds:.4f} {err:.9f}", flush=True)


def main():
    blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not any(p.get("internal_api") == "openblas" for p in blas):
        sys.exit("numpy is not using OpenBLAS (apt-get install libopenblas0-pthread)")
    args = sys.argv[1:]
    data_dir = args[args.index("--data") + 1] if "--data" in args else "."
    if "--compare-mu" in args:  # OpenBLAS threads: as the environment says (bench_compare.sh: 1)
        blas_line = ", ".join(f"{p['internal_api']} {p.get('version')} {p.get('architecture')} "
                              f"{p.get('num_threads')} threads" for p in blas)
        print(f"# scikit-learn {sklearn.__version__}, numpy {np.__version__}, {blas_line}")
        compare_mu(args[args.index("--compare-mu") + 1], data_dir,
                   int(args[args.index("--reps") + 1]) if "--reps" in args else 1)
        return
    if "--to-solution" in args:
        i = args.index("--to-solution")
        to_solution(args[i + 1], data_dir, args[i + 2])
        return
    only_sparse = "--sparse" in args
    raw = "--raw" in args
    reps = int(args[args.index("--reps") + 1]) if "--reps" in args else 5
    rng = np.random.default_rng(0)
    digits = np.fromfile(os.path.join(REPO, "data", "digits", "digits_1797x64_f32le.raw"), dtype="<f4")
    sets = [
        ("digits 1797x64 r=16", digits.reshape(1797, 64), 16, 200),
        ("uniform 2000x1000 r=20", rng.random((2000, 1000), dtype=np.float32), 20, 200),
        ("uniform 5000x2000 r=50", rng.random((5000, 2000), dtype=np.float32), 50, 50),
    ]
    with threadpool_limits(limits=1):
        arch = ", ".join(f"{p['internal_api']} {p.get('version')} {p.get('architecture')}" for p in blas)
        if raw:
            print(f"# scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, {arch}, 1 thread")
            sparse_rows(reps, raw)
            return
        print(f"scikit-learn NMF(solver='mu'), float32, 1 thread, {arch}")
        if not only_sparse:
            print(f"{'dataset (n x m, r)':<24}{'iters':>6}{'ms/iter':>10}")
            for name, X, rank, iters in sets:
                print(f"{name:<24}{iters:>6}{ms_per_iteration(X, rank, iters):>10.4g}", flush=True)
        sparse_rows(reps, raw)
        if "--sgemm" in args:
            for n in (1000, 2000, 4000):
                print(f"OpenBLAS sgemm {n}x{n}x{n}: {sgemm_gflops(n):.1f} GFLOPS", flush=True)


if __name__ == "__main__":
    main()
