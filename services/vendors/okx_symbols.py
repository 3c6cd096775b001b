"""OKX's symbol formats: its instrument ids (SOL-USDT, SOL-USDT-SWAP) and instrument families.
The adapter owns them; the kernel's instruments know no vendor's spelling."""

from __future__ import annotations

from services.kernel.symbols import Instrument, Market


def okx_inst_id(inst: Instrument) -> str:
    pair = f"{inst.base}-{inst.quote}"
    return f"{pair}-SWAP" if inst.market is Market.SWAP else pair


def parse_okx_swap(inst_id: str) -> Instrument | None:
    """OKX's perpetual id (SOL-USDT-SWAP, BTC-USD-SWAP) as an instrument; None for any other."""
    parts = inst_id.split("-")
    if len(parts) != 3 or parts[2] != "SWAP" or not all(p.isalnum() for p in parts[:2]):
        return None
    return Instrument(base=parts[0], quote=parts[1], market=Market.SWAP)


def okx_family(inst: Instrument) -> str:
    """`uly` / `instFamily` of the derivatives (SOL-USDT for SOL-USDT-SWAP)."""
    return f"{inst.base}-{inst.quote}"
