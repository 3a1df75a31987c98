from __future__ import annotations

import re

import pytest

from nhiscan.providers.azure.directory_roles import (
    DIRECTORY_ROLES,
    ESCALATION_FACTS,
    FACTS_BY_CAPABILITY,
    TENANT_ADMIN_ROLES,
    Capability,
    capabilities,
    directory_role,
    implies,
    role_capabilities,
)

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# The rows of the reference's "All roles" table for the roles taken, as published
# (MicrosoftDocs/entra-docs docs/identity/role-based-access-control/permissions-reference.md at
# d5f7a99c649368f42141ee9f8ea435be62a47c03; descriptions shortened to "..."): the name, the
# privileged label when present, and the template id.
PRIVILEGED = "[![Privileged label icon.](./media/permissions-reference/privileged-label.png)](privileged-roles-permissions.md)"  # noqa: E501
REFERENCE_ROWS = (
    f"> | [Application Administrator](#application-administrator) | ...<br/>{PRIVILEGED} | 9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3 |",  # noqa: E501
    f"> | [Application Developer](#application-developer) | ...<br/>{PRIVILEGED} | cf1c38e5-3621-4004-a7cb-879624dced7c |",  # noqa: E501
    f"> | [Authentication Administrator](#authentication-administrator) | ...<br/>{PRIVILEGED} | c4e39bd9-1100-46d3-8c65-fb160da0071f |",  # noqa: E501
    f"> | [Cloud Application Administrator](#cloud-application-administrator) | ...<br/>{PRIVILEGED} | 158c047a-c907-4556-b7ef-446551a6b5f7 |",  # noqa: E501
    "> | [Directory Readers](#directory-readers) | ... | 88d8e3e3-8f55-4a1e-953a-9b9898b8876b |",
    f"> | [Directory Writers](#directory-writers) | ...<br/>{PRIVILEGED} | 9360feb5-f418-4baa-8175-e2a00bac4301 |",  # noqa: E501
    f"> | [Global Administrator](#global-administrator) | ...<br/>{PRIVILEGED} | 62e90394-69f5-4237-9190-012177145e10 |",  # noqa: E501
    f"> | [Global Reader](#global-reader) | ...<br/>{PRIVILEGED} | f2ef992c-3afb-46b9-b7cf-a126ee74c451 |",  # noqa: E501
    "> | [Groups Administrator](#groups-administrator) | ... | fdd7a751-b60b-444a-984c-02652fe8fa1c |",  # noqa: E501
    f"> | [Hybrid Identity Administrator](#hybrid-identity-administrator) | ...<br/>{PRIVILEGED} | 8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2 |",  # noqa: E501
    f"> | [Partner Tier2 Support](#partner-tier2-support) | ...<br/>{PRIVILEGED} | e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8 |",  # noqa: E501
    f"> | [Privileged Authentication Administrator](#privileged-authentication-administrator) | ...<br/>{PRIVILEGED} | 7be44c8a-adaf-4e2a-84d6-ab2649e08a13 |",  # noqa: E501
    f"> | [Privileged Role Administrator](#privileged-role-administrator) | ...<br/>{PRIVILEGED} | e8611ab8-c189-46e8-94e1-60213ab1f814 |",  # noqa: E501
    f"> | [User Administrator](#user-administrator) | ...<br/>{PRIVILEGED} | fe930be7-5e62-47db-91af-98c3a49a38b1 |",  # noqa: E501
)
ROW = re.compile(
    r"^> \| \[(?P<name>[^\]]+)\]\(#[^)]*\) \| (?P<text>.*) \| (?P<id>[0-9a-f-]{36}) \|$"
)


def _reference() -> dict[str, tuple[str, bool]]:
    rows = {}
    for line in REFERENCE_ROWS:
        match = ROW.match(line)
        assert match is not None, line
        rows[match["name"]] = (match["id"], "privileged-label.png" in match["text"])
    return rows


def test_the_table_holds_at_least_the_roles_the_issue_names() -> None:
    assert set(_reference()) <= {r.name for r in DIRECTORY_ROLES}


def test_template_ids_and_privileged_labels_match_the_reference() -> None:
    for name, (template_id, privileged) in _reference().items():
        role = directory_role(name)
        assert role is not None, name
        assert (role.template_id, role.privileged) == (template_id, privileged), name


def test_ids_are_unique_guids_and_names_unique() -> None:
    ids = [r.template_id for r in DIRECTORY_ROLES]
    names = [r.name.lower() for r in DIRECTORY_ROLES]
    assert all(GUID.match(i) for i in ids)
    assert len(set(ids)) == len(ids) and len(set(names)) == len(names)
    assert all(r.source for r in DIRECTORY_ROLES)
    assert set(ids) >= TENANT_ADMIN_ROLES


def test_every_action_the_escalation_facts_name_is_held_by_some_role() -> None:
    held = {a.lower() for r in DIRECTORY_ROLES for a in r.actions}
    for fact in ESCALATION_FACTS:
        assert fact.actions and fact.summary and fact.source
        for action in fact.actions:
            assert action.lower() in held, action
    assert set(FACTS_BY_CAPABILITY) == set(Capability)


