"""Pictures in the HTML report, as inline SVG computed here: attack paths drawn left to right and
the credential age histogram.

Python lays everything out (boxes, arrows, bars: positions, sizes, the text they carry); the
templates only emit one element per item, with autoescape on. Text is measured in a monospace
font of known size, so the layout is deterministic and needs no browser. Labels are truncated
to keep a box readable; the full id is in the element's ``<title>``. Every picture carries its
numbers and names as text, so it reads without colour, and the text steps or tables beside it
say the same for a screen reader.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from nhiscan.reports.html_model import PathStep
from nhiscan.rules.base import days_between
from nhiscan.scanner.model import Credential, CredentialStatus

# A path diagram: boxes of one line of tag and one of label, arrows labelled with the edge.
LABEL_CHARS = 26  # the most characters of a name or id shown in a box
EDGE_CHARS = 30  # ... of an edge or method shown on an arrow
LABEL_EM = 7.2  # width of a character of the 12px monospace label font
EDGE_EM = 6.6  # ... of the 11px monospace arrow font
BOX_HEIGHT = 46
BOX_PAD = 10
BOX_MIN = 90
GAP_MIN = 70
ARROW_PAD = 14
MARGIN = 2
LINE_GAP = 14  # between the lines of a diagram that wraps
NARROW = 450  # a diagram in a table cell (the evidence column is 30rem at least) wraps here
WIDE = 1400  # ... one on its own
HEAD = 7  # arrowhead length
# Node kinds a box can show, each a class in report.css ("node-<kind>") and a corner radius.
SHAPES = {
    "identity": 4,
    "credential": 16,
    "group": 4,
    "resource": 0,
    "admin": 0,
    "exposure": 0,
    "file": 0,
}
OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    rx: int
    kind: str  # one of SHAPES or OTHER: never text from the report
    tag: str | None  # the node's kind as text ("iam-role", "access-key", "file")
    label: str  # as shown: the name, or the id, truncated
    title: str  # the full name and id

    @property
    def center(self) -> int:
        return self.x + self.width // 2

    @property
    def tag_y(self) -> int:
        return self.y + 17

    @property
    def label_y(self) -> int:
        """The label's baseline: under the tag, or in the middle when there is none."""
        return self.y + (35 if self.tag else 28)


@dataclass(frozen=True, slots=True, kw_only=True)
class Arrow:
    x1: int
    x2: int
    y: int
    head: str  # the arrowhead's polygon points
    edge: str  # as shown, truncated
    method: str | None
    conditional: bool
    title: str  # the full edge, method and whether it is conditional

    @property
    def center(self) -> int:
        return (self.x1 + self.x2 + HEAD) // 2

    @property
    def edge_y(self) -> int:
        return self.y - 6

    @property
    def method_y(self) -> int:
        return self.y + 15


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagram:
    width: int
    height: int
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    summary: str  # the path in one line of text, for the picture's accessible name


def path_diagram(steps: Sequence[PathStep], max_width: int = NARROW) -> Diagram | None:
    """A path of hops, each starting where the last one ended, as boxes joined by arrows, left
    to right; a hop that would pass ``max_width`` starts a new line, like text, its arrow first.
    None when there is nothing to draw (no steps, a step that is not a hop, or a break)."""
    if not steps or any(step.source is None or step.target is None for step in steps):
        return None
    for previous, step in itertools.pairwise(steps):
        assert previous.target is not None and step.source is not None
        if previous.target.id != step.source.id:
            return None
    box = _box(MARGIN, MARGIN, steps[0], source=True)
    boxes, arrows = [box], []
    for step in steps:
        x, y, gap = box.x + box.width, box.y, _gap(step)
        target = _box(0, 0, step, source=False)
        if x + gap + target.width + MARGIN > max_width:
            x, y = MARGIN, y + BOX_HEIGHT + LINE_GAP
        arrows.append(_arrow(x, x + gap, y, step))
        box = replace(target, x=x + gap, y=y)
        boxes.append(box)
    return Diagram(
        width=max(b.x + b.width for b in boxes) + MARGIN,
        height=box.y + BOX_HEIGHT + MARGIN,
        boxes=tuple(boxes),
        arrows=tuple(arrows),
        summary=" → ".join(b.label for b in boxes),
    )


def _box(x: int, y: int, step: PathStep, *, source: bool) -> Box:
    subject = step.source if source else step.target
    kind = step.source_kind if source else step.target_kind
    assert subject is not None
    shown = subject.name if subject.name is not None else subject.id
    label = shorten(shown, LABEL_CHARS)
    title = subject.id if subject.name is None else f"{subject.name}\n{subject.id}"
    tag = kind.tag if kind is not None else None
    shape = kind.shape if kind is not None and kind.shape in SHAPES else OTHER
    chars = max(len(label), len(tag or ""))
    width = max(BOX_MIN, math.ceil(chars * LABEL_EM) + 2 * BOX_PAD)
    return Box(
        x=x,
        y=y,
        width=width,
        height=BOX_HEIGHT,
        rx=SHAPES.get(shape, 4),
        kind=shape,
        tag=tag,
        label=label,
        title=f"{tag}: {title}" if tag else title,
    )


def _gap(step: PathStep) -> int:
    longest = max(len(_edge(step)), len(_method(step) or ""))
    return max(GAP_MIN, math.ceil(longest * EDGE_EM) + 2 * ARROW_PAD)


