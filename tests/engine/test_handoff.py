"""Hand-off: a run's result as a PR body, webhook JSON, a Teams card and a Slack message,
posted signed to a receiver on 127.0.0.1; decisions sent back are accepted once, signed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from agents.contracts import RunStatus
from agents.fold import fold
from workbench.cli_handoff import _handler
from workbench.engine.evidence_bundle import build_bundle
from workbench.engine.runner import create_pipeline
from workbench.handoff import pr_body, slack_message, teams_card, webhook
from workbench.handoff_signing import check, signed_headers
from workbench.store import RunStore

from .conftest import config_for

SECRET = "s3cr3t-for-tests-only"


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def _approved(store: RunStore, demo_repo: Path) -> str:
    outcome = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED
    return outcome.run_id


async def test_the_formats_say_what_was_asked_decided_and_proven(
    store: RunStore, demo_repo: Path
) -> None:
    rid = await _approved(store, demo_repo)
    bundle = build_bundle(fold(store.iter_events(rid)))
    body = pr_body(bundle)
    assert body.startswith("## INV-7: ") and "- [x] " in body and "5 passed" in body
    assert f"Workbench run `{rid}`" in body and "inventory/stock.py" in body
    assert "APPROVED after 2 review(s)" in body and "approve by" in body
    hook = webhook(bundle, str(demo_repo))
    assert hook["status"] == "READY_FOR_REVIEW" and hook["repository"] == str(demo_repo)
    assert hook["evidence"]["run_id"] == rid
    card = teams_card(bundle)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert [a["data"]["decision"] for a in card["actions"]] == [
        "approve", "request_changes", "reject"]
    slack = slack_message(bundle)
    buttons = slack["blocks"][-1]["elements"]
    assert [b["value"] for b in buttons] == [f"{d}:{rid}" for d in
                                             ("approve", "request_changes", "reject")]


async def test_post_signs_retries_and_records_the_delivery(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    rid = await _approved(store, demo_repo)
    received: list[dict[str, Any]] = []
    seen = tmp_path / "receiver.db"

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if not received and not getattr(Receiver, "failed", False):
                Receiver.failed = True  # type: ignore[attr-defined]
                self.send_response(503)
                self.end_headers()
                return
            refused = check(SECRET, dict(self.headers.items()), body, seen)
            received.append({"refused": refused, "json": json.loads(body)})
            self.send_response(200 if refused is None else 401)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    for url in _serve(Receiver):
        env = {**os.environ, "WORKBENCH_DB": str(store.path),
               "WORKBENCH_CONFIG": str(tmp_path / "c.yaml"), "WORKBENCH_HANDOFF_SECRET": SECRET}
        done = subprocess.run([sys.executable, "-m", "workbench", "export", rid, "--format",
                               "webhook", "--post", url], capture_output=True, text=True,
                              env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "HTTP 200" in done.stdout
        unsigned = subprocess.run([sys.executable, "-m", "workbench", "export", rid, "--post",
                                   url], capture_output=True, text=True, timeout=60,
                                  env={**env, "WORKBENCH_HANDOFF_SECRET": ""})
        assert unsigned.returncode != 0 and "no signing secret" in unsigned.stderr
    assert received == [{"refused": None, "json": received[0]["json"]}]
    assert received[0]["json"]["status"] == "READY_FOR_REVIEW"
    posted = [e.payload() for e in store.events(rid) if e.kind == "handoff"]
    assert posted == [{"format": "webhook", "host": url.split("/")[2], "status_code": 200,
                       "attempts": 2}]


async def test_a_decision_sent_back_is_recorded_once_and_only_when_signed(
    store: RunStore, demo_repo: Path
) -> None:
    parked = await create_pipeline(store, config_for(demo_repo, "scripted:demo")).run()
    assert parked.status is RunStatus.WAITING_FOR_APPROVAL  # at the spec gate
    body = json.dumps({"run_id": parked.run_id, "decision": "approve"}).encode()
    headers = signed_headers(SECRET, body)
    for url in _serve(_handler(store.path, SECRET)):
        forged = httpx.post(url, content=body, headers={**headers, "X-Workbench-Signature":
                                                         "sha256=" + "0" * 64})
        assert forged.status_code == 401 and forged.json()["error"] == "bad signature"
        tampered = httpx.post(url, content=body.replace(b"approve", b"reject "),
                              headers=headers)
        assert tampered.status_code == 401
        first = httpx.post(url, content=body, headers=headers)
        assert first.status_code == 200, first.text
        assert first.json() == {"recorded": "approve", "gate": "spec", "run_id": parked.run_id}
        again = httpx.post(url, content=body, headers=headers)
        assert again.status_code == 409 and again.json()["error"] == "replayed request"
    given = [e.payload() for e in store.events(parked.run_id) if e.kind == "approval_given"]
    assert len(given) == 1 and given[0]["gate"] == "spec"


def test_an_old_signed_request_is_refused(tmp_path: Path) -> None:
    body = b"{}"
    headers = signed_headers(SECRET, body, now=1_000_000)
    assert check(SECRET, headers, body, tmp_path / "d.db", now=1_000_000 + 301) == \
        "expired request"
    assert check(SECRET, headers, body, tmp_path / "d.db", now=1_000_100) is None
    assert check(SECRET, headers, body, tmp_path / "d.db", now=1_000_100) == "replayed request"
