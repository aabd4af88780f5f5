"""The one typed result of a scored assessment: what scoring stored, as every page, export, PDF and the API read it.

Writer and readers share this structure and its field names:

- scoring (`services.assessment_score`) builds a `StoredResult` from the engine's output (`result_from_scoring`)
  and writes it: `StoredResult.result_fields()` is the `AssessmentResult` row, `StoredResult.score_rows()` the
  `Score` rows (one per area, sub-area and question, in framework order, each with its ``details``);
- readers get it from `selectors.result_for(assessment=)` or `selectors.results_for(assessments=)`, which read
  every row of any number of results in a constant number of queries and build each in one pass
  (`result_from_rows`; Sentry's ``get_attrs`` idea): the result page, the dashboards' chart inputs and risk table,
  the PDF, the scores export, the API's results and the roadmap (`StoredResult.as_scoring_result()` gives the
  engine's `Result` back, so that the roadmap is planned from the stored scores, never from a second scoring).

The package is split along those seams: `model` (the dataclasses and how each part is shown), `build` (building
a result from the engine's output or from the rows), `rows` (the rows as stored), `engine` (the engine's result
read back). To add a field to a result: add it to the dataclass (`model`), fill it in `result_from_scoring` and
`result_from_rows` (`build`) and store it (`rows`); the round-trip test (`tests/test_results.py`) then checks
that writer and readers agree.

Display rules live here only. Fields keep the engine's full precision; the ``shown_*`` properties round a score
with `scoring.round_score` (one decimal, half away from zero), the ``*_text`` ones spell it out ("not scored"
when there is none) and the ``*_pct`` ones are whole percentages (`scoring.percent`). A fact without a value
reads `NOT_RECORDED` wherever it is shown.
"""

from .build import result_from_rows, result_from_scoring
from .model import (
    NOT_RECORDED,
    NOT_SCORED,
    RISKY,
    EvidenceFact,
    FactRecord,
    ResultArea,
    ResultQuestion,
    ResultSubarea,
    RiskRow,
    StoredResult,
    score_text,
    shown_score,
)
from .rows import RESULT_FIELDS, SCORE_FIELDS, model_fields

__all__ = [
    "NOT_RECORDED",
    "NOT_SCORED",
    "RESULT_FIELDS",
    "RISKY",
    "SCORE_FIELDS",
    "EvidenceFact",
    "FactRecord",
    "ResultArea",
    "ResultQuestion",
    "ResultSubarea",
    "RiskRow",
    "StoredResult",
    "model_fields",
    "result_from_rows",
    "result_from_scoring",
    "score_text",
    "shown_score",
]
