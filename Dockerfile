# The jobmatch services image, for docker-compose.yml. Our own machines run without Docker
# (see README); this file is for people who have it.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY services ./services
RUN pip install --no-cache-dir .
ENV KAFKA_BOOTSTRAP_SERVERS=kafka:9092 JOBMATCH_HOME=/data
VOLUME /data
ENTRYPOINT ["jobmatch"]
