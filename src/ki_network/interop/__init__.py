"""Interoperability: Open Referral HSDS 3.0 in both directions.

* :mod:`.hsds_export` — offers as HSDS services (the JSON exporter ``hsds``);
* :mod:`.hsds_tabular` — the same objects as HSDS tabular data (``hsds-tabular``: CSV files
  and a ``datapackage.json``);
* :mod:`.hsds_import` — HSDS 3.0 JSON or tabular data, and HSDS 1.x tables, as records of a
  data directory (``ki-network import hsds``);
* :mod:`.write` — writing imported records into a new or an existing data directory;
* :mod:`.plugin` — the built-in plugin that registers all of this.

See ``docs/interop.md`` for both mappings, field by field.
"""
