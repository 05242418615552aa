"""The shapes of secrets: detect-secrets' provider detectors plus the shapes they lack.

Each rule names the regex group that holds the secret itself, so a key name, a URL's user
or a PEM header stays readable and only the value is masked. ``named`` rules find a value
by the name it is assigned to (``DB_PASSWORD=…``); their values are checked against
references and placeholders before masking (see :mod:`agents.secret_filters`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    group: int | str = 0
    """The group holding the secret; 0 is the whole match."""
    named: bool = False
    """The value was found by its key name: references and placeholders are let through."""
    anchors: tuple[str, ...] = ()
    """Strings one of which the text must contain for the rule to run (a quick test: most
    text has none), matched case-blind when written in lowercase; empty: run only on the
    lines that name a secret (see :data:`KEYWORDS`). The rule runs on the lines that hold
    an anchor."""
    multiline: bool = False
    """The secret may run past the anchor's line (a PEM body): scan on from the anchor."""


def _r(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


_B = r"(?<![A-Za-z0-9_])"  # a token starts at a word boundary (not inside ``risk-sk-…``)
_E = r"(?![A-Za-z0-9_])"
_PEM_LABEL = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?"
# A PEM body: base64 lines, real newlines or JSON-escaped ones, and RFC 1421 headers.
_PEM_BODY = r"(?:[A-Za-z0-9+/=\s]|\\[nr]|(?:Proc-Type|DEK-Info|Comment):[^\n\\]*)+?"

OWN_RULES: tuple[Rule, ...] = (
    Rule("pem_private_key", _r(
        rf"-----BEGIN (?P<label>{_PEM_LABEL})-----(?P<v>{_PEM_BODY})-----END (?P=label)-----"),
        "v", anchors=('-----begin ',), multiline=True),
    # A block cut short (truncated output, a stream still arriving): mask to its end.
    Rule("pem_private_key_open", _r(
        rf"-----BEGIN {_PEM_LABEL}-----(?P<v>(?:[A-Za-z0-9+/=\s]|\\[nr]"
        r"|(?:Proc-Type|DEK-Info|Comment):[^\n\\]*)++)(?!-----END)"), "v",
        anchors=('-----begin ',), multiline=True),
    Rule("putty_private_key", _r(r"Private-Lines: \d+\s*(?P<v>(?:[A-Za-z0-9+/=]+\s*)+)"), "v",
         anchors=('private-lines',),
         multiline=True),
    Rule("github_pat", _r(rf"{_B}github_pat_[A-Za-z0-9_]{{22,255}}{_E}"), anchors=('github_pat_',)),
    Rule("github_token", _r(rf"{_B}gh[pousr]_[A-Za-z0-9]{{30,255}}{_E}"),
         anchors=('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_')),
    Rule("gitlab_token", _r(rf"{_B}gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-"
                            rf"[A-Za-z0-9_-]{{20,}}{_E}"),
         anchors=('glpat-', 'gldt-', 'glft-', 'glsoat-', 'glrt-', 'glcbt-', 'glimt-', 'glptt-',
                  'glagent-', 'gloas-')),
    Rule("slack_token", _r(rf"{_B}xox[abposre]-(?:\d+-)*[A-Za-z0-9-]{{10,}}{_E}"),
         anchors=('xox',)),
    Rule("slack_app_token", _r(rf"{_B}xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{{20,}}{_E}"),
         anchors=('xapp-',)),
    Rule("slack_webhook", _r(r"https://hooks\.slack(?:-gov)?\.com/(?:services|workflows|triggers)"
                             r"/(?P<v>[A-Za-z0-9_/+-]{20,})"), "v", anchors=('hooks.slack',)),
    Rule("discord_webhook", _r(r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/"
                               r"\d+/(?P<v>[A-Za-z0-9_-]{30,})"), "v", anchors=('/api/webhooks/',)),
    Rule("aws_access_key_id", _r(rf"{_B}(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)"
                                 rf"[A-Z0-9]{{16}}{_E}"),
         anchors=('AKIA', 'ASIA', 'A3T', 'ABIA', 'ACCA')),
    Rule("aws_secret_in_assignment", _r(
        r"(?i)aws_?(?:secret_?(?:access_?)?key|session_?token|security_?token)[\"']?\s*"
        r"(?:[:=]|=>)\s*[\"']?(?P<v>[A-Za-z0-9/+=]{40,})"), "v", anchors=()),
    Rule("stripe_key", _r(rf"{_B}(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{{20,}}{_E}"),
         anchors=('k_live_', 'k_test_')),
    Rule("stripe_webhook_secret", _r(rf"{_B}whsec_[A-Za-z0-9+/=]{{24,}}"), anchors=('whsec_',)),
    Rule("google_api_key", _r(rf"{_B}AIza[0-9A-Za-z_-]{{35}}{_E}"), anchors=('aiza',)),
    Rule("google_oauth_secret", _r(rf"{_B}GOCSPX-[A-Za-z0-9_-]{{24,}}{_E}"), anchors=('gocspx-',)),
    Rule("google_oauth_token", _r(rf"{_B}ya29\.[A-Za-z0-9_-]{{30,}}"), anchors=('ya29.',)),
    Rule("huggingface_token", _r(rf"{_B}(?:hf|api_org)_[A-Za-z0-9]{{30,}}{_E}"),
         anchors=('hf_', 'api_org_')),
    Rule("anthropic_key", _r(rf"{_B}sk-ant-(?:api|admin|sid|oat)\d\d-[A-Za-z0-9_-]{{20,}}"),
         anchors=('sk-ant-',)),
    Rule("openai_project_key", _r(rf"{_B}sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{{20,}}"),
         anchors=('sk-',)),
    # Legacy OpenAI, DeepSeek, Moonshot…: checked in the filters (not a word slug).
    Rule("sk_key", _r(r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_]{20,}(?:-[A-Za-z0-9_]+)*"),
         anchors=('sk-',)),
    Rule("npm_token", _r(rf"{_B}npm_[A-Za-z0-9]{{36}}{_E}"), anchors=('npm_',)),
    Rule("npmrc_auth", _r(r"(?m)(?:_authToken|_auth|_password)\s*=\s*[\"']?(?P<v>[^\s\"'$]"
                          r"[^\s\"']{7,})"), "v", named=True, anchors=()),
    Rule("pypi_token", _r(rf"{_B}pypi-AgE[A-Za-z0-9_-]{{50,}}"), anchors=('pypi-',)),
    Rule("sendgrid_key", _r(rf"{_B}SG\.[A-Za-z0-9_-]{{16,32}}\.[A-Za-z0-9_-]{{30,50}}"),
         anchors=('sg.',)),
    # These begin with a literal and look behind afterwards: ``re`` then skips ahead fast.
    Rule("twilio_key", _r(r"[AS][CK](?<=AC|SK)(?<![A-Za-z0-9_]AC)(?<![A-Za-z0-9_]SK)"
                          r"[a-f0-9]{32}(?![A-Za-z0-9_])"), anchors=("AC", "SK")),
    Rule("telegram_bot_token", _r(r":(?<=\d{8}:)(?P<v>AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])"),
         "v", anchors=(":aa",)),
    Rule("mailchimp_key", _r(r"-us(?<=(?<![0-9a-z])(?P<v>[0-9a-f]{32})-us)\d{1,2}(?!\w)"), "v",
         anchors=("-us",)),
    Rule("digitalocean_token", _r(rf"{_B}do[por]_v1_[a-f0-9]{{64}}{_E}"), anchors=('_v1_',)),
    Rule("shopify_token", _r(rf"{_B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{{32}}{_E}"), anchors=('shp',)),
    Rule("doppler_token", _r(rf"{_B}dp\.(?:pt|st|sa|ct)\.[A-Za-z0-9]{{40,}}"), anchors=('dp.',)),
    Rule("databricks_token", _r(rf"{_B}dapi[a-f0-9]{{32}}(?:-\d)?{_E}"), anchors=('dapi',)),
    Rule("jwt", _r(rf"{_B}eyJ[A-Za-z0-9_-]{{8,}}\.eyJ[A-Za-z0-9_-]{{8,}}\.[A-Za-z0-9_-]*"),
         anchors=('eyj',)),
    Rule("azure_account_key", _r(
        r"(?i)(?:AccountKey|SharedAccessKey|SharedSecret|SharedAccessSignature|AccessKey)"
        r"\s*=\s*(?P<v>[A-Za-z0-9+/]{20,}={0,2})"), "v", anchors=('key=', 'secret=', 'signature=')),
    Rule("azure_sas_signature", _r(r"(?i)[?&;]sig=(?P<v>[A-Za-z0-9%+/=]{20,})"), "v",
         anchors=('sig=',)),
    Rule("azure_client_secret", _r(rf"{_B}[A-Za-z0-9_~.-]{{3}}\dQ~[A-Za-z0-9_~.-]{{31,34}}{_E}"),
         anchors=('q~',)),
    # scheme://user:password@host (user may be empty: redis://:pw@host)
    Rule("url_password", _r(r"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@\"'<>]*:"
                            r"(?P<v>[^\s@/\"'<>]{3,200})@[^\s@/\"'<>:]"), "v", named=True,
         anchors=('://',)),
    Rule("authorization_header", _r(
        r"(?i)\b(?:proxy-)?authorization\s*[\"']?\s*[:=]\s*[\"']?\s*"
        r"(?:basic|bearer|token|digest|apikey|sso-key)?\s*(?P<v>[A-Za-z0-9._~+/=:-]{8,})"),
        "v", named=True, anchors=('authorization',)),
    Rule("bearer_token", _r(r"(?i)\bbearer\s+(?P<v>[A-Za-z0-9._~+/-]{20,}=*)"), "v", named=True,
         anchors=('bearer',)),
    Rule("basic_credentials", _r(r"\bBasic\s+(?P<v>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])"),
         "v", named=True, anchors=('basic ',)),
    Rule("docker_auth", _r(r"\"(?:auth|identitytoken|registrytoken)\"\s*:\s*"
                           r"\"(?P<v>[A-Za-z0-9+/=._-]{8,})\""), "v", named=True,
         anchors=('"auth"', 'token"')),
    Rule("netrc_password", _r(r"(?im)^[ \t]*(?:machine|default)\b[^\n]*?\bpassword[ \t]+"
                              r"(?P<v>\S+)"), "v", named=True, anchors=('machine',)),
    Rule("netrc_password_line", _r(r"(?im)^[ \t]*password[ \t]+(?P<v>\S+)[ \t]*$"), "v",
         named=True, anchors=()),
    Rule("cli_secret_flag", _r(r"(?i)(?<![\w-])--(?:[a-z0-9]+-)*(?:password|passwd|token|secret"
                               r"|api-key|access-key|auth-token)[ \t]+(?P<v>[^\s-]\S{3,})"),
         "v", named=True, anchors=()),
)

# key <sep> value, where the key ends in a secret word: the key is checked in Python.
ASSIGNMENT = _r(
    r"(?<![\w.$])(?P<key>-{0,2}(?=[\w.-]{0,80}?(?i:pass|pwd|secret|token|key|auth|cred|sig))"
    r"[A-Za-z_][\w.-]{0,80})(?P<close>[\"'`\]]{0,2})"
    r"(?P<sp1>[ \t]*)(?P<sep>:=|=>|===?|!==?|=|:|->)(?P<sp2>[ \t]*)"
    r"(?:(?P<q>[\"'`])(?P<qv>[^\"'`\n]{1,1000}?)(?<!\\)(?P=q)"
    r"|(?P<uv>[^\s\"'`,;&)\]}<>]{1,1000}))")

# Quoted or bare long tokens in an assignment to a name that is not secret-like: their
# entropy decides.
ENTROPY_CANDIDATE = _r(
    r"(?<![\w.$])(?P<key>[A-Za-z_][\w.-]{0,80})[\"'\]]{0,2}[ \t]*(?::=|=>|=|:)[ \t]*"
    r"(?:(?P<q>[\"'])(?P<qv>[A-Za-z0-9+/=_-]{24,1000})(?P=q)"
    r"|(?P<uv>[A-Za-z0-9+/=_-]{24,1000})(?![^\s,;]))")

# Lines holding one of these (lowercased) are the only ones where a value can be found
# by its name.
KEYWORDS = ("pass", "pwd", "secret", "token", "key", "auth", "cred", "sig", "contrase")

# A long token in quotes or after ``=``: a candidate for the entropy test.
LONG_TOKEN = _r(r"[\"'=:][ \t]*[A-Za-z0-9+/=_-]{24,}")

# detect-secrets detectors whose regexes serve as they are. Left out: public IPs and
# Artifactory's two-letter prefix (not secrets); Cloudant, IBM and SoftLayer, whose
# optional prefixes make them match any ``key = "…"`` (the assignment rule covers those);
# Twilio, Telegram and Mailchimp, whose
# regexes start with a character class and cost ~100 µs/KB on every text (the rules
# above find the same keys, starting from a literal).
# Each with its anchors (see Rule.anchors; empty: the lines that name a secret).
_DS_DETECTORS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("aws", "AWSKeyDetector", ("AKIA", "ASIA", "A3T", "ABIA", "ACCA", "aws")),
    ("azure_storage_key", "AzureStorageKeyDetector", ("accountkey=",)),
    ("basic_auth", "BasicAuthDetector", ("://",)),
    ("discord", "DiscordBotTokenDetector", (".",)),
    ("github_token", "GitHubTokenDetector", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    ("gitlab_token", "GitLabTokenDetector", ("glpat-", "gldt-", "glft-", "glsoat-", "glrt-",
                                             "gr1348941", "glcbt-", "glimt-", "glptt-",
                                             "glagent-", "gloas-")),
    ("jwt", "JwtTokenDetector", ("eyj",)),
    ("npm", "NpmDetector", ("_authtoken",)),
    ("openai", "OpenAIDetector", ("t3blbkfj",)),
    ("pypi_token", "PypiTokenDetector", ("pypi-",)),
    ("sendgrid", "SendGridDetector", ("sg.",)),
    ("slack", "SlackDetector", ("xox",)),
    ("square_oauth", "SquareOAuthDetector", ("sq0csp-",)),
    ("stripe", "StripeDetector", ("k_live_",)),
)
# Detectors whose regex group is a value found by a key name; in the others a group is
# only a prefix alternation (``(ghp|gho)_…``) and the whole match is the secret.
_DS_NAMED = frozenset({"BasicAuthDetector", "CloudantDetector", "IbmCloudIamDetector",
                       "IbmCosHmacDetector", "SoftlayerDetector", "AWSKeyDetector",
                       "NpmDetector"})

# Covered above with the URL's host kept readable.
_DS_SKIP = (r"https://hooks\.slack\.com",)


@lru_cache(maxsize=1)
def detect_secrets_rules() -> tuple[Rule, ...]:
    """detect-secrets' provider regexes as rules (imported on first use: the package pulls
    in ``requests``, about 0.2 s)."""
    import importlib

    rules: list[Rule] = []
    for module, name, anchors in _DS_DETECTORS:
        cls = getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), name)
        for pattern in cls.denylist:
            if pattern.pattern.startswith(_DS_SKIP):
                continue
            named = name in _DS_NAMED and pattern.groups > 0
            # -1: the first group that matched holds the secret (as the detector yields it)
            rules.append(Rule(f"ds:{name}", pattern, -1 if named else 0, named=named,
                              anchors=anchors))
    return tuple(rules)
