"""Hooks that misbehave (bad config, missing commands, garbage output, hangs,
failures, children, megabytes): each ends in a clear failure that
`hookctl status --verbose` explains, never a hang or a crash, and nothing
is loaded into the shell."""

import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import background_rc, hookctl_messages, status, wait_done

# ---------------------------------------------------------------- helpers


def run_failing(sandbox, name, hook_toml, files, expected_message, exit_code=None, source=True):
    """Runs a project with one hook `bad` through `hookctl load`; checks that
    it failed with `expected_message` and that nothing was captured."""
    project = sandbox.project(name, f"""
        [env]
        STATIC_VAR = "static"

        [[hooks.onEnter]]
        id = "bad"
        source = {"true" if source else "false"}
        {hook_toml}
    """, files)
    sandbox.allow(project)
    result = sandbox.hookctl("load", cwd=project)
    assert result.returncode == 0, result.stderr
    waited = wait_done(sandbox, project)
    assert waited.returncode == 1, waited.stdout + waited.stderr
    report = status(sandbox, project)
    assert report["execution"]["state"] == "failed"
    [hook] = report["hooks"]
    assert hook["state"] == "failed"
    if exit_code is not None:
        assert hook["exit_code"] == exit_code
    verbose = sandbox.hookctl("status", "--verbose", cwd=project)
    assert verbose.returncode == 0
    assert expected_message in verbose.stdout, verbose.stdout
    # Nothing to load: `shell hook` refuses and prints no code.
    foreground = sandbox.hookctl("shell", "hook", "bash", cwd=project)
    assert foreground.returncode == 1 and foreground.stdout == ""
    assert "hook 'bad'" in foreground.stderr and "hookctl status" in foreground.stderr
    assert sandbox.hookctl("logs", cwd=project).returncode == 0
    return project, verbose.stdout


# ---------------------------------------------------------------- source output that is refused

@pytest.mark.parametrize("script, message", [
    ("head -c 2000000 /dev/zero | tr '\\0' a", "printed more than 1 MiB on stdout"),
    ("printf 'export A=1\\n'\nhead -c 1100000 /dev/zero | tr '\\0' '#'\nsleep 1000",
     "printed more than 1 MiB on stdout"),
    ("printf 'export A=\\000\\n'", "printed binary data (NUL bytes) on stdout"),
    ("printf 'export A=\\377\\376\\n'", "printed bytes that are not UTF-8 on stdout"),
    ("echo 'export A=${B:?is not set}'", "printed exports that bash could not evaluate"),
    ("echo 'export A=$(false)'\necho 'export B=\"$(kill -9 $$)\"'", "printed exports that bash could not evaluate"),
], ids=["huge", "huge-then-hang", "nul", "not-utf8", "bad-substitution", "capture-shell-dies"])
def test_refused_source_output(sandbox, script, message):
    started = time.monotonic()
    project, _ = run_failing(sandbox, "refused", 'command = "./bad.sh"', {"bad.sh": "#!/bin/bash\n" + script + "\n"},
                             message)
    assert time.monotonic() - started < 15, "a refused hook took too long to fail"
    assert not sandbox.wait_for_no_processes(timeout=5)


# ---------------------------------------------------------------- lines that are not assignments are messages


