"""Checks recorded REST exchanges against Discord's official OpenAPI spec (``discord-openapi.json``).

For each request, the validator finds the spec's operation by its path template (a literal segment such as
``@me`` or ``@original`` wins over a parameter) and checks:

- the path parameters against their schemas (snowflakes are strings of digits);
- the request body against the operation's ``requestBody`` schema when the emulator accepted the request
  (2xx). A request it refused (4xx) is not checked: refusal tests send what Discord refuses on purpose, and
  the refusal is then the right answer;
- the status against the operation's ``responses`` (the exact status, then ``4XX``);
- the response body against the schema for that status, or that there is no body where the spec has none.

Two choices go beyond plain JSON Schema, both towards what real Discord does:

- objects are closed: a field the spec does not declare is a violation (each object schema with
  ``properties`` gets ``unevaluatedProperties: false``), so the emulator does not invent fields a bot could
  come to rely on, and a bot does not send fields Discord ignores;
- formats are checked: int32 and int64 ranges, RFC 3339 date-times (with an offset), URIs (with a scheme).

Everything else is the spec as written, in JSON Schema 2020-12: unions are ``oneOf`` or ``anyOf`` (the spec
tags an ``anyOf`` with ``x-discord-union: oneOf`` where its branches overlap, and validating it as ``anyOf``
is exactly its meaning), nullable fields are ``type: [..., "null"]`` or ``oneOf: [{type: null}, ...]``.
Known, justified differences are in :mod:`tests.openapi.allowlist`; nothing else is skipped.

Checking is remembered for the whole run, because jsonschema is slow and the tests send the same things again
and again (every test syncs the same commands). A verdict depends only on the schema and the instance, so it is
kept under both, the instance as its exact JSON text: the errors of a body against its operation's schema, and
the errors of each value against each ``$ref`` it meets (the values inside a body recur even when the body,
with its fresh IDs, does not). A payload never seen before is checked in full; one that breaks the spec breaks
it again, with the same violations, in every test that sends it.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema.protocols import Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from .allowlist import ALLOWED, Allowance

SPEC_FILE = Path(__file__).with_name("discord-openapi.json")
_SPEC_URI = "urn:discord-openapi"
_METHODS = ("get", "put", "post", "patch", "delete")
_CLOSED_MARK = "x-closed-by-validator"
_JSON = "application/json"
_PLAIN_REF = Draft202012Validator.VALIDATORS["$ref"]


class Exchange(Protocol):
    """What the validator needs of a request (the emulator's ``RecordedRequest`` is one)."""

    method: str
    path: str
    json: Any
    status: int

    @property
    def response(self) -> Any: ...


@dataclass(frozen=True)
class Violation:
    """One way an exchange differs from the spec."""

    method: str
    path: str
    status: int
    operation: str  # "POST /channels/{channel_id}/messages", or "" when the spec has no such route
    part: str  # route, path, request, status or response
    where: str  # a JSON path in the body ("$.author.email"), a parameter name or the status
    rule: str  # the JSON Schema keyword that failed, or "undeclared", "route", "status", "body"
    message: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}: {self.part} {self.where}: {self.message}"


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    regex: re.Pattern[str]
    params: tuple[str, ...]
    pointer: str  # JSON pointer to the operation object in the spec

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _allof_members(node: Any) -> Iterator[Any]:
    """Every member of an ``allOf`` with more than one member (those extend one another and stay open)."""
    if isinstance(node, list):
        for item in node:
            yield from _allof_members(item)
    elif isinstance(node, dict):
        members = node.get("allOf")
        if isinstance(members, list) and len(members) > 1:
            yield from members
        for value in node.values():
            yield from _allof_members(value)


