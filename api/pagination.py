"""Cursor pagination for every API list: the position is a value of the ordering, not an
offset, so rows inserted while a client pages (new reports, new escalations) are neither
skipped nor repeated, and a deep page costs what the first does (an index on the ordering).

Each list orders by its time column then ``id``; DRF's cursor keeps the time of the page's
last row and, among rows with that very time, how many it already gave."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class PortalCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")
