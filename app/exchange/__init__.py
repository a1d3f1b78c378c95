"""What node and hub exchange, as plain data and its FHIR forms.

``query`` (``MeasureQuery`` ⇄ FHIR ``Parameters``), ``answer`` (``MeasureAnswer``: tables of
possibly disclosed counts, with the ``DisclosurePolicy`` applied) and ``measure_report``
(``MeasureAnswer`` ⇄ FHIR ``MeasureReport``). No framework and no record-level code, so both the
node and the hub may import it.
"""
