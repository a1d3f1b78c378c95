"""The privacy-budget ledger (docs/disclosure.md, docs/privacy.md).

ε is kept in integer millionths: a charge is rounded up and the budget down, so rounding can only
make the ledger stricter, and ten answers of ε = 0.1 exactly fill a budget of 1.0.

Budgets are rolling (``charge_in_window``): every charge is a row (requester, analyst, time, ε) of
``privacy_ledger_charge``; an analyst's spending is the sum of their charges over the last 365
days, the peer's total the sum over all its analysts, and a charge must fit both budgets. The
per-requester row of ``disclosure_epsilon_ledger`` holds the lifetime total and serialises
charges: the charge first updates that row (a row lock on PostgreSQL, the write lock on SQLite),
so two concurrent answers cannot both squeeze under a budget. ``charge_epsilon`` (lifetime, no
window) is the ledger of release 0.1.0, kept for its callers and tests.
"""

from __future__ import annotations

import math
from fractions import Fraction

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    exc,
    func,
    insert,
    select,
    update,
)

from app.errors import BudgetExhausted

MICRO = 1_000_000

epsilon_ledger_table = Table(
    "disclosure_epsilon_ledger",
    MetaData(),
    Column("requester_kid", String(200), primary_key=True),
    Column("spent_micro_epsilon", BigInteger, nullable=False),
)
"""ε spent per requester, in millionths so sums are exact integers (no float drift)."""

ledger_charge_table = Table(
    "privacy_ledger_charge",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("requester", String(200), nullable=False),
    Column("analyst", String(200), nullable=False),
    Column("charged_at", BigInteger, nullable=False),
    Column("micro_epsilon", BigInteger, nullable=False),
    Column("peer_micro_epsilon", BigInteger, nullable=False),
    Index("ix_privacy_ledger_charge_requester", "requester", "analyst", "charged_at"),
)
"""One row per charge: who (peer, analyst), when (epoch s), how much (millionths of ε): to the
analyst (releases new to them) and to the peer (releases new to any of its analysts)."""

WINDOW_S = 365 * 86_400


def to_micro(epsilon: float, *, round_up: bool) -> int:
    """Return ``epsilon`` in integer millionths, rounded up (costs) or down (budgets)."""
    exact = Fraction(repr(epsilon)) * MICRO
    return math.ceil(exact) if round_up else math.floor(exact)


def spent_epsilon(connection: Connection, requester_kid: str) -> float:
    """Return the ε a requester has spent so far (0 for a new requester)."""
    return _spent_micro(connection, requester_kid) / MICRO


def _spent_micro(connection: Connection, requester_kid: str) -> int:
    spent = connection.execute(
        select(epsilon_ledger_table.c.spent_micro_epsilon).where(
            epsilon_ledger_table.c.requester_kid == requester_kid
        )
    ).scalar_one_or_none()
    return int(spent or 0)


def check_budget(
    connection: Connection, *, requester_kid: str, epsilon: float, budget: float
) -> None:
    """Refuse early when ``epsilon`` more would exceed the budget; raises ``BudgetExhausted``."""
    spent = _spent_micro(connection, requester_kid)
    if spent + to_micro(epsilon, round_up=True) > to_micro(budget, round_up=False):
        raise _exhausted()


def charge_epsilon(
    connection: Connection, *, requester_kid: str, epsilon: float, budget: float
) -> None:
    """Add ``epsilon`` to the requester's spending in the caller's transaction.

    Raises ``BudgetExhausted`` (429) when that would exceed ``budget`` (> 0); nothing is charged.
    """
    table = epsilon_ledger_table
    cost = to_micro(epsilon, round_up=True)
    limit = to_micro(budget, round_up=False)
    known = connection.execute(
        select(table.c.requester_kid).where(table.c.requester_kid == requester_kid)
    ).first()
    if known is None:
        try:
            with connection.begin_nested():
                connection.execute(
                    insert(table).values(requester_kid=requester_kid, spent_micro_epsilon=0)
                )
        except exc.IntegrityError:
            pass  # another request created the row first; the UPDATE below still decides
    charged = connection.execute(
        update(table)
        .where(
            table.c.requester_kid == requester_kid,
            table.c.spent_micro_epsilon + cost <= limit,
        )
        .values(spent_micro_epsilon=table.c.spent_micro_epsilon + cost)
    )
    if charged.rowcount != 1:
        raise _exhausted()


