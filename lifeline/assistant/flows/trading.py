"""Spot orders, stop orders and trading fees, explained with their own numbers."""

from __future__ import annotations

from decimal import Decimal

from lifeline.assistant.facts import distance, money, num, percent, reason_text
from lifeline.assistant.flows import flow
from lifeline.assistant.flows.funds import sign_in_reply
from lifeline.assistant.handoff import hand_off
from lifeline.assistant.replies import (
    CONTACT_HUMAN,
    SHOW_RECENT_ORDERS,
    Reply,
    say,
)
from lifeline.assistant.turn import Turn
from lifeline.exchange.schemas import (
    Order,
    OrderMarket,
    OrderStatus,
    OrderType,
)

STOP_TYPES = {OrderType.STOP_LIMIT, OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_LIMIT}
UNFILLED = {OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED, OrderStatus.REJECTED,
            OrderStatus.EXPIRED}  # fmt: skip


def order_check(order: Order) -> dict[str, object]:
    return {
        "type": "order",
        "order_id": order.order_id,
        "symbol": order.symbol,
        "side": order.side,
        "order_type": order.type.value,
        "status": order.status.value,
        "price": num(order.price) if order.price is not None else None,
        "stop_price": num(order.stop_price) if order.stop_price is not None else None,
        "quantity": num(order.quantity),
        "market_price": num(order.market_price) if order.market_price is not None else None,
        "reject_reason": order.reject_reason,
    }


def quote_currency(symbol: str) -> str:
    """The quote currency of a symbol ("BTC/USDT" and "BTCUSDT-PERP" are both in USDT)."""
    if "/" in symbol:
        return symbol.split("/")[1]
    base = symbol.split("-")[0]
    for quote in ("USDT", "USDC", "USD", "BTC"):
        if base.endswith(quote):
            return quote
    return ""


def side_word(lang: str, side: str) -> str:
    zh = {"buy": "买入", "sell": "卖出", "long": "多", "short": "空"}.get(side, side)
    return say(lang, side, zh)


async def find_orders(turn: Turn, wanted: set[OrderStatus] | None = None) -> list[Order]:
    """The orders the customer named, else their recent orders in the wanted states."""
    assert turn.user_id is not None
    named = []
    for order_id in turn.remembered("order_id"):
        order = await turn.exchange.get_order(turn.user_id, order_id)
        if order is not None:
            named.append(order)
    if named:
        return named
    recent = await turn.exchange.list_orders(turn.user_id, limit=20)
    return [o for o in recent if wanted is None or o.status in wanted]


def order_list(turn: Turn, orders: list[Order], intent: str, articles: list[str]) -> Reply:
    lang = turn.lang
    if not orders:
        return Reply(
            text=say(
                lang,
                "I could not find such an order on your account. Please send me the order "
                "number (order ID) from your order history.",
                "您的账户中没有找到相关订单。请发送订单历史中的订单号。",
            ),
            intent=intent,
            articles=articles,
            actions=[SHOW_RECENT_ORDERS, CONTACT_HUMAN],
            checks=[{"type": "orders", "count": 0}],
        )
    lines = [
        f"- {o.order_id}: {o.symbol} {side_word(lang, o.side)} {num(o.quantity)} "
        f"({o.type.value}, {o.status.value})"
        for o in orders[:5]
    ]
    return Reply(
        text=say(
            lang,
            "Which order do you mean?\n" + "\n".join(lines),
            "请问是哪一笔订单？\n" + "\n".join(lines),
        ),
        intent=intent,
        articles=articles,
        actions=[CONTACT_HUMAN],
        checks=[order_check(o) for o in orders[:5]],
    )


@flow("order_not_filled")
async def order_not_filled(turn: Turn) -> Reply:
    if turn.user_id is None:
        reply = sign_in_reply(
            turn,
            "order_not_filled",
            "Sign in and I'll look at your order: its price against the market, and any "
            "reject reason.",
            "登录后我可以查看您的订单：委托价与市场价的差距以及被拒原因。",
        )
        reply.articles = ["order-not-filled"]
        return reply
    orders = await find_orders(turn, UNFILLED)
    spot = [o for o in orders if o.market == OrderMarket.SPOT and o.type not in STOP_TYPES]
    candidates = spot if len(spot) == 1 else orders
    if len(candidates) != 1:
        return order_list(turn, candidates, "order_not_filled", ["order-not-filled"])
    order = candidates[0]
    if order.type in STOP_TYPES:
        return explain_stop(turn, order)
    return explain_order(turn, order)


