# One image for every role: the command chooses node or hub (docs/deploy.md).
#   docker run --rm -p 8101:8101 -v "$PWD/no:/srv/no" \
#     -e KETANET_NODE_PUBLIC_URL=https://node.example.org ketanet node serve --config /srv/no/node.toml
# The image runs as uid:gid 10001:10001: mounted keys and secrets stay 0600 and must belong to
# 10001 (chown 10001:10001), or run the container as their owner (--user "$(id -u):$(id -g)").
# The base image is pinned to an exact release; pin its digest too for reproducible builds
# (docs/deploy.md, "Building the image").
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    KETANET_NODE_HOST=0.0.0.0 KETANET_HUB_HOST=0.0.0.0
# libsodium: the ristretto255 group of the cross-border overlap (docs/overlap.md)
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsodium23=1.0.18-1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 ketanet \
    && useradd --create-home --uid 10001 --gid 10001 ketanet
WORKDIR /opt/ketanet
COPY pyproject.toml setup.py README.md ./
COPY app ./app
COPY mappings ./mappings
COPY schemas ./schemas
RUN pip install --no-cache-dir . && rm -rf /opt/ketanet/app \
    && mkdir -p /srv && chown 10001:10001 /srv
USER 10001:10001
WORKDIR /srv
# 8101: a node (node.port); 8100: the hub (hub.port). Publish the one the command serves.
EXPOSE 8100 8101
# Polls the node's /health by default; for the hub set KETANET_HEALTH_URL=http://127.0.0.1:8100/health.
ENV KETANET_HEALTH_URL=http://127.0.0.1:8101/health
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['KETANET_HEALTH_URL'], timeout=4)"]
ENTRYPOINT ["ketanet"]
CMD ["--help"]
