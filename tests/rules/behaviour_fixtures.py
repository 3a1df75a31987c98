"""An agent whose sessions the audit trail recorded, with the previous run's stored behaviour
(NHI706's input): last run it read its documents from its usual address; this run, as asked,
it also deletes them from a new address with a new client."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from nhiscan.rules.base import RuleContext
from nhiscan.scanner.activity import ActionUse, ActivityScope, ActivitySummary, EventRef, Outcome
from nhiscan.scanner.agents.model import AgentFile
from nhiscan.scanner.estate import Estate
from nhiscan.scanner.history.behaviour import PreviousBehaviour, stored_agent
from nhiscan.scanner.model import Provider, Record
from tests.factories import NOW, agent_context, agent_file, allow, days_ago, estate, managed_policy
from tests.factories import role as make_role

AGENT = "bh-loan"
DOCS = "arn:aws:s3:::bh-docs/*"
HOME_IP, NEW_IP = "198.51.100.20", "203.0.113.77"
HOME_UA, NEW_UA = "loan-review/1.4 Boto3/1.34.0", "python-requests/2.31"
GRANT = managed_policy("bh-loan-access", allow(["s3:GetObject", "s3:DeleteObject"], DOCS))
ROLE = make_role("bh-loan-role", tags={"owner": "team-loans"}, policies=(GRANT.id,))


def use(action: str, resource: str = DOCS, *, event_id: str, when: datetime) -> ActionUse:
    name = action.split(":", 1)[1]
    sample = EventRef(id=event_id, time=when, source="trail/x.json.gz")
    return ActionUse(action=action, event=f"s3.amazonaws.com:{name}", resource=resource,
                     outcome=Outcome.ALLOWED, first_seen=when, last_seen=when, count=1,
                     samples=(sample,))  # fmt: skip


def session(
    *uses: ActionUse, ips: tuple[str, ...], agents: tuple[str, ...], name: str = "bh-loan-*"
) -> ActivitySummary:
    return ActivitySummary(provider=Provider.AWS, identity=ROLE.id, principal="role-session",
                           account=ROLE.account, first_seen=days_ago(30), last_seen=NOW,
                           count=len(uses), session_name=name, uses=uses,
                           source_ips=ips, user_agents=agents)  # fmt: skip


SCOPE = ActivityScope(provider=Provider.AWS, source="trail/", since=days_ago(90), until=NOW,
                      accounts=(ROLE.account or "",))  # fmt: skip
USUAL = session(use("s3:GetObject", event_id="ev-get", when=days_ago(20)), ips=(HOME_IP,),
                agents=(HOME_UA,))  # fmt: skip
DELETES = session(use("s3:DeleteObject", event_id="ev-delete", when=days_ago(2)),
                  ips=(NEW_IP,), agents=(NEW_UA,), name="bh-loan-cli-*")  # fmt: skip


def agents(*steps: str) -> AgentFile:
    body = "".join(f"      - {step}\n" for step in steps)
    return agent_file(
        f"  - name: {AGENT}\n    owner: team-loans\n    identities: [{ROLE.id}]\n    steps:\n{body}"
    )


READ = "read: s3://bh-docs/*"
DELETE = "delete: s3://bh-docs/*"


@dataclass(frozen=True)
class WithBehaviour:
    """An estate with its activity, the agents now, and the run before: its activity and the
    agents as they were then (their plan, hence its hash)."""

    estate: Estate
    agents: AgentFile
    before: tuple[ActivitySummary, ...] | None  # None: the previous run read no trail
    agents_before: AgentFile
    flagged: tuple[str, ...] = ()

    def context(self, now: datetime = NOW) -> RuleContext:
        return replace(agent_context(self.estate, self.agents, now=now),
                       previous_behaviour=self.previous())  # fmt: skip

    def previous(self) -> PreviousBehaviour:
        then = agent_context(self.estate, self.agents_before).agents
        assert then is not None
        stored = {
            r.agent.name: {"name": r.agent.name,
                           **stored_agent(r, self.before, then.claims.matched, self.flagged)}
            for r in then.results
        }  # fmt: skip
        return PreviousBehaviour(run=1, started_at=days_ago(7), agents=stored)


def with_behaviour(
    *now: ActivitySummary,
    before: tuple[ActivitySummary, ...] | None = (USUAL,),
    steps: tuple[str, ...] = (READ,),
    steps_before: tuple[str, ...] | None = None,
    flagged: tuple[str, ...] = (),
) -> WithBehaviour:
    records: list[Record] = [ROLE, GRANT, *now, SCOPE]
    return WithBehaviour(
        estate=estate(*records),
        agents=agents(*steps),
        before=before,
        agents_before=agents(*(steps if steps_before is None else steps_before)),
        flagged=flagged,
    )


def changed(unexplained: bool) -> WithBehaviour:
    """NHI706's registry fixture: deletes from a new address (unexplained), or the same
    sessions as the run before (nothing new)."""
    return with_behaviour(USUAL, DELETES) if unexplained else with_behaviour(USUAL)
