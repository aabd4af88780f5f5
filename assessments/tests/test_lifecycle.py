"""Issue 18: framework upgrades (1.0 → 1.1), the answers' and roadmap items' history, evidence that expires."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments import scoring, selectors, services, upgrades
from assessments.framework_files import (
    DEFAULT_FRAMEWORK_FILE,
    FRAMEWORK_1_1_FILE,
    FRAMEWORK_1_2_FILE,
    FRAMEWORK_1_3_FILE,
    FRAMEWORK_1_4_FILE,
    read_framework,
)
from assessments.models import Answer, Assessment, AssessmentStatus, Evidence, Framework, RoadmapItem
from assessments.tests.factories import answer_all, good_value, start_assessment
from config.errors import Invalid
from config.testing import api_errors

pytestmark = pytest.mark.django_db

OLD = scoring.Framework.from_dict(read_framework(DEFAULT_FRAMEWORK_FILE.read_bytes()))
NEW_DEFINITION = read_framework(FRAMEWORK_1_1_FILE.read_bytes())
NEW = scoring.Framework.from_dict(NEW_DEFINITION)
TODAY = timezone.localdate()
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api(name: str, *args) -> str:
    return reverse(f"api:assessments:assessment-{name}", args=args)


def _copied(framework: Framework, version: str) -> dict:
    """A framework row's fields, to store it again as another version."""
    fields = ("slug", "title", "description", "digest", "question_count")
    return {name: getattr(framework, name) for name in fields} | {
        "version": version,
        "definition": {**framework.definition, "version": version},
    }


def submitted(organization, user, **values) -> Assessment:
    assessment = start_assessment(organization=organization, user=user, title="Readiness 2025")
    answer_all(assessment, user)
    if values:
        services.answers_save(
            assessment=assessment, items=[services.AnswerInput(k, v) for k, v in values.items()], user=user
        )
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SCORED)
    assessment.refresh_from_db()
    return assessment


# --- framework upgrades ---------------------------------------------------------------------------------------------


