"""Answers kept for one computation: computed once inside, every time outside, never after."""

from liandong.core.memo import once, one_computation


def test_inside_one_computation_each_key_is_computed_once() -> None:
    calls: list[str] = []

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    with one_computation():
        assert once("a", lambda: compute("a")) == "A"
        assert once("a", lambda: compute("a")) == "A"
        assert once("b", lambda: compute("b")) == "B"
    assert calls == ["a", "b"]
    # outside (and after) the block nothing is kept: the next dashboard sees new records
    assert once("a", lambda: compute("a")) == "A"
    assert once("a", lambda: compute("a")) == "A"
    assert calls == ["a", "b", "a", "a"]
    with one_computation():
        once("a", lambda: compute("a"))
    assert calls == ["a", "b", "a", "a", "a"]
