"""Targets you can check: quantities, multipliers, binary end states, universals, rankings.

A number counts only when it measures something ("50%", "10,000 people", "USD 2/kg", "five
years"): years, ages ("5-year-olds", "before 75"), labels ("Mission 1", "G7", "CO2") and the
number inside a time phrase ("within ten years") do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from missionrag.check.lexicon import OUTPUT_NOUN, UNSIZED_CHANGE, VAGUE_STATE

_WORD_NUM = (
    r"two|three|four|five|six|seven|eight|nine|ten(?!\s+minste)|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|"
    r"tre|fem|seks|syv|otte|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|"
    r"två|fyra|sju|åtta|nio|tio|twee|drie|vijf|zes|zeven|negen|tien|"
    r"dois|duas|três|quatro|cinco|sete|oito|nove|dez|deux|trois|quatre|cinq|huit|neuf|dix|"
    r"dos|cuatro|siete|ocho|nueve|diez|quattro|cinque|sette|otto|dieci|"
    r"kaksi|kolme|neljä|viisi|kymmenen|"
    r"(?:one|a|eine|ein|en|et|ett|een|um|uma|un|une|uno|una)\s+(?:million|billion|thousand|hundred|"
    r"Million|Milliarde|mio\.?|millioner|miljon|miljoen|milhão|millón|milione)"
)
_DIGITS = r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
# A unit may be glued to its number ("200ha", "3.5kWh", "2GWp"); other letters make a label.
_GLUED_UNIT = r"(?:ha|km|kWh|MWh|GWh|TWh|GWp?|MWp?|kWp?|kg|kt|Mt)(?![^\W\d_])"
NUMBER_RE = re.compile(
    rf"(?<![\w.,])(?:(?:{_DIGITS})(?:(?={_GLUED_UNIT})|(?![^\W\d_]))|(?:{_WORD_NUM})(?!\w))", re.I
)
_SCALE = r"(?:\s*(?:million|billion|thousand|hundred|bn|mn|m|k|mio\.?|mrd\.?|Million(?:en)?|Milliarden?|millioner|milliarder|miljoner|miljarder|miljoen|miljard|milhões|mil|millions|milliards|millones|milioni|miljoonaa))?"
_SHARE = re.compile(
    rf"^{_SCALE}\s*(?:%|‰|per\s*cent|percent|pct\.?|procent|prozent|prosent|por\s+cento|pour\s+cent|"
    r"por\s+ciento|per\s+cento|prosenttia|percentage\s+points?)",
    re.I,
)
_CURRENCY_LEFT = re.compile(r"(?:USD|EUR|GBP|DKK|SEK|NOK|CHF|US\$|\$|€|£|¥|kr\.?|R\$)\s*$", re.I)
_UNIT_RIGHT = re.compile(
    rf"^{_SCALE}\s*(?:/\s*\w+|(?:USD|EUR|euros?|dollars?|pounds?|kroner|kronor|reais|€|\$)\b|"
    r"(?:t|kt|Mt|Gt|MtCO2e?|kg|km|ha|GW|MW|TWh|kWh|°C|C)\b)"
)
_AGE_RIGHT = re.compile(
    r"^\s*(?:-|\s)?(?:years?[\s-]+old|year-olds?|-year-olds?|yo\b|-årige|årige|jährige\w*|åringar|jarigen|anos\s+de\s+idade)",
    re.I,
)
_AGE_LEFT = re.compile(
    r"(?:\baged|\bage(?:\s+of)?|\bages|\bunder-|\bover-|\balder|\bAlter|\bålder)\s*$", re.I
)
_LABEL_LEFT = re.compile(
    r"(?:\b(?:goal|goals|mission|missions|sdg|article|art\.|section|phase|pillar|level|tier|stage|step|"
    r"priority|objective|no\.|nr\.|number|chapter|page|annex|grade|klasse|class|industry|web)|[A-Za-z]-)\s*$",
    re.I,
)
_RATIO = re.compile(
    rf"(?<!\w)(?:\d+|{_WORD_NUM}|one)\s+(?:in|out\s+of|of\s+every|af|von|av|op|em|sur|de\s+cada|su)\s+"
    rf"(?:\d+|{_WORD_NUM}|one|every)\b",
    re.I,
)
# Words after a number that show it counts nothing ("before 75 from ...").
_FUNCTION_WORDS = frozenset(
    [
        "from",
        "to",
        "by",
        "in",
        "on",
        "of",
        "and",
        "or",
        "the",
        "a",
        "an",
        "for",
        "with",
        "at",
        "as",
        "than",
        "is",
        "are",
        "was",
        "were",
        "will",
        "be",
        "per",
        "til",
        "fra",
        "i",
        "af",
        "og",
        "på",
        "med",
        "bis",
        "von",
        "zu",
        "im",
        "und",
        "der",
        "die",
        "das",
        "auf",
        "mit",
        "till",
        "från",
        "av",
        "och",
        "tot",
        "van",
        "en",
        "op",
        "met",
        "de",
        "het",
        "a",
        "de",
        "do",
        "da",
        "em",
        "e",
        "para",
        "até",
        "por",
        "à",
        "du",
        "et",
        "pour",
        "par",
        "del",
        "y",
        "hasta",
        "di",
        "per",
        "entro",
    ]
)
_OUTPUT_AFTER = re.compile(r"[^\S\n]*(?:[\w-]+[^\S\n]+){0,3}?(?:" + OUTPUT_NOUN.pattern + ")", re.I)
_NEXT_WORD = re.compile(
    r"^[\s-]*(?:(?:at\s+least|more\s+than|new|additional|extra)\s+)?([^\W\d_][\w'’-]*)"
)

MULTIPLIER = re.compile(
    r"(?<!\w)(?:halv(?:e|es|ed|ing)|by\s+half|in\s+half|doubl(?:e|es|ed|ing)|tripl(?:e|es|ed|ing)|trebl(?:e|es|ed|ing)|"
    r"quadrupl\w+|(?:two|three|four|five|ten)fold|\d+-fold|\d+\s*x\b|twice\s+as|"
    r"by\s+(?:a|one|two)\s+(?:third|quarter|fifth)s?|two[\s-]thirds|three[\s-]quarters|"
    r"halbier\w+|verdoppel\w+|verdreifach\w+|halver\w+|fordobl\w+|tredobl\w+|halvera\w*|"
    r"fördubbl\w+|tredubbl\w+|gehalveerd|halveren|verdubbel\w+|verdrievoudig\w+|"
    r"(?:reduzir\s+)?(?:para|pela)\s+metade|duplicar|triplicar|diviser\s+par\s+deux|"
    r"réduire\s+de\s+moitié|doubler|tripler|a\s+la\s+mitad|dimezz\w+|raddoppi\w+|triplic\w+|"
    r"puolit\w+|kaksinkertai\w+)(?!\w)",
    re.I,
)
END_STATE = re.compile(
    r"(?<!\w)(?:net[\s-]?zero|zero|climate[\s-]neutral\w*|carbon[\s-]neutral\w*|"
    r"(?:greenhouse[\s-]gas|ghg|emissions?)[\s-]neutral\w*|[a-z]+-free|smokefree|free\s+(?:of|from)|"
    r"eliminat\w+|eradicat\w+|abolish\w*|wip(?:e|ed|es)\s+out|phas(?:e|ed|es)\s+out|"
    r"rid\s+(?:\w+\s+){1,4}?of|clos(?:e|ed)\s+the\s+gap|gap\s+(?:is\s+|has\s+been\s+|will\s+be\s+)?closed|"
    r"(?<!leaves\s)(?<!leave\s)(?<!leaving\s)no(?:-|\s)one(?!\s+behind)|nobody|none|no\s+(?:longer\s+)?(?:child|children|family|families|household|households|"
    r"person|people|young\s+(?:person|people)|pupil|pupils|student|students|resident|residents|"
    r"patient|patients|home|homes|neighbourhood|school|schools|worker|workers|citizen|citizens|"
    r"baby|babies|woman|women|man|men|community|communities|area|areas|deaths?|new\s+\w+)|"
    r"(?:entirely|completely|fully|wholly|totally)\s+(?:on\s+|by\s+)?(?:renewable|electric|fossil|"
    r"carbon|emission|decarboni[sz]ed|circular|recycl\w+|free|accessible|powered)|"
    r"meets?\s+(?:the\s+)?(?:\w+\s+){0,3}(?:standards?|guidelines?|guideline\s+levels|limits?)|"
    r"good\s+(?:environmental|ecological|chemical)\s+status|as\s+defined\s+(?:by|in)\s+\w+|"
    r"(?:klimaneutral|treibhausgasneutral|co2-neutral)\w*|kein(?:e|en|er|em)?|niemand|null|"
    r"ingen|inga|inte\s+(?:ha\s+)?några|noll|nul|klimatneutral\w*|fossilfri\w*|klimaatneutraal|"
    r"geen|neutr(?:o|a|alidade)\s+(?:em\s+)?carbono|neutralidade\s+(?:carbónica|climática)|"
    r"nenhum[a]?|ninguém|erradicar|eliminar|neutre\s+en\s+carbone|neutralité\s+carbone|aucune?|"
    r"zéro|éradiquer|éliminer|ningún|ninguna|nadie|cero|nessun[oa]?|azzera\w*|sradicare|"
    r"hiilineutraali\w*|ilmastoneutraali\w*|nolla\w*|kukaan\s+ei|ei\s+kukaan|poist\w+|"
    # "-free" in the languages we read, and carbon neutrality in Japanese and Korean
    r"[^\W_]+-?(?:vrij|frei|fri|fritt|fria|livres?|libres?)|(?:CO2|klima|kohlenstoff)-?neutral\w*|"
    r"neutralidad\s+(?:climática|de\s+carbono)|nullutslipp\w*|utsläppsfri\w*|"
    r"탄소중립|カーボンニュートラル|脱炭素|排出を全体としてゼロ)(?!\w)",
    re.I,
)
# "end" is a target when it is a verb ("end long-term homelessness"), not "the end of".
END_VERB = re.compile(
    r"(?<!\bthe\s)(?<!\bthis\s)(?<!\bthat\s)(?<!\bits\s)(?<!\byear\s)(?<!\bdecade\s)(?<!\bat\s)"
    r"(?<!\w)(?:end(?:s|ed|ing)?|an\s+end\s+to)(?!\s+(?:of|up|users?|date|point|goal|result)\b)(?!\w)",
    re.I,
)
UNIVERSAL = re.compile(
    r"(?<!\w)(?:every(?!\s+(?:year|day|week|month|time|other)\b)(?:one|body)?|each\s+(?!year|day|week|"
    r"month|other)\w+|all(?!\s+(?:of|the\s+way|over|along|around)\b)\s+(?:new\s+)?\w+|universal\s+(?:access|coverage|provision)|"
    r"alle[nr]?|jede[nmrs]?|sämtliche\w*|hver[t]?|alla|varje|elke|iedere?|tod[oa]s|cada|tou(?:s|tes)|"
    r"chaque|tutt[ie]|ogni|kaikki|jokainen)(?!\w)",
    re.I,
)
RANKING = re.compile(
    r"(?<!\w)(?:world['’]s\s+first|(?:the\s+)?(?:highest|lowest|best|first|largest|smallest|fastest|"
    r"top\s+(?:\d+|three|five|ten))\b[^.;]{0,60}?\b(?:in|of|among)\s+(?:the\s+)?(?:G7|G20|OECD|EU|"
    r"European\s+Union|Europe|world|Nordics?|country|UK))(?!\w)",
    re.I,
)
PARITY = re.compile(
    r"(?<!\w)(?:as\s+(?!soon|well|far|long|much|many|early|possible|part|a\b)\w+\s+as|parity|"
    r"on\s+a\s+par\s+with|the\s+same\s+(?:\w+\s+)?as|equal\s+(?:to|with))(?!\w)",
    re.I,
)


@dataclass(frozen=True)
class Target:
    start: int
    end: int
    text: str
    kind: str  # quantity | share | multiplier | end_state | universal | ranking | parity
    output: bool = False  # counts an output or input (labs, staff), not an outcome


def _overlaps(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < b and a < e for a, b in spans)


def _quantities(text: str, excluded: list[tuple[int, int]]) -> list[Target]:
    found: list[Target] = []
    for m in _RATIO.finditer(text):
        if not _overlaps(m.start(), m.end(), excluded):
            found.append(Target(m.start(), m.end(), m.group(0), "share"))
            excluded = excluded + [(m.start(), m.end())]
    for m in NUMBER_RE.finditer(text):
        s, e = m.start(), m.end()
        if _overlaps(s, e, excluded):
            continue
        left, right = text[max(0, s - 25) : s], text[e : e + 40]
        if _AGE_RIGHT.match(right) or _AGE_LEFT.search(left) or _LABEL_LEFT.search(left):
            continue
        if e < len(text) and text[e : e + 1] == "." and re.match(r"\.\s+[a-zæøåäöü]", text[e:]):
            continue  # ordinal ("2. klasse")
        if sm := _SHARE.match(right):
            found.append(Target(s, e + sm.end(), text[s : e + sm.end()], "share"))
            continue
        if _CURRENCY_LEFT.search(left) or (um := _UNIT_RIGHT.match(right)):
            cl = _CURRENCY_LEFT.search(left)
            start = s - (len(left) - cl.start()) if cl else s
            um = _UNIT_RIGHT.match(right)
            end = e + um.end() if um else e
            found.append(Target(start, end, text[start:end], "quantity"))
            continue
        nm = _NEXT_WORD.match(right)
        if not nm or nm.group(1).lower() in _FUNCTION_WORDS:
            continue
        end = e + nm.end()
        out = _OUTPUT_AFTER.match(text, e)
        if out:  # "12 innovation labs": the span runs to the output noun
            end = max(end, out.end())
        found.append(Target(s, end, text[s:end], "quantity", output=bool(out)))
    return found


def _clause(text: str, pos: int, reach: int = 200) -> str:
    """The clause around ``pos``, at most ``reach`` characters each way (keeps long input linear)."""
    lo, hi = max(0, pos - reach), min(len(text), pos + reach)
    starts = [text.rfind(c, lo, pos) for c in ".;:!?,"]
    ends = [i for i in (text.find(c, pos, hi) for c in ".;:!?") if i >= 0]
    return text[max(max(starts) + 1, lo) : min(ends) if ends else hi]


def find_targets(text: str, time_spans: list[tuple[int, int]]) -> list[Target]:
    """Every checkable target in ``text``; ``time_spans`` (years, time phrases) are skipped."""
    found = _quantities(text, list(time_spans))
    for kind, pattern in (
        ("multiplier", MULTIPLIER),
        ("end_state", END_STATE),
        ("end_state", END_VERB),
        ("ranking", RANKING),
        ("parity", PARITY),
    ):
        for m in pattern.finditer(text):
            if not _overlaps(m.start(), m.end(), time_spans):
                found.append(Target(m.start(), m.end(), m.group(0), kind))
    for m in UNIVERSAL.finditer(text):
        clause = _clause(text, m.start())
        # "risen in every area" is a direction, "all children should be well" too broad to check.
        if UNSIZED_CHANGE.search(clause) or VAGUE_STATE.search(clause):
            continue
        found.append(Target(m.start(), m.end(), m.group(0), "universal"))
    found.sort(key=lambda t: (t.start, -t.end))
    return found
