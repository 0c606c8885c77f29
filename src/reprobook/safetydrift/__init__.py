"""SafetyDrift: absorbing Markov chains that warn before an agent violates safety.

*Safety drift* is a sequence of agent actions that are each harmless but together
amount to a violation: read a confidential file, summarise it, email it outside. This
package tracks an agent's state along three monotone dimensions, maps it to five risk
levels, fits an absorbing Markov chain over those levels from traces, and computes in
closed form the probability of reaching VIOLATED within a horizon. A streaming
monitor turns that probability into an alarm, one agent step at a time.

Modules: :mod:`.state` (the state model), :mod:`.tools` (tool registry and sensitivity
scale), :mod:`.traces` (the JSONL schema), :mod:`.generator` (synthetic traces from the
shipped scenarios), :mod:`.chain` (estimation), :mod:`.absorption` (closed-form
analysis), :mod:`.monitor`, :mod:`.baselines`, :mod:`.evaluation`.
"""
