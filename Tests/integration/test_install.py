"""`make install` and `make uninstall` into a temporary PREFIX and HOME:
the rc files get exactly one marked line and keep everything else, a second
install adds nothing, uninstall restores them, and a new shell started from
those rc files has the integration. The first run builds a
release binary, which takes a minute or two."""

import os
import shutil
import subprocess
from pathlib import Path

import pexpect

from conftest import PROMPT, REPO, SHELLS, Shell

MARK = "# added by hookctl make install"
BASHRC = ".bashrc"
ZSHRC = ".zshrc"
FISHCONF = ".config/fish/conf.d/hookctl.fish"
RC_FILES = {"bash": BASHRC, "zsh": ZSHRC, "fish": FISHCONF}

# What the user had before; .zshrc does not end with a newline.
ORIGINAL = {
    BASHRC: (
        "# my own bashrc\n"
        f"PS1='{PROMPT} '\n"
        "export FROM_RC=bash\n"
        "\n"
        "alias ll='ls -l'   # with a comment\n"
    ),
    ZSHRC: (
        "# my own zshrc\n"
        f"PROMPT='{PROMPT} '\n"
        "unsetopt zle 2>/dev/null\n"
        "export FROM_RC=zsh"
    ),
    FISHCONF: (
        "# my own fish snippet\n"
        "set -gx FROM_RC fish\n"
    ),
}


def make(sandbox, target: str, prefix: Path, timeout: float = 1200) -> subprocess.CompletedProcess:
    """Runs `make TARGET PREFIX=prefix` in the repository with the sandbox's
    HOME and no ZDOTDIR."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("ZDOTDIR", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "XDG_CONFIG_HOME")}
    env["HOME"] = str(sandbox.home)
    env["HOOKCTL_STATE_DIR"] = str(sandbox.state)
    if not shutil.which("swift", path=env.get("PATH")) and Path("/opt/swift/usr/bin/swift").exists():
        env["PATH"] = "/opt/swift/usr/bin:" + env.get("PATH", "/usr/bin:/bin")
    for _ in range(3):
        result = subprocess.run(["make", target, f"PREFIX={prefix}"], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=timeout)
        # Others may edit the sources while SwiftPM builds; that is not what this tests.
        if result.returncode == 0 or "modified during the build" not in result.stdout + result.stderr:
            break
    assert result.returncode == 0, f"make {target} failed:\n{result.stdout}\n{result.stderr}"
    return result


def write_originals(home: Path):
    for relative, content in ORIGINAL.items():
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode())


def marked_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if MARK in line]


def expected_line(kind: str, binary: Path) -> str:
    if kind == "fish":
        return f'"{binary}" shell init fish | source {MARK}'
    return f'eval "$("{binary}" shell init {kind})" {MARK}'


def expected_lines(kind: str, binary: Path, first_suffix: str = "") -> list[str]:
    """The marked lines make install adds to `kind`'s rc file, in order."""
    lines = [expected_line(kind, binary)]
    if kind == "zsh":
        completions = binary.parent.parent / "share/zsh/site-functions"
        lines.insert(0, f'fpath=("{completions}" $fpath); autoload -Uz _hookctl; (( $+functions[compdef] )) && '
                        f'compdef _hookctl hookctl {MARK}')
    lines[0] += first_suffix
    return lines


