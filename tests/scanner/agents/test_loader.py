"""The agent file loader: good files read into records; every bad file is refused with the
file, the line and what is wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nhiscan.errors import PolicyFileError
from nhiscan.providers.aws.agents.defaults import AwsDefaults
from nhiscan.scanner.agents.loader import load_agents
from nhiscan.scanner.agents.model import AgentStatus, RefKind
from nhiscan.scanner.agents.refs import provider_of_id
from nhiscan.scanner.agents.vocabulary import Verb
from nhiscan.scanner.model import Provider
from tests.factories import parse_agents, vocabularies

GOOD = """\
version: 1
defaults:
  aws: {account: "123456789012", region: eu-west-1}
  credentials: {max_key_age_days: 60}
agents:
  - name: loan-review
    owner: lending@example.com
    description: Reviews draws
    identities:
      - arn:aws:iam::123456789012:role/loan-review
      - {tag: agent=loan-review}
      - {name: "loan-*", provider: aws, account: "123456789012"}
    credentials: {max_key_age_days: 30}
    steps:
      - read: s3://construction-docs/*
      - {write: [dynamodb://loan-reviews, s3://out/*], description: results}
      - Extract the amounts from s3://certs and compare them with dynamodb://lending-policy
      - actions: [s3:GetObject, "s3:List*"]
        resources: ["arn:aws:s3:::raw/*"]
  - name: old-etl
    owner: data@example.com
    status: decommissioned
    decommissioned_at: 2026-01-15
    identities: [etl-sa@proj.iam.gserviceaccount.com]
    steps: []
"""


def test_a_good_file_reads_into_agents_with_their_lines() -> None:
    review, etl = parse_agents(GOOD, file="agents.yaml")
    assert (review.name, review.owner, review.description) == (
        "loan-review", "lending@example.com", "Reviews draws")  # fmt: skip
    assert str(review.where) == "agents.yaml:6"
    assert review.defaults["aws"] == AwsDefaults(account="123456789012", region="eu-west-1")
    assert review.max_key_age_days == 30 and etl.max_key_age_days == 60  # own, then default
    by_id, by_tag, by_name = review.identities
    assert (by_id.kind, by_id.provider, by_id.where.line) == (RefKind.ID, Provider.AWS, 10)
    assert (by_tag.kind, by_tag.key, by_tag.value) == (RefKind.TAG, "agent", "loan-review")
    assert (by_name.kind, by_name.value, by_name.account) == (
        RefKind.NAME,
        "loan-*",
        "123456789012",
    )
    steps = review.steps
    assert [s.where.line for s in steps] == [15, 16, 17, 18]
    assert [(p.verb, p.resource) for p in steps[1].phrases] == [
        (Verb.WRITE, "dynamodb://loan-reviews"),
        (Verb.WRITE, "s3://out/*"),
    ]
    assert [(p.verb, p.resource) for p in steps[2].phrases] == [
        (Verb.READ, "s3://certs"),
        (Verb.READ, "dynamodb://lending-policy"),
    ]
    assert steps[3].actions == ("s3:GetObject", "s3:List*")
    assert steps[3].resources == ("arn:aws:s3:::raw/*",)
    assert etl.status is AgentStatus.DECOMMISSIONED
    assert etl.decommissioned_at == date(2026, 1, 15)
    assert etl.identities[0].provider is Provider.GCP


def _agent(body: str, *, name: str = "a") -> str:
    return f"agents:\n  - name: {name}\n    owner: team\n{body}"


IDS = "    identities: [arn:aws:iam::123456789012:role/a]\n"


def _steps(*lines: str) -> str:
    return _agent(IDS + "    steps:\n" + "".join(f"      {line}\n" for line in lines))


def _with(*lines: str) -> str:
    """An agent with extra keys (before an empty steps list)."""
    return _agent(IDS + "".join(f"    {line}\n" for line in lines) + "    steps: []\n")


def _ids(value: str) -> str:
    return _agent(f"    identities: {value}\n    steps: []\n")


RAW = "- actions: [s3:GetObject]"
BAD = [
    ("agents: [\n", 2, "not valid YAML"),
    ("", 1, "the file is empty"),
    ("- a\n", 1, "an agent file must be a mapping"),
    ("agent: []\n", 1, "unknown key 'agent'"),
    ("version: 2\nagents: []\n", 1, "`version` must be 1"),
    (_steps("- reed: s3://x"), 6, "unknown key 'reed'"),
    (_steps("- read: ftp://x"), 6, "unknown resource scheme 'ftp'"),
    (_steps("- read: sns://topic"), 6, "read on sns://topic: a topic"),
    (_steps("- publish: s3://b"), 6, "say write"),
    (_steps("- Manage the files in s3://b"), 6, "'manage'"),
    (_steps("- Summarise the quarter"), 6, "names no resource"),
    (_steps("- {description: x}"), 6, "names no verb"),
    (_steps("- actions: [GetObject]", "  resources: ['*']"), 6, "is not an action"),
    (_steps(RAW), 6, "go together"),
    (_steps(RAW, "  resources: [b]"), 7, "raw `resources` are ARNs"),
    (_agent("    steps: []\n"), 2, "needs `identities`"),
    (_ids("[]"), 4, "lists no identity"),
    (_ids("[{tag: agent}]"), 4, "key=value"),
    (_ids("[{id: x, name: y}]"), 4, "exactly one of id, tag, name"),
    (_ids("[{name: y, provider: aliyun}]"), 4, "aws, azure or gcp"),
    (_with("status: retired"), 5, "active or decommissioned"),
    (_with("decommissioned_at: 2026-01-01"), 5, "needs `status: decommissioned`"),
    (_with("status: decommissioned", "decommissioned_at: soon"), 6, "is not a date"),
    (_with("credentials: {max_key_age_days: 0}"), 5, "above 0"),
    (_with("aws: {account: 1234}"), 5, "12 digits"),
    (_with("aws: {region: europe}"), 5, "is not a region"),
    (_with("steps: []"), 6, "repeated (first on line 5)"),
    ("agents:\n  - name: a\n    identities: [x]\n    steps: []\n", 2, "needs `owner`"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD)
def test_bad_files_are_refused_with_file_line_and_what_is_wrong(
    text: str, line: int, message: str
) -> None:
    with pytest.raises(PolicyFileError) as raised:
        parse_agents(text, file="agents.yaml")
    said = str(raised.value)
    assert f"agents.yaml:{line}: " in said, said
    assert message in said, said


def test_every_problem_is_reported_at_once() -> None:
    text = _agent(IDS + "    steps:\n      - reed: s3://x\n      - read: ftp://y\n")
    text += "  - name: b\n    identities: [x]\n    steps: []\n"
    with pytest.raises(PolicyFileError) as raised:
        parse_agents(text, file="a.yaml")
    message = str(raised.value)
    assert "3 problems" in message
    assert "a.yaml:6:" in message and "a.yaml:7:" in message and "a.yaml:8:" in message


def test_duplicate_agent_names_name_both_places(tmp_path: Path) -> None:
    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "a.yaml").write_text(_agent(IDS + "    steps: []\n", name="twin"))
    (folder / "b.yml").write_text(_agent(IDS + "    steps: []\n", name="twin"))
    (folder / "notes.txt").write_text("not an agent file")
    with pytest.raises(PolicyFileError) as raised:
        load_agents(folder, vocabularies())
    message = str(raised.value)
    assert (
        f"{folder / 'b.yml'}:2: agent 'twin' is declared twice (first at {folder / 'a.yaml'}:2)"
        in message
    )


def test_a_folder_reads_every_yaml_file_in_order_and_hashes_them(tmp_path: Path) -> None:
    folder = tmp_path / "agents"
    folder.mkdir()
    (folder / "b.yaml").write_text(_agent(IDS + "    steps: []\n", name="second"))
    (folder / "a.yaml").write_text(_agent(IDS + "    steps: []\n", name="first"))
    loaded = load_agents(folder, vocabularies())
    assert [a.name for a in loaded.agents] == ["first", "second"]
    assert loaded.sources == (str(folder / "a.yaml"), str(folder / "b.yaml"))
    again = load_agents(folder, vocabularies()).source_hash
    (folder / "b.yaml").write_text(_agent(IDS + "    steps: []\n", name="renamed"))
    assert load_agents(folder, vocabularies()).source_hash != again == loaded.source_hash


def test_missing_and_unreadable_inputs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="no such agent file or folder"):
        load_agents(tmp_path / "absent.yaml", vocabularies())
    (tmp_path / "empty").mkdir()
    with pytest.raises(PolicyFileError, match="no agent files"):
        load_agents(tmp_path / "empty", vocabularies())
    (tmp_path / "latin1.yaml").write_bytes(b"agents: []\n# caf\xe9\n")
    with pytest.raises(PolicyFileError, match="not UTF-8"):
        load_agents(tmp_path / "latin1.yaml", vocabularies())


@pytest.mark.parametrize(
    ("value", "provider"),
    [
        ("arn:aws:iam::123456789012:role/x", Provider.AWS),
        ("arn:aws-cn:iam::123456789012:role/x", Provider.AWS),
        ("etl@proj.iam.gserviceaccount.com", Provider.GCP),
        ("1b2c3d4e-0000-4000-8000-123456789abc", Provider.AZURE),
        ("etl-bot", None),
    ],
)
def test_an_id_says_its_provider(value: str, provider: Provider | None) -> None:
    assert provider_of_id(value, vocabularies()) is provider


def test_yaml_anchors_and_merge_keys_share_settings_between_agents() -> None:
    text = (
        "x-common: &common\n"
        "  owner: team\n"
        "  identities: [arn:aws:iam::123456789012:role/a]\n"
        "agents:\n"
        "  - <<: *common\n    name: a\n    steps: []\n"
        "  - <<: *common\n    name: b\n    owner: other\n    steps: [{read: s3://x}]\n"
    )
    first, second = parse_agents(text, file="a.yaml")
    assert (first.name, first.owner, second.owner) == ("a", "team", "other")
    assert second.identities[0].value == "arn:aws:iam::123456789012:role/a"
    repeated = text.replace("    owner: other\n", "    owner: other\n    owner: again\n")
    with pytest.raises(PolicyFileError, match="key 'owner' is repeated"):
        parse_agents(repeated, file="a.yaml")
