"""The Qt-free core: workouts, timeline, session engine, records. Never imports PySide6."""
