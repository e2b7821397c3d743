"""Imports every domain's tables so that metadata (and Alembic) sees the whole schema."""

from lifeline.accounts import models as accounts_models
from lifeline.attachments import models as attachments_models
from lifeline.conversations import models as conversations_models
from lifeline.exchange import models as exchange_models
from lifeline.incidents import models as incidents_models
from lifeline.kb import models as kb_models
from lifeline.livechat import models as livechat_models
from lifeline.outbox import models as outbox_models
from lifeline.security import models as security_models
from lifeline.tickets import models as tickets_models

__all__ = [
    "accounts_models",
    "attachments_models",
    "conversations_models",
    "exchange_models",
    "incidents_models",
    "kb_models",
    "livechat_models",
    "outbox_models",
    "security_models",
    "tickets_models",
]
