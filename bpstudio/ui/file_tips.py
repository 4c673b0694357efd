"""Status-bar tips of the File menu's commands (keyed like ``FileActions.actions``)."""

TIPS: dict[str, str] = {
    "new": "A new project from the article's example (asks first if there are unsaved changes)",
    "open": "Open a project file (asks first if there are unsaved changes)",
    "save": "Save the project: network, trained weights, dataset, settings and loss history",
    "save_as": "Save the project under a new name",
    "revert": "Throw away the changes since the project was last saved (asks first)",
}


def tip_for(key: str) -> str:
    """The tip of action ``key``; presets (``preset:NAME``) get one naming the preset."""
    if key.startswith("preset:"):
        name = key.split(":", 1)[1]
        return f"A new project from the {name} preset (asks first if there are unsaved changes)"
    return TIPS.get(key, "")
