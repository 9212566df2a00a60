"""Vectorized least squares for every window of the recursive ADF regressions (PSY 2015).

The ADF t statistic of a window depends only on the window's centred cross-moments. With prefix
sums P (P[0] = 0) the n-scaled centred co-moment of variables u, v over the rows [b, a) is

    M_uv(a, b) = n S_uv - S_u S_v,    n = a - b,  S_uv = P_uv[a] - P_uv[b],  S_u = P_u[a] - P_u[b]
               = g[a] + g[b] - a P_uv[b] - b P_uv[a] + P_u[a] P_v[b] + P_u[b] P_v[a],
    g[j]      = j P_uv[j] - P_u[j] P_v[j],

a sum of six products of a function of a and a function of b: over a block of window ends a and
starts b it is one rank-6 matrix product. The lagged differences are swept out of the moment
matrix, and the t statistic on the lagged level x is

    t = M_xd sqrt(n - p) / sqrt(M_xx M_dd - M_xd^2),    p = lag + 2 coefficients.

The maxima are taken over the signed square t|t|, which orders windows as t does, so the square
root is taken only of the maxima. Every window costs a handful of vector operations, with no
Python loop over windows; windows shorter than the minimum carry NaN and are skipped by fmax.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np

# Windows in one block: each array of the block (8 bytes a window, about six live at once) must
# stay in the 1 MB L2 cache of a core, yet numpy's per-call overhead must stay a few percent.
# Measured on the 2-core machine: 24,000 beats 12,000 and 48,000 at T = 300, within 10% at 1,680.
BLOCK_ELEMENTS = 24_000
# Monte Carlo: windows per numpy call across a batch of replications, and replications per batch
# (12,000 windows of each of 4 replications: best or within 5% of best at T = 300, 1,000 and 1,680
# in an interleaved grid of 1-8 replications and 6,000-24,000 windows on the 2-core machine).
MC_BATCH_ELEMENTS = 48_000
MC_BATCH_REPS = 4


def default_workers() -> int:
    """Worker processes for long simulations: the cores this process may use, at most 2."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 2))


def regression_variables(z: np.ndarray, lag: int) -> np.ndarray:
    """Rows of the ADF regression as variables ``[w_1..w_lag, x, d]``.

    ``z`` is ``(..., n)``; the result is ``(..., lag + 2, n - 1 - lag)``: ``w_i`` the i-th lagged
    difference, ``x`` the lagged level and ``d`` the first difference (the dependent variable
    less x). These are the rows of statsmodels' ``adfuller(maxlag=lag, autolag=None)``.
    """
    n = z.shape[-1]
    diff = np.diff(z, axis=-1)
    columns = [diff[..., lag - i : n - 1 - i] for i in range(1, lag + 1)]
    columns.append(z[..., lag : n - 1])
    columns.append(diff[..., lag:])
    return np.stack(columns, axis=-2)


@lru_cache(maxsize=16)
def _pairs(p: int) -> tuple[tuple[int, int], ...]:
    return tuple((u, v) for u in range(p) for v in range(u, p))


def _factors(variables: np.ndarray):
    """Per pair (u, v): column factors of a ``(..., 6, nr+1)``, row factors of b ``(..., 6, nr+1)``,
    and g ``(..., nr+1)``, the n-scaled co-moment of the rows [0, a)."""
    *batch, p, nr = variables.shape
    pairs = _pairs(p)
    first = np.zeros((*batch, p, nr + 1))
    np.cumsum(variables, axis=-1, out=first[..., 1:])
    index = np.arange(nr + 1, dtype=float)
    cols = np.empty((len(pairs), *batch, 6, nr + 1))
    rows = np.empty((len(pairs), *batch, 6, nr + 1))
    for k, (u, v) in enumerate(pairs):
        c, r = cols[k], rows[k]
        cross = c[..., 3, :]
        cross[..., 0] = 0.0
        np.cumsum(variables[..., u, :] * variables[..., v, :], axis=-1, out=cross[..., 1:])
        pu, pv = first[..., u, :], first[..., v, :]
        g = c[..., 1, :]
        np.multiply(index, cross, out=g)
        g -= pu * pv
        c[..., 0, :] = 1.0
        c[..., 2, :] = index
        c[..., 4, :] = pu
        c[..., 5, :] = pv
        r[..., 0, :] = g
        r[..., 1, :] = 1.0
        np.negative(cross, out=r[..., 2, :])
        r[..., 3, :] = -index
        r[..., 4, :] = pv
        r[..., 5, :] = pu
    return cols, rows


