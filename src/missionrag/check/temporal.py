"""Years and time phrases in a statement: which are deadlines, and which only look like one.

A year is classified from the words around it, in this order: a baseline ("compared with 1990
levels", "gegenüber 1990"), a past reference ("since 2015"), a deadline marker ("by 2030",
"bis 2030", "senast 2030", "uiterlijk 2030", "até 2033", "2030 mennessä"), "in <year>" (a
deadline when future, a reference when past), a name ("Vision 2030", "Klimaschutzstrategie
2030", "the 2019 strategy"), a period start ("from 2025"). Anything else is a bare year.
Relative deadlines ("within ten years", "by mid-century") need no year at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Number words up to twenty (and tens) in the languages we read; used in relative deadlines.
NUM_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"en|et|to|tre|fire|fem|seks|syv|otte|ni|ti|femten|tyve|"
    r"ein|einem|einen|zwei|drei|vier|fünf|fuenf|sechs|sieben|acht|neun|zehn|zwanzig|"
    r"ett|två|fyra|sex|sju|åtta|nio|tio|tjugo|"
    r"een|één|twee|drie|vijf|zes|zeven|negen|tien|twintig|"
    r"um|uma|dois|duas|três|tres|quatro|cinco|sete|oito|nove|dez|quinze|vinte|"
    r"un|une|deux|trois|quatre|cinq|sept|huit|neuf|dix|vingt|"
    r"uno|una|dos|cuatro|siete|ocho|nueve|diez|veinte|"
    r"due|quattro|cinque|sei|sette|otto|dieci|venti|"
    r"yksi|kaksi|kolme|neljä|viisi|kuusi|kymmenen|kahden|kolmen|viiden|kymmenen"
)
_N = rf"(?:\d{{1,2}}|{NUM_WORDS})"

YEAR_RE = re.compile(r"(?<![\w.,/])(1[89]\d\d|2[01]\d\d)(s)?(?![\w%‰]|[.,]\d)")

_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"januar|februar|märz|maerz|april|mai|juni|juli|oktober|dezember|marts|maj|"
    r"januari|februari|mars|augusti|oktober|maart|mei|augustus|"
    r"janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|"
    r"janvier|février|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    r"enero|febrero|marzo|mayo|junio|julio|septiembre|octubre|noviembre|diciembre|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    r"tammikuu\w*|helmikuu\w*|joulukuu\w*"
)
# Words that may sit between a deadline marker and its year ("by the end of 2027",
# "bis zum Jahr 2030", "inden udgangen af 2030", "até ao fim de 2030", "entro il 2035").
_FILL = (
    rf"the|end|close|middle|start|beginning|of|year|calendar|fiscal|financial|{_MONTHS}|"
    r"\d{1,2}(?:st|nd|rd|th|\.)?|"
    r"zum|jahr|jahres|ende|spätestens|spaetestens|im|"
    r"udgangen|af|år|året|utgången|utgangen|av|"
    r"einde|van|het|jaar|"
    r"ao|o|a|fim|final|de|do|da|no|ano|"
    r"la|fin|l['’]année|à|"
    r"del|el|año|finales|"
    r"il|al|entro|"
    r"vuoden|loppuun"
)
_TAIL = rf"(?:\s+(?:{_FILL})){{0,4}}\s*\(?\s*$"

_STRONG_MARKER = re.compile(
    r"(?:\bby|\bbefore|\bno\s+later\s+than|\bnot\s+later\s+than|\bat\s+the\s+latest\s+by|"
    r"\bdeadline:?|\btarget\s+year:?|"
    r"\binden|\bsenest(?:\s+i)?|\bfrem\s+mod|"  # da
    r"\binnen|\bi\s+løpet\s+av|"  # no
    r"\bbis|\bvor|\bspätestens|\bspaetestens|"  # de
    r"\bsenast|\bföre|\bfore\b|"  # sv
    r"\buiterlijk(?:\s+in)?|\bvóór|\btegen|\bniet\s+later\s+dan|"  # nl
    r"\baté|\bate|\bantes\s+de|\bno\s+máximo\s+(?:em|até)|"  # pt
    r"\bd['’]ici|\bavant|\bau\s+plus\s+tard\s+(?:en|d'ici)|\bà\s+l['’]horizon|"  # fr
    r"\bpara|\bantes\s+del?|\ba\s+más\s+tardar\s+en|\bde\s+aquí\s+a|"  # es
    r"\bentro|\bprima\s+del|\bnon\s+oltre\s+il|"  # it
    r"\bviimeistään|\bennen\s+vuotta|\bvuoteen)" + _TAIL,
    re.I,
)
# "until/till/through/to": a deadline unless the clause is about a programme running on.
_WEAK_MARKER = re.compile(
    r"(?:\buntil|\btill|\bthrough|\bthru|\bup\s+to|\bfrem\s+til|\btil|\bfram\s+till|\btill|"
    r"\btot|\bhasta|\bfino\s+al|\bjusqu['’]en|\bjusqu['’]à)" + _TAIL,
    re.I,
)
_RIGHT_MARKER = re.compile(
    r"^\s*(?:mennessä|at\s+the\s+latest|spätestens|senest|senast|uiterlijk|au\s+plus\s+tard|"
    r"a\s+más\s+tardar|al\s+più\s+tardi)\b",
    re.I,
)
_IN_YEAR = re.compile(
    r"(?:\bin(?:\s+the\s+year)?|\bfor\s+the\s+year|\bduring|\bi(?:\s+år)?|\bim(?:\s+jahre?)?|\bår|\bem|\ben|\bnel|\bnell['’]anno|"
    r"\bvuonna|\bno\s+ano\s+de|\bdurante)\s*$",
    re.I,
)
_BASELINE_LEFT = re.compile(
    r"(?:\bcompared\s+(?:with|to)|\brelative\s+to|\bversus|\bvs\.?|\bagainst|\bbelow|\babove|"
    r"\bon|\bbaseline(?:\s+year)?(?:\s+of)?|(?<!later )\bthan(?:\s+in)?|"
    r"\bgegenüber|\bgegenueber|\bggü\.?|\bim\s+vergleich\s+zu(?:m)?|\bverglichen\s+mit|\brelativ\s+zu|"
    r"\bi\s+forhold\s+til|\bift\.?|\bsammenlignet\s+med|"
    r"\bjämfört\s+med|\bjamfort\s+med|\bi\s+förhållande\s+till|"
    r"\bten\s+opzichte\s+van|\bt\.o\.v\.?|\bvergeleken\s+met|\bin\s+vergelijking\s+met|"
    r"\bem\s+relação\s+(?:a|ao)|\bem\s+relacao\s+(?:a|ao)|\bface\s+(?:a|ao)|\bcomparad[oa]\s+com|"
    r"\brelativamente\s+(?:a|ao)|"
    r"\bpar\s+rapport\s+(?:à|a|au)|\bcomparé\s+à|"
    r"\brespecto\s+(?:a|al)|\bcon\s+respecto\s+(?:a|al)|\ben\s+comparación\s+con|\bfrente\s+a|"
    r"\brispetto\s+al?|\bin\s+confronto\s+al?)"
    r"(?:\s+(?:the|levels?|level|of|in|dem|jahr|niveau|niveauet|år|nivån|het|jaar|o|ano|de|"
    r"l['’]année|el|año|il|anno|dei|livelli)){0,4}\s*$",
    re.I,
)
_BASELINE_RIGHT = re.compile(
    r"^\s*(?:[-–]\s*)?(?:levels?|baseline|figures|values|niveau\w*|-niveau\w*|års\s+nivå|"
    r"tasosta|tasoon|verrattuna|livelli|niveles|níveis|niveis)\b",
    re.I,
)
_FROM_LEFT = re.compile(
    r"(?:\bfrom|\bfra|\bvon|\bab|\bfrån|\bvanaf|\bvan|\bdesde|\bdès|\bdal|\bda)\s*$", re.I
)
_SINCE_LEFT = re.compile(
    r"(?:\bsince|\bas\s+of|\bseit|\bsiden|\bsedan|\bsinds|\bdesde|\bdepuis|\bdal|\bdall['’]|"
    r"\bvuodesta|\b(?:launched|adopted|published|agreed|introduced|approved|signed|started|began|"
    r"passed|set\s+up|established|created)\s+(?:in|on)?)\s*$",
    re.I,
)
# Nouns that make an adjacent year a name or a document reference, not a deadline.
_NAME_NOUN = (
    r"vision|agenda|strategy|strategie|strategi|estratégia|estrategia|stratégie|strategia|plan|"
    r"planen|plano|programme|program|programm|programa|roadmap|agreement|accord|pact|compact|"
    r"act|law|lov|gesetz|wet|lei|ley|legge|horizon|europe|mission|missions|initiative|"
    r"evaluation|report|review|census|survey|budget|framework|targets?|goals?|deal|summit|"
    r"conference|manifesto|white\s+paper|green\s+paper|declaration|"
    r"period|programming\s+period"
)
NAME_LEFT = _NAME_LEFT = re.compile(
    rf"(?:\b(?:{_NAME_NOUN})|\w*(?:strategie|strategi|programm|plan|vision|agenda))\s*$", re.I
)
_NAME_RIGHT = re.compile(rf"^\s*(?:[-–]\s*)?(?:{_NAME_NOUN})\b", re.I)
_CAP_LEFT = re.compile(r"\b([A-ZÆØÅÄÖÜ][\w&'’-]*)\s*$")
_CAP_RIGHT = re.compile(r"^\s+([A-ZÆØÅÄÖÜ][\w'’-]*)")
_RANGE_LEFT = re.compile(r"(?:1[89]|2[01])\d\d\s*[-–/]\s*$")
# "between 2015 and 2035", "entre 2015 et 2030": the later year is when the change is due.
_RANGE_END_LEFT = re.compile(
    r"\b(?:between|entre|zwischen|mellem|mellan|tussen|tra|välillä)\s+(?:1[89]|2[01])\d\d\s+"
    r"(?:and|et|y|e|und|og|och|en|ja)\s*$",
    re.I,
)
# Deadlines written after the year in Japanese and Korean ("2050年までに", "2030년까지").
CJK_DEADLINE = re.compile(r"((?:19|20)\d\d)\s*(?:年(?:度)?(?:まで|までに)|년(?:까지|도까지))")
_CONTINUATION = re.compile(
    r"\b(?:continu\w*|runs?|running|lasts?|extended|valid|funded|remains?|in\s+force|period|"
    r"läuft|fortsætter|pågår|loopt|vigora)\b",
    re.I,
)

# A count inside a relative deadline: digits or a word, checked against NUM_WORDS after the
# match (one compiled list instead of the long alternation in every pattern: a cold check
# compiles these patterns, and that alternation made them the slowest to compile).
_NL = r"(?:\d{1,2}|[^\W\d_]{2,10})"
_COUNT = re.compile(rf"(?<!\w)(?:\d{{1,2}}|{NUM_WORDS})(?!\w)", re.I)
RELATIVE_DEADLINES = [
    re.compile(p, re.I)
    for p in (
        rf"\bwithin\s+(?:the\s+next\s+)?(?:a\s+)?{_NL}\s+(?:years?|decades?|months?)\b",
        r"\b(?:within|in)\s+(?:a|one|this|the\s+next)\s+decade\b",
        r"\b(?:for|in|over|during|within)\s+the\s+(?:next|coming)\s+decade\b",
        r"\bwithin\s+(?:this|the\s+current|the|the\s+next)\s+(?:parliamentary\s+term|parliament|"
        r"term\s+of\s+(?:office|government)|legislature|mandate|government['’]s\s+term)\b",
        r"\bfor\s+the\s+rest\s+of\s+(?:the|this)\s+(?:parliament|parliamentary\s+term|term|decade)\b",
        r"\bby\s+the\s+(?:next|end\s+of\s+the\s+next)\s+(?:general\s+)?election\b",
        r"\bi\s+løpet\s+av\s+(?:de\s+neste\s+)?\w+\s+år(?:ene)?\b",
        rf"\b(?:in|over|during)\s+the\s+(?:next|coming)\s+{_NL}\s+years\b",
        r"\b(?:in|over|during|within)\s+the\s+next\s+decade\b",
        rf"\bin\s+{_NL}\s+years(?:['’]\s*time)?(?=\W|$)",
        r"\bin\s+a\s+decade(?:['’]s\s+time)?\b",
        r"\b(?:by|before)\s+(?:the\s+)?(?:end|close)\s+of\s+(?:the|this|the\s+current|the\s+next)\s+"
        r"(?:decade|century|parliament|parliamentary\s+term|term|government|mandate)\b",
        r"\bby\s+(?:the\s+)?mid-?\s?century\b",
        r"\bby\s+the\s+middle\s+of\s+(?:the|this)\s+century\b",
        r"\bby\s+mid-?decade\b",
        r"\bbefore\s+(?:this|the)\s+decade\s+is\s+out\b",
        rf"\binden\s+for\s+(?:de\s+næste\s+)?(?:{_NL}\s+år|et\s+årti)\b",
        r"\binden\s+udgangen\s+af\s+(?:årtiet|dette\s+årti)\b",
        rf"\binnerhalb\s+(?:von\s+|der\s+nächsten\s+)?{_NL}\s+Jahr(?:en|e)?\b",
        rf"\bin\s+den\s+nächsten\s+{_NL}\s+Jahren\b",
        r"\bbis\s+(?:zum\s+)?Ende\s+des\s+Jahrzehnts\b",
        rf"\binom\s+(?:de\s+närmaste\s+)?{_NL}\s+år(?:en)?\b",
        r"\binom\s+ett\s+decennium\b",
        rf"\bbinnen\s+(?:nu\s+en\s+)?{_NL}\s+jaar\b",
        rf"\b(?:no\s+prazo\s+de|dentro\s+de|nos\s+próximos)\s+{_NL}\s+anos\b",
        r"\baté\s+(?:ao|o)\s+(?:fim|final)\s+da\s+década\b",
        rf"\b(?:d['’]ici|dans)\s+{_NL}\s+ans\b",
        r"\bd['’]ici\s+la\s+fin\s+de\s+la\s+décennie\b",
        rf"\b(?:dentro\s+de|en\s+los\s+próximos)\s+{_NL}\s+años\b",
        r"\bantes\s+del\s+final\s+de\s+la\s+década\b",
        rf"\bentro\s+(?:i\s+prossimi\s+)?{_NL}\s+anni\b",
        r"\bentro\s+la\s+fine\s+del\s+decennio\b",
        rf"\b{_NL}\s+vuoden\s+(?:kuluessa|sisällä)\b",
    )
]
# Looser time frames: counted as a deadline, with a warning that they are vague.
LOOSE_DEADLINES = [
    re.compile(p, re.I)
    for p in (
        r"\bwithin\s+(?:a|one|this|our)\s+generation\b",
        r"\bin\s+(?:a|one|this)\s+generation\b",
        r"\binden\s+for\s+en\s+generation\b",
        r"\binnerhalb\s+einer\s+Generation\b",
        r"\b(?:inom|till\s+nästa|inom\s+loppet\s+av\s+en)\s+(?:en\s+)?generation\b",
        r"\bbinnen\s+(?:één|een)\s+generatie\b",
        r"\b(?:en\s+l['’]espace\s+d['’]une|d['’]ici\s+une|en\s+une)\s+génération\b",
        r"\b(?:no\s+espaço\s+de|dentro\s+de|em)\s+uma\s+geração\b",
        r"\b(?:en|dentro\s+de)\s+una\s+generación\b",
    )
]
# Not deadlines, though drafters often mean them as one.
VAGUE_TIME = re.compile(
    r"\b(?:in\s+the\s+(?:coming|next\s+few)\s+years|in\s+the\s+(?:long|medium|short)(?:[\s-]+to[\s-]+"
    r"(?:long|medium))?[\s-]+(?:term|run)|as\s+soon\s+as\s+possible|over\s+time|in\s+the\s+future|"
    r"eventually|in\s+due\s+course|over\s+the\s+coming\s+years|"
    r"i\s+de\s+kommende\s+år|på\s+sigt|in\s+den\s+kommenden\s+Jahren|langfristig|mittelfristig|"
    r"på\s+sikt|på\s+lång\s+sikt|under\s+de\s+kommande\s+åren|op\s+termijn|de\s+komende\s+jaren|"
    r"a\s+(?:longo|médio)\s+prazo|nos\s+próximos\s+anos|à\s+terme|à\s+long\s+terme|dans\s+les\s+années\s+à\s+venir|"
    r"a\s+(?:largo|medio)\s+plazo|en\s+los\s+próximos\s+años|nel\s+lungo\s+periodo|a\s+lungo\s+termine|"
    r"pitkällä\s+aikavälillä|tulevina\s+vuosina)\b",
    re.I,
)


@dataclass(frozen=True)
class TimeMention:
    start: int
    end: int
    text: str
    kind: str  # deadline | past_deadline | baseline | past_reference | name | start | duration | bare | relative | loose | vague
    year: int | None = None
    strength: float = 1.0  # 1 strong marker, 0.7 weak ("until")


def _classify(text: str, m: re.Match[str], today_year: int) -> TimeMention:
    s, e = m.start(), m.end()
    year = int(m.group(1))
    left = text[max(0, s - 60) : s]
    right = text[e : e + 30]
    future = year >= today_year
    # A marker span covers the words that made the decision, so the evidence reads naturally.

    def mention(kind: str, start: int = s, end: int = e, strength: float = 1.0) -> TimeMention:
        return TimeMention(start, end, text[start:end], kind, year, strength)

    bm = _BASELINE_LEFT.search(left)
    brm = _BASELINE_RIGHT.match(right)
    if bm or brm:
        start = s - (len(left) - bm.start()) if bm else s
        return mention("baseline", start, e + brm.end() if brm else e)
    if sm := _SINCE_LEFT.search(left):
        return mention("past_reference", s - (len(left) - sm.start()))
    if rg := _RANGE_END_LEFT.search(left):
        return mention("deadline" if future else "past_deadline", s - (len(left) - rg.start()))
    if _RANGE_LEFT.search(left):
        return mention("name")
    if _NAME_RIGHT.match(right) and re.search(r"\b(?:the|our|their|its)\s*$", left, re.I):
        return mention("name")  # "driven by the 2019 strategy" names a document
    dm = _STRONG_MARKER.search(left)
    rm = _RIGHT_MARKER.match(right)
    if dm or rm:
        start = s - (len(left) - dm.start()) if dm else s
        end = e + rm.end() if rm else e
        while start < s and text[start] in " (":
            start += 1
        return mention("deadline" if future else "past_deadline", start, end)
    if wm := _WEAK_MARKER.search(left):
        # The whole clause, not just the window: "Continue funding ... programme until 2030".
        clause = re.split(r"[.;:!?]", text[:s])[-1]
        if _CONTINUATION.search(clause):
            return mention("duration", s - (len(left) - wm.start()))
        return mention(
            "deadline" if future else "past_deadline", s - (len(left) - wm.start()), strength=0.7
        )
    if im := _IN_YEAR.search(left):
        start = s - (len(left) - im.start())
        if _NAME_RIGHT.match(right):
            return mention("name")
        return mention("deadline" if future else "past_reference", start)
    if _NAME_LEFT.search(left) or _NAME_RIGHT.match(right):
        return mention("name")
    cap = _CAP_LEFT.search(left)
    if (
        cap
        and not re.fullmatch(_MONTHS, cap.group(1), re.I)
        and not _sentence_start(left, cap.start())
    ):
        return mention("name")
    capr = _CAP_RIGHT.match(right)
    if capr and not future and len(left.strip()) > 0:
        return mention("name")
    if _FROM_LEFT.search(left):
        return mention("start")
    return mention("bare" if future else "past_reference")


def _sentence_start(left: str, pos: int) -> bool:
    """True when the capitalised word before the year opens a sentence (e.g. "Goal: 2030")."""
    before = left[:pos].rstrip()
    return not before or before[-1] in ".!?:;(\n\"'“‘"


def find_time_mentions(text: str, today_year: int) -> list[TimeMention]:
    """Every year and relative time phrase in ``text``, classified, in order of position."""
    found: list[TimeMention] = [_classify(text, m, today_year) for m in YEAR_RE.finditer(text)]
    for m in CJK_DEADLINE.finditer(text):
        year = int(m.group(1))
        kind = "deadline" if year >= today_year else "past_deadline"
        found.append(TimeMention(m.start(), m.end(), m.group(0), kind, year))
    taken = [(t.start, t.end) for t in found]
    for kind, patterns in (("relative", RELATIVE_DEADLINES), ("loose", LOOSE_DEADLINES)):
        for pat in patterns:
            for m in pat.finditer(text):
                if _NL in pat.pattern and not _COUNT.search(m.group(0)):
                    continue  # "within several years": no count, no deadline
                if not any(m.start() < e and s < m.end() for s, e in taken):
                    found.append(TimeMention(m.start(), m.end(), m.group(0), kind, None, 0.9))
                    taken.append((m.start(), m.end()))
    for m in VAGUE_TIME.finditer(text):
        if not any(m.start() < e and s < m.end() for s, e in taken):
            found.append(TimeMention(m.start(), m.end(), m.group(0), "vague"))
    return sorted(found, key=lambda t: t.start)
