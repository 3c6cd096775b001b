"""One definition of confidence for every call: the share of the rule's inputs that were seen
fresh and agree with it. A missing input and a stale one lower it the same way, in /alpha and
/sniper alike, and a trader reads it as "3 of 3 inputs agree"."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel


class Agreement(BaseModel):
    agree: int  # fresh inputs that agree with the call
    of: int  # every input the rule reads
    stale: int = 0  # inputs seen only from an old copy: shown, never counted as agreeing
    missing: int = 0
    # Agreeing inputs that say the same for every coin (sentiment, a stand-in ETF flow): they
    # agree about the market, not about this coin, and the card says how many of them.
    market_wide: int = 0

    @property
    def value(self) -> Decimal:
        return round(Decimal(self.agree) / self.of, 2) if self.of else Decimal(0)
