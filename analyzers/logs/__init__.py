"""Access logs: what AI crawlers fetched (formats, reader, verification, join)."""
