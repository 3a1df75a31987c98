"""Vendor token formats: source forges and CI, package registries, chat, payment,
observability, AI APIs, databases, SaaS and secret managers. Each row is one documented
format (the comment gives the vendor's page); the same conventions as the main table hold
(``detectors/__init__.py``): one line, a ``secret`` group or the whole match, every match holds
a lowercase keyword, patterns linear on a long line.

Most rows are a fixed prefix and a body of a known alphabet and length: ``_prefixed`` builds
those with the boundaries every row needs (no word character before the prefix or after the
body), so a longer identifier that merely contains a token's shape is not one. Formats without
a prefix (a Datadog key is 32 hex characters) are found only after a name that says what they
are (``_named``). The validators reject what people write instead (``XXXX``, ``<your-token>``,
repeated characters) and, where the format has structure, impossible bodies: a checksum
(GitHub's CRC32 for npm, bech32 for age), a decoded payload (PyPI macaroons, Bedrock keys,
Discord ids, JSON bodies)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from nhiscan.connectors.git.secrets.detectors.checks import (
    _azure_key,
    _b64_bytes,
    _github_checksum,
    _password,
    _random_looking,
    _random_mixed,
)
from nhiscan.connectors.git.secrets.detectors.checks_vendor import (
    age_key,
    basic_or_bearer,
    bedrock_key,
    body_random,
    discord_bot,
    json_payload,
    pypi_macaroon,
    registry_auth,
)
from nhiscan.connectors.git.secrets.detectors.model import RANK, Detector
from nhiscan.scanner.model import Provider

_WORD = "A-Za-z0-9_-"
# What may not touch a prefixed token: word characters, and "+" "/" of base64 (a prefix such as
# "EAAA" occurs by chance inside base64 of binary data).
_EDGE = "A-Za-z0-9_+/-"


def _prefixed(
    name: str,
    prefixes: Sequence[str],
    body: str,
    *,
    validate: Callable[[str], bool] | None = None,
    provider: Provider | None = None,
    case_insensitive: bool = False,
    edge: str = _EDGE,
) -> Detector:
    """A token that is a literal prefix then ``body``, with no ``edge`` character on either
    side ("=" may come before: ``KEY=token``). Keywords are the prefixes; the default
    validator judges the body after the prefix."""
    alternatives = "|".join(re.escape(p) for p in prefixes)
    prefix = f"(?i:{alternatives})" if case_insensitive else f"(?:{alternatives})"
    before = edge.replace("=", "")
    return Detector(
        name=name,
        provider=provider,
        pattern=re.compile(rf"(?<![{before}]){prefix}{body}(?![{edge}])"),
        keywords=tuple(dict.fromkeys(p.lower() for p in prefixes)),
        rank=RANK,
        validate=validate or body_random([p.lower() for p in prefixes]),
    )


_ASSIGNMENT = "(?:=>|:=|[:=,])"


def _named(
    name: str,
    names: Sequence[str],
    value: str,
    *,
    validate: Callable[[str], bool] = _random_looking,
    provider: Provider | None = None,
) -> Detector:
    """A value with no prefix of its own, found after a name that says what it is
    (``DATADOG_API_KEY=…``, ``"snyk_token": "…"``): the name (any case), up to 24 more name
    characters, an assignment, then the value as the ``secret`` group."""
    alternatives = "|".join(re.escape(n) for n in names)
    return Detector(
        name=name,
        provider=provider,
        pattern=re.compile(
            rf"(?i:{alternatives})[A-Za-z0-9_.-]{{0,24}}\\?[\"'`]?\]?"
            rf"[ \t]*+{_ASSIGNMENT}[ \t]*+\\?[\"'`]?"
            rf"(?P<secret>{value})(?![A-Za-z0-9_-])"
        ),
        keywords=tuple(dict.fromkeys(n.lower() for n in names)),
        rank=RANK,
        validate=validate,
    )


def value_names(detectors: Sequence[Detector]) -> tuple[str, ...]:
    """The variable names the ``_named`` rows (and Discord's) look for: their keywords. A
    Kubernetes env entry names them on one line and holds the value on the next (decode.py's
    name/value row joins the two)."""
    named = [d for d in detectors if _ASSIGNMENT in d.pattern.pattern or "discord" in d.keywords]
    return tuple(dict.fromkeys(k for d in named for k in d.keywords))


_HEX = "[0-9a-f]"
_UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def _cased_random(value: str) -> bool:
    """Random-looking with both cases: a short base62 body (24 or 32 characters) lacks a digit
    too often (1.5% at 24) for ``_random_mixed``."""
    return _random_looking(value) and value.lower() != value and value.upper() != value


# The root CA digest of every join token printed in Docker's documentation.
_SWARM_DOCS_CA = "3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl"


def _base64_key(value: str) -> bool:
    """A key that is base64 of at least 30 random bytes (the services' generated keys)."""
    return _b64_bytes(value) >= 30 and _random_looking(value)


def _uuid_random(value: str) -> bool:
    return _random_looking(value.replace("-", "")) and len(set(value)) >= 10


VENDOR_DETECTORS: tuple[Detector, ...] = (
    # -- cloud formats the main table lacks --------------------------------------------------
    # Amazon Bedrock API keys: long-term "ABSK" + base64("BedrockAPIKey-<id>:<secret>"), and
    # short-term "bedrock-api-key-" + base64 of a presigned bedrock.amazonaws.com URL.
    # https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-how.html
    _prefixed(
        "AWS Bedrock API Key",
        ("ABSKQmVkcm9ja0FQSUtleS",),
        "[A-Za-z0-9+/]{40,400}={0,2}",
        validate=bedrock_key,
        provider=Provider.AWS,
        edge="A-Za-z0-9+/=",
    ),
    _prefixed(
        "AWS Bedrock Short-term API Key",
        ("bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t",),
        "[A-Za-z0-9+/]{100,4000}={0,2}",
        validate=lambda token: _random_looking(token[-60:]),
        provider=Provider.AWS,
        edge="A-Za-z0-9+/=",
    ),
    # Google OAuth client secrets: "GOCSPX-" + 28 characters.
    # https://developers.google.com/identity/protocols/oauth2/production-readiness/sensitive-scope-verification
    # https://cloud.google.com/iam/docs/workforce-manage-oauth-app#create-client
    _prefixed("GCP OAuth Client Secret", ("GOCSPX-",), f"[{_WORD}]{{28}}", provider=Provider.GCP),
    # Azure DevOps personal access tokens (2024 format): 84 characters, "AZDO" at 77-80.
    # https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate
    Detector(
        name="Azure DevOps Personal Access Token",
        provider=Provider.AZURE,
        pattern=re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}(?![A-Za-z0-9])"),
        keywords=("azdo",),
        rank=RANK,
        validate=lambda token: _random_mixed(token[:76]),
    ),
    # Cosmos DB: AccountEndpoint=https://<account>.documents.azure.com:443/;AccountKey=<64
    # bytes, base64>. https://learn.microsoft.com/en-us/azure/cosmos-db/nosql/how-to-dotnet-get-started
    Detector(
        name="Azure Cosmos DB Connection String",
        provider=Provider.AZURE,
        pattern=re.compile(
            r"(?i:AccountEndpoint)=https://[a-z0-9-]{3,44}\.documents\.azure\.com(?::443)?/?;"
            r"(?i:AccountKey)=(?P<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])"
        ),
        keywords=("accountendpoint=",),
        rank=RANK,
        validate=_random_looking,
    ),
    # IoT Hub and Device Provisioning connection strings (service policies, devices, modules):
    # HostName=<hub>.azure-devices.net;SharedAccessKeyName=<policy>|DeviceId=<id>;
    # SharedAccessKey=<32 bytes, base64>.
    # https://learn.microsoft.com/en-us/azure/iot-hub/authenticate-authorize-sas
    Detector(
        name="Azure IoT Hub Connection String",
        provider=Provider.AZURE,
        pattern=re.compile(
            r"(?i:HostName)=[A-Za-z0-9-]{3,63}\.azure-devices(?:-provisioning)?\.net;"
            r"(?:(?i:SharedAccessKeyName|DeviceId|ModuleId)=[^;\s\"'`]{1,128};){1,2}"
            r"(?i:SharedAccessKey)=(?P<secret>[A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])"
        ),
        keywords=("azure-devices",),
        rank=RANK,
        validate=_azure_key(32),
    ),
    # SignalR Service and Web PubSub: Endpoint=https://<name>.service.signalr.net;AccessKey=<key>;
    # Version=1.0; https://learn.microsoft.com/en-us/azure/azure-signalr/concept-connection-string
    # https://learn.microsoft.com/en-us/azure/azure-web-pubsub/howto-websocket-connect
    Detector(
        name="Azure SignalR Connection String",
        provider=Provider.AZURE,
        pattern=re.compile(
            r"(?i:Endpoint)=https?://[A-Za-z0-9-]{3,63}\.(?:service\.signalr\.net"
            r"|webpubsub\.azure\.com)(?::[0-9]{1,5})?/?;(?i:AccessKey)="
            r"(?P<secret>[A-Za-z0-9+/]{40,88}={0,2})(?![A-Za-z0-9+/=])"
        ),
        keywords=("signalr.net", "webpubsub.azure.com"),
        rank=RANK,
        validate=_base64_key,
    ),
    # App Configuration: Endpoint=https://<store>.azconfig.io;Id=<credential id>;Secret=<secret>.
    # https://learn.microsoft.com/en-us/azure/azure-app-configuration/howto-disable-access-key-authentication
    # https://learn.microsoft.com/en-us/azure/service-connector/how-to-integrate-app-configuration
    Detector(
        name="Azure App Configuration Connection String",
        provider=Provider.AZURE,
        pattern=re.compile(
            r"(?i:Endpoint)=https://[A-Za-z0-9-]{3,63}\.azconfig\.io/?;(?i:Id)=[^;\s\"'`]{1,128};"
            r"(?i:Secret)=(?P<secret>[A-Za-z0-9+/]{40,88}={0,2})(?![A-Za-z0-9+/=])"
        ),
        keywords=("azconfig.io",),
        rank=RANK,
        validate=_base64_key,
    ),
    # -- source forges and CI ----------------------------------------------------------------
    # GitLab's other tokens, by prefix: OAuth application secrets (gloas-), deploy (gldt-),
    # runner authentication (glrt-), CI/CD job (glcbt-), pipeline trigger (glptt-), feed
    # (glft-), incoming mail (glimt-), agent for Kubernetes (glagent-), SCIM (glsoat-),
    # feature flags client (glffct-). https://docs.gitlab.com/ee/security/tokens/#token-prefixes
    _prefixed(
        "GitLab Service Token",
        (
            "gloas-",
            "gldt-",
            "glrt-",
            "glcbt-",
            "glptt-",
            "glft-",
            "glimt-",
            "glagent-",
            "glsoat-",
            "glffct-",
        ),
        f"[{_WORD}]{{20,64}}",
    ),
    # Bitbucket app passwords: "ATBB" + 32 characters (the last 8 hex).
    # https://support.atlassian.com/bitbucket-cloud/docs/app-passwords/
    _prefixed("Bitbucket App Password", ("ATBB",), "[A-Za-z0-9]{24}[A-F0-9]{8}"),
    # Atlassian API tokens (Jira, Confluence, Bitbucket): "ATATT3" + base64url, "=", 8 hex.
    # Bitbucket repository/project/workspace access tokens share the scheme ("ATCTT3").
    # https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/
    _prefixed(
        "Atlassian API Token",
        ("ATATT3", "ATCTT3"),
        f"[{_WORD}]{{150,250}}=[A-F0-9]{{8}}",
        validate=lambda token: _random_mixed(token[6:-9]),
        edge="A-Za-z0-9_=-",
    ),
    # CircleCI personal (CCIPAT_) and project (CCIPRJ_) API tokens: 22 characters, "_", 40 hex.
    # https://circleci.com/docs/managing-api-tokens/
    _prefixed("CircleCI API Token", ("CCIPAT_", "CCIPRJ_"), f"[A-Za-z0-9]{{22}}_{_HEX}{{40}}"),
    # Buildkite API access tokens ("bkua_", user access), agent session tokens ("bkaa_") and
    # agent job tokens ("bkaj_"), each the prefix then a random body (the documentation masks
    # its length; the user tokens seen are 40 hex).
    # https://buildkite.com/docs/platform/security/tokens
    _prefixed("Buildkite API Token", ("bkua_", "bkaa_", "bkaj_"), "[A-Za-z0-9]{40,96}"),
    # SonarQube user (squ_), project analysis (sqp_) and global analysis (sqa_) tokens: 40 hex.
    # https://docs.sonarsource.com/sonarqube-server/latest/user-guide/managing-tokens/
    _prefixed("SonarQube Token", ("squ_", "sqp_", "sqa_"), f"{_HEX}{{40}}"),
    # SonarCloud (SonarQube Cloud) tokens carry no prefix: 40 hex after SONAR_TOKEN / sonar.token
    # / sonar.login. https://docs.sonarsource.com/sonarqube-cloud/managing-your-account/managing-tokens/
    _named("SonarCloud Token", ("sonar_token", "sonar.token", "sonar.login"), f"{_HEX}{{40}}"),
    # Snyk API tokens are UUIDs: found after SNYK_TOKEN / snyk_api_token / snyk auth.
    # https://docs.snyk.io/snyk-api/authentication-for-api
    _named(
        "Snyk API Token",
        ("snyk_token", "snyk_api_token", "snyk_api_key", "snyktoken"),
        _UUID,
        validate=_uuid_random,
    ),
    # Terraform Cloud / HCP Terraform API tokens: 14 characters, ".atlasv1.", 60-70 more.
    # https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/api-tokens
    Detector(
        name="Terraform Cloud API Token",
        provider=None,
        pattern=re.compile(
            r"(?<![A-Za-z0-9_.-])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_-]{60,70}(?![A-Za-z0-9_-])"
        ),
        keywords=(".atlasv1.",),
        rank=RANK,
        validate=lambda token: _random_mixed(token[:14] + token[23:]),
    ),
    # HashiCorp Vault tokens: service (hvs.), batch (hvb.), recovery (hvr.): base62, 90+.
    # https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes
    _prefixed(
        "HashiCorp Vault Token",
        ("hvs.", "hvb.", "hvr."),
        "[A-Za-z0-9_-]{90,300}",
        validate=lambda token: _random_mixed(token[4:]),
    ),
    # Pulumi access tokens: "pul-" + 40 hex.
    # https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/
    _prefixed("Pulumi Access Token", ("pul-",), f"{_HEX}{{40}}"),
    # Docker Swarm join tokens: "SWMTKN-1-", the base36 digest of the swarm's root CA (50), "-",
    # the random secret (25); a manager's token lets a machine join as a manager.
    # https://docs.docker.com/reference/cli/docker/swarm/join-token/
    _prefixed(
        "Docker Swarm Join Token",
        ("SWMTKN-1-",),
        "[0-9a-z]{50}-[0-9a-z]{25}",
        validate=lambda token: (
            token[9:59] != _SWARM_DOCS_CA
            and _random_looking(token[9:59])
            and _random_looking(token[60:])
        ),
    ),
    # -- package and container registries ----------------------------------------------------
    # A Docker config.json (and a Kubernetes .dockerconfigjson) keeps each registry's login as
    # "auths": {"<registry>": {"auth": base64("user:password")}}: ECR's and GCR's tokens, a
    # Docker Hub access token or a plain password.
    # https://docs.docker.com/reference/cli/docker/login/#credential-stores
    # https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/
    Detector(
        name="Container Registry Auth",
        provider=None,
        pattern=re.compile(
            r'\\?"auth\\?"[ \t]*:[ \t]*\\?"(?P<secret>[A-Za-z0-9+/]{8,4096}={0,2})\\?"'
        ),
        keywords=('"auth',),
        rank=RANK,
        validate=registry_auth,
    ),
    # npm access tokens: "npm_" + 36 base62, the last 6 a CRC32 of the 30 before, base62 (the
    # scheme of GitHub's tokens). https://github.blog/changelog/2021-09-23-npm-has-a-new-access-token-format/
    _prefixed("npm Access Token", ("npm_",), "[A-Za-z0-9]{36}", validate=_github_checksum),
    # PyPI API tokens: "pypi-" + a base64url macaroon naming pypi.org (or test.pypi.org).
    # https://pypi.org/help/#apitoken https://warehouse.pypa.io/development/token-scanning.html
    _prefixed(
        "PyPI API Token",
        ("pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw"),
        "[A-Za-z0-9_-]{50,400}",
        validate=pypi_macaroon,
    ),
    # RubyGems API keys: "rubygems_" + 48 hex. https://guides.rubygems.org/api-key-scopes/
    _prefixed("RubyGems API Key", ("rubygems_",), f"{_HEX}{{48}}"),
    # NuGet API keys: "oy2" + 43 lowercase base32-ish characters.
    # https://learn.microsoft.com/en-us/nuget/nuget-org/scoped-api-keys
    _prefixed(
        "NuGet API Key",
        ("oy2",),
        "[a-z0-9]{43}",
        validate=lambda token: _random_looking(token[3:]) and any(c.isdigit() for c in token[3:]),
    ),
    # Docker Hub personal (dckr_pat_) and organization (dckr_oat_) access tokens.
    # https://docs.docker.com/security/for-developers/access-tokens/
    _prefixed("Docker Hub Access Token", ("dckr_pat_", "dckr_oat_"), f"[{_WORD}]{{27,40}}"),
    # -- chat ---------------------------------------------------------------------------------
    # Incoming webhooks: https://hooks.slack.com/services/T…/B…/<24 characters>, and workflow
    # webhooks (/triggers/, /workflows/). https://api.slack.com/messaging/webhooks
    Detector(
        name="Slack Webhook URL",
        provider=None,
        pattern=re.compile(
            r"(?i:hooks\.slack\.com)/(?:services|triggers|workflows)/"
            r"(?P<secret>T[A-Z0-9]{8,12}/[A-Z0-9]{8,14}/(?:[0-9]{6,20}/)?[A-Za-z0-9]{20,40})"
            r"(?![A-Za-z0-9])"
        ),
        keywords=("hooks.slack.com",),
        rank=RANK,
        validate=lambda secret: _random_looking(secret.rsplit("/", 1)[-1]),
    ),
    # Rotating tokens: access "xoxe.xoxp-1-…"/"xoxe.xoxb-1-…" and refresh "xoxe-1-…".
    # https://api.slack.com/authentication/rotation
    _prefixed(
        "Slack Rotating Token",
        ("xoxe.xoxp-1-", "xoxe.xoxb-1-", "xoxe-1-"),
        "[A-Za-z0-9-]{60,400}",
        validate=lambda t: _random_mixed(t.rsplit("-", 1)[-1][-40:]),
    ),
    # Discord bot tokens: base64(bot id), ".", 6 characters (time), ".", 27-38 (HMAC); found
    # after a name with "discord" (the token has no prefix; the id check rejects the rest).
    # https://discord.com/developers/docs/reference#authentication
    Detector(
        name="Discord Bot Secret",
        provider=None,
        pattern=re.compile(
            r"(?i:discord)[^\n]{0,60}?(?<![A-Za-z0-9_-])"
            r"(?P<secret>[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})"
            r"(?![A-Za-z0-9_.-])"
        ),
        keywords=("discord",),
        rank=RANK,
        validate=discord_bot,
    ),
    # Telegram bot tokens: the bot's numeric id, ":", 35 characters (in practice "AA" first).
    # https://core.telegram.org/bots/api#authorizing-your-bot
    Detector(
        name="Telegram Bot API Token",
        provider=None,
        pattern=re.compile(r"(?<![A-Za-z0-9_:-])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])"),
        keywords=(":aa",),
        rank=RANK,
        validate=lambda token: _random_looking(token.split(":", 1)[1][2:]),
    ),
    # -- payment -----------------------------------------------------------------------------
    # Stripe webhook signing secrets: "whsec_" + 32+ base62. https://docs.stripe.com/webhooks#verify-events
    _prefixed(
        "Stripe Webhook Secret",
        ("whsec_",),
        "[A-Za-z0-9]{32,64}",
        validate=lambda t: _random_looking(t[6:]),
    ),
    # Square production access tokens ("EAAA" + 60) and OAuth application secrets (sq0csp-).
    # https://developer.squareup.com/docs/build-basics/access-tokens
    _prefixed(
        "Square Access Token",
        ("EAAA",),
        f"[{_WORD}]{{60}}",
        validate=lambda t: _random_mixed(t[4:]),
    ),
    _prefixed("Square Application Secret", ("sq0csp-", "sq0atp-"), f"[{_WORD}]{{22,43}}"),
    # Shopify app tokens: Admin API (shpat_), custom app (shpca_), private app (shppa_), shared
    # secret (shpss_): 32 hex. https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens
    _prefixed("Shopify Access Token", ("shpat_", "shpca_", "shppa_", "shpss_"), "[a-fA-F0-9]{32}"),
    # -- observability -----------------------------------------------------------------------
    # Datadog API keys (32 hex) and application keys (40 hex): no prefix; after DD_API_KEY,
    # DD_APP_KEY, DATADOG_API_KEY, ... https://docs.datadoghq.com/account_management/api-app-keys/
    _named(
        "Datadog API Key",
        (
            "dd_api_key",
            "dd_app_key",
            "dd_application_key",
            "datadog_api_key",
            "datadog_app_key",
            "datadog_application_key",
            "dd-api-key",
            "dd-application-key",
        ),
        f"{_HEX}{{40}}|{_HEX}{{32}}",
    ),
    # New Relic user API keys (NRAK-), ingest license keys (…NRAL), insights insert (NRII-),
    # browser (NRJS-): https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/
    _prefixed("New Relic API Key", ("NRAK-", "NRII-", "NRJS-"), "[A-Z0-9]{27,32}"),
    Detector(
        name="New Relic License Key",
        provider=None,
        pattern=re.compile(r"(?<![A-Za-z0-9])[a-f0-9]{36}NRAL(?![A-Za-z0-9])"),
        keywords=("nral",),
        rank=RANK,
        validate=lambda token: _random_looking(token[:36]),
    ),
    # Grafana service-account tokens ("glsa_" + 32 base62 + "_" + 8 hex) and Grafana Cloud
    # access-policy tokens ("glc_" + base64 of a JSON object).
    # https://grafana.com/docs/grafana/latest/administration/service-accounts/
    # https://grafana.com/docs/grafana-cloud/security-and-account-management/authentication-and-permissions/access-policies/
    _prefixed("Grafana Service Account Token", ("glsa_",), f"[A-Za-z0-9]{{32}}_{_HEX}{{8}}"),
    _prefixed(
        "Grafana Cloud Token",
        ("glc_",),
        "eyJ[A-Za-z0-9+/]{40,400}={0,2}",
        validate=json_payload(4, keys=("o", "k")),
        edge="A-Za-z0-9_+/=-",
    ),
    # Sentry user auth tokens ("sntryu_" + 64 hex) and organization tokens ("sntrys_" + base64
    # JSON, "_", 43 base64). https://docs.sentry.io/account/auth-tokens/
    _prefixed("Sentry User Token", ("sntryu_",), f"{_HEX}{{64}}"),
    _prefixed(
        "Sentry Org Token",
        ("sntrys_",),
        "eyJ[A-Za-z0-9+/=]{40,400}_[A-Za-z0-9+/]{43}",
        validate=json_payload(7, keys=("iat",)),
        edge="A-Za-z0-9_+/=-",
    ),
    # Dynatrace tokens: "dt0c01." + 24 + "." + 64 (uppercase base32).
    # https://docs.dynatrace.com/docs/manage/identity-access-management/access-tokens-and-oauth-clients/access-tokens#token-format
    _prefixed(
        "Dynatrace Token",
        ("dt0c01.", "dt0s01.", "dt0s16."),
        "[A-Z0-9]{24}\\.[A-Z0-9]{64}",
        validate=lambda t: _random_looking(t[-64:]),
    ),
    # -- AI APIs -----------------------------------------------------------------------------
    # Hugging Face user access tokens: "hf_" + 34 letters; organization API tokens "api_org_".
    # https://huggingface.co/docs/hub/security-tokens
    _prefixed(
        "Hugging Face Token",
        ("hf_", "api_org_"),
        "[A-Za-z]{34}",
        validate=lambda t: _random_mixed(t.split("_")[-1] + "0"),
    ),
    # Groq: "gsk_" + 52 base62. https://console.groq.com/docs/quickstart
    _prefixed(
        "Groq API Key", ("gsk_",), "[A-Za-z0-9]{52}", validate=lambda t: _random_mixed(t[4:])
    ),
    # Replicate: "r8_" + 37 base62. https://replicate.com/docs/topics/security/api-tokens
    _prefixed(
        "Replicate API Token", ("r8_",), "[A-Za-z0-9]{37}", validate=lambda t: _random_mixed(t[3:])
    ),
    # Perplexity: "pplx-" + 48 base62. https://docs.perplexity.ai/guides/getting-started
    _prefixed(
        "Perplexity API Key", ("pplx-",), "[A-Za-z0-9]{48}", validate=lambda t: _random_mixed(t[5:])
    ),
    # xAI: "xai-" + 80 base62. https://docs.x.ai/docs/overview
    _prefixed("xAI API Key", ("xai-",), "[A-Za-z0-9]{80}", validate=lambda t: _random_mixed(t[4:])),
    # OpenRouter: "sk-or-v1-" + 64 hex (OpenRouter is a GitHub secret-scanning partner).
    # https://openrouter.ai/docs/api-keys
    _prefixed("OpenRouter API Key", ("sk-or-v1-",), f"{_HEX}{{64}}"),
    # LangSmith personal access tokens ("lsv2_pt_") and service keys ("lsv2_sk_"): 32 hex,
    # "_", 10 hex. https://docs.langchain.com/langsmith/create-account-api-key
    _prefixed("LangSmith API Key", ("lsv2_pt_", "lsv2_sk_"), f"{_HEX}{{32}}_{_HEX}{{10}}"),
    # Pinecone API keys: "pcsk_", a short key id, "_", the secret.
    # https://docs.pinecone.io/guides/projects/manage-api-keys
    _prefixed(
        "Pinecone API Key",
        ("pcsk_",),
        "[A-Za-z0-9]{4,12}_[A-Za-z0-9]{50,80}",
        validate=lambda t: _random_mixed(t.rsplit("_", 1)[-1]),
    ),
    # Keys without a prefix of their own, found after the variable names the vendors' own
    # quick starts use: Mistral (32 base62), Cohere (40 base62), Azure OpenAI (32 hex).
    # https://docs.mistral.ai/getting-started/quickstart/ https://docs.cohere.com/reference/about
    # https://learn.microsoft.com/en-us/azure/ai-services/openai/quickstart
    _named("Mistral API Key", ("mistral_api_key",), "[A-Za-z0-9]{32}", validate=_cased_random),
    _named(
        "Cohere API Key",
        ("cohere_api_key", "co_api_key"),
        "[A-Za-z0-9]{40}",
        validate=_random_mixed,
    ),
    _named(
        "Azure OpenAI API Key",
        ("azure_openai_api_key", "azure_openai_key", "azure_api_key"),
        f"{_HEX}{{32}}|[A-Za-z0-9]{{84}}",
        provider=Provider.AZURE,
    ),
    # -- databases, SaaS and secret managers -------------------------------------------------
    # Cloudflare's scannable credentials (2025): Global API Key "cfk_", user API token "cfut_",
    # account API token "cfat_", each 40 characters then a checksum (its width is not
    # published; 8 hex in the tokens issued).
    # https://developers.cloudflare.com/fundamentals/api/get-started/token-formats/
    _prefixed(
        "Cloudflare Scannable Token",
        ("cfk_", "cfut_", "cfat_"),
        "[A-Za-z0-9]{40}[A-Za-z0-9]{6,10}",
        validate=lambda t: _random_mixed(t.split("_", 1)[1][:40]),
    ),
    # Netlify (2023 format): "nfp_" personal access tokens, 40 characters in all.
    # https://answers.netlify.com/t/change-to-the-netlify-authentication-token-format/106146
    _prefixed("Netlify Access Token", ("nfp_",), "[A-Za-z0-9_]{36}"),
    # Figma personal access tokens: "figd_" + base64url. Sent as X-Figma-Token.
    # https://developers.figma.com/docs/rest-api/personal-access-tokens/
    _prefixed("Figma Access Token", ("figd_",), f"[{_WORD}]{{38,48}}"),
    # Okta API tokens: "00" + 40 base64url, sent as "SSWS <token>"; found after SSWS or a name.
    # https://developer.okta.com/docs/guides/create-an-api-token/main/
    Detector(
        name="Okta API Token",
        provider=None,
        pattern=re.compile(
            r"(?:(?i:okta)[A-Za-z0-9_.-]{0,24}\\?[\"'`]?[ \t]*+(?:=>|:=|[:=,])[ \t]*+\\?[\"'`]?"
            r"|SSWS[ \t]++)(?P<secret>00[A-Za-z0-9_-]{40})(?![A-Za-z0-9_-])"
        ),
        keywords=("okta", "ssws"),
        rank=RANK,
        validate=lambda token: _random_mixed(token[2:]),
    ),
    # Vercel access tokens: 24 base62, after VERCEL_TOKEN / VERCEL_ACCESS_TOKEN.
    # https://vercel.com/docs/rest-api#creating-an-access-token
    _named(
        "Vercel Access Token",
        ("vercel_token", "vercel_access_token", "vercel_api_token"),
        "[A-Za-z0-9]{24}",
        validate=_cased_random,
    ),
    # MongoDB Atlas programmatic API keys: the private key is a UUID (the public key, 8
    # lowercase letters, is an id). https://www.mongodb.com/docs/atlas/configure-api-access/
    _named(
        "MongoDB Atlas API Private Key",
        ("atlas_private_key", "mongodb_atlas_private_key", "mcli_private_api_key"),
        _UUID,
        validate=_uuid_random,
    ),
    # Alibaba Cloud AccessKey IDs: "LTAI" + 12-20 base62 (the pair's secret is 30 base62).
    # Tencent Cloud SecretIds: "AKID" + 32 base62 (the SecretKey is 32 base62).
    # https://www.alibabacloud.com/help/en/ram/user-guide/create-an-accesskey-pair
    # https://www.tencentcloud.com/document/product/598/40488
    _prefixed(
        "Alibaba Cloud AccessKey ID",
        ("LTAI",),
        "[A-Za-z0-9]{12,20}",
        validate=lambda t: _random_mixed(t[4:]),
    ),
    _prefixed(
        "Tencent Cloud SecretId",
        ("AKID",),
        "[A-Za-z0-9]{32}",
        validate=lambda t: _random_mixed(t[4:]),
    ),
    # Databricks personal access tokens: "dapi" + 32 hex, optionally "-2".
    # https://docs.databricks.com/en/dev-tools/auth/pat.html
    _prefixed("Databricks Access Token", ("dapi",), f"{_HEX}{{32}}(?:-[0-9])?"),
    # Heroku: new-format keys "HRKU-" (2024) and, with no prefix, the UUID after HEROKU_API_KEY.
    # https://devcenter.heroku.com/articles/authentication https://devcenter.heroku.com/changelog-items/2941
    _prefixed("Heroku API Key", ("HRKU-",), f"[{_WORD}]{{58,64}}"),
    _named(
        "Heroku API Key (named)",
        ("heroku_api_key", "heroku_api_token", "heroku_token"),
        _UUID,
        validate=_uuid_random,
    ),
    # Supabase management-API personal tokens ("sbp_" + 40 hex) and secret API keys
    # ("sb_secret_" + 31+ base62). https://supabase.com/docs/guides/api/api-keys
    _prefixed("Supabase Token", ("sbp_",), f"{_HEX}{{40}}"),
    _prefixed("Supabase Secret Key", ("sb_secret_",), f"[{_WORD}]{{31,64}}"),
    # PlanetScale service tokens, passwords and OAuth tokens: "pscale_tkn_"/"pscale_pw_"/
    # "pscale_oauth_" + 43. https://planetscale.com/docs/concepts/service-tokens
    _prefixed(
        "PlanetScale Token", ("pscale_tkn_", "pscale_pw_", "pscale_oauth_"), f"[{_WORD}]{{43}}"
    ),
    # Twilio API key SIDs ("SK" + 32 hex) are public; their secrets and auth tokens (32 base62
    # / hex) are found after a name. https://www.twilio.com/docs/iam/api-keys
    _named(
        "Twilio Auth Token",
        ("twilio_auth_token", "twilio_api_secret", "twilio_secret"),
        "[A-Za-z0-9]{32}",
    ),
    # SendGrid: "SG." + 22 + "." + 43 (base64url).
    # https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys
    _prefixed(
        "Twilio SendGrid API Key",
        ("SG.",),
        f"[{_WORD}]{{22}}\\.[{_WORD}]{{43}}",
        validate=lambda t: _random_mixed(t[26:]),
    ),
    # Mailgun private API keys (legacy): "key-" + 32 lowercase base36. https://documentation.mailgun.com/docs/mailgun/api-reference/authentication/
    _prefixed(
        "Mailgun API Key",
        ("key-",),
        "[a-z0-9]{32}",
        validate=lambda t: _random_looking(t[4:]) and any(c.isdigit() for c in t[4:]),
    ),
    # Mailchimp Marketing API keys: 32 hex + "-us" + datacenter number.
    # https://mailchimp.com/developer/marketing/guides/quick-start/#generate-your-api-key
    Detector(
        name="Mailchimp API Key",
        provider=None,
        pattern=re.compile(r"(?<![A-Za-z0-9_-])[0-9a-f]{32}-us[0-9]{1,2}(?![A-Za-z0-9_-])"),
        keywords=("-us",),
        rank=RANK,
        validate=lambda token: _random_looking(token[:32]),
    ),
    # Linear personal API keys: "lin_api_" + 40 base62.
    # https://linear.app/developers/graphql#personal-api-keys
    _prefixed("Linear API Key", ("lin_api_",), "[A-Za-z0-9]{40}"),
    # Notion integration tokens: "ntn_" + 46 (current) and "secret_" + 43 (older) base62.
    # https://developers.notion.com/docs/authorization
    _prefixed(
        "Notion Integration Token",
        ("ntn_",),
        "[0-9]{11}[A-Za-z0-9]{35}",
        validate=lambda t: _random_mixed(t[15:]),
    ),
    # Postman API keys: "PMAK-" + 24 hex + "-" + 34 hex.
    # https://learning.postman.com/docs/developer/postman-api/authentication/
    _prefixed("Postman API Key", ("PMAK-",), "[a-f0-9]{24}-[a-f0-9]{34}"),
    # Doppler tokens: personal (dp.pt.), service (dp.st.[config.]), CLI (dp.ct.), service
    # account (dp.sa.), SCIM (dp.scim.), audit (dp.audit.): 40-44 base62.
    # https://docs.doppler.com/docs/token-formats
    _prefixed(
        "Doppler Token",
        ("dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."),
        "(?:[a-z0-9_-]{2,35}\\.)?[A-Za-z0-9]{40,44}",
        validate=lambda t: _random_mixed(t.rsplit(".", 1)[-1]),
        edge="A-Za-z0-9_.-",
    ),
    # 1Password service-account tokens: "ops_" + base64 of a JSON object.
    # https://developer.1password.com/docs/service-accounts/security/
    _prefixed(
        "1Password Service Account Token",
        ("ops_",),
        "eyJ[A-Za-z0-9+/_-]{100,1200}={0,2}",
        validate=json_payload(4),
        edge="A-Za-z0-9_+/=-",
    ),
    # 1Password account Secret Keys: "A3-" + 6 + "-" + 6 (or 11) + 4 groups of 5.
    # https://support.1password.com/secret-key-security/
    Detector(
        name="1Password Secret Key",
        provider=None,
        pattern=re.compile(
            r"(?<![A-Za-z0-9-])A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})"
            r"(?:-[A-Z0-9]{5}){3}(?![A-Za-z0-9-])"
        ),
        keywords=("a3-",),
        rank=RANK,
        validate=lambda token: _random_looking(token[3:].replace("-", "")),
    ),
    # Cloudflare Origin CA keys: "v1.0-" + 24 hex + "-" + 146 hex.
    # https://developers.cloudflare.com/fundamentals/api/get-started/ca-keys/
    _prefixed(
        "Cloudflare Origin CA Key", ("v1.0-",), f"{_HEX}{{24}}-{_HEX}{{146}}", edge="A-Za-z0-9_.-"
    ),
    # Cloudflare API tokens: 40 base62/-_ after CLOUDFLARE_API_TOKEN / CF_API_TOKEN.
    # https://developers.cloudflare.com/fundamentals/api/get-started/create-token/
    _named(
        "Cloudflare API Token",
        ("cloudflare_api_token", "cf_api_token", "cloudflare_api_key", "cf_api_key"),
        f"[{_WORD}]{{40}}|{_HEX}{{37}}",
        validate=_random_mixed,
    ),
    # DigitalOcean personal (dop_v1_), OAuth (doo_v1_) and refresh (dor_v1_) tokens: 64 hex.
    # https://docs.digitalocean.com/reference/api/create-personal-access-token/
    _prefixed("DigitalOcean Token", ("dop_v1_", "doo_v1_", "dor_v1_"), f"{_HEX}{{64}}"),
    # age X25519 identities: "AGE-SECRET-KEY-1" + 58 bech32 characters, checksum checked.
    # https://age-encryption.org/v1
    _prefixed(
        "age Secret Key",
        ("AGE-SECRET-KEY-1",),
        "[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
        validate=age_key,
    ),
    # -- credentials in commands -------------------------------------------------------------
    # curl's user option: -u user:password / --user user:password (the password is judged as
    # a database URL's is). https://curl.se/docs/manpage.html#-u
    Detector(
        name="curl Basic Auth",
        provider=None,
        pattern=re.compile(
            r"(?<![A-Za-z0-9_-])curl[ \t][^\n|;&]{0,200}?(?<![A-Za-z0-9_-])(?:-u|--user)[ \t=]*+"
            r"[\"']?(?P<user>[^\s:\"'$]{1,64}):(?P<secret>[^\s\"'@]{3,128})"
        ),
        keywords=("curl",),
        rank=RANK,
        validate=lambda secret: _password(secret.rstrip("\"'")),
    ),
    # curl's header option with an Authorization header: Bearer/Basic/token credentials.
    # https://curl.se/docs/manpage.html#-H https://www.rfc-editor.org/rfc/rfc9110#name-authorization
    Detector(
        name="curl Authorization Header",
        provider=None,
        pattern=re.compile(
            r"(?<![A-Za-z0-9_-])curl[ \t][^\n|;&]{0,300}?(?:-H|--header)[ \t=]*+[\"']?"
            r"(?i:Authorization):[ \t]*+(?i:Bearer|Basic|token)[ \t]++"
            r"(?P<secret>[A-Za-z0-9._~+/=-]{8,2000})"
        ),
        keywords=("curl",),
        rank=RANK,
        validate=basic_or_bearer,
    ),
    # An OAuth 2.0 refresh token written as a value of that name (a token response, an
    # application-default-credentials file, a client's configuration): long-lived, it mints
    # access tokens until revoked. No format of its own (RFC 6749 leaves it opaque): random,
    # with upper case, lower case and digits, 30 characters or more.
    # https://www.rfc-editor.org/rfc/rfc6749#section-1.5
    # https://cloud.google.com/docs/authentication/application-default-credentials
    _named(
        "OAuth Refresh Token",
        ("refresh_token", "refreshtoken", "refresh-token"),
        "[A-Za-z0-9._~+/=-]{30,2048}",
        validate=_random_mixed,
    ),
    # The same header anywhere else: an HTTP request file or log, a headers dict or map in
    # code, a client's configuration ("Authorization": "Bearer …", setHeader("Authorization",
    # "token …")). The value must be written there, not built ("Bearer " + token, ${TOKEN}).
    # https://www.rfc-editor.org/rfc/rfc9110#name-authorization
    Detector(
        name="HTTP Authorization Header",
        provider=None,
        pattern=re.compile(
            r"(?<![A-Za-z0-9_-])(?i:Authorization)[\"'`]?\]?[ \t]*+[:=,][ \t]*+[\"'`]?"
            r"(?i:Bearer|Basic|token)[ \t]++(?P<secret>[A-Za-z0-9._~+/=-]{8,2000})"
            r"(?![A-Za-z0-9._~+/=-])"
        ),
        keywords=("authorization",),
        rank=RANK,
        validate=basic_or_bearer,
    ),
)
