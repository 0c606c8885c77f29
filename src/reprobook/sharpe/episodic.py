"""Episodic off-policy evaluation on Gymnasium's CartPole with logged trajectories.

Policies push the cart right with probability
``p(s) = epsilon / 2 + (1 - epsilon) * sigmoid(skill * CONTROLLER . s)``, where
``CONTROLLER`` is a fixed linear balancing controller over the state
``(x, x_dot, theta, theta_dot)``. ``skill = 1`` balances the pole, ``skill = 0`` acts at
random and ``skill < 0`` pushes the pole over; ``epsilon`` mixes in uniform actions and keeps
every propensity in ``[epsilon / 2, 1 - epsilon / 2]``.

A behaviour policy logs ``n_episodes`` trajectories of at most ``horizon`` steps. The value
of a policy is its expected discounted return ``J(pi) = E[sum_t gamma^t r_t]`` over the
first ``horizon`` steps (reward 1 per step until the pole falls). After the pole falls the
episode sits in an absorbing state with reward 0 and importance ratio 1.

Estimators, with ``rho_t = prod_{u <= t} pi(a_u | s_u) / pi_b(a_u | s_u)``:

- PDIS (per-decision importance sampling): ``mean_i sum_t gamma^t rho_it r_it``;
- SNPDIS: ``sum_t gamma^t (sum_i rho_it r_it) / (sum_i rho_it)``;
- DM: ``mean_i V_hat(s_i0)`` with ``Q_hat`` from fitted Q evaluation (FQE);
- DR: ``mean_i sum_t gamma^t (rho_it (r_it - Q_hat(s_it, a_it)) + rho_i,t-1 V_hat(s_it))``.

FQE fits a Q-function linear in quadratic state features for each action by iterating
ridge regressions on the Bellman targets ``r + gamma * V_hat(s')``, with ``V_hat`` clipped
to the range of possible values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv

from reprobook.params import check_float, check_int

CONTROLLER = np.array([0.0, 0.0, 10.0, 10.0])
STATE_SCALE = np.array([2.4, 2.0, 0.21, 2.0])
EPISODIC_ESTIMATORS = ("dm-fqe", "pdis", "snpdis", "dr")
EPISODIC_LABELS = {"dm-fqe": "DM (FQE)", "pdis": "PDIS", "snpdis": "SNPDIS", "dr": "DR"}


@dataclass(frozen=True)
class CartPolePolicies:
    """A batch of stochastic linear CartPole policies.

    Attributes:
        skills: shape ``(n_policies,)``; 1 balances, 0 is random, negative pushes over.
        epsilons: uniform-mixing weights in ``[0, 1]``, shape ``(n_policies,)``.
    """

    skills: np.ndarray
    epsilons: np.ndarray

    def __post_init__(self) -> None:
        if self.skills.ndim != 1 or self.skills.shape != self.epsilons.shape or self.skills.size == 0:
            raise ValueError(
                "skills and epsilons must be non-empty 1-D arrays of one shape; got "
                f"{self.skills.shape} and {self.epsilons.shape}"
            )
        if np.any((self.epsilons < 0.0) | (self.epsilons > 1.0)):
            raise ValueError(f"epsilons must lie in [0, 1]; got {self.epsilons}")

    @property
    def n_policies(self) -> int:
        """Number of policies in the batch."""
        return self.skills.size

    def right_probabilities(self, states: np.ndarray) -> np.ndarray:
        """Return the probability of pushing right, shape ``(n_policies, *states.shape[:-1])``."""
        score = states @ CONTROLLER
        extra = (slice(None),) + (None,) * score.ndim
        logits = self.skills[extra] * score[None]
        greedy = 0.5 * (1.0 + np.tanh(0.5 * logits))
        epsilons = self.epsilons[extra]
        return epsilons / 2.0 + (1.0 - epsilons) * greedy


def make_policies(skills: object, epsilon: float) -> CartPolePolicies:
    """Build a batch of policies with the given skills and one shared ``epsilon``."""
    skills = np.atleast_1d(np.asarray(skills, dtype=float))
    epsilon = check_float("epsilon", epsilon, low=0.0, high=1.0)
    return CartPolePolicies(skills, np.full(skills.shape, epsilon))


@dataclass(frozen=True)
class Trajectories:
    """Logged CartPole trajectories, padded to ``horizon`` steps.

    Attributes:
        states: shape ``(n_episodes, horizon, 4)``.
        actions: 0 (left) or 1 (right), shape ``(n_episodes, horizon)``.
        rewards: shape ``(n_episodes, horizon)``; 0 after the pole fell.
        alive: whether step ``t`` was taken (the pole had not fallen before it).
        terminal: whether step ``t`` made the pole fall.
        next_states: shape ``(n_episodes, horizon, 4)``.
        behavior_propensities: ``pi_b(a_t | s_t)``, shape ``(n_episodes, horizon)``; 1 where
            the step was not taken.
    """

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    alive: np.ndarray
    terminal: np.ndarray
    next_states: np.ndarray
    behavior_propensities: np.ndarray

    @property
    def horizon(self) -> int:
        """Number of steps per trajectory."""
        return self.actions.shape[1]


def simulate(policies: CartPolePolicies, n_episodes: int, horizon: int, seed: int) -> Trajectories:
    """Run every policy for ``n_episodes`` episodes of at most ``horizon`` steps.

    All episodes of all policies run in one vectorised Gymnasium CartPole; policy ``p``
    owns episodes ``p * n_episodes`` to ``(p + 1) * n_episodes - 1``.

    Args:
        policies: the policies to run.
        n_episodes: episodes per policy (>= 1).
        horizon: maximum steps per episode (>= 1).
        seed: seed of the initial states and of the action draws.

    Returns:
        Trajectories with ``n_policies * n_episodes`` rows; ``behavior_propensities`` is
        the probability of the taken action under the policy that took it.
    """
    n_episodes = check_int("n_episodes", n_episodes, low=1)
    horizon = check_int("horizon", horizon, low=1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    total = policies.n_policies * n_episodes
    owner = np.repeat(np.arange(policies.n_policies), n_episodes)
    skills, epsilons = policies.skills[owner], policies.epsilons[owner]

    env = CartPoleVectorEnv(num_envs=total, max_episode_steps=horizon + 1)
    observation, _ = env.reset(seed=int(rng.integers(2**31)))
    states = np.zeros((total, horizon, 4))
    next_states = np.zeros((total, horizon, 4))
    actions = np.zeros((total, horizon), dtype=np.int64)
    rewards = np.zeros((total, horizon))
    alive = np.zeros((total, horizon), dtype=bool)
    terminal = np.zeros((total, horizon), dtype=bool)
    propensities = np.ones((total, horizon))

    running = np.ones(total, dtype=bool)
    for t in range(horizon):
        state = observation.astype(float)
        logits = skills * (state @ CONTROLLER)
        right = epsilons / 2.0 + (1.0 - epsilons) * 0.5 * (1.0 + np.tanh(0.5 * logits))
        action = (rng.random(total) < right).astype(np.int64)
        observation, _, terminated, _, _ = env.step(action)

        states[:, t], next_states[:, t], actions[:, t] = state, observation, action
        alive[:, t] = running
        rewards[:, t] = running.astype(float)
        terminal[:, t] = running & terminated
        propensities[:, t] = np.where(running, np.where(action == 1, right, 1.0 - right), 1.0)
        # The vector env resets a finished episode on its next step; those steps are masked.
        running = running & ~terminated
    env.close()
    return Trajectories(states, actions, rewards, alive, terminal, next_states, propensities)


def discounted_returns(trajectories: Trajectories, gamma: float) -> np.ndarray:
    """Return each trajectory's discounted return, shape ``(n_episodes,)``."""
    gamma = check_float("gamma", gamma, low=0.0, high=1.0)
    discounts = gamma ** np.arange(trajectories.horizon)
    return trajectories.rewards @ discounts


