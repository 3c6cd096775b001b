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

# Listen on all interfaces inside the container so /healthz and /metrics can be published: an
# --env-file copied from .env.example says HTTP_HOST=127.0.0.1, which would make them
# unreachable from the host, so the command sets it (CONTAINER_HTTP_HOST changes it).
ENV HTTP_PORT=8080 CONTAINER_HTTP_HOST=0.0.0.0
EXPOSE 8080
VOLUME ["/app/data"]
CMD ["sh", "-c", "export HTTP_HOST=\"$CONTAINER_HTTP_HOST\"; exec python -m bot"]
