"""reprobook: the tested package behind an executable book that reproduces research papers.

Each chapter of the book has one subpackage (``reprobook.kaprekar`` and so on).
Chapter subpackages never import each other. The small modules at the top level
are shared by all chapters:

- :mod:`reprobook.params`: profiles and parameter validation for notebooks.
- :mod:`reprobook.claims`: the reproduction scorecard (paper value vs measured value).
- :mod:`reprobook.plotting`: one plotting style for every figure of the book.
- :mod:`reprobook.runner` and :mod:`reprobook.cli`: the ``reprobook`` command.
"""

__version__ = "0.1.0"
