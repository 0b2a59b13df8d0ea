"""OGC API - Features (Part 1: Core, GeoJSON, HTML) at /ogc/: one collection per analysis the user may see."""
