"""What every inbound channel needs before its first message: the text models loaded.
Answering the message itself is ``lifeline.conversations.answering``, shared with the web."""

from __future__ import annotations

import asyncio


async def warm_up_understanding() -> None:
    """Load the masker and the language models (training the intent model if none is cached)
    off the event loop, before a channel takes its first message; cheap once loaded."""
    from lifeline.nlu.parser import warm_up as warm_up_parser
    from lifeline.security.masking import warm_up as warm_up_masking

    await asyncio.to_thread(warm_up_masking)
    await asyncio.to_thread(warm_up_parser)
