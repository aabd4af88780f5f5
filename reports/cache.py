"""The dashboards' cache: `accounts.cache` (one implementation, shared with the inventory's capacity analysis)."""

from accounts.cache import cache_key, cached

__all__ = ["cache_key", "cached"]
