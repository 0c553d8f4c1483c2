"""hookctl init, edit and doctor, as a user runs them: a starter file that
loads, an editor session checked on save (visudo-style) that asks to allow
what changed, and a doctor that names each problem and what to do."""

import io
import os
import re
import stat
import subprocess
import sys

import pexpect

from conftest import BIN, status


def test_init_writes_a_starter_that_loads_and_never_overwrites(sandbox):
    project = sandbox.root / "fresh project"
    project.mkdir()
    created = sandbox.hookctl("init", cwd=project)
    assert created.returncode == 0, created.stderr
    assert "wrote" in created.stderr and "hookctl edit" in created.stderr
    text = (project / "hookctl.toml").read_text()
    assert text.startswith("# hookctl.toml") and "[[hooks.onEnter]]" in text and "dotenv" in text
    assert 'PROJECT_NAME = "fresh project"' in text
    sandbox.allow(project)
    shell = sandbox.shell("bash")
    shell.cd(project)
    assert shell.var("PROJECT_NAME") == b"fresh project"
    again = sandbox.hookctl("init", cwd=project)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert (project / "hookctl.toml").read_text() == text


def test_init_every_commented_example_is_valid_when_uncommented(sandbox):
    project = sandbox.root / "uncommented"
    project.mkdir()
    assert sandbox.hookctl("init", cwd=project).returncode == 0
    lines = (project / "hookctl.toml").read_text().splitlines()
    # Uncomment the example settings and hooks (lines of the form `# key = ...` or `# [[...]]`).
    example = re.compile(r"^# (\[|[A-Za-z_]+ = )")
    active = [line[2:] if example.match(line) else line for line in lines]
    (project / "hookctl.toml").write_text("\n".join(active) + "\n")
    (project / ".env").write_text("FROM_DOTENV=1\n")
    checked = sandbox.hookctl("status", "--json", cwd=project)
    assert checked.returncode == 0, checked.stderr


def editor_script(sandbox, name, body):
    """An $EDITOR that runs `body` (Python) with the file's path in `path`."""
    script = sandbox.root / name
    script.write_text(f"#!{sys.executable}\nimport sys\npath = sys.argv[1]\n{body}\n")
    script.chmod(0o755)
    return script


def run_edit(sandbox, project, editor, answers):
    env = {**sandbox.env, "EDITOR": str(editor), "VISUAL": ""}
    child = pexpect.spawn(BIN, ["edit"], cwd=str(project), env=env, encoding="utf-8", timeout=30)
    child.logfile_read = io.StringIO()
    for prompt, answer in answers:
        child.expect_exact(prompt)
        child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    return child.logfile_read.getvalue(), child.exitstatus


def test_edit_shows_what_the_approval_gains_and_allows_it(sandbox):
    project = sandbox.project("editing", '[env]\nA = "1"\n', {"setup.sh": "#!/bin/sh\necho export B=2\n"})
    (project / "setup.sh").chmod(0o755)
    sandbox.allow(project)
    editor = editor_script(sandbox, "add-hook.py", (
        "open(path, 'a').write('\\n[[hooks.onEnter]]\\ncommand = \"./setup.sh\"\\nsource = true\\n')"))
    output, code = run_edit(sandbox, project, editor, [("Allow it now? [y/N]", "y")])
    assert code == 0, output
    assert "edited: " in output and str(project / "hookctl.toml") in output
    assert "added: " in output and "setup.sh" in output
    assert "allowed" in output
    assert status(sandbox, project)["approval"] == "approved"
    assert "./setup.sh" in (project / "hookctl.toml").read_text()
    assert [p.name for p in project.iterdir() if p.name.startswith(".hookctl.toml.edit")] == []


def test_edit_declined_saves_but_does_not_allow(sandbox):
    project = sandbox.project("declined", '[env]\nA = "1"\n', {})
    sandbox.allow(project)
    editor = editor_script(sandbox, "change.py", "open(path, 'w').write('[env]\\nA = \"2\"\\n')")
    output, code = run_edit(sandbox, project, editor, [("Allow it now? [y/N]", "")])
    assert code == 0 and "not allowed; run 'hookctl allow'" in output, output
    assert (project / "hookctl.toml").read_text() == '[env]\nA = "2"\n'
    assert status(sandbox, project)["approval"] == "requires_approval"


