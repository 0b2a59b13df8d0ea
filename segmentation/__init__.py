"""Segmentation of planetary surface images: craters, valleys and ridges (engine in ``segmentation.engine``)."""
