"""The statistics every analysis of quddpm's outputs shares: the spread over seeds, the
gradient at initialization, a run's prior against its generated ensemble, the verdicts drawn
from them, and the unitary KL floor.

Seeds: a mean with its sample standard deviation (n - 1 denominator), NaNs left out; one value
has no spread (NaN). A verdict "a beats b" over seeds asks that the mean of the per-seed gains
exceed their spread; with one seed it asks for a fixed margin instead.

The gradient at initialization of a run is the gradient norm of epoch 0 of its first trained
cycle: the largest t in its epochs.csv (t = T - 1, whose inputs are the prior).

The unitary KL floor is the lowest KL(data || S~_0) that a backward chain acting as one unitary
U on every state could reach from the run's prior.

A unitary chain maps the prior's mean density matrix rho = 1/N sum_i |x_i><x_i| (rows x_i of
RUN_DIR/prior.npy) to U rho U^dag, whose computational-basis distribution is
q = diag(U rho U^dag). By the Schur-Horn theorem the reachable q are exactly the probability
vectors majorized by lambda = eig(rho), so

    floor = min_{q majorized by lambda} KL(P_data || q).

Solution (derived and checked in tests/python/test_kl_floor.py): sort p = P_data and lambda in
descending order. The optimal q has the order of p (swapping two entries of q that are in the
opposite order of p lowers the KL and keeps the majorization), so the constraint becomes
Q_k <= Lambda_k on the prefix sums. The KKT conditions of min -sum p_i log q_i subject to
Q_k <= Lambda_k, Q_d = 1 give q_i = p_i s_i with slopes s_i nondecreasing in i that may only
increase where Q_k = Lambda_k: the prefix sums Q, as a function of P (the prefix sums of p),
are the greatest convex minorant of the points (0, 0), (P_k, Lambda_k), i.e. s is the
weighted isotonic (nondecreasing) regression of lambda_i / p_i with weights p_i, computed
here by pool-adjacent-violators on block sums (no differences of prefix sums, which would
lose precision on entries of 1e-10). Entries with p_i = 0 (only when smoothing is off) do
not enter the KL: they come last in the order, the pooling runs over the p_i > 0 entries
(whose mass then reaches Lambda_m), and they get the rest, q_i = lambda_i.

Smoothing: the metric (src/model/metrics.cpp) compares smoothed distributions
P~ = (P + eps) / (1 + d eps), eps = 1e-10, d = 2^n. This map is q -> a q + (1 - a) u with u
uniform, a = 1 / (1 + d eps); it commutes with doubly stochastic matrices, so
{q~ : q majorized by lambda} = {r : r majorized by lambda~}. The floor is therefore computed
exactly as the metric would evaluate it: the minimization runs on p~ and lambda~, floor =
KL(p~ || r*), and the returned q = (r* (1 + d eps) - eps) is the unsmoothed optimal basis
distribution (majorized by lambda; KL_metric(p || q) == floor). eps = 0 gives the unsmoothed
problem, which is always finite: the first slope is min_k Lambda_k / P_k > 0, so q_i > 0
wherever p_i > 0 (whatever the rank of rho).

rho is 2^n x 2^n but has rank <= N: its nonzero eigenvalues are those of the N x N Gram matrix
G = X X^dag / N (or of X^dag X / N when that is smaller), padded with zeros to 2^n.
"""
import math
import statistics

import numpy as np

EPS = 1e-10
# The gain a verdict asks of a cell with one seed, which has no spread (MMD units).
ONE_SEED_MARGIN = 0.02


def seed_spread(xs):
    """(mean, sample standard deviation, count) of the non-NaN xs; the deviation is NaN for one
    value, and (NaN, NaN, 0) is returned for none."""
    xs = [x for x in xs if not math.isnan(x)]
    if not xs:
        return math.nan, math.nan, 0
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else math.nan), len(xs)


def standard_error(sd, count):
    """sd / sqrt(count): the standard error of a mean over `count` seeds (NaN for one)."""
    return sd / math.sqrt(count) if count > 1 else math.nan


def gradient_at_init(epoch_rows, run_of):
    """{run: gradient norm at initialization} over tidy epochs.csv rows (dicts of strings),
    grouped by run_of(row): epoch 0 of each run's largest t."""
    first = {}
    for r in epoch_rows:
        if int(r["epoch"]) != 0:
            continue
        run, t = run_of(r), int(r["t"])
        if run not in first or t > first[run][0]:
            first[run] = (t, float(r["grad_norm"]))
    return {run: g for run, (_, g) in first.items()}


def prior_vs_generated(cycle_rows, untrained=False):
    """One run's rows of cycles.csv -> its prior (the largest t) and generated (its smallest t,
    0 once finished) numbers, and the mean gradient of its trained cycles. None when no cycle
    was trained, unless `untrained`: then generated = prior and the gradient is NaN."""
    rows = sorted(cycle_rows, key=lambda r: -int(r["t"]))
    prior, last, trained = rows[0], rows[-1], rows[1:]
    if not trained and not untrained:
        return None
    return {"mmd_prior": float(prior["mmd_to_data"]), "mmd_gen": float(last["mmd_to_data"]),
            "kl_prior": float(prior["kl_to_data"]), "kl_gen": float(last["kl_to_data"]),
            "haar_prior": float(prior["mmd_to_haar"]), "haar_gen": float(last["mmd_to_haar"]),
            "grad_mean": statistics.fmean(float(r["mean_grad_norm"]) for r in trained)
            if trained else math.nan}


