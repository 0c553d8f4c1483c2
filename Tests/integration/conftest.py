"""Harness for integration tests: a private HOME and state directory per
test, real bash/zsh/fish on a pseudo-terminal (pexpect) with hookctl's glue
loaded from their rc files, and a check that no process outlives the test."""

import json
import os
import re
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pexpect
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("HOOKCTL_BIN") or str(REPO / ".build/debug/hookctl")
PROMPT = "HOOKCTL_TEST_PROMPT>"
SHELLS = ["bash", "zsh", "fish"]


class Sandbox:
    """An isolated HOME and HOOKCTL_STATE_DIR, and helpers to use them."""

    def __init__(self, root: Path):
        self.root = root
        self.home = root / "home"
        self.state = root / "state"
        self.home.mkdir()
        self.env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "HOOKCTL_STATE_DIR": str(self.state),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TERM": "xterm",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "HOOKCTL_BIN": BIN,
        }
        self.shells = []

    def hookctl(self, *args, cwd=None, check=False, env=None, timeout=30):
        """Runs the hookctl binary; returns CompletedProcess (text)."""
        result = subprocess.run(
            [BIN, *args], cwd=cwd, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"hookctl {args} failed: {result.stderr}")
        return result

    def project(self, name: str, toml: str, files: dict | None = None) -> Path:
        """Creates a project directory with hookctl.toml and executable files."""
        directory = self.root / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "hookctl.toml").write_text(textwrap.dedent(toml))
        for relative, content in (files or {}).items():
            path = directory / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content))
            path.chmod(0o755)
        return directory

    def allow(self, directory: Path):
        self.hookctl("allow", str(directory), check=True)

    def shell(self, kind: str, cwd: Path | None = None, extra_rc: str = "") -> "Shell":
        shell = Shell(kind, self, cwd or self.root, extra_rc)
        self.shells.append(shell)
        return shell

    def processes(self):
        """Pids of live processes that carry this sandbox's state directory."""
        marker = f"HOOKCTL_STATE_DIR={self.state}".encode()
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    status = (entry / "status").read_text()
                    if "State:\tZ" not in status:
                        pids.append(int(entry.name))
            except OSError:
                continue
        return pids

    def wait_for_no_processes(self, timeout=10.0):
        """Waits until nothing of this sandbox runs any more; returns leftovers."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            left = self.processes()
            if not left:
                return []
            time.sleep(0.1)
        return self.processes()

    def close(self):
        for shell in self.shells:
            shell.close()
        leftovers = self.wait_for_no_processes(timeout=8)
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return leftovers


def shell_command(kind: str, sandbox: Sandbox, extra_rc: str = ""):
    """argv and environment of an interactive `kind` shell whose rc file sets
    the test prompt, runs `extra_rc` and loads hookctl's glue."""
    env = dict(sandbox.env)
    home = sandbox.home
    if kind == "bash":
        rc = home / ".bashrc"
        rc.write_text(f'PS1="{PROMPT} "\nPROMPT_COMMAND=\n{extra_rc}\neval "$("{BIN}" shell init bash)"\n')
        return ["bash", "--noprofile", "--rcfile", str(rc), "-i"], env
    if kind == "zsh":
        env["ZDOTDIR"] = str(home)
        (home / ".zshrc").write_text(
            f'PROMPT="{PROMPT} "\nunsetopt zle 2>/dev/null\n{extra_rc}\neval "$("{BIN}" shell init zsh)"\n')
        return ["zsh", "-i"], env
    if kind == "fish":
        config = home / ".config/fish"
        config.mkdir(parents=True, exist_ok=True)
        # Its presence keeps fish's first start from generating man page completions in the background.
        (home / ".local/share/fish/generated_completions").mkdir(parents=True, exist_ok=True)
        (config / "config.fish").write_text(
            f'function fish_prompt; printf "%s " "{PROMPT}"; end\n'
            f'set -g fish_greeting ""\n{extra_rc}\n"{BIN}" shell init fish | source\n')
        return ["fish", "-i"], env
    raise ValueError(kind)