@pytest.mark.parametrize("script, loaded, said", [
    ("echo 'export A=1'\necho hello", {"A": "1"}, ["hello"]),
    ("echo 'export A=1; touch \"$HOOKCTL_PROJECT_DIR/ran\"'\necho 'export B=2'", {"A": None, "B": "2"},
     ['export A=1; touch "$HOOKCTL_PROJECT_DIR/ran"']),
    ("echo 'f() { touch ran; }'\necho 'export A=1'", {"A": "1"}, ["f() { touch ran; }"]),
    ("echo 'export A=\"unterminated'\necho 'touch ran'\necho 'export B=2'", {"A": None, "B": "2"},
     ['export A="unterminated', "touch ran"]),
    ("echo 'export A=$(exit 5)'\necho 'false'\necho 'touch ran'", {"A": ""}, ["false", "touch ran"]),
    ("echo \"Fetching user's data...\"\necho 'export A=1'", {"A": "1"}, ["Fetching user's data..."]),
], ids=["echo-hello", "command-after-export", "function", "unterminated-quote", "false", "apostrophe"])
def test_lines_that_are_not_assignments_are_messages_never_run(sandbox, script, loaded, said):
    project = sandbox.project("said", """
        [[hooks.onEnter]]
        id = "chatty"
        command = "./chatty.sh"
        source = true
    """, {"chatty.sh": "#!/bin/bash\n" + script + "\n"})
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 0
    [hook] = status(sandbox, project)["hooks"]
    assert hook["state"] == "succeeded" and hook["message"] == said[-1]
    foreground = sandbox.hookctl("shell", "hook", "bash", cwd=project)
    assert foreground.returncode == 0, foreground.stderr
    probe = subprocess.run(["bash", "--norc", "-c", foreground.stdout + "\n"
                            + "".join(f'echo "{name}=${{{name}-<unset>}}"\n' for name in loaded)],
                           capture_output=True, text=True, cwd=project)
    assert probe.stdout.splitlines() == [f"{name}={'<unset>' if value is None else value}" for name, value in loaded.items()]
    log = sandbox.hookctl("logs", "--hook", "chatty", cwd=project).stdout
    assert all(line in log for line in said), log
    assert f"says: {said[-1]}" in sandbox.hookctl("status", "--verbose", cwd=project).stdout
    assert not (project / "ran").exists()


def test_refused_output_loads_nothing_in_the_shell(sandbox, shell_kind):
    project = sandbox.project("noload", """
        [env]
        STATIC_VAR = "static"

        [[hooks.onEnter]]
        id = "fine"
        command = "./fine.sh"
        source = true

        [[hooks.onEnter]]
        id = "chatty"
        command = "./chatty.sh"
        source = true
    """, {
        "fine.sh": "#!/bin/sh\necho 'export FINE_VAR=1'\n",
        "chatty.sh": "#!/bin/sh\necho 'export CHATTY_VAR=1'\nprintf 'export BAD=\\377\\n'\n",
    })
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    shell.cd(project)
    assert wait_done(sandbox, project).returncode == 1
    reported = hookctl_messages(shell.run(""))
    assert len(reported) == 1
    assert "hook 'chatty'" in reported[0] and "not UTF-8" in reported[0] and "hookctl status" in reported[0]
    for name in ["STATIC_VAR", "FINE_VAR", "CHATTY_VAR", "HOOKCTL_DIR"]:
        assert shell.var(name) is None, name


# ---------------------------------------------------------------- nothing a hook prints runs in the user's shell

NASTY = {
    "SINGLE": "$(touch FILE2)",
    "BACKTICK": "`touch FILE3`",
    "SEMI": "x; touch FILE4",
    "NEWLINE": "line1\ntouch FILE5\nline3",
    "QUOTES": "it's \"quoted\" \\ and $HOME and %s",
    "FISHY": "(touch FILE6) {a,b} * ~ #comment",
    "UNICODE": "héllo ✓",
    "EMPTY": "",
}


def test_printed_values_are_never_evaluated_by_the_interactive_shell(sandbox, shell_kind):
    exports = "\n".join(f"export {name}={shell_single_quote(value)}" for name, value in NASTY.items())
    project = sandbox.project("nasty", """
        [[hooks.onEnter]]
        id = "nasty"
        command = "./nasty.sh"
        source = true
    """, {"nasty.sh": "#!/bin/sh\ncat <<'EOF'\n" + exports + "\nexport X=\"$(touch FILE)\"\nEOF\n"})
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    shell.cd(project)
    assert wait_done(sandbox, project).returncode == 0
    assert hookctl_messages(shell.run("")) == \
        [f"hookctl: loaded {project} (+BACKTICK +EMPTY +FISHY +NEWLINE +QUOTES +SEMI +SINGLE +UNICODE +X)"]
    for name, value in NASTY.items():
        assert shell.var(name) == value.encode(), name
    # $(touch FILE) in double quotes ran in the capturing bash, as the hook's own code would.
    assert shell.var("X") == b""
    for number in range(2, 7):
        assert not list(sandbox.root.rglob(f"FILE{number}")), f"FILE{number} was created"
        assert not list(Path(sandbox.home).rglob(f"FILE{number}"))


