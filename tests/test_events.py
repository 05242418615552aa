"""Typed events: every kind round-trips through the store's row format, unknown fields are
refused when written, and rows of schema 1 are upgraded when read."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from agents.events import (
    EVENT_CLASSES,
    ErrorRecorded,
    PhaseChanged,
    RunParked,
    build_event,
    load_event,
    make_event,
)
from widgets.samples import sample_events


def test_every_sample_event_round_trips_as_its_own_class() -> None:
    for event in sample_events():
        row = event.dump()
        loaded = load_event(row)
        assert type(loaded) is EVENT_CLASSES[event.kind]
        assert loaded == event and loaded.model_dump() == event.model_dump()
        again = type(event).model_construct(
            run_id=event.run_id, seq=event.seq, ts=event.ts, role=event.role,
            **json.loads(row["payload"]))
        assert loaded.model_fields_set == again.model_fields_set


def test_a_wrong_field_is_refused_when_the_event_is_made() -> None:
    with pytest.raises(ValidationError):
        make_event("phase_changed", phase="review", colour="red")
    with pytest.raises(ValidationError):
        make_event("approval_given", gate="final", decision="maybe")
    with pytest.raises(ValueError, match="unknown event kind"):
        make_event("telepathy")


def test_an_unknown_kind_in_the_store_reads_as_a_visible_error() -> None:
    event = build_event("r", 3, 1.0, "telepathy", "system", {"x": 1})
    assert isinstance(event, ErrorRecorded) and "telepathy" in event.message
    assert event.seq == 3


def test_schema_1_rows_are_upgraded_on_read() -> None:
    phase = build_event("r", 1, 1.0, "phase_changed", "system",
                        {"phase": "review", "role": "reviewer"}, version=1)
    assert isinstance(phase, PhaseChanged) and phase.active_role == "reviewer"
    parked = build_event("r", 2, 2.0, "run_finished", "system",
                         {"status": "WAITING_FOR_APPROVAL",
                          "reason": "waiting for approval at the final gate", "commit": ""},
                         version=1)
    assert isinstance(parked, RunParked) and parked.gate == "final"
    patch = build_event("r", 3, 3.0, "artifact", "developer",
                        {"type": "patch", "artifact_id": 7, "round": 1,
                         "data": {"diff": "--- a\n+++ b\n", "files": ["a.py"],
                                  "summary": "s"}}, version=1)
    assert patch.data is None and patch.files == ["a.py"] and patch.summary_text == "s"