def true_values(policies: CartPolePolicies, n_episodes: int, horizon: int, gamma: float, seed: int) -> np.ndarray:
    """Estimate each policy's value by on-policy Monte Carlo rollouts, shape ``(n_policies,)``.

    The standard error is at most ``(1 - gamma^horizon) / (1 - gamma) / (2 sqrt(n_episodes))``.
    """
    rollouts = simulate(policies, n_episodes, horizon, seed)
    return discounted_returns(rollouts, gamma).reshape(policies.n_policies, n_episodes).mean(axis=1)


def _action_probabilities(policies: CartPolePolicies, states: np.ndarray, actions: np.ndarray) -> np.ndarray:
    right = policies.right_probabilities(states)
    return np.where(actions[None] == 1, right, 1.0 - right)


def cumulative_ratios(trajectories: Trajectories, policies: CartPolePolicies) -> np.ndarray:
    """Return ``rho_it`` for every candidate, shape ``(n_policies, n_episodes, horizon)``.

    Steps after the pole fell have ratio 1, so ``rho`` stays at its last value.
    """
    probabilities = _action_probabilities(policies, trajectories.states, trajectories.actions)
    ratios = np.where(trajectories.alive[None], probabilities / trajectories.behavior_propensities[None], 1.0)
    return np.cumprod(ratios, axis=-1)


def state_features(states: np.ndarray) -> np.ndarray:
    """Return ``[1, s, s_i s_j (i <= j)]`` of the scaled state, shape ``(..., 15)``."""
    scaled = states / STATE_SCALE
    rows, cols = np.triu_indices(4)
    products = scaled[..., rows] * scaled[..., cols]
    return np.concatenate([np.ones(states.shape[:-1] + (1,)), scaled, products], axis=-1)


