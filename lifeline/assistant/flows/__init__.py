"""Flows: one async function per intent, registered with ``@flow``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from lifeline.assistant.replies import Reply
from lifeline.assistant.turn import Turn

Flow = Callable[[Turn], Awaitable[Reply]]
FLOWS: dict[str, Flow] = {}

# The help-center articles that answer each intent, most specific first.
INTENT_ARTICLES: dict[str, list[str]] = {
    "deposit_not_credited": ["deposit-not-credited"],
    "withdrawal_delayed": ["withdrawal-delayed"],
    "withdrawal_failed": ["withdrawal-failed", "withdrawal-suspended"],
    "wrong_network_or_memo": ["wrong-network-deposit", "missing-memo-tag"],
    "deposit_withdrawal_limits": ["deposit-withdrawal-limits"],
    "gas_fee_question": ["network-fees"],
    "forgot_password": ["forgot-password"],
    "account_locked": ["account-locked"],
    "account_compromised": ["account-compromised", "disable-account"],
    "two_factor_problem": ["reset-2fa", "enable-2fa"],
    "kyc_verification": ["kyc-verification", "kyc-rejected"],
    "api_key_issue": ["api-keys"],
    "order_not_filled": ["order-not-filled"],
    "trading_fees": ["trading-fees"],
    "liquidation": ["liquidation"],
    "stop_order_not_triggered": ["stop-orders"],
    "futures_order_problem": ["futures-orders"],
    "large_trade_review": ["large-transaction-review"],
    "p2p_dispute": ["p2p-disputes"],
    "verify_official_channel": ["verify-official-channels"],
    "phishing_report": ["report-scam", "never-share-secrets"],
    "web3_wallet": ["web3-wallet"],
    "app_technical_issue": ["app-troubleshooting"],
    "incident_status": ["withdrawal-suspended", "app-troubleshooting"],
    "vip_service": ["vip-support"],
    "contact_human": ["contact-support"],
    "ticket_status": ["submit-ticket"],
    "complaint": ["escalate-complaint"],
    "investment_advice": ["investment-advice-policy"],
    "greeting": [],
    "out_of_scope": ["contact-support"],
}


def flow(intent: str) -> Callable[[Flow], Flow]:
    def register(function: Flow) -> Flow:
        FLOWS[intent] = function
        return function

    return register


def load_flows() -> dict[str, Flow]:
    """Import every flow module so that their ``@flow`` registrations run."""
    from lifeline.assistant.flows import (  # noqa: F401
        account,
        compliance,
        funds,
        futures,
        general,
        product,
        security,
        support,
        trading,
        withdrawals,
    )

    return FLOWS