def _exhausted() -> BudgetExhausted:
    # No Retry-After: a spent budget does not come back with time.
    return BudgetExhausted(
        "privacy budget: this answer would exceed the requester's epsilon budget"
    )


def adopt_lifetime_spending(connection: Connection, *, now_s: int) -> None:
    """Turn each requester's lifetime spending so far into one charge now (a migration step)."""
    rows = connection.execute(
        select(epsilon_ledger_table.c.requester_kid, epsilon_ledger_table.c.spent_micro_epsilon)
    ).all()
    charges = [
        {
            "requester": kid,
            "analyst": "",
            "charged_at": now_s,
            "micro_epsilon": int(spent),
            "peer_micro_epsilon": int(spent),
        }
        for kid, spent in rows
        if spent
    ]
    if charges:
        connection.execute(insert(ledger_charge_table), charges)


def spent_in_window(
    connection: Connection, *, requester: str, analyst: str | None, now_s: int
) -> float:
    """Return ε spent in the last 365 days by the analyst (None: by the whole peer)."""
    return _window_micro(connection, requester, analyst, now_s) / MICRO


def _window_micro(connection: Connection, requester: str, analyst: str | None, now_s: int) -> int:
    table = ledger_charge_table
    conditions = [table.c.requester == requester, table.c.charged_at > now_s - WINDOW_S]
    if analyst is not None:
        conditions.append(table.c.analyst == analyst)
    amount = table.c.micro_epsilon if analyst is not None else table.c.peer_micro_epsilon
    total = connection.execute(
        select(func.coalesce(func.sum(amount), 0)).where(*conditions)
    ).scalar_one()
    return int(total)


def check_window_budget(
    connection: Connection,
    *,
    requester: str,
    analyst: str,
    epsilon: float,
    analyst_budget: float,
    peer_budget: float,
    now_s: int,
) -> None:
    """Refuse early when a full ``epsilon`` more would exceed a budget; raises ``BudgetExhausted``."""
    cost = to_micro(epsilon, round_up=True)
    if _window_micro(connection, requester, analyst, now_s) + cost > to_micro(
        analyst_budget, round_up=False
    ) or _window_micro(connection, requester, None, now_s) + cost > to_micro(
        peer_budget, round_up=False
    ):
        raise _exhausted()


def charge_in_window(
    connection: Connection,
    *,
    requester: str,
    analyst: str,
    analyst_cost: Fraction,
    peer_cost: Fraction,
    analyst_budget: float,
    peer_budget: float,
    now_s: int,
) -> None:
    """Charge an answer in the caller's transaction, within the analyst's and the peer's budgets.

    ``analyst_cost`` is the ε of the releases new to the analyst, ``peer_cost`` of those new to the
    peer (never more). Raises ``BudgetExhausted`` (429) when the analyst's or the peer's spending
    over the last 365 days would exceed its budget; nothing is charged then.
    """
    analyst_micro = math.ceil(analyst_cost * MICRO)
    peer_micro = math.ceil(peer_cost * MICRO)
    if analyst_micro == 0 and peer_micro == 0:
        return
    _lock_requester(connection, requester, peer_micro)
    if _window_micro(connection, requester, analyst, now_s) + analyst_micro > to_micro(
        analyst_budget, round_up=False
    ):
        raise _exhausted()
    if _window_micro(connection, requester, None, now_s) + peer_micro > to_micro(
        peer_budget, round_up=False
    ):
        raise _exhausted()
    connection.execute(
        insert(ledger_charge_table).values(
            requester=requester,
            analyst=analyst,
            charged_at=now_s,
            micro_epsilon=analyst_micro,
            peer_micro_epsilon=peer_micro,
        )
    )


def _lock_requester(connection: Connection, requester: str, cost: int) -> None:
    """Add ``cost`` to the requester's lifetime row, creating it first: serialises charges."""
    table = epsilon_ledger_table
    known = connection.execute(
        select(table.c.requester_kid).where(table.c.requester_kid == requester)
    ).first()
    if known is None:
        try:
            with connection.begin_nested():
                connection.execute(
                    insert(table).values(requester_kid=requester, spent_micro_epsilon=0)
                )
        except exc.IntegrityError:
            pass  # created concurrently; the UPDATE below takes the lock either way
    connection.execute(
        update(table)
        .where(table.c.requester_kid == requester)
        .values(spent_micro_epsilon=table.c.spent_micro_epsilon + cost)
    )
