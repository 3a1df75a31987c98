"""The secrets evaluation corpus, generated deterministically (a seeded generator per
detector): for every detector, true examples (a random body of the right format, written as
code, YAML, .env, JSON, shell and a Dockerfile write it) and false examples (placeholders,
documented-example shapes, the right prefix with an impossible body or a bad checksum,
templates), plus shapes that are no credential at all (hashes, UUIDs, base64 of images,
integrity strings) that no detector may report. Used by the meta-test
(test_eval_corpus.py) and the benchmark (bench/bench_secrets_eval.py).

Nothing here is a real credential: every body is drawn from ``random.Random(name)``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tests.connectors.git.secrets import eval_business, eval_platforms, eval_services

B62 = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
WORD = B62 + "_-"
UPPER36 = string.ascii_uppercase + string.digits
LOWER36 = string.ascii_lowercase + string.digits
B64 = B62 + "+/"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


@dataclass(frozen=True, slots=True)
class Example:
    detector: str  # the detector that must (true) or must not (false) report it
    family: str
    path: str
    text: str
    true: bool
    why: str  # what the example is: "yaml", "placeholder", "bad checksum", ...


def _s(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _crc_b62(body: str) -> str:
    value, out = zlib.crc32(body.encode()), ""
    digits = string.digits + string.ascii_uppercase + string.ascii_lowercase
    for _ in range(6):
        value, rem = divmod(value, 62)
        out = digits[rem] + out
    return out


def _github_like(prefix: str, rng: random.Random) -> str:
    body = _s(rng, B62, 30)
    return prefix + body + _crc_b62(body)


def _varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def _macaroon(rng: random.Random, location: bytes = b"pypi.org") -> str:
    ident = json.dumps({"version": 1, "nonce": _s(rng, HEX, 32)}).encode()
    caveat = json.dumps({"version": 1, "permissions": "user"}).encode()
    data = b"\x02\x01" + _varint(len(location)) + location
    data += b"\x02" + _varint(len(ident)) + ident + b"\x00"
    data += b"\x02" + _varint(len(caveat)) + caveat + b"\x00\x00"
    data += b"\x06\x20" + rng.randbytes(32)
    return "pypi-" + base64.urlsafe_b64encode(data).decode().rstrip("=")


def _bech32_checksum(hrp: str, data: list[int]) -> list[int]:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data + [0] * 6
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, g in enumerate(gen):
            check ^= g if (top >> i) & 1 else 0
    check ^= 1
    return [(check >> 5 * (5 - i)) & 31 for i in range(6)]


def _age(rng: random.Random) -> str:
    data = [rng.randrange(32) for _ in range(52)]
    chars = data + _bech32_checksum("age-secret-key-", data)
    return ("AGE-SECRET-KEY-1" + "".join(BECH32[c] for c in chars)).upper()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _jwt(rng: random.Random, claims: dict[str, object]) -> str:
    def seg(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    head = seg({"alg": "RS256", "kid": _s(rng, WORD, 20)})
    return f"{head}.{seg(claims)}.{_s(rng, WORD, 86)}"


def _discord(rng: random.Random) -> str:
    bot_id = str(rng.randrange(10**17, 10**19))
    first = base64.urlsafe_b64encode(bot_id.encode()).decode().rstrip("=")
    return f"{first}.{_s(rng, WORD, 6)}.{_s(rng, WORD, 38)}"


# detector -> (a random true value, the variable name it is assigned to)
Factory = Callable[[random.Random], str]
FACTORIES: dict[str, tuple[Factory, str]] = {
    "AWS Access Key ID": (
        lambda r: "AKIA" + _s(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
        "AWS_ACCESS_KEY_ID",
    ),
    "GCP API Key": (lambda r: "AIza" + _s(r, WORD, 35), "GOOGLE_API_KEY"),
    "GitHub Classic Token": (
        lambda r: _github_like(r.choice(("ghp_", "gho_", "ghs_")), r),
        "GITHUB_TOKEN",
    ),
    "GitHub Fine-grained Token": (
        lambda r: "github_pat_" + _s(r, B62, 22) + "_" + _s(r, B62, 59),
        "GH_TOKEN",
    ),
    "GitLab Personal Access Token": (lambda r: "glpat-" + _s(r, WORD, 20), "GITLAB_TOKEN"),
    "Slack API Token": (
        lambda r: (
            f"xoxb-{r.randrange(10**10, 10**11)}-{r.randrange(10**11, 10**12)}-{_s(r, B62, 24)}"
        ),
        "SLACK_BOT_TOKEN",
    ),
    "Stripe Live Secret Key": (
        lambda r: r.choice(("sk_live_", "rk_live_")) + "51" + _s(r, B62, 97),
        "STRIPE_KEY",
    ),
    "OpenAI API Key": (lambda r: "sk-proj-" + _s(r, WORD, 156), "OPENAI_API_KEY"),
    "Anthropic API Key": (lambda r: "sk-ant-api03-" + _s(r, WORD, 93) + "AA", "ANTHROPIC_API_KEY"),
    "Signed JWT": (
        lambda r: _jwt(
            r, {"sub": "svc-" + _s(r, LOWER36, 8), "iat": r.randrange(1_600_000_000, 1_800_000_000)}
        ),
        "SERVICE_TOKEN",
    ),
    "AWS Bedrock API Key": (
        lambda r: (
            "ABSK"
            + _b64(
                b"BedrockAPIKey-"
                + _s(r, LOWER36, 4).encode()
                + b"-at-"
                + str(r.randrange(10**11, 10**12)).encode()
                + b":"
                + _s(r, B64, 40).encode()
            )
        ),
        "AWS_BEARER_TOKEN_BEDROCK",
    ),
    "AWS Bedrock Short-term API Key": (
        lambda r: (
            "bedrock-api-key-"
            + _b64(
                b"bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                + _s(r, UPPER36, 20).encode()
                + b"&X-Amz-Signature="
                + _s(r, HEX, 64).encode()
                + b"&Version=1"
            )
        ),
        "AWS_BEARER_TOKEN_BEDROCK",
    ),
    "GCP OAuth Client Secret": (lambda r: "GOCSPX-" + _s(r, WORD, 28), "GOOGLE_CLIENT_SECRET"),
    "Azure DevOps Personal Access Token": (
        lambda r: _s(r, B62, 76) + "AZDO" + _s(r, B62, 4),
        "AZURE_DEVOPS_PAT",
    ),
    "Azure Cosmos DB Connection String": (
        lambda r: (
            f"AccountEndpoint=https://{_s(r, string.ascii_lowercase, 10)}.documents.azure.com:443/;"
            f"AccountKey={_b64(r.randbytes(64))}"
        ),
        "COSMOS_CONNECTION",
    ),
    "GitLab Service Token": (
        lambda r: (
            r.choice(("glrt-", "gldt-", "glptt-", "gloas-")) + _s(r, WORD, 20 + r.randrange(20))
        ),
        "GITLAB_RUNNER_TOKEN",
    ),
    "Bitbucket App Password": (
        lambda r: "ATBB" + _s(r, B62, 24) + _s(r, "0123456789ABCDEF", 8),
        "BITBUCKET_APP_PASSWORD",
    ),
    "Atlassian API Token": (
        lambda r: "ATATT3xFfGF0" + _s(r, WORD, 180) + "=" + _s(r, "0123456789ABCDEF", 8),
        "JIRA_API_TOKEN",
    ),
    "CircleCI API Token": (
        lambda r: "CCIPAT_" + _s(r, B62, 22) + "_" + _s(r, HEX, 40),
        "CIRCLECI_TOKEN",
    ),
    "Buildkite API Token": (
        lambda r: r.choice(("bkua_", "bkaa_", "bkaj_")) + _s(r, HEX, 40),
        "BUILDKITE_API_TOKEN",
    ),
    "SonarQube Token": (
        lambda r: r.choice(("squ_", "sqp_", "sqa_")) + _s(r, HEX, 40),
        "SONAR_TOKEN",
    ),
    "SonarCloud Token": (lambda r: _s(r, HEX, 40), "SONAR_TOKEN"),
    "Snyk API Token": (lambda r: str(uuid.UUID(bytes=r.randbytes(16), version=4)), "SNYK_TOKEN"),
    "Terraform Cloud API Token": (
        lambda r: _s(r, B62, 14) + ".atlasv1." + _s(r, WORD, 67),
        "TF_TOKEN_app_terraform_io",
    ),
    "HashiCorp Vault Token": (lambda r: "hvs." + _s(r, WORD, 91), "VAULT_TOKEN"),
    "Pulumi Access Token": (lambda r: "pul-" + _s(r, HEX, 40), "PULUMI_ACCESS_TOKEN"),
    "npm Access Token": (lambda r: _github_like("npm_", r), "NPM_TOKEN"),
    "PyPI API Token": (_macaroon, "TWINE_PASSWORD"),
    "RubyGems API Key": (lambda r: "rubygems_" + _s(r, HEX, 48), "GEM_HOST_API_KEY"),
    "NuGet API Key": (lambda r: "oy2" + _s(r, LOWER36, 43), "NUGET_API_KEY"),
    "Docker Hub Access Token": (lambda r: "dckr_pat_" + _s(r, WORD, 27), "DOCKERHUB_TOKEN"),
    "Slack Webhook URL": (
        lambda r: (
            f"https://hooks.slack.com/services/T{_s(r, UPPER36, 8)}/B{_s(r, UPPER36, 10)}/"
            + _s(r, B62, 24)
        ),
        "SLACK_WEBHOOK_URL",
    ),
    "Slack Rotating Token": (lambda r: "xoxe.xoxp-1-" + _s(r, B62, 150), "SLACK_USER_TOKEN"),
    "Discord Bot Secret": (_discord, "DISCORD_BOT_TOKEN"),
    "Telegram Bot API Token": (
        lambda r: f"{r.randrange(10**8, 10**10)}:AA{_s(r, WORD, 33)}",
        "TELEGRAM_BOT_TOKEN",
    ),
    "Stripe Webhook Secret": (lambda r: "whsec_" + _s(r, B62, 32), "STRIPE_WEBHOOK_SECRET"),
    "Square Access Token": (lambda r: "EAAA" + _s(r, WORD, 60), "SQUARE_ACCESS_TOKEN"),
    "Square Application Secret": (lambda r: "sq0csp-" + _s(r, WORD, 43), "SQUARE_APP_SECRET"),
    "Shopify Access Token": (
        lambda r: r.choice(("shpat_", "shpca_", "shppa_", "shpss_")) + _s(r, HEX, 32),
        "SHOPIFY_ACCESS_TOKEN",
    ),
    "Datadog API Key": (lambda r: _s(r, HEX, r.choice((32, 40))), "DD_API_KEY"),
    "New Relic API Key": (lambda r: "NRAK-" + _s(r, UPPER36, 27), "NEW_RELIC_API_KEY"),
    "New Relic License Key": (lambda r: _s(r, HEX, 36) + "NRAL", "NEW_RELIC_LICENSE_KEY"),
    "Grafana Service Account Token": (
        lambda r: "glsa_" + _s(r, B62, 32) + "_" + _s(r, HEX, 8),
        "GRAFANA_TOKEN",
    ),
    "Grafana Cloud Token": (
        lambda r: (
            "glc_"
            + _b64(
                json.dumps(
                    {
                        "o": str(r.randrange(10**6)),
                        "n": "ci-" + _s(r, LOWER36, 6),
                        "k": _s(r, B62, 24),
                        "m": {"r": "prod-us-east-0"},
                    }
                ).encode()
            )
        ),
        "GRAFANA_CLOUD_TOKEN",
    ),
    "Sentry User Token": (lambda r: "sntryu_" + _s(r, HEX, 64), "SENTRY_AUTH_TOKEN"),
    "Sentry Org Token": (
        lambda r: (
            "sntrys_"
            + _b64(
                json.dumps(
                    {
                        "iat": r.randrange(1_700_000_000, 1_800_000_000),
                        "url": "https://sentry.io",
                        "region_url": "https://us.sentry.io",
                        "org": _s(r, string.ascii_lowercase, 8),
                    }
                ).encode()
            )
            + "_"
            + _s(r, B64, 43)
        ),
        "SENTRY_AUTH_TOKEN",
    ),
    "Dynatrace Token": (
        lambda r: "dt0c01." + _s(r, UPPER36, 24) + "." + _s(r, UPPER36, 64),
        "DT_API_TOKEN",
    ),
    "Hugging Face Token": (lambda r: "hf_" + _s(r, string.ascii_letters, 34), "HF_TOKEN"),
    "Groq API Key": (lambda r: "gsk_" + _s(r, B62, 52), "GROQ_API_KEY"),
    "Replicate API Token": (lambda r: "r8_" + _s(r, B62, 37), "REPLICATE_API_TOKEN"),
    "Perplexity API Key": (lambda r: "pplx-" + _s(r, B62, 48), "PERPLEXITY_API_KEY"),
    "xAI API Key": (lambda r: "xai-" + _s(r, B62, 80), "XAI_API_KEY"),
    "OpenRouter API Key": (lambda r: "sk-or-v1-" + _s(r, HEX, 64), "OPENROUTER_API_KEY"),
    "LangSmith API Key": (
        lambda r: r.choice(("lsv2_pt_", "lsv2_sk_")) + _s(r, HEX, 32) + "_" + _s(r, HEX, 10),
        "LANGSMITH_API_KEY",
    ),
    "Pinecone API Key": (
        lambda r: "pcsk_" + _s(r, B62, 6) + "_" + _s(r, B62, 63),
        "PINECONE_API_KEY",
    ),
    "Mistral API Key": (lambda r: _s(r, B62, 32), "MISTRAL_API_KEY"),
    "Cohere API Key": (lambda r: _s(r, B62, 40), "COHERE_API_KEY"),
    "Azure OpenAI API Key": (lambda r: _s(r, HEX, 32), "AZURE_OPENAI_API_KEY"),
    "Databricks Access Token": (lambda r: "dapi" + _s(r, HEX, 32), "DATABRICKS_TOKEN"),
    "Heroku API Key": (lambda r: "HRKU-AA" + _s(r, WORD, 58), "HEROKU_API_KEY"),
    "Heroku API Key (named)": (
        lambda r: str(uuid.UUID(bytes=r.randbytes(16), version=4)),
        "HEROKU_API_KEY",
    ),
    "Supabase Token": (lambda r: "sbp_" + _s(r, HEX, 40), "SUPABASE_ACCESS_TOKEN"),
    "Supabase Secret Key": (lambda r: "sb_secret_" + _s(r, WORD, 31), "SUPABASE_SECRET_KEY"),
    "PlanetScale Token": (
        lambda r: r.choice(("pscale_tkn_", "pscale_pw_")) + _s(r, WORD, 43),
        "PLANETSCALE_SERVICE_TOKEN",
    ),
    "Twilio Auth Token": (lambda r: _s(r, HEX, 32), "TWILIO_AUTH_TOKEN"),
    "Twilio SendGrid API Key": (
        lambda r: "SG." + _s(r, WORD, 22) + "." + _s(r, WORD, 43),
        "SENDGRID_API_KEY",
    ),
    "Mailgun API Key": (lambda r: "key-" + _s(r, LOWER36, 32), "MAILGUN_API_KEY"),
    "Mailchimp API Key": (
        lambda r: _s(r, HEX, 32) + f"-us{r.randrange(1, 22)}",
        "MAILCHIMP_API_KEY",
    ),
    "Linear API Key": (lambda r: "lin_api_" + _s(r, B62, 40), "LINEAR_API_KEY"),
    "Notion Integration Token": (
        lambda r: "ntn_" + _s(r, string.digits, 11) + _s(r, B62, 35),
        "NOTION_TOKEN",
    ),
    "Postman API Key": (
        lambda r: "PMAK-" + _s(r, HEX, 24) + "-" + _s(r, HEX, 34),
        "POSTMAN_API_KEY",
    ),
    "Doppler Token": (
        lambda r: r.choice(("dp.pt.", "dp.st.prd.", "dp.sa.")) + _s(r, B62, 43),
        "DOPPLER_TOKEN",
    ),
    "1Password Service Account Token": (
        lambda r: (
            "ops_"
            + _b64(
                json.dumps(
                    {
                        "signInAddress": "my.1password.com",
                        "userAuth": {
                            "method": "SRPg-4096",
                            "alg": "PBES2g-HS256",
                            "iterations": 650000,
                            "salt": _s(r, WORD, 22),
                        },
                        "email": _s(r, LOWER36, 12) + "@1passwordserviceaccounts.com",
                        "srpX": _s(r, HEX, 64),
                        "muk": {"alg": "A256GCM", "k": _s(r, WORD, 43)},
                        "secretKey": "A3-" + _s(r, UPPER36, 6),
                    }
                ).encode()
            )
        ),
        "OP_SERVICE_ACCOUNT_TOKEN",
    ),
    "1Password Secret Key": (
        lambda r: "A3-" + "-".join(_s(r, UPPER36, n) for n in (6, 6, 5, 5, 5, 5)),
        "OP_SECRET_KEY",
    ),
    "Cloudflare Origin CA Key": (
        lambda r: "v1.0-" + _s(r, HEX, 24) + "-" + _s(r, HEX, 146),
        "CF_ORIGIN_CA_KEY",
    ),
    "Cloudflare API Token": (lambda r: _s(r, WORD, 40), "CLOUDFLARE_API_TOKEN"),
    "DigitalOcean Token": (lambda r: "dop_v1_" + _s(r, HEX, 64), "DIGITALOCEAN_TOKEN"),
    "Alibaba Cloud AccessKey ID": (
        lambda r: "LTAI" + _s(r, B62, 20),
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
    ),
    "Tencent Cloud SecretId": (lambda r: "AKID" + _s(r, B62, 32), "TENCENTCLOUD_SECRET_ID"),
    "Cloudflare Scannable Token": (
        lambda r: r.choice(("cfk_", "cfut_", "cfat_")) + _s(r, B62, 40) + _s(r, HEX, 8),
        "CLOUDFLARE_API_TOKEN",
    ),
    "Netlify Access Token": (lambda r: "nfp_" + _s(r, B62 + "_", 36), "NETLIFY_AUTH_TOKEN"),
    "Figma Access Token": (lambda r: "figd_" + _s(r, WORD, 40), "FIGMA_TOKEN"),
    "Okta API Token": (lambda r: "00" + _s(r, WORD, 40), "OKTA_API_TOKEN"),
    "Vercel Access Token": (lambda r: _s(r, B62, 24), "VERCEL_TOKEN"),
    "MongoDB Atlas API Private Key": (
        lambda r: "-".join(_s(r, HEX, n) for n in (8, 4, 4, 4, 12)),
        "ATLAS_PRIVATE_KEY",
    ),
    "age Secret Key": (_age, "SOPS_AGE_KEY"),
    "Docker Swarm Join Token": (
        lambda r: f"SWMTKN-1-{_s(r, LOWER36, 50)}-{_s(r, LOWER36, 25)}",
        "SWARM_MANAGER_TOKEN",
    ),
    "OAuth Refresh Token": (
        lambda r: f"1//0{_s(r, WORD, 99)}",
        "GOOGLE_REFRESH_TOKEN",
    ),
    **eval_platforms.FACTORIES,
    **eval_business.FACTORIES,
    **eval_services.FACTORIES,
}

# Commands: the whole line is the example (no variable around it).
COMMANDS: dict[str, Factory] = {
    "curl Basic Auth": lambda r: (
        f"curl -fsS -u deploy:{_s(r, B62 + '!#%', 18)} https://ci.internal.acme.io/api/v1/jobs"
    ),
    "curl Authorization Header": lambda r: r.choice(
        (
            f"curl -s -H 'Authorization: Bearer {_s(r, WORD, 40)}' https://api.acme.io/v2/items",
            f'curl --header "Authorization: Basic {_b64(("svc:" + _s(r, B62, 20)).encode())}" https://registry.acme.io/v2/',
        )
    ),
}

# Where a value is written: file path and the line, given the variable and the value.
CONTEXTS: tuple[tuple[str, str, Callable[[str, str], str]], ...] = (
    (
        "python",
        "app/settings.py",
        lambda k, v: f'import os\n\n{k} = os.environ.get("{k}", "{v}")\n',
    ),
    ("yaml", "deploy/values.yaml", lambda k, v: f'env:\n  - name: {k}\n    value: "{v}"\n'),
    ("env", ".env.production", lambda k, v: f"# service credentials\n{k}={v}\nLOG_LEVEL=info\n"),
    (
        "json",
        "config/secrets.json",
        lambda k, v: json.dumps({"service": {k.lower(): v}}, indent=2) + "\n",
    ),
    (
        "shell",
        "scripts/deploy.sh",
        lambda k, v: f"#!/bin/sh\nset -eu\nexport {k}='{v}'\n./release.sh\n",
    ),
    ("dockerfile", "Dockerfile", lambda k, v: f'FROM python:3.12-slim\nENV {k}={v}\nCMD ["app"]\n'),
    (
        "terraform",
        "infra/main.tf",
        lambda k, v: f'variable "{k.lower()}" {{\n  default = "{v}"\n}}\n',
    ),
    (
        "javascript",
        "src/client.js",
        lambda k, v: f"const config = {{ {k.lower()}: `{v}`, retries: 3 }};\n",
    ),
    (
        "url",
        "docs/usage.md",
        lambda k, v: f"Call https://api.acme.io/v1/items?{k.lower()}={v}&page=2 to list.\n",
    ),
)

COMMAND_CONTEXTS: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("shell", "scripts/sync.sh", lambda c: f"#!/bin/sh\nset -eu\n{c}\n"),
    ("yaml", ".gitlab-ci.yml", lambda c: f"deploy:\n  script:\n    - {c}\n"),
    ("dockerfile", "Dockerfile", lambda c: f"FROM alpine:3.20\nRUN {c}\n"),
    ("markdown", "docs/ops.md", lambda c: f"Trigger the job:\n\n```sh\n{c}\n```\n"),
)

# False examples written by hand: the shapes people write instead of a credential, the
# documentation's own sample values (their shapes), and near misses.
HARD_FALSE: dict[str, tuple[str, ...]] = {
    "OAuth Refresh Token": (
        "refresh_token = self._refresh_token_from_cache(request)",
        'refresh_token = os.environ["REFRESH_TOKEN"]',
        '"refresh_token": "<your-refresh-token>"',
    ),
    "Docker Swarm Join Token": (
        # the join token printed in Docker's documentation
        "docker swarm join --token SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-"
        "1awxwuwd3z9j1z3puu7rcgdbx 172.17.0.2:2377",
        "docker swarm join --token ${SWARM_TOKEN} 10.0.0.5:2377",
    ),
    "curl Basic Auth": (
        "curl -u user:password https://api.example.com/",
        "curl -u $USER:$PASSWORD https://ci.acme.io/api",
        'curl -u "${API_USER}:${API_TOKEN}" https://ci.acme.io/api',
        "curl -u admin:changeme http://localhost:8080/",
        "curl -u username:<password> https://ci.acme.io/",
        "curl -u ':' --negotiate https://intranet.acme.io/",
    ),
    "curl Authorization Header": (
        "curl -H 'Authorization: Bearer $TOKEN' https://api.acme.io",
        'curl -H "Authorization: Bearer ${GITHUB_TOKEN}" https://api.github.com/user',
        "curl -H 'Authorization: Bearer <your-access-token>' https://api.acme.io",
        "curl -H 'Authorization: Bearer YOUR_API_KEY' https://api.acme.io",
        f"curl -H 'Authorization: Basic {_b64(b'user:password')}' https://api.acme.io",
        "curl -H 'Authorization: token xxxxxxxxxxxxxxxxxxxx' https://api.github.com",
    ),
    "Snyk API Token": (
        "SNYK_TOKEN=00000000-0000-0000-0000-000000000000",
        "SNYK_TOKEN=${{ secrets.SNYK_TOKEN }}",
        "build_id = 3f2b8c1e-9a4d-4e1b-8c7a-2d5e6f7a8b9c",
    ),
    "Datadog API Key": (
        "DD_API_KEY=<DATADOG_API_KEY>",
        "DD_API_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "DD_SITE=datadoghq.com  # set DD_API_KEY in the vault",
        "commit = 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    ),
    "SonarCloud Token": (
        "sonar.login=admin",
        "SONAR_TOKEN=${{ secrets.SONAR_TOKEN }}",
        "sonar.projectKey=acme_api-0123456789abcdef0123456789abcdef01234567",
    ),
    "Discord Bot Secret": (
        "DISCORD_BOT_TOKEN=your-bot-token-here",
        "# discord: MTIzNDU2Nzg5MDEyMzQ1Njc4.XXXXXX.XXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "discord_token = 'aGVsbG8gd29ybGQgaGVsbG8.abcdef.ghijklmnopqrstuvwxyzABCDEFG'",
    ),
    "Telegram Bot API Token": (
        "TELEGRAM_BOT_TOKEN=123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
        "TELEGRAM_BOT_TOKEN=1234567890:AAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "time=12345678:AAAA",
    ),
    "Twilio Auth Token": (
        "TWILIO_AUTH_TOKEN=your_auth_token",
        "TWILIO_AUTH_TOKEN=[AuthToken]",
        "twilio_auth_token = os.environ['TWILIO_AUTH_TOKEN']",
    ),
    "Cloudflare API Token": (
        "CLOUDFLARE_API_TOKEN=${CLOUDFLARE_API_TOKEN}",
        "CLOUDFLARE_API_TOKEN=your_cloudflare_api_token_goes_here_ok",
    ),
    "Heroku API Key (named)": (
        "HEROKU_API_KEY=01234567-89ab-cdef-0123-456789abcdef",
        "HEROKU_API_KEY=$(heroku auth:token)",
    ),
    "Mailchimp API Key": (
        "MAILCHIMP_API_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-us6",
        "server: 0123456789abcdef0123456789abcdef-us1",
    ),
    "Mailgun API Key": (
        "MAILGUN_API_KEY=key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "id: key-0123456789abcdef0123456789abcdef",
    ),
    "New Relic License Key": (
        "license_key: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxNRAL",
        "license_key: <YOUR_LICENSE_KEY>NRAL",
    ),
    "Azure DevOps Personal Access Token": (
        "token: " + "A" * 76 + "AZDO" + "AAAA",
        "the AZDO signature marks new PATs",
    ),
    "Terraform Cloud API Token": (
        'token = "' + "x" * 14 + ".atlasv1." + "x" * 67 + '"',
        'credentials "app.terraform.io" { token = "${TFC_TOKEN}" }',
    ),
    **eval_platforms.HARD_FALSE,
    **eval_business.HARD_FALSE,
    **eval_services.HARD_FALSE,
}

# Values that are no credential at all, in the files they come from: no detector may fire.
rng0 = random.Random("no-credential")
_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng0.randbytes(300)
# Binary with runs of zero bytes (what images and fonts hold): base64 full of "AAAA".
_FONT = b"".join(
    rng0.randbytes(rng0.randrange(1, 24)) + b"\0" * rng0.randrange(0, 9) for _ in range(6000)
)
NOT_SECRETS: tuple[tuple[str, str], ...] = (
    ("requirements.txt", f"requests==2.32.3 --hash=sha256:{hashlib.sha256(b'r').hexdigest()}\n"),
    (
        "package-lock.json",
        json.dumps({"integrity": "sha512-" + _b64(hashlib.sha512(b"x").digest())}) + "\n",
    ),
    ("go.sum", f"golang.org/x/net v0.30.0 h1:{_b64(hashlib.sha256(b'n').digest())}\n"),
    ("app/ids.py", f'REQUEST_ID = "{uuid.UUID(int=rng0.getrandbits(128), version=4)}"\n'),
    ("CHANGES.md", f"Fixed in {hashlib.sha1(b'c').hexdigest()} (see #1234)\n"),
    ("web/logo.css", f".logo {{ background: url(data:image/png;base64,{_b64(_PNG)}); }}\n"),
    ("tests/fixtures/avatar.json", json.dumps({"png": _b64(_PNG)}) + "\n"),
    (
        "docs/install.md",
        "export GITHUB_TOKEN=<your-github-token>\n"
        "npm config set //registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    ),
    (
        "README.md",
        "Set `OPENAI_API_KEY=sk-...` and `ANTHROPIC_API_KEY=sk-ant-...` before running.\n",
    ),
    (
        "config/example.env",
        "STRIPE_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\nHF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
    ),
    (
        "src/checksum.py",
        f'EXPECTED_MD5 = "{hashlib.md5(b"m").hexdigest()}"\n'
        f'EXPECTED_SHA1 = "{hashlib.sha1(b"m").hexdigest()}"\n',
    ),
    ("Dockerfile", f"FROM python@sha256:{hashlib.sha256(b'img').hexdigest()}\n"),
    ("src/tokens.ts", "const PREFIXES = ['ghp_', 'npm_', 'glpat-', 'xoxb-', 'sk_live_', 'hf_'];\n"),
    ("src/colors.scss", "$brand: #1f2937; $accent: #f59e0b;\n"),
    ("docs/keys.md", "A PyPI token starts with `pypi-AgEIcHlwaS5vcmc` followed by the macaroon.\n"),
    (
        "deploy/k8s.yaml",
        "apiVersion: v1\nkind: Secret\ndata:\n  username: YWRtaW4=\n  password: cGFzc3dvcmQ=\n",
    ),
    ("web/font.css", f"@font-face {{ src: url(data:font/woff2;base64,{_b64(_FONT)}); }}\n"),
    (
        "web/font.js",
        "".join(f'  "{_b64(_FONT[i : i + 3000])}",\n' for i in range(0, len(_FONT), 3000)),
    ),
    (
        "src/hashes.txt",
        "".join(f"{hashlib.sha256(str(i).encode()).hexdigest()}  file{i}\n" for i in range(2000)),
    ),
    (
        "src/ids.txt",
        "".join(f"{uuid.UUID(int=rng0.getrandbits(128), version=4)}\n" for i in range(2000)),
    ),
    (
        "src/names.py",
        "npm_config_registry = hf_hub_download(gsk_config, key_value_store)\n"
        "sk_learn = 'pplx-api'\n",
    ),
    (
        "tests/test_tokens.py",
        'TOKEN = "ghp_" + "a" * 36\nFAKE = "npm_" + "0" * 36\nKEY = "sk-ant-api03-" + "x" * 93\n',
    ),
    ("Gemfile.yml", "rubygems_api_key: <%= ENV['RUBYGEMS_API_KEY'] %>\n"),
    (
        "docs/slack.md",
        "A bot token looks like `xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy`.\n",
    ),
    ("docs/github.md", "Example: `ghp_16C7e42F292c6912E7710c838347Ae178B4a`\n"),
    (
        "docs/discord.md",
        "DISCORD_TOKEN=MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs\n",
    ),
    ("docs/mailgun.md", "api_key = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0'\n"),
    ("src/oauth_client.py", 'headers = {"Authorization": "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW"}\n'),
    (
        "src/http_auth.py",
        'request.headers["Authorization"] = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="\n',
    ),
    ("docs/databricks.md", "export DATABRICKS_TOKEN=dapi1234567890ab1cde2f3ab456c7d89efa\n"),
    (
        "scripts/ci.sh",
        'curl -fsSL https://get.acme.io/install.sh | sh\ncurl -u "$CI_USER:$CI_TOKEN" $URL\n',
    ),
)


def _prefix(detector: str, value: str) -> str:
    """The literal part of a prefixed value (what stays when the body is replaced)."""
    for sep in ("_", "-", "."):
        head, found, _ = value.rpartition(sep)
        if found and len(head) <= 24 and detector not in _NO_PREFIX:
            return head + sep
    return ""


_NO_PREFIX = frozenset(
    (
        "Datadog API Key",
        "SonarCloud Token",
        "Snyk API Token",
        "Twilio Auth Token",
        "Cloudflare API Token",
        "Heroku API Key (named)",
        "Azure DevOps Personal Access Token",
        "New Relic License Key",
        "Mailchimp API Key",
        "Terraform Cloud API Token",
        "Discord Bot Secret",
        "Telegram Bot API Token",
        "AWS Access Key ID",
        "Mistral API Key",
        "Cohere API Key",
        "Azure OpenAI API Key",
        "Okta API Token",
        "Vercel Access Token",
        "MongoDB Atlas API Private Key",
        "Alibaba Cloud AccessKey ID",
        "Tencent Cloud SecretId",
        "Cloudflare Scannable Token",
        *eval_business.NO_PREFIX,
        *eval_services.NO_PREFIX,
    )
)


def _impossible(detector: str, value: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    """Near misses made from a true value: the prefix with a placeholder body, the body of
    repeated characters, and (for formats with a checksum) one character changed."""
    prefix = _prefix(detector, value) or value[:4]
    body = value[len(prefix) :]
    yield "placeholder", prefix + "X" * len(body)
    yield "your-token", prefix + "<your-token-here>"
    yield "template", prefix + "${TOKEN}"
    yield "repeated", prefix + ("0" * len(body) if body.isdigit() else body[:1] * len(body))
    if detector in _CHECKSUMMED:
        # PyPI: a macaroon has no checksum; the byte after the location is the identifier
        # field's type (2): another type is an impossible structure.
        at = len(value) - 3 if detector != "PyPI API Token" else 20
        swap = "B" if value[at] != "B" else "C"
        if detector == "age Secret Key":
            swap = "Q" if value[at] != "Q" else "P"
        yield (
            "bad checksum" if detector != "PyPI API Token" else "bad structure",
            value[:at] + swap + value[at + 1 :],
        )


_CHECKSUMMED = frozenset(
    ("GitHub Classic Token", "npm Access Token", "age Secret Key", "PyPI API Token")
)


def line_examples() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """One-line true and false examples of the generated detectors, for the detector table's
    meta-test (detector_examples.EXAMPLES): two assignments, and the near misses."""
    out: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for name, (factory, var) in FACTORIES.items():
        rng = random.Random(name + "/lines")
        trues = tuple(f"{var}={factory(rng)}" for _ in range(2))
        falses = tuple(f"{var}={bad}" for _, bad in _impossible(name, factory(rng), rng))
        out[name] = (trues, falses + HARD_FALSE.get(name, ()))
    for name, command in COMMANDS.items():
        rng = random.Random(name + "/lines")
        out[name] = (tuple(command(rng) for _ in range(2)), HARD_FALSE[name])
    out.update(_decoder_lines())
    return out


def _token(name: str, seed: str) -> str:
    return FACTORIES[name][0](random.Random(name + seed))


def _decoder_lines() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """The encoded-value rows: lines whose decoded value holds a token (found, under the
    token's detector, with the decoder listed), and encoded values the decoder refuses."""
    jwt, key = _token("Signed JWT", "/b64"), _token("AWS Access Key ID", "/b64")
    github, npm = _token("GitHub Classic Token", "/u"), _token("npm Access Token", "/u")
    hook = _token("Slack Webhook URL", "/url")
    password = _s(random.Random("url-password"), B62, 16)
    escaped = github.replace("_", "\\u005f")
    dd_key, cf_token = _token("Datadog API Key", "/pair"), _token("Cloudflare API Token", "/pair")
    return {
        "Base64-encoded Value": (
            (
                f"  token: {_b64(jwt.encode())}",
                f"  aws_key: {_b64(key.encode())}",
                f'"auth": "{_b64(("ci:" + npm).encode())}"',
            ),
            (
                f"  logo: {_b64(_PNG)}",
                f"  blob: {_b64(zlib.compress(b'x' * 400))}",
                "  token: ZXlK",
            ),
        ),
        "Unicode-escaped Value": (
            (
                f'{{"token": "{escaped}"}}',
                f'"dsn": "postgres\\u003a\\/\\/app\\u003a{password}\\u0040db.internal\\/prod"',
            ),
            ('"title": "caf\\u00e9 au lait, s\\u00fcr"', '"sep": "\\u002d"'),
        ),
        "Name/Value Pair": (
            (
                f"  - name: DD_API_KEY\n    value: {dd_key}",
                f'- name: "CLOUDFLARE_API_TOKEN"\n  value: "{cf_token}"',
                f'variable "dd_api_key" {{\n  default = "{dd_key}"',
            ),
            (
                "  - name: LOG_LEVEL\n    value: debug",
                "  name: web  # dd_api_key comes from the vault",
                'variable "region" {\n  default = "eu-west-1"',
            ),
        ),
        "URL-encoded Value": (
            (
                f"DATABASE_URL=postgres%3A%2F%2Fapp%3A{password}%40db.internal%2Fprod",
                "next=" + hook.replace(":", "%3A").replace("/", "%2F"),
            ),
            ("q=hello%20world%21%20and%20more%20words", "path=%2Fhome%2Fuser%2Fdocuments%2Freport"),
        ),
    }


def generate() -> list[Example]:
    """The whole corpus, the same on every run."""
    from tests.connectors.git.secrets.detector_examples import EXAMPLES

    out: list[Example] = []
    for name, (factory, var) in FACTORIES.items():
        rng = random.Random(name)
        family = FAMILY.get(name, "other")
        for why, path, context in CONTEXTS:
            out.append(Example(name, family, path, context(var, factory(rng)), True, why))
        for why, bad in _impossible(name, factory(rng), rng):
            text = f"{var}={bad}\n"
            out.append(Example(name, family, ".env.sample", text, False, why))
    for name, command in COMMANDS.items():
        rng = random.Random(name)
        for why, path, context in COMMAND_CONTEXTS:
            out.append(Example(name, "commands", path, context(command(rng)), True, why))
    for name, lines in HARD_FALSE.items():
        family = FAMILY.get(name, "commands" if name in COMMANDS else "other")
        for line in lines:
            out.append(Example(name, family, "scripts/notes.sh", line + "\n", False, "hard"))
    for name, (trues, falses) in EXAMPLES.items():
        if name in FACTORIES or name in COMMANDS:
            continue  # their line examples are drawn from the same factories
        family = FAMILY.get(name, "other")
        for line in trues:
            out.append(Example(name, family, "config.txt", line + "\n", True, "table"))
        for line in falses:
            out.append(Example(name, family, "config.txt", line + "\n", False, "table"))
    for path, text in NOT_SECRETS:
        out.append(Example("", "not a credential", path, text, False, "no credential"))
    out.extend(_decoded_examples())
    return out


_DECODED_SAMPLE = (
    "AWS Access Key ID",
    "GitHub Classic Token",
    "Slack API Token",
    "npm Access Token",
    "Signed JWT",
    "Stripe Live Secret Key",
    "Hugging Face Token",
    "Docker Hub Access Token",
)


def _k8s_secret(values: dict[str, str]) -> str:
    data = "".join(f"  {k}: {_b64(v.encode())}\n" for k, v in values.items())
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n{data}"


def _decoded_examples() -> Iterator[Example]:
    """Tokens inside encoded values (Kubernetes Secrets, base64 in env files, registry
    credentials, ``\\u`` escapes) and what must stay quiet: base64 of base64 (decoded once),
    base64 of placeholders, a large blob."""
    family = "decoded"
    for name in _DECODED_SAMPLE:
        token = _token(name, "/decoded")
        yield Example(
            name, family, "k8s/secret.yaml", _k8s_secret({"token": token}), True, "k8s data"
        )
        yield Example(
            name, family, ".env", f"TOKEN_B64={_b64(token.encode())}\n", True, "env base64"
        )
        escaped = token[:3] + f"\\u{ord(token[3]):04x}" + token[4:]
        yield Example(
            name, family, "web/config.json", f'{{"token": "{escaped}"}}\n', True, "unicode"
        )
        double = _b64(_b64(token.encode()).encode())
        yield Example(
            "", family, "k8s/double.yaml", f"data:\n  token: {double}\n", False, "base64 of base64"
        )
    ghp = _token("GitHub Classic Token", "/docker")
    auths = {
        "auths": {
            "ghcr.io": {"username": "bot", "password": ghp, "auth": _b64(f"bot:{ghp}".encode())}
        }
    }
    yield Example(
        "GitHub Classic Token",
        family,
        "k8s/pull.yaml",
        _k8s_secret({".dockerconfigjson": json.dumps(auths)}),
        True,
        "dockerconfigjson",
    )
    yield Example(
        "GitHub Classic Token",
        family,
        ".docker/config.json",
        json.dumps({"auths": {"ghcr.io": {"auth": _b64(f"bot:{ghp}".encode())}}}) + "\n",
        True,
        "docker auth",
    )
    password = _s(random.Random("registry"), B62, 20)
    yield Example(
        "Container Registry Auth",
        family,
        ".docker/config.json",
        json.dumps({"auths": {"registry.acme.io": {"auth": _b64(f"ci:{password}".encode())}}})
        + "\n",
        True,
        "docker auth",
    )
    body = _s(random.Random("tls.key"), B64, 64 * 12)
    pem = "\n".join(
        ["-----BEGIN PRIVATE KEY-----", "MIIE" + body[4:64]]
        + [body[i : i + 64] for i in range(64, len(body), 64)]
        + ["-----END PRIVATE KEY-----", ""]
    )
    yield Example(
        "PEM Private Key", family, "k8s/tls.yaml", _k8s_secret({"tls.key": pem}), True, "k8s tls"
    )
    yield Example(
        "PEM Private Key",
        family,
        "kubeconfig",
        f"users:\n- name: ci\n  user:\n    client-key-data: {_b64(pem.encode())}\n",
        True,
        "kubeconfig",
    )
    yield Example(
        "",
        family,
        "k8s/dev.yaml",
        _k8s_secret({"password": "changeme", "token": "ghp_" + "X" * 36, "user": "admin"}),
        False,
        "placeholders",
    )
    yield Example(
        "",
        family,
        ".docker/config.json",
        json.dumps({"auths": {"registry.local": {"auth": _b64(b"user:password")}}}) + "\n",
        False,
        "docker placeholder",
    )
    rng = random.Random("blob")
    blob = _b64(" ".join(_s(rng, string.ascii_lowercase, 7) for _ in range(40_000)).encode())
    yield Example("", family, "assets/words.txt", f"WORDS={blob}\n", False, "large blob")


FAMILY: dict[str, str] = {
    **dict.fromkeys(
        (
            "AWS Access Key ID",
            "AWS Secret Access Key",
            "AWS Session Token",
            "GCP Service Account Key",
            "GCP API Key",
            "Azure Client Secret",
            "Azure Storage Connection String",
            "Azure SAS Token",
            "Azure Service Bus Connection String",
            "Azure IoT Hub Connection String",
            "Azure SignalR Connection String",
            "Azure App Configuration Connection String",
            "AWS Bedrock API Key",
            "AWS Bedrock Short-term API Key",
            "GCP OAuth Client Secret",
            "Azure DevOps Personal Access Token",
            "Azure Cosmos DB Connection String",
            "DigitalOcean Token",
            "Alibaba Cloud AccessKey ID",
            "Tencent Cloud SecretId",
        ),
        "cloud",
    ),
    **dict.fromkeys(
        (
            "GitHub Classic Token",
            "GitHub Fine-grained Token",
            "GitLab Personal Access Token",
            "GitLab Service Token",
            "Bitbucket App Password",
            "Atlassian API Token",
            "CircleCI API Token",
            "Buildkite API Token",
            "SonarQube Token",
            "SonarCloud Token",
            "Snyk API Token",
            "Terraform Cloud API Token",
            "Pulumi Access Token",
        ),
        "forges and CI",
    ),
    **dict.fromkeys(
        (
            "npm Access Token",
            "PyPI API Token",
            "RubyGems API Key",
            "NuGet API Key",
            "Docker Hub Access Token",
            "Container Registry Auth",
            "Docker Swarm Join Token",
        ),
        "package registries",
    ),
    **dict.fromkeys(
        (
            "Slack API Token",
            "Slack App Token",
            "Slack Webhook URL",
            "Slack Rotating Token",
            "Discord Bot Secret",
            "Telegram Bot API Token",
        ),
        "chat",
    ),
    **dict.fromkeys(
        (
            "Stripe Live Secret Key",
            "Stripe Webhook Secret",
            "Square Access Token",
            "Square Application Secret",
            "Shopify Access Token",
        ),
        "payment",
    ),
    **dict.fromkeys(
        (
            "Datadog API Key",
            "New Relic API Key",
            "New Relic License Key",
            "Grafana Service Account Token",
            "Grafana Cloud Token",
            "Sentry User Token",
            "Sentry Org Token",
            "Dynatrace Token",
        ),
        "observability",
    ),
    **dict.fromkeys(
        (
            "OpenAI API Key",
            "Anthropic API Key",
            "Hugging Face Token",
            "Groq API Key",
            "Replicate API Token",
            "Perplexity API Key",
            "xAI API Key",
            "OpenRouter API Key",
            "LangSmith API Key",
            "Pinecone API Key",
            "Mistral API Key",
            "Cohere API Key",
            "Azure OpenAI API Key",
        ),
        "AI APIs",
    ),
    **dict.fromkeys(
        (
            "Database URL Password",
            "JDBC Password Property",
            "XML Password Element",
            "Databricks Access Token",
            "Heroku API Key",
            "Heroku API Key (named)",
            "Supabase Token",
            "Supabase Secret Key",
            "PlanetScale Token",
            "Twilio Auth Token",
            "Twilio SendGrid API Key",
            "Mailgun API Key",
            "Mailchimp API Key",
            "Linear API Key",
            "Notion Integration Token",
            "Postman API Key",
            "Cloudflare Origin CA Key",
            "Cloudflare API Token",
            "Cloudflare Scannable Token",
            "Netlify Access Token",
            "Figma Access Token",
            "Okta API Token",
            "Vercel Access Token",
            "MongoDB Atlas API Private Key",
        ),
        "databases and SaaS",
    ),
    **dict.fromkeys(
        (
            "HashiCorp Vault Token",
            "Doppler Token",
            "1Password Service Account Token",
            "1Password Secret Key",
            "age Secret Key",
            "PEM Private Key",
            "PGP Private Key Block",
            "Signed JWT",
            "OAuth Refresh Token",
        ),
        "secret managers and keys",
    ),
    **dict.fromkeys(
        ("curl Basic Auth", "curl Authorization Header", "HTTP Authorization Header"), "commands"
    ),
    **dict.fromkeys(
        ("Base64-encoded Value", "Unicode-escaped Value", "URL-encoded Value", "Name/Value Pair"),
        "decoded",
    ),
    **eval_platforms.FAMILY,
    **eval_business.FAMILY,
    **eval_services.FAMILY,
}
