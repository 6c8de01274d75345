"""Word lists behind the checker, compiled once at import.

English is the richest; Danish, German, Swedish, Dutch and Portuguese get the words that matter
most (directional verbs, relabelling words, end states, domains), French, Spanish, Italian and
Finnish a smaller share. Every list is a plain alternation so a reviewer can read and extend it.
"""

from __future__ import annotations

import re


def _rx(*groups: str, flags: int = re.I) -> re.Pattern[str]:
    """One pattern from whitespace-separated alternatives (multi-word ones use ``\\s+``)."""
    alternatives = [a for g in groups for a in g.split()]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", flags)


# ---------------------------------------------------------------- weak directional verbs
# A direction with no size: the classic mark of a mission in name only.
DIRECTIONAL = _rx(
    r"strengthen\w* promot(?:e|es|ed|ing) support(?:s|ed|ing)? foster\w* enhanc\w+",
    r"improv(?:e|es|ed|ing) boost\w* advanc(?:e|es|ing) encourag\w+ facilitat\w+ stimulat\w+",
    r"reinforc\w+ contribut\w+\s+to work(?:s|ing)?\s+towards? striv\w+ prioriti[sz]\w+",
    r"step\s+up accelerat\w+ reform(?:s|ed|ing)? moderni[sz]\w+",
    # da / de / sv / nl
    r"styrke fremme understøtte forbedre udvikle stärken fördern unterstützen verbessern",
    r"voranbringen ausbauen stärka främja stödja stöda förbättra utveckla versterken",
    r"bevorderen ondersteunen verbeteren stimuleren",
    # pt / fr / es / it / fi
    r"fortalecer promover apoiar melhorar fomentar incentivar estimular renforcer promouvoir",
    r"soutenir améliorer favoriser encourager apoyar mejorar impulsar rafforzare promuovere",
    r"sostenere migliorare favorire vahvistaa edistää tukea parantaa",
)
# Change verbs and comparatives that need a size to be a target ("reduce", "greener").
UNSIZED_CHANGE = _rx(
    r"reduc(?:e|es|ed|ing) increas\w+ rais(?:e|es|ed|ing) lower(?:s|ed|ing)? cut",
    r"grow(?:s|n|ing)?(?!\s+old) risen rise[sn]? narrow(?:s|ed|ing)? clos(?:es|ing)",
    r"close\s+the expand\w* decreas\w+ declin\w+ fall(?:s|ing|en)? more\s+\w+ less\s+\w+",
    r"better greener safer healthier fairer cleaner stronger smarter higher richer wider",
    r"longer fewer aumentar reduzir diminuir senken erhöhen steigern sinken øge reducere",
    r"mindske minska öka verminderen verhogen réduire augmenter reducir aumentare ridurre",
)
VAGUE_INTENSIFIER = _rx(
    r"significant(?:ly)? substantial(?:ly)? considerabl[ey] dramatic(?:ally)? drastic(?:ally)?",
    r"radical(?:ly)? greatly markedly massive(?:ly)? sharply world[\s-]leading world[\s-]class",
    r"cutting[\s-]edge step[\s-]change transform(?:s|ed|ing|ation|ational|ative)?",
    r"revolutioni[sz]e\w* meaningful(?:ly)? at\s+the\s+forefront ambitious(?:ly)? robust",
    r"deutlich erheblich wesentlich signifikant spürbar weltweit\s+führend markant betydeligt",
    r"væsentligt verdensførende väsentligt avsevärt betydligt världsledande aanzienlijk fors",
    r"substantieel toonaangevend significativamente substancialmente consideravelmente",
    r"considérablement significativement sensiblement sustancialmente considerablemente",
    r"sostanzialmente notevolmente merkittävästi huomattavasti",
)

