"""The native bash builtin: loaded by absolute path, it does the prompt's
work inside bash (no fork from a prompt, a cd, entering or leaving a
project, or applying finished hooks), with the same byte-exact values as the
shell code; `enable -d hookctl` and a missing .so fall back to that code."""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, hookctl_messages, wait_done
from test_shell_environment import SPECIAL_TOML, SPECIAL_VALUES

BUILTIN = os.environ.get("HOOKCTL_TEST_BUILTIN") or str(Path(__file__).resolve().parents[2] / ".build/bash-builtin/hookctl.so")
pytestmark = pytest.mark.skipif(not Path(BUILTIN).is_file(), reason="the bash builtin is not built (make builtin)")


def native_shell(sandbox, extra_rc=""):
    sandbox.env["HOOKCTL_BASH_BUILTIN"] = BUILTIN
    return sandbox.shell("bash", extra_rc=extra_rc)


def is_native(shell):
    return "native=1" in shell.run('echo "native=${_hookctl_native-}"')


def forks_during(shell, lines):
    """Runs `lines` (shell builtins only) under strace; returns the process
    calls (fork, clone, exec) the shell made meanwhile."""
    trace = shell.sandbox.root / f"strace-{time.monotonic_ns()}"
    tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=process", "-p", str(shell.pid), "-o", str(trace)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while not (trace.exists() and trace.stat().st_size >= 0) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # strace attaches
    outputs = [shell.run(line) for line in lines]
    tracer.terminate()
    tracer.wait(timeout=10)
    calls = [line for line in trace.read_text().splitlines()
             if re.search(r"\b(fork|vfork|clone|clone3|execve|execveat)\(", line)]
    return calls, outputs


def test_entering_and_leaving_fork_nothing_and_values_are_byte_exact(sandbox):
    project = sandbox.project("native project", SPECIAL_TOML + '\n[[hooks.onEnter]]\ncommand = "sh"\n'
                              'args = ["-c", "echo \'export FROM_HOOK=\\"hook value\\"\'"]\nsource = true\n')
    sandbox.allow(project)
    # The hooks have run: entering applies what they left, as a shell entering later does.
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 0
    shell = native_shell(sandbox)
    assert is_native(shell)
    calls, outputs = forks_during(shell, ["", f"cd '{project}'", "", "", "cd ..", "", f"cd '{project}'"])
    assert calls == [], calls
    assert any(f"hookctl: loaded {project}" in line for line in hookctl_messages(outputs[1]))
    assert hookctl_messages(outputs[4]) == [f"hookctl: unloaded {project}"]
    for name, value in SPECIAL_VALUES.items():
        assert shell.var(name) == value, name
    assert shell.var("FROM_HOOK") == b"hook value"
    assert shell.var("HOOKCTL_STATUS") == b"loaded"
    shell.cd(sandbox.root)
    for name in SPECIAL_VALUES:
        assert shell.var(name) is None, name


def test_a_new_path_resets_the_command_hash(sandbox):
    tools = sandbox.root / "tools"
    tools.mkdir()
    (tools / "ls").write_text("#!/bin/sh\necho PROJECT-LS\n")
    (tools / "ls").chmod(0o755)
    project = sandbox.project("hashed", f'[env]\nPATH = "{tools}:/usr/bin:/bin"\n')
    sandbox.allow(project)
    shell = native_shell(sandbox)
    shell.run("ls >/dev/null")  # hashes /usr/bin/ls
    shell.cd(project)
    assert "PROJECT-LS" in shell.run("ls")


def test_disabled_with_enable_d_the_shell_code_takes_over(sandbox):
    project = sandbox.project("fallback", '[env]\nFALLBACK = "yes"\n')
    sandbox.allow(project)
    shell = native_shell(sandbox)
    assert is_native(shell)
    shell.run("enable -d hookctl")
    assert not is_native(shell)
    assert hookctl_messages(shell.cd(project)) == [f"hookctl: loaded {project} (+FALLBACK)"]
    assert shell.var("FALLBACK") == b"yes"
    shell.cd(sandbox.root)
    assert shell.var("FALLBACK") is None
    # The name is no longer a builtin.
    assert "builtin" not in shell.run("type -t hookctl")


def test_a_missing_builtin_means_the_shell_code_and_no_message(sandbox):
    project = sandbox.project("missing", '[env]\nMISSING_OK = "yes"\n')
    sandbox.allow(project)
    sandbox.env["HOOKCTL_BASH_BUILTIN"] = str(sandbox.root / "no-such" / "hookctl.so")
    shell = sandbox.shell("bash")
    assert not is_native(shell)
    assert hookctl_messages(shell.cd(project)) == [f"hookctl: loaded {project} (+MISSING_OK)"]


def test_typed_commands_run_the_program(sandbox):
    project = sandbox.project("typed", '[env]\nA = "1"\n')
    shell = native_shell(sandbox)
    output = shell.run(f"hookctl allow '{project}'; echo status=$?")
    assert "allowed" in output and "status=0" in output
    assert "status=2" in shell.run("hookctl --no-such-flag 2>/dev/null; echo status=$?")
    assert "status=1" in shell.run(f"hookctl status '{sandbox.root}' >/dev/null 2>&1; echo status=$?")


def test_readonly_subshells_set_u_and_set_e(sandbox):
    project = sandbox.project("careful", '[env]\nLOCKED = "new"\nFREE = "free"\n')
    sandbox.allow(project)
    shell = native_shell(sandbox, extra_rc="set -u\nreadonly LOCKED=old")
    output = shell.cd(project)
    refused = [line for line in hookctl_messages(output) if "is readonly" in line]
    assert len(refused) == 1 and "LOCKED" in refused[0], output
    assert "locked=old" in shell.run("echo locked=$LOCKED") and shell.var("FREE") == b"free"
    # A subshell does nothing to the prompt's state.
    assert "sub=0" in shell.run("( builtin hookctl __prompt; echo sub=$? )")
    assert "after=ok" in shell.run("set -e; builtin hookctl __prompt; set +e; echo after=ok")
    shell.cd(sandbox.root)
    assert shell.var("FREE") is None


def test_the_exit_status_survives_and_enable_d_restores_prompt_command(sandbox):
    shell = native_shell(sandbox, extra_rc="PROMPT_COMMAND='mine=1'")
    assert "builtin hookctl __prompt" in shell.run("declare -p PROMPT_COMMAND")
    shell.run("(exit 7)")
    assert "st=7" in shell.run("echo st=$?")
    shell.run("enable -d hookctl")
    declared = shell.run("declare -p PROMPT_COMMAND")
    assert "_hookctl_hook" in declared and "__prompt" not in declared and "mine=1" in declared, declared
    shell.run("(exit 5)")
    assert "st=5" in shell.run("echo st=$?")
