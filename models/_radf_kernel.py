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

The Monte Carlo critical values run the same computation on a batch of replications at once
(one batched matrix product per moment and block of windows), batch after batch, in the calling
process: no worker processes or threads of its own. Memory is bounded by the batch, whatever the
number of replications, except for the BADF paths the quantiles need (reps x T values).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

# Windows in one block: each array of the block (8 bytes a window, about six live at once) must
# stay in the 1 MB L2 cache of a core, yet numpy's per-call overhead must stay a few percent.
# Measured on the 2-core machine: 24,000 beats 12,000 and 48,000 at T = 300, within 10% at 1,680.
BLOCK_ELEMENTS = 24_000
# Monte Carlo: windows per numpy call across a batch of replications (12,000 windows of each of 4
# replications was best or within 5% of best at T = 300, 1,000 and 1,680 on the 2-core machine).
# A short series has few windows per replication: the batch then takes more replications, so that
# each splits into about MC_BLOCKS_PER_REP blocks, which keeps the windows computed only to be
# discarded (those shorter than the minimum, about half a block's height squared per block) near
# 1 / MC_BLOCKS_PER_REP of the total. 2,000 replications at T = 135 took 0.21 s of CPU time in
# batches of 60 against 0.41 s in batches of 4 (medians of 5, on the loaded 2-core machine);
# 4 to 32 blocks a replication were within noise at T = 72-300. MC_BATCH_BYTES caps the per-batch
# arrays.
MC_CALL_ELEMENTS = 48_000
MC_MIN_BATCH_REPS = 4
MC_BLOCKS_PER_REP = 8
MC_BATCH_BYTES = 64 * 2**20


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


def _factors(variables: np.ndarray, cols: np.ndarray | None = None, rows: np.ndarray | None = None):
    """Per pair (u, v): column factors of a ``(..., 6, nr+1)``, row factors of b ``(..., 6, nr+1)``,
    and g ``(..., nr+1)``, the n-scaled co-moment of the rows [0, a); in ``cols`` and ``rows``
    when given (of shape ``(pairs, ..., 6, nr+1)``)."""
    *batch, p, nr = variables.shape
    pairs = _pairs(p)
    first = np.zeros((*batch, p, nr + 1))
    np.cumsum(variables, axis=-1, out=first[..., 1:])
    index = np.arange(nr + 1, dtype=float)
    shape = (len(pairs), *batch, 6, nr + 1)
    cols = np.empty(shape) if cols is None else cols
    rows = np.empty(shape) if rows is None else rows
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


def _signed_t2(moments: list, p: int, df, scratch: np.ndarray | None = None) -> np.ndarray:
    """t|t| from the moment matrices, after sweeping out the lagged differences, in their memory
    (and, with lags, that of ``scratch``, an array of their shape)."""
    pairs = _pairs(p)
    m = dict(zip(pairs, moments, strict=True))
    if p > 2 and scratch is None:
        scratch = np.empty_like(moments[0])
    for w in range(p - 2):  # lag > 0: partial the w-th lagged difference out of the later variables
        pivot = m[w, w]
        for u, v in pairs:
            if u > w and v > w:  # m[u, v] - m[w, u] * m[w, v] / pivot, in place
                np.multiply(m[w, u], m[w, v], out=scratch)
                scratch /= pivot
                m[u, v] -= scratch
    x, d = p - 2, p - 1
    uxx, vxd, wdd = m[x, x], m[x, d], m[d, d]
    det = np.multiply(uxx, wdd, out=uxx)
    vv = np.multiply(vxd, vxd, out=wdd)
    det -= vv
    q = np.copysign(vv, vxd, out=vv)  # vxd |vxd|, bit for bit
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


