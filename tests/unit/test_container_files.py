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
