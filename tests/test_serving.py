"""The process uvicorn serves: `app.main:app` is built on first use and tunes the garbage
collector for serving (ADR 0021); the tests' own apps, from `create_app`, do not."""

import gc

import pytest

import app.main as main


@pytest.fixture
def collector_restored():  # type: ignore[no-untyped-def]
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_tuning_freezes_what_start_up_built_and_collects_less_often(collector_restored):
    gc.unfreeze()
    before = gc.get_threshold()
    main.tune_garbage_collection()
    assert gc.get_freeze_count() > 0, "start-up's objects are left out of collections"
    assert gc.get_threshold() == main.GC_THRESHOLDS
    assert gc.get_threshold()[0] > before[0]


def test_the_served_app_is_built_once_and_tuned(monkeypatch, collector_restored):
    built, tuned = [], []
    monkeypatch.setattr(main, "create_app", lambda: built.append("app") or "the app")
    monkeypatch.setattr(main, "tune_garbage_collection", lambda: tuned.append(True))
    served = main.__dict__.pop("app", None)
    try:
        assert main.app == "the app"
        assert main.app == "the app"
        assert built == ["app"] and tuned == [True]
    finally:
        main.__dict__.pop("app", None)
        if served is not None:
            main.app = served


def test_an_app_from_the_factory_leaves_the_collector_alone(app, collector_restored):
    assert gc.get_threshold() != main.GC_THRESHOLDS
