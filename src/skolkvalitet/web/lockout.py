"""What a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE): the login page's frame
with a sentence in Swedish saying how long the lockout lasts, as 429 Too Many Requests."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
