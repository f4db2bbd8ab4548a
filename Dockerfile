# NN Playground server image: python:3.11-slim, non-root, data in the /data volume.
#   docker build -t nn-playground .
#   docker run -p 8000:8000 -v playground-data:/data nn-playground
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PLAYGROUND_HOME=/data \
    PLAYGROUND_CACHE_DIR=/data/cache \
    PLAYGROUND_FRONTEND_DIR=/app/frontend

RUN useradd --create-home --uid 1000 playground \
    && mkdir -p /data /app \
    && chown playground:playground /data

WORKDIR /app
# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY backend ./backend
# EXTRAS: [export] for ONNX export; docker-compose.yml adds [cluster] (Ray) for its cluster profile.
ARG EXTRAS="[export]"
RUN pip install ".${EXTRAS}" && rm -rf backend/build
COPY frontend ./frontend

USER playground
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status == 200 else 1)"

CMD ["playground", "serve", "--host", "0.0.0.0", "--port", "8000"]
