# The nhiscan image: the client (`nhiscan scan --executor tcp://...`), and the Dask scheduler and
# workers of a cluster scan (`dask scheduler`, `dask worker`: docs/cluster.md), all from one
# image so that every part runs the same nhiscan and the same Dask. git is for the git
# connector (it runs git to read repositories and their history).
FROM python:3.11-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
RUN pip install --no-cache-dir '.[dask,postgres]'

RUN useradd --create-home --uid 10001 nhiscan
USER nhiscan
WORKDIR /home/nhiscan

CMD ["nhiscan", "--help"]
