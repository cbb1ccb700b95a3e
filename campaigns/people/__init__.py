"""People and their data: search, a person's history, manual actions, the suppression list,
CSV import and export, and privacy requests (export everything, or erase it)."""
