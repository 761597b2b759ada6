"""The benchmark's Django app, a development tool of the source checkout (never installed in
production): ``liandong gen-data`` (the generated province), and the bare views the
throughput ratios are taken against (``/bench/baseline``, ``/bench/two-rows``). It runs under
``DJANGO_SETTINGS_MODULE=liandong_bench.settings`` with ``bench/`` on the Python path."""
