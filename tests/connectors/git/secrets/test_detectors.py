"""The detector table checks itself: every example is found (by its pattern and validator, and
through the whole engine), no counter-example is, every match holds a keyword the pre-filter
looks for; the whole-file rules join what they should; and nhiscan's detectors stay quiet on
real code (botocore, nhiscan itself)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import botocore
import pytest

import nhiscan
from nhiscan.connectors.git.secrets import detectors as table
from nhiscan.connectors.git.secrets.detectors import DETECTORS, Detector
from nhiscan.connectors.git.secrets.engine import Scanner
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.scanner.model import Provider
from tests.connectors.git.secrets.detector_examples import _FAKE_PEM, EXAMPLES, pgp_block

NAMES = frozenset(d.name for d in DETECTORS)


def _examples(detector: Detector) -> tuple[str, ...]:
    return EXAMPLES[detector.name][0]


def _counter(detector: Detector) -> tuple[str, ...]:
    return EXAMPLES[detector.name][1]


def test_every_detector_has_examples_and_no_example_is_orphaned() -> None:
    assert set(EXAMPLES) == {d.name for d in DETECTORS}


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def _found(detector: Detector, text: str) -> list[re.Match[str]]:
    """The pattern's matches in ``text`` that its validator accepts."""
    return [
        m
        for m in detector.pattern.finditer(text)
        if detector.validate is None or detector.validate(m.groupdict().get("secret") or m[0])
    ]


def _scan(scanner: Scanner, text: str, path: str = "config.txt") -> list[Match]:
    return list(scanner.scan(text.encode(), path).matches)


def _by(matches: list[Match], name: str) -> list[Match]:
    return [m for m in matches if name in m.detectors]


def _detector_ids(detector: Detector) -> str:
    return detector.name


# -- the table -------------------------------------------------------------------------------


def test_names_are_unique_and_ranks_are_ints() -> None:
    assert len(NAMES) == len(DETECTORS)
    assert all(type(d.rank) is int for d in DETECTORS)


def test_names_differ_from_detect_secrets_types() -> None:
    """A report says which engine found what, and a counter-example reported by a
    detect-secrets plugin of the same name would pass for one of ours."""
    from nhiscan.connectors.git.secrets import plugins

    assert NAMES.isdisjoint(p.secret_type for p in plugins.configure())


@pytest.mark.parametrize("detector", DETECTORS, ids=_detector_ids)
def test_entry_is_complete(detector: Detector) -> None:
    assert len(_examples(detector)) >= 2
    assert len(_counter(detector)) >= 2
    assert detector.keywords
    assert all(k == k.lower() and k for k in detector.keywords)


@pytest.mark.parametrize("detector", DETECTORS, ids=_detector_ids)
def test_cloud_credentials_name_their_provider(detector: Detector) -> None:
    clouds = {"AWS": Provider.AWS, "GCP": Provider.GCP, "Azure": Provider.AZURE}
    expected = clouds.get(detector.name.split()[0])
    assert detector.provider is expected


@pytest.mark.parametrize("detector", DETECTORS, ids=_detector_ids)
def test_examples_are_found_by_the_pattern(detector: Detector) -> None:
    missed = [e for e in _examples(detector) if not _found(detector, e)]
    assert missed == []


@pytest.mark.parametrize("detector", DETECTORS, ids=_detector_ids)
def test_examples_are_found_by_the_engine(detector: Detector, scanner: Scanner) -> None:
    missed = [e for e in _examples(detector) if not _by(_scan(scanner, e), detector.name)]
    assert missed == []


@pytest.mark.parametrize("detector", DETECTORS, ids=_detector_ids)
def test_counter_examples_are_not_found(detector: Detector, scanner: Scanner) -> None:
    by_pattern = [e for e in _counter(detector) if _found(detector, e)]
    by_engine = [e for e in _counter(detector) if _by(_scan(scanner, e), detector.name)]
    assert by_pattern == []
    assert by_engine == []


@pytest.mark.parametrize("detector", DETECTORS, ids=_detector_ids)
def test_every_match_holds_a_keyword(detector: Detector) -> None:
    for example in _examples(detector):
        for m in detector.pattern.finditer(example):
            assert any(k in m[0].lower() for k in detector.keywords), (detector.name, m[0])


