"""Throwaway PostgreSQL databases beside the configured one, so tests never touch real data."""

from __future__ import annotations

import uuid

import asyncpg
from sqlalchemy.engine import make_url


async def temporary_database(url: str) -> tuple[str, str]:
    """A throwaway database beside the configured one, so tests never touch real data."""
    parsed = make_url(url)
    name = f"cryptobot_test_{uuid.uuid4().hex[:12]}"
    admin = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return parsed.set(database=name).render_as_string(hide_password=False), name


async def drop_database(url: str, name: str) -> None:
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.close()
