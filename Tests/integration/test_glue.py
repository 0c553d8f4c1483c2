"""The prompt glue printed by `hookctl shell init`: valid in each shell,
registered once, friendly to other prompt hooks and to `$?`, forking nothing
when nothing changed, and never breaking the prompt."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, PROMPT, SHELLS, hookctl_messages, terminal_lines


def quoted(kind: str, text: str) -> str:
    """`text` as one word for the shell `kind`."""
    if kind == "fish":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + text.replace("'", "'\\''") + "'"


def render_glue(sandbox, kind: str, env=None) -> str:
    result = sandbox.hookctl("shell", "init", kind, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    return result.stdout


def glue_file(sandbox, kind: str, binary: str | None = None) -> str:
    """Writes the glue for `kind` to a file, optionally with the hookctl
    binary replaced by `binary`, and returns its path."""
    text = render_glue(sandbox, kind)
    if binary is not None:
        text, count = re.subn(r"^((?:typeset -g |set -g )?_hookctl_bin[= ]).*$",
                              lambda m: m.group(1) + quoted(kind, binary), text, count=1, flags=re.M)
        assert count == 1, text
    path = sandbox.root / f"glue.{kind}.{len(list(sandbox.root.glob('glue.*')))}"
    path.write_text(text)
    return str(path)


def source(shell, path: str) -> str:
    return shell.run(f"source {quoted(shell.kind, path)}")


def counting_wrapper(sandbox, body: str | None = None) -> tuple[str, Path]:
    """A stand-in for hookctl that appends a line to a counter file for every
    run and then runs `body` (default: the real hookctl with the same args)."""
    directory = sandbox.root / "wrapper"
    directory.mkdir(exist_ok=True)
    counter = directory / "count"
    wrapper = directory / "hookctl"
    body = body if body is not None else f'exec {quoted("bash", BIN)} "$@"'
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {quoted("bash", str(counter))}\n{body}\n')
    wrapper.chmod(0o755)
    return str(wrapper), counter


def count(counter) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def visible(output: str) -> list[str]:
    return [line for line in terminal_lines(output) if line.strip()]


# --- the glue as text -----------------------------------------------------

SYNTAX_CHECK = {
    "bash": ["bash", "-n"],
    "zsh": ["zsh", "-n"],
    "fish": ["fish", "--no-execute"],
}


@pytest.mark.parametrize("state_dir", ["plain", "with space and 'quote' $x"])
@pytest.mark.parametrize("kind", SHELLS)
def test_glue_parses(sandbox, kind, state_dir):
    env = {"HOOKCTL_STATE_DIR": str(sandbox.root / state_dir)}
    path = sandbox.root / f"glue.{kind}"
    path.write_text(render_glue(sandbox, kind, env=env))
    result = subprocess.run([*SYNTAX_CHECK[kind], str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""


def test_bash_glue_passes_shellcheck(sandbox):
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing; run `make test-deps` (apt-get install -y shellcheck)"
    path = sandbox.root / "glue.bash"
    path.write_text(render_glue(sandbox, "bash"))
    result = subprocess.run([shellcheck, "-s", "bash", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_glue_works_with_unusual_state_dir(sandbox, shell_kind):
    """The state directory is quoted into the glue; spaces and quotes survive."""
    sandbox.state = sandbox.root / "state dir 'q' $x"
    sandbox.env["HOOKCTL_STATE_DIR"] = str(sandbox.state)
    project = sandbox.project("proj", '[env]\nA = "1"\n')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("A") == b"1"
    # hookctl allow/deny reach this shell through its marker file in that directory.
    sandbox.hookctl("deny", str(project), check=True)
    shell.run("")
    assert shell.var("A") is None


def test_unknown_shell_is_a_usage_error(sandbox):
    result = sandbox.hookctl("shell", "init", "tcsh")
    assert result.returncode == 2
    assert result.stdout == ""


# --- registration -----------------------------------------------------------

def bash_prompt_command(shell) -> str:
    return shell.run("declare -p PROMPT_COMMAND")


def test_bash_string_prompt_command_registered_once(sandbox):
    shell = sandbox.shell("bash", extra_rc="PROMPT_COMMAND='echo MARK1'")
    path = glue_file(sandbox, "bash")
    source(shell, path)
    source(shell, path)

    declared = bash_prompt_command(shell)
    assert declared.count("_hookctl_hook") == 1, declared
    assert declared.count("echo MARK1") == 1, declared
    assert "declare -a" not in declared
    assert visible(shell.run("echo hi")) == ["hi", "MARK1"]


def test_bash_array_prompt_command_registered_once(sandbox):
    shell = sandbox.shell("bash", extra_rc="PROMPT_COMMAND=('echo MARK1' 'echo MARK2')")
    version = shell.run('echo "V=${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"')
    major, minor = map(int, re.search(r"V=(\d+)\.(\d+)", version).groups())
    if (major, minor) < (5, 1):
        pytest.skip("PROMPT_COMMAND arrays need bash 5.1")
    path = glue_file(sandbox, "bash")
    source(shell, path)
    source(shell, path)

    declared = bash_prompt_command(shell)
    assert "declare -a" in declared, declared
    assert declared.count("_hookctl_hook") == 1, declared
    assert declared.count("echo MARK1") == 1 and declared.count("echo MARK2") == 1, declared
    assert visible(shell.run("echo hi")) == ["hi", "MARK1", "MARK2"]


def test_bash_prompt_command_empty_registered_once(sandbox):
    shell = sandbox.shell("bash")
    source(shell, glue_file(sandbox, "bash"))
    declared = bash_prompt_command(shell)
    assert declared.count("_hookctl_hook") == 1, declared
    assert visible(shell.run("echo hi")) == ["hi"]


def test_zsh_precmd_registered_once(sandbox):
    shell = sandbox.shell("zsh", extra_rc="my_precmd() { echo MARK1 }\nprecmd_functions=(my_precmd)")
    path = glue_file(sandbox, "zsh")
    source(shell, path)
    source(shell, path)

    listed = visible(shell.run("print -l -- $precmd_functions"))
    assert listed.count("_hookctl_hook") == 1, listed
    assert listed.count("my_precmd") == 1, listed
    assert visible(shell.run("echo hi")) == ["hi", "MARK1"]


def test_zsh_add_zsh_hook_functions_kept(sandbox):
    shell = sandbox.shell("zsh", extra_rc="autoload -Uz add-zsh-hook\nmine() { echo MARK1 }\nadd-zsh-hook precmd mine")
    source(shell, glue_file(sandbox, "zsh"))
    listed = visible(shell.run("print -l -- $precmd_functions"))
    assert listed.count("_hookctl_hook") == 1 and listed.count("mine") == 1, listed
    assert visible(shell.run("echo hi")) == ["hi", "MARK1"]


def test_fish_prompt_handler_registered_once(sandbox):
    shell = sandbox.shell("fish", extra_rc="function my_prompt_hook --on-event fish_prompt\n    echo MARK1\nend")
    path = glue_file(sandbox, "fish")
    source(shell, path)
    source(shell, path)

    handlers = visible(shell.run("functions --handlers-type generic"))
    assert handlers.count("fish_prompt _hookctl_hook") == 1, handlers
    assert handlers.count("fish_prompt my_prompt_hook") == 1, handlers
    assert visible(shell.run("echo hi")) == ["hi", "MARK1"]


# --- $? ---------------------------------------------------------------------

STATUS = {"bash": "$?", "zsh": "$?", "fish": "$status"}


def test_exit_status_preserved(sandbox, shell_kind):
    project = sandbox.project("status project", '[env]\nA = "1"\n')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    variable = STATUS[shell_kind]

    shell.run("false")
    assert visible(shell.run(f"echo S={variable}")) == ["S=1"]
    shell.run("sh -c 'exit 7'")
    assert visible(shell.run(f"echo S={variable}")) == ["S=7"]

    # Also on a prompt where the glue runs `hookctl export` (entering, leaving).
    shell.run(f"cd {quoted(shell_kind, str(project))}; false")
    assert visible(shell.run(f"echo S={variable}")) == ["S=1"]
    assert shell.var("A") == b"1"
    shell.run(f"cd {quoted(shell_kind, str(sandbox.root))}; sh -c 'exit 3'")
    assert visible(shell.run(f"echo S={variable}")) == ["S=3"]
    assert shell.var("A") is None


PROMPT_SHOWING_STATUS = {
    "bash": f"PS1='[$?] {PROMPT} '",
    "zsh": f"PROMPT='[%?] {PROMPT} '",
    "fish": f'function fish_prompt; printf "[%s] %s " $status "{PROMPT}"; end',
}


def prompt_status(output: str) -> str:
    """The status shown by the prompt that ended `output`."""
    last = terminal_lines(output)[-1]
    match = re.search(r"\[(\d+)\]\s*$", last)
    assert match, output
    return match.group(1)


def test_prompt_shows_exit_status(sandbox, shell_kind):
    project = sandbox.project("prompt project", '[env]\nA = "1"\n')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=PROMPT_SHOWING_STATUS[shell_kind])

    assert prompt_status(shell.run("false")) == "1"
    assert prompt_status(shell.run("true")) == "0"
    assert prompt_status(shell.run("sh -c 'exit 5'")) == "5"
    assert prompt_status(shell.run(f"cd {quoted(shell_kind, str(project))}; false")) == "1"
    assert prompt_status(shell.run("")) in ("1", "0")  # an empty line keeps or resets it, as the shell does
    assert prompt_status(shell.run(f"cd {quoted(shell_kind, str(sandbox.root))}; sh -c 'exit 4'")) == "4"


# --- no fork when nothing changed -----------------------------------------

def test_no_fork_when_nothing_changed(sandbox, shell_kind):
    project = sandbox.project("forkless", '[env]\nA = "1"\n')
    sandbox.allow(project)
    (project / "sub" / "deeper").mkdir(parents=True)
    for name in ("out/a", "out/b/c"):
        (sandbox.root / name).mkdir(parents=True)
    wrapper, counter = counting_wrapper(sandbox)
    shell = sandbox.shell(shell_kind)
    source(shell, glue_file(sandbox, shell_kind, binary=wrapper))
    assert count(counter) == 0

    for _ in range(5):
        shell.run("")
    shell.run("true")
    for directory in ("out", "out/a", "out/b/c", "out/b", "out", ""):
        shell.cd(sandbox.root / directory)
    assert count(counter) == 0

    shell.cd(project)
    assert count(counter) == 1
    assert shell.var("A") == b"1"
    for directory in ("sub", "sub/deeper", "sub", ""):
        shell.cd(project / directory)
    for _ in range(5):
        shell.run("")
    assert count(counter) == 1
    assert shell.var("A") == b"1"

    shell.cd(sandbox.root / "out")
    assert count(counter) == 2
    assert shell.var("A") is None
    for directory in ("out/a", "out/b", ""):
        shell.cd(sandbox.root / directory)
    shell.run("")
    assert count(counter) == 2


def test_no_fork_inside_unapproved_project(sandbox, shell_kind):
    project = sandbox.project("untrusted", '[env]\nA = "1"\n')
    (project / "sub").mkdir()
    wrapper, counter = counting_wrapper(sandbox)
    shell = sandbox.shell(shell_kind)
    source(shell, glue_file(sandbox, shell_kind, binary=wrapper))

    assert len(hookctl_messages(shell.cd(project))) == 1
    assert count(counter) == 1
    shell.cd(project / "sub")
    shell.cd(project)
    for _ in range(3):
        shell.run("")
    assert count(counter) == 1


# --- never break the prompt -----------------------------------------------

def test_missing_binary_warns_once(sandbox, shell_kind):
    first = sandbox.project("first", '[env]\nA = "1"\n')
    second = sandbox.project("second", '[env]\nB = "2"\n')
    sandbox.allow(first)
    sandbox.allow(second)
    wrapper, counter = counting_wrapper(sandbox)
    shell = sandbox.shell(shell_kind)
    source(shell, glue_file(sandbox, shell_kind, binary=wrapper))
    os.rename(wrapper, wrapper + ".away")

    messages = []
    for step in (lambda: shell.cd(first), lambda: shell.run(""), lambda: shell.cd(sandbox.root),
                 lambda: shell.cd(second), lambda: shell.run("echo alive"), lambda: shell.cd(first)):
        output = step()
        messages += hookctl_messages(output)
    assert len(messages) == 1, messages
    assert wrapper in messages[0]
    assert visible(shell.run("echo alive")) == ["alive"]
    assert shell.var("A") is None and shell.var("B") is None
    assert count(counter) == 0

    # Once it is back, the next change of directory loads again.
    os.rename(wrapper + ".away", wrapper)
    shell.cd(second)
    assert shell.var("B") == b"2"


def test_failing_binary_warns_once(sandbox, shell_kind):
    first = sandbox.project("first", '[env]\nA = "1"\n')
    second = sandbox.project("second", '[env]\nB = "2"\n')
    sandbox.allow(first)
    sandbox.allow(second)
    wrapper, counter = counting_wrapper(sandbox, body="exit 1")
    shell = sandbox.shell(shell_kind)
    source(shell, glue_file(sandbox, shell_kind, binary=wrapper))

    messages = []
    for step in (lambda: shell.cd(first), lambda: shell.run(""), lambda: shell.cd(sandbox.root),
                 lambda: shell.cd(second), lambda: shell.run("false"), lambda: shell.cd(first)):
        messages += hookctl_messages(step())
    assert len(messages) == 1, messages
    assert count(counter) >= 3  # it was tried at each change of project
    assert visible(shell.run("echo alive")) == ["alive"]
    assert shell.var("A") is None and shell.var("B") is None
    # $? is still the user's, also after a failing export.
    shell.run(f"cd {quoted(shell_kind, str(second))}; false")
    assert visible(shell.run(f"echo S={STATUS[shell_kind]}")) == ["S=1"]


@pytest.mark.parametrize("stdout", ["set -gx INJECTED yes; export INJECTED=yes", "this is ( not shell code"])
def test_output_of_failed_export_is_not_evaluated(sandbox, shell_kind, stdout):
    """What a failing hookctl prints is never run; the shell stays usable."""
    first = sandbox.project("first", '[env]\nA = "1"\n')
    body = f"echo {quoted('bash', stdout)}; echo oops >&2; exit 1"
    wrapper, _ = counting_wrapper(sandbox, body=body)
    shell = sandbox.shell(shell_kind)
    source(shell, glue_file(sandbox, shell_kind, binary=wrapper))
    messages = hookctl_messages(shell.cd(first)) + hookctl_messages(shell.cd(sandbox.root))
    assert messages == ["hookctl: export failed; the environment was left unchanged"]
    assert shell.var("INJECTED") is None
    assert visible(shell.run("echo alive")) == ["alive"]
