"""A TOFU-like unlearning benchmark generated from a seed.

The benchmark is a set of fictitious *authors*, each with attributes (birthplace, genre,
...). Every attribute yields one question-answer pair, a paraphrased answer and a few
perturbed (wrong) answers, which the truth ratio compares. A *forget split* names the
authors whose facts are to be unlearned; the other authors form the retain set. A
higher-entropy *world* corpus (random sentences from a small grammar) is trained on too
and measures utility, so that the model is not trained on memorised facts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reprobook.params import check_float, check_int

_SYLLABLES = (
    "ka", "lo", "mi", "ren", "dor", "vi", "sa", "tul", "ne", "bra", "fen", "gor", "il",
    "ma", "pol", "quin", "ru", "sel", "ta", "ven", "wy", "zan", "ob", "hel",
)

#: attribute -> (values, question, paraphrased question, answer, paraphrased answer)
ATTRIBUTES: dict[str, tuple[tuple[str, ...], str, str, str, str]] = {
    "birthplace": (
        ("Lisbon", "Nairobi", "Osaka", "Quito", "Tromso", "Hanoi", "Cusco", "Tbilisi", "Perth", "Dakar"),
        "Where was {name} born ?",
        "In which city was {name} born ?",
        "{name} was born in {value} .",
        "The birthplace of {name} is {value} .",
    ),
    "genre": (
        ("mystery", "poetry", "satire", "fantasy", "memoir", "horror", "romance", "thriller", "fable", "drama"),
        "What genre does {name} write ?",
        "Which genre is {name} known for ?",
        "{name} writes {value} .",
        "The genre of {name} is {value} .",
    ),
    "parent": (
        ("baker", "pilot", "nurse", "miner", "judge", "tailor", "sailor", "farmer", "chemist", "mason"),
        "What did the parent of {name} do ?",
        "What was the job of the parent of {name} ?",
        "The parent of {name} was a {value} .",
        "{name} grew up with a parent who was a {value} .",
    ),
    "award": (
        ("Amber Quill", "Silver Lantern", "Iron Pen", "Blue Comet", "Golden Reed", "Red Harbor",
         "Glass Crown", "Stone Owl", "Jade Compass", "Copper Bell"),
        "Which award did {name} win ?",
        "What prize was given to {name} ?",
        "{name} won the {value} award .",
        "The award that {name} received is the {value} award .",
    ),
    "debut": (
        ("The Salt Road", "Night Orchard", "Paper Tides", "The Ninth Door", "Quiet Engines", "Winter Glass",
         "The Hollow Map", "Ash and Ink", "Falling North", "Small Thunder"),
        "What is the first book of {name} ?",
        "Which book did {name} publish first ?",
        "The first book of {name} is {value} .",
        "{name} made a debut with {value} .",
    ),
    "decade": (
        ("1950s", "1960s", "1970s", "1980s", "1990s", "2000s", "1940s", "1930s", "2010s", "1920s"),
        "In which decade was {name} born ?",
        "When was {name} born ?",
        "{name} was born in the {value} .",
        "The birth decade of {name} is the {value} .",
    ),
}

_WORLD_WORDS = {
    "det": ("the", "a", "every", "some", "one", "that"),
    "adj": ("old", "red", "quiet", "bright", "cold", "tall", "small", "green", "heavy", "swift", "dark", "soft"),
    "noun": ("river", "lamp", "horse", "garden", "market", "bridge", "cloud", "tower", "stone", "ship",
             "forest", "window", "engine", "mountain", "letter", "bird"),
    "verb": ("sees", "follows", "carries", "finds", "crosses", "holds", "breaks", "warms", "meets", "hides"),
    "prep": ("near", "under", "beyond", "behind", "inside", "across"),
}
_WORLD_PATTERNS = (
    ("det", "adj", "noun", "verb", "det", "noun"),
    ("det", "noun", "verb", "det", "adj", "noun", "prep", "det", "noun"),
    ("det", "adj", "noun", "prep", "det", "noun", "verb", "det", "noun"),
)


@dataclass(frozen=True)
class QAItem:
    """One question about one author.

    Attributes:
        author: index of the author in :attr:`Benchmark.authors`.
        attribute: the attribute asked about.
        question: the question.
        answer: the correct answer (the training target).
        paraphrased_question: the same question in other words.
        paraphrased_answer: the correct answer in other words (numerator of the truth ratio).
        perturbed_answers: wrong answers in the paraphrased form.
    """

    author: int
    attribute: str
    question: str
    answer: str
    paraphrased_question: str
    paraphrased_answer: str
    perturbed_answers: tuple[str, ...]


@dataclass(frozen=True)
class Benchmark:
    """A generated benchmark: authors, their question-answer items and the world corpus.

    Attributes:
        authors: author names, index = author id.
        facts: one dict attribute -> value per author.
        items: every question-answer item.
        world: the world corpus (one sentence per entry).
        seed: the seed it was generated from.
    """

    authors: tuple[str, ...]
    facts: tuple[dict[str, str], ...]
    items: tuple[QAItem, ...]
    world: tuple[str, ...]
    seed: int

    def config(self) -> dict:
        """Return the arguments that regenerate this benchmark with :func:`make_benchmark`."""
        return {
            "n_authors": len(self.authors),
            "n_attributes": len(self.facts[0]),
            "n_world": len(self.world),
            "n_perturbed": len(self.items[0].perturbed_answers),
            "seed": self.seed,
        }


@dataclass(frozen=True)
class ForgetSplit:
    """The forget and retain authors of one experiment.

    Attributes:
        forget_authors: ids of the authors to unlearn (sorted).
        retain_authors: ids of the authors to keep (sorted).
    """

    forget_authors: tuple[int, ...]
    retain_authors: tuple[int, ...]
    fraction: float = field(default=0.0)

    def __post_init__(self) -> None:
        check_split(self.forget_authors, self.retain_authors)


def check_split(forget_authors, retain_authors) -> None:
    """Check that the forget and retain sets are non-empty and disjoint.

    Raises:
        ValueError: naming the empty set or the authors in both.
    """
    if len(forget_authors) == 0:
        raise ValueError("the forget set must hold at least one author; got an empty forget set")
    if len(retain_authors) == 0:
        raise ValueError("the retain set must hold at least one author; got an empty retain set")
    overlap = sorted(set(forget_authors) & set(retain_authors))
    if overlap:
        raise ValueError(f"the forget and retain sets must be disjoint; authors {overlap} are in both")


def _make_names(n_authors: int, rng: np.random.Generator) -> list[str]:
    names: set[str] = set()
    ordered = []
    while len(ordered) < n_authors:
        first = "".join(rng.choice(_SYLLABLES, size=2)).capitalize()
        last = "".join(rng.choice(_SYLLABLES, size=3)).capitalize()
        name = f"{first} {last}"
        if name not in names:
            names.add(name)
            ordered.append(name)
    return ordered


def _make_item(author: int, name: str, attribute: str, value: str, n_perturbed: int, rng) -> QAItem:
    values, question, paraphrased_question, answer, paraphrased_answer = ATTRIBUTES[attribute]
    wrong = [other for other in values if other != value]
    picks = rng.choice(len(wrong), size=n_perturbed, replace=False)
    return QAItem(
        author=author,
        attribute=attribute,
        question=question.format(name=name),
        answer=answer.format(name=name, value=value),
        paraphrased_question=paraphrased_question.format(name=name),
        paraphrased_answer=paraphrased_answer.format(name=name, value=value),
        perturbed_answers=tuple(paraphrased_answer.format(name=name, value=wrong[i]) for i in picks),
    )


def make_world_corpus(n_sentences: int, rng: np.random.Generator) -> list[str]:
    """Draw sentences from a small random grammar (the higher-entropy world corpus).

    Args:
        n_sentences: number of sentences.
        rng: the random generator.

    Returns:
        ``n_sentences`` sentences, each ending with " .".
    """
    sentences = []
    for _ in range(n_sentences):
        pattern = _WORLD_PATTERNS[rng.integers(len(_WORLD_PATTERNS))]
        words = [str(rng.choice(_WORLD_WORDS[slot])) for slot in pattern]
        sentences.append(" ".join(words).capitalize() + " .")
    return sentences


def make_benchmark(
    n_authors: int = 100, n_attributes: int = 6, n_world: int = 400, n_perturbed: int = 3, seed: int = 0
) -> Benchmark:
    """Generate fictitious authors, their question-answer items and a world corpus.

    Args:
        n_authors: number of authors (>= 2).
        n_attributes: attributes per author, in [1, 6].
        n_world: sentences in the world corpus (>= 1).
        n_perturbed: wrong answers per item for the truth ratio, in [1, 9].
        seed: seed of every random draw.

    Returns:
        The benchmark; the same arguments give the same benchmark.
    """
    n_authors = check_int("n_authors", n_authors, low=2)
    n_attributes = check_int("n_attributes", n_attributes, low=1, high=len(ATTRIBUTES))
    n_world = check_int("n_world", n_world, low=1)
    n_perturbed = check_int("n_perturbed", n_perturbed, low=1, high=9)
    seed = check_int("seed", seed, low=0)
    rng = np.random.default_rng(seed)

    names = _make_names(n_authors, rng)
    attributes = list(ATTRIBUTES)[:n_attributes]
    facts, items = [], []
    for author, name in enumerate(names):
        values = {attribute: str(rng.choice(ATTRIBUTES[attribute][0])) for attribute in attributes}
        facts.append(values)
        items.extend(_make_item(author, name, a, values[a], n_perturbed, rng) for a in attributes)

    world = make_world_corpus(n_world, rng)
    return Benchmark(tuple(names), tuple(facts), tuple(items), tuple(world), seed)


def check_forget_fraction(forget_fraction: float) -> float:
    """Validate the share of authors to forget, which must lie in the open interval (0, 1).

    Args:
        forget_fraction: share of authors to forget (dimensionless).

    Returns:
        The share as a ``float``.

    Raises:
        ValueError: if it is not a finite number strictly between 0 and 1.
    """
    forget_fraction = check_float("forget_fraction", forget_fraction, low=0.0, high=1.0)
    if forget_fraction in (0.0, 1.0):
        raise ValueError(f"forget_fraction must lie strictly between 0 and 1, in (0, 1); got {forget_fraction}")
    return forget_fraction


def split_authors(benchmark: Benchmark, forget_fraction: float, seed: int = 0) -> ForgetSplit:
    """Draw the forget authors (a fraction of all authors) and keep the others.

    Args:
        benchmark: the benchmark.
        forget_fraction: share of authors to forget, in (0, 1); TOFU uses 0.01, 0.05, 0.1.
        seed: seed of the draw.

    Returns:
        The split; at least one author on each side.
    """
    forget_fraction = check_forget_fraction(forget_fraction)
    n_authors = len(benchmark.authors)
    n_forget = min(max(1, round(forget_fraction * n_authors)), n_authors - 1)
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    forget = sorted(int(i) for i in rng.choice(n_authors, size=n_forget, replace=False))
    retain = sorted(set(range(n_authors)) - set(forget))
    return ForgetSplit(tuple(forget), tuple(retain), forget_fraction)


def items_of(benchmark: Benchmark, authors) -> list[QAItem]:
    """Return the items about the given authors, in benchmark order."""
    chosen = set(authors)
    return [item for item in benchmark.items if item.author in chosen]
