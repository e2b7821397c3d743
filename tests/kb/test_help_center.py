"""The help center through its public surface: import, editing with revisions, publishing,
sanitising, search (synonyms, cross-language), feedback and content gaps."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.accounts.models import Role
from lifeline.config import Settings
from lifeline.context import AppContext
from lifeline.db import transaction
from lifeline.kb.content import CONTENT_DIR, load_bundled_articles
from lifeline.kb.service import import_articles
from lifeline.security.audit import Actor
from tests.support.factories import make_agent, sign_in


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """The real elements of a page (escaped text that merely mentions a tag is not one)."""
    collector = _TagCollector()
    collector.feed(html)
    return collector.tags


SOME = [
    "deposit-not-credited",
    "withdrawal-delayed",
    "liquidation",
    "enable-2fa",
    "reset-2fa",
    "wrong-network-deposit",
    "verify-official-channels",
]


def copy_articles(target: Path, slugs: list[str]) -> Path:
    for lang in ("en", "zh"):
        (target / lang).mkdir(parents=True, exist_ok=True)
        for slug in slugs:
            shutil.copy(CONTENT_DIR / lang / f"{slug}.md", target / lang / f"{slug}.md")
    return target


async def load(context: AppContext, root: Path | None = None) -> None:
    async with transaction(context.sessionmaker) as session:
        await import_articles(
            session,
            context.settings,
            load_bundled_articles(root),
            Actor(type="test"),
            context.knowledge,
        )


@pytest.fixture
async def some_articles(context: AppContext, tmp_path: Path) -> Path:
    root = copy_articles(tmp_path / "content", SOME)
    await load(context, root)
    return root


async def editor(client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await make_agent(sessionmaker, "editor@example.com", role=Role.KB_EDITOR)
    await sign_in(client, "editor@example.com")


async def test_bundled_content_covers_every_catalog_slug_in_both_languages(
    context: AppContext, client: httpx.AsyncClient
) -> None:
    await load(context)
    catalog = Path(__file__).resolve().parents[3] / "shared" / "catalog" / "articles.tsv"
    slugs = [line.split("\t")[0] for line in catalog.read_text().splitlines()[1:] if line]
    listed = {a["slug"] for a in (await client.get("/api/v1/kb/articles?lang=zh")).json()}
    assert set(slugs) <= listed
    for slug in slugs:
        for lang in ("en", "zh"):
            article = (
                await client.get(f"/api/v1/kb/articles/{slug}", params={"lang": lang})
            ).json()
            assert article["lang"] == lang
            assert "{{" not in article["html"], slug  # placeholders are filled
    channels = (await client.get("/api/v1/kb/articles/verify-official-channels")).json()["html"]
    assert "@demoexchange_cn" in channels  # {{ official_channels }} expands the registry


async def test_reimport_is_idempotent_and_changes_make_revisions(
    context: AppContext,
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    some_articles: Path,
) -> None:
    async with transaction(context.sessionmaker) as session:
        report = await import_articles(
            session, context.settings, load_bundled_articles(some_articles), Actor(type="test")
        )
    assert report.created == [] and report.updated == []
    assert sorted(report.unchanged) == sorted(SOME)

    path = some_articles / "en" / "liquidation.md"
    path.write_text(path.read_text().replace("## ", "## Updated: ", 1))
    async with transaction(context.sessionmaker) as session:
        report = await import_articles(
            session, context.settings, load_bundled_articles(some_articles), Actor(type="test")
        )
    assert report.updated == ["liquidation"]
    await editor(client, sessionmaker)
    revisions = (await client.get("/api/v1/kb/manage/articles/liquidation/revisions")).json()
    english = [r for r in revisions if r["lang"] == "en"]
    assert [r["version"] for r in english] == [2, 1]
    assert "Updated: " in english[0]["body_markdown"]


async def test_editing_restoring_and_publishing(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], some_articles: Path
) -> None:
    await editor(client, sessionmaker)
    created = await client.post(
        "/api/v1/kb/manage/articles",
        json={
            "slug": "staking-rewards",
            "category": "web3-wallet",
            "translations": {
                "en": {
                    "title": "Staking rewards",
                    "summary": "When rewards arrive.",
                    "body": "Rewards are paid daily at 00:00 UTC.",
                    "keywords": ["staking"],
                },
                "zh": {
                    "title": "质押收益",
                    "summary": "收益何时到账。",
                    "body": "收益每天00:00 UTC发放。",
                },
            },
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft"
    # A draft is invisible to customers and to search.
    assert (await client.get("/api/v1/kb/articles/staking-rewards")).status_code == 404
    search = (
        await client.get("/api/v1/kb/search", params={"q": "staking rewards paid daily"})
    ).json()
    assert "staking-rewards" not in [r["slug"] for r in search["results"]]

    published = await client.post("/api/v1/kb/manage/articles/staking-rewards/publish")
    assert published.json()["status"] == "published"
    search = (
        await client.get("/api/v1/kb/search", params={"q": "when are staking rewards paid"})
    ).json()
    assert search["results"][0]["slug"] == "staking-rewards"

    edited = await client.patch(
        "/api/v1/kb/manage/articles/staking-rewards",
        json={
            "translations": {
                "en": {
                    "title": "Staking rewards",
                    "body": "Rewards are paid weekly.",
                    "summary": "When rewards arrive.",
                    "note": "policy change",
                }
            }
        },
    )
    assert edited.status_code == 200
    revisions = (await client.get("/api/v1/kb/manage/articles/staking-rewards/revisions")).json()
    first_english = next(r for r in revisions if r["lang"] == "en" and r["version"] == 1)
    assert revisions[0]["note"] == "policy change"
    restored = await client.post(
        f"/api/v1/kb/manage/articles/staking-rewards/revisions/{first_english['id']}/restore"
    )
    english = next(t for t in restored.json()["translations"] if t["lang"] == "en")
    assert english["body_markdown"] == "Rewards are paid daily at 00:00 UTC."
    assert english["version"] == 3

    await client.post("/api/v1/kb/manage/articles/staking-rewards/unpublish")
    assert (await client.get("/api/v1/kb/articles/staking-rewards")).status_code == 404


async def test_only_editors_edit(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await make_agent(sessionmaker, "agent@example.com", role=Role.AGENT)
    await sign_in(client, "agent@example.com")
    response = await client.post(
        "/api/v1/kb/manage/articles",
        json={
            "slug": "x",
            "category": "support",
            "translations": {"en": {"title": "x", "body": "x"}},
        },
    )
    assert response.status_code == 403
    assert (await client.get("/api/v1/kb/gaps")).status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "<iframe src='https://evil.example'></iframe>",
        "[x](JaVaScRiPt:alert(document.cookie))",
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    ],
)
async def test_hostile_markdown_is_rendered_inert(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], payload: str
) -> None:
    await make_agent(sessionmaker, "editor@example.com", role=Role.ADMIN)
    await sign_in(client, "editor@example.com")
    created = await client.post(
        "/api/v1/kb/manage/articles",
        json={
            "slug": "hostile",
            "category": "support",
            "status": "published",
            "translations": {"en": {"title": "Hostile", "body": f"Text {payload} end"}},
        },
    )
    assert created.status_code == 201, created.text
    html = (await client.get("/api/v1/kb/articles/hostile")).json()["html"]
    tags = parse_tags(html)
    assert not {"script", "iframe", "img"} & {tag for tag, _ in tags}
    for _, attributes in tags:
        assert not any(name.startswith("on") for name in attributes)
        for name in ("href", "src"):
            value = (attributes.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:"))


async def test_unknown_category_or_language_is_a_clear_422(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await editor(client, sessionmaker)
    bad_category = await client.post(
        "/api/v1/kb/manage/articles",
        json={
            "slug": "x",
            "category": "casino",
            "translations": {"en": {"title": "x", "body": "x"}},
        },
    )
    assert bad_category.status_code == 422
    assert "category" in bad_category.json()["error"]["details"]
    bad_language = await client.post(
        "/api/v1/kb/manage/articles",
        json={
            "slug": "x",
            "category": "support",
            "translations": {"fr": {"title": "x", "body": "x"}},
        },
    )
    assert bad_language.status_code == 422
    assert bad_language.json()["error"]["details"]["languages"] == ["fr"]


@pytest.mark.parametrize(
    ("query", "lang", "slug"),
    [
        ("提币一直没到", "zh", "withdrawal-delayed"),  # 提币 = 提现
        ("谷歌验证丢了怎么办", "zh", "reset-2fa"),  # 谷歌验证 = 2FA
        ("爆仓是怎么算的", "zh", "liquidation"),
        ("充错链了", "zh", "wrong-network-deposit"),
        ("my withdrawl is stuck", "en", "withdrawal-delayed"),  # typo
        ("how do I turn on two-factor", "en", "enable-2fa"),
        ("充值記錄找不到", "zh", "deposit-not-credited"),  # Traditional characters
        ("USDT deposit 没到账", "zh", "deposit-not-credited"),  # mixed language
        ("is this telegram account really yours", "en", "verify-official-channels"),
    ],
)
async def test_forgiving_search(
    client: httpx.AsyncClient, some_articles: Path, query: str, lang: str, slug: str
) -> None:
    results = (await client.get("/api/v1/kb/search", params={"q": query, "lang": lang})).json()
    assert results["results"][0]["slug"] == slug, results


async def test_cross_language_search_answers_in_the_requested_language(
    client: httpx.AsyncClient, some_articles: Path
) -> None:
    english = (await client.get("/api/v1/kb/search", params={"q": "爆仓", "lang": "en"})).json()
    top = english["results"][0]
    assert top["slug"] == "liquidation"
    assert top["lang"] == "en" and top["title"] == "Liquidation"
    assert top["url"] == "/help/en/articles/liquidation"
    chinese = (
        await client.get("/api/v1/kb/search", params={"q": "liquidated position", "lang": "zh"})
    ).json()
    assert chinese["results"][0]["lang"] == "zh"


async def test_feedback_is_aggregated_per_article_and_language(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], some_articles: Path
) -> None:
    for helpful in (True, True, False):
        response = await client.post(
            "/api/v1/kb/articles/liquidation/feedback", json={"lang": "zh", "helpful": helpful}
        )
        assert response.status_code == 204
    await client.post(
        "/api/v1/kb/articles/liquidation/feedback", json={"lang": "en", "helpful": False}
    )
    missing = await client.post(
        "/api/v1/kb/articles/nope/feedback", json={"lang": "en", "helpful": True}
    )
    assert missing.status_code == 404
    await editor(client, sessionmaker)
    summary = (await client.get("/api/v1/kb/feedback")).json()
    assert {"slug": "liquidation", "lang": "zh", "helpful": 2, "not_helpful": 1} in summary
    assert {"slug": "liquidation", "lang": "en", "helpful": 0, "not_helpful": 1} in summary


async def test_searches_that_find_nothing_good_become_gaps(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], some_articles: Path
) -> None:
    for _ in range(2):
        await client.get("/api/v1/kb/search", params={"q": "recipe for banana bread", "lang": "en"})
    await client.get("/api/v1/kb/search", params={"q": "deposit not credited", "lang": "en"})
    await editor(client, sessionmaker)
    gaps = (await client.get("/api/v1/kb/gaps")).json()
    assert gaps[0]["query"] == "recipe for banana bread"
    assert gaps[0]["count"] == 2
    assert all(gap["query"] != "deposit not credited" for gap in gaps)


async def test_search_validates_its_input(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/kb/search", params={"q": ""})).status_code == 422
    assert (await client.get("/api/v1/kb/search", params={"q": "x" * 301})).status_code == 422
    assert (
        await client.get("/api/v1/kb/search", params={"q": "x", "lang": "<b>"})
    ).status_code == 422
    assert (await client.get("/api/v1/kb/search", params={"q": "x", "limit": 0})).status_code == 422


async def test_another_process_sees_published_changes(
    context: AppContext, settings: Settings, client: httpx.AsyncClient, some_articles: Path
) -> None:
    """A second server process (its own in-memory index) picks up a change made elsewhere."""
    from lifeline.kb.index import KnowledgeIndex

    other = KnowledgeIndex(settings)
    async with transaction(context.sessionmaker) as session:
        await other.load(session)
    assert other.search("爆仓", "zh")[0].slug == "liquidation"
    async with transaction(context.sessionmaker) as session:
        from lifeline.kb.models import ArticleStatus
        from lifeline.kb.service import set_status

        await set_status(
            session, settings, "liquidation", ArticleStatus.DRAFT, Actor(type="test"), None
        )
    async with transaction(context.sessionmaker) as session:
        other._checked_at = 0.0  # skip the few-seconds throttle
        assert await other.refresh_if_stale(session)
    assert all(hit.slug != "liquidation" for hit in other.search("爆仓", "zh"))


async def test_loading_the_index_readies_the_sentence_encoder_for_the_articles_words(
    context: AppContext, settings: Settings, some_articles: Path
) -> None:
    """Customers echo the articles' words; the encoder's rows for them are computed at load."""
    from lifeline.kb.index import KnowledgeIndex
    from lifeline.nlu import embeddings
    from lifeline.nlu.classifier import embedding_source

    forward = embeddings._get_forward(embeddings._get_encoder())
    assert forward is not None
    forward.forget_tokens()
    liquidation = next(
        article
        for article in load_bundled_articles(some_articles)
        if article.slug == "liquidation" and article.lang == "zh"
    )
    words = forward._tokenize(embedding_source(liquidation.title))
    assert not any(token in forward._slot for token in words)

    async with transaction(context.sessionmaker) as session:
        await KnowledgeIndex(settings).load(session)
    assert all(token in forward._slot for token in words)
    assert forward.tokens_kept > len(set(words))
