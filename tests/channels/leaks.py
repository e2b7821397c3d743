"""A customer message full of secrets, and a scan of every stored text for any of them."""

from __future__ import annotations

import random
from typing import Any

from mnemonic import Mnemonic
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lifeline.db import Base

SEED_PHRASE = Mnemonic("english").to_mnemonic(random.Random(2026).randbytes(16))
PASSWORD = "Hunter2-Secret!9"
OTP_CODE = "482913"
TXID = "7f3a9c2e4b1d8f6a0c5e3b9d7a2f4c8e1b6d3a9f5c7e2b4d8a1f6c3e9b5d7a20"
SECRET_TEXT = (
    f"Hello, my withdrawal is stuck. TxID: {TXID}\n"
    f"My seed phrase is {SEED_PHRASE}\n"
    f"My password is {PASSWORD} and the 2FA code is {OTP_CODE}.\n"
)
# What must never be stored: the phrase (and any four of its words in a row), the password
# and the code.
FORBIDDEN = [
    SEED_PHRASE,
    *(" ".join(SEED_PHRASE.split()[i : i + 4]) for i in range(0, 9)),
    PASSWORD,
    OTP_CODE,
]


async def stored_texts(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    """Every value of every row of every table, as text (JSON columns included)."""
    texts: list[str] = []
    async with sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            for row in rows:
                texts.extend(_as_text(value) for value in row)
    return texts


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


async def assert_no_secret_stored(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    """Fails on any secret in the database; returns everything stored, joined, for more checks."""
    everything = "\n".join(await stored_texts(sessionmaker))
    for secret in FORBIDDEN:
        assert secret not in everything, f"a secret was stored: {secret[:6]}…"
    return everything