def _outside_refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` that does not point into the same document, and every ``$id`` (which would move the base)."""
    if isinstance(node, list):
        for item in node:
            yield from _outside_refs(item)
    elif isinstance(node, dict):
        if "$id" in node:
            yield f"$id {node['$id']}"
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#/"):
            yield ref
        for value in node.values():
            yield from _outside_refs(value)


def _close_objects(node: Any, name: str, *, extended: bool = False) -> None:
    """Add ``unevaluatedProperties: false`` to every object schema with ``properties`` (see module docstring).

    A member of a multi-member ``allOf`` stays open; the ``allOf`` holding it is closed instead, which sees
    the fields all its members declare.
    """
    if isinstance(node, list):
        for item in node:
            _close_objects(item, name)
        return
    if not isinstance(node, dict):
        return
    members = node.get("allOf")
    extends = isinstance(members, list) and len(members) > 1
    for key, value in node.items():
        if key == "allOf" and extends:
            for member in value:
                _close_objects(member, name, extended=True)
        else:
            _close_objects(value, name)
    closable = "additionalProperties" not in node and "unevaluatedProperties" not in node
    if ("properties" in node or extends) and closable and not extended:
        node["unevaluatedProperties"] = False
        node[_CLOSED_MARK] = name


def _check_int(bits: int) -> Any:
    def check(value: object) -> bool:
        if not isinstance(value, int) or isinstance(value, bool):
            return True
        return -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)

    return check


def _check_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value.upper() and stamp.tzinfo is not None


def _check_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("int32")(_check_int(32))
    checker.checks("int64")(_check_int(64))
    checker.checks("date-time")(_check_date_time)
    checker.checks("uri")(_check_uri)
    return checker


def _copy_error(error: ValidationError) -> ValidationError:
    """A fresh copy of an error as a ``$ref`` yields it: the schemas above it extend its paths in place."""
    return ValidationError(
        error.message,
        validator=error.validator,
        path=error.relative_path,
        cause=error.cause,
        context=[_copy_error(sub) for sub in error.context],
        validator_value=error.validator_value,
        instance=error.instance,
        schema=error.schema,
        schema_path=error.relative_schema_path,
        type_checker=error._type_checker,  # not public, but the copy must compare types as the original did
    )


def _is_type_miss(error: ValidationError) -> bool:
    """The instance is of the wrong JSON type for the whole (sub)schema, e.g. an object where null is expected."""
    return not error.relative_path and error.validator == "type"


def _is_null_branch(errors: list[ValidationError]) -> bool:
    return len(errors) == 1 and errors[0].schema == {"type": "null"}


def _leaves(error: ValidationError) -> list[ValidationError]:
    """For a failed union, the errors of the branch closest to matching; otherwise the error itself.

    The closest branch is the one that does not fail on the instance's JSON type or on a ``type``
    discriminator, then the one whose errors lie deepest (it matched the most structure), then the fewest;
    a ``null`` branch comes last. When several branches fail on the value itself (an enum of ``const``s, say),
    none is closer and the union's own error is the answer.
    """
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)

    def rank(errors: list[ValidationError]) -> tuple[int, int, int, int]:
        misses = sum(
            _is_type_miss(e) or (list(e.relative_path) == ["type"] and e.validator in ("enum", "const")) for e in errors
        )
        leaves = [leaf for e in errors for leaf in _leaves(e)]
        return (int(_is_null_branch(errors)), misses, -max(len(leaf.absolute_path) for leaf in leaves), len(leaves))

    ranked = sorted(branches.values(), key=rank)
    at_root = [b for b in ranked if not _is_null_branch(b) and all(not e.relative_path for e in b)]
    if len(at_root) > 1 and len(at_root) == len([b for b in ranked if not _is_null_branch(b)]):
        return [error]
    return [leaf for sub in ranked[0] for leaf in _leaves(sub)]


def _message(error: ValidationError) -> str:
    snowflake = isinstance(error.schema, dict) and error.schema.get("format") == "snowflake"
    return f"{error.message} (a snowflake)" if snowflake else error.message


def _short(value: str, limit: int = 240) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class OpenApiValidator:
    """The spec's operations, and checks of exchanges against them."""

    def __init__(self, spec: Mapping[str, Any], allowed: Iterable[Allowance] = ALLOWED) -> None:
        self.spec = copy.deepcopy(dict(spec))
        # Remembered verdicts are keyed by the reference as written, which names one schema only within one document.
        outside = sorted(set(_outside_refs(self.spec)))
        if outside:
            raise ValueError(f"the spec refers outside itself, which the validator does not expect: {outside[:5]}")
        schemas = self.spec["components"]["schemas"]
        extended = {m["$ref"].rsplit("/", 1)[-1] for m in _allof_members(self.spec) if "$ref" in m}
        for name, schema in schemas.items():
            _close_objects(schema, name, extended=name in extended)
        for template, item in self.spec["paths"].items():
            _close_objects(item, f"an inline schema of {template}")
        self.allowed = tuple(allowed)
        resource = DRAFT202012.create_resource(self.spec)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._formats = _format_checker()
        self._validator_class = validators.extend(Draft202012Validator, {"$ref": self._remembered_ref})
        self._validators: dict[str, Validator] = {}
        # Verdicts by (schema, instance as JSON text); see the module docstring.
        self._ref_errors: dict[tuple[str, str], list[ValidationError]] = {}
        self._body_errors: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self.operations = self._operations()
        self._by_method: dict[str, list[Operation]] = defaultdict(list)
        for op in self.operations:
            self._by_method[op.method].append(op)

    # operations ---------------------------------------------------------------------------------
    def _operations(self) -> list[Operation]:
        found = []
        for template, item in self.spec["paths"].items():
            pattern = re.escape(template)
            names = re.findall(r"\{(\w+)\}", template)
            for param in names:
                pattern = pattern.replace(re.escape("{" + param + "}"), "([^/]+)")
            for method in _METHODS:
                if method in item:
                    pointer = f"/paths/{_escape(template)}/{method}"
                    op_id = str(item[method].get("operationId", ""))
                    found.append(
                        Operation(method.upper(), template, op_id, re.compile(f"^{pattern}$"), tuple(names), pointer)
                    )
        # A literal segment (@me, @original, threads/active) wins over a parameter in the same place.
        found.sort(key=lambda op: len(op.params))
        return found

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self._by_method.get(method.upper(), ()):
            m = op.regex.match(path)
            if m:
                return op, dict(zip(op.params, m.groups(), strict=True))
        return None

    def _node(self, pointer: str) -> Any:
        node: Any = self.spec
        for token in pointer.strip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def _validator(self, pointer: str) -> Validator:
        if pointer not in self._validators:
            ref = {"$ref": f"{_SPEC_URI}#{quote(pointer, safe='/~')}"}
            self._validators[pointer] = self._validator_class(
                ref, registry=self._registry, format_checker=self._formats
            )
        return self._validators[pointer]

    def _remembered_ref(self, validator: Validator, ref: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
        """The ``$ref`` keyword, remembering each value's errors against each target.

        Every ``$ref`` in the spec points into the spec itself, so the reference names its target. A caller that
        stops at the first error (``is_valid``) leaves nothing remembered.
        """
        key = (ref, json.dumps(instance))
        known = self._ref_errors.get(key)
        if known is not None:
            yield from map(_copy_error, known)
            return
        found = []
        for error in _PLAIN_REF(validator, ref, instance, schema):
            found.append(_copy_error(error))
            yield error
        self._ref_errors[key] = found

    def _responses(self, op: Operation) -> dict[str, str]:
        """Status key ("200", "4XX") -> pointer to the response object (``$ref``s to components followed)."""
        out = {}
        for key, response in self._node(op.pointer)["responses"].items():
            ref = response.get("$ref")
            out[key] = ref[1:] if ref else f"{op.pointer}/responses/{_escape(key)}"
        return out

    # checks -------------------------------------------------------------------------------------
    def check(self, method: str, path: str, status: int, request: Any = None, response: Any = None) -> list[Violation]:
        """All violations of one exchange, before the allow-list."""
        method = method.upper()

        def violation(op: str, part: str, where: str, rule: str, message: str) -> Violation:
            return Violation(method, path, status, op, part, where, rule, message)

        matched = self.find(method, path)
        if matched is None:
            return [violation("", "route", "$", "route", "no operation in the spec for this method and path")]
        op, params = matched
        out: list[Violation] = []
        for name, value in params.items():
            pointer = self._param_pointer(op, name)
            if pointer is not None:
                for error in self._validator(pointer).iter_errors(value):
                    out.append(violation(op.name, "path", name, str(error.validator), _short(error.message)))
        if 200 <= status < 300:
            out += [violation(op.name, "request", *v) for v in self._check_request(op, request)]
        responses = self._responses(op)
        key = str(status) if str(status) in responses else f"{status // 100}XX"
        if key not in responses:
            known = ", ".join(responses)
            return [*out, violation(op.name, "status", str(status), "status", f"the spec answers only {known}")]
        out += [violation(op.name, "response", *v) for v in self._check_body(responses[key], response)]
        return out

    def _param_pointer(self, op: Operation, name: str) -> str | None:
        item_pointer = op.pointer.rsplit("/", 1)[0]
        for pointer in (op.pointer, item_pointer):
            for index, param in enumerate(self._node(pointer).get("parameters", [])):
                if param.get("in") == "path" and param.get("name") == name:
                    return f"{pointer}/parameters/{index}/schema"
        return None

    def _check_request(self, op: Operation, body: Any) -> Iterator[tuple[str, str, str]]:
        request_body = self._node(op.pointer).get("requestBody")
        if request_body is None:
            if body is not None:
                yield "$", "body", "the spec's operation takes no request body"
            return
        if body is None:
            if request_body.get("required"):
                yield "$", "body", "the spec requires a request body"
            return
        content = request_body["content"]
        media = _JSON if _JSON in content else next(iter(content))
        pointer = f"{op.pointer}/requestBody/content/{_escape(media)}/schema"
        yield from self._schema_errors(pointer, body)

    def _check_body(self, response_pointer: str, body: Any) -> Iterator[tuple[str, str, str]]:
        content = self._node(response_pointer).get("content")
        if not content:
            if body is not None:
                yield "$", "body", "the spec's answer has no body"
            return
        if _JSON not in content:
            return
        if body is None or isinstance(body, str):
            yield "$", "body", f"the spec's answer is JSON, got {type(body).__name__}"
            return
        yield from self._schema_errors(f"{response_pointer}/content/{_escape(_JSON)}/schema", body)

    def _schema_errors(self, pointer: str, instance: Any) -> list[tuple[str, str, str]]:
        key = (pointer, json.dumps(instance))
        if key not in self._body_errors:
            self._body_errors[key] = list(self._find_schema_errors(pointer, instance))
        return self._body_errors[key]

    def _find_schema_errors(self, pointer: str, instance: Any) -> Iterator[tuple[str, str, str]]:
        for error in self._validator(pointer).iter_errors(instance):
            for leaf in _leaves(error):
                if leaf.validator == "unevaluatedProperties":
                    yield from self._undeclared(leaf)
                else:
                    yield leaf.json_path, str(leaf.validator), _short(_message(leaf))

    def _undeclared(self, error: ValidationError) -> Iterator[tuple[str, str, str]]:
        schema = error.schema if isinstance(error.schema, dict) else {}
        declared = set(schema.get("properties", {}))
        for member in schema.get("allOf", []):
            target = self._node(member["$ref"][1:]) if "$ref" in member else member
            declared |= set(target.get("properties", {}))
        name = schema.get(_CLOSED_MARK, "the schema")
        instance = error.instance if isinstance(error.instance, dict) else {}
        for key in sorted(set(instance) - declared):
            yield f"{error.json_path}.{key}", "undeclared", f"field {key!r} is not declared in {name}"

    def check_exchange(self, exchange: Exchange) -> list[Violation]:
        """Violations of one recorded exchange that the allow-list does not excuse."""
        found = self.check(exchange.method, exchange.path, exchange.status, exchange.json, exchange.response)
        return [v for v in found if not any(a.excuses(v) for a in self.allowed)]

    def check_all(self, exchanges: Iterable[Exchange]) -> list[Violation]:
        return [v for exchange in exchanges for v in self.check_exchange(exchange)]


@functools.cache
def load_validator() -> OpenApiValidator:
    """The validator for the vendored spec, built once per test run (the spec is over a megabyte)."""
    return OpenApiValidator(json.loads(SPEC_FILE.read_text(encoding="utf-8")))


def check_requests(exchanges: Iterable[Exchange]) -> list[Violation]:
    return load_validator().check_all(exchanges)


def report(violations: Iterable[Violation]) -> str:
    """A readable list: each distinct violation once, with how often it happened and one example path."""
    seen: dict[tuple[str, str, str, str], list[Violation]] = defaultdict(list)
    for v in violations:
        where = re.sub(r"\[\d+\]", "[*]", v.where)
        seen[(v.operation or f"{v.method} {v.path}", v.part, where, v.message)].append(v)
    lines = [f"{len(seen)} kind(s) of OpenAPI violation (tests/openapi/discord-openapi.json):"]
    for (operation, part, where, message), hits in seen.items():
        first = hits[0]
        times = f" ({len(hits)}x)" if len(hits) > 1 else ""
        example = f"{first.method} {first.path} -> {first.status}"
        lines.append(f"- {operation} [{part} {where}] {message}{times}; e.g. {example}")
    return "\n".join(lines)


def assert_on_spec(exchanges: Iterable[Exchange], *, off_spec: Iterable[str] = ()) -> None:
    """Fail the test with a readable list when any exchange breaks the spec.

    ``off_spec`` names requests a test sends off the spec on purpose, as ``"GET /nope/x"``.
    """
    skipped = set(off_spec)
    violations = [v for v in check_requests(exchanges) if f"{v.method} {v.path}" not in skipped]
    if violations:
        pytest.fail(report(violations), pytrace=False)
