"""What the pages show, prepared once: cached functions that combine query results with pandas.

A page reads ``queries/*.sql`` through ``edusight.queries.run`` (each result cached on query,
scope, parameters and database version). When it then joins, labels, formats or rolls those
results up, that work is the same on every rerun of the same view, so it lives here, in
``st.cache_data`` functions that take only plain values:

- ``db``: ``queries.db_key()`` (database file, inode, mtime): a new database is read afresh;
- ``scope``: the viewer's unit codes (``queries.viewer_scope()``): a result computed for one
  scope is never served to a viewer with another;
- the language and the view's own choices (a period, a unit, a toggle).

They are module-level (decorated once per process, not on every run of a page script) and
read no session state: ``t(key, lang=lang)``, never ``t(key)``.
"""
