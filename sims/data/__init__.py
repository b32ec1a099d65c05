"""A round's data as documented tables (schema version 1, docs/data.md): the decoded events,
agents, resources and intervals as typed numpy columns, their CSV and Parquet writers, and
summary.json with its JSON Schema. :mod:`sims.export` writes them; :mod:`sims.analysis` reads them.
"""
