"""Whole-file rules: facts that need more than one line (an AWS key id and its secret key,
the client_email beside a GCP private_key_id, an Azure application id, a PEM key's body)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from nhiscan.connectors.git.secrets.detectors.checks import (
    _PEM_MAX_LINES,
    _pem_body,
    _pem_key_like,
    _pem_piece,
    _random_mixed,
)
from nhiscan.connectors.git.secrets.detectors.model import (
    _AZURE_STORAGE,
    AWS_KEY_ID,
    AWS_SECRET_KEY,
    AZURE_CLIENT_SECRET,
    AZURE_STORAGE_KEY,
    GCP_SA_KEY,
    PRIVATE_KEY,
)
from nhiscan.connectors.git.secrets.match import Match
from nhiscan.connectors.git.secrets.windows import EDGE, WINDOW
from nhiscan.scanner.model import Provider

# -- whole-file rules ------------------------------------------------------------------------


def _pair_by_line(left: Sequence[Match], right: Sequence[Match]) -> dict[str, str]:
    """Each distinct secret of ``left`` paired with one of ``right``, one to one, closest
    lines first; on a tie the later line wins (a key id is usually followed by its secret)."""
    candidates = sorted(
        (abs(a.line - b.line), b.line < a.line, a.secret, b.secret) for a in left for b in right
    )
    pairs: dict[str, str] = {}
    used: set[str] = set()
    for _, _, a, b in candidates:
        if a not in pairs and b not in used:
            pairs[a] = b
            used.add(b)
    return pairs


# A secret access key written without a name that says so, beside its key id: Terraform's
# ``secret_key = "…"``, ``BasicAWSCredentials("AKIA…", "…")``, a credentials table.
_NEAR_LINES = 3
_BARE_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")


def aws_secret_beside_key_id(matches: list[Match], lines: Sequence[str]) -> list[Match]:
    """A key id with no named secret key in its file takes the nearest 40-character string of
    the secret key's alphabet within three lines of it (upper and lower case, digits, random
    looking: not a hex digest, not a word), as that key id's secret: the value alone is any
    40-character string, next to a key id it is the other half of the credential."""
    key_ids = [m for m in matches if m.detector == AWS_KEY_ID]
    if not key_ids or any(m.detector == AWS_SECRET_KEY for m in matches):
        return matches
    found: dict[str, Match] = {}
    for key_id in key_ids:
        candidates = [
            (abs(number - key_id.line), number < key_id.line, number, token)
            for number in range(
                max(1, key_id.line - _NEAR_LINES), min(len(lines), key_id.line + _NEAR_LINES) + 1
            )
            if len(lines[number - 1]) <= WINDOW
            for token in _BARE_SECRET.findall(lines[number - 1])
            if _random_mixed(token)
        ]
        if candidates:
            _, _, number, token = min(candidates)
            found.setdefault(
                token,
                replace(
                    key_id,
                    detector=AWS_SECRET_KEY,
                    detectors=(AWS_SECRET_KEY,),
                    secret=token,
                    line=number,
                    credential_id=None,
                    paired_secret=None,
                    absorbed=(),
                    traits=(),
                ),
            )
    return [*matches, *found.values()] if found else matches


def pair_aws_keys(matches: list[Match], lines: Sequence[str]) -> list[Match]:
    """An access key id with the secret access key nearest to it: the secret goes to the key
    id's ``paired_secret`` (for --verify) and the key id to the secret's ``credential_id`` (so
    its exposure joins the inventory's key)."""
    key_ids = [m for m in matches if m.detector == AWS_KEY_ID]
    secrets = [m for m in matches if m.detector == AWS_SECRET_KEY]
    pairs = _pair_by_line(key_ids, secrets) if key_ids and secrets else {}
    if not pairs:
        return matches
    owners = {secret: key_id for key_id, secret in pairs.items()}
    out: list[Match] = []
    for m in matches:
        if m.detector == AWS_KEY_ID and m.secret in pairs:
            m = replace(m, paired_secret=pairs[m.secret])
        elif m.detector == AWS_SECRET_KEY and m.secret in owners:
            m = replace(m, credential_id=owners[m.secret])
        out.append(m)
    return out


def _nearest(line: int, found: Sequence[tuple[int, str]]) -> str:
    return min(found, key=lambda item: (abs(item[0] - line), item[0]))[1]


def _hint_nearest(
    matches: list[Match], detector: str, found: Sequence[tuple[int, str]]
) -> list[Match]:
    """``hint`` of each match of ``detector`` := the value of ``found`` nearest by line."""
    if not found:
        return matches
    return [
        replace(m, hint=_nearest(m.line, found)) if m.detector == detector else m for m in matches
    ]


_CLIENT_EMAIL = re.compile(r"client_email\\?\"[ \t]*:[ \t]*\\?\"(?P<email>[^\"\\\s@]+@[^\"\\\s]+)")
_SERVICE_ACCOUNT_TYPE = re.compile(r"type\\?\"[ \t]*:[ \t]*\\?\"service_account\\?\"")


def gcp_client_email(matches: list[Match], lines: Sequence[str]) -> list[Match]:
    """A service-account key file's ``client_email`` as the hint of its ``private_key_id``:
    the email names the service account the key belongs to. In a key file, the private key
    is that key's secret: it carries the nearest ``private_key_id`` as its credential id, so
    its exposure joins the same inventory key (as an AWS secret key joins by its key id)."""
    if not any(m.detector == GCP_SA_KEY for m in matches):
        return matches
    is_key_file = any(_SERVICE_ACCOUNT_TYPE.search(text) for text in lines)
    emails = [
        (number, found["email"])
        for number, text in enumerate(lines, 1)
        for found in _CLIENT_EMAIL.finditer(text)
        if is_key_file or found["email"].endswith(".gserviceaccount.com")
    ]
    hinted = _hint_nearest(matches, GCP_SA_KEY, emails)
    key_ids = [(m.line, m.credential_id) for m in hinted if m.detector == GCP_SA_KEY]
    found = [(line, key_id) for line, key_id in key_ids if key_id is not None]
    if not is_key_file or not found:
        return hinted
    return [
        replace(m, provider=Provider.GCP, credential_id=_nearest(m.line, found))
        if m.detector == PRIVATE_KEY and m.provider is None and m.credential_id is None
        else m
        for m in hinted
    ]


_GUID = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
_AZURE_CLIENT_ID = re.compile(
    rf"(?i:client[_-]?id|app(?:lication)?[_-]?id).{{0,40}}?(?<![0-9A-Fa-f-])(?P<guid>{_GUID})"
    r"(?![0-9A-Fa-f-])"
)


def azure_client_id(matches: list[Match], lines: Sequence[str]) -> list[Match]:
    """The application (client) id next to an Entra ID client secret, as ``client_id=<guid>``:
    Azure secrets have no public id of their own in code, so they join by the application."""
    if not any(m.detector == AZURE_CLIENT_SECRET for m in matches):
        return matches
    ids = [
        (number, f"client_id={found['guid'].lower()}")
        for number, text in enumerate(lines, 1)
        for found in _AZURE_CLIENT_ID.finditer(text)
    ]
    hinted = _hint_nearest(matches, AZURE_CLIENT_SECRET, ids)
    return [
        replace(m, credential_id=None) if m.detector == AZURE_CLIENT_SECRET else m for m in hinted
    ]


def azure_storage_account(matches: list[Match], lines: Sequence[str]) -> list[Match]:
    """The storage account a connection string's key opens, as ``AccountName=<name>``."""
    out: list[Match] = []
    for m in matches:
        if m.detector == AZURE_STORAGE_KEY and m.line <= len(lines):
            names = [
                found["account"]
                for found in _AZURE_STORAGE.finditer(_around(lines[m.line - 1], m.secret))
                if found["secret"] == m.secret
            ]
            if names:
                m = replace(m, hint=f"AccountName={names[0]}")
        out.append(m)
    return out


def _around(line: str, secret: str) -> str:
    """The part of a long line (minified, generated) around the first occurrence of
    ``secret``: rules read a window there (``windows.EDGE`` each side), not the whole line."""
    if len(line) <= WINDOW:
        return line
    at = max(0, line.find(secret))
    return line[max(0, at - EDGE) : at + len(secret) + EDGE]


def _pem_following(lines: Sequence[str], after: int) -> tuple[str, bool]:
    """The key body on the lines after line ``after`` (1-based), and whether its END line
    was reached."""
    pieces: list[str] = []
    for text in lines[after : after + _PEM_MAX_LINES]:
        if len(text) > WINDOW:  # no key body line is that long (minified or generated code)
            return "".join(pieces), False
        end = text.find("-----END ")
        piece = _pem_piece(text if end < 0 else text[:end])
        if piece is None:
            return "".join(pieces), False
        pieces.append(piece)
        if end >= 0:
            return "".join(pieces), True
    return "".join(pieces), False


def private_key_bodies(matches: list[Match], lines: Sequence[str]) -> list[Match]:
    """A private key's secret is its base64 body, however the file wraps it (indentation,
    quotes, escaped newlines), so one key pasted twice hashes the same. A BEGIN line with no
    key body after it is dropped; one whose END line is missing keeps the BEGIN line."""
    out: list[Match] = []
    for m in matches:
        if m.detector != PRIVATE_KEY:
            out.append(m)
        elif not m.secret.startswith("-----BEGIN"):
            out.append(replace(m, secret=_pem_body(m.secret)))
        else:
            body, ended = _pem_following(lines, m.line)
            if _pem_key_like(body):
                out.append(replace(m, secret=body) if ended else m)
    return out
