"""The app of the ``m import`` / ``m export`` / ``m user:*`` tests."""
