"""KetaNet: a federated interoperability layer for national ketamine/esketamine TRD registries.

The data path is the layout: sources → mapping → deid → profiles → store → measures →
disclosure → exchange → node → hub. ``trust`` (signatures, nonces, audit) serves node and hub;
``cli`` wires commands to them.
"""

__version__ = "0.1.0"
