"""`{% load sso %}` (registered in settings' TEMPLATES libraries): what the login page offers."""

from __future__ import annotations

from django import template

from skolkvalitet.web.sso.passwords import password_login_enabled
from skolkvalitet.web.sso.providers import LoginProvider, login_providers

register = template.Library()


@register.simple_tag
def sso_providers() -> list[LoginProvider]:
    return login_providers()


@register.simple_tag
def password_login() -> bool:
    return password_login_enabled()