def test_install_twice_then_uninstall_restores_rc_files(sandbox):
    prefix = sandbox.root / "prefix"
    binary = prefix / "bin" / "hookctl"
    write_originals(sandbox.home)

    make(sandbox, "install", prefix)

    after_first = {}
    for kind, relative in RC_FILES.items():
        text = (sandbox.home / relative).read_bytes().decode()
        after_first[relative] = text
        # A file without a final line break gets one first, which the comment notes.
        suffix = "" if ORIGINAL[relative].endswith("\n") or not ORIGINAL[relative] else " (and the line break before it)"
        assert marked_lines(text) == expected_lines(kind, binary, suffix), text
        others = [line for line in text.splitlines() if MARK not in line]
        original_lines = ORIGINAL[relative].splitlines()
        assert others == original_lines, text
        assert text.startswith(ORIGINAL[relative]), "the existing text was changed"

    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip()
    assert (prefix / "lib/libhookengine.so.0").is_file()
    # The bash builtin, built against bash-builtins' headers (make test installs them).
    builtin = prefix / "lib/hookctl/bash/hookctl.so"
    assert builtin.is_file() and not builtin.stat().st_mode & 0o022
    loaded = subprocess.run(["bash", "--norc", "-c", f"enable -f {builtin} hookctl && echo native=$_hookctl_native"],
                            capture_output=True, text=True, timeout=30)
    assert "native=1" in loaded.stdout, loaded.stderr
    assert os.readlink(prefix / "lib/libhookengine.so") == "libhookengine.so.0"
    assert (prefix / "include/hookengine.h").read_bytes() == (REPO / "Sources/CShims/include/hookengine.h").read_bytes()
    assert f"prefix={prefix}" in (prefix / "lib/pkgconfig/hookengine.pc").read_text()
    for kind in SHELLS:
        installed = prefix / "share" / "hookctl" / f"hookctl.{kind}"
        rendered = subprocess.run([str(binary), "shell", "init", kind], capture_output=True, text=True,
                                  env={**sandbox.env}, timeout=30)
        assert installed.read_text() == rendered.stdout
        assert str(binary) in rendered.stdout

    make(sandbox, "install", prefix)
    for relative, text in after_first.items():
        assert (sandbox.home / relative).read_bytes().decode() == text, f"second install changed {relative}"

    make(sandbox, "uninstall", prefix)
    for relative, content in ORIGINAL.items():
        restored = (sandbox.home / relative).read_bytes()
        assert restored == content.encode(), f"{relative} is not as it was: {restored!r}"
    assert not binary.exists()
    assert not (prefix / "share" / "hookctl").exists()
    for installed in ["lib/libhookengine.so", "lib/libhookengine.so.0", "lib/pkgconfig/hookengine.pc", "include/hookengine.h",
                      "share/man/man1/hookctl.1", "lib/hookctl/bash/hookctl.so", "share/bash-completion/completions/hookctl",
                      "share/zsh/site-functions/_hookctl", "share/fish/vendor_completions.d/hookctl.fish"]:
        assert not (prefix / installed).exists(), f"uninstall left {installed}"


def test_install_into_empty_home(sandbox):
    prefix = sandbox.root / "prefix"
    binary = prefix / "bin" / "hookctl"

    make(sandbox, "install", prefix)
    for kind, relative in RC_FILES.items():
        assert (sandbox.home / relative).read_text() == "".join(line + "\n" for line in expected_lines(kind, binary))
    make(sandbox, "install", prefix)
    for kind, relative in RC_FILES.items():
        assert (sandbox.home / relative).read_text() == "".join(line + "\n" for line in expected_lines(kind, binary))

    make(sandbox, "uninstall", prefix)
    for relative in RC_FILES.values():
        path = sandbox.home / relative
        assert not path.exists() or path.read_bytes() == b"", relative
    assert not binary.exists()


def test_uninstall_without_install_changes_nothing(sandbox):
    prefix = sandbox.root / "prefix"
    write_originals(sandbox.home)
    make(sandbox, "uninstall", prefix)
    for relative, content in ORIGINAL.items():
        assert (sandbox.home / relative).read_bytes() == content.encode()


class InstalledShell(Shell):
    """A shell that reads the rc files in the sandbox's HOME as they are."""

    def __init__(self, kind: str, sandbox, cwd: Path):
        self.kind = kind
        self.sandbox = sandbox
        env = dict(sandbox.env)
        if kind == "bash":
            argv = ["bash", "--noprofile", "-i"]
        elif kind == "zsh":
            argv = ["zsh", "-i"]
        else:
            argv = ["fish", "-i"]
        self.child = pexpect.spawn(argv[0], argv[1:], cwd=str(cwd), env=env, encoding="utf-8",
                                   codec_errors="replace", dimensions=(50, 200), timeout=20)
        sandbox.shells.append(self)
        self.child.expect_exact(PROMPT)
        if kind == "fish":
            self.child.sendline("")
            self.child.expect_exact(PROMPT)


