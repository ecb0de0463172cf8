from lrdesk.core.experiment.spec import ExperimentSpec, RunSpec
from lrdesk.core.experiment.undo import UndoHistory


def spec(rate: float) -> ExperimentSpec:
    return ExperimentSpec(runs=(RunSpec(rate),))


def test_undo_and_redo_walk_back_and_forth_through_the_edits():
    history = UndoHistory()
    a, b, c = spec(0.1), spec(0.2), spec(0.3)
    history.record(a)  # a -> b
    history.record(b)  # b -> c
    assert history.undo(c) == b
    assert history.undo(b) == a
    assert history.undo(a) is None and not history.can_undo()
    assert history.redo(a) == b
    assert history.redo(b) == c
    assert history.redo(c) is None and not history.can_redo()


def test_a_new_edit_after_an_undo_drops_what_could_be_redone():
    history = UndoHistory()
    a, b, c = spec(0.1), spec(0.2), spec(0.3)
    history.record(a)
    assert history.undo(b) == a and history.can_redo()
    history.record(a)  # a -> c: a new branch
    assert not history.can_redo()
    assert history.undo(c) == a


def test_the_history_is_bounded_and_keeps_the_latest():
    history = UndoHistory(depth=3)
    specs = [spec(0.01 * (k + 1)) for k in range(6)]
    for old in specs[:-1]:
        history.record(old)
    back = []
    current = specs[-1]
    while (previous := history.undo(current)) is not None:
        back.append(previous)
        current = previous
    assert back == [specs[4], specs[3], specs[2]]
