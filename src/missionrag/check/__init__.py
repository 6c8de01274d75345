"""Mission checker (docs/rubric.md): four criteria, mission washing, evidence spans, advice.

    check_statement(statement, settings, retriever=..., llm=..., today=...) -> CheckResult
    render.render_check(result, color=False) -> str
    docs.mission_candidates(document) -> [Candidate] (best first)

The default path loads the learned heads (numpy) and, once prepared, the ONNX embedding model;
never torch, Chroma, llama-index or scikit-learn.
"""

from missionrag.check.core import CRITERIA, check_statement

__all__ = ["CRITERIA", "check_statement"]
