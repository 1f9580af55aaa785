"""Filters for ``settings.LOGGING``."""

import logging


class ClientErrorsInOneLine(logging.Filter):
    """A request refused (403 Forbidden, any 4xx) is logged as one line, without the traceback
    of the exception that refused it: that traceback is the same every time, says nothing about
    a fault of ours, and buries the log lines that do."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
