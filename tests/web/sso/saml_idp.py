"""An identity provider inside the test (pysaml2's own `saml2.server.Server`, signing with
tests/data/saml/idp.key through xmlsec1): it reads our AuthnRequest and answers it with a
signed assertion, as an IdP such as Skolfederation's or Entra ID's would."""

from __future__ import annotations

import base64
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import saml2
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

DATA = Path(__file__).resolve().parents[2] / "data" / "saml"
IDP_ENTITY_ID = "https://idp.example.test/saml/metadata"
IDP_SSO_URL = "https://idp.example.test/saml/sso"
XMLSEC = shutil.which("xmlsec1") or "/usr/bin/xmlsec1"


def idp_config(sp_metadata: Path | None, sso_url: str = IDP_SSO_URL) -> IdPConfig:
    config = IdPConfig()
    config.load(
        {
            "entityid": IDP_ENTITY_ID,
            "xmlsec_binary": XMLSEC,
            "key_file": str(DATA / "idp.key"),
            "cert_file": str(DATA / "idp.crt"),
            "metadata": {"local": [str(sp_metadata)]} if sp_metadata else {},
            "service": {
                "idp": {
                    "name": "Test IdP",
                    "endpoints": {
                        "single_sign_on_service": [(sso_url, saml2.BINDING_HTTP_REDIRECT)]
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 15},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
        }
    )
    return config


def idp_metadata(path: Path, sso_url: str = IDP_SSO_URL) -> Path:
    """The IdP's metadata, for the service provider's settings."""
    path.write_text(create_metadata_string(None, config=idp_config(None, sso_url)).decode())
    return path


@dataclass
class TestIdP:
    server: Server
    sso_url: str = IDP_SSO_URL

    @classmethod
    def trusting(cls, sp_metadata: Path, sso_url: str = IDP_SSO_URL) -> TestIdP:
        return cls(Server(config=idp_config(sp_metadata, sso_url)), sso_url)

    def answer(
        self,
        redirect_url: str,
        *,
        subject: str,
        mail: str = "",
        sign: bool = True,
        encrypt: bool = False,
    ) -> dict[str, str]:
        """The POST the browser would carry to our ACS: a signed response to the
        AuthnRequest in `redirect_url` (HTTP-Redirect binding) for the person `subject`."""
        return self.answer_to(redirect_url, subject=subject, mail=mail, sign=sign, encrypt=encrypt)[
            1
        ]

    def answer_to(
        self,
        redirect_url: str,
        *,
        subject: str,
        mail: str = "",
        sign: bool = True,
        encrypt: bool = False,
    ) -> tuple[str, dict[str, str]]:
        """Where the answer goes (the ACS the request names or our metadata gives) and the
        POST `answer` describes."""
        assert redirect_url.startswith(self.sso_url + "?")
        query = parse_qs(urlsplit(redirect_url).query)
        request = self.server.parse_authn_request(
            query["SAMLRequest"][0], saml2.BINDING_HTTP_REDIRECT
        )
        arguments = self.server.response_args(request.message)
        response = self.server.create_authn_response(
            identity={"mail": [mail]} if mail else {},
            userid=subject,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
            authn={"class_ref": saml2.saml.AUTHN_PASSWORD_PROTECTED},
            sign_assertion=sign,
            # To the certificate in our metadata, as an IdP that encrypts assertions does.
            encrypt_assertion=encrypt,
            sign_response=False,
            **arguments,
        )
        return arguments["destination"], {
            "SAMLResponse": base64.b64encode(str(response).encode()).decode(),
            "RelayState": query.get("RelayState", [""])[0],
        }
