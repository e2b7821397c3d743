"""Imports every domain's tables so that metadata (and Alembic) sees the whole schema."""

from lifeline.accounts import models as accounts_models
from lifeline.exchange import models as exchange_models
from lifeline.outbox import models as outbox_models
from lifeline.security import models as security_models

__all__ = ["accounts_models", "exchange_models", "outbox_models", "security_models"]
