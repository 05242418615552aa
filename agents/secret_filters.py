"""Which found values are secrets: secret-like key names, and the look-alikes that stay
readable (references to a secret, placeholders, hashes, ids, public keys, word slugs)."""

from __future__ import annotations

import math
import re
from functools import lru_cache

MASK = "[secret masked]"

_SEGMENTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
# The last segment of a secret-like name; ``key`` and ``pass`` only after a qualifier.
_SECRET_WORDS = frozenset({
    "password", "passwd", "pwd", "passphrase", "passcode", "secret", "secrets", "token",
    "apikey", "secretkey", "privatekey", "accesskey", "authtoken", "credential",
    "credentials", "pat", "sas", "contrasena", "contraseña", "passwort", "motdepasse",
})
_KEY_QUALIFIERS = frozenset({
    "api", "secret", "private", "priv", "access", "auth", "signing", "encryption", "master",
    "client", "account", "service", "app", "license", "subscription", "webhook", "consumer",
    "session", "storage", "shared", "admin", "deploy", "ssh", "gpg", "hmac", "jwt", "crypto",
    "cipher", "aes", "db", "database", "x", "openai", "anthropic", "stripe",
    "sendgrid", "mailgun", "twilio", "google", "gemini", "groq", "mistral", "cohere", "hf",
})
_VALUE_SUFFIXES = frozenset({"base", "value", "b64", "base64", "raw", "plain", "str", "text"})
# Names that end in a secret word but hold no secret (token counts, cursors, tokenizer
# specials, public halves).
_NOT_SECRET_QUALIFIERS = frozenset({
    "public", "pub", "publishable", "page", "next", "continuation", "cursor", "sync", "eos",
    "bos", "pad", "unk", "sep", "cls", "mask", "special", "start", "end", "stop", "max", "min",
    "num", "n", "total", "input", "output", "prompt", "completion", "csrf", "xsrf",
})


def segments(key: str) -> list[str]:
    return [s.lower() for s in _SEGMENTS.findall(key.replace("ñ", "n"))]


@lru_cache(maxsize=4096)  # a pure function of the name; payloads repeat a few names
def is_secret_key(key: str) -> bool:
    """``DB_PASSWORD``, ``apiKey``, ``x-api-key``, ``SECRET_KEY_BASE``: yes; ``max_tokens``,
    ``public_key``, ``primary_key``, ``password_file``: no."""
    parts = segments(key)
    if parts and parts[-1] in _VALUE_SUFFIXES and len(parts) > 1:
        parts = parts[:-1]
    if not parts or _NOT_SECRET_QUALIFIERS & set(parts):
        return False
    last, before = parts[-1], parts[-2] if len(parts) > 1 else ""
    if last in _SECRET_WORDS:
        return True
    if last == "key":
        return before in _KEY_QUALIFIERS or before in _SECRET_WORDS
    if last == "pass":
        return bool(before)
    if last == "auth":
        return bool(before) or key.strip("\"'") in ("auth", "_auth")
    return False


_TEMPLATED = re.compile(
    r"^(?:\$|%\(|%s$|\{\{|\{[\w.]*\}$|<[^<>]*>$|@|ENC\(|!Ref|!Sub|!GetAtt|\*\w|&\w)"
    r"|\$\{|\{\{|os\.environ|os\.getenv|getenv\(|process\.env|ENV\[|env\(|secrets\.|vault:"
    r"|ssm:|keyring\.|\.get\(|lookup\(")
_FILLER = re.compile(r"^(?:([xX*•.#?_\-0])\1{2,}|\.\.\.)$|x{4,}|X{4,}|\*{3,}|•{3,}|\.\.\.")
_PLACEHOLDER_WORDS = frozenset({
    "changeme", "change_me", "change-me", "changeit", "password", "passwd", "pass", "secret",
    "token", "apikey", "api_key", "api-key", "none", "null", "nil", "true", "false",
    "undefined", "todo", "tbd", "fixme", "placeholder", "example", "dummy", "sample",
    "redacted", "hidden", "masked", "required", "optional", "string", "str", "bytes", "int",
    "empty", "default", "test", "foo", "bar", "baz", "secretstr", "secretbytes", "any",
    "notset", "unset", "missing", "n/a", "na", "tba",
})
_PLACEHOLDER_PREFIX = re.compile(
    r"(?i)^(?:your[_\- ]|(?:your|my)[_-]?(?:api|secret|token|password|pass|key)"
    r"|(?:replace|insert|enter|paste|fill)[_\- ]?(?:me|with|here|in|your)|<|\[)"
    r"|[_\- ]here$")
