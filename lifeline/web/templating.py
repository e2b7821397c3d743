"""Jinja2 with autoescape for every page; the only way HTML reaches a page unescaped is
``|safe`` on content that was sanitised by nh3 first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from lifeline.web.i18n import translate

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.autoescape = True


def _t(context_lang: str, key: str, **values: Any) -> str:
    return translate(context_lang, key, **values)


templates.env.globals["t"] = _t