def test_every_action_a_role_lists_gives_a_capability() -> None:
    for role in DIRECTORY_ROLES:
        assert len(set(role.actions)) == len(role.actions), role.name
        for action in role.actions:
            assert action.startswith("microsoft.directory/"), action
            assert capabilities([action]), f"{role.name}: {action} gives nothing"


@pytest.mark.parametrize(
    ("role", "has", "lacks"),
    [
        ("Global Administrator", set(Capability), set()),
        (
            "Privileged Role Administrator",
            {Capability.ROLE_ASSIGNMENT, Capability.CONSENT, Capability.ROLE_ASSIGNABLE_GROUPS},
            {Capability.APP_CREDENTIALS, Capability.USER_PASSWORD},
        ),
        (
            "Application Administrator",
            {Capability.APP_CREDENTIALS, Capability.SP_CREDENTIALS, Capability.APP_OWNERS},
            {Capability.CONSENT, Capability.ROLE_ASSIGNMENT},
        ),
        (
            "Cloud Application Administrator",
            {Capability.APP_CREDENTIALS, Capability.SP_CREDENTIALS, Capability.SP_OWNERS},
            {Capability.ROLE_ASSIGNMENT},
        ),
        ("Application Developer", set(), set(Capability)),
        (
            "Hybrid Identity Administrator",
            {Capability.APP_OWNERS, Capability.SP_OWNERS, Capability.DOMAIN_FEDERATION},
            {Capability.APP_CREDENTIALS, Capability.SP_CREDENTIALS},
        ),
        (
            "Groups Administrator",
            {Capability.GROUP_MEMBERSHIP},
            {Capability.ROLE_ASSIGNABLE_GROUPS, Capability.USER_PASSWORD},
        ),
        (
            "Partner Tier2 Support",
            {Capability.APP_CREDENTIALS, Capability.ROLE_ASSIGNMENT, Capability.DOMAIN_FEDERATION},
            {Capability.SP_CREDENTIALS},
        ),
        ("Global Reader", set(), set(Capability)),
        ("Directory Readers", set(), set(Capability)),
    ],
)
def test_role_capabilities(role: str, has: set[Capability], lacks: set[Capability]) -> None:
    found = directory_role(role)
    assert found is not None
    caps = role_capabilities(found)
    assert has <= caps and not (lacks & caps)


@pytest.mark.parametrize(
    ("held", "wanted", "allowed"),
    [
        (
            "microsoft.directory/applications/credentials/update",
            "microsoft.directory/applications/credentials/update",
            True,
        ),
        (
            "microsoft.directory/Applications/Credentials/Update",
            "microsoft.directory/applications/credentials/update",
            True,
        ),
        (
            "microsoft.directory/applications/allProperties/allTasks",
            "microsoft.directory/applications/credentials/update",
            True,
        ),
        (
            "microsoft.directory/applications/allProperties/allTasks",
            "microsoft.directory/applications/create",
            True,
        ),
        (
            "microsoft.directory/applications/allProperties/update",
            "microsoft.directory/applications/credentials/update",
            True,
        ),
        (
            "microsoft.directory/applications/allProperties/read",
            "microsoft.directory/applications/credentials/update",
            False,
        ),
        (
            "microsoft.directory/applications/basic/update",
            "microsoft.directory/applications/credentials/update",
            False,
        ),
        (
            "microsoft.directory/applications/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/credentials/update",
            False,
        ),
        (
            "microsoft.directory/applications/credentials/update",
            "microsoft.directory/applications.myOrganization/credentials/update",
            True,
        ),
        (
            "microsoft.directory/applications.myOrganization/credentials/update",
            "microsoft.directory/applications/credentials/update",
            False,
        ),
        (
            "microsoft.directory/servicePrincipals/allProperties/allTasks",
            "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-company-admin",
            False,
        ),
        (
            "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-application-admin",
            "microsoft.directory/servicePrincipals/managePermissionGrantsForAll.microsoft-company-admin",
            False,
        ),
        (
            "microsoft.azure.supportTickets/allEntities/allTasks",
            "microsoft.directory/applications/credentials/update",
            False,
        ),
        (
            "microsoft.directory/users/allProperties/allTasks",
            "microsoft.directory/users/password/update",
            True,
        ),
    ],
)
def test_implies(held: str, wanted: str, allowed: bool) -> None:
    assert implies(held, wanted) is allowed


def test_lookup_by_template_id_and_name_any_case() -> None:
    by_id = directory_role("62E90394-69F5-4237-9190-012177145E10")
    assert by_id is not None and by_id.name == "Global Administrator"
    assert directory_role("global administrator") is by_id
    assert directory_role("Chief Everything Officer") is None


def test_roles_limited_short_of_administrators_say_so() -> None:
    for name in ("User Administrator", "Authentication Administrator"):
        role = directory_role(name)
        assert role is not None and role.limits and "role-assignable" in role.limits
    pra = directory_role("Privileged Authentication Administrator")
    assert pra is not None and pra.limits is None
