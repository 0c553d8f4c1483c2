"""The interactive prompt in real bash, zsh and fish inside
tmux: progress on the terminal, `b` to background, `c`/Ctrl-C to cancel,
finishing in the foreground, and the terminal restored every time."""

import shlex
import subprocess
import time
import uuid

import pytest

from conftest import PROMPT, shell_command, status

SLOW_HOOK = """
    [[hooks.onEnter]]
    id = "slow"
    command = "./slow.sh"
    source = true
    description = "Fetching the slow thing"
"""
SLOW_SCRIPT = "#!/bin/sh\nsleep {seconds}\necho 'export SLOW_VAR=arrived'\n"


class TmuxShell:
    """A shell in its own tmux server: keys in with send-keys, screen out with capture-pane."""

    def __init__(self, sandbox, kind, cwd, width=120, extra_rc=""):
        self.kind = kind
        self.socket = f"hookctl-test-{uuid.uuid4().hex[:8]}"
        argv, env = shell_command(kind, sandbox, extra_rc)
        command = " ".join(shlex.quote(part) for part in ["env", *[f"{k}={v}" for k, v in env.items()], *argv])
        self.tmux("new-session", "-d", "-x", str(width), "-y", "40", "-c", str(cwd), command)
        self.wait_for(PROMPT)
        sandbox.shells.append(self)

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check)

    def send(self, *keys):
        self.tmux("send-keys", "-t", "0", *keys)

    def line(self, text):
        self.send("-l", text)
        self.send("Enter")

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", "0"] + (["-e"] if escapes else [])
        return self.tmux(*args).stdout

    def wait_for(self, text, timeout=15.0, escapes=False):
        deadline = time.time() + timeout
        while time.time() < deadline:
            screen = self.screen(escapes)
            if text in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared on:\n{self.screen()}")


    def close(self):
        self.tmux("kill-server", check=False)


def hook_processes(sandbox):
    """Processes of this sandbox other than the shells themselves."""
    found = []
    for pid in sandbox.processes():
        try:
            found.append((pid, open(f"/proc/{pid}/cmdline").read().replace("\0", " ")))
        except OSError:
            continue
    return [entry for entry in found if not entry[1].startswith(("bash", "zsh", "fish", "tmux"))]


def terminal_settings(shell, sandbox, name):
    path = sandbox.root / name
    shell.line(f"stty -a > {path}")
    deadline = time.time() + 10
    while time.time() < deadline and not (path.exists() and path.read_text()):
        time.sleep(0.05)
    return path.read_text()


def echo_var(shell, marker):
    shell.line(f"echo \"{marker}=$SLOW_VAR.\"")


@pytest.fixture
def slow_project(sandbox):
    def make(seconds=3, name="slow", toml=SLOW_HOOK):
        project = sandbox.project(name, toml, {"slow.sh": SLOW_SCRIPT.format(seconds=seconds)})
        sandbox.allow(project)
        return project
    return make


def test_background_with_b(sandbox, shell_kind, slow_project):
    project = slow_project(seconds=3)
    shell = TmuxShell(sandbox, shell_kind, sandbox.root)
    before = terminal_settings(shell, sandbox, "stty-before")
    shell.line(f"cd {project}")
    screen = shell.wait_for("Fetching the slow thing")
    assert "[b] background  [c] cancel" in screen
    # Other keys are ignored and not echoed.
    shell.send("-l", "xyz")
    time.sleep(0.3)
    assert "xyz" not in shell.screen()
    assert status(sandbox, project)["execution"]["state"] == "running"
    shell.send("b")
    shell.wait_for("continue in the background")
    # The prompt is back while the hook still runs.
    assert status(sandbox, project)["execution"]["state"] == "running"
    echo_var(shell, "EARLY")
    shell.wait_for("EARLY=.")
    assert sandbox.hookctl("status", "--wait", "--timeout", "20", str(project)).returncode == 0
    shell.send("Enter")
    shell.wait_for("hookctl: loaded")
    echo_var(shell, "LATER")
    shell.wait_for("LATER=arrived.")
    assert terminal_settings(shell, sandbox, "stty-after") == before