class TestUpgradePlan:
    def test_version_1_1_declares_its_changes_from_1_0(self):
        plan = upgrades.plan_upgrade(OLD, NEW, NEW_DEFINITION["upgrade"])
        kinds = {(c.kind, c.new_id or c.old_ids[0]) for c in plan.notable}
        assert kinds == {
            ("split", "DM-STOR-03"),
            ("split", "DM-STOR-04"),
            ("split", "LAT-GEO-03"),
            ("split", "LAT-GEO-05"),
            ("reworded", "CO-OPEX-02"),
            ("merged", "IN-RND-04"),
            ("removed", "TAL-TRN-02"),
            ("new", "EN-COST-05"),
            ("new", "IN-RND-05"),
            ("new", "TAL-TRN-04"),
        }
        assert len(plan.of_kind("unchanged")) == 68
        assert [a.id for a in OLD.areas] == [a.id for a in NEW.areas]  # the trend compares area by area

    def test_version_1_2_adds_the_measured_telemetry_questions_to_1_1(self):
        definition = read_framework(FRAMEWORK_1_2_FILE.read_bytes())
        plan = upgrades.plan_upgrade(NEW, scoring.Framework.from_dict(definition), definition["upgrade"])
        assert {(c.kind, c.new_id) for c in plan.notable} == {
            ("new", "HW-PP-05"),
            ("new", "EN-COST-06"),
            ("new", "EN-COST-07"),
            ("new", "SC-DRA-05"),
            ("new", "SC-DRA-06"),
        }
        assert len(plan.of_kind("unchanged")) == 77  # every 1.1 question keeps its id and its answer

    def test_version_1_3_words_en_cost_05_for_a_fleet_measured_in_part_and_gives_co_opex_01_a_currency(self):
        v12 = read_framework(FRAMEWORK_1_2_FILE.read_bytes())
        v13 = read_framework(FRAMEWORK_1_3_FILE.read_bytes())
        old, new = scoring.Framework.from_dict(v12), scoring.Framework.from_dict(v13)
        plan = upgrades.plan_upgrade(old, new, v13["upgrade"])
        assert {(c.kind, c.new_id) for c in plan.notable} == {("reworded", "EN-COST-05"), ("reworded", "CO-OPEX-01")}
        assert len(plan.of_kind("unchanged")) == 80  # with the two reworded, all 82 keep their id and their answer

        def without_labels(framework):
            return [
                (q.id, q.type, q.weight, q.inventory_fact, [(o.id, o.score) for o in q.options])
                for q in framework.questions()
            ]

        assert without_labels(new) == without_labels(old)  # same ids, options and scores: same results in euros
        cost = new.question("CO-OPEX-01").numeric
        assert (cost.full_score_at, cost.zero_score_at, cost.currency) == (60, 250, "EUR")
        assert old.question("CO-OPEX-01").numeric.currency == ""  # 1.2's thresholds in whatever the answer is in
        labels = {o.id: o.label for q in new.questions() if q.id == "EN-COST-05" for o in q.options}
        # The inventory pre-fills "sampled" when under half of the accelerators are measured continuously.
        assert labels["sampled"].startswith("Measured for part of the fleet, or only now and then")
        answer = {"EN-COST-05": upgrades.OldAnswer("EN-COST-05", "sampled")}
        carried = upgrades.carry_answers(plan, new, answer).answers
        assert [(a.question_id, a.value) for a in carried] == [("EN-COST-05", "sampled")]
        # The preview says what reads differently: CO-OPEX-01's words are the same, only its thresholds' currency is.
        changed = {c.new_id: c for c in plan.notable}
        assert changed["CO-OPEX-01"].same_text
        currency = "the thresholds' currency: none (read in the answer's currency) -> EUR"
        assert changed["CO-OPEX-01"].changed == (currency,)
        assert len(changed["EN-COST-05"].changed) == 1
        assert changed["EN-COST-05"].changed[0].startswith("an option: “Measured occasionally")
        assert "“Measured for part of the fleet, or only now and then" in changed["EN-COST-05"].changed[0]

    def test_what_changed_names_the_text_the_unit_and_the_thresholds(self):
        v12 = read_framework(FRAMEWORK_1_2_FILE.read_bytes())
        old = scoring.Framework.from_dict(v12)
        question = old.question("CO-OPEX-01")
        numeric = replace(question.numeric, unit="EUR/month", full_score_at=1500.5, zero_score_at=2500)
        new_question = replace(question, text="What does energy cost per accelerator a month?", numeric=numeric)
        assert upgrades._what_changed(question, new_question) == (
            "its text",
            "the unit: currency/month -> EUR/month",
            "the thresholds: full score at 60, none at 250 -> full score at 1,500.5, none at 2,500",
        )
        assert upgrades._what_changed(question, question) == ()

    def test_answers_carry_split_to_both_merged_take_the_lowest_removed_are_dropped(self):
        plan = upgrades.plan_upgrade(OLD, NEW, NEW_DEFINITION["upgrade"])
        old = {
            "DM-STOR-03": upgrades.OldAnswer("DM-STOR-03", True),
            "IN-RND-02": upgrades.OldAnswer("IN-RND-02", 3),
            "IN-RND-03": upgrades.OldAnswer("IN-RND-03", 1),
            "TAL-TRN-02": upgrades.OldAnswer("TAL-TRN-02", 40),
            "HW-PP-03": upgrades.OldAnswer("HW-PP-03", 2, note="quarterly"),
        }
        carried = {a.question_id: a for a in upgrades.carry_answers(plan, NEW, old).answers}
        assert set(carried) == {"DM-STOR-03", "DM-STOR-04", "IN-RND-04", "HW-PP-03"}
        assert carried["DM-STOR-04"].value is True
        assert carried["DM-STOR-04"].check
        assert (carried["IN-RND-04"].value, carried["IN-RND-04"].from_id) == (1, "IN-RND-03")
        assert (carried["HW-PP-03"].value, carried["HW-PP-03"].note, carried["HW-PP-03"].check) == (
            2,
            "quarterly",
            False,
        )

    def test_an_answer_the_new_question_does_not_take_is_not_carried(self):
        definition = {**NEW_DEFINITION, "upgrade": {"from_version": "1.0", "changes": [
            {"kind": "renamed", "from": ["HW-PP-03"], "to": ["EN-COST-05"]},
        ]}}  # fmt: skip
        plan = upgrades.plan_upgrade(OLD, NEW, definition["upgrade"])
        outcome = upgrades.carry_answers(plan, NEW, {"HW-PP-03": upgrades.OldAnswer("HW-PP-03", 2)})
        assert outcome.not_carried == ("EN-COST-05",)

    def test_a_declaration_is_checked_when_the_file_loads(self):
        problems = upgrades.declaration_problems({"changes": [{"kind": "split", "from": ["A"], "to": ["NOPE"]}]}, ["X"])
        assert ("upgrade.changes[0].to", "split takes at least 2 new question id(s)") in problems
        assert ("upgrade.changes[0].to[0]", "unknown question 'NOPE'") in problems


