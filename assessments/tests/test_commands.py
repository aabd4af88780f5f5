"""`manage.py load_framework FILE [--org SLUG]`."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.framework_files import DEFAULT_FRAMEWORK_FILE
from assessments.models import Framework
from assessments.tests.factories import ensure_default_framework, framework_text

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("load_framework", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "framework.yaml"
    path.write_text(framework_text(version="1.9", title="GenAI readiness, revised"), encoding="utf-8")
    return path


def test_loads_a_good_file(good_file):
    out, err = run(good_file)
    assert out.strip() == "loaded GenAI readiness, revised 1.9 (74 questions)"
    assert err == ""
    framework = Framework.objects.get(slug="genai-infrastructure", version="1.9")
    assert framework.organization is None
    assert framework.question_count == 74


def test_the_same_file_twice_is_already_loaded(good_file):
    run(good_file)
    out, _ = run(good_file)
    assert out.startswith("already loaded")
    assert Framework.objects.filter(version="1.9").count() == 1


def test_the_shipped_file_is_already_loaded_by_the_migration():
    ensure_default_framework()
    out, _ = run(DEFAULT_FRAMEWORK_FILE)
    assert out.startswith("already loaded: Generative AI Infrastructure Readiness 1.0 (74 questions)")


def test_for_one_organization(good_file, organization):
    out, _ = run(good_file, "--org", organization.slug)
    assert out.strip() == "loaded GenAI readiness, revised 1.9 (74 questions) for Acme AI"
    assert Framework.objects.get(version="1.9").organization == organization


def test_unknown_organization(good_file):
    with pytest.raises(CommandError, match="No organization with the slug 'nope'"):
        run(good_file, "--org", "nope")


def test_a_bad_file_lists_every_problem_on_stderr(tmp_path):
    text = framework_text(version="1.9")
    text = text.replace("weight: 1.2", "weight: -1", 1).replace("default_target_level: 3", "default_target_level: 9", 1)
    text = text.replace("type: maturity", "type: scale", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"not loaded, \d+ problems"):
        call_command("load_framework", str(path), stdout=out, stderr=err)
    problems = err.getvalue().splitlines()
    assert len(problems) >= 3
    assert "areas[0].weight: must be > 0" in problems
    assert any(p.endswith("default_target_level: must be <= 5") for p in problems)
    assert any(".type: must be one of" in p for p in problems)
    assert out.getvalue() == ""
    assert not Framework.objects.filter(version="1.9").exists()


def test_not_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("load_framework", str(path), stdout=StringIO(), stderr=err)
    assert "Not valid YAML" in err.getvalue()


def test_same_version_with_other_content_is_refused(good_file, tmp_path):
    run(good_file)
    changed = tmp_path / "changed.yaml"
    changed.write_text(framework_text(version="1.9", title="Something else"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_framework", str(changed), stdout=StringIO(), stderr=err)
    assert "already loaded with different content" in err.getvalue()


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read it"):
        run(tmp_path / "nope.yaml")


def test_exits_non_zero_from_the_command_line(tmp_path):
    """Run as a program, a bad file is a non-zero exit with the problems on stderr (refused before any query)."""
    path = tmp_path / "bad.yaml"
    path.write_text(framework_text(version="1.9").replace("weight: 1.2", "weight: -1", 1), encoding="utf-8")
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    completed = subprocess.run(
        [sys.executable, str(manage), "load_framework", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=False,
        timeout=120,
    )
    assert completed.returncode != 0
    assert "areas[0].weight: must be > 0" in completed.stderr
