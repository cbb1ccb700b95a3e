"""The nurture engine's domain: it knows nothing of Flask or RQ."""
