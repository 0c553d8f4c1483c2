"""libhookengine.so as a C host sees it: installed by `make install` into a
temporary PREFIX with hookengine.h and hookengine.pc, a C program compiled
with `pkg-config --cflags --libs hookengine` drives allow, export (enter,
applied, leave), status, load, cancel and deny, and bad input; the same run
under valgrind leaks nothing; the library exports only hookengine_* and
needs neither readline nor a Swift runtime library."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from test_install import make

PROGRAM = REPO / "Tests/c/api_roundtrip.c"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A PREFIX with hookctl, libhookengine.so.0, hookengine.h and hookengine.pc."""
    root = tmp_path_factory.mktemp("c-api")

    class Box:
        home = root / "home"
        state = root / "state"

    Box.home.mkdir()
    prefix = root / "prefix"
    make(Box, "install", prefix)
    return prefix


def pkg_config(prefix: Path, *args) -> list[str]:
    env = {**os.environ, "PKG_CONFIG_PATH": str(prefix / "lib/pkgconfig")}
    result = subprocess.run(["pkg-config", *args, "hookengine"], env=env, capture_output=True, text=True, check=True)
    return result.stdout.split()


def compile_program(prefix: Path, source: Path, output: Path):
    flags = pkg_config(prefix, "--cflags") + pkg_config(prefix, "--libs")
    result = subprocess.run(["cc", "-Wall", "-Wextra", "-Werror", "-o", str(output), str(source), *flags],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def run_roundtrip(sandbox, prefix: Path, program: Path, wrapper: list[str] | None = None):
    project = sandbox.project("c host project", """
        [env]
        GREETING = "hello world"

        [[hooks.onEnter]]
        id = "token"
        command = "sh"
        args = ["-c", "echo export API_TOKEN=s3cr3t-value"]
        source = true
    """)
    outside = sandbox.root / "outside"
    outside.mkdir()
    env = {"HOME": str(sandbox.home), "HOOKCTL_STATE_DIR": str(sandbox.state), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([*(wrapper or []), str(program), str(project), str(outside), str(prefix / "bin/hookctl")],
                            env=env, capture_output=True, text=True, timeout=300)
    return project, result


def test_a_c_program_drives_the_installed_library(sandbox, installed, tmp_path):
    program = tmp_path / "api_roundtrip"
    compile_program(installed, PROGRAM, program)
    project, result = run_roundtrip(sandbox, installed, program)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "version 0.2.0 abi 0 header-abi 0"
    assert f"unapproved message {project}/hookctl.toml is not allowed; run 'hookctl allow' to trust it" in lines
    assert f"allow allowed {project}/hookctl.toml" in lines
    # Entering: the hooks start in the background; nothing is set yet.
    assert "enter transitions=8" in lines
    assert not [line for line in lines if line.startswith("enter set")]
    status_line = next(line for line in lines if line.startswith("status "))
    status = json.loads(status_line[len("status "):])
    assert status["approval"] == "approved" and status["execution"]["state"] == "completed"
    assert [hook["state"] for hook in status["hooks"]] == ["succeeded"]
    # Applied: the variables to set, with their values.
    assert "applied transitions=16" in lines
    assert "applied set API_TOKEN=s3cr3t-value" in lines
    assert "applied set GREETING=hello world" in lines
    assert "applied internal HOOKCTL_DIFF" in lines and "applied internal HOOKCTL_DIR" in lines
    assert f"applied message loaded {project} (+API_TOKEN +GREETING)" in lines
    assert "unchanged code=0 messages=0" in lines
    assert any(line.startswith("load the hooks of") and "already completed" in line for line in lines)
    assert any(line.startswith("cancel-error no hooks are running") for line in lines)
    # Leaving: the restores.
    assert f"leave transitions=5 left={project}" in lines
    assert "leave unset API_TOKEN" in lines and "leave unset GREETING" in lines
    assert f"leave message unloaded {project}" in lines
    assert f"deny denied {project}/hookctl.toml" in lines
    # Bad input: one sentence each, no crash.
    assert "unknown-shell-error unsupported shell 'tcsh'; use bash, zsh or fish" in lines
    assert any(line.startswith('not-a-project {"version": 1, "directory": null') for line in lines)
    assert any(line.startswith("missing-directory-error /no/such/directory: not a directory") for line in lines)
    assert "invalid-utf8-error directory is not valid UTF-8; fix the call and retry" in lines
    assert "update-missing -1" in lines and "update-relative -1" in lines
    assert "null-context refused" in lines
    assert "null-context-error the context is NULL; create one with hookengine_context_new" in lines
    assert any(line.startswith("context-missing refused: /no/such/directory") for line in lines)
    assert "context-null refused" in lines
    # No thread was started in the host.
    assert "threads 1" in lines
    assert lines[-1] == "done"


def test_the_roundtrip_leaks_nothing_under_valgrind(sandbox, installed, tmp_path):
    if not shutil.which("valgrind"):
        subprocess.run(["scripts/install-deps.sh", "valgrind"], cwd=REPO, check=True)
    program = tmp_path / "api_roundtrip"
    compile_program(installed, PROGRAM, program)
    _, result = run_roundtrip(sandbox, installed, program, [
        "valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99"])
    assert result.returncode == 0, result.stderr[-4000:]
    summary = re.search(r"definitely lost: ([\d,]+) bytes", result.stderr)
    assert summary is None or summary.group(1) == "0", result.stderr[-4000:]
    assert re.search(r"ERROR SUMMARY: 0 errors", result.stderr), result.stderr[-4000:]
    assert result.stdout.splitlines()[-1] == "done"


def test_the_library_exports_only_its_api_and_needs_no_readline_or_swift_runtime(installed):
    library = installed / "lib/libhookengine.so.0"
    assert (installed / "lib/libhookengine.so").resolve() == library.resolve()
    assert (installed / "include/hookengine.h").exists()
    symbols = subprocess.run(["nm", "-D", "--defined-only", str(library)], capture_output=True, text=True, check=True)
    exported = [line.split()[-1] for line in symbols.stdout.splitlines()
                if len(line.split()) == 3 and line.split()[1].isupper() and line.split()[1] != "A"]
    assert exported, symbols.stdout
    assert all(name.startswith("hookengine_") for name in exported), [n for n in exported if not n.startswith("hookengine_")]
    dynamic = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
    assert "Library soname: [libhookengine.so.0]" in dynamic
    assert not [name for name in needed if "readline" in name or "swift" in name.lower() or "Foundation" in name], needed
    # Loaded with dlopen, as bash loads a builtin: the API answers.
    probe = subprocess.run(
        ["python3", "-c",
         "import ctypes,sys; lib=ctypes.CDLL(sys.argv[1]); lib.hookengine_version.restype=ctypes.c_char_p;"
         " print(lib.hookengine_version().decode(), lib.hookengine_abi_version())", str(library)],
        capture_output=True, text=True, timeout=30)
    assert probe.stdout.split() == ["0.2.0", "0"], probe.stderr


def test_the_readme_program_compiles_and_runs(sandbox, installed, tmp_path):
    readme = (REPO / "README.md").read_text()
    match = re.search(r"```c\n(.*?)```", readme, re.S)
    assert match, "README has no C example"
    source = tmp_path / "example.c"
    source.write_text(match.group(1))
    program = tmp_path / "example"
    compile_program(installed, source, program)
    project = sandbox.project("readme project", '[env]\nGREETING = "hi"\n')
    sandbox.allow(project)
    env = {"HOME": str(sandbox.home), "HOOKCTL_STATE_DIR": str(sandbox.state), "PATH": "/usr/bin:/bin",
           "PWD": str(project)}
    result = subprocess.run([str(program)], cwd=project, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "export GREETING='hi';" in result.stdout
    assert f"hookctl: loaded {project} (+GREETING)" in result.stderr
