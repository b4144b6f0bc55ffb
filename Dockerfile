# The Wirestream worker image used by docker-compose.yml.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY pipeline ./pipeline
COPY agents ./agents
COPY schemas ./schemas
COPY seeds ./seeds
RUN pip install --no-cache-dir -e .
ENV KAFKA_BOOTSTRAP_SERVERS=kafka:9092 \
    WIRESTREAM_WEB_HOST=0.0.0.0 \
    WIRESTREAM_WEB_PORT=6066
EXPOSE 6066
CMD ["wirestream", "worker", "--loglevel", "info"]