def batch_reps(n: int, min_window: int, lag: int, reps: int) -> int:
    """Replications per batch of the Monte Carlo (see MC_BLOCKS_PER_REP): at least
    MC_MIN_BATCH_REPS, enough for about MC_BLOCKS_PER_REP blocks per replication, and within
    MC_BATCH_BYTES of per-batch arrays."""
    nr = n - 1 - lag
    positions = nr - min_window + 1
    windows = positions * (positions + 1) / 2
    batch = max(MC_MIN_BATCH_REPS, int(np.ceil(MC_BLOCKS_PER_REP * MC_CALL_ELEMENTS / windows)))
    p = lag + 2
    per_rep = 8 * (18 * len(_pairs(p)) + 2 * p + 4) * (nr + 1)  # cols, rows, colsT; variables; walk
    batch = min(batch, max(1, MC_BATCH_BYTES // per_rep))
    return int(max(1, min(batch, reps)))


def _batch_statistics(walks: np.ndarray, min_window: int, lag: int, blocks, dfs,
                      work: dict) -> tuple[np.ndarray, np.ndarray]:
    """t|t| of GSADF (one per row of ``walks``) and of the BADF path, for one batch of walks.

    ``work`` holds the factors (``cols``, ``rows``, ``colsT``, each ``(pairs, batch, ...)``) and
    every block's moments (``moments``: one row per pair and one of scratch, each with room for
    the largest block): reused batch after batch and block after block. Allocated afresh, these
    arrays make the allocator hand memory back to the system and fault it in again each time.
    """
    p = lag + 2
    reps = len(walks)
    z = (walks - walks.mean(axis=1, keepdims=True)) / walks.std(axis=1, keepdims=True)
    cols, rows = _factors(regression_variables(z, lag), work["cols"][:, :reps], work["rows"][:, :reps])
    badf = badf_statistics(cols, p, min_window)
    colsT = work["colsT"][:, :reps]
    colsT[...] = cols.swapaxes(-1, -2)
    moments_work = work["moments"]
    best = np.full(reps, -np.inf)
    for (i0, i1), df in zip(blocks, dfs, strict=True):
        a0, a1 = min_window + i0, min_window + i1
        shape = (reps, i1 - i0, i1)
        size = reps * (i1 - i0) * i1
        moments = [np.matmul(colsT[k, :, a0:a1], rows[k, :, :, :i1], out=moments_work[k, :size].reshape(shape))
                   for k in range(len(cols))]
        q = _signed_t2(moments, p, df, moments_work[-1, :size].reshape(shape))
        np.fmax(best, np.fmax.reduce(q.reshape(reps, -1), axis=1), out=best)
    return best, badf


# -- Monte Carlo --------------------------------------------------------------------------------

# Seconds per window of the kernel on one core, for announcing long simulations.
SECONDS_PER_WINDOW = 4e-9


def estimated_seconds(n: int, min_window: int, lag: int, reps: int) -> float:
    positions = n - 1 - lag - min_window + 1
    return reps * positions * (positions + 1) / 2 * SECONDS_PER_WINDOW


def seeded_walks(seed: int, n: int, reps: int, batch: int):
    """The random walks ``cumsum(default_rng(seed).normal(size=(reps, n)), axis=1)``, ``batch`` rows at a time.

    Consecutive draws of the generator continue one stream, so the batches are the rows of that
    one draw in order, whatever ``batch`` is.
    """
    rng = np.random.default_rng(seed)
    for r0 in range(0, reps, batch):
        yield np.cumsum(rng.normal(size=(min(batch, reps - r0), n)), axis=1)


def simulate(seed: int, n: int, reps: int, min_window: int, lag: int, batch: int | None = None) -> dict:
    """GSADF and BADF paths of ``reps`` seeded random walks (rows of :func:`seeded_walks`).

    Replications go through the kernel in batches that share one design: the same window
    blocks, the same degrees of freedom, one batched matrix product per moment. ``batch``
    (default :func:`batch_reps`) changes the speed, not the values.
    """
    nr = n - 1 - lag
    p = lag + 2
    positions = nr - min_window + 1
    batch = batch_reps(n, min_window, lag, reps) if batch is None else int(max(1, min(batch, reps)))
    blocks = _blocks(positions, max(MC_CALL_ELEMENTS // batch, 1))
    pad = max(i1 - i0 for i0, i1 in blocks) + 1
    df_rev = _df_reversed(nr, p, min_window, pad)
    dfs = [_df_view(df_rev, nr, min_window + i0, min_window + i1, i1) for i0, i1 in blocks]
    pairs = len(_pairs(p))
    work = {"cols": np.empty((pairs, batch, 6, nr + 1)), "rows": np.empty((pairs, batch, 6, nr + 1)),
            "colsT": np.empty((pairs, batch, nr + 1, 6)),
            "moments": np.empty((pairs + 1, batch * max((i1 - i0) * i1 for i0, i1 in blocks)))}
    gsadf = np.empty(reps)
    badf = np.empty((reps, positions))
    r0 = 0
    # Windows shorter than the minimum have NaN degrees of freedom and divide by zero: skipped.
    with np.errstate(invalid="ignore", divide="ignore"):
        for walks in seeded_walks(seed, n, reps, batch):
            r1 = r0 + len(walks)
            gsadf[r0:r1], badf[r0:r1] = _batch_statistics(walks, min_window, lag, blocks, dfs, work)
            r0 = r1
    return {"gsadf": signed_root(gsadf), "badf": signed_root(badf)}
