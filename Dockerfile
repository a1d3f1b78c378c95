# One image for every role: the command chooses node or hub.
#   docker run -v $PWD/no:/srv/no ketanet node serve --config /srv/no/node.toml
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# libsodium: the ristretto255 group of the cross-border overlap (docs/overlap.md)
RUN apt-get update && apt-get install -y --no-install-recommends libsodium23 \
    && rm -rf /var/lib/apt/lists/* && useradd --create-home --uid 10001 ketanet
WORKDIR /opt/ketanet
COPY pyproject.toml setup.py README.md ./
COPY app ./app
COPY mappings ./mappings
COPY schemas ./schemas
RUN pip install . && rm -rf /opt/ketanet/app
USER ketanet
WORKDIR /srv
EXPOSE 8100 8101
ENTRYPOINT ["ketanet"]
CMD ["--help"]
