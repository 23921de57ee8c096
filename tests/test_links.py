"""No link leads to a 404: for every demo role (and an anonymous visitor), every page reachable
from the home page by following the portal's own links answers 200, or redirects to a page
that does. The Django test client follows <a href> links only (GET): forms (sign out, the
language switch, acknowledging) are not links. Django admin is checked at its index only;
downloads (evidence, static files) are checked for their status and not read."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.models import Attachment, PrivateStorage
from incidents.services import report_attach_evidence, report_submit
from incidents.services.escalation import escalation_acknowledge
from tests.helpers import DEMO_ROLES, client_for, file_report
from tests.samples import jpeg_bytes

# Enough for every page of the demo and its filters, few enough to stay fast.
MAX_PAGES = 300
# Pages of one shape (a path with its ids and references blanked, and the names of its
# query parameters) checked at most this often: every demo report, and a filter's values,
# without walking every page of a long list.
MAX_PER_SHAPE = 10


class Links(HTMLParser):
    """The links a person follows, and the style sheets, icons and scripts the page loads."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        href = attrs.get("href") if tag in ("a", "link") else attrs.get("src")
        if href and tag in ("a", "link", "script"):
            self.hrefs.append(href)


def links_of(html: str, base: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        href, _fragment = urldefrag(href)
        if not href:
            continue  # a link within the page
        parts = urlsplit(href)
        if parts.scheme and parts.netloc != "testserver":
            continue  # another site (none expected) or mailto:
        if not parts.path.startswith("/"):
            href = urlsplit(base).path.rsplit("/", 1)[0] + "/" + href
            parts = urlsplit(href)
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        found.append(parts.path + (f"?{query}" if query else ""))
    return found


def shape(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"CH-\d{4}-\d{6}|[0-9a-f-]{36}|\d+", "#", parts.path)
    names = sorted({name for name, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return path + "?" + "&".join(names)


def is_download(response) -> bool:
    disposition = response.get("Content-Disposition", "")
    return "attachment" in disposition or not response.get("Content-Type", "").startswith(
        "text/html"
    )


def crawl(client, titles: dict[str, str] | None = None) -> dict[str, int]:
    """Every page reachable from the home page: its URL and the final status it answered
    (and, into ``titles`` if given, each portal page's <title>)."""
    seen: dict[str, int] = {}
    shapes: Counter[str] = Counter()
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or shapes[shape(url)] >= MAX_PER_SHAPE:
            continue
        shapes[shape(url)] += 1
        response = client.get(url, follow=True)
        seen[url] = response.status_code
        if response.status_code != 200 or is_download(response):
            continue
        if url.startswith("/admin/") or url.startswith("/static/"):
            continue  # Django's admin is Django's; its index answering is what we check
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        if titles is not None:
            title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
            titles[url] = title.group(1).strip() if title else ""
        for link in links_of(response.content.decode(), final):
            if link not in seen:
                queue.append(link)
    return seen


@pytest.fixture
def busy_portal(demo, staff_tokyo, staff_osaka, tmp_path):
    """The demo's reports and a few more, so that every kind of card and row has links: a
    physical attack asking for support (escalated to everyone) with a photo, an acknowledged
    one, an Osaka support request, a draft."""
    field = Attachment._meta.get_field("file")
    shared, field.storage = field.storage, PrivateStorage(location=tmp_path)
    attack = file_report(
        staff_tokyo, categories=("physical_attack",), support_requested=True, submit=False
    )
    photo = SimpleUploadedFile("photo.jpg", jpeg_bytes(), content_type="image/jpeg")
    report_attach_evidence(report=attack, files=[photo], by=staff_tokyo)
    report_submit(report=attack, by=staff_tokyo)
    done = file_report(staff_tokyo, categories=("sexual_harassment",))
    escalation_acknowledge(escalation=done.escalations.first(), by=demo["manager"])
    file_report(staff_osaka, categories=("verbal_abuse",), support_requested=True)
    file_report(staff_tokyo, submit=False)
    yield demo
    field.storage = shared


@pytest.mark.parametrize("role", [*DEMO_ROLES, "anonymous"])
def test_every_link_reachable_from_home_answers_200(busy_portal, role):
    client = client_for(None if role == "anonymous" else busy_portal[role])
    seen = crawl(client)
    broken = {url: status for url, status in seen.items() if status != 200}
    assert not broken, f"{role}: {broken}"
    # It did crawl: the home page leads somewhere (the sign-in page, to its style sheets).
    assert len(seen) >= 5, seen


@pytest.mark.parametrize("role", ["staff.tokyo", "supervisor.tokyo", "care"])
def test_every_page_title_names_the_page_before_the_portal(busy_portal, role):
    """A tab or a bookmark list shows which page it is: "確認待ち一覧 · ハラスメント報告ポータル"
    (the two ran together as "確認待ち一覧ハラスメント報告ポータル")."""
    titles: dict[str, str] = {}
    crawl(client_for(busy_portal[role]), titles)
    assert titles
    wrong = {
        url: title
        for url, title in titles.items()
        if not re.fullmatch(r"\S.* · ハラスメント報告ポータル", title)
    }
    assert not wrong, wrong


def test_staff_care_reaches_her_support_requests_and_nothing_of_the_incidents(busy_portal):
    seen = crawl(client_for(busy_portal["care"]))
    assert "/escalations/support/" in seen and "/escalations/" in seen
    assert any(re.fullmatch(r"/incidents/CH-\d{4}-\d{6}/", url) for url in seen)
    assert not any(url.startswith(("/cases/", "/review/", "/incidents/evidence/")) for url in seen)


def test_the_crawl_reaches_evidence_downloads_and_case_files(busy_portal):
    seen = crawl(client_for(busy_portal["manager"]))
    assert any(url.startswith("/incidents/evidence/") for url in seen)
    assert any(re.fullmatch(r"/cases/\d+/", url) for url in seen)
