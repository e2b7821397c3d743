"""Macros: agents' quick replies with variables, in the ticket's language."""

from __future__ import annotations

import re
from collections.abc import Mapping

from lifeline.errors import InvalidRequest

VARIABLES = (
    "customer.name",
    "ticket.number",
    "ticket.subject",
    "ticket.category",
    "agent.name",
    "exchange.name",
)
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}")
ALLOWED_ACTIONS = {"status", "priority", "category", "add_tags"}


def variables_in(body: str) -> set[str]:
    return set(_PLACEHOLDER.findall(body))


def validate_macro(bodies: Mapping[str, str], actions: Mapping[str, object]) -> None:
    unknown = set().union(*(variables_in(body) for body in bodies.values())) - set(VARIABLES)
    if unknown:
        raise InvalidRequest(
            "Unknown macro variables.", unknown=sorted(unknown), allowed=list(VARIABLES)
        )
    if not bodies:
        raise InvalidRequest("A macro needs a body in at least one language.")
    extra = set(actions) - ALLOWED_ACTIONS
    if extra:
        raise InvalidRequest(
            "Unknown macro actions.", unknown=sorted(extra), allowed=sorted(ALLOWED_ACTIONS)
        )


def render_macro(body: str, values: Mapping[str, str]) -> str:
    """Pure: replace each {{variable}}; validated macros only hold known variables."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), body)


def body_for(bodies: Mapping[str, str], language: str) -> str:
    base = "zh" if language.lower().startswith("zh") else "en"
    return bodies.get(base) or bodies.get("en") or next(iter(bodies.values()))