class TestReassessOntoANewerVersion:
    def test_every_version_is_loaded_and_new_assessments_start_on_the_newest(self):
        versions = set(Framework.objects.filter(organization=None).values_list("version", flat=True))
        # 1.2: measured telemetry; 1.3: EN-COST-05 reworded; 1.4: EN-COST-03 says the draw its fact measures
        assert versions == {"1.0", "1.1", "1.2", "1.3", "1.4"}
        assert selectors.default_framework().version == "1.4"

    def test_the_api_carries_the_mapped_answers_and_their_evidence(self, api_client_for, organization, assessor):
        previous = submitted(organization, assessor, **{"IN-RND-02": 4, "IN-RND-03": 2})
        Evidence.objects.create(
            organization=organization, assessment=previous, question_id="LAT-GEO-03", kind="link", title="DR test",
            url="https://wiki.example/dr", effective_date=TODAY - datetime.timedelta(days=400),
            expires_on=TODAY - datetime.timedelta(days=35),
        )  # fmt: skip
        client = api_client_for(assessor, organization)
        response = client.post(api("reassess", previous.pk), {"framework_version": "1.1"}, format="json")
        assert response.status_code == 201, response.json()
        new = Assessment.objects.get(pk=response.json()["id"])
        assert (new.framework.version, new.previous_id) == ("1.1", previous.pk)
        answers = {a.question_id: a for a in new.answers.all()}
        assert "TAL-TRN-02" not in answers
        assert "EN-COST-05" not in answers
        assert answers["IN-RND-04"].value == 2  # the lower of the merged answers
        assert answers["DM-STOR-04"].value == answers["DM-STOR-03"].value
        assert "check it" in answers["LAT-GEO-05"].note
        assert new.evidence.get().question_id == "LAT-GEO-03"
        history = client.get(api("answer-history", new.pk, "IN-RND-04")).json()
        assert history[0]["action"] == "created"
        assert "carried from" in history[0]["reason"]

    def test_an_unknown_version_is_refused_naming_the_field(self, api_client_for, organization, assessor):
        previous = submitted(organization, assessor)
        response = api_client_for(assessor, organization).post(
            api("reassess", previous.pk), {"framework_version": "7.0"}, format="json"
        )
        assert response.status_code == 400
        assert [(e["code"], e["field"]) for e in api_errors(response)] == [("unknown_version", "framework_version")]

    def test_the_preview_lists_what_changes_before_starting(self, client, api_client_for, organization, assessor):
        previous = submitted(organization, assessor)
        preview = api_client_for(assessor, organization).get(
            api("reassess-preview", previous.pk), {"framework_version": "1.1"}
        )
        body = preview.json()
        assert (body["from_version"], body["to_version"], body["unchanged"]) == ("1.0", "1.1", 68)
        assert {c["question_id"] for c in body["changes"] if c["kind"] == "new"} == {
            "EN-COST-05",
            "IN-RND-05",
            "TAL-TRN-04",
        }
        client.force_login(assessor)
        page = client.get(reverse("assessments:reassess_preview", args=[previous.pk]), {"framework_version": "1.1"})
        text = page.content.decode()
        assert page.status_code == 200
        for words in ("New questions", "Dropped", "Merged into one question", "EN-COST-05", "marked “check it”"):
            assert words in text
        started = client.post(reverse("assessments:reassess", args=[previous.pk]), {"framework_version": "1.1"})
        assert started.status_code == 302
        assert Assessment.objects.get(previous=previous).framework.version == "1.1"

    def test_the_preview_offers_the_newest_version_and_never_an_older_one_unasked(self, client, organization, assessor):
        client.force_login(assessor)
        for own, offered in (("1.0", "1.4"), ("1.4", "1.4")):
            framework = Framework.objects.get(organization=None, version=own)
            assessment = start_assessment(organization=organization, user=assessor, framework=framework)
            page = client.get(reverse("assessments:reassess_preview", args=[assessment.pk]))
            assert f"From version {own} to {offered}:" in page.content.decode()

    def test_only_versions_published_after_the_assessments_own_are_newer(
        self, client, organization, other_organization, assessor
    ):
        shared = {f.version: f for f in Framework.objects.filter(organization=None)}
        on_1_1 = start_assessment(organization=organization, user=assessor, framework=shared["1.1"])
        # The organization's own version, loaded after the shared ones (its name sorts before them), and another
        # organization's, which is not this one's to use.
        own = Framework.objects.create(**_copied(shared["1.3"], "0.9-ours"), organization=organization)
        Framework.objects.create(**_copied(shared["1.3"], "9.0"), organization=other_organization)
        newer = selectors.frameworks_newer_than(assessment=on_1_1)
        assert [f.version for f in newer] == ["0.9-ours", "1.4", "1.3", "1.2"]  # newest first; not 1.0, nor 1.1
        assert own in newer
        on_own = start_assessment(organization=organization, user=assessor, framework=own)
        assert selectors.frameworks_newer_than(assessment=on_own) == []  # older ones exist, none is newer

        client.force_login(assessor)
        preview = reverse("assessments:reassess_preview", args=[on_1_1.pk])
        text = client.get(preview).content.decode()
        offered = re.findall(r'<option value="([^"]+)"', text)
        assert offered == ["1.1", "0.9-ours", "1.4", "1.3", "1.2"]  # its own first, then the newer ones
        assert "From version 1.1 to 0.9-ours:" in text
        # The overview of a scored assessment offers "another version" only when there is a newer one.
        Assessment.objects.filter(pk__in=[on_1_1.pk, on_own.pk]).update(status=AssessmentStatus.SCORED)
        assert "Re-assess onto another version" in client.get(reverse("assessments:detail", args=[on_1_1.pk])).text
        assert "Re-assess onto another version" not in client.get(reverse("assessments:detail", args=[on_own.pk])).text
        # An older version is still reachable when named (the API's and the address's framework_version): the
        # preview says what it is instead of offering it.
        text = client.get(preview, {"framework_version": "1.0"}).content.decode()
        assert '<option value="1.0" selected>' in text
        assert "(older than this assessment's)" in text
        assert "From version 1.1 to 1.0:" in text

    def test_the_preview_says_what_changed_when_the_words_are_the_same(
        self, client, api_client_for, organization, assessor
    ):
        on_1_2 = Framework.objects.get(organization=None, version="1.2")
        previous = start_assessment(organization=organization, user=assessor, framework=on_1_2)
        Assessment.objects.filter(pk=previous.pk).update(status=AssessmentStatus.SCORED)
        currency = "the thresholds' currency: none (read in the answer's currency) -> EUR"
        newest = {"framework_version": "1.3"}
        body = api_client_for(assessor, organization).get(api("reassess-preview", previous.pk), newest).json()
        changes = {c["question_id"]: c for c in body["changes"]}
        assert changes["CO-OPEX-01"]["changed"] == [currency]
        client.force_login(assessor)
        text = client.get(reverse("assessments:reassess_preview", args=[previous.pk]), newest).content.decode()
        item = text[text.index("CO-OPEX-01") : text.index("</li>", text.index("CO-OPEX-01"))]
        words = scoring.Framework.from_dict(read_framework(FRAMEWORK_1_3_FILE.read_bytes())).question("CO-OPEX-01").text
        assert item.count(escape(words)) == 1  # not twice, as "was" and "now"
        assert "The same words." in item
        assert "Was CO-OPEX-01" not in item
        assert f"Changed: {escape(currency)}." in item
        assert "Reworded or changed" in text

    def test_1_4_asks_en_cost_03_about_the_draw_its_fact_measures_and_carries_the_answer(
        self, api_client_for, organization, assessor
    ):
        """1.3 asked for the headroom "after the fleet's rated draw" while its fact, which pre-fills it, reads the
        draw measured where telemetry gives it (the demo's 54.9 % is measured; rated gives 51.2 %)."""
        v13 = scoring.Framework.from_dict(read_framework(FRAMEWORK_1_3_FILE.read_bytes())).question("EN-COST-03")
        v14 = scoring.Framework.from_dict(read_framework(FRAMEWORK_1_4_FILE.read_bytes())).question("EN-COST-03")
        assert "rated draw?" in v13.text
        assert v14.text.endswith("after the fleet's draw (measured where you meter it, else rated)?")
        assert (v14.inventory_fact, v14.numeric, v14.weight) == (v13.inventory_fact, v13.numeric, v13.weight)
        on_1_3 = Framework.objects.get(organization=None, version="1.3")
        previous = start_assessment(organization=organization, user=assessor, framework=on_1_3)
        services.answers_save(assessment=previous, items=[services.AnswerInput("EN-COST-03", 40)], user=assessor)
        Assessment.objects.filter(pk=previous.pk).update(status=AssessmentStatus.SCORED)
        previous.refresh_from_db()
        newest = {"framework_version": "1.4"}
        body = api_client_for(assessor, organization).get(api("reassess-preview", previous.pk), newest).json()
        changes = {c["question_id"]: c for c in body["changes"]}
        assert "EN-COST-03" in changes
        nxt = services.assessment_reassess(previous=previous, user=assessor, framework_version="1.4")
        assert nxt.framework.version == "1.4"
        assert nxt.answers.get(question_id="EN-COST-03").value == 40


