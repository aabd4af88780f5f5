"""Data exports: what the rows hold, and cells a spreadsheet would run as formulas neutralized in CSV and XLSX."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from assessments.models import Answer, AssessmentResult, ScoreScope
from assessments.selectors import ROADMAP_COLUMNS
from reports import exports, report_data

from .report_fixtures import scored_assessment

FORMULAS = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "'=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_text_a_spreadsheet_would_run_gets_a_quote(text):
    cell = exports.xlsx_cell(text)
    assert cell.startswith("'"), repr(text)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, None),
        (True, True),
        (3, 3),
        (2.5, 2.5),
        ("plain", "plain"),
        ("bell\x07and\x00nul", "bellandnul"),
        (["a", 1], '["a", 1]'),
        ("x" * 40_000, "x" * 32_767),
    ],
)
def test_cells(value, cell):
    assert exports.xlsx_cell(value) == cell


def test_a_workbook_keeps_text_as_text():
    data = exports.xlsx_bytes([("Odd [name]: *?/\\ that is long", ("a", "b"), [{"a": "=2*3", "b": 4}, {"a": "ok"}])])
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Odd  name        that is long"[:31]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["a", "b"], ["'=2*3", 4], ["ok", None]]
    assert sheet["A2"].data_type == "s"
    assert sheet["A1"].font.b


@pytest.mark.django_db
class TestAssessmentRows:
    @pytest.fixture
    def scored(self, organization, assessor):
        return scored_assessment(organization, assessor)

    def test_scores_are_the_stored_ones_rounded_with_names(self, scored):
        rows = report_data.score_rows(assessment=scored)
        result = AssessmentResult.objects.get(assessment=scored)
        stored = list(result.scores.all())
        assert len(rows) == len(stored)
        assert [row["ref"] for row in rows] == [s.ref for s in stored]
        area = next(row for row in rows if row["scope"] == ScoreScope.AREA)
        score = next(s for s in stored if s.ref == area["ref"])
        assert area["score"] == round(score.score, 1)
        assert area["name"] == "Hardware Limitations"
        assert area["level_name"]
        assert area["answered_share"] == 1.0
        question = next(row for row in rows if row["scope"] == ScoreScope.QUESTION)
        assert question["subarea"]
        assert question["status"] == "scored"
        assert question["name"].endswith("?")

    def test_answers_list_every_question_with_its_answer_note_and_evidence(self, scored):
        first = scored.answers.order_by("question_id").first()
        Answer.objects.filter(pk=first.pk).update(note="Checked on site", evidence_url="https://wiki.example.com/x")
        rows = report_data.answer_rows(assessment=scored)
        assert len(rows) == scored.framework.question_count
        row = next(r for r in rows if r["question_id"] == first.question_id)
        assert (row["note"], row["evidence_url"], row["answered_by"]) == (
            "Checked on site",
            "https://wiki.example.com/x",
            "arjun",
        )
        assert row["answer"]
        assert row["updated"]

    def test_an_export_names_its_file_and_keeps_the_columns(self, scored):
        export = exports.assessment_export(assessment=scored, dataset="roadmap", file_format="json")
        assert export.filename == f"acme-ai-{scored.pk}-readiness-2026-roadmap.json"
        data = json.loads("".join(export.content))
        assert data
        assert list(data[0]) == list(ROADMAP_COLUMNS)

    @pytest.mark.parametrize(("dataset", "fmt"), [("scores", "pdf"), ("users", "csv"), ("scores", "")])
    def test_unknown_dataset_or_format(self, scored, dataset, fmt):
        with pytest.raises(exports.ExportRejected):
            exports.assessment_export(assessment=scored, dataset=dataset, file_format=fmt)

    def test_a_draft_has_answers_but_no_scores(self, scored):
        type(scored).objects.filter(pk=scored.pk).update(status="draft")
        AssessmentResult.objects.filter(assessment=scored).delete()
        assert report_data.score_rows(assessment=scored) == []
        assert len(report_data.answer_rows(assessment=scored)) == scored.framework.question_count
