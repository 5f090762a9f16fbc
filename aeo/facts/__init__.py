"""The facts that flow from the analyzers to the rules: the records (records.py), the
schema.org vocabulary they are read against (schemaorg.py), the page types' vocabulary
(page_types.py), and the readers both share (reading.py). Rules import only this package, the
rule base and the governance (tests/test_boundaries.py)."""
