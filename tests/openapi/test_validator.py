"""The validator remembers its verdicts for speed; remembering must never let a violation through."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.emulator import RecordedRequest
from tests.openapi import OpenApiValidator, assert_on_spec
from tests.openapi.validator import SPEC_FILE

BUTTON = {"type": 2, "style": 1, "label": "Join", "custom_id": "join"}
BAD_BUTTON = dict(BUTTON, label=5)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return dict(json.loads(SPEC_FILE.read_text(encoding="utf-8")))


def _message(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"content": "hi", "components": [{"type": 1, "components": list(buttons)}]}


def _request_errors(validator: OpenApiValidator, body: Any) -> list[tuple[str, str, str]]:
    found = validator.check("POST", "/channels/1/messages", 200, body, None)
    return [(v.where, v.rule, v.message) for v in found if v.part == "request"]


def test_a_payload_that_breaks_the_spec_fails_every_test_that_sends_it() -> None:
    dm = {"id": "5", "type": 1, "last_message_id": None, "flags": 0, "recipients": []}
    made_up = RecordedRequest(
        "POST", "/users/@me/channels", {}, {"recipient_id": "7", "nickname": "x"}, [], 200, 0.0, json.dumps(dm).encode()
    )
    for _ in range(3):
        with pytest.raises(pytest.fail.Exception, match=r"request \$\.nickname"):
            assert_on_spec([made_up])


def test_a_remembered_error_is_reported_where_it_is_in_each_body(spec: dict[str, Any]) -> None:
    validator = OpenApiValidator(spec)
    label = "5 is not of type 'string', 'null'"
    assert _request_errors(validator, _message(BUTTON, BAD_BUTTON)) == [
        ("$.components[0].components[1].label", "type", label)
    ]
    assert _request_errors(validator, _message(BAD_BUTTON)) == [("$.components[0].components[0].label", "type", label)]
    assert _request_errors(validator, _message(BUTTON, BUTTON, BAD_BUTTON)) == [
        ("$.components[0].components[2].label", "type", label)
    ]
    assert _request_errors(validator, _message(BUTTON, BAD_BUTTON)) == [
        ("$.components[0].components[1].label", "type", label)
    ]


def test_a_value_valid_in_one_place_is_still_checked_in_another(spec: dict[str, Any]) -> None:
    validator = OpenApiValidator(spec)
    assert _request_errors(validator, _message(BUTTON)) == []
    misplaced = _request_errors(validator, {"content": "hi", "components": [BUTTON]})  # a button where a row goes
    assert misplaced and all(where.startswith("$.components[0]") for where, _, _ in misplaced)


def test_remembered_verdicts_are_those_of_a_fresh_check_in_any_order(spec: dict[str, Any]) -> None:
    bodies = [
        _message(BUTTON),
        _message(BUTTON, BAD_BUTTON),
        {"content": "hi", "components": [BUTTON]},
        _message(dict(BUTTON, style="big")),
        {"content": 7},
        _message(dict(BUTTON, emoji={"id": 5})),
        _message(BAD_BUTTON, dict(BUTTON, nickname="x")),
    ]
    seen_forwards = OpenApiValidator(spec)
    forwards = [_request_errors(seen_forwards, body) for body in [*bodies, *bodies]]
    seen_backwards = OpenApiValidator(spec)
    backwards = [_request_errors(seen_backwards, body) for body in reversed(bodies)]
    assert forwards == [*backwards[::-1], *backwards[::-1]]
    assert sum(map(bool, backwards)) == len(bodies) - 1  # every body but the first breaks the spec


def test_a_spec_that_refers_outside_itself_is_refused() -> None:
    outside = {"components": {"schemas": {"User": {"$ref": "users.json#/User"}}}, "paths": {}}
    with pytest.raises(ValueError, match=r"users\.json"):
        OpenApiValidator(outside)
