"""Every secret shape of the corpus is masked (the key name kept); every look-alike stays."""

from __future__ import annotations

import pytest

from agents.redact import MASK, mask_secrets
from agents.secret_scan import known

from .secret_corpus import LOOKALIKES, SECRETS, Secret


@pytest.fixture(autouse=True)
def _fresh_memory() -> None:
    """Each case on its own: no value remembered from an earlier one."""
    known.clear()


def test_the_corpus_is_large_enough() -> None:
    assert len(SECRETS) >= 60 and len(LOOKALIKES) >= 30


@pytest.mark.parametrize("case", SECRETS, ids=[s.name for s in SECRETS])
def test_secret_is_masked(case: Secret) -> None:
    masked = mask_secrets(case.text)
    assert case.secret not in masked, masked
    assert MASK in masked
    assert case.keep in masked, f"the name or host was masked too: {masked}"


@pytest.mark.parametrize("text", [t for _, t in LOOKALIKES], ids=[n for n, _ in LOOKALIKES])
def test_lookalike_stays(text: str) -> None:
    assert mask_secrets(text) == text


def test_recall_and_false_masks(capsys: pytest.CaptureFixture[str]) -> None:
    caught = 0
    for case in SECRETS:
        known.clear()
        caught += case.secret not in mask_secrets(case.text)
    known.clear()
    false = [n for n, t in LOOKALIKES if mask_secrets(t) != t]
    with capsys.disabled():
        print(f"\nsecret corpus: {caught}/{len(SECRETS)} masked, "
              f"{len(false)}/{len(LOOKALIKES)} look-alikes masked {false}")
    assert caught == len(SECRETS) and not false