_STOPWORDS = frozenset({"the", "to", "a", "an", "of", "for", "your", "is", "be", "with",
                        "must", "use", "used", "not", "and", "or", "in", "this", "that"})
_IDENT = re.compile(r"^[A-Za-z_]\w*$")
_DOTTED = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$")
_PY_TYPES = frozenset({"str", "bytes", "int", "bool", "float", "none", "any", "optional",
                       "secretstr", "secretbytes", "string", "text", "self", "cls"})


def is_placeholder(value: str) -> bool:
    v = value.strip().strip("\"'`")
    low = v.lower()
    if not v or MASK in v or v.startswith("[secret"):
        return True
    if low in _PLACEHOLDER_WORDS or _FILLER.search(v) or _PLACEHOLDER_PREFIX.search(v):
        return True
    words = low.split()
    return len(words) >= 3 and bool(_STOPWORDS & set(words))  # prose: a label or help text


def is_reference(value: str) -> bool:
    """A value that names where a secret comes from rather than being one."""
    return bool(_TEMPLATED.search(value.strip()))


def is_named_value_secret(value: str, key: str = "", sep: str = "", code_style: bool = False,
                          quoted: bool = True) -> bool:
    """Is ``value`` (assigned to a secret-like ``key``) a literal secret?"""
    if len(value) < 4 or is_placeholder(value) or is_reference(value):
        return False
    if value.lower().strip("\"'") == key.lower().strip("\"'-"):
        return False
    if quoted:
        return True
    if "(" in value or "[" in value or _DOTTED.match(value):
        return False  # a call, an index, an attribute: code that fetches the secret
    if value.lower() in _PY_TYPES:
        return False
    if _IDENT.match(value):
        if sep == ":" and re.fullmatch(r"[A-Z][A-Za-z]*", value):
            return False  # a type annotation: ``password: Password``
        if code_style and not any(c.isdigit() for c in value):
            return False  # a variable: ``password = new_password``, ``f(token=tok)``
        if key and segments(key) and segments(key)[-1] in segments(value):
            return False
    return True


_HEX = re.compile(r"^[0-9a-fA-F]+$")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NOT_ENTROPY_KEYS = frozenset({
    "hash", "sha", "sha1", "sha256", "sha512", "md5", "digest", "checksum", "integrity",
    "etag", "commit", "rev", "revision", "ref", "id", "ids", "uuid", "guid", "oid", "nonce",
    "fingerprint", "version", "name", "path", "url", "uri", "file", "image", "tag", "branch",
    "head", "base", "parent", "tree", "blob", "object", "sum", "crc", "signature", "pubkey",
    "public", "cid", "node", "resolved", "data", "content", "payload", "body", "source",
})
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_="


def shannon_entropy(data: str) -> float:
    if not data:
        return 0.0
    counts: dict[str, int] = {}
    for ch in data:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def is_high_entropy_secret(value: str, key: str) -> bool:
    """A long random-looking token assigned to a name that says nothing: git SHAs and other
    hex digests, UUIDs, ``sha512-`` integrity strings and id-like names stay."""
    if len(value) < 24 or _HEX.match(value) or _UUID.search(value):
        return False
    if re.match(r"(?i)^(?:sha\d+|md5)[-:]", value) or is_placeholder(value):
        return False
    if set(segments(key)) & _NOT_ENTROPY_KEYS:
        return False
    if not (re.search(r"[a-z]", value) and re.search(r"[A-Z]", value)
            and re.search(r"\d", value)):
        return False  # words, constants and slugs (``MY_LONG_CONSTANT_NAME``)
    if re.search(r"[a-z]{3,}(?:[_-][a-z]{3,}){2,}", value):
        return False  # ``some-kebab-case-identifier``
    from detect_secrets.filters.heuristic import is_sequential_string

    return not is_sequential_string(value) and shannon_entropy(value) > 4.5


def is_key_shaped(value: str) -> bool:
    """An ``sk-…`` token that is a key, not a slug like ``sk-learn-compat-layer``: mixed
    letters and digits, no run of dashed words."""
    body = value[3:]
    if not re.search(r"\d", body) or not re.search(r"[A-Za-z]", body):
        return False
    if not re.search(r"[A-Z]", body) and not re.fullmatch(r"[0-9a-f]{32,}", body):
        return False
    return len(set(body)) >= 10


def is_low_variety(value: str) -> bool:
    """``ghp_xxxxxxxx…``, ``AKIA0000…``: a documented placeholder in a real key's shape."""
    tail = re.sub(r"^[A-Za-z]{2,6}[_-]", "", value)
    return len(tail) >= 8 and (len(set(tail)) <= 3 or bool(_FILLER.search(tail)))
