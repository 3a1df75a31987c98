"""The agent-file core names no cloud: a second provider's vocabulary (a toy cloud) is read,
checked, compiled, described by the schema and found in sentences exactly as AWS's is, and a
file naming a vocabulary that is not registered is refused with the registered ones listed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from nhiscan import providers
from nhiscan.app.agents import vocabularies as registered
from nhiscan.errors import PolicyFileError
from nhiscan.providers.aws.catalog import default_catalog
from nhiscan.scanner.agents import yamlnodes as y
from nhiscan.scanner.agents.compiler import compile_agent
from nhiscan.scanner.agents.english import SentenceError, parse_sentence, resource_references
from nhiscan.scanner.agents.language import AgentVocabulary, BadReference, Vocabularies
from nhiscan.scanner.agents.loader import parse_agents
from nhiscan.scanner.agents.model import Need, ProviderDefaults, Requirement
from nhiscan.scanner.agents.plan import least_privilege
from nhiscan.scanner.agents.refs import provider_of_id
from nhiscan.scanner.agents.schema import agents_schema
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider

TOY = Provider.GCP  # the toy cloud's records, for the enum


@dataclass(frozen=True, slots=True, kw_only=True)
class ToyDefaults:
    project: str | None = None

    @property
    def provider(self) -> Provider:
        return TOY

    def owns(self, reference: str, /) -> bool:
        return reference.startswith(("box://", "toy:"))

    def needs(self, verb: Verb, reference: str, /) -> Iterator[Requirement]:
        name = reference.split("/")[-1]
        yield Requirement(
            provider=TOY,
            action=f"box.{verb}",
            resource=f"projects/{self.project or '*'}/boxes/{name}",
            account_implicit=self.project is None,
        )


class ToyVocabulary:
    defaults_key = "toy"
    provider = TOY
    schemes = frozenset({"box"})
    reference_pattern = r"toy:[a-z0-9]+/\S+"
    reference_schema = r"toy:.+"
    reference_noun = "toy id"
    reference_article = "a"
    raw_resource_schema = r"toy:.+"
    action_pattern = r"box\.[a-z*]+"
    action_hint = "box.verb"
    examples: Mapping[str, str] = {"read": "box://name", "key": "box://key"}

    def owns_reference(self, text: str, /) -> bool:
        return text.startswith("toy:")

    def owns_identity(self, value: str, /) -> bool:
        return value.startswith("toy:identity/")

    def scope_of_identity(self, value: str, /) -> str | None:
        return value.split("/")[1]

    def blank_defaults(self) -> ProviderDefaults:
        return ToyDefaults()

    def parse_defaults(self, node: y.Node, file: str, base: ProviderDefaults) -> ProviderDefaults:
        entries = y.mapping(node, file, "`toy`")
        y.check_keys(entries, ("project",), file, "`toy`")
        if "project" not in entries:
            return base
        return ToyDefaults(project=y.text(entries["project"][1], file, "`toy.project`"))

    def defaults_schema(self) -> dict[str, Any]:
        return {"type": "object", "properties": {"project": {"type": "string"}}}

    def check(self, verb: Verb, reference: str) -> str | None:
        if reference.strip().endswith("/"):
            raise BadReference(f"{reference!r} names no box")
        return None if verb in (Verb.READ, Verb.WRITE) else "a box is read or written"

    def bind_scope(self, need: Need, scope: str) -> str:
        return need.resource.replace("projects/*/", f"projects/{scope}/")

    def render_least_privilege(
        self, needs: Iterable[Need], scope: str, principal: str | None = None
    ) -> Mapping[str, Any] | None:
        mine = sorted({n.action for n in needs if n.provider is TOY})
        return {"scope": scope, "grants": mine} if mine else None

    def render_trust(
        self, callers: Sequence[str], services: Sequence[str]
    ) -> Mapping[str, Any] | None:
        return None

    def compute_services(self) -> Mapping[str, str]:
        return {}


def _vocabularies() -> Vocabularies:
    toy: AgentVocabulary = ToyVocabulary()
    return Vocabularies([*registered(), toy])


FILE = """\
defaults: {toy: {project: p1}, aws: {account: "123456789012", region: eu-west-1}}
agents:
  - name: mixed
    owner: team
    identities: [toy:identity/p9/bot, arn:aws:iam::123456789012:role/bot]
    steps:
      - read: box://inbox
      - write: s3://out/*
      - Read toy:p1/ledger and write the totals to box://totals.
      - actions: [box.delete]
        resources: [toy:p1/old]
  - name: elsewhere
    owner: team
    identities: [{tag: team=x}]
    toy: {project: p2}
    steps:
      - read: box://inbox
