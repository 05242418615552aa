"""A corpus of secret shapes (each must be masked) and look-alikes (each must stay as it is).

Keys are generated from a seeded random source at import, in the providers' real shapes,
so none is a real credential and none sits in the source as one string.
"""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass

_rng = random.Random(20240909)
ALNUM = string.ascii_letters + string.digits
LOWER_HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


def tok(n: int, alphabet: str = ALNUM) -> str:
    while True:
        value = "".join(_rng.choice(alphabet) for _ in range(n))
        # every shape mixes cases and digits, as real keys do
        if alphabet != ALNUM or (any(c.isdigit() for c in value)
                                 and any(c.isupper() for c in value)
                                 and any(c.islower() for c in value)):
            return value


@dataclass(frozen=True)
class Secret:
    name: str
    text: str
    secret: str
    """The part that must not survive masking."""
    keep: str = ""
    """A part that must survive (the key name, the URL's host)."""


def _pem(label: str, escaped: bool = False) -> tuple[str, str]:
    body = "\n".join(tok(64, B64) for _ in range(4))
    nl = "\\n" if escaped else "\n"
    text = f"-----BEGIN {label}-----{nl}{body.replace(chr(10), nl)}{nl}-----END {label}-----"
    return text, body.splitlines()[1]


def _jwt() -> str:
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    body = base64.urlsafe_b64encode(b'{"sub":"1234567890","name":"Ann"}').decode().rstrip("=")
    return f"{head}.{body}.{tok(43, URLSAFE)}"


AWS_ID = "AKIA" + tok(16, string.ascii_uppercase + string.digits)
AWS_SECRET = tok(40, B64)
AWS_SESSION = tok(356, B64)
GH_PAT = "github_pat_" + tok(22) + "_" + tok(59)
GH_CLASSIC = "ghp_" + tok(36)
GITLAB = "glpat-" + tok(20, URLSAFE)
SLACK_BOT = "xoxb-" + tok(12, string.digits) + "-" + tok(13, string.digits) + "-" + tok(24)
SLACK_HOOK_PATH = "T" + tok(8, string.ascii_uppercase + string.digits) + "/B" + tok(
    10, string.ascii_uppercase + string.digits) + "/" + tok(24)
STRIPE = "sk_live_" + tok(24)
STRIPE_RK = "rk_live_" + tok(24)
TWILIO_SK = "SK" + tok(32, LOWER_HEX)
SENDGRID = "SG." + tok(22, URLSAFE) + "." + tok(43, URLSAFE)
NPM = "npm_" + tok(36)
PYPI = "pypi-AgEIcHlwaS5vcmc" + tok(70, URLSAFE)
JWT = _jwt()
AZURE_KEY = tok(86, B64) + "=="
AZURE_SIG = tok(43, B64).replace("+", "%2B").replace("/", "%2F") + "%3D"
GOOGLE = "AIza" + tok(35, URLSAFE)
HF = "hf_" + tok(34)
ANTHROPIC = "sk-ant-api03-" + tok(93, URLSAFE) + "AA"
OPENAI_PROJ = "sk-proj-" + tok(74, URLSAFE) + "T3BlbkFJ" + tok(74, URLSAFE)
OPENAI_LEGACY = "sk-" + tok(20) + "T3BlbkFJ" + tok(20)
DEEPSEEK = "sk-" + tok(32, LOWER_HEX)
DOCKER_AUTH = base64.b64encode(b"robot:" + tok(24).encode()).decode()
BASIC = base64.b64encode(b"alice:" + tok(12).encode()).decode()
BEARER = tok(40, URLSAFE)
PEM_RSA, PEM_RSA_LINE = _pem("RSA PRIVATE KEY")
PEM_EC, PEM_EC_LINE = _pem("EC PRIVATE KEY")
PEM_PLAIN, PEM_PLAIN_LINE = _pem("PRIVATE KEY")
PEM_OPENSSH, PEM_OPENSSH_LINE = _pem("OPENSSH PRIVATE KEY")
PEM_JSON, PEM_JSON_LINE = _pem("PRIVATE KEY", escaped=True)
PEM_ENC, PEM_ENC_LINE = _pem("ENCRYPTED PRIVATE KEY")
PGP, PGP_LINE = _pem("PGP PRIVATE KEY BLOCK")
PW1, PW2, PW3, PW4 = tok(14), tok(10) + "!#", tok(12), tok(16)
DISCORD_HOOK = tok(68, URLSAFE)
DO_TOKEN = "dop_v1_" + tok(64, LOWER_HEX)
SHOPIFY = "shpat_" + tok(32, LOWER_HEX)
MAILCHIMP = tok(32, LOWER_HEX) + "-us14"
TELEGRAM = tok(10, string.digits) + ":" + tok(35, URLSAFE)
AZURE_AD = tok(3) + "8Q~" + tok(34, URLSAFE)
GCP_OAUTH = "GOCSPX-" + tok(28, URLSAFE)
DATABRICKS = "dapi" + tok(32, LOWER_HEX)
HEX_SECRET = tok(64, LOWER_HEX)
UUID_KEY = "8f14e45f-ceea-467f-a9f5-0c9d2a8b7e61"

