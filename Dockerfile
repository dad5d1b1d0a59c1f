# aphrodite-ops: the Discord maintenance bot for Aphrodite v2.
FROM python:3.11-slim-bookworm

# postgresql-client-15 matches Aphrodite's PostgreSQL 15 server: pg_dump refuses newer servers.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

# /data exists in the image and belongs to the bot's user, so a new named volume mounted there
# starts out writable by it (Docker copies the ownership) for the state store, backups and log.
RUN useradd --create-home --uid 10001 aphrodite-ops \
    && mkdir -p /data/backups \
    && chown -R 10001:10001 /data
WORKDIR /app

# The exact versions the tests passed with (scripts/lock-requirements), then the project alone.
COPY requirements.lock ./
RUN pip install --no-cache-dir --requirement requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
RUN pip install --no-cache-dir --no-deps . \
    && pip check

USER 10001
# With METRICS_PORT set (off by default), /metrics, /livez and /readyz listen on every address of
# the container, reachable only where the port is published (docs/metrics.md uses 9705).
ENV DATA_DIR=/data \
    BACKUP_DIR=/data/backups \
    METRICS_BIND=0.0.0.0 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 9705

# Healthy while the bot is connected to Discord: it rewrites /data/heartbeat every 5 s and
# `health` fails once that is over 10 s old (bot/heartbeat.py), so a dead bot shows within seconds.
# With METRICS_PORT set, `health` asks /livez instead (the bot's event loop answers).
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot"]
