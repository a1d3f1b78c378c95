"""The national node: a FastAPI app serving FHIR, answering signed aggregate queries."""
