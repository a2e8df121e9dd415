"""One folder per DocType: its schema (``doctype.py``) and its controller (``controller.py``)."""