# ---------------------------------------------------------------- relabelling
RELABEL = _rx(
    r"continu(?:e|es|ed|ing|ation) existing ongoing maintain(?:s|ed|ing)? build(?:s|ing)?\s+on",
    r"renam(?:e|ed|ing) re-?brand(?:s|ed|ing)? already reaffirm\w* remains?",
    r"keep(?:s|ing)?(?:\s+(?:on|up))? extend(?:ed|ing)?",
    r"current\s+(?:strategy|programme|program|policy|plan|investment|level|efforts?)",
    r"(?:as\s+)?(?:set\s+out|agreed|planned)\s+in fortsetzen fortführen weiterführen",
    r"weiterentwickeln bestehende[nrms]? laufende[nrms]? beibehalten fortsætte videreføre",
    r"eksisterende igangværende fastholde fortsätta befintlig\w* pågående bibehålla",
    r"voortzetten bestaande lopende handhaven continueren continuar manter existentes?",
    r"em\s+curso poursuivre maintenir existant\w* en\s+cours mantener proseguire continuare",
    r"mantenere esistent[ei] in\s+corso jatka\w* nykyi\w+",
)
EXISTING_TARGET = _rx(
    r"(?:in\s+line\s+with|as\s+set\s+out\s+in|as\s+agreed\s+in|consistent\s+with|in\s+accordance\s+with)"
    r"(?:\s+\S+){0,5}?\s+(?:target|goal|commitment|agreement|law|act|plan|strategy|framework|priorities)s?",
    r"(?:the|our)\s+(?:existing|national|current|agreed|legal|statutory|eu|european)\s+"
    r"(?:target|goal|commitment|objective)s?",
    r"(?:nationale[nrn]?|bestehende[nr]?)\s+(?:Ziel|Ziele|målsætning|mål|doel|doelstelling|meta)",
)

# ---------------------------------------------------------------- outputs and inputs
_OUTPUT_NOUN = (
    r"labs?|laborator(?:y|ies)|living\s+labs?|hubs?|cent(?:re|er)s?|projects?|pilots?|workshops?|"
    r"strateg(?:y|ies)|reports?|action\s+plans?|plans?|platforms?|portals?|networks?|partnerships?|"
    r"programmes?|programs?|initiatives?|calls?|grants?|events?|conferences?|staff|officers?|"
    r"constables|FTEs?|full-time\s+equivalents?|posts|positions|employees|civil\s+servants|"
    r"researchers|nurses|teachers|doctors|meetings?|campaigns?|guidelines?|roadmaps?|"
    r"task\s*forces?|clusters?|test\s*beds?|demonstrators?|lighthouses?|one-stop\s+shops?|"
    r"shops?|offices?|apps?|websites?|databases?|courses?|trainings?|studies|publications?|"
    r"papers?|patents?|secretariats?|agencies|councils?|committees?|boards?|hackathons?|"
    r"accelerators?|incubators?|testbeds?|consortia|consortium|missions?\s+platforms?|"
    r"(?:LED\s+)?lighting|equipment|devices|sensors|chargers|charging\s+points|IT\s+systems?"
)
OUTPUT_NOUN = _rx(_OUTPUT_NOUN)
OUTPUT_VERB = _rx(
    r"set\s+up establish\w* launch\w* publish\w* create[sd]? open(?:s|ed)? hold(?:s|ing)?",
    r"organi[sz]\w+ fund(?:s|ed|ing)? financ\w+ adopt\w* draft\w* install\w* fit(?:ted)?",
    r"train(?:s|ed|ing)? recruit\w* hir(?:e|ed|ing) digiti[sz]\w+ digitali[sz]\w+ automat\w+",
    r"roll\s+out deploy\w* develop(?:s|ed|ing)? prepar(?:e|es|ed|ing) draw\s+up write",
)
INPUT_WORDS = _rx(
    r"(?:(?:r&d|research|public|total)\s+)?(?:spending|expenditure|budgets?|funding|investment)",
    r"full-time\s+equivalents? FTEs? additional\s+(?:staff|officers|nurses|teachers|posts)",
    r"capacity\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,3}(?:agency|ministry|department|council|municipality)",
)

# ---------------------------------------------------------------- bureaucratic jargon
JARGON = _rx(
    r"synerg(?:y|ies) leverag\w+ ecosystems? holistic frameworks? overarching",
    r"mainstream(?:ing)? capacity[\s-]building value\s+chains? paradigms? enablers?",
    r"cross-cutting deliverables? KPIs? operationali[sz]\w+ interoperab\w+ streamlin\w+",
    r"upscal\w+ (?:triple|quadruple)\s+helix best\s+practices? actionable",
    r"relevant\s+(?:actors|stakeholders) key\s+actors stakeholders? with\s+a\s+view\s+to",
    r"in\s+close\s+cooperation\s+with within\s+the\s+framework\s+of in\s+accordance\s+with",
    r"programming\s+period awareness-raising calls\s+for\s+proposals going\s+forward",
    r"modalities instruments coherence strategic optimi[sz]\w+ governance",
    r"taking\s+into\s+account targeted Maßnahmen Rahmenbedingungen indsatsområde\w*",
    r"rammevilkår",
)

