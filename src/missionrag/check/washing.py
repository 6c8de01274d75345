"""Mission washing: business as usual dressed up as a mission.

Signals (issue #3): relabelling words, directional verbs with no target, topics instead of
outcomes, outputs dressed as missions, restating an existing target, and (with a knowledge
base) a target that already appears in one of the organisation's own documents. Signals combine
as independent evidence (noisy-or), so two weak ones can flag where one would not.
"""

from __future__ import annotations

from missionrag.check.analysis import Analysis
from missionrag.models import MissionWashing

FLAG_AT = 0.5


def _quote(spans: list, n: int = 3) -> str:
    seen: list[str] = []
    for s in spans:
        if s.text not in seen:
            seen.append(s.text)
    return ", ".join(f"'{t}'" for t in seen[:n])


def washing_signals(a: Analysis) -> list[tuple[float, str]]:
    """(weight, message) for every washing signal in the statement itself."""
    signals: list[tuple[float, str]] = []
    no_target = not a.has_outcome_target
    if a.relabel:
        distinct = {s.text.lower() for s in a.relabel}
        w = 0.35 if len(distinct) == 1 else 0.5
        signals.append(
            (w, f"relabelling words: {_quote(a.relabel)} - is this an existing policy renamed?")
        )
    if a.existing_target:
        signals.append((0.4, f"restates an existing target: {_quote(a.existing_target, 1)}"))
    names = [t for t in a.times if t.kind in ("name", "past_reference")]
    if names and (a.relabel or no_target):
        signals.append((0.15, f"anchored in an existing plan or past year: {_quote(names, 2)}"))
    if no_target and a.directional:
        signals.append((0.45, f"directional verb with no target: {_quote(a.directional)}"))
    elif no_target and a.unsized:
        signals.append((0.35, f"direction with no size: {_quote(a.unsized)}"))
    if no_target and a.intensifiers:
        signals.append((0.35, f"vague intensifier with no size: {_quote(a.intensifiers)}"))
    if a.is_topic:
        signals.append((0.45, "a topic, not an outcome: no target and no deadline"))
    if a.outputs_only:
        outs = a.output_targets or a.output_activity or a.inputs
        signals.append((0.5, f"outputs or inputs dressed as a mission: {_quote(outs)}"))
    elif a.has_outputs:
        outs = a.output_targets or a.output_activity or a.inputs
        signals.append((0.15, f"counts outputs alongside the outcome: {_quote(outs)}"))
    if no_target:
        # The core of washing: nothing anyone could check; the other signals say why.
        signals.append((0.3, "no target you could check"))
    if no_target and not a.deadlines and not a.is_topic:
        signals.append((0.2, "no deadline either"))
    return signals


def combine(signals: list[tuple[float, str]]) -> MissionWashing:
    keep = 1.0
    for w, _ in signals:
        keep *= 1.0 - w
    risk = round(1.0 - keep, 3)
    ordered = [msg for _, msg in sorted(signals, key=lambda s: -s[0])]
    return MissionWashing(risk=min(1.0, max(0.0, risk)), flagged=risk >= FLAG_AT, signals=ordered)
