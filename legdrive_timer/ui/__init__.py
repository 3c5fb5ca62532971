"""PySide6 widgets, the Qt scheduler adapter and the composition root."""
