"""The two-factor pages (web/two_factor/views.py): setting up an authenticator with a first code
computed from its key, the code step after logging in, wrong codes refused, throttled and
logged, recovery codes, removing it, and the organisers' policy."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.two_factor.codes import code_now, next_code

from skolkvalitet.organisation.models import AuditEvent, Node
from skolkvalitet.web.two_factor.views import PENDING_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "ett-långt-lösenord-9"
ENROL = "/konto/tvastegsverifiering/"
VERIFY = "/konto/tvastegsverifiering/kod/"


def actions_logged() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def wrong(code: str) -> str:
    """Another six-digit code than `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


# -- setting up ---------------------------------------------------------------------------


def test_the_urls():
    assert reverse("two_factor") == ENROL
    assert reverse("two_factor_verify") == VERIFY


def test_the_set_up_page_shows_a_qr_code_and_the_key_and_saves_nothing(client_for, users):
    client = client_for("teacher")
    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    key = client.session[PENDING_KEY]
    assert '<svg width="' in html and 'class="qr-code"' in html  # drawn on the server
    secret = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
    shown = html.split("data-two-factor-secret>")[1].split("<")[0]
    assert shown.replace(" ", "") == secret
    assert not TOTPDevice.objects.exists()
    # The same key until it is confirmed (a reload does not invalidate the scanned code).
    client.get(ENROL)
    assert client.session[PENDING_KEY] == key


def test_a_first_code_from_the_key_turns_it_on_and_shows_recovery_codes_once(client_for, users):
    client = client_for("teacher")
    client.get(ENROL)
    key = client.session[PENDING_KEY]
    answer = client.post(ENROL, {"code": code_now(key), "next": "/resultat/"})
    assert answer.status_code == 200
    html = answer.content.decode()
    assert '<a href="/resultat/" data-two-factor-done>' in html  # on to the page asked for
    codes = [part.split("<")[0] for part in html.split("data-recovery-code>")[1:]]
    assert len(codes) == 10
    device = TOTPDevice.objects.get(user=users.teacher)
    assert device.confirmed and device.key == key
    stored = set(
        StaticToken.objects.filter(device__user=users.teacher).values_list("token", flat=True)
    )
    assert stored == set(codes)
    assert PENDING_KEY not in client.session
    # The code verified this session: pages answer, and the codes are not shown again.
    assert client.get("/").status_code == 200
    again = client.get(ENROL).content.decode()
    assert "data-recovery-code" not in again and 'data-two-factor="on"' in again
    assert "two_factor.enrol" in actions_logged()


def test_a_wrong_first_code_saves_nothing_and_is_logged(client_for, users):
    client = client_for("teacher")
    client.get(ENROL)
    key = client.session[PENDING_KEY]
    answer = client.post(ENROL, {"code": wrong(code_now(key))})
    assert answer.status_code == 200 and 'aria-invalid="true"' in answer.content.decode()
    assert not TOTPDevice.objects.exists()
    assert client.session[PENDING_KEY] == key  # try again with the same key
    event = AuditEvent.objects.get(action="two_factor.failed")
    assert event.user == users.teacher and event.detail["purpose"] == "enrol"


# -- logging in -----------------------------------------------------------------------------


@pytest.fixture
def requiring(org):
    org.organiser.two_factor_required = True
    org.organiser.save()
    return org


def password_login(client, user) -> None:
    user.set_password(PASSWORD)
    user.save()
    answer = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302


def test_without_a_device_or_a_policy_the_password_is_enough(client, org, users):
    password_login(client, users.unit_head)
    assert client.get("/").status_code == 200


def test_when_the_policy_requires_it_a_user_without_a_device_must_set_one_up(
    client, requiring, users
):
    password_login(client, users.unit_head)
    answer = client.get("/resultat/")
    assert answer.status_code == 302
    assert answer["Location"] == f"{ENROL}?next=%2Fresultat%2F"
    assert client.get(ENROL).status_code == 200  # the set-up page itself answers


def test_with_a_device_the_login_needs_the_code(client, requiring, users, enrol):
    device = enrol(users.unit_head)
    password_login(client, users.unit_head)
    answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"] == f"{VERIFY}?next=%2F"
    page = client.get(answer["Location"])
    assert page.status_code == 200 and 'data-two-factor="verify"' in page.content.decode()
    before = client.session.session_key
    verified = client.post(VERIFY, {"code": next_code(device), "next": "/"})
    assert verified.status_code == 302 and verified["Location"] == "/"
    assert client.session.session_key != before  # a new session key with the second factor
    assert client.get("/").status_code == 200
    assert actions_logged()[-1] == "two_factor.verify"


def test_a_device_set_up_is_used_even_where_the_policy_does_not_require_it(
    client, org, users, enrol
):
    device = enrol(users.board)
    password_login(client, users.board)
    assert client.get("/")["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": next_code(device)})
    assert client.get("/").status_code == 200


def test_roles_without_pupil_access_are_not_asked(client, requiring, users):
    password_login(client, users.board)
    assert client.get("/").status_code == 200


def test_the_code_step_goes_only_to_addresses_on_this_site(client, org, users, enrol):
    device = enrol(users.analyst)
    password_login(client, users.analyst)
    answer = client.post(VERIFY, {"code": next_code(device), "next": "https://evil.example/"})
    assert answer["Location"] == "/"


def test_a_wrong_code_is_refused_throttled_and_logged(client, org, users, enrol, settings):
    # A minute's wait after the first wrong code (the product's factor is 1 second), so that a
    # slow machine cannot outwait it between two requests.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = enrol(users.analyst)
    password_login(client, users.analyst)
    refused = client.post(VERIFY, {"code": wrong(next_code(device))})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Throttled: right away even the right code is refused (the next try must wait a factor's
    # seconds, then twice, four times ... as long after each further wrong code).
    right = next_code(device)
    throttled = client.post(VERIFY, {"code": right})
    assert throttled.status_code == 200 and client.get("/").status_code == 302
    failures = AuditEvent.objects.filter(action="two_factor.failed").order_by("pk")
    assert [e.detail["throttled"] for e in failures] == [False, True]
    assert all(e.user == users.analyst for e in failures)
    # Once the wait has passed, the right code works and the count starts again.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp - dt.timedelta(seconds=61)
    )
    assert client.post(VERIFY, {"code": right})["Location"] == "/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_used_code_cannot_log_in_again(client, org, users, enrol):
    device = enrol(users.analyst)
    code = next_code(device)
    password_login(client, users.analyst)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = client.__class__()
    password_login(other, users.analyst)
    assert other.post(VERIFY, {"code": code}).status_code == 200  # refused


def test_a_recovery_code_logs_in_once(client, org, users):
    client_setup = client.__class__()
    client_setup.force_login(users.analyst)
    client_setup.get(ENROL)
    key = client_setup.session[PENDING_KEY]
    html = client_setup.post(ENROL, {"code": code_now(key)}).content.decode()
    recovery = html.split("data-recovery-code>")[1].split("<")[0]
    password_login(client, users.analyst)
    assert client.post(VERIFY, {"code": recovery.upper()}).status_code == 302
    assert StaticToken.objects.filter(device__user=users.analyst).count() == 9
    other = client.__class__()
    password_login(other, users.analyst)
    assert other.post(VERIFY, {"code": recovery}).status_code == 200  # used up


# -- managing -------------------------------------------------------------------------------


def test_removing_needs_a_code(verified_client, users):
    client = verified_client("analyst")
    device = TOTPDevice.objects.get(user=users.analyst)
    refused = client.post(reverse("two_factor_remove"), {"code": wrong(next_code(device))})
    assert refused.status_code == 400 and TOTPDevice.objects.filter(user=users.analyst).exists()
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    answer = client.post(reverse("two_factor_remove"), {"code": next_code(device)})
    assert answer.status_code == 302
    assert not TOTPDevice.objects.filter(user=users.analyst).exists()
    assert not StaticToken.objects.filter(device__user=users.analyst).exists()
    assert "two_factor.remove" in actions_logged()


def test_new_recovery_codes_replace_the_old(verified_client, users):
    client = verified_client("analyst")
    old = set(StaticToken.objects.values_list("token", flat=True))
    device = TOTPDevice.objects.get(user=users.analyst)
    answer = client.post(reverse("two_factor_recovery_codes"), {"code": next_code(device)})
    assert answer.status_code == 200
    new = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10 and not new & old


def test_a_user_with_a_device_but_no_code_yet_is_sent_to_the_code_step(client_for, users, enrol):
    enrol(users.analyst)
    client = client_for("analyst")
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert client.post(reverse("two_factor_remove"), {"code": "123456"})["Location"].startswith(
        VERIFY
    )
    assert TOTPDevice.objects.filter(user=users.analyst).exists()


# -- the organisers' policy -----------------------------------------------------------------

POLICY = "/konto/tvastegsverifiering/krav/"


def test_only_holders_of_manage_users_on_the_organiser_set_the_policy(client_for, org, users):
    assert reverse("two_factor_policy") == POLICY
    for role in ("analyst", "unit_head", "teacher", "board", "coach"):
        assert client_for(role).get(POLICY).status_code == 403, role
        answer = client_for(role).post(POLICY, {"organiser": org.organiser.pk, "required": "1"})
        assert answer.status_code == 403, role
    assert not Node.objects.get(pk=org.organiser.pk).two_factor_required


def test_the_organiser_admin_switches_it_on_and_must_then_set_it_up(client_for, org, users):
    client = client_for("organiser_admin")
    page = client.get(POLICY).content.decode()
    assert f'data-organiser="{org.organiser.pk}"' in page
    answer = client.post(POLICY, {"organiser": org.organiser.pk, "required": "1"})
    assert answer.status_code == 302
    assert Node.objects.get(pk=org.organiser.pk).two_factor_required
    event = AuditEvent.objects.get(action="policy.two_factor")
    assert (event.user, event.node, event.detail) == (
        users.organiser_admin,
        org.organiser,
        {"required": True},
    )
    # The admin has pupil access under the organiser: the next page is the set-up.
    assert client.get(POLICY)["Location"].startswith(ENROL)


def test_the_organiser_admin_switches_it_off(verified_client, requiring, users):
    client = verified_client("organiser_admin")
    client.post(POLICY, {"organiser": requiring.organiser.pk, "required": "0"})
    assert not Node.objects.get(pk=requiring.organiser.pk).two_factor_required
    assert AuditEvent.objects.get(action="policy.two_factor").detail == {"required": False}


def test_an_organiser_the_admin_does_not_manage_is_not_found(client_for, org, users):
    from skolkvalitet.organisation.actions import node_create
    from skolkvalitet.organisation.models import NodeKind

    other = node_create(kind=NodeKind.ORGANISER, name="Grannby kommun", code="2120000002")
    answer = client_for("organiser_admin").post(POLICY, {"organiser": other.pk, "required": "1"})
    assert answer.status_code == 404
    assert not Node.objects.get(pk=other.pk).two_factor_required


def test_the_two_factor_page_links_the_rule_for_those_who_may_set_it(client_for, org, users):
    assert f'href="{POLICY}"' in client_for("organiser_admin").get(ENROL).content.decode()
    assert f'href="{POLICY}"' not in client_for("analyst").get(ENROL).content.decode()
