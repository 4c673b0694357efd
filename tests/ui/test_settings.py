"""Settings: typed values, validation of a corrupt store, the version migration, window layout; themes."""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

import pyqtgraph as pg
import pytest

from bpstudio.ui import theme as themes
from bpstudio.ui.settings import MAX_RECENT, SETTINGS_VERSION, StudioSettings, migrate, stored_version


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.delenv("BPSTUDIO_THEME", raising=False)
    return QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)


def reopen(store: QSettings) -> StudioSettings:
    store.sync()
    return StudioSettings(QSettings(store.fileName(), QSettings.Format.IniFormat))


def test_defaults_on_an_empty_store(store):
    s = StudioSettings(store)
    assert (s.theme, s.step_size, s.speed, s.recent_files) == ("light", "batch", 0.0, [])
    assert stored_version(store) == SETTINGS_VERSION
    assert s.migrated_from == []


def test_values_survive_a_restart(store, tmp_path):
    s = StudioSettings(store)
    s.theme = "dark"
    s.step_size = "phase"
    s.speed = 80
    s.add_recent(str(tmp_path / "a.json"))
    s.add_recent(str(tmp_path / "b.json"))
    again = reopen(store)
    assert (again.theme, again.step_size, again.speed) == ("dark", "phase", 80)
    assert again.recent_files == [str(tmp_path / "b.json"), str(tmp_path / "a.json")]


def test_recent_files_move_to_front_are_unique_and_capped(store, tmp_path):
    s = StudioSettings(store)
    paths = [str(tmp_path / f"p{i}.json") for i in range(MAX_RECENT + 3)]
    for p in paths:
        s.add_recent(p)
    assert s.recent_files == paths[::-1][:MAX_RECENT]
    s.add_recent(paths[5])
    assert s.recent_files[0] == paths[5] and s.recent_files.count(paths[5]) == 1
    s.remove_recent(paths[5])
    assert paths[5] not in s.recent_files
    s.add_recent(paths[0])  # a single entry must come back as a list of one
    s.clear_recent()
    s.add_recent(paths[0])
    assert reopen(store).recent_files == [paths[0]]


def test_a_corrupt_store_gives_defaults_not_a_crash(store):
    StudioSettings(store)
    store.setValue("ui/theme", "purple")
    store.setValue("training/step_size", 17)
    store.setValue("training/speed", "fast")
    store.setValue("files/recent", "{not json")
    s = StudioSettings(store)
    assert (s.theme, s.step_size, s.speed, s.recent_files) == ("light", "batch", 0.0, [])
    store.setValue("files/recent", json.dumps({"a": 1}))
    store.setValue("training/speed", 1e9)
    assert s.recent_files == [] and s.speed == 1e6
    store.setValue("training/speed", -5)
    assert s.speed == 0.0
    store.setValue("training/speed", "nan")
    assert s.speed == 0.0


def test_setters_refuse_unknown_values(store):
    s = StudioSettings(store)
    with pytest.raises(ValueError, match="unknown theme"):
        s.theme = "purple"
    with pytest.raises(ValueError, match="unknown step size"):
        s.step_size = "forever"


def test_version_1_store_is_migrated(store):
    store.setValue("darkMode", True)
    store.setValue("recentFiles", "/tmp/a.json;/tmp/b.json;")
    store.setValue("stepSize", "step")
    store.sync()
    s = reopen(store)
    assert s.migrated_from == [1]
    assert (s.theme, s.step_size) == ("dark", "batch")
    assert s.recent_files == ["/tmp/a.json", "/tmp/b.json"]
    assert stored_version(s.store) == SETTINGS_VERSION
    assert not {"darkMode", "recentFiles", "stepSize"} & set(s.store.allKeys())
    assert migrate(s.store) == []  # idempotent


def test_a_newer_store_is_left_alone(store):
    store.setValue("version", SETTINGS_VERSION + 5)
    store.setValue("ui/theme", "dark")
    s = StudioSettings(store)
    assert s.migrated_from == [] and s.theme == "dark"
    assert stored_version(store) == SETTINGS_VERSION + 5


def test_environment_overrides_theme(store, monkeypatch):
    s = StudioSettings(store)
    monkeypatch.setenv("BPSTUDIO_THEME", "dark")
    assert s.theme == "dark"
    monkeypatch.setenv("BPSTUDIO_THEME", "nonsense")
    assert s.theme == "light"