def explain_order(turn: Turn, order: Order) -> Reply:
    lang = turn.lang
    quote = quote_currency(order.symbol)
    side = side_word(lang, order.side)
    head = say(
        lang,
        f"Order {order.order_id} ({order.symbol}, {side} {num(order.quantity)}",
        f"订单 {order.order_id}（{order.symbol}，{side} {num(order.quantity)}",
    )
    price = (
        say(lang, f" at {num(order.price)})", f"，价格 {num(order.price)}）")
        if (order.price is not None)
        else say(lang, ")", "）")
    )
    head += price
    articles = ["order-not-filled"]
    if order.status == OrderStatus.REJECTED:
        why, fix = reason_text(lang, order.reject_reason)
        detail = ""
        if order.reject_reason == "insufficient_balance" and order.price is not None:
            needed = order.price * order.quantity
            if order.side == "buy":
                detail = say(
                    lang,
                    f" It needed {money(needed)} {quote} ({num(order.price)} × "
                    f"{num(order.quantity)}) available in your Spot account.",
                    f"该订单需要现货账户中有 {money(needed)} {quote} 可用"
                    f"（{num(order.price)} × {num(order.quantity)}）。",
                )
        text = say(
            lang,
            f"{head} was rejected: {why}.{detail} {fix}",
            f"{head}被拒绝：{why}。{detail}{fix}",
        )
    elif order.status in {OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED}:
        filled = say(
            lang,
            f" {num(order.filled_quantity)} of {num(order.quantity)} filled so far.",
            f"目前已成交 {num(order.filled_quantity)} / {num(order.quantity)}。",
        )
        if order.price is not None and order.market_price is not None:
            gap = percent(distance(order.price, order.market_price))
            below = order.price < order.market_price
            if (order.side == "buy") == below:
                text = say(
                    lang,
                    f"{head} is open and waiting: your limit price is {gap} "
                    f"{'below' if below else 'above'} the market price of "
                    f"{num(order.market_price)}. A limit order only fills when the market "
                    f"reaches your price; to fill now, move the price closer to the market "
                    f"or use a market order.{filled}",
                    f"{head}仍在挂单等待成交：您的限价比市场价 {num(order.market_price)} "
                    f"{'低' if below else '高'} {gap}。限价单只有在市场价格达到您的委托价时才会成交"
                    "；"
                    f"如需立即成交，可将价格调整到接近市场价或使用市价单。{filled}",
                )
            else:
                text = say(
                    lang,
                    f"{head} is open at a price that crosses the market ({num(order.market_price)})"
                    "; "
                    f"it is filling against the order book as depth allows.{filled}",
                    f"{head}的委托价已优于市场价（{num(order.market_price)}），"
                    f"正在按盘口深度成交。{filled}",
                )
        else:
            text = say(lang, f"{head} is open.{filled}", f"{head}仍在挂单中。{filled}")
    elif order.status == OrderStatus.FILLED:
        text = say(
            lang,
            f"{head} is fully filled ({num(order.filled_quantity)}).",
            f"{head}已全部成交（{num(order.filled_quantity)}）。",
        )
    else:
        text = say(
            lang,
            f"{head} is {order.status.value}; nothing more will fill. You can place it again.",
            f"{head}状态为 {order.status.value}，不会再成交，您可以重新下单。",
        )
    return Reply(
        text=text,
        intent="order_not_filled",
        articles=articles,
        actions=[SHOW_RECENT_ORDERS, CONTACT_HUMAN],
        checks=[order_check(order)],
    )


@flow("stop_order_not_triggered")
async def stop_order_not_triggered(turn: Turn) -> Reply:
    if turn.user_id is None:
        reply = sign_in_reply(
            turn,
            "stop_order_not_triggered",
            "Sign in and I'll compare your stop order's trigger price with the market.",
            "登录后我可以对比您止盈止损单的触发价和市场价。",
        )
        reply.articles = ["stop-orders"]
        return reply
    orders = [o for o in await find_orders(turn) if o.type in STOP_TYPES]
    if len(orders) != 1:
        return order_list(turn, orders, "stop_order_not_triggered", ["stop-orders"])
    return explain_stop(turn, orders[0])


