"""The Content-Security-Policy header (django-csp) on every page, and templates that need no 'unsafe-inline' script:
no inline script without the request's nonce, no event-handler attribute. The browser test
(`test_csp_browser.py`) shows the pages work under the policy."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path
    for path in ROOT.glob("**/templates/**/*.html")
    if ".venv" not in path.parts and "staticfiles" not in path.parts
)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 40
    assert ROOT / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_an_inline_script_or_an_event_handler(template):
    text = template.read_text(encoding="utf-8")
    for attributes in SCRIPT_TAG.findall(text):
        assert "src=" in attributes or "request.csp_nonce" in attributes, f"inline script: <script{attributes}>"
    assert not EVENT_HANDLER.search(text), EVENT_HANDLER.search(text).group(0)


@pytest.mark.django_db
def test_every_page_gets_the_policy_and_its_scripts_carry_the_nonce(client, organization, owner):
    response = client.get(reverse("accounts:login"))
    policy = directives(response)
    nonces = [source for source in policy["script-src"] if source.startswith("'nonce-")]
    assert policy["script-src"] == ["'self'", *nonces]
    assert len(nonces) == 1
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    nonce = nonces[0][len("'nonce-") : -1]
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts
    assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
    client.force_login(owner)
    for url in (reverse("home"), reverse("accounts:members"), reverse("api-docs"), reverse("api-redoc")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in directives(response)["script-src"], url
    # A new nonce for every response.
    assert (
        directives(client.get(reverse("home")))["script-src"] != directives(client.get(reverse("home")))["script-src"]
    )


@pytest.mark.django_db
def test_the_api_docs_load_their_start_up_script_from_a_url(client):
    page = client.get(reverse("api-docs")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    (script_url,) = re.findall(r'<script src="(/api/docs/\?script=?)"', page)
    script = client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
    redoc = client.get(reverse("api-redoc")).content.decode()
    assert "fonts.googleapis.com" not in redoc
