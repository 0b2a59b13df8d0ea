"""Statistics, crater size-frequency distributions, model ages, comparisons and reports (web layer over maps.core)."""
