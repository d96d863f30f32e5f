"""The login and start pages, per role (Django's test client)."""

from __future__ import annotations

from django.urls import reverse

from skolkvalitet.organisation.models import Role


def test_the_start_page_asks_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("start"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_page_is_in_swedish(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="sv">' in response.content.decode()
    assert "Logga in" in response.content.decode()
    assert "Lösenord" in response.content.decode()


def test_a_wrong_password_gets_a_clear_message(client, make_user):
    make_user("eva").set_password("rätt-lösenord")
    response = client.post(reverse("login"), {"username": "eva", "password": "fel"})
    assert "Fel användarnamn eller lösenord" in response.content.decode()


def test_logging_in_leads_to_the_start_page(client, make_user):
    user = make_user("eva")
    user.set_password("ett-långt-lösenord")
    user.save()
    response = client.post(
        reverse("login"), {"username": "eva", "password": "ett-långt-lösenord"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("start")
    assert "Du har ingen roll i organisationen" in response.content.decode()


def test_the_organiser_admin_sees_every_unit_with_its_pupils(client_for, org):
    page = client_for(Role.ORGANISER_ADMIN).get(reverse("start")).content.decode()
    for unit in ("Norrskolan", "Björkskolan", "Söderskolan", "Ekskolan"):
        assert unit in page
    assert "10 elever" in page  # all ten pupils of the fixture
    assert "Förvaltningsledning" in page


def test_a_unit_head_sees_only_their_unit(client_for, org):
    page = client_for(Role.UNIT_HEAD).get(reverse("start")).content.decode()
    assert "Norrskolan" in page
    assert "5 elever" in page  # Alva, Bella, Cesar, David, Elsa
    for other in ("Björkskolan", "Söderskolan", "Ekskolan"):
        assert other not in page


def test_a_teacher_sees_their_group(client_for, org):
    page = client_for(Role.TEACHER).get(reverse("start")).content.decode()
    assert "Dina grupper" in page
    assert "Norrskolan 7A" in page
    assert "3 elever" in page
    assert "Norrskolan 7B" not in page


def test_the_board_is_told_that_it_sees_protected_figures_only(client_for, org):
    page = client_for(Role.BOARD).get(reverse("start")).content.decode()
    assert "endast sammanställda, skyddade siffror" in page


def test_the_coach_sees_only_their_area(client_for, org):
    page = client_for(Role.COACH).get(reverse("start")).content.decode()
    assert "Söderskolan" in page and "Ekskolan" in page
    assert "Norrskolan" not in page


def test_the_start_page_needs_few_queries(client_for, org, django_assert_max_num_queries):
    client = client_for(Role.ORGANISER_ADMIN)
    with django_assert_max_num_queries(10):
        client.get(reverse("start"))


def test_healthz_answers_ok(client, db):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}
