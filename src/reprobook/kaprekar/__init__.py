"""Kaprekar's routine in every base: the computations behind the Kaprekar chapter.

One step of the routine sorts the d digits of a base-b number into descending (D)
and ascending (A) order and returns D - A, leading zeros kept. The modules:

- :mod:`~reprobook.kaprekar.routine`: the map on single numbers and numpy arrays,
  trajectories and the two input conventions (``"leading_zeros"``, ``"proper"``);
- :mod:`~reprobook.kaprekar.study`: iteration counts and attractors of every input,
  computed per digit multiset, with a per-number brute-force reference;
- :mod:`~reprobook.kaprekar.atlas`: a table of every attractor across bases and
  digit counts;
- :mod:`~reprobook.kaprekar.symbolic`: closed forms for 3 digits in a symbolic base,
  derived with SymPy.
"""

from reprobook.kaprekar.atlas import atlas
from reprobook.kaprekar.routine import (
    CONVENTIONS,
    Trajectory,
    check_base,
    check_convention,
    check_digits,
    format_number,
    input_domain,
    kaprekar_map,
    kaprekar_map_array,
    to_digits,
    trajectory,
)
from reprobook.kaprekar.study import (
    Attractor,
    KaprekarStudy,
    brute_force_study,
    estimate_study_bytes,
    iteration_counts,
    iteration_matrix,
    study,
)
from reprobook.kaprekar.symbolic import (
    ThreeDigitTheory,
    derive_three_digit_theory,
    three_digit_closed_form_counts,
    three_digit_constant,
    three_digit_cycle,
    three_digit_step_counts,
)

__all__ = [
    "CONVENTIONS",
    "Attractor",
    "KaprekarStudy",
    "ThreeDigitTheory",
    "Trajectory",
    "atlas",
    "brute_force_study",
    "check_base",
    "check_convention",
    "check_digits",
    "derive_three_digit_theory",
    "estimate_study_bytes",
    "format_number",
    "input_domain",
    "iteration_counts",
    "iteration_matrix",
    "kaprekar_map",
    "kaprekar_map_array",
    "study",
    "three_digit_closed_form_counts",
    "three_digit_constant",
    "three_digit_cycle",
    "three_digit_step_counts",
    "to_digits",
    "trajectory",
]
