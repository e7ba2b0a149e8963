"""Veille's web application: the cell's shared workspace (Django, server-rendered, htmx).

One Django app per domain: ``territories`` (communes), ``accounts`` (people, roles, charter),
``audit`` (who saw or changed what), ``children`` (the census kept by the mayor), ``imports`` (files
and crossing runs), ``cases`` (the procedures), ``documents`` (letters), ``meetings`` (the cell's
meetings). The crossing engine is used as a library; nothing here is imported by it.
"""
