"""The hub: fans signed queries out to national nodes and pools their disclosure-controlled answers.

``stats`` and ``meta`` hold the pure maths (Wilson and Garwood intervals, DerSimonian–Laird),
``bounds`` turns published cells into intervals for their true counts, ``pooling`` builds the tidy
"Query output" document and ``estimates`` its statistics. The hub never imports record-level code.
"""
