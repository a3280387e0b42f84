"""Live exam-day feed (智慧招考, work item 十一): ingest, landing area, simulator.

    python -m etl feed serve       # HTTP endpoint (127.0.0.1:8765) + drop-folder loop
    python -m etl feed simulate    # replay an exam day through the endpoint (real HTTP)
    python -m etl feed drain       # process the drop folder once (after a network outage)
    python -m etl feed tokens      # print/export the per-site tokens
    python -m etl feed compact     # merge small landing files (the server does it by itself)
    python -m etl feed clock       # show (or --clear) the simulation clock

Modules: ``schema`` (event kinds, fields, validation), ``clock`` (exam clock, simulation
mapping), ``tokens`` (HMAC tokens per site), ``landing`` (the atomic landing area),
``plan`` (the exam plan the validator checks codes against), ``ingest`` (validate → dedupe →
land), ``server`` (Starlette app), ``simulate`` (the exam-day simulator), ``bench`` (the
ingest benchmark), ``cli``.
The event schema and the guarantees are documented in docs/exam-feed.md.
"""
