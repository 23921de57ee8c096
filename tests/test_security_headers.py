"""Every page and download of every demo role carries the Content-Security-Policy and the
Permissions-Policy, and nothing a signed-in person is shown stays in the browser's cache
(issue 11): the pages are those the link crawl reaches (tests/test_links.py), downloads and
exports included."""

from __future__ import annotations

import pytest

from tests.helpers import DEMO_ROLES, client_for
from tests.test_links import MAX_PAGES, MAX_PER_SHAPE, busy_portal, is_download, links_of, shape

__all__ = ["busy_portal"]  # the crawl's fixture, used here by name

CSP_MUST_SAY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def crawled_responses(client):
    """(url, response) of every page and download reachable from the home page."""
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or shapes.get(shape(url), 0) >= MAX_PER_SHAPE or url.startswith("/static/"):
            continue
        shapes[shape(url)] = shapes.get(shape(url), 0) + 1
        seen.add(url)
        response = client.get(url, follow=True)
        yield url, response
        if response.status_code != 200 or is_download(response) or url.startswith("/admin/"):
            continue
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        queue.extend(
            link for link in links_of(response.content.decode(), final) if link not in seen
        )


def problems_of(response, *, signed_in: bool) -> list[str]:
    found = []
    policy = response.get("Content-Security-Policy", "")
    if not is_download(response):
        found += [f"CSP lacks {part}" for part in CSP_MUST_SAY if part not in policy]
        if "unsafe-inline" in policy:
            found.append("CSP allows unsafe-inline")
    elif "default-src 'none'" not in policy and not all(p in policy for p in CSP_MUST_SAY):
        found.append(f"download's CSP: {policy!r}")
    permissions = response.get("Permissions-Policy", "")
    if "camera=()" not in permissions or "geolocation=()" not in permissions:
        found.append(f"Permissions-Policy: {permissions!r}")
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        found.append(f"Cache-Control: {response.get('Cache-Control')!r}")
    return found


@pytest.mark.parametrize("role", [*DEMO_ROLES, "anonymous"])
def test_every_page_and_download_carries_the_policies_and_is_not_stored(busy_portal, role):
    signed_in = role != "anonymous"
    client = client_for(busy_portal[role] if signed_in else None)
    wrong, downloads, count = {}, 0, 0
    for url, response in crawled_responses(client):
        count += 1
        downloads += is_download(response)
        if problems := problems_of(response, signed_in=signed_in):
            wrong[url] = problems
    assert not wrong, f"{role}: {wrong}"
    assert count >= (5 if signed_in else 1)  # the sign-in page links only static files
    if role == "manager":
        assert downloads, "the crawl reached no evidence download or export"


def test_an_evidence_download_is_never_stored(busy_portal):
    client = client_for(busy_portal["manager"])
    evidence = [
        url for url, _ in crawled_responses(client) if url.startswith("/incidents/evidence/")
    ]
    assert evidence
    download = client.get(evidence[0])
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    assert download["X-Content-Type-Options"] == "nosniff"
    # Its own stricter policy: nothing in the file may run even if a browser rendered it.
    assert "default-src 'none'" in download["Content-Security-Policy"]


def test_the_subject_access_export_and_the_audit_export_are_never_stored(busy_portal):
    """The JSON export of what is held on a candidate and the audit trail's CSV."""
    client = client_for(busy_portal["legal"])
    exports = [
        (url, response)
        for url, response in crawled_responses(client)
        if is_download(response) and not url.startswith("/incidents/evidence/")
    ]
    assert exports, "the crawl reached no export"
    for url, response in exports:
        assert "no-store" in response["Cache-Control"], url


def test_static_files_keep_their_cache_lifetime(client):
    response = client.get("/static/css/portal.css")
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_signed_in_page_is_not_stored_and_signing_out_answers_likewise(busy_portal):
    client = client_for(busy_portal["supervisor.tokyo"])
    response = client.get("/review/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_an_error_page_of_a_signed_in_session_is_not_stored_either(busy_portal):
    """Decided from the session cookie, not by loading the user: error pages make no query."""
    response = client_for(busy_portal["staff.tokyo"]).get("/no-such-page/")
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
