"""Static files storage: WhiteNoise's hashed, compressed files, with gzip only.

Brotli (importable because WeasyPrint's fonttools pulls it in) at WhiteNoise's maximum quality takes about half a
minute on plotly.min.js (4.8 MB) in every `collectstatic`; gzip, which every browser accepts, takes a second.
"""

from __future__ import annotations

from typing import Any

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(use_brotli=False, **kwargs)
