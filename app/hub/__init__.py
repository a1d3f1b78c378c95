"""The hub: fans signed queries out to national nodes and pools their disclosure-controlled answers.

``requests`` brings an analyst's query to normal form (``app.catalogue.validate_query``),
``fanout`` asks every node and verifies each ``NodeReply`` (``replies``), ``pooling`` builds the
tidy query-output document (``document``) from count intervals (``figures``, over
``app.disclosure.bounds``) and ``estimates`` its statistics with the pure maths of ``stats`` and
``meta_analysis``; ``service`` records it all. ``app`` composes the web layer (``routes_queries``,
``routes_nodes``, ``routes_dashboard``). The hub never imports record-level code.
"""