def shell_single_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------- commands that cannot run or fail

def test_missing_command(sandbox):
    run_failing(sandbox, "missing", 'command = "./nope.sh"', {},
                "command './nope.sh' was not found; check 'command' in hookctl.toml", source=False)


def test_command_not_on_path(sandbox):
    run_failing(sandbox, "notonpath", 'command = "hookctl-no-such-command"', {},
                "command 'hookctl-no-such-command' was not found", source=False)


def test_non_executable_script(sandbox):
    project = sandbox.project("noexec", """
        [[hooks.onEnter]]
        id = "bad"
        command = "./script.sh"
    """, {"script.sh": "#!/bin/sh\ntouch ran\n"})
    (project / "script.sh").chmod(0o644)
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 1
    verbose = sandbox.hookctl("status", "--verbose", cwd=project).stdout
    assert "'./script.sh' is not executable; run chmod +x on it" in verbose
    assert status(sandbox, project)["hooks"][0]["state"] == "failed"
    assert not (project / "ran").exists()


def test_script_with_missing_interpreter(sandbox):
    run_failing(sandbox, "nointerp", 'command = "./bad.sh"', {"bad.sh": "#!/no/such/interpreter\nexit 0\n"},
                "could not start", source=False)


def test_missing_working_directory(sandbox):
    run_failing(sandbox, "nodir", 'command = "true"\ndir = "no/such/dir"', {},
                "working directory 'no/such/dir' does not exist", source=False)


def test_non_zero_exit(sandbox):
    run_failing(sandbox, "nonzero", 'command = "./bad.sh"', {"bad.sh": "#!/bin/sh\necho 'export A=1'\nexit 7\n"},
                "exited with status 7", exit_code=7)


def test_killed_by_signal(sandbox):
    run_failing(sandbox, "signal", 'command = "./bad.sh"', {"bad.sh": "#!/bin/sh\necho 'export A=1'\nkill -KILL $$\n"},
                "was killed by signal 9", exit_code=137)


def test_garbage_on_stderr_and_failure(sandbox):
    script = ("#!/bin/sh\nhead -c 300000 /dev/urandom >&2\nprintf 'bad \\377\\000 bytes' >&2\n"
              "head -c 200000 /dev/zero | tr '\\0' x >&2\nexit 2\n")
    project, _ = run_failing(sandbox, "garbage", 'command = "./bad.sh"', {"bad.sh": script},
                             "exited with status 2", exit_code=2)
    logs = sandbox.hookctl("logs", "--hook", "bad", cwd=project)
    assert logs.returncode == 0
    assert "x" * 1000 in logs.stdout


def test_garbage_on_stderr_does_not_fail_a_good_hook(sandbox, shell_kind):
    project = sandbox.project("stderr", """
        [[hooks.onEnter]]
        id = "noisy"
        command = "./noisy.sh"
        source = true
    """, {"noisy.sh": "#!/bin/sh\nhead -c 100000 /dev/urandom >&2\necho 'export NOISY=ok'\n"})
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    shell.cd(project)
    assert wait_done(sandbox, project).returncode == 0
    assert hookctl_messages(shell.run("")) == [f"hookctl: loaded {project} (+NOISY)"]
    assert shell.var("NOISY") == b"ok"
    assert sandbox.hookctl("logs", cwd=project).returncode == 0


# ---------------------------------------------------------------- invalid configuration

INVALID = [
    ("syntax", '[[hooks.onEnter]]\nid = "a"\ncommand = "./make.sh"\nsource = tru\n', 4, None),
    ("cycle", '[[hooks.onEnter]]\nid = "a"\ncommand = "./make.sh"\ndependsOn = ["b"]\n\n'
              '[[hooks.onEnter]]\nid = "b"\ncommand = "./make.sh"\ndependsOn = ["a"]\n', None, "cycle"),
    ("unknown-dependency", '[[hooks.onEnter]]\nid = "a"\ncommand = "./make.sh"\ndependsOn = ["aws"]\n', 4,
     "dependsOn names unknown hook 'aws'"),
    ("unknown-key", '[[hooks.onEnter]]\nid = "a"\ncommand = "./make.sh"\ncolour = "red"\n', 4, "colour"),
    ("missing-command", '[[hooks.onEnter]]\nid = "a"\n\n[[hooks.onEnter]]\nid = "b"\ncommand = "./make.sh"\n', None,
     "command"),
]


