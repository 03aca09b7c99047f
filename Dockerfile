# tsp-auth container image (docs/operations.md "Container image").
# Two stages: the builder installs the package and its pinned dependencies into a virtual
# environment; the runtime image gets only that environment, the migrations and a non-root
# user. The base is pinned to an exact Python patch release and Debian release, so a rebuild
# does not silently change the interpreter; bump it deliberately (and pin its digest with
# `python:…@sha256:…` where the registry is reachable).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# The same path as in the runtime stage: a virtual environment is not relocatable.
RUN python -m venv /opt/tsp-auth
ENV PATH=/opt/tsp-auth/bin:$PATH
WORKDIR /build
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
# constraints.txt pins every dependency to the version the test suite ran with.
RUN pip install -c constraints.txt .

FROM ${PYTHON_IMAGE} AS runtime
# Declared again: an ARG given before the first FROM is not visible inside a stage.
ARG PYTHON_IMAGE
ARG VERSION=0.1.0
# Set by the release build: docker build --build-arg REVISION="$(git rev-parse HEAD)" \
#   --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" --build-arg SOURCE=<repository URL> .
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="tsp-auth" \
      org.opencontainers.image.description="Authorization service for TikTok Shop Partner (TSP) access" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="docker.io/library/${PYTHON_IMAGE}"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/tsp-auth/bin:$PATH \
    TSP_AUTH_MIGRATIONS_DIR=/app/migrations
RUN groupadd --system --gid 10001 tsp \
    && useradd --system --uid 10001 --gid tsp --home-dir /app --no-create-home tsp
COPY --from=builder /opt/tsp-auth /opt/tsp-auth
WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations
# var/ holds the SQLite file of local runs; the code and migrations stay read-only for tsp.
RUN mkdir /app/var && chown tsp:tsp /app/var
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]
ENTRYPOINT ["tsp-auth"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
