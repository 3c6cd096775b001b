FROM python:3.11-slim

WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Dependencies first, from the lock with every hash checked (the same pins as `make run`), so
# this layer is rebuilt only when a lock file changes.
COPY requirements/pip.txt requirements/runtime.txt requirements/
RUN pip install --require-hashes --no-deps -r requirements/pip.txt \
    && pip install --require-hashes -r requirements/runtime.txt

# Then the bot itself, built with the locked setuptools (no other download).
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY services ./services
COPY locales ./locales
RUN pip install --no-deps --no-build-isolation . && pybabel compile -d locales -D messages

# Not root: the bot needs to write only its data directory. A volume made by an older image
# belongs to root: `docker compose run --rm --user root bot chown -R 10001 /app/data` once.
RUN useradd --uid 10001 --no-create-home --home-dir /app bot && mkdir -p /app/data \
    && chown bot /app/data
USER bot

# Listen on all interfaces inside the container so /healthz and /metrics can be published: an
# --env-file copied from .env.example says HTTP_HOST=127.0.0.1, which would make them
# unreachable from the host, so the command sets it (CONTAINER_HTTP_HOST changes it).
ENV HTTP_PORT=8080 CONTAINER_HTTP_HOST=0.0.0.0
EXPOSE 8080
# 503 from /healthz (every main data source down, the token refused, another poller) marks the
# container unhealthy; the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD python -c \
    "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=3)"
VOLUME ["/app/data"]
CMD ["sh", "-c", "export HTTP_HOST=\"$CONTAINER_HTTP_HOST\"; exec python -m bot"]
