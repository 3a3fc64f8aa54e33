"""Discord's official OpenAPI spec (vendored) and a validator that holds the emulator and the bot to it."""

from .validator import OpenApiValidator, Violation, assert_on_spec, check_requests, load_validator, report

__all__ = ["OpenApiValidator", "Violation", "assert_on_spec", "check_requests", "load_validator", "report"]
