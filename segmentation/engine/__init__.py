"""Segmentation engine: plain Python/PyTorch, no Django. Heavy modules (torch, rasterio) load lazily."""
