"""The `clarion` console command: Clarion's own commands plus all of Django's.

    clarion run          migrate, load demo data on first start, serve with worker + scheduler
    clarion worker       run a background worker (database queue or Celery)
    clarion scheduler    run the periodic-job scheduler
    clarion createadmin  create an administrator
    clarion demo         load the demo workspace
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarion.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "clarion"
    if len(argv) == 1:
        print(__doc__)
        argv.append("help")
    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