@pytest.mark.parametrize("key", ["c", "C-c"])
def test_cancel_with_c_or_ctrl_c(sandbox, shell_kind, slow_project, key):
    project = slow_project(seconds=30)
    shell = TmuxShell(sandbox, shell_kind, sandbox.root)
    before = terminal_settings(shell, sandbox, "stty-before")
    shell.line(f"cd {project}")
    shell.wait_for("Fetching the slow thing")
    shell.send(key)
    shell.wait_for("the hooks were cancelled")
    report = status(sandbox, project)
    assert report["execution"]["state"] == "cancelled"
    assert report["hooks"][0]["state"] == "cancelled"
    deadline = time.time() + 10
    while hook_processes(sandbox) and time.time() < deadline:
        time.sleep(0.1)
    assert not hook_processes(sandbox)
    echo_var(shell, "AFTER")
    shell.wait_for("AFTER=.")
    assert terminal_settings(shell, sandbox, "stty-after") == before


def test_finishing_in_the_foreground_loads_at_the_same_prompt(sandbox, shell_kind, slow_project):
    project = slow_project(seconds=1)
    shell = TmuxShell(sandbox, shell_kind, sandbox.root)
    before = terminal_settings(shell, sandbox, "stty-before")
    shell.line(f"cd {project}")
    shell.wait_for("Fetching the slow thing")
    shell.wait_for("hookctl: loaded")
    # No extra Enter: the very next command sees the variable.
    echo_var(shell, "NOW")
    shell.wait_for("NOW=arrived.")
    assert "[b] background" not in shell.screen()
    assert terminal_settings(shell, sandbox, "stty-after") == before


def test_sigterm_restores_the_terminal(sandbox, slow_project):
    project = slow_project(seconds=30)
    shell = TmuxShell(sandbox, "bash", sandbox.root)
    before = terminal_settings(shell, sandbox, "stty-before")
    shell.line(f"cd {project}")
    shell.wait_for("Fetching the slow thing")
    subprocess.run(["pkill", "-TERM", "-f", "hookctl export bash"], check=False)
    shell.wait_for("continue in the background")
    assert terminal_settings(shell, sandbox, "stty-after") == before
    sandbox.hookctl("cancel", str(project))


def test_quick_hooks_draw_nothing(sandbox, shell_kind, slow_project):
    project = slow_project(toml=SLOW_HOOK.replace("./slow.sh", "true").replace("source = true", ""))
    shell = TmuxShell(sandbox, shell_kind, sandbox.root)
    shell.line(f"cd {project}")
    shell.wait_for("hookctl: loaded")
    assert "[b] background" not in shell.screen()


@pytest.mark.parametrize("setting", ["preload", "background-mode"])
def test_preload_and_background_mode_never_draw(sandbox, shell_kind, slow_project, setting):
    toml = SLOW_HOOK + ("preload = true\n" if setting == "preload" else "")
    project = slow_project(seconds=2, toml=toml)
    extra = {"fish": "set -gx HOOKCTL_MODE background"}.get(shell_kind, "export HOOKCTL_MODE=background")
    shell = TmuxShell(sandbox, shell_kind, sandbox.root, extra_rc=extra if setting == "background-mode" else "")
    shell.line(f"cd {project}")
    shell.line('echo "ENTE""RED"')  # the output differs from the typed line
    shell.wait_for("ENTERED\n")
    assert status(sandbox, project)["execution"]["state"] == "running"
    assert "[b] background" not in shell.screen()
    assert sandbox.hookctl("status", "--wait", "--timeout", "20", str(project)).returncode == 0
    shell.send("Enter")
    shell.wait_for("hookctl: loaded")
    echo_var(shell, "LATER")
    shell.wait_for("LATER=arrived.")
    assert "[b] background" not in shell.screen()


