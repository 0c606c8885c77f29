"""K-FADE: unlearning with uphill Gauss-Newton steps preconditioned by K-FAC curvature.

Reproduces "Gauss-Newton Unlearning for the LLM Era" (K-FADE) on a TOFU-like benchmark
generated here: :mod:`.data` (authors, questions, splits), :mod:`.models` (tokenizer,
causal LMs, checkpoints), :mod:`.curvature` (K-FAC, EK-FAC, exact GGN products),
:mod:`.unlearning` (K-FADE and the baselines), :mod:`.metrics` (TOFU-style metrics) and
:mod:`.experiment` (the chapter's experiments).
"""
