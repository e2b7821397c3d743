"""Futures: rejected futures orders, open positions and liquidations, explained with the
margin, leverage and prices of the position."""

from __future__ import annotations

from decimal import Decimal

from lifeline.assistant.facts import distance, money, num, percent, reason_text, when
from lifeline.assistant.flows import flow
from lifeline.assistant.flows.funds import sign_in_reply
from lifeline.assistant.flows.trading import (
    find_orders,
    order_check,
    order_list,
    quote_currency,
    side_word,
)
from lifeline.assistant.replies import (
    CONTACT_HUMAN,
    RISK_TOOLS,
    SHOW_POSITIONS,
    Reply,
    say,
)
from lifeline.assistant.turn import Turn
from lifeline.exchange.schemas import (
    Liquidation,
    OrderMarket,
    OrderStatus,
    Position,
    PositionStatus,
)


def position_check(position: Position) -> dict[str, object]:
    return {
        "type": "position",
        "position_id": position.position_id,
        "symbol": position.symbol,
        "side": position.side,
        "leverage": position.leverage,
        "entry_price": num(position.entry_price),
        "mark_price": num(position.mark_price),
        "margin_ratio": num(position.margin_ratio),
        "liquidation_price": num(position.liquidation_price),
        "status": position.status.value,
    }


@flow("futures_order_problem")
async def futures_order_problem(turn: Turn) -> Reply:
    lang = turn.lang
    if turn.user_id is None:
        reply = sign_in_reply(
            turn,
            "futures_order_problem",
            "Sign in and I'll look at your futures orders and positions.",
            "登录后我可以查看您的合约订单和仓位。",
        )
        reply.articles = ["futures-orders"]
        return reply
    orders = [o for o in await find_orders(turn) if o.market == OrderMarket.FUTURES]
    rejected = [o for o in orders if o.status == OrderStatus.REJECTED]
    if len(rejected) >= 1 and not turn.remembered("order_id"):
        orders = rejected[:1]
    if len(orders) == 1:
        order = orders[0]
        why, fix = reason_text(lang, order.reject_reason)
        at = order.price or order.market_price or Decimal(0)
        notional = at * order.quantity
        quote = quote_currency(order.symbol)
        if order.status == OrderStatus.REJECTED:
            text = say(
                lang,
                f"Your futures order {order.order_id} ({order.symbol}, "
                f"{side_word(lang, order.side)}"
                f" {num(order.quantity)} at {num(at)}, "
                f"a position worth {money(notional)} {quote}) was rejected: {why}. The margin "
                f"needed is that value divided by your leverage, plus fees. {fix}",
                f"您的合约订单 {order.order_id}（{order.symbol}，{side_word(lang, order.side)} "
                f"{num(order.quantity)}，价格 {num(at)}，"
                f"仓位价值 {money(notional)} {quote}）被拒绝：{why}。"
                f"所需保证金为仓位价值除以杠杆倍数，再加手续费。{fix}",
            )
        else:
            text = say(
                lang,
                f"Your futures order {order.order_id} ({order.symbol}) is {order.status.value}.",
                f"您的合约订单 {order.order_id}（{order.symbol}）状态为 {order.status.value}。",
            )
        return Reply(
            text=text,
            intent="futures_order_problem",
            articles=["futures-orders"],
            actions=[SHOW_POSITIONS, CONTACT_HUMAN],
            checks=[order_check(order)],
        )
    positions = [
        p
        for p in await turn.exchange.list_positions(turn.user_id)
        if p.status == PositionStatus.OPEN
    ]
    if positions:
        return _positions_reply(turn, positions, "futures_order_problem", ["futures-orders"])
    return order_list(turn, orders, "futures_order_problem", ["futures-orders"])


def _position_line(lang: str, p: Position) -> str:
    gap = percent(distance(p.liquidation_price, p.mark_price))
    return say(
        lang,
        f"- {p.symbol} {p.side} {num(p.quantity)} at {p.leverage}x: entry "
        f"{num(p.entry_price)}, mark {num(p.mark_price)}, margin ratio {percent(p.margin_ratio)}, "
        f"liquidation price {num(p.liquidation_price)} ({gap} from the mark price)",
        f"- {p.symbol} {side_word(lang, p.side)} {num(p.quantity)}，{p.leverage} 倍：开仓价 "
        f"{num(p.entry_price)}，标记价 {num(p.mark_price)}，保证金率 {percent(p.margin_ratio)}，"
        f"强平价 {num(p.liquidation_price)}（距标记价 {gap}）",
    )