# --- history --------------------------------------------------------------------------------------------------------


class TestAnswerHistory:
    def test_every_change_is_kept_with_who_when_before_and_after(self, api_client_for, organization, assessor):
        assessment = start_assessment(organization=organization, user=assessor)
        client = api_client_for(assessor, organization)
        client.post(api("answers", assessment.pk), {"question_id": "HW-PP-03", "value": 1}, format="json")
        client.post(api("answers", assessment.pk), {"question_id": "HW-PP-03", "value": 3}, format="json")
        client.delete(api("clear-answer", assessment.pk, "HW-PP-03"))
        entries = client.get(api("answer-history", assessment.pk, "HW-PP-03")).json()
        assert [e["action"] for e in entries] == ["deleted", "changed", "created"]
        value = next(c for c in entries[1]["changes"] if c["field"] == "value")
        assert (value["label"], value["before"], value["after"]) == ("Value", "1", "3")
        assert entries[1]["who"] == assessor.get_username()
        csv = client.get(api("answer-history", assessment.pk, "HW-PP-03"), {"export": "csv"})
        assert csv["Content-Type"].startswith("text/csv")
        assert "HW-PP-03" in csv.content.decode()
        assert ",Value,1,3," in csv.content.decode()

    def test_saving_many_answers_records_their_history_in_one_statement(
        self, organization, assessor, django_assert_num_queries
    ):
        small = start_assessment(organization=organization, user=assessor, title="small")
        large = start_assessment(organization=organization, user=assessor, title="large")
        questions = list(services.framework_parse(small.framework).questions())
        counts = []
        for assessment, count in ((small, 3), (large, 60)):
            items = [services.AnswerInput(q.id, good_value(q)) for q in questions[:count]]
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                services.answers_save(assessment=assessment, items=items, user=assessor)
            counts.append(len(queries))
        assert counts[0] == counts[1]
        assert Answer.history.filter(assessment_id=large.pk, history_user=assessor).count() == 60 + 0  # one each

    def test_the_history_page_lists_changes_in_words(self, client, organization, assessor):
        assessment = start_assessment(organization=organization, user=assessor)
        services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-MEM-02", True)], user=assessor)
        services.answers_save(assessment=assessment, items=[services.AnswerInput("HW-MEM-02", False)], user=assessor)
        client.force_login(assessor)
        text = client.get(reverse("assessments:history", args=[assessment.pk])).content.decode()
        assert "HW-MEM-02: Changed Value" in text
        assert "<td>yes</td><td>no</td>" in text.replace("\n", "")

    def test_history_of_another_organization_is_not_found(
        self, api_client_for, other_organization, outsider, organization, assessor
    ):
        assessment = start_assessment(organization=organization, user=assessor)
        response = api_client_for(outsider, other_organization).get(api("history", assessment.pk))
        assert response.status_code == 404


