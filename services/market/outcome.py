"""Why a module's call failed, in the words status, answers and job health share."""

from __future__ import annotations

import asyncio

from loguru import logger

from services.kernel.errors import DataUnavailableError, Reason, VendorError
from services.market.flags import ModuleDisabledError


def failure_source(error: BaseException) -> str | None:
    """The source `failure_reason` is about (the last one tried), when one is known."""
    if isinstance(error, DataUnavailableError) and error.failures:
        return error.failures[-1][0] or None
    return None  # a bare VendorError names its vendor by id ("okx"), not as people read it


def failure_reason(error: BaseException) -> Reason:
    if isinstance(error, ModuleDisabledError):
        return Reason.DISABLED
    if isinstance(error, DataUnavailableError) and error.failures:
        return error.failures[-1][1]  # what finally failed: the last source tried
    if isinstance(error, VendorError):
        return error.reason
    if isinstance(error, asyncio.CancelledError):
        raise error  # shutdown is not a module failure
    logger.opt(exception=error).warning("module call failed unexpectedly")
    return Reason.ERROR
