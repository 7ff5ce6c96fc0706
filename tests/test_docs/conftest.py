"""Markers of the documentation tests.

``slow`` is registered here as well, so that ``pytest --strict-markers``
accepts these tests even where the project's pytest configuration does not
declare it (registering a marker twice is harmless).
"""


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'slow: a long test (e.g. the full documentation build)')
