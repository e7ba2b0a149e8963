"""Signals of the children's data lifecycle, so that each app deletes what it holds about a child.

``case_purged`` is sent for each case of a child whose personal data are deleted (end of the school
year the child turns 16, or family moved away), before the child row is deleted. Receivers delete
the personal data they keep about that case (letters, notes); the case itself stays, anonymous, for
the indicators.
"""

from django.dispatch import Signal

case_purged = Signal()  # sender=Case class, case=<Case instance>
