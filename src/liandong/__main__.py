"""``liandong``: the one command-line entry point, a thin wrapper over manage.py commands.

``liandong demo``, ``liandong serve``, ``liandong import-workers FILE --org CODE``,
``liandong tick``, ``liandong gen-data --scale N``, and every Django command.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liandong.settings.base")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "liandong"
    if len(argv) == 1:
        argv.append("help")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
