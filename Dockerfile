# The Wirestream worker image used by docker-compose.yml.
#
# Stage 1 builds the wheel; stage 2 installs that wheel (never the source tree, never
# editable), so the image runs exactly what `pip install wirestream-*.whl` gives any user:
# the JSON Schemas and the other data files must come from the package, or it fails here.
# constraints.txt pins every dependency (and the build's setuptools) to the tested versions.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY pipeline ./pipeline
COPY agents ./agents
COPY schemas ./schemas
COPY wirestream ./wirestream
RUN PIP_CONSTRAINT=constraints.txt pip wheel --no-deps --wheel-dir /dist .

FROM python:3.11-slim
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_CACHE_DIR=1
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /dist/ /tmp/dist/
RUN pip install --constraint /tmp/constraints.txt /tmp/dist/wirestream-*.whl \
    && rm -rf /tmp/dist /tmp/constraints.txt \
    && useradd --create-home --uid 10001 wirestream
WORKDIR /home/wirestream
COPY --chown=wirestream seeds ./seeds
USER wirestream
ENV KAFKA_BOOTSTRAP_SERVERS=kafka:9092 \
    WIRESTREAM_WEB_HOST=0.0.0.0 \
    WIRESTREAM_WEB_PORT=6066
EXPOSE 6066
CMD ["wirestream", "worker", "--loglevel", "info"]