def value_bound(gamma: float, horizon: int) -> float:
    """Return the largest possible value, ``sum_{t < horizon} gamma^t`` (reward 1 per step)."""
    return float(np.sum(gamma ** np.arange(horizon)))


def fitted_q_evaluation(
    trajectories: Trajectories,
    policies: CartPolePolicies,
    gamma: float,
    n_iterations: int | None = None,
    ridge: float = 1e-3,
) -> np.ndarray:
    """Fit a linear Q-function for each candidate by fitted Q evaluation (FQE).

    ``Q(s, a) = features(s) . weights[a]``. Each iteration regresses the targets
    ``r + gamma * (1 - terminal) * clip(V(s'))`` on the features of the taken step by
    ridge regression over all steps taken, where ``V(s') = sum_a' pi(a' | s') Q(s', a')``
    is clipped to ``[0, value_bound]``. The clip keeps linear FQE from diverging on
    policies far from the behaviour policy. Starting from ``Q = 0``, iteration ``j``
    approximates the ``j``-step value, so ``n_iterations = horizon`` matches the horizon.

    Args:
        trajectories: logged data.
        policies: the candidates to evaluate.
        gamma: discount factor in ``[0, 1)``.
        n_iterations: number of FQE iterations (>= 1); ``None`` uses the horizon.
        ridge: L2 penalty of each regression (> 0).

    Returns:
        Weights of shape ``(n_policies, 2, 15)``: one weight vector per action.
    """
    gamma = check_float("gamma", gamma, low=0.0, high=1.0 - 1e-9)
    horizon = trajectories.horizon
    n_iterations = horizon if n_iterations is None else check_int("n_iterations", n_iterations, low=1)
    ridge = check_float("ridge", ridge, low=1e-12)

    taken = trajectories.alive.ravel()
    features = state_features(trajectories.states.reshape(-1, 4)[taken])
    next_states = trajectories.next_states.reshape(-1, 4)[taken]
    next_features = state_features(next_states)
    actions = trajectories.actions.ravel()[taken]
    rewards = trajectories.rewards.ravel()[taken]
    continuing = gamma * ~trajectories.terminal.ravel()[taken]
    n_features = features.shape[1]

    # Design over (action, feature) pairs: the taken action's block holds the features.
    design = np.zeros((features.shape[0], 2 * n_features))
    design[actions == 0, :n_features] = features[actions == 0]
    design[actions == 1, n_features:] = features[actions == 1]
    gram = design.T @ design + ridge * np.eye(2 * n_features)
    projection = np.linalg.solve(gram, design.T)

    right_next = policies.right_probabilities(next_states)
    bound = value_bound(gamma, horizon)
    n_policies = policies.n_policies
    # Column 2 p + a of weight_matrix contains Q_p's weights for action a.
    weight_matrix = np.zeros((n_features, 2 * n_policies))
    projection_t = np.ascontiguousarray(projection.T)
    for _ in range(n_iterations):
        next_q = (next_features @ weight_matrix).T.reshape(n_policies, 2, -1)
        next_value = (1.0 - right_next) * next_q[:, 0] + right_next * next_q[:, 1]
        targets = rewards + continuing * np.clip(next_value, 0.0, bound)
        weights = (targets @ projection_t).reshape(n_policies, 2, n_features)
        weight_matrix = weights.reshape(2 * n_policies, n_features).T.copy()
    return weight_matrix.T.reshape(n_policies, 2, n_features)


def q_values(weights: np.ndarray, states: np.ndarray) -> np.ndarray:
    """Return ``Q(s, a)`` for both actions, shape ``(n_policies, *states.shape[:-1], 2)``."""
    return np.einsum("...f,paf->p...a", state_features(states), weights)


