"""Builds the service graph from settings; the bot, tests and benches all start here."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, cast

from limits.aio.storage import MemoryStorage, Storage
from loguru import logger

from services.chats.desk import Defaults
from services.chats.seen import SeenChats
from services.chats.settings import ChatSettingsService
from services.chats.subscriptions import SubscriptionService
from services.delivery.call_followups import FollowUps
from services.delivery.followups import FollowUpQueue
from services.delivery.held import HeldPushes
from services.delivery.outbox import Cooldown, Outbox
from services.jobs.bias_job import BiasJob
from services.jobs.grading_job import GradingJob
from services.jobs.liquidation_stream import LiquidationStream
from services.jobs.parts import JobParts, JobRunner, JudgedJob, build_jobs
from services.jobs.sniper_job import SniperJob
from services.jobs.store_notice import StoreWatch
from services.kernel.alerts import JUDGED, Job
from services.kernel.breaker import BreakerBoard
from services.kernel.cache import ResilientCache
from services.kernel.fallback_backend import RedisLink
from services.kernel.http import VendorClient
from services.kernel.link import VendorLink
from services.kernel.metrics import Metrics
from services.kernel.plumbing import build_plumbing
from services.kernel.retry import DEFAULT, RetryPolicy
from services.kernel.routes import RouteBook
from services.kernel.settings import Settings
from services.kernel.status import StatusRegistry
from services.kernel.vendors import VENDORS
from services.market.contracts import contract_values
from services.market.etf.service import EtfService
from services.market.flags import FlagService
from services.market.funding.service import FundingService
from services.market.heatmap.service import HeatmapService
from services.market.instruments import InstrumentCatalog
from services.market.oi.service import OiService
from services.market.options.service import OptionsService
from services.market.orderbook.service import OrderBookService
from services.market.parts import MarketParts, ModuleServices, Vendors, build_modules
from services.market.rupiah import RupiahService
from services.market.sentiment.service import SentimentService
from services.market.ticker.candles import PriceCharts
from services.market.ticker.service import TickerService
from services.market.whale.analysis import WhaleRule
from services.market.whale.service import WhaleService
from services.signals.bias.rule import Thresholds
from services.signals.bias.service import BiasService
from services.signals.calls import CallLog
from services.signals.derivs_context import DerivReaders
from services.signals.health import JobHealth
from services.signals.rules.review import RuleReview
from services.signals.rules.service import Limits, RuleService
from services.signals.sniper.rule import SniperLimits
from services.signals.sniper.service import SniperService
from services.signals.track_record import TrackRecordService
from services.storage.calls import CallStore
from services.storage.candles import CandleStore
from services.storage.chat_settings import ChatSettingsStore
from services.storage.chats import ChatRepository
from services.storage.db import Database
from services.storage.journal import Journal
from services.storage.leases import Leases
from services.storage.liquidations import LiquidationStore
from services.storage.rules import RuleStore
from services.vendors.indodax import IndodaxClient
from services.vendors.okx import OkxClient


@dataclass
class Services:
    settings: Settings
    metrics: Metrics
    status: StatusRegistry
    breakers: BreakerBoard
    cache: ResilientCache
    vendors: Vendors
    modules: ModuleServices  # one service per data module (services/market/parts.py)
    bias: BiasService
    subscriptions: SubscriptionService
    outbox: Outbox
    leases: Leases
    sniper: SniperService
    instruments: InstrumentCatalog
    price_charts: PriceCharts
    db: Database
    chats: ChatRepository
    chat_settings: ChatSettingsService
    rupiah: RupiahService  # prices in IDR for the chats that quote in it
    seen_chats: SeenChats
    flags: FlagService
    routes: RouteBook
    calls: CallLog
    track_record: TrackRecordService
    candles: CandleStore
    journal: Journal
    jobs: dict[Job, JobRunner]  # every job the registry builds (services/jobs/parts.py)
    rules: RuleService  # the alerts chats set (/alert)
    rule_review: RuleReview  # their list, history and dry-run
    clients: list[VendorClient] = field(default_factory=list)
    # Live liquidations from OKX's WebSocket (None with OKX_WS_URL empty: the REST poll only).
    liquidation_stream: LiquidationStream | None = None

    # The modules the bot itself reads by name; any module is `modules.get(ItsService)`.
    @property
    def ticker(self) -> TickerService:
        return self.modules.get(TickerService)

    @property
    def orderbook(self) -> OrderBookService:
        return self.modules.get(OrderBookService)

    @property
    def whale(self) -> WhaleService:
        return self.modules.get(WhaleService)

    @property
    def sentiment(self) -> SentimentService:
        return self.modules.get(SentimentService)

    @property
    def etf(self) -> EtfService:
        return self.modules.get(EtfService)

    @property
    def heatmap(self) -> HeatmapService:
        return self.modules.get(HeatmapService)

    @property
    def options(self) -> OptionsService:
        return self.modules.get(OptionsService)

    def by_name(self) -> dict[str, object]:
        """The services a handler may declare, by parameter name (plural where the module's
        name is also a command handler's); `modules` holds every data module's service."""
        return {
            "services": self,  # what a query-registry command asks (bot/queries.py)
            "modules": self.modules,
            "instruments": self.instruments,
            "price_charts": self.price_charts,
            "call_log": self.calls,
            "tickers": self.ticker,
            "books": self.orderbook,
            "whales": self.whale,
            "sentiments": self.sentiment,
            "etfs": self.etf,
            "heatmaps": self.heatmap,
            "option_books": self.options,
            "biases": self.bias,
            "snipers": self.sniper,
            "subscriptions": self.subscriptions,
            "switches": self.flags,
            "chat_settings": self.chat_settings,
            "chat_repo": self.chats,
            "rupiah": self.rupiah,
            "track_record": self.track_record,
            "rules": self.rules,
            "rule_review": self.rule_review,
        }

    def job_runs(self) -> dict[Job, Callable[[], Awaitable[object]]]:
        """The runs of the jobs this graph builds (the scheduler adds its own two)."""
        return {job: runner.run for job, runner in self.jobs.items()}

    def job_health(self) -> list[JobHealth]:
        """The health of every job judged by its modules (kernel/alerts.py), in its order."""
        return [cast(JudgedJob, self.jobs[job]).health for job in JUDGED]

    # The jobs the bot and its tests reach by name.
    @property
    def bias_job(self) -> BiasJob:
        return cast(BiasJob, self.jobs[Job.BIAS])

    @property
    def sniper_job(self) -> SniperJob:
        return cast(SniperJob, self.jobs[Job.SNIPER])

    @property
    def grading_job(self) -> GradingJob:
        return cast(GradingJob, self.jobs[Job.GRADING])

    # Redis (None without REDIS_URL), the rate-limit storage the budgets and the per-user
    # throttle share, and the stores' lines in /status and notices to the admins.
    redis: RedisLink | None = None
    limits: Storage = field(default_factory=MemoryStorage)
    stores: StoreWatch | None = None

    async def start(self) -> None:
        await self.db.migrate()
        if self.stores is not None:
            await self.stores.start(self.db, self.redis)

    async def aclose(self) -> None:
        try:
            await self.leases.release()
        except Exception as exc:  # the database may be what failed; leases then just lapse
            logger.warning("could not release job leases: {}", exc)
        await self.seen_chats.aclose()  # what a burst noted, written before the database goes
        await self.chat_settings.aclose()
        for client in self.clients:
            await client.aclose()
        if self.stores is not None:
            await self.stores.close()
        await self.cache.close()
        if self.redis is not None:
            await self.redis.close()
        await self.db.close()


class _Adapter(Protocol):
    @classmethod
    def from_link(cls, link: VendorLink) -> object: ...


def _adapter(path: str) -> type[_Adapter]:
    """An adapter class named in the vendor table ("services.vendors.okx:OkxClient")."""
    module, _, name = path.partition(":")
    return cast(type[_Adapter], getattr(importlib.import_module(module), name))


def build_services(
    settings: Settings, *, cache_enabled: bool = True, retry: RetryPolicy = DEFAULT
) -> Services:
    plumbing = build_plumbing(settings, cache_enabled=cache_enabled, retry=retry)
    metrics, cache, client = plumbing.metrics, plumbing.cache, plumbing.client
    status = StatusRegistry()
    # Every vendor's HTTP client and adapters, from the vendor table: its base URL, its key's
    # header, its adapters built on them.
    http = {
        vendor: client(vendor, getattr(settings, spec.base_url), spec.headers(settings))
        for vendor, spec in VENDORS.items()
    }
    routes = RouteBook()
    vendors = Vendors(
        _adapter(path).from_link(VendorLink(http[vendor], bool(spec.key(settings)), routes))
        for vendor, spec in VENDORS.items()
        for path in spec.adapters
    )
    okx = vendors.get(OkxClient)
    db = Database(
        settings.database_url,
        timeout=settings.database_timeout_seconds,
        statement_timeout=settings.database_statement_timeout_seconds,
        probe_seconds=settings.store_probe_seconds,
    )
    flags = FlagService(db, settings, status)
    modules = build_modules(MarketParts(settings, vendors, cache, status, flags, db))
    instruments = InstrumentCatalog(okx, cache, settings.instruments_cache_ttl_seconds)
    whale_rule = WhaleRule.from_settings(settings)
    ticker, orderbook = modules.get(TickerService), modules.get(OrderBookService)
    whale, heatmap = modules.get(WhaleService), modules.get(HeatmapService)
    etf, sentiment = modules.get(EtfService), modules.get(SentimentService)
    derivs = DerivReaders(modules.get(FundingService), modules.get(OiService))
    bias = BiasService(
        whale,
        etf,
        sentiment,
        Thresholds(
            long_sentiment=settings.bias_long_sentiment,
            short_sentiment=settings.bias_short_sentiment,
            whale=whale_rule,
            derivs_vote=settings.bias_derivs_vote == "on",
        ),
        ticker,
        derivs,
    )
    sniper = SniperService(
        ticker,
        orderbook,
        heatmap,
        whale,
        etf,
        SniperLimits(
            wall_multiple=settings.sniper_wall_multiple,
            cluster_pct=settings.sniper_cluster_pct,
            stop_buffer_pct=settings.sniper_stop_buffer_pct,
            same_setup_pct=settings.sniper_same_setup_pct,
            whale=whale_rule,
        ),
        instruments,
        derivs,
    )
    outbox = Outbox(
        db,
        Cooldown(
            seconds=settings.alert_cooldown_seconds,
            repeat_gain=settings.alert_repeat_gain,
        ),
        instance=settings.instance(),
    )
    subscriptions = SubscriptionService(db)
    calls = CallLog(CallStore(db))
    journal = Journal(db)
    candles = CandleStore(db)
    rules = RuleStore(db)
    track_record = TrackRecordService(calls.store)
    follow_ups = FollowUps(FollowUpQueue(db, outbox.published), subscriptions)
    chats = ChatRepository(db)
    chat_settings = ChatSettingsService(ChatSettingsStore(db), Defaults.of(settings), chats)

    rupiah = RupiahService(vendors.get(IndodaxClient), cache)

    jobs = build_jobs(
        JobParts(
            settings=settings,
            metrics=metrics,
            vendors=vendors,
            modules=modules,
            bias=bias,
            sniper=sniper,
            outbox=outbox,
            subscriptions=subscriptions,
            calls=calls,
            journal=journal,
            track_record=track_record,
            follow_ups=follow_ups,
            candles=candles,
            rules=rules,
            chat_settings=chat_settings,
            held=HeldPushes(db, outbox),
            rupiah=rupiah,
        )
    )
    price_charts = PriceCharts(okx, cache, status)
    rule_service = RuleService(
        rules,
        instruments,
        ticker,
        Limits(private=settings.alert_max_per_user, group=settings.alert_max_per_group),
        modules.get(FundingService),
        modules.get(OiService),
    )
    leases = Leases(db, settings.instance())
    return Services(
        settings=settings,
        metrics=metrics,
        status=status,
        breakers=plumbing.breakers,
        cache=cache,
        vendors=vendors,
        modules=modules,
        bias=bias,
        instruments=instruments,
        price_charts=price_charts,
        db=db,
        chats=chats,
        chat_settings=chat_settings,
        rupiah=rupiah,
        seen_chats=SeenChats(chats),
        subscriptions=subscriptions,
        outbox=outbox,
        leases=leases,
        sniper=sniper,
        flags=flags,
        routes=routes,
        calls=calls,
        track_record=track_record,
        candles=candles,
        journal=journal,
        jobs=jobs,
        rules=rule_service,
        rule_review=RuleReview(rule_service, price_charts),
        liquidation_stream=LiquidationStream(
            settings.okx_ws_url,
            lambda: contract_values(cache, okx),
            LiquidationStore(db),
            leases,
            status,
            flags,
        )
        if settings.okx_ws_url
        else None,
        redis=plumbing.redis,
        limits=plumbing.limits,
        stores=StoreWatch(status, outbox, settings.admin_ids),
        clients=list(http.values()),
    )
