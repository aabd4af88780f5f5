"""Everything one PDF report says, and the rows of the data exports, split by part of the report:

- `content`: `report_content(assessment=...)`, what the report prints (the stored result read as the one typed
  result, `assessments.results.StoredResult`; each area with its roadmap actions; the roadmap; every answer);
- `summary`: the executive summary, generated from the stored result: it states only numbers the result holds;
- `capacity`: the capacity chapter (the inventory's capacity, energy, cost and carbon today, with assumptions);
- `charts`: `report_charts`, the dashboards' own figures, so that a report and the pages draw the same charts;
- `rows`: the scores and answers datasets of the data exports;
- `text`: how numbers and text are spelled out.

The package re-exports every name, so ``from reports.report_data import report_content`` works whichever module
holds it.
"""

from assessments.scoring import level_label

from .capacity import ASSUMPTIONS, Assumption, CapacitySection, SiteRow, VerdictRow, capacity_section
from .charts import ASSESSMENT_CHARTS, GANTT_ROWS_PER_CHART, INVENTORY_CHARTS, gantt_parts, report_charts
from .content import (
    CLOSED_STATUSES,
    ActionRow,
    AnswerRow,
    AppendixGroup,
    AreaSection,
    NotScored,
    ReportContent,
    report_content,
)
from .rows import ANSWER_COLUMNS, SCORE_COLUMNS, answer_rows, score_rows
from .summary import SUMMARY_ITEMS, TOP_ACTIONS, Summary, SummaryLine, executive_summary
from .text import WHY_LENGTH, for_print, number_text, plural, safe_link, score_text, shorten

__all__ = [
    "for_print",
    "ANSWER_COLUMNS",
    "ASSESSMENT_CHARTS",
    "ASSUMPTIONS",
    "CLOSED_STATUSES",
    "GANTT_ROWS_PER_CHART",
    "INVENTORY_CHARTS",
    "SCORE_COLUMNS",
    "SUMMARY_ITEMS",
    "TOP_ACTIONS",
    "WHY_LENGTH",
    "ActionRow",
    "AnswerRow",
    "AppendixGroup",
    "AreaSection",
    "Assumption",
    "CapacitySection",
    "NotScored",
    "ReportContent",
    "SiteRow",
    "Summary",
    "SummaryLine",
    "VerdictRow",
    "answer_rows",
    "capacity_section",
    "executive_summary",
    "gantt_parts",
    "level_label",
    "number_text",
    "plural",
    "report_charts",
    "report_content",
    "safe_link",
    "score_rows",
    "score_text",
    "shorten",
]
