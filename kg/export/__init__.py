"""Exporters: JSON (reloadable node-link), RDF, and interactive HTML."""
