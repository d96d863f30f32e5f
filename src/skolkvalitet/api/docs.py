"""The interactive API docs (Swagger UI) without any CDN: django-ninja ships Swagger UI's
files in its package, and this module serves them from there (a fixed list, no path from the
request reaches the file system)."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png")


class VendoredSwagger(DocsBase):
    """Swagger UI with its script, style sheet and settings all served by the app."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout"}
        context = {
            "title": api.title,
            "swagger_settings": settings,
            "css": reverse("api:docs-asset", args=["swagger-ui.css"]),
            "bundle": reverse("api:docs-asset", args=["swagger-ui-bundle.js"]),
            "init": reverse("api:docs-asset", args=["swagger-ui-init.js"]),
            "favicon": reverse("api:docs-asset", args=["favicon.png"]),
        }
        return render(request, "api/docs.html", context)


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404(name)
    content_type, _encoding = mimetypes.guess_type(name)
    return FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
