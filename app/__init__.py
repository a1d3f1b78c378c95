"""KetaNet: a federated interoperability layer for national ketamine/esketamine TRD registries.

The data path is the layout: sources → mapping → deid → profiles → store → measures →
disclosure → node → hub. Node and hub share ``catalogue`` (the measures and the one query
validator), ``exchange`` (queries and answers in their FHIR forms) and ``web`` (errors, audit);
``trust`` (signatures, nonces, audit) serves both; ``cli`` wires commands to them.
"""

__version__ = "0.1.0"
