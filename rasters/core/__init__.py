"""Plain-Python raster core: inspection, geodesy, COG, thumbnails and tiles.

Nothing here imports Django, so a Celery worker, a notebook or a benchmark can use it on its own.
"""
