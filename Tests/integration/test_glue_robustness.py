"""The glue under conditions users create: a config replaced by one with an
older modification time, bash with `set -u` before the glue, zsh with
KSH_ARRAYS and a precmd function of its own; and status that masks secrets
in command lines."""

import os
import time

from conftest import hookctl_messages, status


def test_a_config_copied_with_an_older_time_is_noticed(sandbox, shell_kind):
    project = sandbox.project("older", '[env]\nVERSION = "new"\n')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("VERSION") == b"new"
    # As `cp -p` or `tar` would: other contents, a modification time in the past.
    config = project / "hookctl.toml"
    config.write_text('[env]\nVERSION = "old"\n')
    past = time.time() - 86400
    os.utime(config, (past, past))
    # The next prompt sees the change (no allow has touched the shell's marker yet).
    output = shell.run("true")
    assert f"hookctl: {project}/hookctl.toml is not allowed; run 'hookctl allow' to trust it" in output
    assert shell.var("VERSION") is None
    sandbox.allow(project)
    shell.run("true")
    assert shell.var("VERSION") == b"old"


def test_bash_with_set_u_before_the_glue(sandbox):
    project = sandbox.project("nounset", '[env]\nSTRICT = "yes"\n')
    sandbox.allow(project)
    shell = sandbox.shell("bash", extra_rc="set -u\nunset PROMPT_COMMAND")
    output = shell.cd(project)
    assert "unbound variable" not in output, output
    assert shell.var("STRICT") == b"yes"
    output = shell.cd(sandbox.root)
    assert "unbound variable" not in output, output
    assert shell.var("STRICT") is None


def test_zsh_with_ksh_arrays_keeps_every_precmd_function(sandbox):
    project = sandbox.project("ksh arrays", '[env]\nKSH = "yes"\n')
    sandbox.allow(project)
    rc = "setopt KSH_ARRAYS\nfirst() { :; }\nsecond() { print -r -- SECOND-RAN; }\nprecmd_functions=(first second)"
    shell = sandbox.shell("zsh", extra_rc=rc)
    output = shell.run("print -r -- ${precmd_functions[*]}")
    assert "_hookctl_hook first second" in output, output
    assert "SECOND-RAN" in shell.run("true")
    shell.cd(project)
    assert shell.var("KSH") == b"yes"


def test_status_masks_secrets_in_command_lines(sandbox):
    project = sandbox.project("secret args", """
        [env]
        API_TOKEN = "s3cr3t-t0ken"

        [[hooks.onEnter]]
        command = "sh"
        args = ["-c", "echo s3cr3t-t0ken >/dev/null"]
    """)
    sandbox.allow(project)
    report = status(sandbox, project)
    assert report["hooks"][0]["description"] == "sh -c echo **** >/dev/null"
    text = sandbox.hookctl("status", "--verbose", cwd=project).stdout
    assert "s3cr3t-t0ken" not in text and "sh -c echo ****" in text


def test_old_runs_are_pruned(sandbox):
    from conftest import wait_done
    project = sandbox.project("pruned", '[[hooks.onEnter]]\nid = "quick"\ncommand = "echo"\nargs = ["hi"]\n')
    sandbox.allow(project)
    for _ in range(23):
        assert sandbox.hookctl("reload", cwd=project).returncode == 0
        wait_done(sandbox, project)
    runs = [entry for entry in (sandbox.state / "runs").iterdir()]
    assert len(runs) == 21, "the 20 kept and the newest"
    assert status(sandbox, project)["execution"]["state"] == "completed"
    assert sandbox.hookctl("logs", cwd=project).stdout == "[quick] hi\n"


def test_a_broken_state_database_is_moved_aside(sandbox, shell_kind):
    project = sandbox.project("broken db", '[env]\nFROM_DB = "1"\n')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("FROM_DB") == b"1"
    for suffix in ["", "-wal", "-shm"]:
        path = sandbox.state / f"state.db{suffix}"
        if path.exists():
            path.unlink()
    (sandbox.state / "state.db").write_bytes(b"garbage, not a database\n" * 200)
    messages = hookctl_messages(shell.cd(sandbox.root))
    assert f"hookctl: unloaded {project}" in messages
    assert any(line.startswith("hookctl: the state database could not be read; it was moved to ") for line in messages), messages
    assert shell.var("FROM_DB") is None
    assert list(sandbox.state.glob("state.db.broken-*"))
    # Approvals must be given again; nothing else breaks.
    assert hookctl_messages(shell.cd(project)) == [
        f"hookctl: {project}/hookctl.toml is not allowed; run 'hookctl allow' to trust it"]


def test_a_locked_database_does_not_stall_the_prompt(sandbox, shell_kind):
    import sqlite3
    from conftest import background_rc
    project = sandbox.project("locked db", """
        [env]
        AFTER_LOCK = "1"

        [[hooks.onEnter]]
        id = "quick"
        command = "echo"
        args = ["done"]
    """)
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    holder = sqlite3.connect(sandbox.state / "state.db", timeout=1, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        messages = hookctl_messages(shell.cd(project))
        assert any(line.startswith("hookctl: the state database is busy") for line in messages), messages
        assert shell.var("AFTER_LOCK") is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Once the lock is gone, the next prompt loads; the hook's records were not lost.
    shell.run("true")
    from conftest import wait_done
    wait_done(sandbox, project)
    shell.run("true")
    assert shell.var("AFTER_LOCK") == b"1"
    assert status(sandbox, project)["hooks"][0]["state"] == "succeeded"


def test_the_supervisor_retries_writes_while_the_database_is_locked(sandbox):
    import sqlite3
    import time
    from conftest import wait_done
    project = sandbox.project("retried writes", """
        [[hooks.onEnter]]
        id = "short"
        command = "sleep"
        args = ["1"]
    """)
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    holder = sqlite3.connect(sandbox.state / "state.db", timeout=15, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    time.sleep(11)  # the hook ends while the lock is held, longer than SQLite's own busy wait
    holder.execute("ROLLBACK")
    holder.close()
    assert wait_done(sandbox, project).returncode == 0
    report = status(sandbox, project)
    assert report["execution"]["state"] == "completed"
    assert report["hooks"][0]["state"] == "succeeded"


def test_env_path_puts_the_projects_bin_first(sandbox, shell_kind):
    project = sandbox.project("path first", '[env]\nPATH = "./bin:$PATH"\n',
                              {"bin/projtool": "#!/bin/sh\necho projtool-ran\n"})
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    before = shell.var("PATH")
    shell.cd(project)
    assert shell.var("PATH") == f"{project}/bin:".encode() + before
    assert "projtool-ran" in shell.run("projtool")
    shell.cd(sandbox.root)
    assert shell.var("PATH") == before
