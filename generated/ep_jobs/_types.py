"""Field types the generated models use beside the standard ones."""

from __future__ import annotations

import datetime
from typing import Annotated

import pydantic

from ._serialize import aware_datetime

__all__ = ["UTCDateTime"]


def _utc_datetime(
    value: object, handler: pydantic.ValidatorFunctionWrapHandler
) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return aware_datetime(value)
    parsed: datetime.datetime = handler(value)
    return parsed.replace(tzinfo=datetime.UTC) if parsed.tzinfo is None else parsed


#: A `format: date-time` value. A timestamp read without a zone (Elastic Path writes some so) is
#: UTC, as the platform means it and as the jobs facade reads it; a `datetime` given in Python
#: without a zone is refused (`NaiveDatetimeError`, a `ValueError`), since Python's naive
#: datetimes are usually local time, which the server cannot know. So a model read from a
#: response can always be sent back.
UTCDateTime = Annotated[datetime.datetime, pydantic.WrapValidator(_utc_datetime)]