def _signed_t2(moments: list, p: int, df) -> np.ndarray:
    """t|t| from the moment matrices, after sweeping out the lagged differences; reuses their memory."""
    pairs = _pairs(p)
    m = dict(zip(pairs, moments, strict=True))
    for w in range(p - 2):  # lag > 0: partial the w-th lagged difference out of the later variables
        pivot = m[w, w]
        for u, v in pairs:
            if u > w and v > w:
                m[u, v] = m[u, v] - m[w, u] * m[w, v] / pivot
    x, d = p - 2, p - 1
    uxx, vxd, wdd = m[x, x], m[x, d], m[d, d]
    det = np.multiply(uxx, wdd, out=uxx)
    vv = np.multiply(vxd, vxd, out=wdd)
    det -= vv
    q = np.abs(vxd, out=vv)
    q *= vxd
    q *= df
    q /= det
    return q


def signed_root(q):
    """t from t|t|."""
    return np.copysign(np.sqrt(np.abs(q)), q)


@lru_cache(maxsize=64)
def _df_reversed(nr: int, p: int, min_window: int, pad: int) -> np.ndarray:
    """n - p for n = nr, nr-1, ..., -pad; NaN where n < min_window (windows too short to count)."""
    n = nr - np.arange(nr + 1 + pad, dtype=float)
    df = n - p
    df[n < min_window] = np.nan
    df.flags.writeable = False
    return df


def _df_view(df_rev: np.ndarray, nr: int, a0: int, a1: int, width: int) -> np.ndarray:
    """Degrees of freedom of windows [b, a) for a in [a0, a1) (rows) and b in [0, width) (columns).

    Row a reads df_rev[nr - a : nr - a + width]: consecutive rows overlap, so this is a strided
    view of one vector (the Toeplitz structure of n = a - b), not a copy.
    """
    step = df_rev.strides[0]
    start = df_rev[nr - a0:]
    return np.lib.stride_tricks.as_strided(start, shape=(a1 - a0, width), strides=(-step, step), writeable=False)


@lru_cache(maxsize=64)
def _blocks(positions: int, elements: int) -> tuple[tuple[int, int], ...]:
    """Row blocks [i0, i1) of window ends with about ``elements`` windows each.

    Block i0..i1 spans window starts 0..i1-1, so its area is h (i0 + h): early, narrow rows get
    taller blocks, which keeps the work per numpy call even.
    """
    out, i0 = [], 0
    while i0 < positions:
        h = int((-i0 + np.sqrt(i0 * i0 + 4.0 * elements)) / 2)
        h = min(max(h, 1), positions - i0)
        out.append((i0, i0 + h))
        i0 += h
    return tuple(out)


def badf_statistics(cols, p: int, min_window: int) -> np.ndarray:
    """t|t| of the forward-expanding windows [0, a), a = min_window..nr: the g factor alone."""
    nr = cols.shape[-1] - 1
    g = cols[..., 1, min_window:]
    df = np.arange(min_window, nr + 1, dtype=float) - p
    return _signed_t2([gk.copy() for gk in g], p, df)


def window_statistics(z: np.ndarray, min_window: int, lag: int) -> dict:
    """ADF, BADF, BSADF, SADF and GSADF of one series ``z`` (length n), windows of >= min_window rows."""
    variables = regression_variables(np.asarray(z, dtype=float), lag)
    p, nr = variables.shape
    positions = nr - min_window + 1
    cols, rows = _factors(variables)
    badf = signed_root(badf_statistics(cols, p, min_window))
    blocks = _blocks(positions, BLOCK_ELEMENTS)
    pad = max(i1 - i0 for i0, i1 in blocks) + 1
    df_rev = _df_reversed(nr, p, min_window, pad)
    colsT = cols.swapaxes(-1, -2)
    bsadf = np.empty(positions)

    def run(block):
        i0, i1 = block
        a0, a1 = min_window + i0, min_window + i1
        moments = [colsT[k, a0:a1] @ rows[k, :, :i1] for k in range(len(cols))]
        q = _signed_t2(moments, p, _df_view(df_rev, nr, a0, a1, i1))
        bsadf[i0:i1] = np.fmax.reduce(q, axis=1)

    # Windows shorter than the minimum have NaN degrees of freedom and divide by zero: skipped.
    # One thread: a second one gained nothing measurable, as the interpreter holds the GIL between
    # the many short numpy calls.
    with np.errstate(invalid="ignore", divide="ignore"):
        for block in blocks:
            run(block)
    bsadf = signed_root(bsadf)
    return {"adf": float(badf[-1]), "sadf": float(badf.max()), "gsadf": float(bsadf.max()),
            "badf": badf, "bsadf": bsadf}