def _positions_reply(
    turn: Turn, positions: list[Position], intent: str, articles: list[str]
) -> Reply:
    lang = turn.lang
    lines = [_position_line(lang, p) for p in positions]
    return Reply(
        text=say(
            lang,
            "Your open positions:\n"
            + "\n".join(lines)
            + "\nA position is liquidated when the margin ratio reaches 100%; adding margin, "
            "lowering leverage or a stop-loss keeps it further away.",
            "您当前的持仓：\n"
            + "\n".join(lines)
            + "\n保证金率达到 100% 时仓位会被强平；追加保证金、降低杠杆或设置止损可以降低风险。",
        ),
        intent=intent,
        articles=articles,
        actions=[RISK_TOOLS, CONTACT_HUMAN],
        checks=[position_check(p) for p in positions],
    )


@flow("liquidation")
async def liquidation(turn: Turn) -> Reply:
    lang = turn.lang
    if turn.user_id is None:
        reply = sign_in_reply(
            turn,
            "liquidation",
            "Sign in and I'll show your position's margin ratio and liquidation price.",
            "登录后我可以查看您仓位的保证金率和强平价格。",
        )
        reply.articles = ["liquidation"]
        return reply
    liquidations = await turn.exchange.list_liquidations(turn.user_id, limit=5)
    positions = await turn.exchange.list_positions(turn.user_id)
    wanted = set(turn.remembered("position_id"))
    if wanted:
        liquidations = [x for x in liquidations if x.position_id in wanted] or liquidations
    if not liquidations:
        open_positions = [p for p in positions if p.status == PositionStatus.OPEN]
        if open_positions:
            return _positions_reply(turn, open_positions, "liquidation", ["liquidation"])
        return Reply(
            text=say(
                lang,
                "I don't see any liquidation or open futures position on your account.",
                "您的账户中没有强平记录，也没有持仓中的合约仓位。",
            ),
            intent="liquidation",
            articles=["liquidation"],
            actions=[RISK_TOOLS],
            checks=[{"type": "liquidations", "count": 0}],
        )
    event = liquidations[0]
    position = next((p for p in positions if p.position_id == event.position_id), None)
    return explain_liquidation(turn, event, position)


def explain_liquidation(turn: Turn, event: Liquidation, position: Position | None) -> Reply:
    lang = turn.lang
    quote = quote_currency(event.symbol)
    text = say(
        lang,
        f"Your {event.symbol} {event.side} position ({num(event.quantity)}) was liquidated "
        f"at {num(event.price)} on {when(event.liquidated_at)}; the loss was "
        f"{num(event.loss)} {quote}.",
        f"您的 {event.symbol} {side_word(lang, event.side)}仓（{num(event.quantity)}）已于 "
        f"{when(event.liquidated_at)} 以 {num(event.price)} 被强制平仓，亏损 {num(event.loss)} "
        f"{quote}。",
    )
    checks: list[dict[str, object]] = [
        {
            "type": "liquidation",
            "position_id": event.position_id,
            "price": num(event.price),
            "loss": num(event.loss),
        }
    ]
    if position is not None:
        move = percent(distance(position.liquidation_price, position.entry_price))
        text += say(
            lang,
            f" You opened it at {num(position.entry_price)} with {position.leverage}x leverage "
            f"and {num(position.margin)} {quote} margin, so the liquidation price was "
            f"{num(position.liquidation_price)}: a {move} move against the position. When the "
            f"mark price reached it, the margin ratio hit {percent(position.margin_ratio)} "
            f"(maintenance margin rate {percent(position.maintenance_margin_rate)}) and the "
            "position was closed to stop further losses.",
            f"您以 {num(position.entry_price)} 开仓，杠杆 {position.leverage} 倍，保证金 "
            f"{num(position.margin)} {quote}，因此强平价为 {num(position.liquidation_price)}，"
            f"即价格反向波动 {move}。标记价格触及强平价时，保证金率达到 "
            f"{percent(position.margin_ratio)}"
            f"（维持保证金率 {percent(position.maintenance_margin_rate)}），仓位被平仓以防亏损扩大"
            "。",
        )
        checks.append(position_check(position))
    text += say(
        lang,
        " Lower leverage, extra margin or a stop-loss keep the liquidation price further away.",
        "降低杠杆、追加保证金或设置止损，可以让强平价远离市场价。",
    )
    return Reply(
        text=text,
        intent="liquidation",
        articles=["liquidation"],
        actions=[SHOW_POSITIONS, RISK_TOOLS, CONTACT_HUMAN],
        checks=checks,
    )
