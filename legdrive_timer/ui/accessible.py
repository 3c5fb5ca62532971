"""What a screen reader hears where Qt's own accessibility falls short.

On Linux, Qt names a drop-down list by the item it shows ("All workouts") even when the list
has an accessible name: its combo box interface answers the name with the value and leaves
the label to a relation that screen readers do not always follow. A `LabelledComboBox` is
named by its label, like every other control, and its value is the item chosen.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget, QComboBox


class LabelledComboBox(QComboBox):
    """A drop-down list a screen reader names by its accessible name, not by its value."""

    def __init__(self, accessible_name: str) -> None:
        install_accessibility()
        super().__init__()
        self.setAccessibleName(accessible_name)


class _LabelledComboBoxAccessible(QAccessibleWidget):
    def __init__(self, combo: LabelledComboBox) -> None:
        super().__init__(combo, QAccessible.Role.ComboBox)
        self._combo = combo

    def text(self, t: QAccessible.Text) -> str:
        if t == QAccessible.Text.Name:
            return self._combo.accessibleName() or super().text(t)
        if t == QAccessible.Text.Value:
            return self._combo.currentText()
        return super().text(t)

    # The drop-down's list is its one child, as with Qt's own interface: a screen reader
    # finds the items and the chosen one there.
    def childCount(self) -> int:
        return 1

    def child(self, index: int) -> QAccessibleInterface:
        if index == 0:
            return QAccessible.queryAccessibleInterface(self._combo.view())
        return super().child(index)

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        return 0 if child is not None and child.object() is self._combo.view() else -1

    def actionNames(self) -> list[str]:
        names = list(super().actionNames())
        return [*names, QAccessibleWidget.showMenuAction()]

    def doAction(self, name: str) -> None:
        if name in (QAccessibleWidget.showMenuAction(), QAccessibleWidget.pressAction()):
            self._combo.showPopup()
        else:
            super().doAction(name)


def _factory(_class_name: str, obj: QObject) -> QAccessibleInterface | None:
    if isinstance(obj, LabelledComboBox):
        return _LabelledComboBoxAccessible(obj)
    return None


@functools.cache
def install_accessibility() -> None:
    """Give Qt the interfaces above; once per process, before the first such widget."""
    QAccessible.installFactory(_factory)
