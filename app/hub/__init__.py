"""The hub: asks national nodes signed queries, one task per node, and pools their answers.

``requests`` brings an analyst's query to normal form (``app.catalogue.validate_query``);
``tasks`` keeps one task per node in the hub database (``task_store``, ``query_store``,
``task_requests``, ``change_signal``): ``fanout`` sends the push tasks, pull nodes fetch theirs
(``routes_tasks``, verified by ``node_trust``), and every answer is read by ``node_answers`` into
a ``NodeReply`` (``replies``). ``pooling`` builds the tidy query-output document (``document``,
``query_documents``: the document at every moment) from count intervals (``figures``, over
``app.disclosure.bounds``) and ``estimates`` its statistics with the pure maths of ``stats`` and
``meta_analysis``; ``service`` runs it all. ``app`` composes the web layer (``routes_queries``,
``routes_nodes``, ``routes_tasks``, ``routes_dashboard``). The hub never imports record-level
code. Governance: docs/governance.md.
"""
