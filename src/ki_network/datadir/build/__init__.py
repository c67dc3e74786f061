"""From raw records to model objects: every field checked, every problem collected.

The builder never stops at the first problem.  Each problem names the file, line and column
of the offending value; references to actors, municipalities and topics that do not exist come
with a "did you mean".  Fields the builder does not know are kept in ``extra``.

:mod:`.fields` reads one record's fields, :mod:`.times` parses and compares dates and times,
:mod:`.builder` builds and cross-checks a whole record set.
"""

from .builder import Builder, Built, Progress
from .fields import ID_PATTERN, LANGUAGE_PATTERN
from .times import parse_time

__all__ = ["ID_PATTERN", "LANGUAGE_PATTERN", "Builder", "Built", "Progress", "parse_time"]