def explain_stop(turn: Turn, order: Order) -> Reply:
    lang = turn.lang
    side = side_word(lang, order.side)
    trigger = order.stop_price
    text: str
    if trigger is not None and order.market_price is not None:
        gap = percent(distance(trigger, order.market_price))
        if order.status == OrderStatus.UNTRIGGERED:
            direction_en = "fall to" if order.side == "sell" else "rise to"
            direction_zh = "跌到" if order.side == "sell" else "涨到"
            text = say(
                lang,
                f"Your {order.type.value.replace('_', '-')} order {order.order_id} "
                f"({order.symbol}, {side} {num(order.quantity)}) has not triggered: the "
                f"trigger price is {num(trigger)} and the market is at "
                f"{num(order.market_price)}, {gap} away. It triggers only when the price "
                f"{direction_en} {num(trigger)}.",
                f"您的止盈止损单 {order.order_id}（{order.symbol}，{side} {num(order.quantity)}）"
                f"尚未触发：触发价为 {num(trigger)}，当前市场价 {num(order.market_price)}，相差 "
                f"{gap}。"
                f"只有价格{direction_zh} {num(trigger)} 时才会触发。",
            )
        else:
            text = say(
                lang,
                f"Your stop order {order.order_id} ({order.symbol}) has status "
                f"{order.status.value}; trigger {num(trigger)}, market {num(order.market_price)}.",
                f"您的止盈止损单 {order.order_id}（{order.symbol}）状态为 {order.status.value}；"
                f"触发价 {num(trigger)}，市场价 {num(order.market_price)}。",
            )
    else:
        text = say(
            lang,
            f"Your stop order {order.order_id} has status {order.status.value}.",
            f"您的止盈止损单 {order.order_id} 状态为 {order.status.value}。",
        )
    if order.type == OrderType.STOP_LIMIT and order.price is not None and trigger is not None:
        text += say(
            lang,
            f" Once triggered it places a limit order at {num(order.price)}; in a fast move the "
            "price can jump past that limit and the order stays unfilled. A stop-market order "
            "always executes, at the next available price.",
            f"触发后会以 {num(order.price)} 挂出限价单；行情剧烈时价格可能越过该限价，导致订单无法"
            "成交。"
            "止损市价单则一定会以下一个可成交价格执行。",
        )
    text += say(
        lang,
        " Also check whether the trigger uses the last price or the mark price.",
        "另请确认触发条件使用的是最新价还是标记价格。",
    )
    return Reply(
        text=text,
        intent="stop_order_not_triggered",
        articles=["stop-orders"],
        actions=[SHOW_RECENT_ORDERS, CONTACT_HUMAN],
        checks=[order_check(order)],
    )


@flow("trading_fees")
async def trading_fees(turn: Turn) -> Reply:
    lang = turn.lang
    general = say(
        lang,
        "A trading fee is price × quantity × your fee rate; a maker (an order that rests on "
        "the book) pays a lower rate than a taker (an order that fills at once). Your rate "
        "falls with your 30-day volume tier.",
        "交易手续费 = 成交价 × 成交数量 × 费率；挂单成交（Maker）的费率低于吃单成交（Taker）。"
        "费率会随 30 天交易量等级降低。",
    )
    checks: list[dict[str, object]] = []
    if turn.user_id is not None:
        orders = [
            o for o in await find_orders(turn) if o.fee is not None and o.fee_rate is not None
        ]
        if orders:
            o = orders[0]
            assert o.fee is not None and o.fee_rate is not None
            price = o.price or o.market_price or Decimal(0)
            computed = price * o.filled_quantity * o.fee_rate
            role = say(lang, "maker" if o.is_maker else "taker", "Maker" if o.is_maker else "Taker")
            general = (
                say(
                    lang,
                    f"Your order {o.order_id} ({o.symbol}, {side_word(lang, o.side)} "
                    f"{num(o.filled_quantity)} at {num(price)}) was a {role} fill at "
                    f"{percent(o.fee_rate)}: {num(price)} × {num(o.filled_quantity)} × "
                    f"{num(o.fee_rate)} = {money(computed)} {o.fee_asset or ''}, the fee "
                    f"charged ({num(o.fee)} {o.fee_asset or ''}). ",
                    f"您的订单 {o.order_id}（{o.symbol}，{side_word(lang, o.side)} "
                    f"{num(o.filled_quantity)}，"
                    f"成交价 {num(price)}）为 {role} 成交，费率 {percent(o.fee_rate)}："
                    f"{num(price)} × {num(o.filled_quantity)} × {num(o.fee_rate)} = "
                    f"{money(computed)} {o.fee_asset or ''}，即实际收取的手续费"
                    f"（{num(o.fee)} {o.fee_asset or ''}）。",
                )
                + general
            )
            check = order_check(o) | {"fee": num(o.fee), "fee_rate": num(o.fee_rate)}
            # A fee that the rate does not explain is for a person to look at (a rebate, a
            # discount, or a mistake); the assistant does not guess which.
            if abs(computed - o.fee) > max(Decimal("0.01"), o.fee * Decimal("0.005")):
                unexplained = Reply(
                    text=say(
                        lang,
                        f"The fee charged on order {o.order_id} ({num(o.fee)} "
                        f"{o.fee_asset or ''}) differs from price × quantity × rate "
                        f"({money(computed)}).",
                        f"订单 {o.order_id} 实际收取的手续费（{num(o.fee)} {o.fee_asset or ''}）"
                        f"与 成交价 × 数量 × 费率 的结果（{money(computed)}）不一致。",
                    ),
                    intent="trading_fees",
                    articles=["trading-fees"],
                    checks=[check | {"computed_fee": money(computed)}],
                )
                return await hand_off(turn, unexplained, "fee differs from the fee rate")
            checks.append(check)
    return Reply(
        text=general,
        intent="trading_fees",
        articles=["trading-fees"],
        actions=[SHOW_RECENT_ORDERS, CONTACT_HUMAN],
        checks=checks,
    )
