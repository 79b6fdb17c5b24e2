#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018  (loads the settings, which read the environment)
    except ImproperlyConfigured as exc:
        sys.exit(str(exc))  # a variable to set, said as such: not a traceback
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
