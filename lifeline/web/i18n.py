"""Interface strings per language, one YAML file each in ``web/locales`` (add a file to add a
language). Missing keys fall back to English, then to the key itself."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
FALLBACK = "en"


@lru_cache(maxsize=32)
def messages(lang: str) -> dict[str, str]:
    path = LOCALES_DIR / f"{lang}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(key): str(value) for key, value in data.items()}


def available_languages() -> list[str]:
    return sorted(path.stem for path in LOCALES_DIR.glob("*.yaml"))


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
