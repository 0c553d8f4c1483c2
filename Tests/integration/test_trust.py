"""Trust that holds, in real bash, zsh and fish: approval covers the scripts
a hook runs wherever it names them; hook output cannot take over the shell
through the variables the shell or hookctl depend on; a hand-edited
HOOKCTL_DIFF is dropped, never evaluated; names echoed in messages cannot
carry terminal control sequences."""

import base64

from conftest import background_rc, hookctl_messages, status, wait_done
from test_shell_environment import exported


def test_editing_a_script_named_in_args_requires_approval(sandbox, shell_kind):
    project = sandbox.project("args script", """
        [[hooks.onEnter]]
        command = "sh"
        args = ["scripts/setup.sh"]
        source = true
    """, {"scripts/setup.sh": "echo export FROM_SCRIPT=approved\n"})
    sandbox.allow(project)
    assert status(sandbox, project)["approval"] == "approved"
    # As a `git pull` would: the script changes, hookctl.toml does not.
    (project / "scripts/setup.sh").write_text("touch \"$HOOKCTL_PROJECT_DIR/pwned\"; echo export FROM_SCRIPT=edited\n")
    assert status(sandbox, project)["approval"] == "requires_approval"
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    messages = hookctl_messages(shell.cd(project))
    assert messages == [f"hookctl: {project}/hookctl.toml is not allowed; run 'hookctl allow' to trust it"]
    shell.run("true")
    assert shell.var("FROM_SCRIPT") is None
    assert not (project / "pwned").exists(), "the edited script ran without approval"


def test_hooks_cannot_set_what_the_shell_or_hookctl_depend_on(sandbox, shell_kind):
    evil = sandbox.root / "evil"
    evil.write_text("#!/bin/sh\ntouch \"$0.ran\"\n")
    evil.chmod(0o755)
    project = sandbox.project("takeover", f"""
        [[hooks.onEnter]]
        command = "sh"
        args = ["-c", "printf '%s\\\\n' 'export _hookctl_bin={evil}' 'export PROMPT_COMMAND=touch\\\\ pc' \
'export PS1=\\"\\\\$(touch ps1)\\"' 'export LD_PRELOAD=/x.so' 'export HOOKCTL_DIR=/' 'export status=7' 'export KEPT=yes'"]
        source = true
    """)
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    shell.cd(project)
    wait_done(sandbox, project)
    messages = hookctl_messages(shell.run("true"))
    refused = [line for line in messages if line.startswith("hookctl: refused to set ")]
    assert refused == ["hookctl: refused to set HOOKCTL_DIR, LD_PRELOAD, PROMPT_COMMAND, PS1, _hookctl_bin, status: "
                       "hookctl or the shell depends on them"], messages
    assert shell.var("KEPT") == b"yes"
    assert shell.var("LD_PRELOAD") is None
    assert shell.var("HOOKCTL_DIR") == str(project).encode()
    shell.run("true")
    left = hookctl_messages(shell.cd(sandbox.root))
    assert f"hookctl: unloaded {project}" in left
    assert shell.var("KEPT") is None
    assert not (sandbox.root / "evil.ran").exists() and not (project / "pc").exists() and not (project / "ps1").exists()


