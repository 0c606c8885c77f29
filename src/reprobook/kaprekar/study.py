"""Full iteration-count studies of Kaprekar's routine, computed per digit multiset.

The image D - A of a d-digit string depends only on the multiset of its digits. So
the routine induces a map on the C(b+d-1, d) multisets of d digits from range(b), which
sends multiset M to the multiset of the digits of its image v_M. This functional graph
is far smaller than the b**d strings. A cycle M_1 -> ... -> M_k of multisets is the
cycle (v_{M_1}, ..., v_{M_k}) of numbers, and every number cycle arises this way.

Each multiset is identified by its key, the descending number D = sum a_i b**i of its
ascending digits a_0 <= ... <= a_{d-1}. The engine enumerates the multisets in
ascending key order with numpy, finds every image by ``np.searchsorted`` on the keys,
peels the tree nodes off the graph to expose the cycles, and assigns step counts by a
breadth-first search backwards from the cycles. The number of strings per multiset
(a multinomial coefficient) turns per-multiset counts into per-input counts.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from reprobook.kaprekar.routine import (
    INT64_LIMIT,
    check_base,
    check_convention,
    check_digits,
    check_int64_size,
    check_number_array,
    digit_matrix,
    domain_size,
    horner,
    input_domain,
    sort_digits,
    orbit,
)
from reprobook.params import check_int, check_int_list

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2**30

# Peak numpy memory of a study, measured with tracemalloc (numpy 2.4) for d = 3..40:
# about 95 bytes per multiset for large studies. The estimate adds margin for wider
# digit dtypes (bases above 256) and a fixed allowance for small studies.
_BYTES_PER_MULTISET = 112
_BYTES_PER_MULTISET_DIGIT = 4
_FIXED_BYTES = 2**20


@dataclass(frozen=True)
class Attractor:
    """A cycle of the routine together with its basin under one input convention.

    Attributes:
        cycle: the members in iteration order, rotated to start at the minimum; a
            fixed point is a 1-tuple.
        basin_size: the number of inputs that end in this cycle, members included.
        max_steps: the largest iteration count among those inputs.
    """

    cycle: tuple[int, ...]
    basin_size: int
    max_steps: int


@dataclass(eq=False)
class KaprekarStudy:
    """Iteration counts and attractors of every input for one base and digit count.

    Attributes:
        base: the base b.
        digits: the number of digits d.
        convention: ``"leading_zeros"`` or ``"proper"``.
        attractors: the cycles reached by at least one input, sorted by ``cycle[0]``.
        step_counts: int64 array of shape (max_steps + 1,); entry k is the number of
            inputs with iteration count k. Empty when the convention has no inputs.
        n_inputs: the number of inputs.
    """

    base: int
    digits: int
    convention: str
    attractors: list[Attractor]
    step_counts: np.ndarray
    n_inputs: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KaprekarStudy):
            return NotImplemented
        return (
            (self.base, self.digits, self.convention, self.n_inputs)
            == (other.base, other.digits, other.convention, other.n_inputs)
            and self.attractors == other.attractors
            and np.array_equal(self.step_counts, other.step_counts)
        )

    @property
    def max_steps(self) -> int:
        """Largest iteration count of any input (-1 when there are no inputs)."""
        return len(self.step_counts) - 1

    @property
    def mode(self) -> int:
        """Most common iteration count; a tie goes to the smallest count.

        Raises:
            ValueError: if the study has no inputs (``digits == 1``).
        """
        if self.n_inputs == 0:
            raise ValueError(
                f"the study of base {self.base}, digits {self.digits} has no inputs, so no mode"
            )
        return int(np.argmax(self.step_counts))

    def counts_table(self) -> pd.DataFrame:
        """Tabulate the number and share of inputs per iteration count.

        Returns:
            DataFrame indexed by ``steps`` (k = 0 .. max_steps) with columns ``inputs``
            (int) and ``share`` (fraction of all inputs).
        """
        steps = pd.RangeIndex(len(self.step_counts), name="steps")
        table = pd.DataFrame({"inputs": self.step_counts.astype(np.int64)}, index=steps)
        table["share"] = table["inputs"] / max(self.n_inputs, 1)
        return table


@dataclass(frozen=True)
class MultisetGraph:
    """The routine as a functional graph on digit multisets, with step counts.

    N is the number of multisets, C(base + digits - 1, digits).

    Attributes:
        base: the base b.
        digits: the number of digits d.
        descending: (N, d) digits of each multiset sorted descending, rows in
            ascending key order.
        keys: int64 (N,), the descending number D of each multiset, strictly ascending.
        images: int64 (N,), the image v = D - A of each multiset.
        successors: int64 (N,), index of the multiset of ``images``.
        steps: int64 (N,), the iteration count of an input with this multiset that is
            not itself a cycle member.
        attractor_index: int64 (N,), index into ``cycles`` of the cycle reached.
        members: int64 (N,), the cycle member whose digits form this multiset, or -1.
        cycles: the number cycles, each rotated to start at its minimum, sorted by it.
    """

    base: int
    digits: int
    descending: np.ndarray
    keys: np.ndarray
    images: np.ndarray
    successors: np.ndarray
    steps: np.ndarray
    attractor_index: np.ndarray
    members: np.ndarray
    cycles: list[tuple[int, ...]]


def multiset_count(base: int, digits: int) -> int:
    """Count the multisets of ``digits`` digits from range(base): C(base+digits-1, digits)."""
    return math.comb(base + digits - 1, digits)


def estimate_study_bytes(base: Any, digits: Any) -> int:
    """Estimate the peak memory of :func:`study`.

    Args:
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.

    Returns:
        An upper estimate of the peak bytes allocated by numpy, proportional to the
        number of multisets.
    """
    base = check_base(base)
    digits = check_digits(digits)
    per_multiset = _BYTES_PER_MULTISET + _BYTES_PER_MULTISET_DIGIT * digits
    return _FIXED_BYTES + multiset_count(base, digits) * per_multiset


def check_study_size(base: int, digits: int, max_bytes: Any) -> int:
    """Validate ``max_bytes`` and check that a study of this size fits in it.

    Args:
        base: a validated base.
        digits: a validated digit count.
        max_bytes: the memory budget in bytes, an integer >= 1.

    Returns:
        ``max_bytes`` as an ``int``.

    Raises:
        ValueError: if ``base**digits >= 2**62`` or the estimate exceeds ``max_bytes``.
    """
    max_bytes = check_int("max_bytes", max_bytes, low=1)
    check_int64_size(base, digits)
    estimate = estimate_study_bytes(base, digits)
    if estimate > max_bytes:
        raise ValueError(
            f"a study of base={base}, digits={digits} needs an estimated {estimate} bytes, "
            f"more than max_bytes={max_bytes}; lower base or digits, or raise max_bytes"
        )
    return max_bytes


def enumerate_multisets(base: int, digits: int) -> np.ndarray:
    """Enumerate the multisets of ``digits`` digits from range(base), vectorised.

    Rows are the digits sorted descending and come in lexicographic order, which is
    the ascending order of the descending number D.

    Args:
        base: the base b.
        digits: the number of digits d.

    Returns:
        Array of shape (C(b+d-1, d), d) in the smallest unsigned dtype holding b - 1.
    """
    dtype = np.min_scalar_type(base - 1)
    rows = np.arange(base, dtype=dtype).reshape(-1, 1)

    for _ in range(digits - 1):
        # Each row c_0 >= ... >= c_j gets every next digit 0 .. c_j, in ascending order.
        branching = rows[:, -1].astype(np.int64) + 1
        group_starts = np.cumsum(branching) - branching
        next_digit = np.arange(int(branching.sum()), dtype=np.int64)
        next_digit -= np.repeat(group_starts, branching)
        rows = np.column_stack([np.repeat(rows, branching, axis=0), next_digit.astype(dtype)])

    # Column-major storage keeps each digit position contiguous for the column loops.
    return np.asfortranarray(rows)


def find_successors(
    descending: np.ndarray, keys: np.ndarray, base: int, digits: int
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the routine to every multiset and locate the multiset of each image.

    Args:
        descending: (N, d) digits sorted descending, rows in ascending key order.
        keys: int64 (N,), the key of each row, which is its descending number D.
        base: the base.
        digits: the number of digits.

    Returns:
        (images, successors): int64 arrays of shape (N,), the image v = D - A and the
        row index of the multiset of v.
    """
    images = keys - horner(descending[:, ::-1], base)

    image_digits = sort_digits(digit_matrix(images, base, digits))
    image_keys = horner(image_digits[:, ::-1], base)
    del image_digits

    successors = np.searchsorted(keys, image_keys)
    if not np.array_equal(keys[successors], image_keys):
        raise RuntimeError(f"multiset keys are incomplete for base {base}, digits {digits}")
    return images, successors


