"""Dependencies run one way: reports -> assessments -> inventory -> accounts, never back.

Every module of the four apps is parsed (``ast``: no import runs) and every import it makes is checked, those
inside functions included (a function-level import is still a dependency, only a later one). Tests and
migrations are part of the apps too: a test of a lower app has no business importing a higher one either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("accounts", "inventory", "assessments", "reports")
"""Lowest first: an app may import the apps before it in this tuple, never those after it."""


def modules(app: str) -> list[Path]:
    return sorted(path for path in (ROOT / app).rglob("*.py") if ".venv" not in path.parts)


def imported_apps(path: Path) -> list[tuple[int, str]]:
    """(line, app) of every import of one of the apps in ``path``, wherever in the module it is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module or ""]
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in LAYERS]
    return found


def upward_imports(app: str) -> list[str]:
    above = set(LAYERS[LAYERS.index(app) + 1 :])
    return [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in modules(app)
        for line, target in imported_apps(path)
        if target in above
    ]


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_imports_an_app_above_it(app):
    assert upward_imports(app) == []


def test_the_check_sees_function_level_and_relative_imports(tmp_path, monkeypatch):
    """The checker itself: an upward import hidden in a function, and a relative one, are both found."""
    package = tmp_path / "inventory"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "late.py").write_text("def f():\n    from reports import dashboards\n    return dashboards\n")
    (package / "fine.py").write_text("from accounts.models import Organization\nfrom . import late\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert upward_imports("inventory") == ["inventory/late.py:2 imports reports"]
    assert imported_apps(package / "fine.py") == [(1, "accounts"), (2, "inventory")]
