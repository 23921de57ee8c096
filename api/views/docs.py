"""The OpenAPI schema and its Swagger UI page.

The schema is an API endpoint like any other (a token or a fully signed-in session). The
page is a portal page: a session only, held at the factor step like every other. Swagger UI
comes from drf-spectacular-sidecar's static files (no CDN), and its start-up script is a
separate same-origin request (SpectacularSwaggerSplitView), since the Content-Security-Policy
refuses inline scripts and styles."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class DocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"

    @classmethod
    def as_view(cls, **initkwargs):
        """A portal page: Django's sign-in and second-factor middleware apply, which DRF
        switches off for its views (they authenticate for themselves)."""
        view = super().as_view(**initkwargs)
        view.login_required = True
        return view
