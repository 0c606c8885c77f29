"""Metrics that assess an off-policy estimator through the portfolio it selects.

An estimator assigns an estimated value to each of ``n_policies`` candidate policies.
Sorting the candidates by estimate, best first, and keeping the first ``k`` gives the
*top-k portfolio*: the policies that an online A/B test with budget ``k`` would deploy.
The top-k metrics describe the *true* values of that portfolio:

- ``best@k``, ``worst@k``, ``mean@k``: maximum, minimum and mean true value;
- ``std@k``: standard deviation of the true values (the portfolio's risk);
- ``SharpeRatio@k = (best@k - J(pi_b)) / std@k``: the return over the behaviour policy's
  value ``J(pi_b)`` per unit of risk.

Every function takes arrays shaped ``(..., n_policies)``: the leading axes index
estimators, datasets, seeds and so on, and all of them are computed at once.
``estimates`` and ``true_values`` broadcast against each other, so a single vector of
true values of shape ``(n_policies,)`` serves many estimates.

Tie-break: candidates are ordered by a stable sort on the estimate in descending order,
so two candidates with equal estimates keep their index order (the lower index ranks
first). The result is the same on every platform.

Two conventions for SharpeRatio@k are offered (argument ``convention``):

``"scope-rl-0.2.1"`` (the default) reproduces what SCOPE-RL 0.2.1 computes:

- ``std@k`` is the sample standard deviation (``ddof=1``), so it is undefined (NaN)
  at ``k = 1``;
- the numerator is clipped at zero, ``max(best@k - J(pi_b), 0)``;
- a portfolio with ``std@k = 0`` scores ``inf`` when the numerator is positive and NaN
  when it is zero;
- with ``clip=True``, NaN becomes 0, ``inf`` becomes 100 and the result is clipped to
  ``[0, 100]``.

``"documented"`` is the formula as written in "Towards Assessing and Benchmarking Risk-Return Tradeoff of Off-Policy Evaluation" (ICLR 2024) and in the SCOPE-RL documentation:

- ``std@k`` is the population standard deviation (``ddof=0``);
- the numerator ``best@k - J(pi_b)`` is not clipped, so it may be negative;
- a portfolio with ``std@k = 0`` (every ``k = 1`` portfolio among them) scores NaN,
  because the ratio is undefined.

The two differ only in the denominator when the portfolio beats the behaviour policy:
for the paper's example 2 (estimator W, ``J(pi_b) = 5``, ``k = 2``, true values 10 and 11)
the first gives ``6 / 0.7071 = 8.485`` and the second ``6 / 0.5 = 12``.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

from reprobook.params import check_bool, check_choice, check_int

CONVENTIONS = ("scope-rl-0.2.1", "documented")
SCOPE_RL = "scope-rl-0.2.1"
DOCUMENTED = "documented"

SHARPE_CLIP_MAX = 100.0

KSpec = int | Sequence[int] | np.ndarray


def _to_float(name: str, values: object) -> np.ndarray:
    """Convert ``values`` to a float array, naming the parameter when that fails."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold real numbers; got {reprlib.repr(values)} ({error})") from None


def _as_float_array(name: str, values: object) -> np.ndarray:
    array = _to_float(name, values)
    if array.ndim == 0:
        raise ValueError(f"{name} must have a last axis over policies; got a scalar")
    if array.shape[-1] == 0:
        raise ValueError(f"{name} must hold at least one policy; got an empty portfolio (shape {array.shape})")
    return array


