"""Operator monitoring: stream health and the equality monitor (`jobmatch monitor serve`).

Modules, pure first:

- ``equality``: selection rates and impact ratios by monitoring group, with suppression.
- ``aggregates``: histograms, windowed rates, percentiles, throughput, lag.
- ``redaction``: what of a dead letter may be shown.
- ``state``: the in-memory aggregates, fed one record or one offset sample at a time.
- ``views``: the JSON the dashboard and ``jobmatch status`` show.
- ``collector``, ``probes``: the I/O (Kafka topics, offsets, groups, /healthz URLs).
- ``app``, ``metrics``, ``cli``: the web app, its /metrics, the command.
"""
