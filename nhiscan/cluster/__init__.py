"""Running a scan's natural shards on an executor (issue #21).

- ``units``: ``WorkUnit`` (one account to collect, one repository to scan, ...), ``Split`` (what
  a connector hands over instead of collecting itself) and the ``Splittable`` protocol.
- ``shards``: the shard store (a folder or ``s3://bucket/prefix``): one gzip JSON-lines file per
  unit, written by the worker that ran it, never passed through the client's memory.
- ``executor``: ``--executor local`` (in this process) or a Dask cluster
  (``dask://HOST:8786``, ``tcp://...``, ``local-cluster:N``), bounded retries, outcomes in
  completion order.
- ``run``: the client's loop: skip shards already written (``--resume``), run the rest, turn a
  unit that failed every attempt into a ``CollectionGap`` naming it, report progress and the
  per-stage summary.

Dask is imported only when a Dask executor is asked for (``nhiscan[dask]``).
"""
