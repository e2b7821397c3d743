"""The help-center pages, rendered in both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from lifeline.context import AppContext
from lifeline.db import transaction
from lifeline.kb.content import CONTENT_DIR, load_bundled_articles
from lifeline.kb.service import import_articles
from lifeline.security.audit import Actor


@pytest.fixture
async def articles(context: AppContext, tmp_path: Path) -> None:
    for lang in ("en", "zh"):
        (tmp_path / lang).mkdir()
        for slug in ("liquidation", "deposit-not-credited", "verify-official-channels"):
            shutil.copy(CONTENT_DIR / lang / f"{slug}.md", tmp_path / lang / f"{slug}.md")
    async with transaction(context.sessionmaker) as session:
        await import_articles(
            session,
            context.settings,
            load_bundled_articles(tmp_path),
            Actor(type="test"),
            context.knowledge,
        )


async def test_root_redirects_by_accept_language(client: httpx.AsyncClient) -> None:
    zh = await client.get("/help", headers={"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.8"})
    assert zh.status_code == 307 and zh.headers["location"] == "/help/zh/"
    en = await client.get("/", headers={"Accept-Language": "fr-FR,en;q=0.5"})
    assert en.headers["location"] == "/help/en/"


@pytest.mark.parametrize(
    ("lang", "heading", "category", "title"),
    [
        ("en", "Browse by topic", "Futures &amp; margin", "Liquidation"),
        ("zh", "按主题浏览", "合约与杠杆", "爆仓与强制平仓机制"),
    ],
)
async def test_home_lists_categories_in_the_language(
    client: httpx.AsyncClient, articles: None, lang: str, heading: str, category: str, title: str
) -> None:
    page = await client.get(f"/help/{lang}/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert heading in page.text and category in page.text and title in page.text
    assert 'name="viewport"' in page.text  # readable on a phone


async def test_article_page_renders_sanitised_content_and_feedback(
    client: httpx.AsyncClient, articles: None
) -> None:
    page = await client.get("/help/zh/articles/verify-official-channels")
    assert page.status_code == 200
    assert "如何验证官方渠道" in page.text
    assert "demoexchange.com" in page.text
    assert 'data-slug="verify-official-channels"' in page.text
    assert 'href="/help/en/articles/verify-official-channels"' in page.text  # language switch
    assert "{{" not in page.text


async def test_category_and_search_pages(client: httpx.AsyncClient, articles: None) -> None:
    category = await client.get("/help/en/categories/futures")
    assert category.status_code == 200 and "Liquidation" in category.text
    search = await client.get("/help/zh/search", params={"q": "爆仓了"})
    assert search.status_code == 200
    assert 'href="/help/zh/articles/liquidation"' in search.text
    empty = await client.get("/help/en/search", params={"q": "<script>alert(1)</script>"})
    assert empty.status_code == 200
    assert "<script>alert(1)</script>" not in empty.text  # echoed query is escaped
    assert "&lt;script&gt;" in empty.text


async def test_unknown_pages_are_404s(client: httpx.AsyncClient, articles: None) -> None:
    assert (await client.get("/help/en/articles/no-such-thing")).status_code == 404
    assert (await client.get("/help/en/categories/casino")).status_code == 404
    assert (await client.get("/help/fr/")).status_code == 404


def test_every_interface_string_exists_in_every_language() -> None:
    from lifeline.web.i18n import available_languages, messages

    keys = {lang: set(messages(lang)) for lang in available_languages()}
    assert {"en", "zh"} <= set(keys)
    assert keys["zh"] == keys["en"]
