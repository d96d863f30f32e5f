"""Refusals and missing pages answer in Swedish inside the site's own layout, with a way back."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_page_outside_the_scope_is_not_found_in_swedish(client, users, org):
    client.force_login(users.teacher)
    response = client.get(reverse("unit", args=[org.unit_n1.pk]))
    assert response.status_code == 404
    text = response.content.decode()
    assert "<h1>Sidan finns inte</h1>" in text
    assert 'href="/"' in text and "Logga ut" in text  # the site's header, logged in


def test_a_refused_action_says_so_in_swedish(client, users):
    client.force_login(users.board)
    response = client.get(reverse("targets"))
    assert response.status_code == 403
    assert "<h1>Inte tillåtet</h1>" in response.content.decode()


def test_the_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    assert "Något gick fel" in render_to_string("500.html")
