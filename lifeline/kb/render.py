"""Turning stored article Markdown into what customers read: placeholders filled, HTML sanitised."""

from __future__ import annotations

from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt

from lifeline.config import Settings
from lifeline.kb.content import render_placeholders
from lifeline.security.verifier import OfficialChannels, configured_registry

# Raw HTML in Markdown is escaped by markdown-it (html=False); nh3 is the second wall, so a
# link with a javascript: URL or an event handler never reaches a page either way.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "img",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def markdown_to_html(markdown: str) -> str:
    return sanitize_html(_markdown.render(markdown))


def official_channels_markdown(registry: OfficialChannels, lang: str) -> str:
    zh = lang.startswith("zh")
    lines: list[str] = []
    for domain in registry.domains:
        lines.append(
            f"- {'官方网站' if zh else 'Website'}: `{domain}` "
            f"{'(及其子域名)' if zh else '(and its subdomains)'}"
        )
    for domain in registry.email_domains:
        lines.append(f"- {'官方邮箱' if zh else 'Email'}: `@{domain}`")
    for phone in registry.phones:
        lines.append(f"- {'官方电话' if zh else 'Phone'}: `{phone}`")
    platform_names = {"x": "X (Twitter)", "telegram": "Telegram"}
    for platform, handles in registry.handles.items():
        for handle in handles:
            name = platform_names.get(platform, platform.title())
            lines.append(f"- {name}: `@{handle.lstrip('@')}`")
    return "\n".join(lines)


def placeholder_values(settings: Settings, lang: str) -> dict[str, str]:
    registry = configured_registry(settings.official_channels_file)
    return {
        "exchange_name": settings.exchange_name,
        "website": settings.exchange_website,
        "support_email": settings.support_email,
        "official_channels": official_channels_markdown(registry, lang),
    }


def fill(text: str, values: Mapping[str, str]) -> str:
    return render_placeholders(text, values)
