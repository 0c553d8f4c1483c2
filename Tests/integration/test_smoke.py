"""The harness itself: each shell starts with the glue and reads variables."""


def test_shell_starts_with_integration(sandbox, shell_kind):
    shell = sandbox.shell(shell_kind)
    assert shell.var("HOOKCTL_SHELL_INTEGRATION") == b"1"
