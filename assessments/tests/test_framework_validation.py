"""Framework files: a good file loads; a bad one is refused with every problem listed by its path."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from assessments import services
from assessments.framework_files import DEFAULT_FRAMEWORK_FILE, FrameworkFileError, read_framework
from assessments.models import Framework
from config.errors import Conflict


@pytest.fixture(scope="module")
def good() -> dict:
    return yaml.safe_load(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))


def problems_of(data: dict | str | bytes) -> list[str]:
    text = data if isinstance(data, str | bytes) else yaml.safe_dump(data)
    with pytest.raises(FrameworkFileError) as caught:
        read_framework(text)
    return caught.value.problems


def test_the_shipped_file_is_valid(good):
    assert read_framework(DEFAULT_FRAMEWORK_FILE.read_bytes())["id"] == "genai-infrastructure"


def mutate(good: dict, change) -> dict:
    data = copy.deepcopy(good)
    change(data)
    return data


def question(data: dict, area: int = 3, sub: int = 0, q: int = 2) -> dict:
    return data["areas"][area]["subareas"][sub]["questions"][q]


BAD_FILES = [
    ("zero weight", lambda d: question(d).update(weight=0), "areas[3].subareas[0].questions[2].weight: must be > 0"),
    ("negative area weight", lambda d: d["areas"][1].update(weight=-1), "areas[1].weight: must be > 0"),
    ("missing text", lambda d: question(d).pop("text"), "areas[3].subareas[0].questions[2].text: is required"),
    (
        "unknown field",
        lambda d: question(d).update(wieght=1),
        "areas[3].subareas[0].questions[2]: unknown field(s) wieght",
    ),
    (
        "unknown type",
        lambda d: question(d).update(type="slider"),
        "areas[3].subareas[0].questions[2].type: must be one of",
    ),
    (
        "target level 6",
        lambda d: d["areas"][0].update(default_target_level=6),
        "areas[0].default_target_level: must be <= 5",
    ),
    (
        "four maturity levels",
        lambda d: question(d, 0, 0, 2).update(levels=question(d, 0, 0, 2)["levels"][:4]),
        "areas[0].subareas[0].questions[2].levels: needs at least 5 item(s)",
    ),
    (
        "bad effort",
        lambda d: question(d)["recommendation"].update(effort="XL"),
        "areas[3].subareas[0].questions[2].recommendation.effort: must be one of",
    ),
    (
        "duplicate question id",
        lambda d: question(d).update(id=question(d, 0, 0, 0)["id"]),
        "areas[3].subareas[0].questions[2].id: 'HW-PP-01' is used twice (first at areas[0].subareas[0].questions[0])",
    ),
    (
        "dangling dependency",
        lambda d: question(d)["recommendation"].update(depends_on=["REC-NOPE"]),
        "areas[3].subareas[0].questions[2].recommendation.depends_on[0]: unknown recommendation 'REC-NOPE'",
    ),
    (
        "unknown inventory fact",
        lambda d: question(d, 1, 0, 0).update(inventory_fact="moon_phase"),
        "areas[1].subareas[0].questions[0].inventory_fact: must be one of",
    ),
    ("no areas", lambda d: d.update(areas=[]), "areas: needs at least 1 item(s)"),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in BAD_FILES], ids=[n for n, _, _ in BAD_FILES])
def test_a_bad_file_names_the_path_of_its_problem(good, change, expected):
    problems = problems_of(mutate(good, change))
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_listed_at_once(good):
    def two_problems(d):
        question(d).update(weight=0)
        d["areas"][1].update(weight=-1)

    assert len(problems_of(mutate(good, two_problems))) == 2


def test_a_dependency_cycle_is_named(good):
    def cycle(d):
        first, second = question(d, 0, 0, 0)["recommendation"], question(d, 0, 0, 1)["recommendation"]
        first["depends_on"] = [second["id"]]
        second["depends_on"] = [first["id"]]

    assert any("dependency cycle" in p for p in problems_of(mutate(good, cycle)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"areas: [unclosed", "Not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        (b"\xff\xfe\x00b\x00a\x00d", "not UTF-8 text"),
        (b"x" * 1_000_001, "larger than"),
        ("", "must be a mapping"),
    ],
    ids=["broken yaml", "a list", "utf-16", "too large", "empty"],
)
def test_files_that_are_not_frameworks(text, expected):
    assert any(expected in p for p in problems_of(text))


@pytest.mark.django_db
class TestLoading:
    def test_loading_the_same_version_twice_changes_nothing(self):
        framework, created = services.framework_load(text=DEFAULT_FRAMEWORK_FILE.read_bytes())
        assert created is False
        assert Framework.objects.filter(slug="genai-infrastructure", version="1.0").count() == 1
        assert framework.question_count >= 60

    def test_a_changed_file_needs_a_new_version(self, good):
        changed = mutate(good, lambda d: d.update(title="Something else"))
        with pytest.raises(Conflict, match="new version number"):
            services.framework_load(text=json.dumps(changed))
        new_version = mutate(changed, lambda d: d.update(version="1.9"))
        framework, created = services.framework_load(text=json.dumps(new_version))
        assert (created, framework.version) == (True, "1.9")

    def test_an_organizations_own_framework_is_private(self, good, organization, other_organization):
        own = mutate(good, lambda d: d.update(id="acme-internal"))
        framework, _ = services.framework_load(text=json.dumps(own), organization=organization)
        from assessments.selectors import frameworks_for

        assert framework in frameworks_for(organization=organization)
        assert framework not in frameworks_for(organization=other_organization)
