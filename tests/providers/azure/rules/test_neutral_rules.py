"""The neutral lifecycle and ownership rules on Azure records, read as a security engineer
would: no finding that cannot be acted on, and one problem reported once.

- NHI001 (key older than 90 days) leaves Azure client secrets and certificates with an end
  date to NHI500/NHI501, which judge their lifetime: the fixture export's secret valid for a
  year and six months old was reported by both.
- NHI007 (no owner) skips managed identities (Entra refuses owners on them) and a service
  principal whose ownerless application NHI502 reports with its credentials; it still reports a
  service principal whose only credentials are federated; and it claims no missing owner when
  the owners were not read (a gap says so)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from nhiscan.app.estates import estate_of
from nhiscan.providers.azure.rules import RULES
from nhiscan.rules.keys import AccessKeyTooOld
from nhiscan.rules.ownership import NhiWithoutOwner
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.model import Credential, Finding, IdentityKind, Provider
from tests.connectors.azure import export as ex
from tests.factories import NOW, context, days_ago, estate, snapshot
from tests.providers.azure.rules import fixtures as fx


def _export() -> Estate:
    return estate_of(snapshot(*ex.read()))


def _azure(rule: object, e: Estate, now: datetime = ex.NOW) -> list[Finding]:
    found = rule.evaluate(e, context(now=now, graph_of=e))  # type: ignore[attr-defined]
    return [f for f in found if f.provider is Provider.AZURE]


def _subjects(rule_id: str, e: Estate, now: datetime = ex.NOW) -> list[str]:
    (rule,) = [r for r in RULES if r.meta.id == rule_id]
    return [f.subject for f in rule.evaluate(e, context(now=now))]


def test_nhi001_leaves_azure_credentials_with_an_end_date_to_the_lifetime_rules() -> None:
    e = _export()
    assert _azure(AccessKeyTooOld(), e) == []
    # the year-long secret created six months ago: reported once, on its lifetime
    assert "d1000000-0000-4000-8000-0000000000a2" in _subjects("NHI501", e)


def test_nhi001_still_judges_an_azure_credential_without_an_end_date() -> None:
    e = _export()
    secret = next(c for c in e.snapshot.credentials
                  if c.id == "d1000000-0000-4000-8000-0000000000a2")  # fmt: skip
    endless: Credential = replace(secret, expires=None)
    others = [c for c in e.snapshot.credentials if c.id != secret.id]
    found = _azure(
        AccessKeyTooOld(), estate_of(replace(e.snapshot, credentials=(*others, endless)))
    )
    assert [f.evidence["key_id"] for f in found] == [secret.id]


def test_nhi007_skips_managed_identities() -> None:
    e = _export()
    subjects = {f.subject for f in _azure(NhiWithoutOwner(), e)}
    managed = {i.id for i in e.identities.values() if i.kind is IdentityKind.MANAGED_IDENTITY}
    assert managed and not subjects & managed


def test_nhi007_leaves_an_ownerless_application_with_credentials_to_nhi502() -> None:
    e = _export()
    assert ex.PARTNER_APP in _subjects("NHI502", e)
    subjects = {f.subject for f in _azure(NhiWithoutOwner(), e)}
    assert ex.SP_PARTNER not in subjects  # the same missing owner: NHI502 reports it
    assert ex.SP_VENDOR in subjects  # its own owners read and empty, no application here


def test_nhi007_reports_a_federated_only_service_principal_without_owner() -> None:
    trust = fx.federated("a9", "repo:contoso/app:ref:main")
    federated = estate(fx.tenant(), fx.sp("a9", "deployer"), fx.app("a9", "deployer"),
                       fx.owners("a9"), trust)  # fmt: skip
    assert [f.subject for f in _azure(NhiWithoutOwner(), federated, NOW)] == [fx.guid("a9", 1)]
    # with a live secret on its ownerless application, NHI502 reports it instead
    secret = fx.credential("a9", 1, created=days_ago(5))
    with_secret = estate(fx.tenant(), fx.sp("a9", "deployer"), fx.app("a9", "deployer"),
                         fx.owners("a9"), secret)  # fmt: skip
    assert _azure(NhiWithoutOwner(), with_secret, NOW) == []
    assert _subjects("NHI502", with_secret, NOW) == [fx.guid("a9", 2)]


def test_nhi007_claims_no_missing_owner_when_owners_were_not_read(tmp_path: Path) -> None:
    folder = ex.copy(tmp_path)
    (folder / "sp-owners" / f"{ex.SP_VENDOR}.json").unlink()  # refused: a gap on vendor-backup
    e = estate_of(snapshot(*ex.read(folder)))
    assert ex.SP_VENDOR not in {f.subject for f in _azure(NhiWithoutOwner(), e)}
    shutil.rmtree(folder / "sp-owners")  # no service principal's owners read at all
    shutil.rmtree(folder / "app-owners")
    e = estate_of(snapshot(*ex.read(folder)))
    assert _azure(NhiWithoutOwner(), e) == []
