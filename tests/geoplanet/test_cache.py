import threading

from django.core.cache import cache, caches

from geoplanet.cache import KeptClientRedisCache


def test_the_configured_cache_keeps_one_client_per_pool() -> None:
    backend = caches["default"]
    assert isinstance(backend, KeptClientRedisCache)
    inner = backend._cache  # type: ignore[attr-defined]
    assert inner.get_client(write=False) is inner.get_client(write=True)  # one server: one pool, one client


def test_values_round_trip_across_threads() -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(50):
                key = f"kept-client-{n}-{i}"
                caches["default"].set(key, {"n": n, "i": i}, 30)
                assert caches["default"].get(key) == {"n": n, "i": i}
                caches["default"].delete(key)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert cache.get("kept-client-missing") is None
    cache.set("kept-client-counter", 1, 30)
    assert cache.incr("kept-client-counter", 2) == 3
    cache.delete("kept-client-counter")
