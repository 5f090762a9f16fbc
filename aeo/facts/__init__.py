"""The facts that flow from the analyzers to the rules: the records (records.py), the
schema.org vocabulary they are read against (schemaorg.py), and the readers both share
(reading.py). Rules import only this package and the rule base (tests/test_boundaries.py)."""