def beats(gains, one_seed_margin):
    """Whether per-seed gains (better minus worse, NaNs left out) are positive beyond their
    spread: mean > sample sd, or mean > one_seed_margin with one seed. None without gains."""
    m, sd, count = seed_spread(gains)
    if count == 0:
        return None
    return m > (one_seed_margin if count == 1 else sd)


def basis_distribution(x):
    """P_X(x) = mean_i |<x|x_i>|^2 of an ensemble (rows x_i)."""
    x = np.asarray(x)
    return np.mean(np.abs(x) ** 2, axis=0)


def smooth(p, eps=EPS):
    p = np.asarray(p, dtype=float)
    return (p + eps) / (1.0 + p.size * eps)


def kl(p, q, eps=EPS):
    """KL(p || q) of two basis distributions, smoothed as the metric does; terms with
    (smoothed) p_x = 0 count 0."""
    ps, qs = smooth(p, eps), smooth(q, eps)
    m = ps > 0
    with np.errstate(divide="ignore"):
        return float(np.sum(ps[m] * np.log(ps[m] / qs[m])))


def kl_ensembles(target, model, eps=EPS):
    """KL(target || model) of two ensembles, as src/model/metrics.cpp computes it."""
    return kl(basis_distribution(target), basis_distribution(model), eps)


def _mean_overlap_sq(a, b):
    return float(np.mean(np.abs(np.conj(a) @ b.T) ** 2))


def mmd(a, b):
    """MMD (docs/model.md, section 6): mean |<a_i|a_i'>|^2 + mean |<b_j|b_j'>|^2 - 2 mean |<a_i|b_j>|^2, all pairs
    including the diagonal."""
    return _mean_overlap_sq(a, a) + _mean_overlap_sq(b, b) - 2.0 * _mean_overlap_sq(a, b)


def ensemble_eigvals(x):
    """Eigenvalues of rho = 1/N sum_i |x_i><x_i| (rows x_i), descending, 2^n of them: from the
    smaller of the Gram matrices X X^dag / N (N x N) and X^dag X / N (d x d), padded with
    zeros."""
    x = np.asarray(x, dtype=complex)
    n, d = x.shape
    g = (x @ x.conj().T) / n if n <= d else (x.conj().T @ x) / n
    w = np.linalg.eigvalsh(g)
    lam = np.zeros(d)
    lam[: w.size] = np.sort(w)[::-1][:d]
    return lam


def _pool(p, lam):
    """Slopes s (one per entry) of the greatest convex minorant of (0,0), (P_k, Lambda_k) for
    p > 0 and lam >= 0 sorted descending: the isotonic regression of lam / p, weights p."""
    blocks = []  # [sum p, sum lam, count]
    for pi, li in zip(p, lam):
        blocks.append([pi, li, 1])
        # Pool while the previous block's slope is >= this one's (slopes must increase).
        while len(blocks) > 1 and blocks[-2][1] * blocks[-1][0] >= blocks[-1][1] * blocks[-2][0]:
            sp, sl, c = blocks.pop()
            blocks[-1][0] += sp
            blocks[-1][1] += sl
            blocks[-1][2] += c
    return np.concatenate([np.full(c, sl / sp) for sp, sl, c in blocks])


def unitary_kl_floor(p_data, eigvals, eps=EPS):
    """(floor, q): floor = min over q majorized by eigvals of KL(p_data || q), KL smoothed by
    eps exactly as the metric (see the module docstring; eps = 0: unsmoothed), and q the
    optimal (unsmoothed) basis distribution, in the order of p_data. eigvals are clipped at 0
    and normalized to sum 1 (rho has trace 1 up to rounding); p_data is used as given."""
    p = np.asarray(p_data, dtype=float)
    lam = np.clip(np.asarray(eigvals, dtype=float), 0.0, None)
    if p.ndim != 1 or lam.shape != p.shape:
        raise ValueError(f"p_data and eigvals must be vectors of one length, got {p.shape}, {lam.shape}")
    if lam.sum() <= 0:
        raise ValueError("eigvals sum to 0")
    lam = np.sort(lam)[::-1] / lam.sum()
    d = p.size
    ps = smooth(p, eps)
    ls = smooth(lam, eps)
    order = np.argsort(-ps, kind="stable")
    psd = ps[order]
    m = int(np.count_nonzero(psd > 0))
    r = np.empty(d)
    r[:m] = psd[:m] * _pool(psd[:m], ls[:m])
    r[m:] = ls[m:]  # p = 0 entries (eps = 0 only): the rest of the mass
    with np.errstate(divide="ignore"):
        floor = float(np.sum(psd[:m] * np.log(psd[:m] / r[:m])))
    q = np.empty(d)
    q[order] = np.clip(r * (1.0 + d * eps) - eps, 0.0, None)
    return floor, q
