"""``lifeline kb``: import articles and search the configured database."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from lifeline.config import Settings, get_settings
from lifeline.db import create_engine, create_sessionmaker, transaction
from lifeline.kb.content import load_bundled_articles
from lifeline.kb.index import KnowledgeIndex
from lifeline.kb.schemas import ImportReport
from lifeline.kb.service import import_articles
from lifeline.security.audit import Actor

app = typer.Typer(
    help="The help center: import articles, search.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


async def import_content(settings: Settings, path: Path | None) -> ImportReport:
    sources = load_bundled_articles(path)
    engine = create_engine(settings)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            return await import_articles(session, settings, sources, Actor(type="cli"))
    finally:
        await engine.dispose()


@app.command("import")
def import_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="A folder with <lang>/<slug>.md files; the bundled content if omitted."
        ),
    ] = None,
) -> None:
    """Load or update articles (unchanged ones are left alone, changes get a revision)."""
    from lifeline.migrations import upgrade_to_head

    settings = get_settings()
    upgrade_to_head(settings)
    report = asyncio.run(import_content(settings, path))
    typer.echo(
        f"created {len(report.created)}, updated {len(report.updated)}, "
        f"unchanged {len(report.unchanged)}"
    )


async def _load_index(settings: Settings) -> KnowledgeIndex:
    engine = create_engine(settings)
    try:
        index = KnowledgeIndex(settings)
        async with transaction(create_sessionmaker(engine)) as session:
            await index.load(session)
        return index
    finally:
        await engine.dispose()


def _results(index: KnowledgeIndex, query: str, lang: str, limit: int) -> list[dict[str, object]]:
    return [
        {"slug": hit.slug, "title": hit.title, "score": hit.score}
        for hit in index.search(query, lang, limit)
    ]


@app.command("search")
def search_command(
    query: Annotated[str | None, typer.Argument(help="What to search for.")] = None,
    lang: Annotated[str, typer.Option(help="Language of the results (zh or en).")] = "en",
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many results.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    jsonl: Annotated[
        bool,
        typer.Option("--jsonl", help='Read {"query", "lang"} lines from stdin, write results.'),
    ] = False,
) -> None:
    """Search the help center of the configured database."""
    if not jsonl and not query:
        raise typer.BadParameter("give a QUERY, or --jsonl to read queries from stdin")
    index = asyncio.run(_load_index(get_settings()))
    if not jsonl:
        assert query is not None
        results = _results(index, query, lang, limit)
        if as_json:
            typer.echo(json.dumps({"results": results}, ensure_ascii=False))
        else:
            for rank, result in enumerate(results, start=1):
                typer.echo(f"{rank}. {result['title']}  [{result['slug']}]  {result['score']}")
        return
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            text = str(request["query"])
            request_lang = str(request.get("lang") or lang)
        except (ValueError, KeyError, TypeError) as error:
            typer.echo(json.dumps({"error": f"line {number}: {error}", "results": []}), nl=True)
            continue
        results = _results(index, text, request_lang, limit)
        sys.stdout.write(json.dumps({"results": results}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
