"""SafetyDrift: absorbing Markov chains that warn before an agent violates safety.

*Safety drift* is a sequence of agent actions that are each harmless but together
amount to a violation: read a confidential file, summarise it, email it outside. This
package tracks an agent's state along three monotone dimensions, maps it to five risk
levels, fits an absorbing Markov chain over those levels from traces, and computes in
closed form the probability of reaching VIOLATED within a horizon. A streaming
monitor turns that probability into an alarm, one agent step at a time.

Modules:

- :mod:`.state`: the state model and the rule cascade;
- :mod:`.tools`: the tool registry and the sensitivity scale;
- :mod:`.traces`: the JSONL trace schema and its validating loader;
- :mod:`.generator`: synthetic traces from the shipped ``scenarios.json``;
- :mod:`.chain`: transition estimation, smoothing and intervals;
- :mod:`.absorption`: the closed-form analysis, its numeric, Monte Carlo and exact checks;
- :mod:`.monitor`: the streaming monitor;
- :mod:`.baselines`: keyword matching, the category prior and the judge interface;
- :mod:`.evaluation` and :mod:`.experiment`: detection metrics and the full evaluation;
- :mod:`.verdicts`, :mod:`.plots`, :mod:`.speed`: scorecard verdicts, figures, timings;
- :mod:`.judge_demo`: a random transformers classifier for the judge plumbing (imports torch).

Example, without any notebook::

    from reprobook.safetydrift.chain import fit_chains
    from reprobook.safetydrift.generator import generate_traces
    from reprobook.safetydrift.monitor import SafetyMonitor

    monitor = SafetyMonitor.from_chains(fit_chains(generate_traces(2000, seed=0)), thresholds=0.5)
    monitor.start("research_communication")
    reading = monitor.observe("read_file", "sensitive")  # risk, probability, alarm, state
"""
