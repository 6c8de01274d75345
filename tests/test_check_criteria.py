"""The checker against docs/rubric.md: deadlines, targets, boldness, actors, washing, evidence spans,
findings and input errors, with the shipped learned model and the real embedding model."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from missionrag.check import check_statement
from missionrag.config import Settings
from missionrag.errors import InputError

TODAY = dt.date(2026, 11, 23)
CONTRACT_KEYS = {
    "statement",
    "criteria",
    "mission_washing",
    "overall",
    "findings",
    "suggested_rewrite",
    "sources",
}


def check(text: str, today: dt.date = TODAY):
    return check_statement(text, today=today)


def rules(result) -> dict[str, list[str]]:
    """rule -> the exact words each finding points at."""
    out: dict[str, list[str]] = {}
    for f in result.findings:
        out.setdefault(f.rule, []).append(result.statement[f.start : f.end])
    return out


# ---------------------------------------------------------------- time_bound


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("Halve road deaths by 2030.", "by 2030"),
        ("Halve road deaths before 2035.", "before 2035"),
        ("No later than 2045, every home is heated without fossil fuels.", "No later than 2045"),
        ("Within ten years, halve child poverty.", "Within ten years"),
        ("In the next eight years, every household has clean water.", "In the next eight years"),
        ("By the end of the decade, no family lives in a cold home.", "By the end of the decade"),
        ("By mid-century the economy runs entirely on renewable energy.", "By mid-century"),
        ("Land a crew on Mars before this decade is out.", "before this decade is out"),
        ("Inden 2030 skal ingen unge stå uden uddannelse.", "Inden 2030"),
        ("Bis 2030 soll kein Kind in Armut aufwachsen.", "Bis 2030"),
        ("Senast 2030 ska ingen dödas i trafiken.", "Senast 2030"),
        ("Uiterlijk 2030 is het aantal verkeersdoden gehalveerd.", "Uiterlijk 2030"),
        ("Até 2033, nenhuma família sem água potável.", "Até 2033"),
        ("Aumentar de 23% para 50% a participação (ate 2033)", "ate 2033"),
        ("D'ici 2030, diviser par deux le sans-abrisme.", "D'ici 2030"),
        ("Entro il 2035 azzerare le morti sul lavoro.", "Entro il 2035"),
        ("Poistetaan asunnottomuus vuoteen 2027 mennessä.", "vuoteen 2027 mennessä"),
        ("In 2033, Sweden's public food environments feed everyone well.", "In 2033"),
        # relative deadlines (docs/rubric.md, time_bound)
        (
            "Within the current parliamentary term, no child in the city goes to school hungry.",
            "Within the current parliamentary term",
        ),
        (
            "Halve the number of rough sleepers before this decade is out.",
            "before this decade is out",
        ),
        (
            "Within ten years, no older person lives alone without daily contact.",
            "Within ten years",
        ),
        ("Inom en generation ska ingen bo på gatan.", "Inom en generation"),
        (
            "Éradiquer la grande pauvreté en l'espace d'une génération.",
            "en l'espace d'une génération",
        ),
        ("Reduce the cost of storage by 90% in one decade.", "in one decade"),
        ("Cut new HIV cases by 90% between 2020 and 2035.", "between 2020 and 2035"),
        ("2030년까지 온실가스 배출량을 40% 감축", "2030년까지"),
        ("Hiilineutraali Helsinki 2035.", "2035"),
    ],
)
def test_deadlines_in_many_forms_and_languages_pass(text: str, evidence: str) -> None:
    tb = check(text).criteria["time_bound"]
    assert tb.passed, text
    assert evidence in tb.evidence


@pytest.mark.parametrize(
    ("text", "year_words", "rule"),
    [
        (
            "Cut emissions by 55% compared with 1990 levels.",
            "compared with 1990 levels",
            "baseline-year",
        ),
        ("Halve rough sleeping from 2019 levels.", "2019 levels", "baseline-year"),
        ("Die Emissionen um 88 Prozent gegenüber 1990 senken.", "gegenüber 1990", "baseline-year"),
        (
            "Reducere udledningen med 70 procent i forhold til 1990.",
            "i forhold til 1990",
            "baseline-year",
        ),
        ("Minska utsläppen med 70 procent jämfört med 2010.", "jämfört med 2010", "baseline-year"),
        ("Since 2015 we have halved landfill waste.", "Since 2015", "past-reference"),
        ("Vision 2030: a healthier region for everyone.", "2030", "name-year"),
        ("Die Klimaschutzstrategie 2030 weiterführen.", "2030", "name-year"),
        ("Implement the 2021 Climate Action Plan in full.", "2021", "name-year"),
        (
            "The existing strategy is renamed and continues until 2030.",
            "until 2030",
            "not-a-deadline",
        ),
    ],
)
def test_years_that_are_not_deadlines_fail_time_bound(
    text: str, year_words: str, rule: str
) -> None:
    result = check(text)
    assert not result.criteria["time_bound"].passed, text
    assert year_words in rules(result)[rule]


def test_baseline_next_to_a_real_deadline_keeps_the_deadline() -> None:
    result = check("Reduce road deaths by 50% by 2035 compared with 2020 levels.")
    tb = result.criteria["time_bound"]
    # The baseline never speaks for the deadline (rubric 3: a baseline year on its own fails).
    assert tb.passed and tb.evidence == ["by 2035"]
    assert [(s.feature, s.effect) for s in tb.evidence_spans] == [("t_deadline", "earned")]
    assert rules(result)["baseline-year"] == ["compared with 2020 levels"]


def test_past_deadline_fails_against_today_and_passes_before_it() -> None:
    text = "Eradicate child poverty by 2020."
    late = check(text, today=dt.date(2026, 11, 23))
    assert not late.criteria["time_bound"].passed
    assert rules(late)["past-deadline"] == ["by 2020"]
    assert any(f.severity == "error" for f in late.findings if f.rule == "past-deadline")
    assert "[year]" in (late.suggested_rewrite or "")
    early = check(text, today=dt.date(1999, 3, 18))
    assert early.criteria["time_bound"].passed and "past-deadline" not in rules(early)


def test_deadline_more_than_thirty_years_away_passes_with_a_warning() -> None:
    result = check("Rid the country of invasive predators by 2070.")
    assert result.criteria["time_bound"].passed
    assert result.criteria["time_bound"].score < 1.0
    assert rules(result)["far-deadline"] == ["by 2070"]
    assert "2036" in result.criteria["time_bound"].advice  # interim milestone ten years out


def test_vague_time_phrases_are_not_deadlines() -> None:
    result = check("Reach net zero as soon as possible.")
    assert not result.criteria["time_bound"].passed
    assert rules(result)["vague-deadline"] == ["as soon as possible"]


# ---------------------------------------------------------------- measurable


@pytest.mark.parametrize(
    "text",
    [
        "An 80 per cent reduction in plastic entering our environment by 2030",
        "Get 10,000 people into work by 2030.",
        "Produce clean hydrogen at USD 2/kg by 2030.",
        "Halve childhood obesity by 2030.",
        "Cut childhood obesity by a third by 2035.",
        "Double cycling to work by 2030.",
        "Zero road deaths by 2035.",
        "A climate-neutral Netherlands by 2050",
        "Every school serves a free lunch by 2028.",
        "No household lives in fuel poverty by 2032.",
        "Secure the highest sustained growth in the G7.",
        "By 2030 people in power are as diverse as our community.",
        "3 in 4 cancers diagnosed early by 2028.",
        "Bis 2030 soll kein Kind in Armut aufwachsen.",
    ],
)
def test_checkable_targets_pass_measurable(text: str) -> None:
    assert check(text).criteria["measurable"].passed, text


@pytest.mark.parametrize(
    ("text", "cost"),
    [
        ("Significantly reduce air pollution by 2030.", "Significantly"),
        ("Make the region world-leading in clean technology by 2030.", "world-leading"),
        ("Transform the prevention of chronic diseases by 2030.", "Transform"),
        ("Improve mental health among young people.", "Improve"),
        ("By 2030 pay will have risen in every area of the country.", "risen"),
        ("All children should be well.", ""),
        ("Realise a good life for everyone until 100 years old.", ""),
        ("Within ten years, improve the wellbeing of older people.", "improve"),
    ],
)
def test_direction_without_size_fails_measurable(text: str, cost: str) -> None:
    m = check(text).criteria["measurable"]
    assert not m.passed, text
    if cost:
        assert cost in m.evidence


def test_numbers_that_count_nothing_are_ignored() -> None:
    # Years, ages, labels and the number inside a time phrase are not targets.
    for text in (
        "Mission 1: a healthier G7 for 5-year-olds since 2015.",
        "Within ten years, improve care for people aged 75.",
        "Realise the COVID-19 recovery through CO2 research.",
    ):
        assert not check(text).criteria["measurable"].passed, text


# ---------------------------------------------------------------- bold, cross-sectoral


def test_outputs_cost_bold_but_a_new_output_target_is_not_washing() -> None:
    # Rubric 5: "a new internal or output target written without mission vocabulary: it fails
    # bold but is not washed".
    result = check("Set up 12 innovation labs across the region by 2027.")
    assert not result.criteria["bold"].passed
    assert "12 innovation labs" in rules(result)["output-count"]
    assert not result.mission_washing.flagged


def test_strong_mission_passes_everything_and_is_not_washed() -> None:
    result = check(
        "By 2032, no child in the city goes to school hungry, with schools, food businesses and charities working together."
    )
    assert all(c.passed for c in result.criteria.values()), result.criteria
    assert not result.mission_washing.flagged
    assert result.overall > 0.8
    assert result.suggested_rewrite is None


def test_jargon_and_length_cost_bold_with_spans() -> None:
    text = (
        "In close cooperation with relevant stakeholders, the Directorate will leverage synergies "
        "across the value chain with a view to enhancing the resilience of the regional innovation "
        "ecosystem and mainstreaming holistic approaches in the medium to long term, building on "
        "the existing framework."
    )
    result = check(text)
    assert not result.criteria["bold"].passed
    found = rules(result)
    assert {"synergies", "value chain", "ecosystem", "holistic"} <= set(found["jargon"])
    assert found["long-sentence"] == [text]


def test_too_narrow_and_internal_tasks_fail_bold_and_cross_sectoral() -> None:
    # The literature's own example of "merely a practical task" (docs/rubric.md, bold).
    baths = check("Give every care-home resident two baths a week.").criteria["bold"]
    assert not baths.passed and "too narrow" in baths.advice
    # One public service's own standard fails both (rubric: bold and cross_sectoral).
    permits = check("Cut the processing time for building permits to 30 days by 2027.")
    assert not permits.criteria["bold"].passed
    assert not permits.criteria["cross_sectoral"].passed


def test_cross_sectoral_named_actors_and_implied_challenges() -> None:
    named = check(
        "Halve food waste by 2030 with households, shops, farmers and universities."
    ).criteria["cross_sectoral"]
    text = "Halve food waste by 2030 with households, shops, farmers and universities."
    assert named.passed and named.evidence
    assert all(
        e.effect == "earned" and text[e.start : e.end] == e.text for e in named.evidence_spans
    )
    implied = check("Halve road deaths by 2030.").criteria["cross_sectoral"]
    assert implied.passed
    tech = check("Realise a fault-tolerant quantum computer by 2050.").criteria["cross_sectoral"]
    assert not tech.passed and "quantum" in tech.evidence and "technology" in tech.advice


# ---------------------------------------------------------------- washing


@pytest.mark.parametrize(
    "text",
    [
        # rubric 5, case 1: an existing activity relabelled, with or without the word mission
        "Continue the existing cycling strategy and maintain current investment in bike lanes.",
        "Missionen 'Grøn By' er kommunens eksisterende klimaplan med nyt navn.",
        "Vi vil fortsætte den eksisterende indsats og styrke samarbejdet.",
        # case 2: an organisation's standing remit
        "The Agency's mission is to be a modern, efficient authority that supports innovation.",
        # case 3: an administrative chore dressed in mission vocabulary
        "Mission Paperless: the department will keep scanning incoming letters as it does today.",
    ],
)
def test_mission_washing_is_flagged(text: str) -> None:
    w = check(text).mission_washing
    assert w.flagged and w.risk >= 0.5 and w.signals, text


@pytest.mark.parametrize(
    "text",
    [
        # weak and vague, but nothing relabelled and no mission vocabulary (rubric 5)
        "Promote sustainable mobility.",
        "Strengthen the competitiveness of the region's manufacturing companies.",
        "Increase R&D spending to 3% of GDP.",
        # adopting an existing outcome target is not washing (rubric 5)
        "Adopt the national target of climate neutrality by 2045 as our mission.",
    ],
)
def test_weak_but_new_goals_are_not_washing(text: str) -> None:
    assert not check(text).mission_washing.flagged, text


def test_evidence_quotes_the_drafters_own_words() -> None:
    for text in (
        "Significantly reduce air pollution by 2020 compared with 2015 levels.",
        "Halve road deaths by 2030, with cities and carmakers.",
    ):
        result = check(text)
        for c in result.criteria.values():
            for e in c.evidence:
                assert e in text


# ---------------------------------------------------------------- input errors and shape


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_statement_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        check_statement(text)


def test_too_long_statement_says_how_long_and_points_to_check_doc() -> None:
    settings = Settings(max_statement_chars=100)
    with pytest.raises(InputError) as err:
        check_statement("x" * 101, settings)
    msg = str(err.value)
    assert "101" in msg and "100" in msg and "check-doc" in msg
    assert check_statement("Halve road deaths by 2030.", settings).criteria["time_bound"].passed


def test_json_has_the_contract_shape() -> None:
    data = json.loads(check("Halve road deaths by 2030.").model_dump_json())
    assert set(data) >= CONTRACT_KEYS
    assert set(data["criteria"]) == {"bold", "measurable", "time_bound", "cross_sectoral"}
    for c in data["criteria"].values():
        assert set(c) >= {"score", "passed", "evidence", "advice"}
    assert set(data["mission_washing"]) >= {"risk", "flagged", "signals"}
    assert len(data["similar_missions"]) >= 2


def test_similar_missions_come_from_the_shipped_library() -> None:
    library = Path(__file__).resolve().parents[1] / "src/missionrag/data/strong_missions.jsonl"
    texts = {
        json.loads(line)["text"]
        for line in library.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    result = check("Reduce deaths from heart disease and cancer by 2035.")
    assert 2 <= len(result.similar_missions) <= 3
    assert all(m.text in texts for m in result.similar_missions)
    assert "cancer" in result.similar_missions[0].text.lower()
