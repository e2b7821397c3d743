"""Help-center search: content parsing, synonyms, ranking, updates, language fallback."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeline.kb import search as search_module
from lifeline.kb.content import (
    ArticleFormatError,
    common_questions,
    load_bundled_articles,
    markdown_to_text,
    parse_article,
    render_placeholders,
)
from lifeline.kb.search import (
    SearchDocument,
    SearchIndex,
    document_from_article,
    embed_documents,
    embedding_texts,
)
from lifeline.kb.synonyms import SynonymFileError, SynonymTable, default_synonyms
from lifeline.nlu.embeddings import DIMENSIONS, Vectors
from lifeline.nlu.text import normalize, tokenize

ARTICLE = """---
slug: withdrawal-late
lang: en
title: Withdrawal is late
category: deposits-withdrawals
tags: [withdrawal, no]
keywords: [money not out yet, 2024, yes]
related: [network-fees]
status: published
summary: {{ exchange_name }} sends most withdrawals within minutes.
---
Intro for {{ exchange_name }} customers.

## Common questions

**Why is it still processing?**
Busy networks take longer.

**Can I cancel it?**
Only while it is under review.
"""


# --- content --------------------------------------------------------------------------------


def test_parse_article_reads_front_matter_and_keeps_placeholders() -> None:
    article = parse_article(ARTICLE)
    assert article.slug == "withdrawal-late"
    assert article.category == "deposits-withdrawals"
    # YAML would turn these into False, 2024 and True; they are keywords, so strings.
    assert article.tags == ("withdrawal", "no")
    assert article.keywords == ("money not out yet", "2024", "yes")
    assert article.summary.startswith("{{ exchange_name }} sends")
    assert "{{ exchange_name }}" in article.body


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter here", "no front matter"),
        ("---\nslug: a\n  bad: [\n---\nbody", "not valid YAML"),
        (ARTICLE.replace("category: deposits-withdrawals", "category: lottery"), "category"),
        (ARTICLE.replace("lang: en", "lang: fr"), "lang"),
        (ARTICLE.replace("slug: withdrawal-late", "slug: Withdrawal Late"), "slug"),
        (ARTICLE.replace("status: published", "status: published\nauthor: x"), "author"),
        (ARTICLE.replace("summary:", "summery:"), "summary"),
    ],
)
def test_parse_article_rejects_bad_front_matter_with_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ArticleFormatError, match=message) as error:
        parse_article(text, source="zh/withdrawal-late.md")
    assert "zh/withdrawal-late.md" in str(error.value)


def test_render_placeholders_fills_known_names_and_leaves_unknown_ones() -> None:
    text = "Welcome to {{ exchange_name }}! Write to {{support_email}}. {{ unknown }}"
    rendered = render_placeholders(text, {"exchange_name": "DemoX", "support_email": "s@x.io"})
    assert rendered == "Welcome to DemoX! Write to s@x.io. {{ unknown }}"


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=40))
def test_render_placeholders_leaves_text_without_placeholders_alone(text: str) -> None:
    assert render_placeholders(text, {"exchange_name": "DemoX"}) == text


_WORD = st.text(alphabet="abcxyz019充值提现", min_size=1, max_size=8)


@settings(max_examples=50)
@given(st.lists(st.lists(_WORD, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=6))
def test_keywords_survive_parsing_exactly(keywords: list[str]) -> None:
    text = ARTICLE.replace("[money not out yet, 2024, yes]", "[" + ", ".join(keywords) + "]")
    assert parse_article(text).keywords == tuple(keywords)


def test_loader_checks_file_names_and_folders(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "withdrawal-late.md").write_text(ARTICLE, encoding="utf-8")
    assert [a.key for a in load_bundled_articles(tmp_path)] == [("withdrawal-late", "en")]
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "withdrawal-late.md").write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(ArticleFormatError, match="folder"):
        load_bundled_articles(tmp_path)


def test_bundled_articles_all_parse() -> None:
    articles = load_bundled_articles()
    assert articles, "the help center ships articles"
    assert {article.lang for article in articles} == {"en", "zh"}


def test_markdown_is_flattened_and_common_questions_are_found() -> None:
    body = parse_article(ARTICLE).body
    text = markdown_to_text("# Title\n\nSee [the fees](/help/en/articles/network-fees) **now**.")
    assert text == "Title\nSee the fees now."
    assert common_questions(body) == ["Why is it still processing?", "Can I cancel it?"]


def test_document_from_article_fills_or_drops_placeholders() -> None:
    article = parse_article(ARTICLE)
    filled = document_from_article(article, {"exchange_name": "DemoX"})
    assert filled.summary.startswith("DemoX sends") and "{{" not in filled.body
    dropped = document_from_article(article)
    assert "exchange_name" not in dropped.summary + dropped.body
    assert dropped.questions == ("Why is it still processing?", "Can I cancel it?")


# --- a small help center ------------------------------------------------------------------------

# (slug, lang, title, summary, keywords, body): deliberately plain wording, so that slang,
# typos and the other language can only match through synonyms, correction and embeddings.
DOCS = [
    ("late-payout", "en", "Withdrawal delayed", "Why a withdrawal takes longer.",
     ("withdrawal pending",), "A withdrawal waits for network confirmations and reviews."),
    ("late-payout", "zh", "提现延迟", "提现为什么比较慢。",
     ("提现处理中",), "提现需要等待区块确认和安全审核。"),
    ("wrong-chain", "en", "Deposit on the wrong network", "Recovering coins sent on the wrong network.",
     ("wrong network",), "If you deposit on an unsupported network, file a recovery request."),
    ("wrong-chain", "zh", "充值选错网络", "选错网络的充值如何找回。",
     ("选错网络",), "如果充值时选错网络,请提交找回申请。"),
    ("authenticator", "en", "Reset two-factor authentication", "Lost your authenticator app?",
     ("reset 2fa",), "Reset two-factor authentication after an identity check."),
    ("authenticator", "zh", "重置二次验证", "身份验证器丢失怎么办。",
     ("重置二次验证",), "通过身份核验后即可重置二次验证。"),
    ("margin-call", "en", "Liquidation", "How liquidation works in futures.",
     ("liquidation price",), "When your margin ratio falls too low, the position is liquidated."),
    ("margin-call", "zh", "强制平仓说明", "合约强平机制。",
     ("强平价格",), "保证金率过低时,仓位会被强制平仓。"),
    ("stolen-account", "en", "Account compromised", "Someone else used your account.",
     ("account hacked",), "Freeze your account, change your password and contact support."),
    ("stolen-account", "zh", "账户被盗", "有人盗用了你的账户。",
     ("账户被盗",), "立即冻结账户,修改密码并联系客服。"),
    ("usdt-networks", "en", "Which USDT networks are supported", "TRC20, ERC20 and more.",
     ("usdt network",), "USDT can be deposited on TRC20, ERC20 and BEP20."),
    ("p2p-appeal", "en", "Appeal a P2P order", "When the seller does not release coins.",
     ("p2p appeal",), "If the seller does not release the coins after you paid, open an appeal."),
    ("contract-deposit", "en", "Deposit sent to a contract address",
     "Tokens sent to a token contract address.", ("contract address",),
     "A transfer to a contract address cannot always be recovered."),
]  # fmt: skip


def _doc(row: tuple[str, str, str, str, tuple[str, ...], str], **extra: object) -> SearchDocument:
    slug, lang, title, summary, keywords, body = row
    return SearchDocument(slug, lang, title, summary, keywords, (), body, (), **extra)  # type: ignore[arg-type]


def _flat_embedding(text: str) -> Vectors:
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[0] = 1.0
    return vector


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """Lexical and semantic, with the real multilingual embeddings."""
    return SearchIndex.from_documents(_doc(row) for row in DOCS)


@pytest.fixture(scope="module")
def lexical_index() -> SearchIndex:
    """Every vector identical: rankings come from words, synonyms and corrections alone."""
    flat = _flat_embedding("")
    return SearchIndex.from_documents(
        (_doc(row, embedding=flat) for row in DOCS), embed_query=_flat_embedding
    )


def _top(index: SearchIndex, query: str, lang: str = "en") -> str:
    hits = index.search(query, lang, limit=3)
    assert hits, f"no result for {query!r}"
    return hits[0].slug


@pytest.mark.parametrize(
    ("query", "lang", "slug"),
    [
        ("提币一直没到", "zh", "late-payout"),  # 提币 = 提现
        ("cash out still processing", "en", "late-payout"),
        ("谷歌验证丢了", "zh", "authenticator"),  # 谷歌验证 = 2FA
        ("lost google authenticator", "en", "authenticator"),
        ("爆仓了", "zh", "margin-call"),  # 爆仓 = 强平 = liquidation
        ("got rekt on my perp", "en", "margin-call"),
        ("充错链了", "zh", "wrong-chain"),  # 充错链 = wrong network
        ("怎么转U", "zh", "usdt-networks"),  # U = USDT in Chinese text
        ("merchant won't release my crypto", "en", "p2p-appeal"),
    ],
)
def test_synonyms_and_slang_match_lexically(
    lexical_index: SearchIndex, query: str, lang: str, slug: str
) -> None:
    assert _top(lexical_index, query, lang) == slug


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("withdrawl pendng", "late-payout"),
        ("acount hackd", "stolen-account"),
        ("liquidaton price", "margin-call"),
    ],
)
def test_english_typos_are_corrected(lexical_index: SearchIndex, query: str, slug: str) -> None:
    assert _top(lexical_index, query) == slug


def test_traditional_characters_match_simplified_articles(lexical_index: SearchIndex) -> None:
    assert _top(lexical_index, "帳戶被盜了怎麼辦", "zh") == "stolen-account"
    assert _top(lexical_index, "提現延遲", "zh") == "late-payout"


def test_mixed_chinese_english_queries(lexical_index: SearchIndex) -> None:
    assert _top(lexical_index, "提现 pending 很久", "zh") == "late-payout"
    assert _top(lexical_index, "my 2FA 丢了", "en") == "authenticator"


def test_chinese_query_finds_english_only_article_through_bridges(
    lexical_index: SearchIndex,
) -> None:
    hit = lexical_index.search("申诉 卖家不放币", "zh", limit=1)[0]
    assert (hit.slug, hit.lang) == ("p2p-appeal", "en")  # no Chinese version: falls back


def test_results_come_back_in_the_requested_language(index: SearchIndex) -> None:
    hit = index.search("how do I reset two-factor authentication", "zh", limit=1)[0]
    assert (hit.slug, hit.lang, hit.title) == ("authenticator", "zh", "重置二次验证")
    hit = index.search("账户被盗", "en", limit=1)[0]
    assert (hit.slug, hit.lang) == ("stolen-account", "en")


def test_meaning_is_found_without_shared_words(index: SearchIndex) -> None:
    # None of these words occur in the target article, in either language.
    assert _top(index, "somebody else is logged in as me and moved my funds") == "stolen-account"
    assert _top(index, "我的仓位被系统自动平掉了", "zh") == "margin-call"


def test_exclusive_compounds_do_not_leak_their_parts() -> None:
    synonyms = default_synonyms()
    found = synonyms.concepts(normalize("合约地址"), tokenize("合约地址"))
    futures = synonyms.concepts(normalize("永续合约"), tokenize("永续合约"))
    assert not set(found) & set(futures)  # a contract address is not a futures contract
    both = synonyms.concepts(normalize("暂停提现"), tokenize("暂停提现"))
    withdraw = synonyms.concepts(normalize("提币"), tokenize("提币"))
    assert set(withdraw) <= set(both)  # but "suspended withdrawals" is about withdrawals


def test_latin_shorthand_for_chinese_text_only() -> None:
    synonyms = SynonymTable([["usdt", "泰达币", "zh:u"], ["提现", "withdraw"]])
    assert "≈usdt" in synonyms.concepts(normalize("提U"), tokenize("提U"))
    assert "≈usdt" not in synonyms.concepts(normalize("can u help"), tokenize("can u help"))


def test_synonym_file_mistakes_are_reported() -> None:
    with pytest.raises(SynonymFileError, match="shorter than 2"):
        SynonymTable([["币", "coin"]])  # one character would match inside every other word
    with pytest.raises(SynonymFileError, match="two entries"):
        SynonymTable([["提现"]])


def test_typo_correction_needs_a_close_word() -> None:
    index = SearchIndex.from_documents(
        [SearchDocument("a", "en", "Prevent fraud", body="Passwords and deposits.",
                        embedding=_flat_embedding(""))],
        synonyms=SynonymTable([["提现", "withdraw"]]),
        embed_query=_flat_embedding,
    )  # fmt: skip
    assert index._correct("prevnet") == "prevent"  # a transposition is one edit
    assert index._correct("passwrods") == "password"  # stemmed vocabulary
    assert index._correct("pretend") is None  # two edits from "prevent": not a typo
    assert index._correct("xrevent") is None  # first letters are rarely mistyped


def test_scores_are_between_zero_and_one_and_rank_relevance(index: SearchIndex) -> None:
    good = index.search("withdrawal delayed", "en", limit=1)[0]
    unrelated = index.search("recipe for tomato soup", "en", limit=1)[0]
    assert 0.0 <= unrelated.score < good.score <= 1.0


def test_empty_inputs() -> None:
    empty = SearchIndex(embed_query=_flat_embedding)
    assert empty.search("anything", "en") == []
    populated = SearchIndex.from_documents(
        [_doc(DOCS[0], embedding=_flat_embedding(""))], embed_query=_flat_embedding
    )
    assert populated.search("   ", "en") == []
    assert populated.search("withdrawal", "en", limit=0) == []


# --- updates ------------------------------------------------------------------------------------


def _no_meaning(text: str) -> Vectors:
    return np.zeros(DIMENSIONS, dtype=np.float32)


def _small_index() -> SearchIndex:
    """Queries have no vector, so a score above zero means words matched."""
    flat = _flat_embedding("")
    return SearchIndex.from_documents(
        [_doc(row, embedding=flat) for row in DOCS[:4]], embed_query=_no_meaning
    )


def _matched(index: SearchIndex, query: str, lang: str = "en") -> list[str]:
    return [hit.slug for hit in index.search(query, lang) if hit.score > 0]


def test_upsert_adds_and_replaces_documents() -> None:
    index = _small_index()
    flat = _flat_embedding("")
    assert _matched(index, "staking rewards") == []
    index.upsert(SearchDocument("stake", "en", "Staking rewards", body="Rewards arrive daily.",
                                embedding=flat))  # fmt: skip
    assert _top(index, "staking rewards") == "stake"
    index.upsert(SearchDocument("stake", "en", "Savings interest", body="Interest is paid weekly.",
                                embedding=flat))  # fmt: skip
    assert _top(index, "savings interest") == "stake"
    assert _matched(index, "rewards daily") == []
    assert len(index) == 5


def test_remove_one_language_or_the_whole_article() -> None:
    index = _small_index()
    assert index.remove("late-payout", "zh") == 1
    hit = index.search("提现延迟", "zh", limit=1)[0]
    assert (hit.slug, hit.lang) == ("late-payout", "en")  # the English version remains
    assert index.remove("late-payout") == 1
    assert "late-payout" not in _matched(index, "withdrawal delayed")
    assert index.remove("no-such-article") == 0
    assert sorted(index.keys()) == [("wrong-chain", "en"), ("wrong-chain", "zh")]


def test_removed_slots_are_reused_without_leaking_old_terms() -> None:
    index = _small_index()
    flat = _flat_embedding("")
    index.remove("wrong-chain")
    index.upsert(SearchDocument("fees", "en", "Trading fees", body="Maker and taker.",
                                embedding=flat))  # fmt: skip
    assert _top(index, "maker taker fees") == "fees"
    assert "fees" not in _matched(index, "wrong network deposit")


def test_stored_embeddings_are_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    [embedded] = embed_documents([_doc(DOCS[0])])
    assert embedded.embedding is not None
    assert embedded.embedding.shape == (len(embedding_texts(embedded)), DIMENSIONS)

    def no_embedding(texts: object) -> None:
        raise AssertionError("the index must not recompute stored embeddings")

    monkeypatch.setattr(search_module, "embed", no_embedding)
    index = SearchIndex(embed_query=_flat_embedding)
    index.upsert(embedded)
    assert index.search("withdrawal", "en")[0].slug == "late-payout"


def test_embedding_shape_is_checked() -> None:
    with pytest.raises(ValueError, match="shape"):
        SearchDocument("a", "en", "A", embedding=np.zeros((2, 3), dtype=np.float32))


def test_searches_stay_consistent_while_documents_change() -> None:
    index = _small_index()
    flat = _flat_embedding("")
    errors: list[BaseException] = []
    stop = threading.Event()

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                while not stop.is_set():
                    work()
            except BaseException as error:  # reported by the assertion below
                errors.append(error)
                stop.set()

        return run

    def read() -> None:
        hits = index.search("withdrawal delayed", "en")
        assert hits and hits[0].slug == "late-payout"

    def write() -> None:
        for number in range(50):
            index.upsert(SearchDocument(f"extra-{number}", "en", f"Topic {number}",
                                        body="Unrelated text.", embedding=flat))  # fmt: skip
        for number in range(50):
            index.remove(f"extra-{number}")

    threads = [threading.Thread(target=guarded(read)) for _ in range(3)]
    threads.append(threading.Thread(target=guarded(write)))
    for thread in threads:
        thread.start()
    threading.Event().wait(1.0)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(index) == 4


def test_incremental_updates_score_like_a_fresh_index() -> None:
    """Upserts and removals after queries (which snapshot the postings as arrays) must give
    the same scores as an index built from scratch with the final documents."""
    flat = _flat_embedding("")
    queries = ["withdrawal delayed", "提现延迟", "wrong network", "reset 2fa", "liquidation price"]
    updated = _small_index()
    for query in queries:
        updated.search(query, "en")
    final = [_doc(row, embedding=flat) for row in DOCS[2:8]]
    final[0] = SearchDocument("wrong-chain", "en", "Deposit on a wrong network",
                              body="Recover it with a request.", embedding=flat)  # fmt: skip
    updated.remove("late-payout")
    for doc in final:
        updated.upsert(doc)
    fresh = SearchIndex.from_documents(final, embed_query=_no_meaning)
    for query in queries:
        got = [(hit.slug, hit.lang, hit.score) for hit in updated.search(query, "en")]
        expected = [(hit.slug, hit.lang, hit.score) for hit in fresh.search(query, "en")]
        assert [g[:2] for g in got] == [e[:2] for e in expected]
        assert [g[2] for g in got] == pytest.approx([e[2] for e in expected], abs=1e-3)


_VERSIONS = [
    _doc(row, embedding=_flat_embedding("")) for row in DOCS[:8]
] + [
    SearchDocument("late-payout", "en", "Payout waiting", body="Reviews take a day.",
                   embedding=_flat_embedding("")),
    SearchDocument("margin-call", "zh", "爆仓", body="仓位被强平。", embedding=_flat_embedding("")),
]  # fmt: skip
_PROBES = ["withdrawal review", "提现", "wrong network", "reset 2fa", "爆仓 强平", "margin ratio"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(min_value=0, max_value=len(_VERSIONS) - 1)),
        max_size=25,
    )
)
def test_any_sequence_of_updates_matches_a_fresh_build(operations: list[tuple[bool, int]]) -> None:
    index = SearchIndex.from_documents(_VERSIONS[:4], embed_query=_no_meaning)
    for probe in _PROBES:
        index.search(probe, "en")  # snapshots postings, so later updates go through changes
    current = {doc.key: doc for doc in _VERSIONS[:4]}
    for is_upsert, number in operations:
        doc = _VERSIONS[number]
        if is_upsert:
            index.upsert(doc)
            current[doc.key] = doc
        else:
            index.remove(doc.slug, doc.lang)
            current.pop(doc.key, None)
    fresh = SearchIndex.from_documents(current.values(), embed_query=_no_meaning)
    assert sorted(index.keys()) == sorted(current)
    for probe in _PROBES:
        got = {hit.slug: (hit.lang, hit.score) for hit in index.search(probe, "zh", limit=20)}
        want = {hit.slug: (hit.lang, hit.score) for hit in fresh.search(probe, "zh", limit=20)}
        assert got.keys() == want.keys()
        for slug, (lang, score) in want.items():
            assert got[slug][0] == lang
            assert got[slug][1] == pytest.approx(score, abs=2e-3)


def test_bulk_load_leaves_the_garbage_collector_as_it_found_it() -> None:
    flat = _flat_embedding("")
    docs = [SearchDocument(f"a{n}", "en", f"Topic {n}", embedding=flat) for n in range(80)]
    assert gc.isenabled()
    index = SearchIndex.from_documents(docs, embed_query=_no_meaning)
    assert gc.isenabled() and len(index) == 80
    gc.disable()
    try:
        SearchIndex.from_documents(docs, embed_query=_no_meaning)
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()