def test_window_geometry_and_dock_layout_round_trip(qtbot, store):
    def make():
        w = QMainWindow()
        w.setCentralWidget(QLabel("centre"))
        dock = QDockWidget("Loss", w)
        dock.setObjectName("loss-dock")
        dock.setWidget(QLabel("plot"))
        w.addDockWidget(pg.QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        qtbot.addWidget(w)
        return w, dock

    w, dock = make()
    w.resize(777, 555)
    w.show()
    w.addDockWidget(pg.QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
    s = StudioSettings(store)
    s.save_window(w)
    w2, dock2 = make()
    assert reopen(store).restore_window(w2)
    assert w2.dockWidgetArea(dock2) == pg.QtCore.Qt.DockWidgetArea.RightDockWidgetArea
    assert (w2.width(), w2.height()) == (777, 555)
    assert not StudioSettings(QSettings(str(store.fileName()) + "x", QSettings.Format.IniFormat)
                              ).restore_window(w2)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_both_themes_are_readable(name):
    t = themes.get(name)
    for fg, bg in themes.READABLE_PAIRS:
        ratio = themes.contrast_ratio(getattr(t, fg), getattr(t, bg))
        assert ratio >= 4.5, f"{name}: {fg} on {bg} has contrast {ratio:.2f}"


def test_contrast_ratio_matches_wcag():
    assert themes.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert themes.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_apply_theme_recolours_app_and_open_plots(qtbot, qapp):
    plot = themes.register_plot(pg.PlotWidget(title="loss"))  # a plot outside any window
    qtbot.addWidget(plot)
    try:
        themes.apply_theme("dark", qapp)
        window = qapp.palette().color(qapp.palette().ColorRole.Window).name()
        assert window == themes.DARK.window
        assert plot.backgroundBrush().color().name() == themes.DARK.plot_background
        assert plot.getPlotItem().getAxis("left").textPen().color().name() == themes.DARK.plot_foreground
        assert themes.current_theme(qapp) is themes.DARK
        themes.apply_theme("light", qapp)
        assert plot.backgroundBrush().color().name() == themes.LIGHT.plot_background
        assert pg.getConfigOption("background") == themes.LIGHT.plot_background
    finally:
        themes.apply_theme("light", qapp)
    with pytest.raises(ValueError, match="unknown theme"):
        themes.get("sepia")


def test_step_sizes_are_the_sessions_granularities():
    from bpstudio.training.session import GRANULARITIES
    from bpstudio.ui.settings import STEP_SIZES

    assert set(STEP_SIZES) == set(GRANULARITIES)


def test_layout_widgets_follow_the_theme_too(qtbot, qapp):
    layout = themes.register_plot(pg.GraphicsLayoutWidget())
    qtbot.addWidget(layout)
    plot = layout.addPlot()
    try:
        themes.apply_theme("dark", qapp)
        assert layout.backgroundBrush().color().name() == themes.DARK.plot_background
        assert plot.getAxis("bottom").textPen().color().name() == themes.DARK.plot_foreground
    finally:
        themes.apply_theme("light", qapp)
    assert layout.backgroundBrush().color().name() == themes.LIGHT.plot_background


def test_default_step_size_and_speed_come_back_at_the_next_start(qtbot, tmp_path, monkeypatch):
    from bpstudio.ui.main_window import MainWindow

    monkeypatch.setenv("BPSTUDIO_SETTINGS", str(tmp_path / "studio.ini"))  # not the shared store

    first = MainWindow()
    qtbot.addWidget(first)
    first.controller.set_granularity("phase")
    first.controller.set_speed(10)
    assert first.close()
    assert first.file_actions.settings.step_size == "phase" and first.file_actions.settings.speed == 10
    second = MainWindow()  # the same settings file
    qtbot.addWidget(second)
    assert second.controller.granularity == "phase" and second.controller.speed == 10
    assert second.close()


def test_headless_windows_do_not_share_settings(qtbot, monkeypatch):
    from bpstudio.ui.main_window import MainWindow

    monkeypatch.delenv("BPSTUDIO_SETTINGS", raising=False)
    first = MainWindow()
    qtbot.addWidget(first)
    first.controller.set_granularity("epoch")
    assert first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.controller.granularity == "batch"
    assert second.file_actions.settings.store.fileName() != first.file_actions.settings.store.fileName()
    assert second.close()


def test_view_theme_menu_switches_and_remembers(qtbot, qapp, tmp_path, monkeypatch):
    from bpstudio.ui.main_window import MainWindow

    monkeypatch.setenv("BPSTUDIO_SETTINGS", str(tmp_path / "studio.ini"))
    w = MainWindow()
    qtbot.addWidget(w)
    theme_menu = next(a.menu() for a in w.menus["View"].actions() if a.text() == "&Theme")
    by_name = {a.text(): a for a in theme_menu.actions()}
    assert by_name["Light"].isChecked() and not by_name["Dark"].isChecked()
    try:
        by_name["Dark"].trigger()
        assert qapp.palette().color(qapp.palette().ColorRole.Window).name() == themes.DARK.window
        assert w.file_actions.settings.theme == "dark" and by_name["Dark"].isChecked()
        w.file_actions.settings.add_recent(str(tmp_path / "a.bpstudio"))
        w.file_actions.fill_recent()
        clear = next(a for a in w.file_actions.recent_menu.actions() if a.text() == "Clear list")
        clear.trigger()
        assert w.file_actions.settings.recent_files == []
    finally:
        themes.apply_theme("light", qapp)
    assert w.close()
