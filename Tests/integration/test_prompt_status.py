"""HOOKCTL_STATUS in a real prompt (tmux): loading N/M while hooks run,
then loaded or failed, requires approval, and nothing outside a project;
`hookctl status --short` says the same."""

import time

from conftest import PROMPT, status, wait_done
from test_interactive import TmuxShell

STATUS_PROMPT = {
    "bash": f"PS1='[st:${{HOOKCTL_STATUS-}}] {PROMPT} '",
    "zsh": f"setopt prompt_subst; PROMPT='[st:${{HOOKCTL_STATUS-}}] {PROMPT} '",
    "fish": f"function fish_prompt; printf '[st:%s] %s ' \"$HOOKCTL_STATUS\" '{PROMPT}'; end",
}
BACKGROUND = {"bash": "export HOOKCTL_MODE=background", "zsh": "export HOOKCTL_MODE=background",
              "fish": "set -gx HOOKCTL_MODE background"}


def prompt_shell(sandbox, kind):
    return TmuxShell(sandbox, kind, sandbox.root, extra_rc=STATUS_PROMPT[kind] + "\n" + BACKGROUND[kind])


def short(sandbox, project):
    return sandbox.hookctl("status", "--short", cwd=project).stdout.strip()


def last_prompt(shell):
    lines = [line for line in shell.screen().splitlines() if "[st:" in line]
    return lines[-1] if lines else ""


def press_enter_until(shell, text, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        shell.send("Enter")
        time.sleep(0.2)
        if text in last_prompt(shell):
            return
    raise AssertionError(f"{text!r} never reached the prompt:\n{shell.screen()}")


def test_the_prompt_moves_through_loading_to_loaded(sandbox, shell_kind):
    project = sandbox.project("loading", """
        [[hooks.onEnter]]
        id = "quick"
        command = "true"

        [[hooks.onEnter]]
        id = "gated"
        command = "sh"
        args = ["-c", "while [ ! -e go ]; do sleep 0.1; done; echo export GATED=1"]
        source = true
    """, {})
    sandbox.allow(project)
    shell = prompt_shell(sandbox, shell_kind)
    shell.wait_for(f"[st:] {PROMPT}")
    shell.line(f"cd {project}")
    deadline = time.time() + 15
    while status(sandbox, project)["counts"]["succeeded"] < 1:
        assert time.time() < deadline
        time.sleep(0.05)
    # The prompt reads the status the supervisor keeps; no key but Enter, no fork needed.
    press_enter_until(shell, f"[st:loading 1/2] {PROMPT}")
    assert short(sandbox, project) == "loading 1/2"
    (project / "go").touch()
    assert wait_done(sandbox, project).returncode == 0
    press_enter_until(shell, f"[st:loaded] {PROMPT}")
    assert short(sandbox, project) == "loaded"
    shell.line("cd ..")
    press_enter_until(shell, f"[st:] {PROMPT}")
    assert sandbox.hookctl("status", "--short", cwd=sandbox.root).stdout == ""


def test_the_prompt_shows_a_failure_and_a_missing_approval(sandbox, shell_kind):
    failing = sandbox.project("failing", """
        [[hooks.onEnter]]
        id = "auth"
        command = "false"
    """, {})
    sandbox.allow(failing)
    unapproved = sandbox.project("unapproved", """
        [env]
        A = "1"
    """, {})
    shell = prompt_shell(sandbox, shell_kind)
    shell.line(f"cd {failing}")
    deadline = time.time() + 15
    while status(sandbox, failing)["execution"] is None:
        assert time.time() < deadline, "the hooks never started"
        time.sleep(0.05)
    assert wait_done(sandbox, failing).returncode == 1
    press_enter_until(shell, f"[st:failed: auth] {PROMPT}")
    assert short(sandbox, failing) == "failed: auth"
    shell.line(f"cd {unapproved}")
    press_enter_until(shell, f"[st:requires approval] {PROMPT}")
    assert short(sandbox, unapproved) == "requires approval"
    (unapproved / "hookctl.toml").write_text("[env\n")
    assert short(sandbox, unapproved) == "invalid config"
