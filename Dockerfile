FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NUDGEBOT_DATA_DIR=/data \
    NUDGEBOT_MESSAGES_DIR=/app/messages

WORKDIR /app

# Dependencies first, pinned by the lock file, so code changes reuse this layer.
COPY requirements.lock ./
RUN pip install --requirement requirements.lock

COPY pyproject.toml README.md ./
COPY nudgebot ./nudgebot
COPY alembic ./alembic
COPY messages ./messages
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin nudgebot \
    && mkdir -p /data \
    && chown nudgebot /data

USER 10001
VOLUME ["/data"]
ENTRYPOINT ["nudgebot"]
CMD ["run"]
