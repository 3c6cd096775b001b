"""Builds the service graph from settings; the bot, tests and benches all start here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from limits.aio.storage import MemoryStorage, Storage
from loguru import logger
from prometheus_client import Counter

from services.chats.languages import ChatLanguages
from services.chats.subscriptions import SubscriptionService
from services.delivery.call_followups import FollowUps
from services.delivery.followups import FollowUpQueue
from services.delivery.outbox import Cooldown, Outbox
from services.jobs.active_hours import ActiveHours
from services.jobs.bias_job import BiasJob
from services.jobs.grading_job import GradingJob
from services.jobs.registry import JOBS, JUDGED, Job
from services.jobs.sniper_job import SniperJob
from services.jobs.store_notice import StoreWatch
from services.kernel.breaker import BreakerBoard
from services.kernel.cache import ResilientCache
from services.kernel.fallback_backend import RedisLink
from services.kernel.http import VendorClient
from services.kernel.metrics import Metrics
from services.kernel.plumbing import build_plumbing
from services.kernel.retry import DEFAULT, RetryPolicy
from services.kernel.routes import RouteBook
from services.kernel.settings import Settings
from services.kernel.status import StatusRegistry
from services.market.etf.service import EtfService
from services.market.flags import FlagService
from services.market.heatmap.service import HeatmapService
from services.market.instruments import InstrumentCatalog
from services.market.options.service import OptionsService
from services.market.orderbook.service import OrderBookService
from services.market.parts import MarketParts, ModuleServices, Vendors, build_modules
from services.market.sentiment.service import SentimentService
from services.market.ticker.service import TickerService
from services.market.whale.analysis import WhaleRule
from services.market.whale.service import WhaleService
from services.signals.bias.rule import Thresholds
from services.signals.bias.service import BiasService
from services.signals.calls import CallLog
from services.signals.health import JobHealth
from services.signals.sniper.rule import SniperLimits
from services.signals.sniper.service import SniperService
from services.signals.track_record import TrackRecordService
from services.storage.calls import CallStore
from services.storage.candles import CandleStore
from services.storage.chats import ChatRepository
from services.storage.db import Database
from services.storage.journal import Journal
from services.storage.leases import Leases
from services.vendors.alternative_me import FearGreedClient
from services.vendors.binance import BinanceClient
from services.vendors.coinapi import CoinApiClient
from services.vendors.coinglass import CoinGlassClient
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
    bias_job: BiasJob
    sniper_job: SniperJob
    instruments: InstrumentCatalog
    db: Database
    chats: ChatRepository
    languages: ChatLanguages
    flags: FlagService
    routes: RouteBook
    calls: CallLog
    track_record: TrackRecordService
    candles: CandleStore
    journal: Journal
    grading_job: GradingJob
    clients: list[VendorClient] = field(default_factory=list)

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
            "modules": self.modules,
            "instruments": self.instruments,
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
            "languages": self.languages,
            "track_record": self.track_record,
        }

    def job_runs(self) -> dict[Job, Callable[[], Awaitable[object]]]:
        """The runs of the jobs this graph builds (the scheduler adds its own two)."""
        return {
            Job.BIAS: self.bias_job.run,
            Job.SNIPER: self.sniper_job.run,
            Job.GRADING: self.grading_job.run,
        }

    def job_health(self) -> list[JobHealth]:
        """The health of every job judged by its modules (jobs/registry.py), in its order."""
        health = {Job.BIAS: self.bias_job.health, Job.SNIPER: self.sniper_job.health}
        return [health[job] for job in JUDGED]

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
        for client in self.clients:
            await client.aclose()
        if self.stores is not None:
            await self.stores.close()
        await self.cache.close()
        if self.redis is not None:
            await self.redis.close()
        await self.db.close()


def build_services(
    settings: Settings, *, cache_enabled: bool = True, retry: RetryPolicy = DEFAULT
) -> Services:
    plumbing = build_plumbing(settings, cache_enabled=cache_enabled, retry=retry)
    metrics, cache, client = plumbing.metrics, plumbing.cache, plumbing.client
    status = StatusRegistry()
    okx_http = client("okx", settings.okx_base_url)
    coinapi_key = settings.coinapi_api_key.get_secret_value()
    coinapi_http = client(
        "coinapi", settings.coinapi_base_url, {"X-CoinAPI-Key": coinapi_key} if coinapi_key else {}
    )
    binance_http = client("binance", settings.binance_base_url)
    coinglass_key = settings.coinglass_api_key.get_secret_value()
    coinglass_http = client(
        "coinglass",
        settings.coinglass_base_url,
        {"CG-API-KEY": coinglass_key} if coinglass_key else {},
    )
    routes = RouteBook()
    coinglass = CoinGlassClient(coinglass_http, has_key=bool(coinglass_key), routes=routes)
    fng_http = client("alternative_me", settings.fng_base_url)
    db = Database(
        settings.database_url,
        timeout=settings.database_timeout_seconds,
        statement_timeout=settings.database_statement_timeout_seconds,
        probe_seconds=settings.store_probe_seconds,
    )
    flags = FlagService(db, settings, status)
    okx = OkxClient(okx_http, routes)
    coinapi = CoinApiClient(coinapi_http, has_key=bool(coinapi_key))
    vendors = Vendors(
        okx=okx,
        coinapi=coinapi,
        binance=BinanceClient(binance_http),
        coinglass=coinglass,
        fear_greed=FearGreedClient(fng_http),
    )
    modules = build_modules(MarketParts(settings, vendors, cache, status, flags, db))
    whale_rule = WhaleRule.from_settings(settings)
    ticker, orderbook = modules.get(TickerService), modules.get(OrderBookService)
    whale, heatmap = modules.get(WhaleService), modules.get(HeatmapService)
    etf, sentiment = modules.get(EtfService), modules.get(SentimentService)
    bias = BiasService(
        whale,
        etf,
        sentiment,
        Thresholds(
            long_sentiment=settings.bias_long_sentiment,
            short_sentiment=settings.bias_short_sentiment,
            whale=whale_rule,
        ),
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
    track_record = TrackRecordService(calls.store)
    follow_ups = FollowUps(FollowUpQueue(db, outbox.published), subscriptions)
    lifetime = timedelta(minutes=settings.sniper_setup_lifetime_minutes)
    chats = ChatRepository(db)

    def health(job: Job, soft: Counter) -> JobHealth:
        spec = JOBS[job]
        metrics.job_healthy.labels(job.value).set(1)
        return JobHealth(
            job.value,
            tuple(module.value for module in spec.main),
            spec.interval(settings),
            settings.job_backoff_max_seconds,
            on_soft=lambda module: soft.labels(module).inc(),
            on_change=lambda healthy: metrics.job_healthy.labels(job.value).set(int(healthy)),
        )

    bias_job = BiasJob(
        bias,
        outbox,
        subscriptions,
        health(Job.BIAS, metrics.bias_soft_fail),
        metrics,
        settings.watch_symbols,
        settings.admin_ids,
        calls=calls,
        follow_ups=follow_ups,
        journal=journal,
        track_record=track_record,
        whale_threshold=settings.whale_min_usd,
    )
    sniper_job = SniperJob(
        sniper,
        outbox,
        subscriptions,
        health(Job.SNIPER, metrics.sniper_soft_fail),
        ActiveHours(settings.active_hours, settings.timezone),
        metrics,
        settings.sniper_symbol,
        settings.admin_ids,
        settings.sniper_same_setup_pct,
        calls=calls,
        journal=journal,
        track_record=track_record,
        lifetime=lifetime,
    )
    grading_job = GradingJob(
        calls.store,
        candles,
        okx,
        follow_ups,
        metrics,
        lifetime,
        journal,
        timedelta(days=settings.journal_retention_days),
    )
    return Services(
        settings=settings,
        metrics=metrics,
        status=status,
        breakers=plumbing.breakers,
        cache=cache,
        vendors=vendors,
        modules=modules,
        bias=bias,
        instruments=InstrumentCatalog(okx, cache, settings.instruments_cache_ttl_seconds),
        db=db,
        chats=chats,
        languages=ChatLanguages(chats),
        subscriptions=subscriptions,
        outbox=outbox,
        leases=Leases(db, settings.instance()),
        sniper=sniper,
        bias_job=bias_job,
        sniper_job=sniper_job,
        flags=flags,
        routes=routes,
        calls=calls,
        track_record=track_record,
        candles=candles,
        journal=journal,
        grading_job=grading_job,
        redis=plumbing.redis,
        limits=plumbing.limits,
        stores=StoreWatch(status, outbox, settings.admin_ids),
        clients=[okx_http, coinapi_http, binance_http, coinglass_http, fng_http],
    )