@pytest.mark.parametrize("toml, line, fragment", [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_config_runs_nothing(sandbox, toml, line, fragment):
    project = sandbox.project("invalid", "", {"make.sh": "#!/bin/sh\ntouch ran\n"})
    (project / "hookctl.toml").write_text(toml)
    allow = sandbox.hookctl("allow", cwd=project)
    assert allow.returncode == 1
    for args in [("load",), ("reload",), ("shell", "hook", "bash"), ("status",)]:
        result = sandbox.hookctl(*args, cwd=project)
        assert result.returncode == 1, args
        pattern = rf"hookctl: hookctl\.toml:{line if line else '[0-9]+'}: .+"
        assert re.match(pattern, result.stderr), result.stderr
        if fragment:
            assert fragment in result.stderr
    time.sleep(0.5)
    assert not (project / "ran").exists()
    assert not sandbox.wait_for_no_processes(timeout=5)


def test_syntax_error_is_one_line(sandbox):
    project = sandbox.project("syntax", "[settings]\ntimeout = tru\n")
    result = sandbox.hookctl("load", cwd=project)
    assert result.returncode == 1
    assert re.fullmatch(r"hookctl: hookctl\.toml:2: [^\n]+\n", result.stderr), result.stderr


def test_invalid_config_in_a_shell_runs_nothing(sandbox, shell_kind):
    project = sandbox.project("broken", """
        [[hooks.onEnter]]
        id = "a"
        command = "./make.sh"
    """, {"make.sh": "#!/bin/sh\ntouch ran\n"})
    sandbox.allow(project)
    # Approved once, then broken: the approval no longer matches and the parse error wins.
    (project / "hookctl.toml").write_text('[[hooks.onEnter]]\nid = "a"\ncommand = "./make.sh"\ndependsOn = ["a"]\n')
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    reported = hookctl_messages(shell.cd(project))
    assert len(reported) == 1 and re.match(r"hookctl: hookctl\.toml:\d+: ", reported[0]), reported
    assert hookctl_messages(shell.run("")) == []
    time.sleep(0.5)
    assert not (project / "ran").exists()
    assert shell.var("HOOKCTL_DIR") is None


# ---------------------------------------------------------------- approval comes first

def test_nothing_runs_before_approval(sandbox, shell_kind):
    project = sandbox.project("unapproved", """
        [env]
        STATIC_VAR = "static"

        [[hooks.onEnter]]
        id = "make"
        command = "./make.sh"
        preload = true
    """, {"make.sh": "#!/bin/sh\ntouch ran\n"})
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    reported = hookctl_messages(shell.cd(project))
    assert reported == [f"hookctl: {project}/hookctl.toml is not allowed; run 'hookctl allow' to trust it"]
    assert hookctl_messages(shell.run("")) == []
    assert shell.var("STATIC_VAR") is None

    for args in [("load",), ("reload",), ("shell", "hook", "bash")]:
        result = sandbox.hookctl(*args, cwd=project)
        assert result.returncode == 1, args
        assert result.stderr.strip() == f"hookctl: {project}/hookctl.toml is not allowed; run 'hookctl allow' to trust it"
        assert result.stdout == ""
    report = status(sandbox, project)
    assert report["approval"] == "not_approved"
    assert report["execution"] is None
    assert [hook["state"] for hook in report["hooks"]] == ["pending"]
    time.sleep(0.5)
    assert not (project / "ran").exists()
    assert not [pid for pid in sandbox.processes() if b"__supervise" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    # Approving it is what lets the hook run, at the next prompt.
    sandbox.allow(project)
    shell.run("")
    deadline = time.time() + 15
    while not (project / "ran").exists() and time.time() < deadline:
        time.sleep(0.05)
    assert (project / "ran").exists()
    assert wait_done(sandbox, project).returncode == 0
