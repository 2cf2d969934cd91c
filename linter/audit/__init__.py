"""The audit front end: many published pages instead of a few files in a repository.

It feeds the same engine as ``claimsafe check`` and reads top-down like it:

    sources (folders, sitemaps, URL lists, URLs) -> fetch (httpx, politely)
        -> engine (main content of each page, then the usual pipeline)
        -> store (SQLite, one row per run, streamed as pages finish)
        -> model (what the reports show) -> reporters/{html,csv,json}

``run`` is the only module here that wires these together, as ``engine`` is for a file.
"""