# --- evidence -------------------------------------------------------------------------------------------------------


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


class TestEvidence:
    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            (PDF, "application/pdf"),
            (b"\x89PNG\r\n\x1a\n....", "image/png"),
            (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
            (b"site,pue\nfra,1.3\n", "text/plain"),
            (None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (b"MZ\x90\x00\x03\x00\x00\x00", None),  # a Windows executable, whatever its name says
            (b"PK\x03\x04 not a zip", None),
        ],
    )
    def test_the_type_is_sniffed_from_the_content(self, content, expected):
        content = xlsx_bytes() if content is None else content
        assert services.sniff_content_type(content[:8192], io.BytesIO(content)) == expected

    def test_a_file_is_stored_and_served_to_members_only(
        self, api_client_for, organization, assessor, other_organization, outsider
    ):
        assessment = start_assessment(organization=organization, user=assessor)
        client = api_client_for(assessor, organization)
        upload = SimpleUploadedFile("report.exe", PDF, content_type="application/x-msdownload")
        response = client.post(
            api("evidence", assessment.pk),
            {"question_id": "EN-COST-02", "title": "Metering audit", "effective_date": "2026-01-10",
             "expires_on": "2027-01-10", "file": upload},
            format="multipart",
        )  # fmt: skip
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["content_type"], body["kind"], body["size"]) == ("application/pdf", "file", len(PDF))
        stored = Evidence.objects.get()
        assert stored.file.name.endswith(".pdf")
        assert "report" not in stored.file.name
        download = client.get(api("evidence-file", assessment.pk, stored.pk))
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == PDF
        assert (
            api_client_for(outsider, other_organization).get(api("evidence-file", assessment.pk, stored.pk)).status_code
            == 404
        )
        page = self._page_client(organization, outsider)
        assert page.get(reverse("assessments:evidence_file", args=[assessment.pk, stored.pk])).status_code == 404

    @staticmethod
    def _page_client(organization, user):
        from django.test import Client

        page = Client()
        page.force_login(user)
        return page

    def test_a_file_of_another_type_or_too_large_is_refused(self, api_client_for, organization, assessor, monkeypatch):
        assessment = start_assessment(organization=organization, user=assessor)
        client = api_client_for(assessor, organization)

        def post(content: bytes):
            return client.post(
                api("evidence", assessment.pk),
                {"question_id": "EN-COST-02", "title": "x", "effective_date": "2026-01-10",
                 "file": SimpleUploadedFile("x.pdf", content)},
                format="multipart",
            )  # fmt: skip

        refused = post(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")
        assert refused.status_code == 400
        assert [(e["code"], e["field"]) for e in api_errors(refused)] == [("file_type", "file")]
        monkeypatch.setattr("assessments.services.evidence.EVIDENCE_MAX_BYTES", 10)
        assert post(PDF).status_code == 413
        assert not Evidence.objects.exists()

    def test_link_rules_and_frozen_assessments(self, api_client_for, organization, assessor):
        assessment = start_assessment(organization=organization, user=assessor)
        client = api_client_for(assessor, organization)
        both_missing = client.post(
            api("evidence", assessment.pk),
            {"question_id": "EN-COST-02", "title": "x", "effective_date": "2026-05-01", "expires_on": "2026-01-01"},
            format="json",
        )
        assert {(e["code"], e["field"]) for e in api_errors(both_missing)} == {
            ("link_or_file", "url"),
            ("expiry_order", "expires_on"),
        }
        Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SCORED)
        frozen = client.post(
            api("evidence", assessment.pk),
            {"question_id": "EN-COST-02", "title": "x", "effective_date": "2026-01-01", "url": "https://a.example"},
            format="json",
        )
        assert frozen.status_code == 409

    def test_the_questionnaire_page_adds_and_lists_evidence(self, client, organization, assessor):
        assessment = start_assessment(organization=organization, user=assessor)
        client.force_login(assessor)
        area = reverse("assessments:area", args=[assessment.pk, "energy"])
        response = client.post(
            reverse("assessments:area_evidence", args=[assessment.pk, "energy"]),
            {"question_id": "EN-COST-01", "title": "PUE report 2024", "url": "https://facilities.example/pue",
             "effective_date": "2024-01-01", "expires_on": "2025-01-01"},
        )  # fmt: skip
        assert response.status_code == 302
        text = client.get(area).content.decode()
        assert "PUE report 2024" in text
        assert "expired" in text
        # The question to attach evidence to is chosen by its words, not by its id alone.
        question = next(q for q in services.framework_parse(assessment.framework).questions() if q.id == "EN-COST-01")
        assert f'<option value="EN-COST-01">EN-COST-01: {escape(question.text[:89])}' in text

    @pytest.mark.parametrize("link", ["javascript:alert(1)", "facilities wiki", "ftp://files.example/pue.pdf"])
    def test_a_link_is_a_web_address_whichever_channel_gives_it(self, client, organization, assessor, link):
        assessment = start_assessment(organization=organization, user=assessor)
        item = services.EvidenceInput(question_id="EN-COST-01", title="PUE report", effective_date=TODAY, url=link)
        with pytest.raises(Invalid) as refused:
            services.evidence_add(assessment=assessment, item=item, user=assessor)
        assert [(e.code, e.field) for e in refused.value.errors] == [("invalid_url", "url")]
        too_long = replace(item, url="https://facilities.example/" + "a" * 480)
        with pytest.raises(Invalid):
            services.evidence_add(assessment=assessment, item=too_long, user=assessor)
        client.force_login(assessor)
        response = client.post(
            reverse("assessments:area_evidence", args=[assessment.pk, "energy"]),
            {"question_id": "EN-COST-01", "title": "PUE report", "url": link, "effective_date": "2024-01-01"},
            follow=True,
        )  # fmt: skip
        assert not Evidence.objects.exists()
        text = response.content.decode()
        assert "Link: The link must be a web address" in text

    def test_the_page_names_each_field_of_refused_evidence_by_its_label(self, client, organization, assessor):
        assessment = start_assessment(organization=organization, user=assessor)
        client.force_login(assessor)
        response = client.post(
            reverse("assessments:area_evidence", args=[assessment.pk, "energy"]),
            {"question_id": "EN-COST-01", "title": "", "effective_date": "2024-05-01", "expires_on": "2024-01-01"},
            follow=True,
        )  # fmt: skip
        text = response.content.decode()
        assert "What it is: Say what this evidence is." in text
        assert "Expires: The expiry must come after the effective date." in text
        for raw in ("title:", "expires_on:", "url:"):
            assert raw not in text