SECRETS: list[Secret] = [
    Secret("aws access key id", f"aws_access_key_id = {AWS_ID}", AWS_ID, "aws_access_key_id"),
    Secret("aws secret in credentials file", f"aws_secret_access_key = {AWS_SECRET}",
           AWS_SECRET, "aws_secret_access_key"),
    Secret("aws secret env", f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}", AWS_SECRET),
    Secret("aws session token env", f"export AWS_SESSION_TOKEN={AWS_SESSION}", AWS_SESSION,
           "AWS_SESSION_TOKEN"),
    Secret("aws secret in python", f'client = boto3.client("s3", aws_secret_access_key='
           f'"{AWS_SECRET}")', AWS_SECRET),
    Secret("aws secret yaml", f"  aws_secret_key: {AWS_SECRET}", AWS_SECRET),
    Secret("github fine-grained pat", f"token {GH_PAT} expires soon", GH_PAT),
    Secret("github classic token", f"git clone https://x:{GH_CLASSIC}@github.com/o/r",
           GH_CLASSIC, "github.com/o/r"),
    Secret("github token bare", f"GH said: {GH_CLASSIC}", GH_CLASSIC),
    Secret("gitlab pat", f"GITLAB_TOKEN={GITLAB}", GITLAB),
    Secret("gitlab pat bare", f"use {GITLAB} for the registry", GITLAB),
    Secret("slack bot token", f"slack = WebClient({SLACK_BOT!r})", SLACK_BOT),
    Secret("slack webhook", f"curl -X POST https://hooks.slack.com/services/{SLACK_HOOK_PATH}",
           SLACK_HOOK_PATH, "hooks.slack.com"),
    Secret("stripe live key", f"stripe.api_key = '{STRIPE}'", STRIPE),
    Secret("stripe restricted key bare", f"key {STRIPE_RK} rotated", STRIPE_RK),
    Secret("twilio api key", f"TWILIO_KEY_SID {TWILIO_SK}", TWILIO_SK),
    Secret("twilio auth token env", f"TWILIO_AUTH_TOKEN={tok(32, LOWER_HEX)}", "", ""),
    Secret("sendgrid key", f"SENDGRID_API_KEY: {SENDGRID}", SENDGRID),
    Secret("sendgrid bare", f"sg {SENDGRID} sg", SENDGRID),
    Secret("npm token", f"//registry.npmjs.org/:_authToken={NPM}", NPM, "registry.npmjs.org"),
    Secret("npm token bare", f"NPM_TOKEN is {NPM}", NPM),
    Secret("npmrc legacy auth", f"_auth = {DOCKER_AUTH}", DOCKER_AUTH),
    Secret("pypi token", f"password = {PYPI}", PYPI),
    Secret("jwt bare", f"cookie session={JWT}; Path=/", JWT),
    Secret("jwt in json", f'{{"id_token": "{JWT}"}}', JWT),
    Secret("azure storage connection string",
           f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={AZURE_KEY};"
           "EndpointSuffix=core.windows.net", AZURE_KEY, "AccountName=acct"),
    Secret("azure sas url", f"https://acct.blob.core.windows.net/c/f.txt?sv=2022-11-02&ss=b"
           f"&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig={AZURE_SIG}", AZURE_SIG, "sv=2022-11-02"),
    Secret("azure ad client secret", f"client_credential = {AZURE_AD}", AZURE_AD),
    Secret("azure ad secret bare", f"value {AZURE_AD} end", AZURE_AD),
    Secret("password env", f"DB_PASSWORD={PW1}", PW1, "DB_PASSWORD"),
    Secret("password env quoted", f'POSTGRES_PASSWORD="{PW2}"', PW2),
    Secret("api key env", f"MY_SERVICE_API_KEY={PW3}", PW3, "MY_SERVICE_API_KEY"),
    Secret("token env", f"CI_DEPLOY_TOKEN={PW4}", PW4),
    Secret("password in postgres url", f"DATABASE_URL=postgres://app:{PW1}@db:5432/app", PW1,
           "db:5432/app"),
    Secret("password in redis url no user", f"redis://:{PW3}@cache:6379/0", PW3, "cache:6379"),
    Secret("password in mongodb+srv url", f"mongodb+srv://root:{PW2}@cluster0.mongodb.net/db",
           PW2, "cluster0"),
    Secret("password in amqp url", f"broker = 'amqp://guest:{PW4}@rabbit//'", PW4),
    Secret("json password", f'{{"user": "ann", "password": "{PW1}"}}', PW1, '"password"'),
    Secret("json client secret", f'"client_secret": "{PW3}",', PW3),
    Secret("yaml password", f"database:\n  password: {PW2}\n", PW2, "password:"),
    Secret("python password literal", f'password = "{PW4}"', PW4, "password ="),
    Secret("python kwarg password", f'connect(host="db", password="{PW3}")', PW3),
    Secret("js object apiKey", f"const cfg = {{ apiKey: '{PW1}' }};", PW1, "apiKey"),
    Secret("netrc one line", f"machine api.example.com login ann password {PW2}", PW2,
           "machine api.example.com"),
    Secret("netrc lines", f"machine example.org\n  login ann\n  password {PW4}\n", PW4),
    Secret("google api key", f"GOOGLE_MAPS = '{GOOGLE}'", GOOGLE),
    Secret("google api key bare", f"?key={GOOGLE}&q=x", GOOGLE),
    Secret("google oauth secret", f"{GCP_OAUTH}", GCP_OAUTH),
    Secret("hugging face token", f"huggingface-cli login --token {HF}", HF),
    Secret("hugging face bare", f"HF {HF} used", HF),
    Secret("anthropic key", f"ANTHROPIC_API_KEY={ANTHROPIC}", ANTHROPIC),
    Secret("anthropic key bare", f"key: {ANTHROPIC}", ANTHROPIC),
    Secret("openai project key", f"client = OpenAI(api_key='{OPENAI_PROJ}')", OPENAI_PROJ),
    Secret("openai legacy key", f"the key is {OPENAI_LEGACY}", OPENAI_LEGACY),
    Secret("deepseek style key", f"DEEPSEEK={DEEPSEEK}", DEEPSEEK),
    Secret("docker config auth",
           f'{{"auths": {{"ghcr.io": {{"auth": "{DOCKER_AUTH}"}}}}}}', DOCKER_AUTH, "ghcr.io"),
    Secret("authorization basic header", f"Authorization: Basic {BASIC}", BASIC,
           "Authorization: Basic"),
    Secret("authorization bearer in curl",
           f'curl -H "Authorization: Bearer {BEARER}" https://api.example.com', BEARER,
           "api.example.com"),
    Secret("bearer in python headers", f'headers = {{"Authorization": f"Bearer {BEARER}"}}',
           BEARER),
    Secret("pem rsa", f"key:\n{PEM_RSA}\n", PEM_RSA_LINE, "BEGIN RSA PRIVATE KEY"),
    Secret("pem ec", PEM_EC, PEM_EC_LINE),
    Secret("pem pkcs8", PEM_PLAIN, PEM_PLAIN_LINE),
    Secret("pem openssh", PEM_OPENSSH, PEM_OPENSSH_LINE),
    Secret("pem json escaped", f'{{"private_key": "{PEM_JSON}"}}', PEM_JSON_LINE),
    Secret("pem encrypted", PEM_ENC, PEM_ENC_LINE),
    Secret("pgp private block", PGP, PGP_LINE),
    Secret("pem cut short", PEM_RSA[:200], PEM_RSA_LINE[:20]),
    Secret("discord webhook", f"https://discord.com/api/webhooks/123456789012345678/"
           f"{DISCORD_HOOK}", DISCORD_HOOK),
    Secret("digitalocean token", f"DO {DO_TOKEN}", DO_TOKEN),
    Secret("shopify token", f"X-Shopify-Access-Token: {SHOPIFY}", SHOPIFY),
    Secret("mailchimp key", f"mc = {MAILCHIMP}", MAILCHIMP),
    Secret("telegram bot token", f"bot{TELEGRAM}/getMe", TELEGRAM),
    Secret("databricks token", f"DATABRICKS_TOKEN {DATABRICKS}", DATABRICKS),
    Secret("hex secret key", f"SECRET_KEY = '{HEX_SECRET}'", HEX_SECRET),
    Secret("uuid api key", f'HEROKU_API_KEY="{UUID_KEY}"', UUID_KEY),
    Secret("cli password flag", f"mysql --password {PW3} -h db", PW3),
    Secret("cli token flag equals", f"gh api --token={PW1} /user", PW1),
    Secret("ini secret", f"[auth]\nclient_secret = {PW2}\n", PW2),
    Secret("toml token", f'token = "{PW4}"', PW4),
    Secret("passphrase with spaces", 'passphrase = "correct horse battery staple"',
           "correct horse battery staple"),
    Secret("query string token", f"GET /hook?token={PW3}&page=2", PW3, "page=2"),
    Secret("x-api-key header", f"x-api-key: {PW1}", PW1),
    Secret("high entropy unnamed", f'STRIPE_CFG = "{tok(40)}"', "", ""),
    Secret("secret repeated bare later", f"API_TOKEN={PW2}\n...\nlogin failed for {PW2}", PW2),
]
# A secret left empty above is checked by its masked value instead: filled in here.
SECRETS = [s if s.secret else Secret(s.name, s.text, s.text.split("=", 1)[1].strip(' "'),
                                     s.text.split("=", 1)[0].strip()) for s in SECRETS]

