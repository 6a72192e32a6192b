"""quddpm.stats against closed forms and hand-built traces."""
import math
import random

import pytest

from quddpm import stats


def test_seed_spread_is_the_mean_and_sample_deviation():
    m, sd, count = stats.seed_spread([1.0, 2.0, 3.0, 4.0])
    assert (m, count) == (2.5, 4)
    assert sd == pytest.approx(math.sqrt(5.0 / 3.0), rel=1e-15)  # sum of squares 5, n - 1 = 3


def test_seed_spread_leaves_out_nans_and_has_no_spread_for_one_seed():
    m, sd, count = stats.seed_spread([math.nan, 7.0, math.nan])
    assert (m, count) == (7.0, 1) and math.isnan(sd)
    m, sd, count = stats.seed_spread([])
    assert math.isnan(m) and math.isnan(sd) and count == 0


def test_seed_spread_does_not_depend_on_the_order_of_the_seeds():
    xs = [random.Random(s).uniform(0, 1) for s in range(7)]
    assert stats.seed_spread(xs) == stats.seed_spread(list(reversed(xs)))


def test_standard_error_divides_by_the_root_of_the_count():
    assert stats.standard_error(3.0, 9) == 1.0
    assert math.isnan(stats.standard_error(3.0, 1))


def epoch_row(run, t, epoch, grad):
    return {"run": run, "t": str(t), "epoch": str(epoch), "grad_norm": repr(grad)}


def test_gradient_at_init_takes_epoch_zero_of_the_largest_t():
    rows = [epoch_row("a", 1, 0, 0.5), epoch_row("a", 2, 1, 0.9), epoch_row("a", 2, 0, 0.25),
            epoch_row("a", 0, 0, 0.125), epoch_row("b", 4, 0, 2.0), epoch_row("b", 3, 0, 1.0)]
    assert stats.gradient_at_init(rows, lambda r: r["run"]) == {"a": 0.25, "b": 2.0}


def cycle_row(t, mmd, kl, haar, grad):
    return {"t": str(t), "mmd_to_data": repr(mmd), "kl_to_data": repr(kl),
            "mmd_to_haar": repr(haar), "mean_grad_norm": repr(grad)}


def test_prior_vs_generated_reads_the_largest_t_and_t_zero():
    rows = [cycle_row(1, 0.4, 1.4, 0.2, 0.5), cycle_row(3, 0.9, 2.0, 0.01, math.nan),
            cycle_row(0, 0.1, 1.1, 0.3, 0.25), cycle_row(2, 0.6, 1.6, 0.1, 0.75)]
    got = stats.prior_vs_generated(rows)
    assert got == {"mmd_prior": 0.9, "mmd_gen": 0.1, "kl_prior": 2.0, "kl_gen": 1.1,
                   "haar_prior": 0.01, "haar_gen": 0.3, "grad_mean": 0.5}
    assert stats.prior_vs_generated([cycle_row(5, 0.9, 2.0, 0.01, math.nan)]) is None
    only_prior = stats.prior_vs_generated([cycle_row(5, 0.9, 2.0, 0.01, math.nan)], untrained=True)
    assert only_prior["mmd_gen"] == only_prior["mmd_prior"] == 0.9
    assert math.isnan(only_prior["grad_mean"])


def test_beats_asks_the_mean_gain_to_exceed_the_seed_spread():
    assert stats.beats([1.0, 1.1, 0.9], 0.02) is True     # mean 1, sd 0.1
    assert stats.beats([1.0, -1.0, 0.3], 0.02) is False   # mean 0.1, sd 1
    assert stats.beats([0.03], 0.02) is True and stats.beats([0.01], 0.02) is False
    assert stats.beats([math.nan], 0.02) is None


def test_unitary_kl_floor_of_a_pure_prior_is_zero_and_of_a_mixed_one_is_kl_to_uniform():
    import numpy as np
    p = np.array([0.7, 0.2, 0.1, 0.0])
    floor, _ = stats.unitary_kl_floor(p, np.array([1.0, 0.0, 0.0, 0.0]), eps=0.0)
    assert floor == pytest.approx(0.0, abs=1e-12)
    floor, q = stats.unitary_kl_floor(p, np.full(4, 0.25), eps=0.0)
    kl_uniform = sum(x * math.log(x / 0.25) for x in p if x > 0)
    assert floor == pytest.approx(kl_uniform, rel=1e-12) and np.allclose(q, 0.25)
