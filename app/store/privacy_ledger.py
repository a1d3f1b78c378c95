"""The per-requester privacy-budget ledger (docs/disclosure.md).

ε is kept in integer millionths: a charge is rounded up and the budget down, so rounding can only
make the ledger stricter, and ten answers of ε = 0.1 exactly fill a budget of 1.0. A charge is one
conditional ``UPDATE`` (``spent + cost ≤ budget``), atomic on SQLite and PostgreSQL alike, so two
concurrent queries cannot both squeeze under the budget.
"""

from __future__ import annotations

import math
from fractions import Fraction

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    String,
    Table,
    exc,
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