class Shell:
    """A real interactive shell on a pseudo-terminal with hookctl's glue."""

    def __init__(self, kind: str, sandbox: Sandbox, cwd: Path, extra_rc: str = ""):
        self.kind = kind
        self.sandbox = sandbox
        argv, env = shell_command(kind, sandbox, extra_rc)
        # These shells read output prompt by prompt; a push (fish repaints its
        # prompt on any SIGWINCH) would draw one between two commands.
        # test_push.py drives push in tmux.
        env["HOOKCTL_PUSH"] = "0"
        self.child = pexpect.spawn(argv[0], argv[1:], cwd=str(cwd), env=env, encoding="utf-8",
                                   codec_errors="replace", dimensions=(50, 200), timeout=20)
        self.child.expect_exact(PROMPT)
        if kind == "fish":
            # fish asks the terminal for its cursor position and waits for the answer.
            self.child.sendline("")
            self.child.expect_exact(PROMPT)

    @property
    def pid(self) -> int:
        return self.child.pid

    def run(self, command: str, timeout: float = 20) -> str:
        """Runs a command line and returns what was printed up to the next prompt."""
        self.child.sendline(command)
        self.child.expect_exact(PROMPT, timeout=timeout)
        output = self.child.before.replace("\r\n", "\n")
        first_newline = output.find("\n")
        return output[first_newline + 1:] if first_newline >= 0 else ""

    def cd(self, directory) -> str:
        quoted = "'" + str(directory).replace("'", "'\\''") + "'"
        if self.kind == "fish":
            quoted = "'" + str(directory).replace("\\", "\\\\").replace("'", "\\'") + "'"
        return self.run(f"cd {quoted}")

    def var(self, name: str):
        """The exported value of `name` as bytes, or None when unset/unexported."""
        out = self.run(
            "python3 -c 'import os,sys; v=os.environb.get(sys.argv[1].encode());"
            " print(\"VAR=UNSET\" if v is None else \"VAR=SET:\"+v.hex())' " + name)
        for line in out.splitlines():
            line = line.strip()
            if line.startswith("VAR="):
                value = line[4:]
                return None if value == "UNSET" else bytes.fromhex(value[4:])
        raise AssertionError(f"no VAR line in {out!r}")

    def close(self):
        if self.child.isalive():
            self.child.sendline("exit")
            try:
                self.child.expect(pexpect.EOF, timeout=5)
            except pexpect.TIMEOUT:
                pass
            self.child.close(force=True)


@pytest.fixture
def sandbox(tmp_path):
    box = Sandbox(tmp_path)
    yield box
    leftovers = box.close()
    assert not leftovers, f"processes survived the test: {leftovers}"


@pytest.fixture(params=SHELLS)
def shell_kind(request):
    return request.param


_TERMINAL_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI: colours, cursor moves, modes
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: window titles
    r"|\x1b[()][0-9A-Za-z]"            # character set selection
    r"|\x1b[=>78]")


def terminal_lines(output: str) -> list[str]:
    """What `output` (as Shell.run returns it) shows on a terminal, line by
    line: control sequences removed and, per line, only the text after the
    last carriage return (what a redraw leaves visible)."""
    text = re.sub(r"[^\n]*\r\x1b\[K", "", output)  # a line erased after a carriage return
    text = _TERMINAL_CONTROL.sub("", text)
    return [line.rstrip("\r").split("\r")[-1].rstrip() for line in text.split("\n")]


def hookctl_messages(output: str) -> list[str]:
    """The `hookctl: ...` lines in a shell's output."""
    return [line[line.index("hookctl: "):] for line in terminal_lines(output) if "hookctl: " in line]


def background_rc(kind: str) -> str:
    """rc text that keeps `hookctl export` from waiting in the foreground."""
    return "set -gx HOOKCTL_MODE background" if kind == "fish" else "export HOOKCTL_MODE=background"


def status(sandbox: Sandbox, project) -> dict:
    """`hookctl status --json` of the project."""
    return json.loads(sandbox.hookctl("status", "--json", cwd=project).stdout)


def wait_done(sandbox: Sandbox, project, timeout=20):
    """`status --wait`: blocks until the execution has ended."""
    return sandbox.hookctl("status", "--wait", "--timeout", str(timeout), cwd=project, timeout=timeout + 10)