@pytest.mark.parametrize("detector", DETECTORS, ids=_detector_ids)
def test_no_match_crosses_a_line(detector: Detector) -> None:
    text = "\n".join(_examples(detector) + _counter(detector))
    assert [m[0] for m in detector.pattern.finditer(text) if "\n" in m[0]] == []


# -- whole-file rules: AWS -------------------------------------------------------------------

KEY_A, SECRET_A = "AKIAIJG2K3TK5ULKBTRV", "G7Pq3LfjsRbfYcV/3VoF/ZjbqHu7NJ1HS60YAPVl"
KEY_B, SECRET_B = "AKIAD7E6L6KYH7R3C6D6", "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"


def _one(matches: list[Match], name: str, secret: str) -> Match:
    found = [m for m in _by(matches, name) if m.secret == secret]
    assert len(found) == 1
    return found[0]


def test_aws_key_id_is_paired_with_the_nearest_secret(scanner: Scanner) -> None:
    credentials = (
        "[default]\n"
        f"aws_access_key_id = {KEY_A}\n"
        f"aws_secret_access_key = {SECRET_A}\n"
        "\n"
        "[deploy]\n"
        f"aws_secret_access_key = {SECRET_B}\n"
        f"aws_access_key_id = {KEY_B}\n"
    )
    matches = _scan(scanner, credentials, "credentials")
    key_a = _one(matches, table.AWS_KEY_ID, KEY_A)
    key_b = _one(matches, table.AWS_KEY_ID, KEY_B)
    assert key_a.paired_secret == SECRET_A
    assert key_b.paired_secret == SECRET_B
    secret_a = _one(matches, table.AWS_SECRET_KEY, SECRET_A)  # kept, joined to its key id
    assert secret_a.credential_id == KEY_A
    assert secret_a.paired_secret is None
    assert _one(matches, table.AWS_SECRET_KEY, SECRET_B).credential_id == KEY_B


def test_aws_key_id_alone_has_no_pair(scanner: Scanner) -> None:
    key = _one(_scan(scanner, f"AWS_ACCESS_KEY_ID={KEY_A}\n"), table.AWS_KEY_ID, KEY_A)
    assert key.paired_secret is None


def test_one_secret_pairs_one_key_id(scanner: Scanner) -> None:
    text = f"id1 = {KEY_A}\nid2 = {KEY_B}\naws_secret_access_key = {SECRET_A}\n"
    matches = _scan(scanner, text)
    assert _one(matches, table.AWS_KEY_ID, KEY_B).paired_secret == SECRET_A
    assert _one(matches, table.AWS_KEY_ID, KEY_A).paired_secret is None


def test_an_unnamed_secret_key_beside_its_key_id_is_found_and_paired(scanner: Scanner) -> None:
    terraform = (
        'provider "aws" {\n'
        '  region     = "eu-west-1"\n'
        f'  access_key = "{KEY_A}"\n'
        f'  secret_key = "{SECRET_A}"\n'
        "}\n"
    )
    java = f'new BasicAWSCredentials("{KEY_B}", "{SECRET_B}");\n'
    for text, key, secret in ((terraform, KEY_A, SECRET_A), (java, KEY_B, SECRET_B)):
        matches = _scan(scanner, text, "main.tf" if text is terraform else "App.java")
        assert _one(matches, table.AWS_KEY_ID, key).paired_secret == secret
        assert _one(matches, table.AWS_SECRET_KEY, secret).credential_id == key


def test_a_bare_40_character_string_is_a_secret_key_only_near_a_key_id(scanner: Scanner) -> None:
    digest = "0123456789abcdef0123456789abcdef01234567"  # a lower-case hex digest
    far = f"id = {KEY_A}\n" + "x = 1\n" * 4 + f'value = "{SECRET_A}"\n'
    for text in (f'value = "{SECRET_A}"\n', f"id = {KEY_A}\nsha = {digest}\n", far):
        matches = _scan(scanner, text)
        assert not [m for m in matches if m.detector == table.AWS_SECRET_KEY], text


# -- whole-file rules: GCP -------------------------------------------------------------------

