"""``liandong``: the one command-line entry point, a thin wrapper over manage.py commands.

``liandong demo``, ``liandong serve``, ``liandong worker``, ``liandong setup``,
``liandong import-workers FILE --org CODE``, ``liandong import-organizations FILE --into CODE``,
``liandong tick``, and every Django command. ``liandong gen-data --scale N`` (the benchmark's
province) works from a source checkout only: it runs under the benchmark's settings, from
``bench/liandong_bench`` beside ``src/``.
"""

import os
import sys
from pathlib import Path

PRODUCT_SETTINGS = "liandong.settings.base"
BENCH_SETTINGS = "liandong_bench.settings"
# src/liandong/__main__.py -> the checkout's bench/ directory (absent from an installed wheel).
BENCH_DIR = Path(__file__).resolve().parent.parent.parent / "bench"
NO_GEN_DATA = (
    "gen-data 是源码检出中的开发工具（bench/liandong_bench），安装包中没有。"
    " / gen-data is a development tool of the source checkout (bench/liandong_bench);"
    " it is not part of the installed package."
)


def _use_bench_settings() -> bool:
    """For ``gen-data``: put bench/ on the path and choose its settings, unless another
    settings module than the product's was asked for. False outside a source checkout."""
    if not (BENCH_DIR / "liandong_bench" / "__init__.py").is_file():
        return False
    sys.path.insert(0, str(BENCH_DIR))
    if os.environ.get("DJANGO_SETTINGS_MODULE", PRODUCT_SETTINGS) == PRODUCT_SETTINGS:
        os.environ["DJANGO_SETTINGS_MODULE"] = BENCH_SETTINGS
    return True


def main() -> None:
    argv = list(sys.argv)
    argv[0] = "liandong"
    if len(argv) == 1:
        argv.append("help")
    if argv[1] == "gen-data" and not _use_bench_settings():
        raise SystemExit(NO_GEN_DATA)  # printed to stderr, exit status 1
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCT_SETTINGS)
    if argv[1] == "demo":
        # The demo's codes go to its file outbox (DATA_DIR/sms-outbox.log, mode 0600), which a
        # production configuration refuses unless allowed (accounts.sms.check_sms_backend).
        # Set before settings load; the gunicorn it execs inherits it.
        os.environ.setdefault("LIANDONG_SMS_ALLOW_FILE", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