def test_edit_reopens_an_invalid_file_and_can_drop_it(sandbox):
    project = sandbox.project("invalid", '[env]\nA = "1"\n', {})
    original = (project / "hookctl.toml").read_text()
    sandbox.allow(project)
    # First save is broken, the second (after 'e') fixes it.
    counter = sandbox.root / "edits"
    editor = editor_script(sandbox, "broken-then-fixed.py", (
        f"import os\nn = int(open({str(counter)!r}).read()) if os.path.exists({str(counter)!r}) else 0\n"
        f"open({str(counter)!r}, 'w').write(str(n + 1))\n"
        "open(path, 'w').write('[env]\\nA = 1\\n' if n == 0 else '[env]\\nA = \"fixed\"\\n')"))
    output, code = run_edit(sandbox, project, editor, [("What now?", "e"), ("Allow it now? [y/N]", "n")])
    assert code == 0, output
    assert "hookctl.toml:2: env.A must be a string" in output
    assert counter.read_text() == "2"
    assert (project / "hookctl.toml").read_text() == '[env]\nA = "fixed"\n'

    # Broken again, and dropped: the file is as it was.
    counter.unlink()
    (project / "hookctl.toml").write_text(original)
    output, code = run_edit(sandbox, project, editor, [("What now?", "q")])
    assert code == 1 and "was left as it was" in output, output
    assert (project / "hookctl.toml").read_text() == original
    assert [p.name for p in project.iterdir() if p.name.startswith(".hookctl.toml.edit")] == []


def test_edit_error_paths(sandbox):
    nowhere = sandbox.root / "no project"
    nowhere.mkdir()
    missing = sandbox.hookctl("edit", cwd=nowhere)
    assert missing.returncode == 1 and "no hookctl.toml" in missing.stderr
    project = sandbox.project("failing-editor", '[env]\nA = "1"\n', {})
    failing = sandbox.hookctl("edit", cwd=project, env={"EDITOR": "false", "VISUAL": ""})
    assert failing.returncode == 1 and "the editor 'false' exited with status 1" in failing.stderr
    unchanged = sandbox.hookctl("edit", cwd=project, env={"EDITOR": "true", "VISUAL": ""})
    assert unchanged.returncode == 0 and "is unchanged" in unchanged.stderr
    assert [p.name for p in project.iterdir() if p.name.startswith(".hookctl.toml.edit")] == []


def doctor(sandbox, cwd, env=None):
    result = sandbox.hookctl("doctor", cwd=cwd, env=env)
    lines = {line.split(":", 1)[0].split(None, 1)[1]: line for line in result.stdout.splitlines()}
    return result.returncode, lines


def test_doctor_in_a_healthy_shell(sandbox):
    project = sandbox.project("healthy", '[env]\nA = "1"\n', {})
    sandbox.allow(project)
    path = f"{os.path.dirname(BIN)}:{sandbox.env.get('PATH', '/usr/bin:/bin')}"
    code, lines = doctor(sandbox, project, env={"HOOKCTL_SHELL_INTEGRATION": "1", "PATH": path})
    assert code == 0, lines
    for name in ["shell integration", "hookctl on PATH", "state directory", "state database", "project"]:
        assert lines[name].startswith("ok "), lines[name]
    assert lines["bash builtin"].split()[0] in ("ok", "note")


def test_doctor_names_each_problem_and_what_to_do(sandbox):
    project = sandbox.project("sick", '[env]\nA = "1"\n', {})
    sandbox.allow(project)
    os.chmod(sandbox.state, 0o755)
    code, lines = doctor(sandbox, project, env={"HOOKCTL_SHELL_INTEGRATION": "", "SHELL": "/usr/bin/zsh"})
    assert code == 1
    assert lines["shell integration"].startswith("problem") and "~/.zshrc" in lines["shell integration"]
    assert lines["state directory"].startswith("problem") and "chmod 700" in lines["state directory"]
    os.chmod(sandbox.state, 0o700)
    (sandbox.state / "state.db").chmod(0o644)
    code, lines = doctor(sandbox, sandbox.root)  # outside the project: nothing opens the database
    assert lines["state directory"].startswith("problem") and "chmod -R go=" in lines["state directory"]
    (sandbox.state / "state.db").chmod(0o600)

    (project / "hookctl.toml").write_text('[env]\nA = "2"\n')
    code, lines = doctor(sandbox, project)
    assert lines["project"].startswith("problem") and "hookctl allow" in lines["project"]
    (project / "hookctl.toml").write_text("[env\n")
    code, lines = doctor(sandbox, project)
    assert lines["project"].startswith("problem") and "hookctl.toml:1" in lines["project"]

    for suffix in ["", "-wal", "-shm"]:
        path = sandbox.state / f"state.db{suffix}"
        if path.exists():
            path.unlink()
    (sandbox.state / "state.db").write_bytes(b"this is not a database" * 100)
    (sandbox.state / "state.db").chmod(0o600)
    code, lines = doctor(sandbox, project)
    assert code == 1 and lines["state database"].startswith("problem") and "moves it aside" in lines["state database"]
    # The doctor only looks: the broken file is still where it was.
    assert (sandbox.state / "state.db").read_bytes().startswith(b"this is not a database")
    assert stat.S_IMODE(os.stat(sandbox.state).st_mode) == 0o700
