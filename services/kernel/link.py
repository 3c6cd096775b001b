"""What a vendor's adapter is built from: its HTTP client (breaker, retry, budget, key header),
whether its key is set, and the route book every adapter shares. The container makes one link
per row of the vendor table and builds the row's adapters from it (`Adapter.from_link`)."""

from __future__ import annotations

from dataclasses import dataclass

from services.kernel.http import VendorClient
from services.kernel.routes import RouteBook


@dataclass(frozen=True)
class VendorLink:
    http: VendorClient
    has_key: bool
    routes: RouteBook
