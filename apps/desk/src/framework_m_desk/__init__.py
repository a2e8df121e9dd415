"""Framework M Desk: the browser admin UI, built from ``frontend/`` into ``static/`` and served
at ``/desk`` by ``framework_m_desk.serving`` (``m start`` mounts it when the build is there)."""
