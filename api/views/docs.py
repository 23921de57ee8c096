"""The OpenAPI schema and its Swagger UI page.

The schema is an API endpoint like any other (a token or a fully signed-in session). The
page is a portal page: a session only, held at the factor step like every other. Swagger UI
comes from drf-spectacular-sidecar's static files (no CDN), and its start-up script is a
separate same-origin request (SpectacularSwaggerSplitView), since the Content-Security-Policy
refuses inline scripts and styles."""

from __future__ import annotations

from django.utils.translation import get_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.response import Response


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


class SchemaView(SpectacularAPIView):
    """The schema, generated once per process, API version and language: generating it walks
    every endpoint and serializer (seconds under load), and it changes only with the code,
    which a new process brings. It is the same for everyone who may read it (it is public to
    a signed-in caller: SERVE_PUBLIC), only its labels follow the language."""

    _generated: dict[tuple[str | None, str], dict] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, get_language())
        if key not in self._generated:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            self._generated[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(
            data=self._generated[key],
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )
