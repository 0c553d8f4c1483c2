"""The project environment in real bash, zsh and fish: what is loaded, how
exactly, when it is reloaded or unloaded, what the user is told, and what
hookctl keeps on disk."""

import json
import re
import stat
import time

import pytest

from conftest import BIN, hookctl_messages


def quoted(kind: str, text: str) -> str:
    """`text` as one word for the shell `kind`."""
    if kind == "fish":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + text.replace("'", "'\\''") + "'"


def hookctl_command(kind: str, *args: str) -> str:
    """A command line that runs the hookctl under test in shell `kind`."""
    return " ".join([quoted(kind, BIN), *args])


def exported(kind: str, name: str, value: str) -> str:
    """An rc line that exports `name`=`value`."""
    if kind == "fish":
        return f"set -gx {name} {quoted(kind, value)}"
    return f"export {name}={quoted(kind, value)}"


def loaded_line(messages: list[str], directory) -> set[str]:
    """The +NAME/~NAME/-NAME words of the one `loaded` line for `directory`."""
    pattern = re.compile(r"hookctl: loaded (.*?)(?: \(([^()]*)\))?$")
    found = [m for m in map(pattern.fullmatch, messages) if m]
    assert len(found) == 1, messages
    assert found[0].group(1) == str(directory), messages
    return set((found[0].group(2) or "").split())


def not_allowed_line(directory) -> str:
    return f"hookctl: {directory}/hookctl.toml is not allowed; run 'hookctl allow' to trust it"


def edit_config(path, text: str):
    """Rewrites a config so that its mtime is certainly newer than before."""
    time.sleep(1.1)
    path.write_text(text)


# Values that break naive quoting in one shell or another. TOML literal
# strings ('...') keep backslashes as they are.
SPECIAL_TOML = r'''[env]
SPACES = "  two  spaces  and a tab	"
SINGLE = "it's 'quoted'"
DOUBLE = 'say "hi" ""'
DOLLAR = "$HOME ${PATH} $(echo no) `echo no` $1 $$ $?"
BACKSLASH = 'C:\dir\ \n \\ \'
NEWLINE = "line1\nline2\n"
UTF8 = "é 🙂 ü"
EMPTY = ""
MIXED = "'\"$\\%!*?[a]~ {a,b} ; & | < > # end"
'''
SPECIAL_VALUES = {
    "SPACES": b"  two  spaces  and a tab\t",
    "SINGLE": b"it's 'quoted'",
    "DOUBLE": b'say "hi" ""',
    "DOLLAR": b"$HOME ${PATH} $(echo no) `echo no` $1 $$ $?",
    "BACKSLASH": b"C:\\dir\\ \\n \\\\ \\",
    "NEWLINE": b"line1\nline2\n",
    "UTF8": "é 🙂 ü".encode(),
    "EMPTY": b"",
    "MIXED": b"'\"$\\%!*?[a]~ {a,b} ; & | < > # end",
}


def test_special_values_arrive_byte_exact(sandbox, shell_kind):
    project = sandbox.project("a project with spaces", SPECIAL_TOML)
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)

    output = shell.cd(project)

    names = loaded_line(hookctl_messages(output), project)
    assert names == {f"+{name}" for name in SPECIAL_VALUES}
    for name, value in SPECIAL_VALUES.items():
        assert shell.var(name) == value, name
    assert shell.var("HOOKCTL_DIR") == str(project).encode()


def test_leaving_restores_previous_values(sandbox, shell_kind):
    project = sandbox.project("restore me", '''
        [env]
        GREETING = "from the project"
        FRESH = "new"
        ''')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=exported(shell_kind, "GREETING", "hello 'old' world"))
    assert shell.var("GREETING") == b"hello 'old' world"
    assert shell.var("FRESH") is None

    names = loaded_line(hookctl_messages(shell.cd(project)), project)
    assert names == {"~GREETING", "+FRESH"}
    assert shell.var("GREETING") == b"from the project"
    assert shell.var("FRESH") == b"new"

    messages = hookctl_messages(shell.cd(sandbox.root))
    assert messages == [f"hookctl: unloaded {project}"]
    assert shell.var("GREETING") == b"hello 'old' world"
    assert shell.var("FRESH") is None
    assert shell.var("HOOKCTL_DIR") is None
    assert shell.var("HOOKCTL_DIFF") is None

    # A second round trip behaves the same.
    loaded_line(hookctl_messages(shell.cd(project)), project)
    assert shell.var("GREETING") == b"from the project"
    assert hookctl_messages(shell.cd(sandbox.root)) == [f"hookctl: unloaded {project}"]
    assert shell.var("GREETING") == b"hello 'old' world"
    assert shell.var("FRESH") is None


def test_path_from_env_finds_commands(sandbox, shell_kind):
    bindir = sandbox.root / "tools" / "bin"
    bindir.mkdir(parents=True)
    tool = bindir / "hookctl-test-tool"
    tool.write_text("#!/bin/sh\necho TOOL-RAN-$1\n")
    tool.chmod(0o755)
    project_path = f"{bindir}:/usr/bin:/bin"
    project = sandbox.project("pathproject", f'''
        [env]
        PATH = "{project_path}"
        ''')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    original = shell.var("PATH")
    assert "TOOL-RAN" not in shell.run("hookctl-test-tool x")

    names = loaded_line(hookctl_messages(shell.cd(project)), project)
    assert names == {"~PATH"}
    assert shell.var("PATH") == project_path.encode()
    assert "TOOL-RAN-yes" in shell.run("hookctl-test-tool yes")

    assert hookctl_messages(shell.cd(sandbox.root)) == [f"hookctl: unloaded {project}"]
    assert shell.var("PATH") == original
    assert "TOOL-RAN" not in shell.run("hookctl-test-tool x")


def test_edited_and_reallowed_config_reloads(sandbox, shell_kind):
    project = sandbox.project("reloading", '''
        [env]
        VALUE = "one"
        GONE = "only in the first version"
        ''')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("VALUE") == b"one"

    edit_config(project / "hookctl.toml", '[env]\nVALUE = "two"\nADDED = "yes"\n')
    sandbox.allow(project)
    output = shell.run("")

    names = loaded_line(hookctl_messages(output), project)
    assert {"+VALUE", "+ADDED"} <= names or {"~VALUE", "+ADDED"} <= names, names
    assert shell.var("VALUE") == b"two"
    assert shell.var("ADDED") == b"yes"
    assert shell.var("GONE") is None
    assert hookctl_messages(shell.run("")) == []

    # Leaving after a reload restores what was there before the first load.
    assert hookctl_messages(shell.cd(sandbox.root)) == [f"hookctl: unloaded {project}"]
    for name in ("VALUE", "ADDED", "GONE"):
        assert shell.var(name) is None, name


def test_edited_config_without_approval_unloads(sandbox, shell_kind):
    project = sandbox.project("edited", '''
        [env]
        VALUE = "one"
        ''')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("VALUE") == b"one"

    edit_config(project / "hookctl.toml", '[env]\nVALUE = "two"\n')
    output = shell.run("")

    assert hookctl_messages(output) == [f"hookctl: unloaded {project}", not_allowed_line(project)]
    assert shell.var("VALUE") is None
    assert shell.var("HOOKCTL_DIR") is None
    for _ in range(3):
        assert hookctl_messages(shell.run("")) == []
    status = json.loads(sandbox.hookctl("status", "--json", cwd=project).stdout)
    assert status["approval"] == "requires_approval"


def test_unapproved_project_warns_once_until_allowed(sandbox, shell_kind):
    project = sandbox.project("untrusted dir", '''
        [env]
        SECRET_PLAN = "world domination"
        ''')
    (project / "sub dir").mkdir()
    shell = sandbox.shell(shell_kind)

    assert hookctl_messages(shell.cd(project)) == [not_allowed_line(project)]
    assert shell.var("SECRET_PLAN") is None
    for _ in range(3):
        assert hookctl_messages(shell.run("")) == []
    assert hookctl_messages(shell.cd(project / "sub dir")) == []
    assert hookctl_messages(shell.run("true")) == []
    assert hookctl_messages(shell.cd(project)) == []
    assert shell.var("SECRET_PLAN") is None

    shell.run(hookctl_command(shell_kind, "allow"))
    shell.run("")
    assert shell.var("SECRET_PLAN") == b"world domination"
    assert shell.var("HOOKCTL_DIR") == str(project).encode()


def test_allow_from_a_subdirectory(sandbox, shell_kind):
    project = sandbox.project("untrusted2", '''
        [env]
        PLAN = "b"
        ''')
    (project / "deep" / "er").mkdir(parents=True)
    shell = sandbox.shell(shell_kind)
    assert hookctl_messages(shell.cd(project / "deep" / "er")) == [not_allowed_line(project)]

    shell.run(hookctl_command(shell_kind, "allow"))
    shell.run("")
    assert shell.var("PLAN") == b"b"


def test_reentering_unapproved_project_warns_again(sandbox, shell_kind):
    project = sandbox.project("untrusted3", '''
        [env]
        PLAN = "c"
        ''')
    shell = sandbox.shell(shell_kind)
    assert hookctl_messages(shell.cd(project)) == [not_allowed_line(project)]
    assert hookctl_messages(shell.cd(sandbox.root)) == []
    assert hookctl_messages(shell.cd(project)) == [not_allowed_line(project)]


def test_deny_unloads_at_next_prompt(sandbox, shell_kind):
    project = sandbox.project("denied", '''
        [env]
        VALUE = "trusted"
        ''')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=exported(shell_kind, "VALUE", "before"))
    shell.cd(project)
    assert shell.var("VALUE") == b"trusted"

    output = shell.run(hookctl_command(shell_kind, "deny"))
    output += shell.run("")

    assert f"hookctl: unloaded {project}" in hookctl_messages(output)
    assert shell.var("VALUE") == b"before"
    assert shell.var("HOOKCTL_DIR") is None
    status = json.loads(sandbox.hookctl("status", "--json", cwd=project).stdout)
    assert status["approval"] == "not_approved"


def test_deny_from_another_process_unloads_at_next_prompt(sandbox, shell_kind):
    project = sandbox.project("denied elsewhere", '''
        [env]
        VALUE = "trusted"
        ''')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("VALUE") == b"trusted"

    sandbox.hookctl("deny", str(project), check=True)
    output = shell.run("")

    assert f"hookctl: unloaded {project}" in hookctl_messages(output)
    assert shell.var("VALUE") is None


def test_quiet_silences_messages(sandbox, shell_kind):
    trusted = sandbox.project("quiet trusted", '''
        [env]
        VALUE = "loaded quietly"
        ''')
    sandbox.allow(trusted)
    untrusted = sandbox.project("quiet untrusted", '''
        [env]
        OTHER = "x"
        ''')
    broken = sandbox.project("quiet broken", '[env]\nA = \n')
    shell = sandbox.shell(shell_kind, extra_rc=exported(shell_kind, "HOOKCTL_QUIET", "1"))

    assert hookctl_messages(shell.cd(trusted)) == []
    assert shell.var("VALUE") == b"loaded quietly"
    assert hookctl_messages(shell.cd(untrusted)) == []
    assert shell.var("VALUE") is None
    assert shell.var("OTHER") is None
    assert hookctl_messages(shell.cd(broken)) == []
    assert hookctl_messages(shell.cd(sandbox.root)) == []


INVALID_CONFIGS = {
    # name: (hookctl.toml, line the error is reported on)
    "syntax": ('[env]\nA = "1"\nB = \n', 3),
    "unknown key": ('[env]\nA = "1"\n\n[settings]\ntimeout = "5m"\nbogus = 1\n', 6),
    "missing command": ('[env]\nA = "1"\n\n[[hooks.onEnter]]\nid = "x"\n', 4),
}


@pytest.mark.parametrize("case", INVALID_CONFIGS)
def test_invalid_config_is_reported_and_loads_nothing(sandbox, shell_kind, case):
    text, line = INVALID_CONFIGS[case]
    project = sandbox.project(f"invalid {case}", text)
    shell = sandbox.shell(shell_kind)

    messages = hookctl_messages(shell.cd(project))

    assert len(messages) == 1, messages
    assert re.fullmatch(rf"hookctl: hookctl\.toml:{line}: \S.*", messages[0]), messages
    assert shell.var("A") is None
    assert shell.var("HOOKCTL_DIR") is None
    assert hookctl_messages(shell.run("")) == []


def test_invalid_config_after_load_unloads(sandbox, shell_kind):
    project = sandbox.project("breaks later", '[env]\nA = "1"\n')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("A") == b"1"

    edit_config(project / "hookctl.toml", '[env]\nA = "2"\nB = \n')
    messages = hookctl_messages(shell.run(""))

    assert f"hookctl: unloaded {project}" in messages
    assert any(re.fullmatch(r"hookctl: hookctl\.toml:3: \S.*", m) for m in messages), messages
    assert shell.var("A") is None


COUNT_NAMES = ["pending", "running", "succeeded", "failed", "skipped", "cancelled", "timed_out"]


def check_status_shape(status: dict):
    assert set(status) == {"version", "directory", "config", "approval", "execution", "hooks", "counts"}
    assert status["version"] == 1
    assert set(status["counts"]) == set(COUNT_NAMES)
    assert all(isinstance(n, int) for n in status["counts"].values())
    if status["execution"] is not None:
        assert set(status["execution"]) == {"id", "state", "started_at", "finished_at"}
        assert isinstance(status["execution"]["id"], str) and status["execution"]["id"]
    for hook in status["hooks"]:
        assert set(hook) == {"id", "event", "description", "state", "exit_code", "duration_ms", "message"}


def test_status_json_for_env_only_project(sandbox):
    project = sandbox.project("status env", '''
        [env]
        A = "1"
        ''')
    before = sandbox.hookctl("status", "--json", cwd=project)
    assert before.returncode == 0, before.stderr
    status = json.loads(before.stdout)
    check_status_shape(status)
    assert status["directory"] == str(project)
    assert status["config"] == str(project / "hookctl.toml")
    assert status["approval"] == "not_approved"
    assert status["execution"] is None
    assert status["hooks"] == []

    sandbox.allow(project)
    status = json.loads(sandbox.hookctl("status", "--json", str(project)).stdout)
    assert status["approval"] == "approved"
    assert status["execution"] is None

    # A project with only [env] completes at once when a shell enters it.
    shell = sandbox.shell("bash")
    shell.cd(project)
    assert shell.var("A") == b"1"
    result = sandbox.hookctl("status", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    check_status_shape(status)
    assert status["execution"]["state"] == "completed"
    assert isinstance(status["execution"]["started_at"], str)
    assert isinstance(status["execution"]["finished_at"], str)
    assert status["hooks"] == []
    assert status["counts"] == {name: 0 for name in COUNT_NAMES}

    # The same from inside the shell, in a subdirectory.
    (project / "sub").mkdir()
    shell.cd(project / "sub")
    output = shell.run(hookctl_command("bash", "status", "--json") + "; echo EXIT=$?")
    text = output.replace("\r", "")
    assert "EXIT=0" in text
    status = json.loads(text[text.index("{"):text.rindex("}") + 1])
    assert status["directory"] == str(project)
    assert status["execution"]["state"] == "completed"


def test_status_json_before_any_run_lists_pending_hooks(sandbox):
    project = sandbox.project("status hooks", '''
        [[hooks.onEnter]]
        id = "first"
        command = "true"
        description = "The first hook"

        [[hooks.onEnter]]
        command = "true"
        ''')
    sandbox.allow(project)
    result = sandbox.hookctl("status", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    check_status_shape(status)
    assert status["approval"] == "approved"
    assert status["execution"] is None
    assert [hook["id"] for hook in status["hooks"]] == ["first", "onEnter.2"]
    for hook in status["hooks"]:
        assert hook["event"] == "onEnter"
        assert hook["state"] == "pending"
        assert hook["exit_code"] is None
        assert hook["duration_ms"] is None
    assert status["hooks"][0]["description"] == "The first hook"
    assert status["counts"] == {name: (2 if name == "pending" else 0) for name in COUNT_NAMES}


def test_status_json_outside_any_project(sandbox):
    outside = sandbox.root / "nowhere"
    outside.mkdir()
    result = sandbox.hookctl("status", "--json", cwd=outside)
    assert result.returncode == 1
    status = json.loads(result.stdout)
    assert status["directory"] is None
    assert status["config"] is None
    assert status["version"] == 1


def test_state_files_are_private(sandbox, shell_kind):
    project = sandbox.project("private state", '''
        [env]
        A = "1"
        ''')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("A") == b"1"
    shell.cd(sandbox.root)

    assert stat.S_IMODE(sandbox.state.stat().st_mode) == 0o700
    database = sandbox.state / "state.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        companion = sandbox.state / f"state.db{suffix}"
        if companion.exists():
            assert stat.S_IMODE(companion.stat().st_mode) & 0o077 == 0, companion