def simulated_statistics(walks: np.ndarray, min_window: int, lag: int) -> dict:
    """GSADF and the BADF path of each simulated series (rows of ``walks``), for critical values.

    Replications go through the kernel in batches that share one design: the same window
    blocks, the same degrees of freedom, one batched matrix product per moment.
    """
    reps, n = walks.shape
    nr = n - 1 - lag
    p = lag + 2
    positions = nr - min_window + 1
    batch = int(max(1, min(reps, MC_BATCH_REPS)))
    blocks = _blocks(positions, max(MC_BATCH_ELEMENTS // batch, 1))
    pad = max(i1 - i0 for i0, i1 in blocks) + 1
    df_rev = _df_reversed(nr, p, min_window, pad)
    gsadf = np.empty(reps)
    badf = np.empty((reps, positions))

    def run(r0: int, r1: int) -> None:
        z = walks[r0:r1]
        z = (z - z.mean(axis=1, keepdims=True)) / z.std(axis=1, keepdims=True)
        cols, rows = _factors(regression_variables(z, lag))
        badf[r0:r1] = badf_statistics(cols, p, min_window)
        colsT = cols.swapaxes(-1, -2)
        best = np.full(r1 - r0, -np.inf)
        for i0, i1 in blocks:
            a0, a1 = min_window + i0, min_window + i1
            moments = [np.matmul(colsT[k, :, a0:a1], rows[k, :, :, :i1]) for k in range(len(cols))]
            with np.errstate(invalid="ignore", divide="ignore"):
                q = _signed_t2(moments, p, _df_view(df_rev, nr, a0, a1, i1))
            np.fmax(best, np.fmax.reduce(q.reshape(r1 - r0, -1), axis=1), out=best)
        gsadf[r0:r1] = best

    for r0 in range(0, reps, batch):
        run(r0, min(r0 + batch, reps))
    return {"gsadf": signed_root(gsadf), "badf": signed_root(badf)}


# -- Monte Carlo across processes ---------------------------------------------------------------
# Threads gain nothing measurable here: between numpy calls the interpreter holds the GIL. Large
# simulations go to worker processes instead. They are started as plain `python -c` subprocesses, not with
# multiprocessing: fork is unsafe beside the caller's DuckDB threads, and spawn or forkserver
# re-run the caller's __main__. Each worker regenerates the seeded stream up to its last
# replication, so the draws, and the critical values, are the same as in one process.

# Seconds per window of the kernel, for deciding when worker processes pay for their start-up.
SECONDS_PER_WINDOW = 4e-9
PROCESS_MIN_SECONDS = 4.0
_STREAM_CHUNK = 128


def estimated_seconds(n: int, min_window: int, lag: int, reps: int) -> float:
    positions = n - 1 - lag - min_window + 1
    return reps * positions * (positions + 1) / 2 * SECONDS_PER_WINDOW


def seeded_walks(seed: int, n: int, first: int, stop: int) -> np.ndarray:
    """Random walks ``first..stop-1`` of the stream ``default_rng(seed).normal(size=(reps, n))``."""
    rng = np.random.default_rng(seed)
    kept = []
    for start in range(0, stop, _STREAM_CHUNK):
        end = min(start + _STREAM_CHUNK, stop)
        draws = rng.normal(size=(end - start, n))
        if end > first:
            kept.append(draws[max(first - start, 0):])
    return np.cumsum(np.concatenate(kept), axis=1)


def worker_main() -> None:
    """Entry point of a worker process: a JSON task on stdin, an .npz of the statistics on stdout."""
    import io
    import json
    import sys

    task = json.loads(sys.stdin.readline())
    walks = seeded_walks(task["seed"], task["n"], task["first"], task["stop"])
    stats = simulated_statistics(walks, task["min_window"], task["lag"])
    buffer = io.BytesIO()
    np.savez(buffer, gsadf=stats["gsadf"], badf=stats["badf"])
    sys.stdout.buffer.write(buffer.getvalue())


def _run_worker(task: dict) -> dict:
    import io
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    done = subprocess.run(
        [sys.executable, "-c", "from models._radf_kernel import worker_main; worker_main()"],
        input=(json.dumps(task) + "\n").encode(), capture_output=True, env=env, cwd=root, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"Monte Carlo worker failed (exit {done.returncode}): "
                           f"{done.stderr.decode(errors='replace').strip().splitlines()[-1:]}")
    with np.load(io.BytesIO(done.stdout)) as data:
        return {"gsadf": data["gsadf"], "badf": data["badf"]}


def simulate(seed: int, n: int, reps: int, min_window: int, lag: int, workers: int) -> dict:
    """GSADF and BADF paths of ``reps`` seeded random walks, in worker processes when that pays."""
    if workers <= 1 or estimated_seconds(n, min_window, lag, reps) < PROCESS_MIN_SECONDS:
        return simulated_statistics(seeded_walks(seed, n, 0, reps), min_window, lag)
    bounds = np.linspace(0, reps, workers + 1).astype(int)
    tasks = [{"seed": seed, "n": n, "min_window": min_window, "lag": lag, "first": int(a), "stop": int(b)}
             for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    # One thread per worker only waits on its pipe; the work runs in the worker processes.
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        parts = list(pool.map(_run_worker, tasks))
    return {"gsadf": np.concatenate([p["gsadf"] for p in parts]),
            "badf": np.concatenate([p["badf"] for p in parts])}