PEM_LINES = _FAKE_PEM
PEM_BODY = "".join(PEM_LINES)
OTHER_PEM_LINES = (
    "MIIEowCjganXxRFd9KNbhscefFsrRLxR4uimVJWH3JzzMrnnXFjUavkZDXMWCpsb",
    "eW1iSYBe8Gkg8aXTna+eTJc1VCago3M6b4UlbuEXoSNeLVuLprrKuGXuYb5rAI2T",
    "jusd/Tev5kmq2wCM6feHdWv/yJL4ZVvN5OvCPxO90NsANvYrUj4/d6kTd6pm6qph",
    "BP2lgn+ek37WOWrV1NZZQUHnjz3r5P==",
)
KEY_ID = "b992c456a5f7fecad72ec1c5c0157cd926e82c12"
EMAIL = "ci-deployer@acme-prod-4821.iam.gserviceaccount.com"


def _pem(lines: tuple[str, ...], kind: str = "") -> str:
    return "\n".join(
        (f"-----BEGIN {kind}PRIVATE KEY-----", *lines, f"-----END {kind}PRIVATE KEY-----")
    )


def _service_account_key(email: str = EMAIL, kind: str = "service_account") -> str:
    project = "acme-prod-4821"
    return json.dumps(
        {
            "type": kind,
            "project_id": project,
            "private_key_id": KEY_ID,
            "private_key": _pem(PEM_LINES) + "\n",
            "client_email": email,
            "client_id": "104729318564092817364",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        },
        indent=2,
    )


def test_gcp_key_file_names_its_service_account(scanner: Scanner) -> None:
    matches = _scan(scanner, _service_account_key(), "deploy-sa.json")
    key = _one(matches, table.GCP_SA_KEY, KEY_ID)
    assert key.credential_id == KEY_ID
    assert key.hint == EMAIL
    assert key.provider is Provider.GCP
    assert _one(matches, table.PRIVATE_KEY, PEM_BODY).line == key.line + 1


def test_a_key_file_is_one_private_key_not_two(scanner: Scanner) -> None:
    """detect-secrets' "Private Key" plugin reports the BEGIN line's words, not the key: on the
    line where the PEM detector read the key it is the same secret (not a second finding whose
    hash every key file in every repository shares)."""
    matches = _scan(scanner, _service_account_key(), "deploy-sa.json")
    (pem,) = (m for m in matches if "PRIVATE KEY" in m.secret or m.secret == PEM_BODY)
    assert pem.detector == table.PRIVATE_KEY and pem.secret == PEM_BODY
    assert "Private Key" in pem.detectors
    assert [m.detector for m in matches] == [table.GCP_SA_KEY, table.PRIVATE_KEY]


def test_gcp_hint_needs_a_service_account(scanner: Scanner) -> None:
    text = _service_account_key(email="someone@acme.example", kind="authorized_user")
    key = _one(_scan(scanner, text, "creds.json"), table.GCP_SA_KEY, KEY_ID)
    assert key.hint is None
    text = _service_account_key(email="runner@acme.example")  # type says service_account
    key = _one(_scan(scanner, text, "creds.json"), table.GCP_SA_KEY, KEY_ID)
    assert key.hint == "runner@acme.example"


# -- whole-file rules: Azure -----------------------------------------------------------------

CLIENT_SECRET = "K9s1Q~BDd6A4dl0KxkoBS6JnsVxiFU4QKbUgmwcD"
OTHER_SECRET = "ePj7Q~hzqZyA9JOQfjPC0nXKg07PY-pmRCTGQEdJ"
CLIENT_ID = "4d491a9e-6297-0f86-3336-20b3363e972b"
OTHER_ID = "dce79165-7fb7-f4f6-16b0-396a821d3115"


def test_azure_secret_is_hinted_with_its_client_id(scanner: Scanner) -> None:
    env = (
        f"AZURE_TENANT_ID={OTHER_ID}\n"
        f"AZURE_CLIENT_ID={CLIENT_ID.upper()}\n"
        f"AZURE_CLIENT_SECRET={CLIENT_SECRET}\n"
    )
    secret = _one(_scan(scanner, env, ".env"), table.AZURE_CLIENT_SECRET, CLIENT_SECRET)
    assert secret.hint == f"client_id={CLIENT_ID}"
    assert secret.credential_id is None
    assert secret.provider is Provider.AZURE


