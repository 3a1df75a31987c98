"""The report's pictures: attack paths as left-to-right diagrams (boxes in path order, joined by
labelled arrows, wrapping like text, long ids shortened with the full id kept) and the credential
age histogram (bars to scale, counts as text); both in the rendered page; and the findings
table's filter choices and data attributes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from nhiscan.reports.evidence import Subject
from nhiscan.reports.html_findings import agents_of
from nhiscan.reports.html_model import NodeTag, PathStep
from nhiscan.reports.html_svg import (
    BAR_MAX,
    LABEL_CHARS,
    WIDE,
    age_histogram,
    path_diagram,
    shorten,
)
from nhiscan.scanner.model import CredentialStatus, Severity
from tests import reach_estates as chains
from tests.reports.test_html import (
    ACCOUNT,
    NOW,
    credential,
    finding,
    identity,
    make_report,
    render,
    section,
)

USER = f"arn:aws:iam::{ACCOUNT}:user/deployer"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/a-role-with-a-really-long-name-indeed"
ADMIN = f"admin:{ACCOUNT}"


def step(source: Subject, target: Subject, edge: str, **kw: object) -> PathStep:
    kinds = {"source_kind": NodeTag(shape="identity", tag="iam-user"),
             "target_kind": NodeTag(shape="identity", tag="iam-role")}  # fmt: skip
    return PathStep(source=source, target=target, edge=edge, **{**kinds, **kw})  # type: ignore[arg-type]


def two_hops() -> tuple[PathStep, ...]:
    user, role = Subject(id=USER, name="deployer"), Subject(id=ROLE, name=None)
    admin = Subject(id=ADMIN, name=f"admin of {ACCOUNT}")
    return (
        step(user, role, "can_assume"),
        step(role, admin, "escalates_to", method="iam:CreatePolicyVersion", conditional=True,
             source_kind=NodeTag(shape="identity", tag="iam-role"),
             target_kind=NodeTag(shape="admin", tag="administrator")),
    )  # fmt: skip


def test_a_path_is_boxes_left_to_right_joined_by_labelled_arrows() -> None:
    diagram = path_diagram(two_hops(), WIDE)
    assert diagram is not None
    boxes, arrows = diagram.boxes, diagram.arrows
    assert [b.tag for b in boxes] == ["iam-user", "iam-role", "administrator"]
    assert [b.kind for b in boxes] == ["identity", "identity", "admin"]
    assert boxes[0].label == "deployer" and boxes[2].label == f"admin of {ACCOUNT}"
    assert len({b.y for b in boxes}) == 1  # one line: there is room
    for left, arrow, right in zip(boxes, arrows, boxes[1:], strict=False):
        assert left.x + left.width <= arrow.x1 < arrow.x2 < right.x  # between the two boxes
    assert [a.edge for a in arrows] == ["can_assume", "escalates_to (cond.)"]
    assert arrows[0].method is None and not arrows[0].conditional
    assert arrows[1].method == "iam:CreatePolicyVersion" and arrows[1].conditional
    assert "conditional" in arrows[1].title
    assert diagram.width == boxes[-1].x + boxes[-1].width + 2
    assert diagram.summary == f"deployer → {shorten(ROLE, LABEL_CHARS)} → admin of {ACCOUNT}"


def test_a_long_arn_is_shortened_in_its_box_and_whole_in_its_title() -> None:
    diagram = path_diagram(two_hops(), WIDE)
    assert diagram is not None
    role = diagram.boxes[1]
    assert len(role.label) <= LABEL_CHARS and role.label.endswith("really-long-name-indeed")
    assert role.label.startswith("…") and ROLE in role.title
    assert shorten(USER, LABEL_CHARS) == "user/deployer"  # an ARN keeps its resource part
    assert shorten("x" * 30 + "/the-end", 10) == "…x/the-end"  # else its end
    assert shorten(f"arn:aws:iam::{ACCOUNT}:role/short", 12) == "role/short"
    assert shorten("short", 12) == "short"
    # Boxes grow with their label, never past the longest label allowed.
    assert diagram.boxes[0].width < role.width


def test_a_path_too_wide_wraps_onto_new_lines_arrow_first() -> None:
    diagram = path_diagram(two_hops(), 300)
    assert diagram is not None
    ys = [b.y for b in diagram.boxes]
    assert ys == sorted(ys) and len(set(ys)) == 3  # each hop starts a line
    assert all(b.x + b.width <= diagram.width for b in diagram.boxes)
    second = diagram.arrows[1]
    assert second.y == diagram.boxes[2].y + diagram.boxes[2].height // 2
    assert second.x1 < diagram.boxes[2].x  # the arrow leads its line into the box
    assert diagram.height == diagram.boxes[2].y + diagram.boxes[2].height + 2


def test_nothing_is_drawn_for_a_broken_path_or_a_step_that_is_not_a_hop() -> None:
    hops = two_hops()
    assert path_diagram(()) is None
    assert path_diagram((hops[1], hops[0])) is None  # the second hop does not start at the end
    assert path_diagram((hops[0], PathStep(tree=None))) is None


def test_the_findings_table_draws_each_path() -> None:
    html = render(chain_page_report())
    findings = section(html, "findings", "blast-radius")
    svg = findings[findings.index('<svg class="path-diagram"') : findings.index("</svg>")]
    labels = [">deployer</text>", ">admin-role</text>", f">admin of {ACCOUNT}</text>"]
    positions = [svg.index(label) for label in labels]
    assert positions == sorted(positions)
    assert ">can_assume</text>" in svg and ">escalates_to</text>" in svg
    assert f"<title>iam-role: admin-role\n{chains.rarn('admin-role')}</title>" in svg
    assert 'role="img" aria-label="Attack path: deployer → admin-role → admin of' in svg
    blast = section(html, "blast-radius", "identities")
    assert "How each credential becomes administrator" in blast
    assert blast.count('<svg class="path-diagram"') == 1  # the one admin credential
    assert ">access-key</text>" in blast


def chain_page_report():  # type: ignore[no-untyped-def]
    from nhiscan.app.config import Settings
    from nhiscan.app.pipeline import analyze

    report = analyze(chains.snapshot(), settings=Settings(), now=NOW, rules=())
    admin_role = chains.rarn("admin-role")
    path = (
        {"from": chains.uarn("deployer"), "to": admin_role, "edge": "can_assume"},
        {"from": admin_role, "to": chains.ADMIN_SINK, "edge": "escalates_to"},
    )
    chained = finding(chains.uarn("deployer"), Severity.CRITICAL, "NHI101", path=path)
    return replace(report, findings=(chained,))


# --- the credential age histogram ------------------------------------------------------------


def test_credentials_are_counted_by_age_with_bars_to_scale() -> None:
    owner = identity("svc")
    ages = [3, 40, 45, 50, 100, 400, 400, 900, None]
    creds = [
        credential(owner, f"AKIA{n}", created=None if age is None else NOW - timedelta(days=age),
                   status=CredentialStatus.ACTIVE if n % 2 else CredentialStatus.INACTIVE)
        for n, age in enumerate(ages)
    ]  # fmt: skip
    histogram = age_histogram(creds, NOW, 90)
    counts = [(b.label, b.count) for b in histogram.bars]
    assert counts == [
        ("under 30 days", 1),
        ("30 to 89 days", 3),
        ("90 to 179 days", 1),
        ("180 to 364 days", 0),
        ("1 to 2 years", 2),
        ("2 years or more", 1),
        ("age unknown", 1),
    ]
    assert histogram.total == 9 and histogram.past_limit == 4  # 100, 400, 400 and 900 days
    widths = {b.label: b.width for b in histogram.bars}
    assert widths["30 to 89 days"] == BAR_MAX
    assert widths["1 to 2 years"] == round(BAR_MAX * 2 / 3) and widths["180 to 364 days"] == 0
    assert [b.over for b in histogram.bars] == [False, False, True, True, True, True, False]
    thirty = histogram.bars[1]
    assert thirty.text == "3 (2 active)"  # AKIA1 and AKIA3 are active, AKIA2 is not
    assert histogram.bars[3].text == "0"
    assert all(b.count_x > histogram.bar_x + b.width for b in histogram.bars)


def test_the_summary_shows_the_histogram_with_its_counts_as_text() -> None:
    owner = identity("svc")
    old = credential(owner, "AKIAOLD", created=NOW - timedelta(days=200))
    new = credential(owner, "AKIANEW", created=NOW - timedelta(days=2))
    html = render(make_report(identities=(owner,), credentials=(old, new)))
    summary = section(html, "summary", "agents")
    ages = summary[summary.index('id="credential-ages"') :]
    assert '<svg class="histogram"' in ages
    assert ">under 30 days</text>" in ages and ">180 to 364 days</text>" in ages
    assert ages.count('<text class="bar-count"') == 7
    assert "1 credential is older than the rotation limit of 90 days" in ages
    empty = section(render(make_report()), "summary", "agents")
    assert "no credentials collected" in empty and '<svg class="histogram"' not in empty


# --- the findings table's filters ------------------------------------------------------------


def test_agents_of_a_finding_are_read_from_its_evidence() -> None:
    def of(evidence: dict[str, object]) -> tuple[str, ...]:
        return agents_of(finding("x", Severity.LOW, "NHI300", evidence=evidence))

    assert of({"agent": "etl"}) == ("etl",)
    assert of({"agent": ["a", "b"]}) == ("a", "b")
    assert of({"agent": None}) == () and of({}) == ()


def test_filters_offer_the_rules_providers_and_agents_present() -> None:
    findings = (
        finding("a", Severity.HIGH, "NHI300", rule_name="agent-excess", evidence={"agent": "etl"}),
        finding("b", Severity.LOW, "NHI001", rule_name="old-key"),
        finding("c", Severity.LOW, "NHI301", evidence={"agent": ["etl", "<b>x</b>"]}),
    )
    html = render(make_report(findings=findings))
    controls = section(html, "findings", "findings-title")  # up to the heading
    table = section(html, "findings", "blast-radius")
    assert '<option value="NHI001">NHI001 old-key</option>' in table
    assert '<option value="NHI300">NHI300 agent-excess</option>' in table
    assert '<option value="aws">aws</option>' in table
    assert '<option value="&lt;b&gt;x&lt;/b&gt;">&lt;b&gt;x&lt;/b&gt;</option>' in table
    assert table.count('<select data-filter-key="agents" data-filter-list>') == 1
    assert 'data-agents="[&#34;etl&#34;, &#34;&lt;b&gt;x&lt;/b&gt;&#34;]"' in table
    assert 'data-rule="NHI001" data-provider="aws" data-agents="[]" data-subject="b"' in table
    assert "<select data-sort>" in table and controls
    no_agents = render(make_report(findings=findings[1:2]))
    assert 'data-filter-key="agents"' not in no_agents  # no agent to choose