def test_export_without_a_terminal_never_blocks(sandbox, slow_project):
    project = slow_project(seconds=30)
    result = subprocess.run(
        [sandbox.env["HOOKCTL_BIN"], "export", "bash"], cwd=project, env={**sandbox.env, "HOOKCTL_SHELL_PID": "4000001"},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    assert result.returncode == 0
    assert status(sandbox, project)["execution"]["state"] == "running"
    assert "background" not in result.stderr
    sandbox.hookctl("cancel", str(project), check=True)


def test_narrow_terminal_truncates_instead_of_wrapping(sandbox, slow_project):
    toml = SLOW_HOOK.replace("Fetching the slow thing", "Fetching the slow thing " + "x" * 80)
    project = slow_project(seconds=30, toml=toml)
    shell = TmuxShell(sandbox, "bash", sandbox.root, width=40)
    shell.line(f"cd {project}")
    screen = shell.wait_for("Fetching the slow")
    line = next(line for line in screen.splitlines() if "Fetching the slow" in line)
    assert line.rstrip().endswith("…")
    assert not any(line.startswith("x") for line in screen.splitlines())
    shell.send("c")
    shell.wait_for("the hooks were cancelled")


@pytest.mark.parametrize("variant", ["NO_COLOR=1", "TERM=dumb"])
def test_plain_output(sandbox, slow_project, variant):
    project = slow_project(seconds=30)
    shell = TmuxShell(sandbox, "bash", sandbox.root, extra_rc=f"export {variant}")
    shell.line(f"cd {project}")
    screen = shell.wait_for("Fetching the slow thing", escapes=True)
    assert "\x1b[36m" not in screen
    if variant == "TERM=dumb":
        assert "hookctl: running Fetching the slow thing" in screen
    shell.send("c")
    shell.wait_for("the hooks were cancelled")


def test_keys_typed_before_the_display_reach_the_shell(sandbox, shell_kind, slow_project):
    project = slow_project(seconds=2)
    shell = TmuxShell(sandbox, shell_kind, sandbox.root)
    # Typed straight after Enter, before the display could appear: `b` and `c`
    # in it are the shell's, not commands to the hooks.
    shell.line(f"cd {project}")
    shell.line("echo typed-ahead-bc")
    # The line as typed, then what echo printed.
    deadline = time.time() + 15
    while shell.screen().count("typed-ahead-bc") < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert shell.screen().count("typed-ahead-bc") >= 2, shell.screen()
    assert "[b] background" not in shell.screen()
    assert status(sandbox, project)["execution"]["state"] in ("running", "completed")
    assert sandbox.hookctl("status", "--wait", "--timeout", "20", str(project)).returncode == 0
    shell.send("Enter")
    shell.wait_for("hookctl: loaded")


def test_the_progress_display_shows_each_hooks_latest_message(sandbox, shell_kind):
    project = sandbox.project("says", """
        [[hooks.onEnter]]
        id = "vault"
        command = "./vault.sh"
        source = true
        description = "Vault"
    """, {"vault.sh": (
        "#!/bin/sh\n"
        "echo 'Fetching environment from vault...'\n"
        "sleep 2\n"
        f"echo 'touch {sandbox.root}/message-ran'\n"
        "echo 'Almost there'\n"
        "sleep 2\n"
        "echo 'export VAULT_TOKEN=t0ken'\n")})
    sandbox.allow(project)
    shell = TmuxShell(sandbox, shell_kind, sandbox.root)
    shell.line(f"cd {project}")
    screen = shell.wait_for("Fetching environment from vault...")
    assert "Vault" in screen and "[b] background" in screen
    screen = shell.wait_for("Almost there")
    assert "Fetching environment from vault..." not in screen  # the latest message only
    shell.wait_for("hookctl: loaded")
    assert not (sandbox.root / "message-ran").exists()
    log = sandbox.hookctl("logs", "--hook", "vault", cwd=project).stdout
    assert "Fetching environment from vault..." in log and "Almost there" in log and "t0ken" not in log
