# aidaily: one container that runs `aidaily serve` (schedule, bots, HTTP on 8080).
#   docker compose up -d          (with docker-compose.yml: Redis with AOF beside it)
# Config: /app/config.yaml (deploy/config.docker.yaml; mount your own over it).
# Secrets: environment variables only (see .env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Runtime dependencies only: `pip install .`, never the dev extras.
COPY pyproject.toml README.md ./
COPY pipeline ./pipeline
COPY bot ./bot
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin aidaily \
    && mkdir -p /app/data \
    && chown aidaily /app/data

COPY deploy/config.docker.yaml /app/config.yaml

USER aidaily
# The embedded Redis (when REDIS_URL is not set) keeps its files here.
VOLUME ["/app/data"]
EXPOSE 8080

# slim has no curl: ask /healthz with Python. A 503 (Redis does not answer)
# raises, so the container is reported unhealthy; a failed run is reported in
# the body and in /metrics instead, since a restart would not fix a feed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('AIDAILY_HTTP_PORT', '8080'), timeout=4)"]

# aidaily serve stops within 10 s of SIGTERM (Docker's default grace period).
STOPSIGNAL SIGTERM
CMD ["aidaily", "serve"]
