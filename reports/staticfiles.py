"""plotly.js as a static file, straight from the installed plotly package: no copy in the repository, no CDN.

`PlotlyFinder` (in ``STATICFILES_FINDERS``) exposes one file, ``vendor/plotly/plotly.min.js``, read from
``plotly/package_data/plotly.min.js``, so the browser runs the very plotly.js the Python package was built for.
``collectstatic`` copies it with the other files (WhiteNoise then serves it compressed, with a hashed name); in
development and tests WhiteNoise finds it through the finders (``WHITENOISE_USE_FINDERS``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = os.path.join(os.path.dirname(plotly.__file__), "package_data")
PREFIX = "vendor/plotly"
FILENAME = "plotly.min.js"
STATIC_PATH = f"{PREFIX}/{FILENAME}"
"""The file's path under ``STATIC_URL``: ``{% static "vendor/plotly/plotly.min.js" %}``."""


class PlotlyFinder(BaseFinder):
    """Finds ``vendor/plotly/plotly.min.js`` in the plotly package, and nothing else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=PLOTLY_DIR)
        self.storage.prefix = PREFIX  # collectstatic and WhiteNoise put the file under this prefix

    def check(self, **kwargs: Any) -> list[Error]:
        if not os.path.isfile(os.path.join(PLOTLY_DIR, FILENAME)):
            return [Error(f"{FILENAME} is missing from the plotly package at {PLOTLY_DIR}", id="reports.E001")]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        find_all = find_all or kwargs.get("all", False)
        if path == STATIC_PATH:
            found = os.path.join(PLOTLY_DIR, FILENAME)
            return [found] if find_all else found
        return []  # as Django's own finders: an empty list for "not here", whatever find_all

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        yield FILENAME, self.storage