def cycle_mask(successors: np.ndarray) -> np.ndarray:
    """Mark the nodes of a functional graph that lie on a cycle.

    Peels off the nodes of in-degree zero, frontier by frontier. Every node that is
    never peeled lies on a cycle. The work is O(N log N) in the number of nodes.

    Args:
        successors: int64 (N,), the image of each node.

    Returns:
        Boolean array of shape (N,).
    """
    in_degree = np.bincount(successors, minlength=successors.shape[0])
    frontier = np.flatnonzero(in_degree == 0)
    while frontier.size:
        targets, hits = np.unique(successors[frontier], return_counts=True)
        in_degree[targets] -= hits
        frontier = targets[in_degree[targets] == 0]
    return in_degree > 0


def trace_cycles(
    on_cycle: np.ndarray, successors: np.ndarray, images: np.ndarray
) -> list[tuple[int, ...]]:
    """Turn the multiset cycles into number cycles.

    A multiset cycle M_1 -> ... -> M_k gives the number cycle (v_{M_1}, ..., v_{M_k})
    in iteration order. The loop runs over cycle nodes only, which are few.

    Args:
        on_cycle: boolean (N,), the nodes on a cycle.
        successors: int64 (N,), the image multiset of each node.
        images: int64 (N,), the image number of each node.

    Returns:
        The number cycles, each rotated to start at its minimum, sorted by it.
    """
    visited = np.zeros(successors.shape[0], dtype=bool)
    cycles = []
    for start in np.flatnonzero(on_cycle).tolist():
        if visited[start]:
            continue
        values = []
        node = start
        while not visited[node]:
            visited[node] = True
            values.append(int(images[node]))
            node = int(successors[node])
        first = values.index(min(values))
        cycles.append(tuple(values[first:] + values[:first]))
    cycles.sort()
    return cycles


