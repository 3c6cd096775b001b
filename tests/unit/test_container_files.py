"""The container set-up keeps its promises: data on a volume, a healthcheck on /healthz, and
/healthz reachable from the host whatever HTTP_HOST an env file copied from .env.example says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_keeps_data_on_a_named_volume_and_checks_healthz() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    bot = compose["services"]["bot"]
    volume, _, target = bot["volumes"][0].partition(":")
    assert target == "/app/data" and volume in compose["volumes"]  # named, not anonymous
    assert "/healthz" in " ".join(bot["healthcheck"]["test"])
    assert bot["environment"]["HTTP_HOST"] == "0.0.0.0"  # wins over env_file
    assert bot["env_file"] == ".env"
    assert str(bot["environment"]["HTTP_PORT"]) in bot["ports"][0].split(":")[-1]


def test_the_image_listens_on_every_interface_even_with_a_loopback_env_file() -> None:
    cmd = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    shell, flag, script = json.loads(cmd.removeprefix("CMD "))
    assert (shell, flag) == ("sh", "-c") and "exec python -m bot" in script
    probe = script.replace(
        "exec python -m bot",
        f"exec {sys.executable} -c 'import os; print(os.environ[\"HTTP_HOST\"])'",
    )
    env = {**os.environ, "HTTP_HOST": "127.0.0.1", "CONTAINER_HTTP_HOST": "0.0.0.0"}
    out = subprocess.run([shell, flag, probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0.0.0.0"


def test_the_fleet_profile_runs_replicas_on_shared_stores_behind_the_proxy() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    fleet = {name for name, s in services.items() if "fleet" in s.get("profiles", [])}
    assert fleet == {"bot-a", "bot-b", "redis", "postgres", "proxy"}
    assert "profiles" not in services["bot"]  # `docker compose up` is still the single bot
    a, b = services["bot-a"]["environment"], services["bot-b"]["environment"]
    assert a["INSTANCE_ID"] != b["INSTANCE_ID"]  # job leases and delivery claims tell them apart
    for env in (a, b):
        assert env["REDIS_URL"].startswith("redis://redis:")
        database = env["DATABASE_URL"]
        assert database.startswith("postgresql+asyncpg://") and "@postgres/" in database
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "bot-a:8080" in caddyfile and "bot-b:8080" in caddyfile


def test_the_image_runs_as_a_user_and_checks_healthz() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert "/healthz" in (ROOT / "Dockerfile").read_text()