# ---------------------------------------------------------------- ambition and end states
AMBITION = _rx(
    r"restor\w+ transform\w* revolutioni[sz]\w+ eliminat\w+ eradicat\w+ conquer\w*",
    r"break\s+down reali[sz]ation world['’]s\s+first zero net[\s-]?zero",
    r"(?<!leaves\s)(?<!leave\s)no\s+one(?!\s+behind) nobody \w+-free rid beat\w* save overcome",
)
# Breadth of who benefits ("every area", "everyone") adds to ambition even without a size.
SCOPE = _rx(
    r"every(?:one|body)? all whole\s+(?:country|nation|region|city) alle alla tod[oa]s",
)

# ---------------------------------------------------------------- domains (outcomes people care about)
DOMAIN = _rx(
    r"climate\w* emissions? greenhouse CO2\w* carbon net[\s-]?zero fossil\w* renewables?",
    r"energy plastics? pollution air waste landfill circular recycl\w+ oceans? seas? waters?",
    r"drinking\s+water biodiversity nature species soils? forests? trees predators? pests?",
    r"rats possums food hunger hungry nutrition\w* diet obesity health\w* diseases? cancers?",
    r"stroke heart HIV infections? mortality deaths? die killed injured lives",
    r"life\s+expectancy mental\s+health loneliness well-?being care smok\w+ smokefree alcohol",
    r"dementia poverty poor\w* homeless\w* sleeping\s+rough housing homes? inequalit\w+",
    r"deprivation inclusi\w+ diversity diverse opportunit\w+ children child young\s+people",
    r"youth school\s+readiness education qualifications schools? literacy reads? learn\w*",
    r"employment jobs? unemploy\w+ labour\s+market mobility transport\w* traffic roads?",
    r"cycling cars vans vehicles freight rail shipping ships fleet cities city urban parks?",
    r"green\s+spaces? streets estates crime safety violence sustainab\w+ resilien\w+",
    r"green\s+transition society societal communit(?:y|ies) older\s+people elderly residents",
    r"environment\w* wildlife greener",
    # da / de / sv / nl / pt / fr / es / it / fi
    r"klima\w* drivhus\w* udled\w* sundhed\w* fattigdom trafik\w* unge børn uddannelse job",
    r"omstilling Treibhaus\w* Klima\w* Gesundheit Medizin Armut Kind(?:er)? Verkehr\w*",
    r"Patient\w* Emissionen Elektrofahrzeuge växthusgas\w* utsläpp\w* hälsa fattigdom trafiken",
    r"transporter stadsutveckling klimaat\w* verkeersdoden gezondheid armoede emiss(?:ões|oes)",
    r"estufa mortes estradas água saneamento pobreza saúde fome personnes\s+sans\s+domicile",
    r"logement santé pauvreté hogar\w* energética morti lavoro salute povertà hiilineutraali",
    r"asunnottomuus terveys",
    # physical activity, ageing, homelessness, farming and nature, in the languages we read
    r"physical(?:ly)?\s+active physical\s+activity fysisk\w*\s+aktiv\w* bevægelse",
    r"körperlich\w* bewegen ageing aging grow\s+old older hjemløs\w* obdachlos\w*",
    r"Wohnungslos\w* hemlös\w* dakloo?s\w* op\s+straat sem-abrigo farming farmland",
    r"agricultur\w* organic pesticides? antibiotics? antimicrobial landbrug\w* Landwirtschaft",
    r"jordbruk\w* landbouw\w* agricultura just\s+transition vaccin\w+ asthma disabilit\w+",
    r"loneliness ensomhed Einsamkeit ensamhet eenzaamheid solidão",
)
# Economic-structure indicators: not an outcome most people feel ("share of GDP", "exports").
ECONOMIC = _rx(
    r"GDP PIB BIP BNP exports? competitiveness market\s+share productivity participa[cç][aã]o",
    r"agroindustrial agropecu[aá]rio value\s+added",
)

