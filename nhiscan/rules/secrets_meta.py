"""How severe a secret found in code is, by the detector that found it: data, checked by
tests/rules/test_secrets.py (every generic detect-secrets plugin is listed here).

Specific formats (cloud keys, tokens with a vendor prefix, private keys, database URLs with a
password) are credentials with high confidence: high. detect-secrets' generic plugins
(keywords, entropy) are often test fixtures or hashes: low, so a team can gate on high without
drowning. detect-secrets' plugins that look for a vendor's keyword followed by any string of
the right length (IBM, Cloudant, SoftLayer) or a short prefix that random identifiers share
(Artifactory's ``AP`` + hex) are keyword matches too: medium, high only when a stronger
detector agrees (it then names the finding). A public IP address is not a secret: info.

Passwords and keys are then judged by where and how they are written (scanner/secrets_judge.py).
"""

from __future__ import annotations

from nhiscan.scanner.model import Severity

DEFAULT = Severity.HIGH

BY_DETECTOR: dict[str, Severity] = {
    "Secret Keyword": Severity.LOW,
    "Base64 High Entropy String": Severity.LOW,
    "Hex High Entropy String": Severity.LOW,
    "Public IP (ipv4)": Severity.INFO,
    "JSON Web Token": Severity.MEDIUM,
    "Artifactory Credentials": Severity.MEDIUM,
    "IBM Cloud IAM Key": Severity.MEDIUM,
    "IBM COS HMAC Credentials": Severity.MEDIUM,
    "Cloudant Credentials": Severity.MEDIUM,
    "SoftLayer Credentials": Severity.MEDIUM,
    # An account SID (AC…) or API key SID (SK…): identifiers that travel with a secret (the
    # auth token, the key's secret), not the secret; the plugin also matches "ACxxxx…"
    # placeholders. nhiscan's Twilio Auth Token detector reads the secret itself.
    "Twilio API Key": Severity.MEDIUM,
    # A bearer value of no known format in a header: a credential, but API documentation and
    # recorded requests are full of realistic ones. A token of a known format in the header
    # is named, and ranked, by that format's detector.
    "HTTP Authorization Header": Severity.MEDIUM,
    # An OAuth refresh token of no known issuer: a credential, but tests and documentation are
    # full of realistic ones, and its issuer and scopes are not known.
    "OAuth Refresh Token": Severity.MEDIUM,
    # It reports the BEGIN line, not the key: on a line where nhiscan's PEM detector validated
    # the body, that detector names the finding; alone it is a PGP or PuTTY block nhiscan does
    # not read, or the marker as a constant in code (parsers, key generators).
    "Private Key": Severity.MEDIUM,
    # A repository upload token lets one upload coverage reports to its repository, nothing
    # more (Codecov's uploader did not even ask public repositories on several CIs for one).
    "Codecov Upload Token": Severity.MEDIUM,
    # A password of no known format, written literally in XML (Maven's settings.xml, NuGet's
    # cleartext credentials, other configuration): a credential, but what it unlocks and
    # whether it is a sample is not known from its form.
    "XML Password Element": Severity.MEDIUM,
    # Test-mode and sandbox credentials of payment and shipping services (detectors/business.py):
    # credentials of a known format, but they move no money and reach no production data.
    "Stripe Test Secret Key": Severity.MEDIUM,
    "Plaid Sandbox Access Token": Severity.MEDIUM,
    "Braintree Sandbox Access Token": Severity.MEDIUM,
    "Mollie Test API Key": Severity.MEDIUM,
    "Flutterwave Test Secret Key": Severity.MEDIUM,
    "Shippo Test API Token": Severity.MEDIUM,
    "Duffel Test Access Token": Severity.MEDIUM,
    "Paddle Sandbox API Key": Severity.MEDIUM,
    # A PuTTY key file encrypted with a passphrase: the key, but of no use without the passphrase.
    "PuTTY Encrypted Private Key": Severity.MEDIUM,
    # The vendor documents the prefix, not the length (detectors/services.py): the row finds the
    # prefix and a random-looking body, a credential of lesser certainty than an exact format.
    **dict.fromkeys(
        ("Axiom Token", "NVIDIA API Key", "Tavily API Key", "Statsig Server Secret Key"),
        Severity.MEDIUM,
    ),
}


def severity_of(detector: str) -> Severity:
    return BY_DETECTOR.get(detector, DEFAULT)
