"""HTML to PDF with WeasyPrint (its system libraries, Pango and HarfBuzz, and the Noto CJK
fonts come from Debian: scripts/ensure-system-packages.sh, the Dockerfile).

The page is rendered from a template and its print style sheet is read from the static
files; WeasyPrint fetches nothing else. A URL in stored text (a report's online address)
must never make the server open a connection while it renders (server-side request
forgery), so every fetch is refused."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# The print style sheet of every PDF and print view (A4, Noto CJK for Japanese).
PRINT_CSS = "css/print.css"


def pdf_from_template(template_name: str, context: dict) -> bytes:
    """The PDF of ``template_name`` rendered with ``context`` (and ``for_pdf``, which leaves
    out what only the screen needs: the print button, the style sheet's link)."""
    return laid_out(template_name, context).write_pdf()


def laid_out(template_name: str, context: dict):
    """WeasyPrint's document of ``template_name``: its pages laid out, not yet written."""
    # Imported here, not with the module: WeasyPrint loads Pango when imported, and a server
    # without it must still serve every page but the PDFs (scripts/ensure-system-packages.sh).
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    class NothingFetched(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"not fetched while rendering a PDF: {url[:80]}")

    html = render_to_string(template_name, {**context, "for_pdf": True})
    fetcher = NothingFetched()
    stylesheet = CSS(filename=finders.find(PRINT_CSS), url_fetcher=fetcher)
    return HTML(string=html, base_url="/", url_fetcher=fetcher).render(stylesheets=[stylesheet])
