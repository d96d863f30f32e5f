"""SAML 2.0 login in a real browser (issue 15): an identity provider built on pysaml2's own
Server (tests/web/sso/saml_idp.py, signing with tests/data/saml/idp.key) is served on
localhost by a small HTTP server in a thread. The person clicks the login page's SAML link;
our AuthnRequest (signed, HTTP-Redirect) takes the browser to the IdP, whose page holds the
signed Response in a form the person sends (HTTP-POST binding) to our ACS; they end logged in
on the overview.

The SAML session cookie (djangosaml2's, which holds the outstanding request) is SameSite=None
by default, which a browser keeps only with Secure, over HTTPS. The IdP here is on another port
of localhost, the same *site* as the live server, so the test sets
SAML_SESSION_COOKIE_SAMESITE = "Lax", which the POST from the IdP's page carries. In production
the IdP is another site and the site is HTTPS: SameSite=None with Secure (docs/security.md)."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import urlopen

import pytest
from tests.web.sso.saml_idp import DATA, IDP_ENTITY_ID, TestIdP, idp_metadata

from skolkvalitet.organisation.models import AuditEvent
from skolkvalitet.web.sso.actions import identity_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class IdPServer:
    """The IdP on localhost: GET /saml/sso answers the AuthnRequest for `subject`."""

    def __init__(self) -> None:
        self.idp: TestIdP | None = None
        self.subject = ""
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                if not self.path.startswith("/saml/sso?") or owner.idp is None:
                    self.send_error(404)
                    return
                destination, post = owner.idp.answer_to(
                    owner.url + self.path, subject=owner.subject
                )
                fields = "".join(
                    f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
                    for name, value in post.items()
                )
                body = (
                    "<!doctype html><title>Test IdP</title><h1>Test IdP</h1>"
                    f'<form method="post" action="{html.escape(destination)}">{fields}'
                    "<button type=submit>Continue</button></form>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # "localhost", as the live server's URL: another origin (port), the same site.
        self.url = f"http://localhost:{self.httpd.server_address[1]}"
        self.sso_url = f"{self.url}/saml/sso"


@pytest.fixture(scope="module")
def idp_server() -> Iterator[IdPServer]:
    server = IdPServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def saml(settings, tmp_path, live_server, idp_server) -> IdPServer:
    """Skolkvalitet (the live server) as a service provider of the IdP, which trusts it
    through the metadata our /sso/saml/metadata/ serves."""
    settings.SKOLKVALITET_SAML_IDP_METADATA_FILE = str(
        idp_metadata(tmp_path / "idp.xml", idp_server.sso_url)
    )
    settings.SKOLKVALITET_SAML_ENTITY_ID = f"{live_server.url}/sso/saml/metadata/"
    settings.SKOLKVALITET_SAML_KEY_FILE = str(DATA / "sp.key")
    settings.SKOLKVALITET_SAML_CERT_FILE = str(DATA / "sp.crt")
    settings.SKOLKVALITET_SAML_NAME = "Testfederationen"
    settings.SAML_SESSION_COOKIE_SAMESITE = "Lax"
    sp_metadata = tmp_path / "sp.xml"
    with urlopen(f"{live_server.url}/sso/saml/metadata/") as answer:
        sp_metadata.write_bytes(answer.read())
    idp_server.idp = TestIdP.trusting(sp_metadata, idp_server.sso_url)
    idp_server.requests.clear()
    return idp_server


def test_a_person_logs_in_through_the_saml_idp_and_lands_on_the_overview(
    page, live_server, saml, org, users, screenshot
):
    admin = users.organiser_admin
    identity_link(user=admin, protocol="saml", issuer=IDP_ENTITY_ID, subject="agnes-persistent")
    saml.subject = "agnes-persistent"
    page.goto(f"{live_server.url}/")  # not logged in: the login page
    page.locator('a[data-sso="saml"]').click()
    page.wait_for_url(f"{saml.sso_url}?**")
    assert "SAMLRequest=" in page.url and "Signature=" in page.url  # our signed request
    page.get_by_role("button", name="Continue").click()  # the IdP's HTTP-POST to our ACS
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Välkommen")
    assert page.locator("tbody th[scope=row]").count() == 4  # the organiser's units
    event = AuditEvent.objects.get(action="login_sso", user=admin)
    assert event.detail["protocol"] == "saml" and event.ip_address == "127.0.0.1"
    assert [p for p in saml.requests if p.startswith("/saml/sso?")] == saml.requests[:1]
    screenshot("sso-saml-logged-in")


def test_an_identity_the_idp_vouches_for_but_no_user_has_is_refused(
    page, live_server, saml, org, users
):
    saml.subject = "nobody-here"
    page.goto(f"{live_server.url}/")
    page.locator('a[data-sso="saml"]').click()
    page.wait_for_url(f"{saml.sso_url}?**")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/login/**")
    assert not AuditEvent.objects.filter(action="login_sso").exists()
    assert AuditEvent.objects.filter(action="login_sso_refused").exists()
