"""A synthetic contextual bandit with a behaviour policy and graded candidate policies.

A *problem* draws an expected-reward function ``q(x, a) = sigmoid(x . theta_a + b_a +
(x^2 - 1) . phi_a)`` over standard normal contexts ``x`` and binary rewards
``r ~ Bernoulli(q(x, a))``. The quadratic term makes a linear reward model misspecified,
so the direct method is biased, as it is on real data.
The behaviour policy ``pi_b`` is a softmax of ``q(x, .) / behavior_temperature``: a low
temperature makes it nearly greedy (small propensities for most actions), a high one
nearly uniform. Candidate policies are softmax policies whose logits are
``beta_j * q(x, a) + noise_scale * x . u_{j, a}``, with ``beta_j`` evenly spaced in
``[-beta_max, beta_max]``: negative ``beta_j`` prefer poor actions, positive ones good
actions, and the random ``u_j`` give each candidate its own preferences, so quality is
graded but not a function of ``beta_j`` alone. A policy's true value is
``E_x sum_a pi(a | x) q(x, a)``, computed on a separate large sample of contexts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reprobook.params import check_float, check_int


@dataclass(frozen=True)
class BanditProblem:
    """A contextual bandit and its family of candidate policies.

    Attributes:
        theta: reward weights, shape ``(n_actions, dim)``.
        bias: reward offsets, shape ``(n_actions,)``.
        curvature: weights of the quadratic reward term, shape ``(n_actions, dim)``.
        behavior_temperature: temperature of the behaviour policy's softmax (> 0).
        candidate_betas: inverse temperatures of the candidates, shape ``(n_policies,)``.
        candidate_noise: per-candidate preference weights, shape ``(n_policies, dim, n_actions)``.
    """

    theta: np.ndarray
    bias: np.ndarray
    curvature: np.ndarray
    behavior_temperature: float
    candidate_betas: np.ndarray
    candidate_noise: np.ndarray

    @property
    def n_actions(self) -> int:
        """Number of actions."""
        return self.theta.shape[0]

    @property
    def dim(self) -> int:
        """Dimension of the contexts."""
        return self.theta.shape[1]

    @property
    def n_policies(self) -> int:
        """Number of candidate policies."""
        return self.candidate_betas.shape[0]


@dataclass(frozen=True)
class LoggedBanditData:
    """Logged rounds of a contextual bandit under the behaviour policy.

    Attributes:
        contexts: shape ``(n_rounds, dim)``.
        actions: logged actions, shape ``(n_rounds,)``, integers in ``[0, n_actions)``.
        rewards: observed rewards, shape ``(n_rounds,)``.
        behavior_propensities: ``pi_b(a_i | x_i)`` of the logged actions, shape ``(n_rounds,)``.
    """

    contexts: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    behavior_propensities: np.ndarray


def softmax(logits: np.ndarray) -> np.ndarray:
    """Return the softmax of ``logits`` along the last axis (numerically stable)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)


def make_bandit_problem(
    n_actions: int,
    dim: int,
    n_policies: int,
    behavior_temperature: float,
    seed: int,
    beta_max: float = 20.0,
    noise_scale: float = 1.0,
    curvature_scale: float = 1.0,
) -> BanditProblem:
    """Draw a bandit problem and its candidate policies.

    Args:
        n_actions: number of actions (>= 2).
        dim: context dimension (>= 1).
        n_policies: number of candidate policies (>= 2).
        behavior_temperature: softmax temperature of ``pi_b`` in reward units (> 0).
        seed: seed of every random draw.
        beta_max: largest inverse temperature of a candidate, per reward unit (> 0).
        noise_scale: weight of each candidate's own random preferences (>= 0).
        curvature_scale: weight of the quadratic reward term (>= 0); 0 makes the reward
            logit linear in the context.

    Returns:
        The problem; the same arguments give the same problem.
    """
    n_actions = check_int("n_actions", n_actions, low=2)
    dim = check_int("dim", dim, low=1)
    n_policies = check_int("n_policies", n_policies, low=2)
    behavior_temperature = check_float("behavior_temperature", behavior_temperature, low=1e-3)
    beta_max = check_float("beta_max", beta_max, low=1e-6)
    noise_scale = check_float("noise_scale", noise_scale, low=0.0)
    curvature_scale = check_float("curvature_scale", curvature_scale, low=0.0)
    seed = check_int("seed", seed, low=0)

    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 1.0 / np.sqrt(dim), size=(n_actions, dim))
    bias = rng.normal(0.0, 0.5, size=n_actions)
    curvature = rng.normal(0.0, curvature_scale / np.sqrt(dim), size=(n_actions, dim))
    betas = np.linspace(-beta_max, beta_max, n_policies)
    noise = rng.normal(0.0, noise_scale / np.sqrt(dim), size=(n_policies, dim, n_actions))
    return BanditProblem(theta, bias, curvature, behavior_temperature, betas, noise)


