"""Files on disk: history database, settings and custom workouts."""
