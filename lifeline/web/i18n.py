"""Interface strings per language in ``web/locales``: ``<lang>.yaml`` plus any
``<lang>.<part>.yaml`` (one per area of the interface, merged in name order). Add a file to add
a language. Missing keys fall back to English, then to the key itself."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
FALLBACK = "en"


@lru_cache(maxsize=32)
def messages(lang: str) -> dict[str, str]:
    paths = [LOCALES_DIR / f"{lang}.yaml", *sorted(LOCALES_DIR.glob(f"{lang}.*.yaml"))]
    merged: dict[str, str] = {}
    for path in paths:
        if path.is_file():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            merged.update({str(key): str(value) for key, value in data.items()})
    return merged


def available_languages() -> list[str]:
    return sorted({path.name.split(".")[0] for path in LOCALES_DIR.glob("*.yaml")})


def translate(lang: str, key: str, **values: object) -> str:
    text = messages(lang).get(key) or messages(FALLBACK).get(key) or key
    return text.format(**values) if values else text


def negotiate(accept_language: str | None, supported: list[str], default: str) -> str:
    """The first supported language in an Accept-Language header (zh-TW counts as zh)."""
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()
        base = code.split("-")[0]
        if code in supported:
            return code
        if base in supported:
            return base
    return default