GIT_SHA = tok(40, LOWER_HEX)
LOOKALIKES: list[tuple[str, str]] = [
    ("git sha", f"commit {GIT_SHA}\nAuthor: Ann <ann@example.com>"),
    ("short git sha", f"HEAD is now at {GIT_SHA[:7]} fix the parser"),
    ("sha in json", f'{{"sha": "{GIT_SHA}", "ref": "refs/heads/main"}}'),
    ("sha256 digest", f"sha256:{tok(64, LOWER_HEX)}"),
    ("uuid", "request id 123e4567-e89b-12d3-a456-426614174000 done"),
    ("uuid assignment", 'run_id = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"'),
    ("npm integrity", f'"integrity": "sha512-{tok(86, B64)}=="'),
    ("pip hash", f"--hash=sha256:{tok(64, LOWER_HEX)}"),
    ("ssh public key", f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{tok(43, B64)} ann@laptop"),
    ("pem public key", f"-----BEGIN PUBLIC KEY-----\n{tok(64, B64)}\n-----END PUBLIC KEY-----"),
    ("pem certificate", f"-----BEGIN CERTIFICATE-----\n{tok(64, B64)}\n-----END CERTIFICATE-----"),
    ("public_key assignment", f'public_key = "{tok(44, B64)}"'),
    ("os.environ reference", 'api_key = os.environ["OPENAI_API_KEY"]'),
    ("os.getenv reference", 'password = os.getenv("DB_PASSWORD")'),
    ("request.form reference", 'password = request.form["password"]'),
    ("github actions secret", "  token: ${{ secrets.GITHUB_TOKEN }}"),
    ("shell variable", 'curl -u "admin:$DB_PASSWORD" http://localhost'),
    ("env reference in url", "DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app"),
    ("process.env", "const apiKey = process.env.STRIPE_API_KEY;"),
    ("settings attribute", "token = settings.API_TOKEN"),
    ("kwarg variable", "client = Client(api_key=api_key, password=password)"),
    ("type annotation", "def login(username: str, password: str) -> Token:"),
    ("optional annotation", "    password: Optional[str] = None"),
    ("placeholder angle", "OPENAI_API_KEY=<your-api-key>"),
    ("placeholder xxx", "AWS_SECRET_ACCESS_KEY=xxxxxxxxxxxxxxxxxxxx"),
    ("placeholder stars", 'password: "********"'),
    ("placeholder changeme", "DB_PASSWORD=changeme"),
    ("placeholder your", 'api_key = "your_api_key_here"'),
    ("github token placeholder", "GITHUB_TOKEN=ghp_" + "x" * 36),
    ("sk slug in word", "see task-sk-" + "abcdefghijklmnopqrstuvwxyz" + " and risk-assessment"),
    ("sk slug kebab", "pip install sk-learn-compat-layer-for-python"),
    ("desk lamp", "desk-lamp-2024-edition-with-usb-charger-port"),
    ("max tokens", "max_tokens = 4096\ntoken_count: 123"),
    ("password help text", 'help="The password to use for the database connection"'),
    ("token type", '{"token_type": "bearer", "expires_in": 3600}'),
    ("password field html", '<input type="password" name="password" id="password">'),
    ("password prose", "The password must be at least 12 characters long."),
    ("basic auth prose", "Basic authentication is disabled; use Bearer tokens instead."),
    ("url without password", "https://user@example.com/path?x=1"),
    ("url with port", "http://localhost:8080/api/v1/items"),
    ("pytest output", "tests/test_auth.py::test_login_rejects_bad_password PASSED [ 50%]"),
    ("function name", "def rotate_api_key(self, key_id: int) -> None:"),
    ("secret manager name", 'secret_name = "prod/db/password"'),
    ("already masked", "DB_PASSWORD=[secret masked]"),
    ("lockfile resolved", '"resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"'),
    ("tokenizer special", 'eos_token = "</s>"'),
    ("docker image digest", f"python@sha256:{tok(64, LOWER_HEX)}"),
    ("base64 test data", 'expected = "aGVsbG8gd29ybGQ="'),
    ("css colour", "color: #1a2b3c; background: #ffffff;"),
    ("keyboard and monkey", "monkey = keyboard.press(key)"),
]
