"""Logging filters named in settings.LOGGING."""

import logging


class OneLineClientErrors(logging.Filter):
    """``django.request`` logs a 403 or 404 with the exception that caused it, so each
    unknown address or refused page wrote a whole traceback. A client error is one WARNING
    line (method, path, status); a 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