def _first_bad_index(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def prepare_arrays(estimates: object, true_values: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate estimated and true policy values and broadcast them to one shape.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``; finite.
        true_values: true policy values, shape broadcastable with ``estimates`` and the
            same last axis; finite.

    Returns:
        ``(estimates, true_values)`` as float arrays of the common shape.

    Raises:
        ValueError: if either array is empty or a scalar, the shapes do not broadcast or
            differ in ``n_policies``, or a value is NaN or infinite.
    """
    estimates = _as_float_array("estimates", estimates)
    true_values = _as_float_array("true_values", true_values)
    if estimates.shape[-1] != true_values.shape[-1]:
        raise ValueError(
            "estimates and true_values must have the same number of policies (last axis); "
            f"got shapes {estimates.shape} and {true_values.shape}"
        )
    try:
        shape = np.broadcast_shapes(estimates.shape, true_values.shape)
    except ValueError:
        raise ValueError(
            f"estimates and true_values must have broadcastable shapes; got {estimates.shape} "
            f"and {true_values.shape}"
        ) from None

    for name, array in (("estimates", estimates), ("true_values", true_values)):
        bad = ~np.isfinite(array)
        if bad.any():
            index = _first_bad_index(bad)
            raise ValueError(f"{name} must be finite; got {array[index]} at index {index}")

    return np.broadcast_to(estimates, shape), np.broadcast_to(true_values, shape)


def check_ks(k: KSpec, n_policies: int) -> tuple[np.ndarray, bool]:
    """Validate a budget ``k`` (one integer or a sequence of them) against ``n_policies``.

    Returns:
        ``(ks, scalar)``: the budgets as an int array of shape ``(n_k,)`` and whether a
        single integer was given (then the metric drops the budget axis).

    Raises:
        ValueError: if a budget is not an integer in ``[1, n_policies]`` or the sequence is
            empty.
    """
    if np.ndim(k) == 0:
        value = k.item() if isinstance(k, np.generic) else k
        return np.array([check_int("k", value, low=1, high=n_policies)]), True
    values = list(np.asarray(k).tolist()) if isinstance(k, np.ndarray) else list(k)
    if not values:
        raise ValueError("k must be an integer or a non-empty sequence of integers; got an empty sequence")
    checked = [check_int(f"k[{i}]", value, low=1, high=n_policies) for i, value in enumerate(values)]
    return np.array(checked), False


def rank_policies(estimates: object) -> np.ndarray:
    """Order candidate policies by estimated value, best first, with the documented tie-break.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``; finite.

    Returns:
        Policy indices of shape ``(..., n_policies)``: entry ``j`` is the index of the
        policy ranked ``j``-th. Equal estimates keep index order (lower index first).

    Raises:
        ValueError: if the array is empty or contains NaN or infinite values.
    """
    estimates, _ = prepare_arrays(estimates, np.zeros(np.shape(estimates)[-1:]))
    # A stable sort of the negated values sorts descending and keeps index order on ties.
    return np.argsort(-estimates, axis=-1, kind="stable")


def portfolio_values(estimates: object, true_values: object) -> np.ndarray:
    """Return the true values of the candidates in estimated rank order.

    The first ``k`` entries along the last axis are the true values of the top-k portfolio.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``.
        true_values: true policy values, broadcastable with ``estimates``.

    Returns:
        Array of the broadcast shape ``(..., n_policies)``.
    """
    estimates, true_values = prepare_arrays(estimates, true_values)
    order = np.argsort(-estimates, axis=-1, kind="stable")
    return np.take_along_axis(true_values, order, axis=-1)


def _select(cumulative: np.ndarray, ks: np.ndarray, scalar: bool) -> np.ndarray:
    selected = cumulative[..., ks - 1]
    return selected[..., 0] if scalar else selected


def _cumulative_moments(ranked: np.ndarray) -> dict[str, np.ndarray]:
    counts = np.arange(1, ranked.shape[-1] + 1, dtype=float)
    best = np.maximum.accumulate(ranked, axis=-1)
    worst = np.minimum.accumulate(ranked, axis=-1)

    # Shift by the top-ranked value before accumulating squares, which keeps the running
    # sum of squared deviations accurate when the values are large and close together.
    shifted = ranked - ranked[..., :1]
    sum_shifted = np.cumsum(shifted, axis=-1)
    mean = ranked[..., :1] + sum_shifted / counts
    squared_deviation = np.cumsum(shifted**2, axis=-1) - sum_shifted**2 / counts
    squared_deviation = np.maximum(squared_deviation, 0.0)

    # A portfolio whose values are all equal has exactly zero spread.
    squared_deviation = np.where(best == worst, 0.0, squared_deviation)
    return {"best": best, "worst": worst, "mean": mean, "squared_deviation": squared_deviation}


def _std_from_moments(squared_deviation: np.ndarray, ks: np.ndarray, ddof: int) -> np.ndarray:
    selected = squared_deviation[..., ks - 1]
    dof = ks.astype(float) - ddof
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.sqrt(selected / dof)
    return np.where(dof > 0, std, np.nan)


def best_at_k(estimates: object, true_values: object, k: KSpec) -> np.ndarray:
    """Compute best@k: the maximum true value in the estimated top-k portfolio.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``.
        true_values: true policy values, broadcastable with ``estimates``.
        k: budget in ``[1, n_policies]``, or a sequence of budgets.

    Returns:
        Shape ``(...)`` for one budget, ``(..., n_k)`` for a sequence; units of the values.
    """
    ranked = portfolio_values(estimates, true_values)
    ks, scalar = check_ks(k, ranked.shape[-1])
    return _select(np.maximum.accumulate(ranked, axis=-1), ks, scalar)


def worst_at_k(estimates: object, true_values: object, k: KSpec) -> np.ndarray:
    """Compute worst@k: the minimum true value in the estimated top-k portfolio.

    Args and Returns as in :func:`best_at_k`.
    """
    ranked = portfolio_values(estimates, true_values)
    ks, scalar = check_ks(k, ranked.shape[-1])
    return _select(np.minimum.accumulate(ranked, axis=-1), ks, scalar)


def mean_at_k(estimates: object, true_values: object, k: KSpec) -> np.ndarray:
    """Compute mean@k: the mean true value of the estimated top-k portfolio.

    Args and Returns as in :func:`best_at_k`.
    """
    ranked = portfolio_values(estimates, true_values)
    ks, scalar = check_ks(k, ranked.shape[-1])
    return _select(_cumulative_moments(ranked)["mean"], ks, scalar)


def _ddof(convention: str) -> int:
    return 1 if check_choice("convention", convention, CONVENTIONS) == SCOPE_RL else 0


def std_at_k(estimates: object, true_values: object, k: KSpec, convention: str = SCOPE_RL) -> np.ndarray:
    """Compute std@k: the standard deviation of the true values in the top-k portfolio.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``.
        true_values: true policy values, broadcastable with ``estimates``.
        k: budget in ``[1, n_policies]``, or a sequence of budgets.
        convention: ``"scope-rl-0.2.1"`` for the sample standard deviation (``ddof=1``,
            NaN at ``k = 1``) or ``"documented"`` for the population one (``ddof=0``).

    Returns:
        Shape ``(...)`` for one budget, ``(..., n_k)`` for a sequence; units of the values.
    """
    ddof = _ddof(convention)
    ranked = portfolio_values(estimates, true_values)
    ks, scalar = check_ks(k, ranked.shape[-1])
    std = _std_from_moments(_cumulative_moments(ranked)["squared_deviation"], ks, ddof)
    return std[..., 0] if scalar else std


def _behavior_values(
    values: object, batch_shape: tuple[int, ...], name: str = "behavior_value"
) -> np.ndarray:
    array = _to_float(name, values)
    try:
        array = np.broadcast_to(array, batch_shape)
    except ValueError:
        raise ValueError(
            f"{name} must be a number or broadcast to the batch shape {batch_shape}; "
            f"got shape {array.shape}"
        ) from None
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueError(f"{name} must be finite; got {array[bad].flat[0]}")
    return array


def sharpe_ratio_from_moments(
    best: np.ndarray,
    std: np.ndarray,
    behavior_value: np.ndarray,
    convention: str = SCOPE_RL,
    clip: bool = False,
) -> np.ndarray:
    """Combine best@k, std@k and J(pi_b) into SharpeRatio@k under one convention.

    Args:
        best: best@k, any shape.
        std: std@k computed under the same ``convention``, same shape as ``best``.
        behavior_value: J(pi_b), broadcastable with ``best``.
        convention: ``"scope-rl-0.2.1"`` or ``"documented"`` (see the module docstring).
        clip: map NaN to 0 and ``inf`` to 100, then clip to ``[0, 100]``.

    Returns:
        SharpeRatio@k, dimensionless, of the broadcast shape.
    """
    check_choice("convention", convention, CONVENTIONS)
    check_bool("clip", clip)
    excess = best - behavior_value

    if convention == SCOPE_RL:
        excess = np.maximum(excess, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            # IEEE division gives exactly SCOPE-RL's rules: x / 0 = inf for x > 0, 0 / 0 = NaN.
            ratio = excess / std
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(std > 0, excess / np.where(std > 0, std, 1.0), np.nan)
        ratio = np.where(np.isnan(std), np.nan, ratio)

    if clip:
        ratio = np.nan_to_num(ratio, nan=0.0, posinf=SHARPE_CLIP_MAX, neginf=0.0)
        ratio = np.clip(ratio, 0.0, SHARPE_CLIP_MAX)
    return ratio


def sharpe_ratio_at_k(
    estimates: object,
    true_values: object,
    behavior_value: object,
    k: KSpec,
    convention: str = SCOPE_RL,
    clip: bool = False,
) -> np.ndarray:
    """Compute SharpeRatio@k = (best@k - J(pi_b)) / std@k of the estimated top-k portfolio.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``.
        true_values: true policy values, broadcastable with ``estimates``.
        behavior_value: J(pi_b), a number or an array broadcastable to the batch shape
            ``(...)``; units of the values.
        k: budget in ``[1, n_policies]``, or a sequence of budgets.
        convention: ``"scope-rl-0.2.1"`` (sample std, numerator clipped at 0, ``inf`` or NaN
            for zero spread) or ``"documented"`` (population std, unclipped numerator, NaN
            for zero spread); see the module docstring.
        clip: map NaN to 0 and ``inf`` to 100, then clip to ``[0, 100]`` (SCOPE-RL's option).

    Returns:
        Shape ``(...)`` for one budget, ``(..., n_k)`` for a sequence; dimensionless.

    Raises:
        ValueError: on mismatched shapes, an empty portfolio, non-finite values, a budget
            outside ``[1, n_policies]`` or an unknown convention.
    """
    ddof = _ddof(convention)
    check_bool("clip", clip)
    ranked = portfolio_values(estimates, true_values)
    ks, scalar = check_ks(k, ranked.shape[-1])
    behavior = _behavior_values(behavior_value, ranked.shape[:-1])

    moments = _cumulative_moments(ranked)
    best = moments["best"][..., ks - 1]
    std = _std_from_moments(moments["squared_deviation"], ks, ddof)
    ratio = sharpe_ratio_from_moments(best, std, behavior[..., None], convention, clip)
    return ratio[..., 0] if scalar else ratio


def regret_at_k(estimates: object, true_values: object, k: KSpec) -> np.ndarray:
    """Compute regret@k: the best true value overall minus best@k.

    This is the max-based definition (how much value the top-k portfolio leaves on the
    table); SCOPE-RL 0.2.1's code uses a different, sum-based quantity under this name.

    Args and Returns as in :func:`best_at_k`; the result is >= 0.
    """
    ranked = portfolio_values(estimates, true_values)
    ks, scalar = check_ks(k, ranked.shape[-1])
    best = np.maximum.accumulate(ranked, axis=-1)
    regret = best[..., -1:] - best[..., ks - 1]
    return regret[..., 0] if scalar else regret


def mean_squared_error(estimates: object, true_values: object) -> np.ndarray:
    """Compute the mean squared error of the estimates over the candidate policies.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``.
        true_values: true policy values, broadcastable with ``estimates``.

    Returns:
        Shape ``(...)``, in squared units of the values.
    """
    estimates, true_values = prepare_arrays(estimates, true_values)
    return _mse(estimates, true_values)


def _mse(estimates: np.ndarray, true_values: np.ndarray) -> np.ndarray:
    return np.mean((estimates - true_values) ** 2, axis=-1)


def _nmse(estimates: np.ndarray, true_values: np.ndarray) -> np.ndarray:
    scale = np.mean(true_values**2, axis=-1)
    mse = _mse(estimates, true_values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, mse / np.where(scale > 0, scale, 1.0), np.nan)


def _spearman(estimates: np.ndarray, true_values: np.ndarray) -> np.ndarray:
    estimate_ranks = rankdata(estimates, method="average", axis=-1)
    true_ranks = rankdata(true_values, method="average", axis=-1)
    estimate_ranks -= estimate_ranks.mean(axis=-1, keepdims=True)
    true_ranks -= true_ranks.mean(axis=-1, keepdims=True)

    covariance = np.sum(estimate_ranks * true_ranks, axis=-1)
    scale = np.sqrt(np.sum(estimate_ranks**2, axis=-1) * np.sum(true_ranks**2, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, covariance / np.where(scale > 0, scale, 1.0), np.nan)


def normalized_mse(estimates: object, true_values: object) -> np.ndarray:
    """Compute nMSE: the mean squared error divided by the mean squared true value.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``.
        true_values: true policy values, broadcastable with ``estimates``.

    Returns:
        Shape ``(...)``, dimensionless; NaN where every true value is zero.
    """
    estimates, true_values = prepare_arrays(estimates, true_values)
    return _nmse(estimates, true_values)


def rank_correlation(estimates: object, true_values: object) -> np.ndarray:
    """Compute Spearman's rank correlation between estimated and true values.

    Tied values get the average of their ranks (as :func:`scipy.stats.spearmanr` does),
    and the result is the Pearson correlation of those ranks.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``.
        true_values: true policy values, broadcastable with ``estimates``.

    Returns:
        Shape ``(...)`` in ``[-1, 1]``; NaN where either side is constant (no ranking).
    """
    estimates, true_values = prepare_arrays(estimates, true_values)
    return _spearman(estimates, true_values)


def error_rates(estimates: object, true_values: object, threshold: object) -> tuple[np.ndarray, np.ndarray]:
    """Compute the type I and type II error rates of a safety test against a threshold.

    A policy is *safe* when its value is at least ``threshold``. The estimator declares a
    policy safe when its estimate is at least ``threshold``.

    - Type I error rate: the share of truly unsafe policies declared safe (false positives
      among the unsafe); NaN when no policy is unsafe.
    - Type II error rate: the share of truly safe policies declared unsafe (false negatives
      among the safe); NaN when no policy is safe.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``.
        true_values: true policy values, broadcastable with ``estimates``.
        threshold: safety threshold, a number or an array broadcastable to ``(...)``.

    Returns:
        ``(type_i, type_ii)``, each of shape ``(...)`` in ``[0, 1]``.
    """
    estimates, true_values = prepare_arrays(estimates, true_values)
    return _error_rates(estimates, true_values, _behavior_values(threshold, estimates.shape[:-1], "threshold"))


def _error_rates(
    estimates: np.ndarray, true_values: np.ndarray, threshold: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    limit = threshold[..., None]

    declared_safe = estimates >= limit
    truly_safe = true_values >= limit
    n_unsafe = np.sum(~truly_safe, axis=-1)
    n_safe = np.sum(truly_safe, axis=-1)
    false_positives = np.sum(declared_safe & ~truly_safe, axis=-1)
    false_negatives = np.sum(~declared_safe & truly_safe, axis=-1)

    with np.errstate(invalid="ignore", divide="ignore"):
        type_i = np.where(n_unsafe > 0, false_positives / np.maximum(n_unsafe, 1), np.nan)
        type_ii = np.where(n_safe > 0, false_negatives / np.maximum(n_safe, 1), np.nan)
    return type_i, type_ii


def top_k_metrics(
    estimates: object,
    true_values: object,
    behavior_value: object,
    k: KSpec,
    convention: str = SCOPE_RL,
    clip: bool = False,
    threshold: object | None = None,
) -> dict[str, np.ndarray]:
    """Compute every metric of this module from one sort of the candidates.

    Args:
        estimates: estimated policy values, shape ``(..., n_policies)``.
        true_values: true policy values, broadcastable with ``estimates``.
        behavior_value: J(pi_b), a number or an array broadcastable to ``(...)``.
        k: budget or sequence of budgets in ``[1, n_policies]``.
        convention: the SharpeRatio@k and std@k convention (see the module docstring).
        clip: SCOPE-RL's clip of SharpeRatio@k to ``[0, 100]``.
        threshold: safety threshold for the error rates; ``None`` uses ``behavior_value``.

    Returns:
        A dict with ``best``, ``worst``, ``mean``, ``std``, ``sharpe_ratio`` and ``regret``
        (shape ``(...)`` or ``(..., n_k)``) and ``mse``, ``nmse``, ``rank_correlation``,
        ``type_i_error`` and ``type_ii_error`` (shape ``(...)``).
    """
    ddof = _ddof(convention)
    check_bool("clip", clip)
    estimates, true_values = prepare_arrays(estimates, true_values)
    order = np.argsort(-estimates, axis=-1, kind="stable")
    ranked = np.take_along_axis(true_values, order, axis=-1)
    ks, scalar = check_ks(k, ranked.shape[-1])
    behavior = _behavior_values(behavior_value, ranked.shape[:-1])

    moments = _cumulative_moments(ranked)
    best = moments["best"][..., ks - 1]
    std = _std_from_moments(moments["squared_deviation"], ks, ddof)
    result = {
        "best": best,
        "worst": moments["worst"][..., ks - 1],
        "mean": moments["mean"][..., ks - 1],
        "std": std,
        "sharpe_ratio": sharpe_ratio_from_moments(best, std, behavior[..., None], convention, clip),
        "regret": moments["best"][..., -1:] - best,
    }
    if scalar:
        result = {name: value[..., 0] for name, value in result.items()}

    result["mse"] = _mse(estimates, true_values)
    result["nmse"] = _nmse(estimates, true_values)
    result["rank_correlation"] = _spearman(estimates, true_values)
    limit = behavior if threshold is None else _behavior_values(threshold, ranked.shape[:-1], "threshold")
    result["type_i_error"], result["type_ii_error"] = _error_rates(estimates, true_values, limit)
    return result
