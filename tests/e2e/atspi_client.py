"""What a screen reader sees of the app, through AT-SPI: run by Debian's python3 (pyatspi),
not by pytest. Finds the window named Legdrive Timer, presses its History button, and prints
every drop-down list of the history as JSON: its name, its actions and the item chosen.

    python3 tests/e2e/atspi_client.py
"""

from __future__ import annotations

import json
import sys
import time

import pyatspi

TIMEOUT_S = 30.0


def nodes(root, depth=0):
    yield root
    if depth > 30:
        return
    for index in range(root.childCount):
        child = root.getChildAtIndex(index)
        if child is not None:
            yield from nodes(child, depth + 1)


def wait_for(find):
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            found = find()
        except Exception:  # the tree changes under us while the app builds it
            found = None
        if found:
            return found
        time.sleep(0.2)
    sys.exit("timed out waiting for the app's accessible tree")


def the_app():
    for app in pyatspi.Registry.getDesktop(0):
        if app is None:
            continue
        for index in range(app.childCount):
            frame = app.getChildAtIndex(index)
            if frame is not None and frame.name == "Legdrive Timer":
                return app
    return None


def press(app, role, name):
    for node in nodes(app):
        if node.getRoleName() == role and node.name == name:
            action = node.queryAction()
            for index in range(action.nActions):
                if action.getName(index) == "Press":
                    action.doAction(index)
                    return True
    return False


def drop_downs(app):
    found = []
    for node in nodes(app):
        if node.getRoleName() != "combo box":
            continue
        state = node.getState()
        if not state.contains(pyatspi.STATE_SHOWING):
            continue
        action = node.queryAction()
        chosen = []
        for index in range(node.childCount):
            items = node.getChildAtIndex(index)
            selection = items.querySelection()
            chosen += [
                selection.getSelectedChild(i).name for i in range(selection.nSelectedChildren)
            ]
        found.append(
            {
                "name": node.name,
                "actions": [action.getName(i) for i in range(action.nActions)],
                "chosen": chosen,
            }
        )
    return found


def main():
    app = wait_for(the_app)
    wait_for(lambda: press(app, "push button", "History"))
    print(json.dumps(wait_for(lambda: drop_downs(app))))


if __name__ == "__main__":
    main()