def test_a_reserved_name_in_env_is_a_config_error(sandbox):
    project = sandbox.project("reserved env", '[env]\nOK = "1"\nPROMPT_COMMAND = "x"\n')
    result = sandbox.hookctl("allow", cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("hookctl: hookctl.toml:3: env.PROMPT_COMMAND cannot be set"), result.stderr


def test_a_hand_edited_diff_is_dropped_not_evaluated(sandbox, shell_kind):
    project = sandbox.project("diff", '[env]\nLOADED = "1"\n')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("LOADED") == b"1"
    # A diff that names the variable `X;touch m;#`, in hookctl's own encoding.
    name = b"X;touch m;#"
    raw = bytes([1, 2]) + b"e1" + bytes([len(name)]) + name + bytes([0])
    forged = base64.b64encode(raw).decode()
    shell.run(exported(shell_kind, "HOOKCTL_DIFF", forged))
    output = shell.cd(sandbox.root)
    messages = hookctl_messages(output)
    assert "hookctl: HOOKCTL_DIFF was not written by this hookctl; dropped it without restoring anything" in messages
    assert not (sandbox.root / "m").exists() and not (project / "m").exists()
    assert shell.var("HOOKCTL_DIFF") is None and shell.var("HOOKCTL_DIR") is None


def test_control_characters_in_names_are_not_sent_to_the_terminal(sandbox, shell_kind):
    project = sandbox.project("clear\x1b[2J\x1b]52;c;cHduZWQ=\x07here", '[env]\nA = "1"\n')
    # Typed, the escapes would be read by the line editor; the shell gets the path from its environment.
    sandbox.env["EVIL_DIR"] = str(project)
    shell = sandbox.shell(shell_kind)
    output = shell.run('cd "$EVIL_DIR"')
    for line in output.splitlines():
        if "hookctl:" in line:
            assert "\x1b]52" not in line and "\x1b[2J" not in line, repr(line)
    shown = str(project).replace("\x1b", "?").replace("\x07", "?")
    assert f"hookctl: {shown}/hookctl.toml is not allowed; run 'hookctl allow' to trust it" in hookctl_messages(output)


def test_a_reused_pid_is_never_signalled(sandbox):
    import os
    import signal
    import sqlite3
    import subprocess
    from test_execution import group_alive, poll, sleepers, supervisors

    project = sandbox.project("reused pid", """
        [[hooks.onEnter]]
        id = "forever"
        command = "sleep"
        args = ["1000"]
    """)
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    poll(lambda: len(sleepers(sandbox)) == 1, message="the hook")
    [hook] = sleepers(sandbox)
    [supervisor] = supervisors(sandbox)
    os.kill(supervisor, signal.SIGKILL)
    os.killpg(hook, signal.SIGKILL)
    poll(lambda: not group_alive(hook), timeout=5, message="the hook to die")
    # An unrelated process group whose leader now has the pid the database records for the hook.
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        with sqlite3.connect(sandbox.state / "state.db") as database:
            database.execute("UPDATE hook_runs SET pid = ? WHERE hook_id = 'forever'", (stranger.pid,))
        report = status(sandbox, project)
        assert report["execution"]["state"] == "failed"
        assert stranger.poll() is None, "hookctl killed a process that was not its hook"
    finally:
        stranger.kill()
        stranger.wait()


def test_hooks_stop_when_the_last_shell_dies(sandbox, shell_kind):
    import signal
    from test_execution import poll, sleepers
    project = sandbox.project("dead shell", """
        [[hooks.onEnter]]
        id = "forever"
        command = "sleep"
        args = ["1000"]

        [[hooks.onExit]]
        id = "bye"
        command = "sh"
        args = ["-c", "touch \\"$HOOKCTL_PROJECT_DIR/left\\""]
    """)
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    shell.cd(project)
    poll(lambda: len(sleepers(sandbox)) == 1, message="the hook")
    shell.child.kill(signal.SIGKILL)
    shell.child.close(force=True)
    poll(lambda: not sleepers(sandbox), timeout=10, message="the hook to be stopped")
    poll(lambda: status(sandbox, project)["execution"]["state"] == "cancelled", timeout=10, message="the execution cancelled")
    poll(lambda: (project / "left").exists(), timeout=10, message="the onExit hook")


def test_an_edited_script_requires_approval_at_the_next_prompt(sandbox, shell_kind):
    project = sandbox.project("watched", """
        [[hooks.onEnter]]
        command = "sh"
        args = ["setup.sh"]
        source = true
    """, {"setup.sh": "echo export WATCHED=1\n"})
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    shell.cd(project)
    wait_done(sandbox, project)
    shell.run("true")
    assert shell.var("WATCHED") == b"1"
    # Nothing changed: the prompt stays quiet.
    assert hookctl_messages(shell.run("true")) == []
    (project / "setup.sh").write_text("echo export WATCHED=2\n")
    messages = hookctl_messages(shell.run("true"))
    assert f"hookctl: {project}/hookctl.toml is not allowed; run 'hookctl allow' to trust it" in messages, messages
    assert f"hookctl: unloaded {project}" in messages
    assert shell.var("WATCHED") is None


def test_the_capture_bash_dies_with_its_supervisor(sandbox):
    import os
    import signal
    from test_execution import poll, sleepers, supervisors
    # The bash that evaluates the exports is found on the hook's PATH: here one that hangs.
    project = sandbox.project("capture dies", """
        [env]
        PATH = "./fake:$PATH"

        [[hooks.onEnter]]
        command = "/bin/sh"
        args = ["-c", "echo export A=1"]
        source = true
    """, {"fake/bash": "#!/bin/sh\nexec sleep 1000\n"})
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    poll(lambda: len(sleepers(sandbox)) == 1, message="the capture bash")
    [supervisor] = supervisors(sandbox)
    os.kill(supervisor, signal.SIGKILL)
    poll(lambda: supervisor not in sandbox.processes(), timeout=5, message="the supervisor to die")
    assert status(sandbox, project)["execution"]["state"] == "failed"
    poll(lambda: not sleepers(sandbox), timeout=5, message="the capture bash to be killed")