def expected_rewards(problem: BanditProblem, contexts: np.ndarray) -> np.ndarray:
    """Return ``q(x, a)`` for every context and action, shape ``(n, n_actions)``, in ``(0, 1)``."""
    logits = contexts @ problem.theta.T + problem.bias + (contexts**2 - 1.0) @ problem.curvature.T
    return 1.0 / (1.0 + np.exp(-logits))


def behavior_policy(problem: BanditProblem, contexts: np.ndarray) -> np.ndarray:
    """Return ``pi_b(a | x)``, shape ``(n, n_actions)``."""
    return softmax(expected_rewards(problem, contexts) / problem.behavior_temperature)


def candidate_policies(problem: BanditProblem, contexts: np.ndarray) -> np.ndarray:
    """Return every candidate's action distribution, shape ``(n_policies, n, n_actions)``."""
    rewards = expected_rewards(problem, contexts)
    logits = problem.candidate_betas[:, None, None] * rewards[None]
    logits = logits + np.einsum("nd,pda->pna", contexts, problem.candidate_noise, optimize=True)
    return softmax(logits)


def true_policy_values(
    problem: BanditProblem, n_contexts: int, seed: int, chunk: int = 10_000
) -> tuple[np.ndarray, float]:
    """Compute the candidates' and the behaviour policy's true values by exact expectation.

    The expectation over actions is exact; the one over contexts is a Monte Carlo mean on
    ``n_contexts`` fresh contexts (its standard error is below ``0.5 / sqrt(n_contexts)``).

    Args:
        problem: the bandit problem.
        n_contexts: number of contexts to average over (>= 1).
        seed: seed of the context draw.
        chunk: contexts processed at once, which bounds memory (>= 1).

    Returns:
        ``(values, behavior_value)``: shape ``(n_policies,)`` and a float, in reward units.
    """
    n_contexts = check_int("n_contexts", n_contexts, low=1)
    chunk = check_int("chunk", chunk, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))

    totals = np.zeros(problem.n_policies)
    behavior_total = 0.0
    for start in range(0, n_contexts, chunk):
        contexts = rng.normal(size=(min(chunk, n_contexts - start), problem.dim))
        rewards = expected_rewards(problem, contexts)
        totals += np.einsum("pna,na->p", candidate_policies(problem, contexts), rewards)
        behavior_total += float(np.sum(behavior_policy(problem, contexts) * rewards))
    return totals / n_contexts, behavior_total / n_contexts


def log_bandit_data(problem: BanditProblem, n_rounds: int, seed: int) -> LoggedBanditData:
    """Simulate ``n_rounds`` logged rounds under the behaviour policy.

    Args:
        problem: the bandit problem.
        n_rounds: number of logged rounds (>= 1).
        seed: seed of the contexts, actions and rewards.

    Returns:
        The logged data with the behaviour propensities of the chosen actions.
    """
    n_rounds = check_int("n_rounds", n_rounds, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))

    contexts = rng.normal(size=(n_rounds, problem.dim))
    probabilities = behavior_policy(problem, contexts)

    # Inverse-CDF sampling of one action per round.
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random(n_rounds)[:, None]
    actions = np.minimum((draws > cumulative).sum(axis=1), problem.n_actions - 1)

    rounds = np.arange(n_rounds)
    rewards = (rng.random(n_rounds) < expected_rewards(problem, contexts)[rounds, actions]).astype(float)
    return LoggedBanditData(contexts, actions, rewards, probabilities[rounds, actions])