def test_two_azure_apps_in_one_file(scanner: Scanner) -> None:
    settings = json.dumps(
        {
            "Ingest": {"ClientId": CLIENT_ID, "ClientSecret": CLIENT_SECRET},
            "Reports": {"appId": OTHER_ID, "password": OTHER_SECRET},
        },
        indent=2,
    )
    matches = _scan(scanner, settings, "appsettings.json")
    assert _one(matches, table.AZURE_CLIENT_SECRET, CLIENT_SECRET).hint == f"client_id={CLIENT_ID}"
    assert _one(matches, table.AZURE_CLIENT_SECRET, OTHER_SECRET).hint == f"client_id={OTHER_ID}"


def test_azure_secret_without_client_id_has_no_hint(scanner: Scanner) -> None:
    secret = _one(
        _scan(scanner, f"secret: {CLIENT_SECRET}\n"), table.AZURE_CLIENT_SECRET, CLIENT_SECRET
    )
    assert secret.hint is None


STORAGE_EXAMPLE = EXAMPLES[table.AZURE_STORAGE_KEY][0][0]


def test_storage_key_rule_hints_its_account() -> None:
    (found,) = _found(
        next(d for d in DETECTORS if d.name == table.AZURE_STORAGE_KEY), STORAGE_EXAMPLE
    )
    match = Match(
        detector=table.AZURE_STORAGE_KEY,
        detectors=(table.AZURE_STORAGE_KEY,),
        provider=Provider.AZURE,
        secret=found["secret"],
        line=1,
    )
    (hinted,) = table.azure_storage_account([match], [STORAGE_EXAMPLE])
    assert hinted.hint == "AccountName=acmeprodlogs"


def test_storage_key_is_hinted_with_its_account(scanner: Scanner) -> None:
    (match,) = _by(_scan(scanner, STORAGE_EXAMPLE), table.AZURE_STORAGE_KEY)
    assert match.hint == "AccountName=acmeprodlogs"
    assert match.secret.endswith("==") and len(match.secret) == 88


# -- whole-file rules: private keys ----------------------------------------------------------


def _pem_secrets(scanner: Scanner, text: str, path: str = "key.txt") -> list[str]:
    return [m.secret for m in _by(_scan(scanner, text, path), table.PRIVATE_KEY)]


