FROM python:3.11-slim

WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY services ./services
COPY locales ./locales
RUN pip install . && pybabel compile -d locales -D messages

# Listen on all interfaces inside the container so /healthz and /metrics can be published.
ENV HTTP_HOST=0.0.0.0 HTTP_PORT=8080
EXPOSE 8080
VOLUME ["/app/data"]
CMD ["python", "-m", "bot"]
