from rest_framework.pagination import LimitOffsetPagination as BaseLimitOffsetPagination


class LimitOffsetPagination(BaseLimitOffsetPagination):
    """`?limit=&offset=` pages: 50 rows by default, at most 1000."""

    default_limit = 50
    max_limit = 1000
