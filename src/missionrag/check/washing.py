"""Mission washing (docs/rubric.md, section 5): the learned head, its cues, and the knowledge base.

The washed head's probability is the risk. The signals say which words moved it (relabelling,
routine, an organisation's remit, mission vocabulary over routine content), so a drafter sees
why. With a knowledge base, a draft whose whole target already stands as a commitment there
(``sources.find_relabelling``) is flagged and shown side by side; a draft that is an existing
published mission is reported as that mission and is not washing (rubric, section 6).
"""

from __future__ import annotations

from missionrag.check.features import FeatureSet
from missionrag.check.model import Prediction
from missionrag.models import MissionWashing

# A draft whose whole target (quantity, unit, object and deadline) is already a commitment in
# the organisation's documents restates it: that alone flags (rubric 5, case 1: an existing
# commitment relabelled; tests/test_check_kb.py). Not chosen on labels: labels_dev has no
# knowledge base behind it.
RELABEL_WEIGHT = 0.6
# Below this risk the cues are not worth a drafter's attention: a weak draft ("Promote
# mobility") has the same cues at low weight and the rubric says it is not washed.
SIGNAL_FLOOR = 0.25
# Rubric 6: "A quote is not washing". A quoted mission keeps at most this risk, below the flag.
QUOTE_RISK_CAP = 0.3

# Cues of washing, in the order a reader needs them, with the sentence that explains each.
CUES: tuple[tuple[str, str], ...] = (
    ("w_relabel", "continues or renames what exists: {quotes}"),
    ("w_routine", "business as usual: {quotes}"),
    ("w_org_subject", "an organisation or its standing remit is the subject: {quotes}"),
    ("w_mission_label", "mission vocabulary over the content: {quotes}"),
    ("w_existing_target", "tied to a plan or target that already exists: {quotes}"),
    ("w_output_activity", "an activity presented as the goal: {quotes}"),
    ("m_output", "outputs or inputs counted as the goal: {quotes}"),
    ("v_direction_only", "a direction with no target: {quotes}"),
)


def _quotes(fs: FeatureSet, name: str, n: int = 3) -> str:
    seen: list[str] = []
    for s in fs.spans.get(name, []):
        if s.text not in seen:
            seen.append(s.text)
    return ", ".join(f"'{t}'" for t in seen[:n])


def assess(fs: FeatureSet, pred: Prediction) -> MissionWashing:
    """Risk and flag from the washed head; signals from the cues that pushed it up."""
    signals: list[str] = []
    if pred.probability < SIGNAL_FLOOR:
        return MissionWashing(risk=round(pred.probability, 3), flagged=False, signals=signals)
    for name, template in CUES:
        if fs.spans.get(name) and pred.contributions.get(name, 0.0) > 0:
            signals.append(template.format(quotes=_quotes(fs, name)))
    risk = round(min(1.0, max(0.0, pred.probability)), 3)
    if pred.passed and not signals:
        signals.append(
            "reads like routine work presented as a mission (learned from labelled cases)"
        )
    return MissionWashing(risk=risk, flagged=pred.passed, signals=signals)


def add_relabelling(washing: MissionWashing, message: str) -> MissionWashing:
    """The knowledge base holds the draft's whole target: flag, and say where."""
    risk = round(1.0 - (1.0 - washing.risk) * (1.0 - RELABEL_WEIGHT), 3)
    return MissionWashing(risk=risk, flagged=True, signals=[message, *washing.signals])


def quoted(washing: MissionWashing, name: str) -> MissionWashing:
    """An existing published mission restated: not washing (rubric, section 6)."""
    note = f"this is the existing mission {name}, not a relabelled policy"
    return MissionWashing(
        risk=min(washing.risk, QUOTE_RISK_CAP), flagged=False, signals=[note, *washing.signals]
    )