def reverse_breadth_first(
    successors: np.ndarray, roots: np.ndarray, root_labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Give every node its distance from the roots and the label of the root reached.

    Each node is visited once, through a compressed list of predecessors, so the work
    is O(N) plus one sort.

    Args:
        successors: int64 (N,), the image of each node. Following images from any
            node must reach a root.
        roots: int64 indices of the root nodes, which get depth 1.
        root_labels: int64 labels of the roots, same shape as ``roots``.

    Returns:
        (depths, labels): int64 arrays of shape (N,). A node that is not a root has
        depth ``1 + depths[successors[node]]`` and the label of its successor.
    """
    size = successors.shape[0]
    predecessor_order = np.argsort(successors, kind="stable")
    predecessor_counts = np.bincount(successors, minlength=size)
    predecessor_starts = np.cumsum(predecessor_counts) - predecessor_counts

    depths = np.full(size, -1, dtype=np.int64)
    labels = np.full(size, -1, dtype=np.int64)
    depths[roots] = 1
    labels[roots] = root_labels

    frontier = roots
    depth = 1
    while frontier.size:
        counts = predecessor_counts[frontier]
        offsets = np.arange(int(counts.sum()), dtype=np.int64)
        offsets -= np.repeat(np.cumsum(counts) - counts, counts)
        children = predecessor_order[np.repeat(predecessor_starts[frontier], counts) + offsets]
        children = children[depths[children] < 0]

        depth += 1
        depths[children] = depth
        labels[children] = labels[successors[children]]
        frontier = children

    if np.any(depths < 0):
        raise RuntimeError("some nodes do not reach a root; the successor graph is inconsistent")
    return depths, labels


def member_lookup(cycles: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """List every cycle member with the index of its cycle, sorted by value.

    Args:
        cycles: the number cycles.

    Returns:
        (values, cycle_indices): int64 arrays of the same length, ``values`` ascending.
    """
    values = np.array([value for cycle in cycles for value in cycle], dtype=np.int64)
    cycle_indices = np.array(
        [index for index, cycle in enumerate(cycles) for _ in cycle], dtype=np.int64
    )
    order = np.argsort(values)
    return values[order], cycle_indices[order]


def find_members(numbers: np.ndarray, member_values: np.ndarray) -> np.ndarray:
    """Locate numbers among the sorted cycle members.

    Args:
        numbers: int64 array of any shape.
        member_values: int64 (K,), the cycle members, ascending, K >= 1.

    Returns:
        int64 array of the shape of ``numbers``: the position in ``member_values``, or
        -1 where the number is not a cycle member.
    """
    position = np.minimum(np.searchsorted(member_values, numbers), member_values.size - 1)
    return np.where(member_values[position] == numbers, position, -1)


def build_multiset_graph(base: int, digits: int) -> MultisetGraph:
    """Build the multiset graph with step counts and attractors.

    Most multisets are the digits of no image at all. Those leaves are left out of the
    cycle search and the breadth-first search, which run on the subgraph of image
    multisets. A leaf then takes its step count and attractor from its successor.

    Args:
        base: a validated base with ``base**digits < 2**62``.
        digits: a validated digit count.

    Returns:
        The :class:`MultisetGraph`.
    """
    descending = enumerate_multisets(base, digits)
    keys = horner(descending, base)
    images, successors = find_successors(descending, keys, base, digits)

    # The image multisets are closed under the map: renumber them 0 .. n_images - 1.
    image_multisets = np.flatnonzero(np.bincount(successors, minlength=keys.size))
    renumbered = np.full(keys.size, -1, dtype=np.int64)
    renumbered[image_multisets] = np.arange(image_multisets.size)
    image_successors = renumbered[successors[image_multisets]]

    on_cycle = cycle_mask(image_successors)
    cycles = trace_cycles(on_cycle, image_successors, images[image_multisets])
    member_values, member_cycles = member_lookup(cycles)

    # An input whose image is a cycle member needs one step. Any other input needs one
    # step more than its image, whose multiset is its successor.
    image_member = find_members(images[image_multisets], member_values)
    roots = np.flatnonzero(image_member >= 0)
    image_steps, image_cycles = reverse_breadth_first(
        image_successors, roots, member_cycles[image_member[roots]]
    )

    successor_steps = image_steps[renumbered[successors]]
    steps = np.where(find_members(images, member_values) >= 0, 1, successor_steps + 1)
    attractor_index = image_cycles[renumbered[successors]]

    # The cycle member whose digits form multiset M_{i+1} is v_{M_i}.
    members = np.full(keys.size, -1, dtype=np.int64)
    cycle_nodes = image_multisets[on_cycle]
    members[successors[cycle_nodes]] = images[cycle_nodes]

    logger.debug(
        "base %d, %d digits: %d multisets, %d image multisets, %d cycles",
        base,
        digits,
        keys.size,
        image_multisets.size,
        len(cycles),
    )
    return MultisetGraph(
        base=base,
        digits=digits,
        descending=descending,
        keys=keys,
        images=images,
        successors=successors,
        steps=steps,
        attractor_index=attractor_index,
        members=members,
        cycles=cycles,
    )


def _scaled_exactly(
    counts: np.ndarray, numerator: np.ndarray | int, denominator: np.ndarray | int
) -> np.ndarray:
    # counts * numerator / denominator, known to be an integer, without overflowing int64
    # in the product: the reduced denominator always divides counts.
    common = np.gcd(numerator, denominator)
    return (counts // (denominator // common)) * (numerator // common)


def strings_per_multiset(descending: np.ndarray, convention: str, base: int) -> np.ndarray:
    """Count the inputs of a convention that have each digit multiset.

    A multiset with multiplicities c_i is the digit set of d!/prod(c_i!) strings. The
    proper convention drops those starting with 0, c_0 (d-1)!/prod(c_i!) of them.
    Repdigits are not inputs and get 0.

    Args:
        descending: (N, d) digits sorted descending.
        convention: ``"leading_zeros"`` or ``"proper"``.
        base: the base, which bounds every count by ``base**d``.

    Returns:
        int64 array of shape (N,).
    """
    size, digits = descending.shape
    run_length = np.ones(size, dtype=np.int64)
    run_factorials = np.ones(size, dtype=np.int64)
    counts = np.ones(size, dtype=np.int64)

    # r_j is the position of digit j inside its run of equal digits, so prod r_j is
    # prod c_i!. Without int64 room for d!, the prefix multinomials j!/prod r_i are
    # built one position at a time instead.
    exact_factorial = math.factorial(digits) < INT64_LIMIT
    for position in range(1, digits):
        same = descending[:, position] == descending[:, position - 1]
        run_length = np.where(same, run_length + 1, 1)
        if exact_factorial:
            run_factorials *= run_length
        else:
            counts = _scaled_exactly(counts, position + 1, run_length)
    if exact_factorial:
        counts = math.factorial(digits) // run_factorials

    if convention == "proper":
        zeros = np.count_nonzero(descending == 0, axis=1).astype(np.int64)
        if base**digits * digits < INT64_LIMIT:
            counts -= counts * zeros // digits
        else:
            counts -= _scaled_exactly(counts, zeros, digits)

    repdigit = descending[:, 0] == descending[:, -1]
    counts[repdigit] = 0
    return counts


def summarise_graph(graph: MultisetGraph, convention: str) -> KaprekarStudy:
    """Weigh a multiset graph by the inputs of a convention.

    Args:
        graph: the multiset graph of a base and digit count.
        convention: ``"leading_zeros"`` or ``"proper"``.

    Returns:
        The :class:`KaprekarStudy`.
    """
    base, digits = graph.base, graph.digits
    inputs = strings_per_multiset(graph.descending, convention, base)

    # The cycle member with a multiset's digits has count 0, the other strings the
    # multiset's step count. Members are repdigit-free except 0, which has no inputs.
    lowest_input = 0 if convention == "leading_zeros" else base ** (digits - 1)
    member_is_input = (graph.members >= lowest_input) & (inputs > 0)
    others = inputs - member_is_input

    input_steps = np.where(others > 0, graph.steps, np.where(member_is_input, 0, -1))
    step_counts = np.zeros(int(input_steps.max(initial=-1)) + 1, dtype=np.int64)
    np.add.at(step_counts, graph.steps[others > 0], others[others > 0])
    if step_counts.size:
        step_counts[0] += int(np.count_nonzero(member_is_input))

    n_cycles = len(graph.cycles)
    basin_sizes = np.zeros(n_cycles, dtype=np.int64)
    np.add.at(basin_sizes, graph.attractor_index, inputs)
    basin_max_steps = np.full(n_cycles, -1, dtype=np.int64)
    np.maximum.at(basin_max_steps, graph.attractor_index, input_steps)

    attractors = [
        Attractor(
            cycle=cycle,
            basin_size=int(basin_sizes[index]),
            max_steps=int(basin_max_steps[index]),
        )
        for index, cycle in enumerate(graph.cycles)
        if basin_sizes[index] > 0
    ]
    n_inputs = int(step_counts.sum())
    if n_inputs != domain_size(base, digits, convention):
        raise RuntimeError(
            f"counted {n_inputs} inputs for base {base}, digits {digits}, {convention}; "
            f"expected {domain_size(base, digits, convention)}"
        )
    return KaprekarStudy(
        base=base,
        digits=digits,
        convention=convention,
        attractors=attractors,
        step_counts=step_counts,
        n_inputs=n_inputs,
    )


def study(
    base: Any, digits: Any, convention: Any = "leading_zeros", max_bytes: Any = DEFAULT_MAX_BYTES
) -> KaprekarStudy:
    """Compute the iteration count of every input and every attractor, per multiset.

    Args:
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.
        convention: ``"leading_zeros"`` or ``"proper"``.
        max_bytes: the memory budget in bytes; the estimate of
            :func:`estimate_study_bytes` must not exceed it.

    Returns:
        The :class:`KaprekarStudy`.

    Raises:
        ValueError: if an argument is invalid, ``base**digits >= 2**62``, or the study
            would need more than ``max_bytes``.
    """
    base = check_base(base)
    digits = check_digits(digits)
    convention = check_convention(convention)
    check_study_size(base, digits, max_bytes)
    return summarise_graph(build_multiset_graph(base, digits), convention)


def iteration_counts(
    numbers: Any, base: Any, digits: Any, max_bytes: Any = DEFAULT_MAX_BYTES
) -> np.ndarray:
    """Look up the iteration count of each number in the multiset table.

    Args:
        numbers: array-like of integers, any shape, each in ``[0, base**digits)``;
            repdigits are allowed (they need 1 step, 0 needs none).
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.
        max_bytes: the memory budget of the table, as in :func:`study`.

    Returns:
        int64 array of the same shape as ``numbers``.
    """
    base = check_base(base)
    digits = check_digits(digits)
    check_study_size(base, digits, max_bytes)
    array = check_number_array(numbers, base, digits)
    graph = build_multiset_graph(base, digits)

    flat = array.reshape(-1)
    descending = sort_digits(digit_matrix(flat, base, digits))[:, ::-1]
    rows = np.searchsorted(graph.keys, horner(descending, base))
    member_values, _ = member_lookup(graph.cycles)
    counts = np.where(find_members(flat, member_values) >= 0, 0, graph.steps[rows])
    return counts.reshape(array.shape)


def iteration_matrix(
    bases: Iterable[int],
    digits: Any,
    convention: Any = "leading_zeros",
    max_bytes: Any = DEFAULT_MAX_BYTES,
) -> pd.DataFrame:
    """Tabulate the number of inputs per iteration count for several bases.

    Args:
        bases: the bases, each an integer >= 2.
        digits: the number of digits, an integer >= 1.
        convention: ``"leading_zeros"`` or ``"proper"``.
        max_bytes: the memory budget of each study.

    Returns:
        int64 DataFrame indexed by ``base``, one column per iteration count k = 0 ..
        the largest over all bases, 0 where no input needs k steps.
    """
    bases = check_int_list("bases", bases, low=2)
    digits = check_digits(digits)
    convention = check_convention(convention)

    rows = {}
    for base in tqdm(bases, desc=f"{digits}-digit studies", disable=len(bases) < 20, leave=False):
        rows[base] = study(base, digits, convention, max_bytes).step_counts
    width = max(len(counts) for counts in rows.values())
    matrix = np.zeros((len(rows), width), dtype=np.int64)
    for row, counts in enumerate(rows.values()):
        matrix[row, : len(counts)] = counts
    return pd.DataFrame(
        matrix,
        index=pd.Index(list(rows), name="base"),
        columns=pd.RangeIndex(width, name="steps"),
    )


def brute_force_study(
    base: Any, digits: Any, convention: Any = "leading_zeros", max_bytes: Any = DEFAULT_MAX_BYTES
) -> KaprekarStudy:
    """Compute the same study as :func:`study` by following every input separately.

    This is the reference implementation: a Python loop over all inputs, each iterated
    with :func:`reprobook.kaprekar.routine.orbit` until a value repeats.

    Args:
        base: the base, an integer >= 2.
        digits: the number of digits, an integer >= 1.
        convention: ``"leading_zeros"`` or ``"proper"``.
        max_bytes: the memory budget of the input array.

    Returns:
        The :class:`KaprekarStudy`, equal to ``study(base, digits, convention)``.
    """
    base = check_base(base)
    digits = check_digits(digits)
    convention = check_convention(convention)
    inputs = input_domain(base, digits, convention, max_bytes).tolist()

    step_histogram: dict[int, int] = {}
    basin_sizes: dict[tuple[int, ...], int] = {}
    basin_max_steps: dict[tuple[int, ...], int] = {}
    for number in inputs:
        path = orbit(number, base, digits)
        step_histogram[path.steps] = step_histogram.get(path.steps, 0) + 1
        basin_sizes[path.cycle] = basin_sizes.get(path.cycle, 0) + 1
        basin_max_steps[path.cycle] = max(basin_max_steps.get(path.cycle, 0), path.steps)

    step_counts = np.zeros(max(step_histogram, default=-1) + 1, dtype=np.int64)
    for steps, count in step_histogram.items():
        step_counts[steps] = count
    attractors = [
        Attractor(cycle=cycle, basin_size=basin_sizes[cycle], max_steps=basin_max_steps[cycle])
        for cycle in sorted(basin_sizes)
    ]
    return KaprekarStudy(
        base=base,
        digits=digits,
        convention=convention,
        attractors=attractors,
        step_counts=step_counts,
        n_inputs=len(inputs),
    )