def estimate_episodic_values(
    trajectories: Trajectories,
    policies: CartPolePolicies,
    gamma: float,
    estimators: tuple[str, ...] = EPISODIC_ESTIMATORS,
    fqe_iterations: int | None = None,
) -> np.ndarray:
    """Estimate each candidate's value with each named episodic estimator.

    Args:
        trajectories: logged data of the behaviour policy.
        policies: the candidates.
        gamma: discount factor in ``[0, 1)``.
        estimators: names from :data:`EPISODIC_ESTIMATORS`, in output order.
        fqe_iterations: FQE iterations for ``dm-fqe`` and ``dr``; ``None`` uses the horizon.

    Returns:
        Estimates of shape ``(n_estimators, n_policies)``.
    """
    unknown = [name for name in estimators if name not in EPISODIC_ESTIMATORS]
    if unknown or not estimators:
        raise ValueError(f"estimators must be a non-empty subset of {EPISODIC_ESTIMATORS}; got {estimators}")
    gamma = check_float("gamma", gamma, low=0.0, high=1.0 - 1e-9)
    discounts = gamma ** np.arange(trajectories.horizon)
    rho = cumulative_ratios(trajectories, policies)
    weighted_rewards = rho * trajectories.rewards[None]

    results = {}
    results["pdis"] = np.mean(weighted_rewards @ discounts, axis=1)
    results["snpdis"] = (weighted_rewards.sum(axis=1) / rho.sum(axis=1)) @ discounts
    if "dm-fqe" in estimators or "dr" in estimators:
        weights = fitted_q_evaluation(trajectories, policies, gamma, fqe_iterations)
        q = np.clip(q_values(weights, trajectories.states), 0.0, value_bound(gamma, trajectories.horizon))
        right = policies.right_probabilities(trajectories.states)
        state_value = (1.0 - right) * q[..., 0] + right * q[..., 1]
        q_taken = np.where(trajectories.actions[None] == 1, q[..., 1], q[..., 0])
        results["dm-fqe"] = state_value[:, :, 0].mean(axis=1)

        previous_rho = np.concatenate([np.ones(rho.shape[:-1] + (1,)), rho[..., :-1]], axis=-1)
        alive = trajectories.alive[None]
        terms = np.where(alive, rho * (trajectories.rewards[None] - q_taken) + previous_rho * state_value, 0.0)
        results["dr"] = np.mean(terms @ discounts, axis=1)
    return np.stack([results[name] for name in estimators])


@dataclass(frozen=True)
class EpisodicBenchmark:
    """Estimates and ground truth of the CartPole benchmark.

    Attributes:
        estimators: estimator names, in the order of the first axis of ``estimates``.
        skills: the candidates' skills, shape ``(n_policies,)``.
        estimates: shape ``(n_estimators, n_seeds, n_policies)``.
        true_values: on-policy Monte Carlo values, shape ``(n_policies,)``.
        behavior_values: J(pi_b) as the mean discounted logged return, shape ``(n_seeds,)``.
        true_behavior_value: J(pi_b) by on-policy rollouts.
    """

    estimators: tuple[str, ...]
    skills: np.ndarray
    estimates: np.ndarray
    true_values: np.ndarray
    behavior_values: np.ndarray
    true_behavior_value: float


def run_episodic_benchmark(
    skills: object,
    candidate_epsilon: float,
    behavior_skill: float,
    behavior_epsilon: float,
    n_episodes: int,
    n_seeds: int,
    horizon: int,
    gamma: float,
    n_true_episodes: int,
    seed: int,
    estimators: tuple[str, ...] = EPISODIC_ESTIMATORS,
) -> EpisodicBenchmark:
    """Log data with the behaviour policy ``n_seeds`` times and estimate every candidate.

    Args:
        skills: the candidates' skills, shape ``(n_policies,)``.
        candidate_epsilon: uniform-mixing weight of every candidate, in ``[0, 1]``.
        behavior_skill: the behaviour policy's skill.
        behavior_epsilon: the behaviour policy's uniform-mixing weight, in ``(0, 1]`` so
            that every action has a positive propensity.
        n_episodes: logged trajectories per seed (>= 1).
        n_seeds: independent logged datasets (>= 1).
        horizon: steps per trajectory (>= 1).
        gamma: discount factor in ``[0, 1)``.
        n_true_episodes: on-policy rollouts per policy for the true values (>= 1).
        seed: base seed; logged dataset ``s`` uses ``seed + s``, the rollouts ``seed + 10_000``.
        estimators: names from :data:`EPISODIC_ESTIMATORS`.

    Returns:
        The stacked estimates and ground truth.
    """
    behavior_epsilon = check_float("behavior_epsilon", behavior_epsilon, low=1e-6, high=1.0)
    behavior_skill = check_float("behavior_skill", behavior_skill)
    n_seeds = check_int("n_seeds", n_seeds, low=1)
    seed = check_int("seed", seed, low=0)
    candidates = make_policies(skills, candidate_epsilon)
    behavior = make_policies([behavior_skill], behavior_epsilon)

    rollout_seed = seed + 10_000
    truth = true_values(candidates, n_true_episodes, horizon, gamma, rollout_seed)
    behavior_truth = float(true_values(behavior, n_true_episodes, horizon, gamma, rollout_seed + 1)[0])

    estimates = np.zeros((len(estimators), n_seeds, candidates.n_policies))
    behavior_values = np.zeros(n_seeds)
    for s in range(n_seeds):
        logged = simulate(behavior, n_episodes, horizon, seed + s)
        behavior_values[s] = discounted_returns(logged, gamma).mean()
        estimates[:, s] = estimate_episodic_values(logged, candidates, gamma, estimators)
    return EpisodicBenchmark(tuple(estimators), candidates.skills, estimates, truth, behavior_values, behavior_truth)