def _edge(step: PathStep) -> str:
    """The arrow's first line: the edge, marked when the hop rests on undecided conditions."""
    return shorten(step.edge, EDGE_CHARS - 8) + (" (cond.)" if step.conditional else "")


def _method(step: PathStep) -> str | None:
    return None if step.method is None else shorten(step.method, EDGE_CHARS)


def _arrow(x1: int, x2: int, top: int, step: PathStep) -> Arrow:
    y = top + BOX_HEIGHT // 2
    tip = x2 - 1
    head = f"{tip},{y} {tip - HEAD},{y - 4} {tip - HEAD},{y + 4}"
    title = step.edge
    if step.method is not None:
        title += f" by {step.method}"
    if step.conditional:
        title += " (conditional: rests on conditions nhiscan could not decide)"
    return Arrow(
        x1=x1 + 1,
        x2=tip - HEAD,
        y=y,
        head=head,
        edge=_edge(step),
        method=_method(step),
        conditional=step.conditional,
        title=title,
    )


ID_FIELDS = 6  # an id of this many colon-separated fields or more names its thing in the last


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters. A long structured id (``ID_FIELDS``
    colon-separated fields or more: a provider, service, region, scope... prefix) keeps its last
    field, the resource part; what is still too long keeps its end, which names the thing,
    after "…"."""
    if len(text) <= limit:
        return text
    fields = text.split(":", ID_FIELDS - 1)
    if len(fields) == ID_FIELDS:
        text = fields[-1]
        if len(text) <= limit:
            return text
    return "…" + text[-(limit - 1) :]


# --- credential ages -------------------------------------------------------------------------

AGE_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 30, "under 30 days"),
    (30, 90, "30 to 89 days"),
    (90, 180, "90 to 179 days"),
    (180, 365, "180 to 364 days"),
    (365, 730, "1 to 2 years"),
    (730, None, "2 years or more"),
)
UNKNOWN_AGE = "age unknown"
BAR_LABEL = 116  # the width of the label column
BAR_MAX = 130  # the longest bar
BAR_ROW = 22
BAR_HEIGHT = 14
COUNT_SPACE = 90  # room right of the longest bar for its count


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    label: str
    count: int
    active: int
    y: int  # the top of the row
    width: int  # the bar's length; 0 for an empty bucket
    over: bool  # the bucket is older than the rotation limit

    @property
    def bar_y(self) -> int:
        return self.y + (BAR_ROW - BAR_HEIGHT) // 2

    @property
    def text_y(self) -> int:
        return self.y + BAR_ROW // 2 + 4

    @property
    def count_x(self) -> int:
        return BAR_LABEL + self.width + 6

    @property
    def text(self) -> str:
        if self.count in (0, self.active):
            return str(self.count)
        return f"{self.count} ({self.active} active)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Histogram:
    width: int
    height: int
    label_x: int  # where the label column ends (labels are right-aligned there)
    bar_x: int
    bar_height: int
    bars: tuple[Bar, ...]
    total: int
    limit_days: int  # the rotation limit the "over" bars are older than
    past_limit: int  # credentials older than limit_days
    summary: str  # the counts as one line of text, for the picture's accessible name


def age_histogram(credentials: Iterable[Credential], now: datetime, limit_days: int) -> Histogram:
    """Credentials by age (measured from ``now``, the scan's time) in fixed buckets, and those
    with no creation date apart. Bars are to scale; each carries its count as text."""
    counts = [[0, 0] for _ in range(len(AGE_BUCKETS) + 1)]  # [all, active] per bucket
    past_limit = 0
    for credential in credentials:
        created = credential.created
        past_limit += created is not None and days_between(created, now) > limit_days
        index = _bucket(created, now)
        counts[index][0] += 1
        counts[index][1] += credential.status is CredentialStatus.ACTIVE
    labels = [label for _, _, label in AGE_BUCKETS] + [UNKNOWN_AGE]
    lows: list[int | None] = [low for low, _, _ in AGE_BUCKETS] + [None]
    top = max((total for total, _ in counts), default=0) or 1
    bars = tuple(
        Bar(
            label=label,
            count=total,
            active=active,
            y=n * BAR_ROW,
            width=max(2, round(total / top * BAR_MAX)) if total else 0,
            over=low is not None and low >= limit_days,
        )
        for n, (label, low, (total, active)) in enumerate(zip(labels, lows, counts, strict=True))
    )
    return Histogram(
        width=BAR_LABEL + BAR_MAX + COUNT_SPACE,
        height=len(bars) * BAR_ROW,
        label_x=BAR_LABEL - 8,
        bar_x=BAR_LABEL,
        bar_height=BAR_HEIGHT,
        bars=bars,
        total=sum(total for total, _ in counts),
        limit_days=limit_days,
        past_limit=past_limit,
        summary="; ".join(f"{bar.label}: {bar.text}" for bar in bars),
    )


def _bucket(created: datetime | None, now: datetime) -> int:
    if created is None:
        return len(AGE_BUCKETS)
    days = max(0, days_between(created, now))
    for n, (_, high, _) in enumerate(AGE_BUCKETS):
        if high is None or days < high:
            return n
    return len(AGE_BUCKETS) - 1
