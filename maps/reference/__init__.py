"""Reference crater catalogues: loading them, showing them on the map, and comparing detections with them."""
