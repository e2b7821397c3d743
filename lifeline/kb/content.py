"""The help-center articles bundled with Lifeline: Markdown files with YAML front matter.

Layout: ``lifeline/kb/content/<lang>/<slug>.md``. Front matter is read with YAML's base
loader so every scalar stays a string (a keyword such as ``no`` or ``2024`` must not turn into a
boolean or a number), then validated with pydantic. Placeholders such as ``{{ exchange_name }}``
are kept as written; :func:`render_placeholders` fills them from the operator's configuration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel, ConfigDict, Field, ValidationError

CONTENT_DIR = Path(__file__).resolve().parent / "content"
LANGUAGES: tuple[str, ...] = ("en", "zh")

Category = Literal[
    "deposits-withdrawals",
    "account-security",
    "verification",
    "trading",
    "futures",
    "api",
    "p2p",
    "web3-wallet",
    "support",
]
ArticleStatus = Literal["published", "draft", "archived"]

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.S)
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SHIELDED = re.compile("\u27e6([A-Za-z_][A-Za-z0-9_]*)\u27e7")
_FAQ_HEADING = re.compile(r"common questions|frequently asked|\bfaq\b|常见问题|常見問題", re.I)


class ArticleFormatError(ValueError):
    """An article file that cannot be used: missing or invalid front matter."""


class ArticleSource(BaseModel):
    """One article in one language, as written in its Markdown file."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    slug: str = Field(pattern=_SLUG, max_length=100)
    lang: Literal["en", "zh"]
    title: str = Field(min_length=1, max_length=200)
    category: Category
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    status: ArticleStatus = "published"
    summary: str = Field(min_length=1, max_length=1000)
    body: str = Field(min_length=1)

    @property
    def key(self) -> tuple[str, str]:
        return (self.slug, self.lang)


def parse_article(text: str, source: str = "<article>") -> ArticleSource:
    """Parse one article file; ``source`` (a file name) only makes error messages clearer."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ArticleFormatError(f"{source}: no front matter (the file must start with '---')")
    front_text, body = match.groups()
    try:
        # A value may start with a placeholder ("summary: {{ exchange_name }} ..."), which YAML
        # would read as a flow mapping: shield placeholders while parsing, restore them after.
        shielded = _PLACEHOLDER.sub(lambda m: f"\u27e6{m.group(1)}\u27e7", front_text)
        front = _restore_placeholders(yaml.load(shielded, Loader=yaml.BaseLoader))  # noqa: S506 - BaseLoader builds only str/list/dict
    except yaml.YAMLError as exc:
        raise ArticleFormatError(f"{source}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(front, dict):
        raise ArticleFormatError(f"{source}: front matter must be a mapping of fields")
    if "body" in front:
        raise ArticleFormatError(f"{source}: 'body' is not a front matter field")
    try:
        return ArticleSource.model_validate({**front, "body": body.strip()})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'front matter'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ArticleFormatError(f"{source}: {problems}") from exc


def _restore_placeholders(value: object) -> object:
    if isinstance(value, str):
        return _SHIELDED.sub(lambda match: "{{ " + match.group(1) + " }}", value)
    if isinstance(value, list):
        return [_restore_placeholders(item) for item in value]
    if isinstance(value, dict):
        return {key: _restore_placeholders(item) for key, item in value.items()}
    return value


def load_bundled_articles(root: Path | None = None) -> list[ArticleSource]:
    """Every article under ``root`` (default: the bundled content), sorted by slug then language.

    A file's folder must match its ``lang`` and its name its ``slug``: a mismatch would publish
    an article under a URL nobody linked to.
    """
    base = root if root is not None else CONTENT_DIR
    articles: list[ArticleSource] = []
    for lang in LANGUAGES:
        folder = base / lang
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            article = parse_article(path.read_text(encoding="utf-8"), source=str(path))
            if article.lang != lang:
                raise ArticleFormatError(
                    f"{path}: lang is {article.lang!r} but the folder is {lang!r}"
                )
            if article.slug != path.stem:
                raise ArticleFormatError(
                    f"{path}: slug {article.slug!r} differs from the file name"
                )
            articles.append(article)
    articles.sort(key=lambda article: (article.slug, article.lang))
    return articles


def render_placeholders(text: str, values: Mapping[str, str]) -> str:
    """Substitute ``{{ name }}`` placeholders; unknown names are left untouched."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def strip_placeholders(text: str) -> str:
    """Remove placeholders, for text that is indexed but never shown."""
    return _PLACEHOLDER.sub(" ", text)


_markdown = MarkdownIt("commonmark").enable("table")


def markdown_to_text(markdown: str) -> str:
    """Plain text of a Markdown body: one line per block, markup and link targets dropped."""
    lines: list[str] = []
    for token in _markdown.parse(markdown):
        if token.type == "inline" and token.children is not None:
            text = "".join(
                child.content for child in token.children if child.type in {"text", "code_inline"}
            )
            if text.strip():
                lines.append(text.strip())
        elif token.type in {"code_block", "fence"} and token.content.strip():
            lines.append(token.content.strip())
    return "\n".join(lines)


def common_questions(markdown: str) -> list[str]:
    """The questions of a body's "Common questions" section.

    A question is a paragraph that is entirely bold, or a sub-heading, under a heading such as
    "Common questions" / "常见问题". They are phrased the way customers ask, which makes them
    good material for matching questions by meaning.
    """
    questions: list[str] = []
    tokens = _markdown.parse(markdown)
    in_faq = False
    faq_level = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            level = int(token.tag[1:])
            heading = tokens[index + 1].content
            if _FAQ_HEADING.search(heading):
                in_faq, faq_level = True, level
            elif in_faq and level <= faq_level:
                in_faq = False
            elif in_faq:
                questions.append(heading.strip())
        elif in_faq and token.type == "inline" and token.children:
            question = _bold_lead(token.children)
            if question and tokens[index - 1].type == "paragraph_open":
                questions.append(question)
    return questions


def _bold_lead(children: Sequence[Token]) -> str:
    """The text of a paragraph's leading bold run (a question followed by its answer)."""
    kept = [child for child in children if child.type != "text" or child.content]
    types = [child.type for child in kept]
    if not types or types[0] != "strong_open" or "strong_close" not in types:
        return ""
    end = types.index("strong_close")
    return "".join(child.content for child in kept[1:end]).strip()
