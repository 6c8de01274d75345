"""Mission checker (issue #3): four criteria, mission-washing signals, findings with spans.

    check_statement(statement, settings, retriever=..., llm=..., today=...) -> CheckResult
    render.render_check(result, color=False) -> str
    docs.find_mission_candidates(document) -> [(statement, locator)]
    evaluate.run_check_eval(cases, report, settings) -> (summary, metrics)

The default path imports no model, store or llama-index: only regular expressions and pydantic.
"""

from missionrag.check.core import CRITERIA, check_statement

__all__ = ["CRITERIA", "check_statement"]