def test_installed_rc_files_load_the_integration(sandbox, shell_kind):
    prefix = sandbox.root / "prefix"
    write_originals(sandbox.home)
    (sandbox.home / ".config/fish/config.fish").write_text(
        f'function fish_prompt; printf "%s " "{PROMPT}"; end\nset -g fish_greeting ""\n')
    make(sandbox, "install", prefix)

    project = sandbox.project("installed project", '[env]\nINSTALLED = "yes"\n')
    subprocess.run([str(prefix / "bin" / "hookctl"), "allow", str(project)], env=sandbox.env,
                   check=True, capture_output=True, timeout=30)

    shell = InstalledShell(shell_kind, sandbox, sandbox.root)
    assert shell.var("HOOKCTL_SHELL_INTEGRATION") == b"1"
    assert shell.var("FROM_RC") == shell_kind.encode()
    shell.cd(project)
    assert shell.var("INSTALLED") == b"yes"
    shell.cd(sandbox.root)
    assert shell.var("INSTALLED") is None
    shell.close()

    make(sandbox, "uninstall", prefix)
    shell = InstalledShell(shell_kind, sandbox, sandbox.root)
    assert shell.var("HOOKCTL_SHELL_INTEGRATION") is None
    assert shell.var("FROM_RC") == shell_kind.encode()


# The rc files of a user with completion set up in each shell (bash-completion, compinit, fish as it comes).
COMPLETION_RC = {
    BASHRC: f". /usr/share/bash-completion/bash_completion\nPS1='{PROMPT} '\n",
    ZSHRC: f"autoload -Uz compinit && compinit -u\nPROMPT='{PROMPT} '\n",
    FISHCONF: "",
}


def test_completions_and_the_man_page_work_from_a_home_local_prefix(sandbox, shell_kind):
    prefix = sandbox.home / ".local"
    for relative, content in COMPLETION_RC.items():
        (sandbox.home / relative).parent.mkdir(parents=True, exist_ok=True)
        (sandbox.home / relative).write_text(content)
    (sandbox.home / ".config/fish/config.fish").write_text(
        f'function fish_prompt; printf "%s " "{PROMPT}"; end\nset -g fish_greeting ""\n')
    make(sandbox, "install", prefix)
    project = sandbox.project("completing", """
        [[hooks.onEnter]]
        id = "alpha-hook"
        command = "true"

        [[hooks.onEnter]]
        id = "beta-hook"
        command = "true"
    """, {})
    # As for a user of a ~/.local prefix, its bin is on PATH (the completion runs `hookctl`).
    sandbox.env["PATH"] = f"{prefix / 'bin'}:{sandbox.env.get('PATH', os.environ['PATH'])}"
    shell = InstalledShell(shell_kind, sandbox, project)
    shell.child.send("hookctl st\t")
    shell.child.expect_exact("status", timeout=10)
    shell.close()
    shell = InstalledShell(shell_kind, sandbox, project)
    # bash lists several matches at the second Tab; zsh and fish at the first.
    shell.child.send("hookctl logs --hook \t" + ("\t" if shell_kind == "bash" else ""))
    shell.child.expect("alpha-hook.*beta-hook|beta-hook.*alpha-hook|hook\\s+alpha-hook", timeout=10)
    shell.close()

    manual = subprocess.run(["man", "-l", str(prefix / "share/man/man1/hookctl.1")], capture_output=True, text=True,
                            env={**os.environ, "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "100"}, timeout=60)
    assert manual.returncode == 0, manual.stderr
    for text in ["hookctl", "status", "--short", "HOOKCTL_STATE_DIR", "doctor"]:
        assert text in manual.stdout, text

    make(sandbox, "uninstall", prefix)
    assert not (prefix / "share/man/man1/hookctl.1").exists()
