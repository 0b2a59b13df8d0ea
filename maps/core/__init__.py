"""Plain-Python analysis core for mapped features (no Django imports).

Django views and Celery tasks pass plain data (lists, dicts, dataclasses) in and get plain data,
bytes or dataclasses back, so the same code runs in a notebook, a worker or a benchmark.
"""
