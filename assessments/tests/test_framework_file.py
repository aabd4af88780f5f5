"""The shipped framework file is well formed: valid against its schema, ten areas of the source document with
their two sub-areas each, at least three questions per sub-area, unique ids, recommendation links that exist and
never form a cycle."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

FRAMEWORKS = Path(__file__).resolve().parents[1] / "frameworks"
SOURCE_AREAS = {
    "Hardware Limitations": ["Insufficient Processing Power", "Memory Constraints"],
    "Energy Consumption": ["High Energy Costs", "Sustainability Concerns"],
    "Data Management": ["Storage Requirements", "Data Quality and Integrity"],
    "Scalability of Infrastructure": ["Dynamic Resource Allocation", "Integration Challenges"],
    "Latency Issues": ["Response Time Optimization", "Geographic Distribution"],
    "Talent Shortage": ["Skilled Workforce Demand", "Training and Development"],
    "Cost Management": ["Infrastructure Investment", "Operational Expenses"],
    "Compliance and Security": ["Data Privacy Regulations", "Cybersecurity Threats"],
    "Software Compatibility": ["Toolchain Integration", "Version Control and Updates"],
    "Continuous Innovation": ["Keeping Up with Rapid Advancements", "Research and Development Investment"],
}


@pytest.fixture(scope="module")
def framework() -> dict:
    return yaml.safe_load((FRAMEWORKS / "genai-infrastructure" / "1.0.yaml").read_text(encoding="utf-8"))


def questions(framework: dict) -> list[dict]:
    return [q for area in framework["areas"] for sub in area["subareas"] for q in sub["questions"]]


def test_the_file_validates_against_the_schema(framework):
    schema = json.loads((FRAMEWORKS / "schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(framework, schema)


def test_areas_and_sub_areas_are_the_source_documents_in_order(framework):
    assert {a["name"]: [s["name"] for s in a["subareas"]] for a in framework["areas"]} == SOURCE_AREAS
    assert [a["name"] for a in framework["areas"]] == list(SOURCE_AREAS)


def test_at_least_three_questions_per_sub_area_and_sixty_in_all(framework):
    for area in framework["areas"]:
        for sub in area["subareas"]:
            assert len(sub["questions"]) >= 3, sub["id"]
    assert len(questions(framework)) >= 60


def test_ids_are_unique_and_recommendation_links_resolve_without_cycles(framework):
    question_ids = [q["id"] for q in questions(framework)]
    assert len(question_ids) == len(set(question_ids))
    recommendations = {
        q["recommendation"]["id"]: q["recommendation"] for q in questions(framework) if "recommendation" in q
    }
    assert len(recommendations) == len([q for q in questions(framework) if "recommendation" in q])
    for rec in recommendations.values():
        assert set(rec.get("depends_on", [])) <= set(recommendations), rec["id"]

    visiting, done = set(), set()

    def visit(rec_id: str) -> None:
        assert rec_id not in visiting, f"dependency cycle through {rec_id}"
        if rec_id in done:
            return
        visiting.add(rec_id)
        for dep in recommendations[rec_id].get("depends_on", []):
            visit(dep)
        visiting.discard(rec_id)
        done.add(rec_id)

    for rec_id in recommendations:
        visit(rec_id)


def test_the_schema_refuses_a_typo(framework):
    schema = json.loads((FRAMEWORKS / "schema.json").read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(framework))
    broken["areas"][3]["subareas"][0]["questions"][2]["wieght"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
