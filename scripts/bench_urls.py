"""The benchmark's URLconf: the project's URLs plus the floor every page is compared with.

``/bench/hello/`` is the cheapest page a logged-in user can get: a Django JSON view through the full middleware
stack that loads the session user (session, authentication, CSRF, CSP, axes...). It exists only here, in the
benchmark's own URLconf (`scripts/bench.py` sets ``ROOT_URLCONF`` to this module); the app never serves it.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config import urls as project_urls


def hello(request: HttpRequest) -> JsonResponse:
    """``{"user": <username>}``: the session and its user are loaded, as for every page."""
    return JsonResponse({"user": request.user.get_username() if request.user.is_authenticated else None})


urlpatterns = [path("bench/hello/", hello, name="bench-hello"), *project_urls.urlpatterns]
handler500 = project_urls.handler500
