#!/usr/bin/env python
"""Django's administrative commands for Veille's web application (developers)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veille.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
