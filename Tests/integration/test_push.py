"""Push: when hooks finish, the supervisor signals the shells waiting for
them, and the environment arrives with the prompt redrawn, without a key
press; a half-typed line survives and runs with the new environment."""

import time
from pathlib import Path

import pytest

from conftest import PROMPT, status
from test_bash_builtin import BUILTIN
from test_interactive import TmuxShell

# bash redraws a pushed prompt through its builtin; zsh and fish by themselves.
PUSH_SHELLS = (["bash"] if Path(BUILTIN).is_file() else []) + ["zsh", "fish"]


@pytest.fixture(params=PUSH_SHELLS)
def push_kind(request):
    return request.param

PUSH_PROMPT = {
    "bash": f"PS1='[v:${{PUSHED-}}] {PROMPT} '",
    "zsh": f"setopt prompt_subst; PROMPT='[v:${{PUSHED-}}] {PROMPT} '",
    "fish": f"function fish_prompt; printf '[v:%s] %s ' \"$PUSHED\" '{PROMPT}'; end",
}
# zsh needs its line editor for a redraw (the harness turns it off elsewhere).
ZLE_ON = {"zsh": "setopt zle"}

GATED = """
    [[hooks.onEnter]]
    id = "gated"
    command = "sh"
    args = ["-c", "while [ ! -e go ]; do sleep 0.05; done; echo export PUSHED=arrived"]
    source = true
    preload = true
"""


def push_shell(sandbox, kind, extra=""):
    if kind == "bash":
        sandbox.env["HOOKCTL_BASH_BUILTIN"] = BUILTIN
    rc = "\n".join([PUSH_PROMPT[kind], ZLE_ON.get(kind, ""), extra])
    return TmuxShell(sandbox, kind, sandbox.root, extra_rc=rc)


def wait_running(sandbox, project):
    deadline = time.time() + 15
    while (status(sandbox, project).get("execution") or {}).get("state") != "running":
        assert time.time() < deadline, "the hooks never started"
        time.sleep(0.05)


def test_the_environment_arrives_without_a_key_press(sandbox, push_kind):
    project = sandbox.project("push", GATED, {})
    sandbox.allow(project)
    shell = push_shell(sandbox, push_kind)
    shell.line(f"cd {project}")
    wait_running(sandbox, project)
    shell.wait_for(f"[v:] {PROMPT}")
    shell.send("-l", "echo got:$PUSHED")   # typed, not run
    (project / "go").touch()
    screen = shell.wait_for(f"[v:arrived] {PROMPT}", timeout=20)
    assert "echo got:$PUSHED" in screen.splitlines()[-1] or "echo got:$PUSHED" in screen
    shell.send("Enter")
    shell.wait_for("got:arrived")


def test_an_earlier_winch_handler_keeps_working(sandbox, push_kind):
    mark = sandbox.root / "winch-seen"
    earlier = {
        "bash": f"trap 'echo seen >> {mark}' WINCH",
        "zsh": f"TRAPWINCH() {{ echo seen >> {mark} }}",
        "fish": f"function user_winch --on-signal WINCH; echo seen >> {mark}; end",
    }[push_kind]
    project = sandbox.project("chained", GATED, {})
    sandbox.allow(project)
    shell = push_shell(sandbox, push_kind, earlier)
    shell.line(f"cd {project}")
    wait_running(sandbox, project)
    (project / "go").touch()
    shell.wait_for(f"[v:arrived] {PROMPT}", timeout=20)
    assert mark.read_text().count("seen") >= 1


def test_every_shell_in_the_project_gets_its_push(sandbox, push_kind):
    project = sandbox.project("many", GATED, {})
    sandbox.allow(project)
    shells = [push_shell(sandbox, push_kind) for _ in range(3)]
    for shell in shells:
        shell.line(f"cd {project}")
    wait_running(sandbox, project)
    (project / "go").touch()
    for shell in shells:
        shell.wait_for(f"[v:arrived] {PROMPT}", timeout=20)


def test_background_mode_gets_its_push_too(sandbox, push_kind):
    project = sandbox.project("background", GATED.replace("preload = true", ""), {})
    sandbox.allow(project)
    mode = "set -gx HOOKCTL_MODE background" if push_kind == "fish" else "export HOOKCTL_MODE=background"
    shell = push_shell(sandbox, push_kind, mode)
    shell.line(f"cd {project}")
    wait_running(sandbox, project)
    (project / "go").touch()
    shell.wait_for(f"[v:arrived] {PROMPT}", timeout=20)