# ---------------------------------------------------------------- actors (cross-sectoral)
ACTORS: dict[str, re.Pattern[str]] = {
    "public": _rx(
        r"government\w* ministr\w+ municipalit\w+ councils? local\s+authorit\w+",
        r"public\s+(?:sector|authorit\w+|bodies|agencies|institutions|services) the\s+state",
        r"agenc(?:y|ies) regions?\s+and\s+communities kommune\w* Kommunen Staat staten",
        r"gemeenten? overheid governo município\w*",
    ),
    "private": _rx(
        r"business(?:es)? compan(?:y|ies) firms? industry industries private\s+sector",
        r"employers? retailers? manufactur\w+ investors? enterprises? SMEs start-?ups shops",
        r"restaurants food\s+businesses developers utilities operators virksomheder",
        r"erhvervsliv\w* Unternehmen Wirtschaft Industrie företag näringsliv\w* bedrijven",
        r"bedrijfsleven empresas setor\s+privado entreprises imprese yritykset",
    ),
    "research": _rx(
        r"universit\w+ research\w* academ\w+ knowledge\s+institutions scientists? science R&D",
        r"R&I innovation Forschung forskning onderzoek pesquisa investigação recherche",
        r"investigación ricerca tutkimus",
    ),
    "civil_society": _rx(
        r"civil\s+society NGOs? charit\w+ non-?profits? voluntary volunteers? foundations?",
        r"philanthrop\w+ community\s+(?:groups|organi[sz]ations|kitchens) sports\s+clubs",
        r"(?:trade\s+)?unions associations civilsamfund\w* Zivilgesellschaft civilsamhälle\w*",
        r"maatschappelijke sociedade\s+civil",
    ),
    "citizens": _rx(
        r"citizens? residents? households? famil(?:y|ies) parents patients consumers?",
        r"communit(?:y|ies) everyone everybody young\s+people pupils students people borgere",
        r"Bürger\w* medborgare burgers cidadãos citoyens ciudadanos cittadini kansalaiset",
    ),
    "services": _rx(
        r"hospitals? GPs? schools? care\s+homes? clinics? doctors nurses teachers police",
        r"Universit\w*kliniken Versorgung Krankenh\w+",
    ),
}
TOGETHER = _rx(
    r"together\s+with in\s+partnership\s+with working\s+with across\s+(?:all\s+)?sectors",
    r"cross-sector\w* whole[\s-]of[\s-]society all\s+of\s+society with\s+partners",
    r"across\s+society på\s+tværs sektorübergreifend tvärsektoriell\w*",
)
# Cues that the outcome sits inside one organisation, one technology or one sector.
INTERNAL = _rx(
    r"(?:municipal|council|ministry|department|agency|our|internal)\s+(?:employees|staff|workforce|"
    r"buildings|processes|IT) civil\s+servants public\s+servants case\s+handling",
    r"processing\s+times? building\s+permits sick\s+leave in\s+the\s+Ministry\s+of",
    r"owned\s+by\s+the\s+(?:ministry|municipality|council|agency) in\s+the\s+public\s+sector",
    r"our\s+(?:staff|employees|organi[sz]ation) mission\s+secretariat",
    r"(?:municipality|council|ministry|agency|department|organi[sz]ation|government)['’]s\s+own",
    r"our\s+own",
    r"(?:capacity|staff|budget|workforce)\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,3}(?:agency|ministry|department|council|municipality)",
)
# Too narrow to inspire: process measures and service routines ("two baths a week").
NARROW = _rx(
    r"(?:waiting|processing|response|handling)\s+times? wait\s+for",
    r"(?:a|per)\s+(?:week|day|month) times\s+a\s+(?:week|day|month|year) baths? sick\s+leave",
    r"case\s+handling building\s+permits LED\s+lighting waiting\s+lists?",
)
TECH = _rx(
    r"robots? robotics quantum computers? AI artificial\s+intelligence semiconductors? chips?",
    r"supercomput\w+ fusion reactors? rockets? satellites? spacecraft Moon Mars hydrogen",
    r"batter(?:y|ies) clean\s+tech\w* technolog\w+ digital\s+solutions design\s+thinking",
)
SECTOR_SUBJECT = _rx(
    r"(?:of|in|for|among)\s+(?:the\s+)?(?:region['’]s\s+|our\s+|local\s+)?(?:SMEs|small\s+and\s+medium"
    r"-sized\s+enterprises|companies|firms|businesses|start-?ups|manufacturing\s+companies|"
    r"manufacturers|industry|\w+\s+sector) no\s+setor\s+\w+ do\s+setor\s+\w+ \w*wirtschaft",
    r"\w*sektor\w* exports? competitiveness",
)

# ---------------------------------------------------------------- vague end states
# Predicates too broad to check even with "all"/"every" in front ("all children should be well").
VAGUE_STATE = _rx(
    r"be\s+well (?:are|is|be)\s+happy thriv\w+ flourish\w* prosper\w* better\s+off",
    r"a\s+good\s+life well-?being fairer greener for\s+everyone",
)
