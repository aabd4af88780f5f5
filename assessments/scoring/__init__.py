"""InfraReady scoring engine: turn answers to a framework into readiness scores.

Pure Python 3.11, no Django import: the module can be imported, tested and reasoned about on its own.
The full description, with a worked example, lives in ``docs/scoring.md``; this docstring is the summary.

Method
------
1. **Normalize** every answer to a score ``s`` in [0, 100] (``docs/framework-format.md``)::

       maturity   s = 25 * level                                  level in 0..4
       yes_no     s = yes_score  if yes,  100 - yes_score  if no
       choice     s = score of the chosen option
       numeric    s = clamp(100 * (v - zero_score_at) / (full_score_at - zero_score_at), 0, 100)

   A "not applicable" (N/A) answer and an unanswered question have no score.

2. **Sub-area score** = weighted mean over its *scored* questions (question weights ``w_q``)::

       S_sub = sum(w_q * s_q) / sum(w_q)

   N/A and unanswered questions are left out of numerator *and* denominator.

3. **Area score** = weighted mean of its sub-area scores (sub-area weights ``W_sub``) over the sub-areas
   that have a score::

       S_area = sum(W_sub * S_sub) / sum(W_sub)

4. **Readiness index** = weighted mean of the area scores (area weights ``W_area``) over areas with a score::

       I = sum(W_area * S_area) / sum(W_area)

   Any level with nothing scored below it has score ``None``.

5. **Maturity level** of the index and of each area: ``level = min(5, floor(score / 20) + 1)``, i.e.
   1 Initial [0, 20), 2 Developing [20, 40), 3 Defined [40, 60), 4 Managed [60, 80), 5 Optimized [80, 100].
   A score exactly on a boundary belongs to the upper level; 100 is level 5.
   ``gap = max(0, target_level - level)``.

6. **Risk** of a question (``s`` its score, ``w`` its weight inside the sub-area)::

       s <  25  and w >= 1.5  -> high
       s <  25                -> medium
       s <  50  and w >= 1.5  -> medium
       otherwise              -> none

   If ``s < 50`` and the framework file sets ``risk:`` on the question, that value replaces the computed
   one (even if it is lower). ``s >= 50``, N/A and unanswered are always ``none``.

7. **Confidence** of an area (and overall)::

       answered_share = (scored + N/A) / questions
       evidence_share = answers with source == "inventory" / (scored + N/A)
       confidence     = answered_share * (1 - 0.5 * expired evidence / evidence items)   (``confidence_share``)

8. **Evidence** (used when an inventory fact checks a self-assessed answer)::

       blend(self, evidence, k=EVIDENCE_WEIGHT) = (1 - k) * self + k * evidence     (EVIDENCE_WEIGHT = 0.5)
       contradiction(self, evidence, t=30)     = |self - evidence| > t

Arithmetic
----------
All means are computed in exact rational numbers (:class:`fractions.Fraction`); every input number is
taken at its shortest decimal spelling (the float ``1.2`` means 6/5), and each result is converted to
``float`` once, at the end. So a sub-area whose answers all score ``s`` scores exactly ``s``, a mean never
leaves the range of its inputs, and a hand-computed 40.0 is not turned into 39.99999999999999 (level 2).
The engine never rounds; :func:`round_score` rounds to one decimal for display only.

Layout
------
The engine is split along its seams; this package re-exports every public name, so
``from assessments.scoring import score_assessment`` works whichever submodule holds it:

* ``base``: answer/question/source types, the constants, ``Risk`` and ``MaturityLevel``, and the exact
  (:class:`fractions.Fraction`) arithmetic helpers the other modules share;
* ``framework``: the framework model (``Framework`` -> ``Area`` -> ``SubArea`` -> ``Question``) and its parsing
  from the YAML dict;
* ``answers``: ``Answer`` and the normalization of an answer to a 0-100 score (step 1);
* ``levels``: maturity level of a score, risk of an answer, and display helpers (labels, percentages, rounding);
* ``results``: the typed result of a scoring run (question, sub-area, area, overall, confidence);
* ``questionnaire``: ``score_assessment``, the weighted means of steps 2-7;
* ``evidence``: blending and contradiction (step 8) and ``score_evidence``.
"""

from .answers import Answer, normalize
from .base import (
    CONTRADICTION_THRESHOLD,
    EVIDENCE_WEIGHT,
    HIGH_WEIGHT_THRESHOLD,
    LEVEL_WIDTH,
    LOW_SCORE_THRESHOLD,
    MATURITY_STEP,
    RISK_SCORE_THRESHOLD,
    AnswerStatus,
    AnswerValue,
    MaturityLevel,
    QuestionType,
    Risk,
    Source,
)
from .evidence import AreaEvidence, EvidenceResult, blend, contradiction, score_evidence
from .framework import (
    Area,
    Framework,
    NumericSpec,
    Option,
    Question,
    Recommendation,
    SubArea,
    in_currency,
    with_units_renamed,
)
from .levels import level_for_score, level_label, percent, question_risk, round_score
from .questionnaire import score_assessment
from .results import (
    EXPIRED_EVIDENCE_PENALTY,
    AreaResult,
    Confidence,
    OverallResult,
    QuestionResult,
    Result,
    SubAreaResult,
    confidence_share,
)

__all__ = [
    "CONTRADICTION_THRESHOLD",
    "EVIDENCE_WEIGHT",
    "HIGH_WEIGHT_THRESHOLD",
    "LEVEL_WIDTH",
    "LOW_SCORE_THRESHOLD",
    "MATURITY_STEP",
    "RISK_SCORE_THRESHOLD",
    "Answer",
    "AreaEvidence",
    "EvidenceResult",
    "AnswerStatus",
    "AnswerValue",
    "Area",
    "AreaResult",
    "Confidence",
    "EXPIRED_EVIDENCE_PENALTY",
    "confidence_share",
    "Framework",
    "MaturityLevel",
    "NumericSpec",
    "Option",
    "OverallResult",
    "Question",
    "QuestionResult",
    "QuestionType",
    "Recommendation",
    "Result",
    "Risk",
    "Source",
    "SubArea",
    "SubAreaResult",
    "blend",
    "in_currency",
    "contradiction",
    "level_for_score",
    "level_label",
    "normalize",
    "percent",
    "question_risk",
    "round_score",
    "score_assessment",
    "score_evidence",
    "with_units_renamed",
]