class TestExpiredEvidenceLowersConfidence:
    def test_the_pure_rule(self):
        assert scoring.confidence_share(1.0, 0, 0) == 1.0
        assert scoring.confidence_share(1.0, 2, 1) == 0.75
        assert scoring.confidence_share(0.5, 4, 4) == 0.25
        assert scoring.confidence_share(None, 0, 0) is None
        with pytest.raises(ValueError):
            scoring.confidence_share(1.0, 1, 2)

    def test_scoring_and_the_roadmap(self, organization, assessor):
        assessment = start_assessment(organization=organization, user=assessor)
        answer_all(assessment, assessor)
        for title, expires in (("Meter audit", TODAY - datetime.timedelta(days=1)), ("Meter photo", None)):
            Evidence.objects.create(
                organization=organization, assessment=assessment, question_id="EN-COST-02", kind="link", title=title,
                url="https://a.example", effective_date=TODAY - datetime.timedelta(days=400), expires_on=expires,
            )  # fmt: skip
        services.assessment_submit(assessment=assessment, user=assessor)  # eager: scored, then the roadmap built
        result = selectors.result_for(assessment=assessment)
        energy, hardware = result.area("energy"), result.area("hardware")
        assert (energy.confidence.evidence_items, energy.confidence.expired_evidence) == (2, 1)
        assert energy.confidence.share == pytest.approx(energy.confidence.answered_share * 0.75)
        assert hardware.confidence.share == hardware.confidence.answered_share
        assert energy.expired_evidence_text == "1 of 2 pieces of evidence expired"
        item = RoadmapItem.objects.get(assessment=assessment, kind="evidence")
        assert (item.item_id, item.question_ref, item.area_ref) == ("EVIDENCE-EN-COST-02", "EN-COST-02", "energy")
        assert item.get_kind_display() == "Refresh evidence"
        assert item.title == "Refresh the expired evidence “Meter audit”"  # words, not the question's id
        assert item.why.startswith("1 of the 2 pieces of evidence behind “")
        assert "” has expired: “Meter audit” (expired " in item.why
        rebuilt = RoadmapItem.history.filter(item_id="EVIDENCE-EN-COST-02")
        assert rebuilt.get().history_change_reason == "roadmap rebuilt"

    def test_the_whole_assessment_s_confidence_counts_its_expired_evidence(self, client, organization, assessor):
        """The Confidence card said "N of N answered (100%)" beside an area whose only evidence had expired; the
        whole framework's confidence follows the same rule as an area's (docs/scoring.md, Confidence)."""
        assessment = start_assessment(organization=organization, user=assessor)
        answer_all(assessment, assessor)
        Evidence.objects.create(
            organization=organization, assessment=assessment, question_id="EN-COST-02", kind="link",
            title="Meter audit", url="https://a.example", effective_date=TODAY - datetime.timedelta(days=400),
            expires_on=TODAY - datetime.timedelta(days=1),
        )  # fmt: skip
        services.assessment_submit(assessment=assessment, user=assessor)
        result = selectors.result_for(assessment=assessment)
        assert result.answered_pct == 100
        assert (result.confidence.evidence_items, result.confidence.expired_evidence) == (1, 1)
        assert result.confidence_pct == 50  # 1.0 x (1 - 0.5 x 1/1)
        client.force_login(assessor)
        page = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
        assert "1 of 1 pieces of evidence expired: confidence 50%" in page[page.index('id="expired-evidence"') :]