"""


def test_a_second_provider_s_section_references_and_raw_steps_compile_through_it() -> None:
    mixed, elsewhere = parse_agents(FILE, file="a.yaml", vocabularies=_vocabularies())
    assert mixed.defaults["toy"] == ToyDefaults(project="p1")
    assert elsewhere.defaults["toy"] == ToyDefaults(project="p2")  # the agent's own section
    plan = compile_agent(mixed, default_catalog(), default_max_key_age=90)
    toy = {(n.action, n.resource, n.steps) for n in plan.needs if n.provider is TOY}
    assert toy == {
        ("box.read", "projects/p1/boxes/inbox", (1,)),
        ("box.read", "projects/p1/boxes/ledger", (3,)),
        ("box.write", "projects/p1/boxes/totals", (3,)),
        ("box.delete", "toy:p1/old", (4,)),  # a raw step belongs to its resources' provider
    }
    aws = {n.action for n in plan.needs if n.provider is Provider.AWS}
    assert aws == {"s3:PutObject"}
    assert mixed.identities[0].provider is TOY
    documents = least_privilege(plan, _vocabularies())
    # each identity's document is its own provider's, scoped to the identity's project/account
    assert documents["toy:identity/p9/bot"] == {
        "scope": "p9",
        "grants": ["box.delete", "box.read", "box.write"],
    }
    aws = documents["arn:aws:iam::123456789012:role/bot"]
    assert [s["Action"] for s in aws["Statement"]] == ["s3:PutObject"]


def test_each_vocabulary_checks_its_own_references_with_the_line() -> None:
    text = FILE.replace("      - read: box://inbox\n", "      - invoke: box://inbox\n", 1)
    with pytest.raises(PolicyFileError, match=r"a.yaml:7: invoke on box://inbox: a box is read"):
        parse_agents(text, file="a.yaml", vocabularies=_vocabularies())
    text = FILE.replace("read: box://inbox", "read: box://inbox/", 1)
    with pytest.raises(PolicyFileError, match=r"a.yaml:7: 'box://inbox/' names no box"):
        parse_agents(text, file="a.yaml", vocabularies=_vocabularies())
    text = FILE.replace("actions: [box.delete]", "actions: [box-delete]")
    message = r"a.yaml:10: 'box-delete' is not an action \(service:Action, like s3:GetObject or "
    message += r"Namespace/type/operation, like Microsoft\.Storage/storageAccounts/read or "
    message += r"service\.resource\.verb, like storage\.objects\.get or box"
    with pytest.raises(PolicyFileError, match=message):
        parse_agents(text, file="a.yaml", vocabularies=_vocabularies())


def test_without_the_vocabulary_its_section_and_schemes_are_unknown() -> None:
    with pytest.raises(PolicyFileError) as caught:
        parse_agents(FILE, file="a.yaml", vocabularies=registered())
    expected = "a.yaml:1: `defaults`: unknown key 'toy' (known: aws, azure, gcp, credentials)"
    assert expected in str(caught.value)
    bare = FILE.replace("defaults: {toy: {project: p1}, ", "defaults: {")
    with pytest.raises(PolicyFileError) as caught:
        parse_agents(bare, file="a.yaml", vocabularies=registered())
    known = (
        "name, owner, description, status, decommissioned_at, identities, credentials, aws, "
        "azure, gcp"
    )
    assert f"a.yaml:15: an agent: unknown key 'toy' (known: {known}, steps)" in str(caught.value)
    bare = bare.replace("    toy: {project: p2}\n", "")
    with pytest.raises(PolicyFileError, match=r"unknown resource scheme 'box' in 'box://inbox'"):
        parse_agents(bare, file="a.yaml", vocabularies=registered())


def test_with_no_vocabulary_nothing_names_a_cloud() -> None:
    none = Vocabularies()
    text = "agents:\n  - {name: a, owner: o, identities: [x], steps: [{read: 's3://b'}]}\n"
    with pytest.raises(
        PolicyFileError, match=r"unknown resource scheme 's3' in 's3://b' \(known: \)"
    ):
        parse_agents(text, file="a.yaml", vocabularies=none)
    with pytest.raises(
        SentenceError, match=r"names no resource: write e\.g\. 'read scheme://name'"
    ):
        parse_sentence("Summarise it", none)
    assert provider_of_id("arn:aws:iam::123456789012:role/x", none) is None


def test_sentences_find_every_registered_id_form_and_advise_with_its_examples() -> None:
    both = _vocabularies()
    text = "Read toy:p1/a and arn:aws:sqs:eu-west-1:123456789012:q, then box://b."
    assert resource_references(text, both) == (
        "toy:p1/a",
        "arn:aws:sqs:eu-west-1:123456789012:q",
        "box://b",
    )
    assert resource_references(text, registered()) == (
        "arn:aws:sqs:eu-west-1:123456789012:q",
        "box://b",
    )
    toy_only = Vocabularies([ToyVocabulary()])
    with pytest.raises(SentenceError, match=r"or 'encrypt … with box://key' for a data key"):
        parse_sentence("Generate the report in box://r", toy_only)
    with pytest.raises(SentenceError, match=r"\(e\.g\. box://name\) or a full toy id"):
        parse_sentence("Read toy:x", toy_only)


def test_the_schema_describes_every_registered_vocabulary() -> None:
    schema = agents_schema(_vocabularies())
    sections = ["aws", "azure", "gcp", "toy", "credentials"]
    assert list(schema["properties"]["defaults"]["properties"]) == sections
    assert schema["$defs"]["toy"] == ToyVocabulary().defaults_schema()
    keys = schema["$defs"]["agent"]["propertyNames"]["enum"]
    assert keys[-6:] == ["credentials", "aws", "azure", "gcp", "toy", "steps"]
    reference = schema["$defs"]["step"]["oneOf"][1]["properties"]["read"]["oneOf"][0]
    assert "blob|box|bq|cloudkms|cosmos|dynamodb" in reference["pattern"]
    assert reference["pattern"].endswith("|toy:.+)$")
    assert reference["description"].endswith(
        ") or an ARN or an ARM id or a full resource name or a toy id"
    )


def test_the_app_leaves_out_a_provider_whose_package_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = providers.ProviderEntry("nhiscan_toy_absent", "P", "pip install toy")
    monkeypatch.setitem(providers.REGISTRY, "toy", entry)
    assert registered().keys == ("aws", "azure", "gcp")