def _wrappings(lines: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """One key as files hold it: a .pem, YAML, a Python string, Java concatenation, JSON."""
    yield "id.pem", _pem(lines, "RSA ") + "\n"
    yield "values.yaml", "tls:\n  key: |\n" + "".join(f"    {x}\n" for x in _pem(lines).split("\n"))
    yield "conf.py", f'# test fixture\nKEY = """{_pem(lines, "EC ")}"""\n\nprint(KEY)\n'
    java = [f'    "{x}\\n" +' for x in _pem(lines).split("\n")]
    yield "Keys.java", "class Keys {\n  static String K =\n" + "\n".join(java) + ' "";\n}\n'
    yield "sa.json", json.dumps({"private_key": _pem(lines) + "\n"}, indent=1)
    yield "env.sh", 'export KEY="' + _pem(lines).replace("\n", " ") + '"\n'


def test_private_key_secret_is_its_body_however_wrapped(scanner: Scanner) -> None:
    for path, text in _wrappings(PEM_LINES):
        assert _pem_secrets(scanner, text, path) == [PEM_BODY], path


def test_different_private_keys_differ(scanner: Scanner) -> None:
    text = _pem(PEM_LINES) + "\n\n" + _pem(OTHER_PEM_LINES) + "\n"
    secrets = _pem_secrets(scanner, text)
    assert secrets == [PEM_BODY, "".join(OTHER_PEM_LINES)]


def test_begin_marker_without_a_key_is_dropped(scanner: Scanner) -> None:
    docs = "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"
    parser = (
        'PKCS8_HEADER = "-----BEGIN PRIVATE KEY-----"\nPKCS8_FOOTER = "-----END PRIVATE KEY-----"\n'
    )
    last = "key:\n  -----BEGIN RSA PRIVATE KEY-----"
    short = (
        "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    )
    for text in (docs, parser, last, short):
        assert _pem_secrets(scanner, text) == [], text


def test_private_key_without_end_keeps_the_begin_line(scanner: Scanner) -> None:
    text = _pem(PEM_LINES).rsplit("\n", 1)[0] + "\nnext: value\n"
    assert _pem_secrets(scanner, text) == ["-----BEGIN PRIVATE KEY-----"]


def test_encrypted_pem_headers_are_skipped(scanner: Scanner) -> None:
    headers = (
        "Proc-Type: 4,ENCRYPTED",
        "DEK-Info: AES-128-CBC,6F1A2B3C4D5E6F708192A3B4C5D6E7F8",
        "",
    )
    text = _pem((*headers, *PEM_LINES), "RSA ")
    assert _pem_secrets(scanner, text) == [PEM_BODY]


# -- no false positives on real code ---------------------------------------------------------


def _sources() -> list[Path]:
    botocore_files = sorted(Path(botocore.__file__).parent.rglob("*.py"))
    own = sorted(Path(nhiscan.__file__).parent.rglob("*.py"))  # the table itself included
    return botocore_files + own


def test_no_false_positives_on_real_code(scanner: Scanner) -> None:
    sources = _sources()
    assert len(sources) > 100
    fired = [
        f"{path}:{m.line}: {m.detector}"
        for path in sources
        for m in scanner.scan(path.read_bytes(), str(path)).matches
        if NAMES.intersection(m.detectors)
    ]
    assert fired == []


def test_lock_files_get_nhiscan_detectors_but_not_detect_secrets_generic_plugins(
    scanner: Scanner,
) -> None:
    digest = "Vq3xPz9aLmN2bQ7rT8uW1yZ4cE6fG0hJ5kL3mN9pQ2sR4tU6vW8xY0zA1bC3dE5fG7hI9jK1lM3nO5pQ7r"
    integrity = f'"integrity": "sha512-{digest}S9tU=="'
    key = "AKIA" + "Z7VRSQ5DXJQ4YEPX"
    text = f'{{\n  {integrity},\n  "note": "{key}"\n}}\n'
    in_lock = _scan(scanner, text, "package-lock.json")
    assert {m.detector for m in in_lock} == {"AWS Access Key ID"}
    elsewhere = _scan(scanner, text, "data.json")
    assert "Base64 High Entropy String" in {d for m in elsewhere for d in m.detectors}


def test_detect_secrets_prefix_only_tokens_are_reported_whole(scanner: Scanner) -> None:
    # detect-secrets' GitHub and GitLab plugins report "ghp" / "glpat" as the secret.
    first = "glpat-" + "Ab1" * 7 + "x"
    second = "glpat-" + "Zy9" * 7 + "q"
    secrets = {m.secret for m in _scan(scanner, f'A = "{first}"\nB = "{second}"\n', "x.py")}
    assert {first, second} <= secrets and "glpat" not in secrets


def _pgp_matches(scanner: Scanner, text: str, path: str = "keys/release.asc") -> list[Match]:
    return list(scanner.scan(text.encode(), path).matches)


def test_pgp_block_in_a_file_is_one_key_named_by_its_detector_with_its_packets() -> None:
    scanner = Scanner()
    block = pgp_block("pgp-file")
    body = "".join(line for line in block[3:-2])
    plain = "\n".join(block) + "\n"
    yaml = "signing:\n  key: |\n" + "".join(f"    {line}\n" for line in block)
    escaped = '{"key": "' + "\\n".join(block) + '"}\n'
    for path, text in (("release.asc", plain), ("ci.yaml", yaml), ("ci.json", escaped)):
        # detect-secrets reads a YAML block scalar as one value on its key's line: its marker
        # stays there, a line above the key.
        found = [m for m in _pgp_matches(scanner, text, path) if m.detector != "Private Key"]
        (match,) = found
        assert match.detector == "PGP Private Key Block", path
        assert match.secret == body, path
        assert "Private Key" in match.detectors or path != "release.asc"  # its marker, folded


def test_pgp_markers_stubs_public_keys_and_bad_checksums_are_no_key() -> None:
    scanner = Scanner()
    stub = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n...\n-----END PGP PRIVATE KEY BLOCK-----\n"
    marker = 'HEADER = "-----BEGIN PGP PRIVATE KEY BLOCK-----"\n'
    public = "\n".join(pgp_block("pgp-pub", first=0x99)) + "\n"
    corrupt = "\n".join(pgp_block("pgp-bad", crc_delta=7)) + "\n"
    for text in (stub, marker, public, corrupt):
        names = [m.detector for m in _pgp_matches(scanner, text)]
        assert "PGP Private Key Block" not in names, text[:60]
