"""who-can reads ids and actions through what the provider hands it (issue #13): the object ->
container rule from the ``IdScheme``, the example action of its messages from the catalogue."""

from __future__ import annotations

from typing import cast

import pytest

from nhiscan.app.pipeline import reach_graph
from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.providers.aws.ids import ArnIds
from nhiscan.queries.resolve import QueryError
from nhiscan.queries.whocan import WhoCanResult, parse_action, who_can
from nhiscan.scanner.facts import IdScheme, PermissionCatalog
from tests import factories as f
from tests import reach_estates as chains

OBJECT = f"{chains.BUCKET}/report.csv"


class NoContainers(ArnIds):
    """ARNs whose objects have no container: the bucket's account cannot be told."""

    def container_of(self, value: str, /) -> str | None:
        return None


def _ask(ids: IdScheme) -> WhoCanResult:
    estate = f.estate(*chains.records())
    found = f.providers(estate)
    graph = reach_graph(estate, found)
    authorizer = found.analyses["aws"].authorizer
    return who_can(graph, authorizer, ids, "s3:PutObject", OBJECT, known=True)


def test_an_object_is_in_its_containers_account() -> None:
    """The object ARN names no account; its bucket (the scheme's container) does, so whoever
    can become that account's admin can act on the object."""
    via = {c.principal: c.via for c in _ask(ArnIds()).chained}
    assert via[chains.uarn("escalator")] == chains.ADMIN_SINK


def test_without_a_container_the_account_is_not_guessed() -> None:
    result = _ask(NoContainers())
    assert chains.uarn("escalator") not in {c.principal for c in result.chained}
    assert {d.principal for d in result.direct} == {chains.rarn("admin-role"),
                                                    chains.rarn("ops-role")}  # fmt: skip


class ToyCatalog:
    example = "storage.objects.get"


@pytest.mark.parametrize(
    ("catalog", "example"),
    [(default_catalog(), "s3:GetObject"), (ToyCatalog(), "storage.objects.get")],
)
def test_a_pattern_is_refused_with_the_catalogues_example(catalog: object, example: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse_action(cast(PermissionCatalog, catalog), "storage.*")
    assert str(refused.value) == (
        f"action 'storage.*': give one action as service:Name ({example}), not a pattern"
    )
