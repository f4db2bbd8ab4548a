"""Helpers shared by the CLI tests (tests/cli and tests/export)."""

from playground import cli


def expect_error(capsys, argv, *words):
    """`playground ARGV` exits 2 with one line on stderr, no traceback, naming each of words."""
    assert cli.main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, err
