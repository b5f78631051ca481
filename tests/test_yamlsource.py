from generator.catalog.source import format_path, parse


def test_positions_are_one_based_line_and_column() -> None:
    doc = parse("a:\n  b: [1, 2]\n  c: x\n", "f.yaml")
    assert doc.problems == []
    assert doc.positions.values[("a", "b", 1)] == (2, 10)
    assert doc.positions.keys[("a", "c")] == (3, 3)


def test_duplicate_key_is_a_problem_and_the_first_value_is_kept() -> None:
    doc = parse("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert doc.data == {"a": 1, "b": 2}
    [problem] = doc.problems
    assert (problem.line, problem.col) == (3, 1)
    assert "duplicate key 'a' (first defined on line 1)" in problem.message


def test_syntax_error_has_its_position() -> None:
    doc = parse("a: [1, 2\nb: 3\n", "f.yaml")
    assert doc.data is None
    [problem] = doc.problems
    assert problem.line == 2
    assert problem.message.startswith("YAML syntax error")


def test_format_path() -> None:
    assert format_path(("families", 0, "models", 3, "id")) == "families[0].models[3].id"
