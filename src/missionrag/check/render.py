"""Human output for ``missionrag check``: a criteria table, the statement with its findings
highlighted, then advice, rewrite, sources and similar missions.

With ``color=True`` spans are coloured by severity (ANSI); without, they are wrapped in
[brackets] followed by footnote numbers that point at the findings list, so the output survives
pipes, logs and screen readers.
"""

from __future__ import annotations

import textwrap

from missionrag.models import CheckResult, Finding

LABELS = {
    "bold": "Bold",
    "measurable": "Measurable",
    "time_bound": "Time-bound",
    "cross_sectoral": "Cross-sectoral",
}
_SEVERITY_COLOR = {"error": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
_RESET, _BOLD, _DIM, _GREEN, _RED = "\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[32m", "\x1b[31m"
_SUP = str.maketrans("0123456789,", "⁰¹²³⁴⁵⁶⁷⁸⁹˒")
_RANK = {"error": 0, "warning": 1, "info": 2}
WIDTH = 88


def _c(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _groups(findings: list[Finding], n: int) -> list[tuple[int, int, list[int]]]:
    """Merge overlapping spans into highlight groups of (start, end, finding numbers)."""
    spans = sorted(
        ((f.start, f.end, i + 1) for i, f in enumerate(findings) if 0 <= f.start < f.end <= n),
        key=lambda x: (x[0], -x[1]),
    )
    groups: list[tuple[int, int, list[int]]] = []
    for s, e, num in spans:
        if groups and s < groups[-1][1]:
            gs, ge, nums = groups[-1]
            groups[-1] = (gs, max(ge, e), [*nums, num])
        else:
            groups.append((s, e, [num]))
    return groups


def highlight(statement: str, findings: list[Finding], color: bool = False) -> str:
    """The statement with every finding's span marked (colour, or [brackets] and footnotes)."""
    out: list[str] = []
    pos = 0
    for s, e, nums in _groups(findings, len(statement)):
        out.append(statement[pos:s])
        piece = statement[s:e]
        if color:
            worst = min((findings[i - 1].severity for i in nums), key=lambda sev: _RANK[sev])
            out.append(
                f"{_SEVERITY_COLOR[worst]}{piece}{_RESET}{_DIM}{','.join(map(str, nums)).translate(_SUP)}{_RESET}"
            )
        else:
            out.append(f"[{piece}]{','.join(map(str, nums)).translate(_SUP)}")
        pos = e
    out.append(statement[pos:])
    return "".join(out)


def _wrap(text: str, indent: str = "  ") -> str:
    return (
        textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")
        if text
        else ""
    )


def render_check(result: CheckResult, color: bool = False) -> str:
    lines: list[str] = []
    head = f"Mission check  overall {result.overall:.2f}  ({result.mode})"
    lines += [_c(head, _BOLD, color), ""]
    lines += _criteria_table(result, color)
    lines += _washing(result, color)
    lines += [
        "",
        _c("Statement", _BOLD, color),
        _wrap(highlight(result.statement, result.findings, color)),
    ]
    if result.findings:
        lines.append("")
        for i, f in enumerate(result.findings, 1):
            sev = _c(f.severity, _SEVERITY_COLOR[f.severity], color)
            tail = f" → {f.suggestion}" if f.suggestion else ""
            lines.append(_wrap(f"{i}. {f.rule} ({sev}): {f.message}{tail}"))
    lines += _guidance(result, color)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _criteria_table(result: CheckResult, color: bool) -> list[str]:
    lines = [f"  {'':2}{'criterion':<16}{'score':>6}  evidence"]
    for name, c in result.criteria.items():
        mark = _c("✓", _GREEN, color) if c.passed else _c("✗", _RED, color)
        evidence = "; ".join(f"“{e}”" for e in c.evidence[:3])
        if len(evidence) > WIDTH - 28:
            evidence = evidence[: WIDTH - 29] + "…"
        lines.append(f"  {mark} {LABELS.get(name, name):<16}{c.score:>5.2f}  {evidence}")
    return lines


def _washing(result: CheckResult, color: bool) -> list[str]:
    """The washing risk and its signals, then an existing mission or a relabelled target."""
    w = result.mission_washing
    flag = _c("FLAGGED", _RED + _BOLD, color) if w.flagged else "not flagged"
    lines = ["", f"  Mission washing: risk {w.risk:.2f}, {flag}"]
    lines += [_wrap(f"- {s}", "    ") for s in w.signals]
    if result.existing_mission:
        e = result.existing_mission
        lines += ["", _c("Existing mission", _BOLD, color), _wrap(e.message), _wrap(f"“{e.text}”")]
    if result.relabelling:
        r = result.relabelling
        where = (r.title or r.source) + (f", {r.locator}" if r.locator else "")
        lines += ["", _c("Relabelling: your target already stands as a commitment", _BOLD, color)]
        lines += [_wrap(f"Your draft:   “{r.draft_target}”"), _wrap(f"{where}: “{r.existing}”")]
        if r.matched:
            lines.append(_wrap("Same " + ", ".join(f"{k} ({v})" for k, v in r.matched.items())))
    return lines


def _guidance(result: CheckResult, color: bool) -> list[str]:
    """Advice, the rewrite, sources, similar missions, the model used and the notes."""
    lines: list[str] = []
    advice = [(n, c.advice) for n, c in result.criteria.items() if c.advice]
    if advice:
        lines += ["", _c("Advice", _BOLD, color)]
        lines += [_wrap(f"- {LABELS.get(n, n)}: {a}") for n, a in advice]
    if result.suggested_rewrite:
        lines += ["", _c("Suggested rewrite", _BOLD, color), _wrap(result.suggested_rewrite)]
    if result.sources:
        lines += ["", _c("Sources", _BOLD, color)]
        for s in result.sources:
            where = f"{s.title or s.source}" + (f", {s.locator}" if s.locator else "")
            about = f" [{LABELS.get(s.criterion or '', s.criterion)}]" if s.criterion else ""
            lines.append(_wrap(f"- {where}{about}: “{s.quote}”"))
    if result.similar_missions:
        lines += ["", _c("Similar strong missions", _BOLD, color)]
        for m in result.similar_missions:
            year = f", {m.year}" if m.year else ""
            lines.append(_wrap(f"- “{m.text}” ({m.issuer}{year})"))
    if result.model:
        lines += ["", f"  Judged by the learned model ({result.model}); rubric: docs/rubric.md"]
    if result.notes:
        lines += ["", _c("Notes", _BOLD, color)]
        lines += [_wrap(f"- {n}") for n in result.notes]
    return lines
