"""Per-shell hook points in real bash, zsh and fish: `.d` directories of the
user and of the project, the context each hook gets, their order, fail_fast,
approval of project scripts, [notify], and nothing added where nothing is
configured."""

import json
import os
import signal
import time
from pathlib import Path

import pytest

from conftest import hookctl_messages, status
from test_execution import poll

LOG_SCRIPT = """#!/bin/sh
python3 - "$0" <<'PY'
import json, os, sys
names = ["HOOKCTL_HOOK_POINT", "HOOKCTL_COMMAND", "HOOKCTL_COMMAND_ID", "HOOKCTL_EXIT_CODE", "HOOKCTL_DURATION_MS",
         "HOOKCTL_PIPESTATUS", "HOOKCTL_SESSION_ID", "HOOKCTL_SHELL", "HOOKCTL_SHELL_PID", "HOOKCTL_PROJECT_DIR", "HOOKCTL_PWD",
         "HOOKCTL_PREVIOUS_DIR", "HOOKCTL_NEXT_DIR", "HOOKCTL_LOADED"]
record = {name: os.environ[name] for name in names if name in os.environ}
record["script"] = os.path.basename(sys.argv[1])
with open(os.environ["EVENTS_LOG"], "a") as log:
    log.write(json.dumps(record) + "\\n")
PY
"""


def user_hook(sandbox, point: str, name: str, body: str = LOG_SCRIPT, mode=0o755) -> Path:
    directory = sandbox.home / f".config/hookctl/hooks/{point}.d"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(body)
    path.chmod(mode)
    return path


def project_hook(project: Path, point: str, name: str, body: str = LOG_SCRIPT) -> Path:
    directory = project / f".hookctl/hooks/{point}.d"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(body)
    path.chmod(0o755)
    return path


def records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_records(path: Path, count: int, timeout=20.0) -> list[dict]:
    poll(lambda: len(records(path)) >= count, timeout=timeout, message=f"{count} records in {path.name}")
    return records(path)


def logged_shell(sandbox, kind, log: Path, cwd=None):
    sandbox.env["EVENTS_LOG"] = str(log)
    return sandbox.shell(kind, cwd=cwd)


def test_after_command_records_commands_exit_codes_and_durations(sandbox, shell_kind):
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "afterCommand", "10-log.sh")
    user_hook(sandbox, "beforeCommand", "10-log.sh")
    user_hook(sandbox, "commandFailed", "10-log.sh")
    shell = logged_shell(sandbox, shell_kind, log)
    for line in ["true", "false", "sleep 1"]:
        shell.run(line)
    seen = wait_records(log, 7)
    after = [r for r in seen if r["HOOKCTL_HOOK_POINT"] == "afterCommand"]
    assert [r["HOOKCTL_COMMAND"] for r in after] == ["true", "false", "sleep 1"]
    assert [r["HOOKCTL_EXIT_CODE"] for r in after] == ["0", "1", "0"]
    assert int(after[2]["HOOKCTL_DURATION_MS"]) >= 1000
    assert int(after[0]["HOOKCTL_DURATION_MS"]) < 1000
    # For `false`: before < failed < after, all with the same command id.
    false_events = [r["HOOKCTL_HOOK_POINT"] for r in seen if r.get("HOOKCTL_COMMAND") == "false"]
    assert false_events == ["beforeCommand", "commandFailed", "afterCommand"]
    assert len({r["HOOKCTL_COMMAND_ID"] for r in seen if r.get("HOOKCTL_COMMAND") == "false"}) == 1
    assert not [r for r in seen if r["HOOKCTL_HOOK_POINT"] == "commandFailed" and r["HOOKCTL_COMMAND"] != "false"]
    first = seen[0]
    assert first["HOOKCTL_SHELL"] == shell_kind
    assert first["HOOKCTL_SHELL_PID"] == str(shell.pid)
    assert first["HOOKCTL_PROJECT_DIR"] == ""
    assert first["HOOKCTL_PWD"] == str(sandbox.root)
    assert len({r["HOOKCTL_SESSION_ID"] for r in seen}) == 1


def test_pipestatus_and_multi_line_commands(sandbox, shell_kind):
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "afterCommand", "10-log.sh")
    shell = logged_shell(sandbox, shell_kind, log)
    shell.run("false | true")
    shell.run("echo 'a \"quoted\" é'")
    seen = wait_records(log, 2)
    assert seen[0]["HOOKCTL_EXIT_CODE"] == "0"
    assert seen[0]["HOOKCTL_PIPESTATUS"] == "1 0"
    assert seen[1]["HOOKCTL_COMMAND"] == "echo 'a \"quoted\" é'"


def test_project_enter_and_leave_hooks_fire_on_cd(sandbox, shell_kind):
    log = sandbox.root / "events.jsonl"
    project = sandbox.project("proj", '[env]\nFROM_PROJECT = "yes"\n')
    project_hook(project, "enter", "10-enter.sh")
    project_hook(project, "leave", "10-leave.sh")
    project_hook(project, "loaded", "10-loaded.sh")
    sandbox.allow(project)
    shell = logged_shell(sandbox, shell_kind, log)
    shell.cd(project)
    shell.run("true")
    seen = wait_records(log, 2)
    enter = next(r for r in seen if r["HOOKCTL_HOOK_POINT"] == "enter")
    assert enter["HOOKCTL_PROJECT_DIR"] == str(project)
    loaded = next(r for r in seen if r["HOOKCTL_HOOK_POINT"] == "loaded")
    assert "FROM_PROJECT" in loaded["HOOKCTL_LOADED"].split()
    shell.cd(sandbox.root)
    seen = wait_records(log, 3)
    leave = seen[-1]
    assert leave["HOOKCTL_HOOK_POINT"] == "leave"
    assert leave["HOOKCTL_NEXT_DIR"] == str(sandbox.root)
    # Project hooks fire only inside the project: re-entering fires enter again.
    shell.cd(project)
    seen = wait_records(log, 4)
    assert [r["HOOKCTL_HOOK_POINT"] for r in seen][-1] in ("enter", "loaded")


def test_project_hooks_need_approval_and_an_edit_asks_again(sandbox, shell_kind):
    log = sandbox.root / "events.jsonl"
    project = sandbox.project("proj", '[env]\nA = "1"\n')
    script = project_hook(project, "afterCommand", "10-log.sh")
    shell = logged_shell(sandbox, shell_kind, log)
    shell.cd(project)
    shell.run("echo not-approved")
    time.sleep(0.5)
    assert records(log) == []
    sandbox.allow(project)
    shell.run("true")
    shell.run("echo approved")
    seen = wait_records(log, 1)
    assert seen[-1]["HOOKCTL_COMMAND"] == "echo approved"
    script.write_text(LOG_SCRIPT + "# edited\n")
    out = shell.run("echo after-edit")
    assert status(sandbox, project)["approval"] == "requires_approval"
    out = shell.run("true") + out
    assert any("not allowed" in message for message in hookctl_messages(out)), out
    time.sleep(0.5)
    assert [r["HOOKCTL_COMMAND"] for r in records(log)][-1] != "true"


def test_fail_fast_stops_the_remaining_hooks(sandbox, shell_kind):
    marker = sandbox.root / "ran"
    user_hook(sandbox, "afterCommand", "10-fail.sh", "#!/bin/sh\necho first >> \"$MARKER\"\nexit 3\n")
    user_hook(sandbox, "afterCommand", "20-next.sh", "#!/bin/sh\necho second >> \"$MARKER\"\n")
    sandbox.env["MARKER"] = str(marker)
    shell = sandbox.shell(shell_kind)
    shell.run("true")
    poll(lambda: marker.exists() and marker.read_text().split() == ["first", "second"], message="both ran without fail_fast")
    out = shell.run("true")
    out += shell.run("true")
    # The failure is reported once per session, not on every command.
    reports = [m for m in hookctl_messages(out) if "10-fail.sh" in m]
    assert len(reports) == 1, out
    # Every earlier command line has been served before the setting changes.
    poll(lambda: marker.read_text().split() == ["first", "second"] * 3, message="three command lines served")
    config = sandbox.home / ".config/hookctl/config.toml"
    config.write_text("[settings]\nfail_fast = true\n")
    marker.write_text("")
    shell.run("true")
    poll(lambda: marker.read_text().split() == ["first"], message="only the failing hook ran")
    time.sleep(0.5)
    assert marker.read_text().split() == ["first"]


def test_enter_fail_fast_loads_nothing(sandbox, shell_kind):
    project = sandbox.project("proj", '[settings]\nfail_fast = true\n\n[env]\nSHOULD_NOT = "load"\n')
    project_hook(project, "enter", "10-fail.sh", "#!/bin/sh\nexit 1\n")
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    out = shell.cd(project)
    poll(lambda: (out := shell.run("true")) is not None and shell.var("HOOKCTL_STATUS") == b"failed: 10-fail.sh",
         message="the load failed")
    assert shell.var("SHOULD_NOT") is None


def test_skipped_scripts_warn_once(sandbox, shell_kind):
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "afterCommand", "10-log.sh")
    user_hook(sandbox, "afterCommand", "20-not-executable.sh", mode=0o644)
    user_hook(sandbox, "afterCommand", "30-writable.sh", mode=0o777)
    user_hook(sandbox, "afterCommand", ".hidden.sh")
    user_hook(sandbox, "afterCommand", "40-backup.sh~")
    shell = logged_shell(sandbox, shell_kind, log)
    shell.run("true")
    wait_records(log, 1)
    out = shell.run("true") + shell.run("true") + shell.run("true")
    messages = hookctl_messages(out)
    assert len([m for m in messages if "20-not-executable.sh is not executable" in m]) == 1, out
    assert len([m for m in messages if "30-writable.sh is writable by others" in m]) == 1, out
    seen = wait_records(log, 3)
    assert {r["script"] for r in seen} == {"10-log.sh"}


def test_nothing_is_added_when_nothing_is_configured(sandbox, shell_kind):
    shell = sandbox.shell(shell_kind)
    if shell_kind == "bash":
        assert "_hookctl" not in shell.run("trap -p DEBUG; echo \"PS0=[$PS0]\"")
        assert "PS0=[]" in shell.run("echo \"PS0=[$PS0]\"")
    elif shell_kind == "zsh":
        assert "_hookctl" not in shell.run("print -r -- \"preexec=${preexec_functions[*]}\"")
    else:
        out = shell.run("functions --handlers-type generic")
        assert "_hookctl_preexec" not in out and "_hookctl_postexec" not in out
    shell.run("true")
    assert not list((sandbox.state / "shells").glob("*.events")) if (sandbox.state / "shells").exists() else True
    # Configured inside a project only: added on entry, removed on leaving.
    project = sandbox.project("proj", '[env]\nA = "1"\n')
    project_hook(project, "beforeCommand", "10-log.sh")
    sandbox.allow(project)
    shell.cd(project)
    shell.run("true")
    if shell_kind == "bash":
        assert "_hookctl_before" in shell.run("trap -p DEBUG")
    elif shell_kind == "zsh":
        assert "_hookctl_preexec" in shell.run("print -r -- \"preexec=${preexec_functions[*]}\"")
    else:
        assert "_hookctl_preexec" in shell.run("functions --handlers-type generic")
    shell.cd(sandbox.root)
    shell.run("true")
    if shell_kind == "bash":
        assert "_hookctl" not in shell.run("trap -p DEBUG; echo \"PS0=[$PS0]\"")
    elif shell_kind == "zsh":
        assert "_hookctl" not in shell.run("print -r -- \"preexec=${preexec_functions[*]}\"")
    else:
        assert "_hookctl_preexec" not in shell.run("functions --handlers-type generic")


def test_no_process_survives_the_shell(sandbox, shell_kind):
    user_hook(sandbox, "afterCommand", "10-slow.sh", "#!/bin/sh\nsleep 30 &\nsleep 30\n")
    shell = sandbox.shell(shell_kind)
    shell.run("true")
    runner = sandbox.state / "shells" / f"{shell.pid}.runner"
    poll(lambda: runner.exists() and runner.read_text().strip() != "", message="the runner started")
    shell.close()
    assert sandbox.wait_for_no_processes(timeout=5) == []
    assert not runner.exists()


def test_killed_runner_restarts_and_loses_no_event(sandbox, shell_kind):
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "afterCommand", "10-log.sh")
    shell = logged_shell(sandbox, shell_kind, log)
    shell.run("echo one")
    wait_records(log, 1)
    runner = sandbox.state / "shells" / f"{shell.pid}.runner"
    spool = sandbox.state / "shells" / f"{shell.pid}.events"
    offset = spool.with_name(spool.name + ".offset")
    # The runner notes how far it got after each event; an event it was
    # killed in the middle of would run again (at least once, never lost).
    poll(lambda: offset.exists() and int(offset.read_text() or 0) == spool.stat().st_size, message="the runner caught up")
    pid = int(runner.read_text())
    os.kill(pid, signal.SIGKILL)
    poll(lambda: not Path(f"/proc/{pid}/stat").exists() or "State:\tZ" in Path(f"/proc/{pid}/status").read_text(),
         message="the runner died")
    shell.run("echo two")
    shell.run("echo three")
    seen = wait_records(log, 3)
    assert [r["HOOKCTL_COMMAND"] for r in seen] == ["echo one", "echo two", "echo three"]
    assert int(runner.read_text()) != pid


def test_many_commands_keep_their_order(sandbox):
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "afterCommand", "10-log.sh", "#!/bin/sh\nprintf '%s\\n' \"$HOOKCTL_COMMAND\" >> \"$EVENTS_LOG\"\n")
    shell = logged_shell(sandbox, "bash", log)
    count = 1000
    for index in range(count):
        shell.child.sendline(f": {index}")
    for _ in range(count):
        shell.child.expect_exact("HOOKCTL_TEST_PROMPT>", timeout=60)
    poll(lambda: log.exists() and len(log.read_text().splitlines()) >= count, timeout=90, message="every command reached the hook")
    assert log.read_text().splitlines() == [f": {index}" for index in range(count)]


def test_bad_scripts_do_not_stop_the_runner(sandbox):
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "afterCommand", "10-megabytes.sh", "#!/bin/sh\nhead -c 5000000 /dev/zero | tr '\\0' x\n")
    user_hook(sandbox, "afterCommand", "20-daemon.sh", "#!/bin/sh\n( sleep 60 & )\nexit 0\n")
    user_hook(sandbox, "afterCommand", "30-hang.sh", "#!/bin/sh\nsleep 60\n")
    user_hook(sandbox, "afterCommand", "40-log.sh")
    (sandbox.home / ".config/hookctl/config.toml").write_text('[settings]\ntimeout = "1s"\n')
    unreadable = user_hook(sandbox, "beforeCommand.d", "x") if False else None
    shell = logged_shell(sandbox, "bash", log)
    shell.run("true")
    seen = wait_records(log, 1, timeout=20)
    assert seen[0]["HOOKCTL_COMMAND"] == "true"
    out = shell.run("true")
    assert any("30-hang.sh" in m and "timed out" in m for m in hookctl_messages(out)), out
    logs = sandbox.hookctl("logs", "--hook", "10-megabytes.sh")
    assert logs.returncode == 0, logs.stderr
    assert len(logs.stdout) <= (1 << 20) + 200


def test_a_d_that_is_a_file_is_reported(sandbox):
    hooks = sandbox.home / ".config/hookctl/hooks"
    hooks.mkdir(parents=True)
    (hooks / "afterCommand.d").write_text("not a directory")
    listing = sandbox.hookctl("hooks")
    assert listing.returncode == 0, listing.stderr
    assert "is not a directory" in listing.stdout


def test_hooks_lists_where_each_hook_comes_from(sandbox):
    user_hook(sandbox, "afterCommand", "10-log.sh")
    project = sandbox.project("proj", '[[hooks.afterCommand]]\nid = "from-toml"\ncommand = "true"\n')
    project_hook(project, "afterCommand", "20-project.sh")
    sandbox.allow(project)
    listing = sandbox.hookctl("hooks", cwd=project).stdout
    lines = [line for line in listing.splitlines() if "afterCommand" in line or line.startswith("  ")]
    text = "\n".join(lines)
    assert text.index("10-log.sh") < text.index("20-project.sh") < text.index("from-toml")
    assert str(sandbox.home / ".config/hookctl/hooks/afterCommand.d") in listing
    assert str(project / ".hookctl/hooks/afterCommand.d") in listing
    assert str(project / "hookctl.toml") + ":2" in listing


@pytest.mark.parametrize("duration, expected", [("2", True), ("0", False)])
def test_notify_on_the_terminal(sandbox, shell_kind, duration, expected):
    (sandbox.home / ".config/hookctl").mkdir(parents=True)
    (sandbox.home / ".config/hookctl/config.toml").write_text('[notify]\nafter = "1s"\nnever = ["vim*"]\n')
    sandbox.env["TERM_PROGRAM"] = "WezTerm"
    shell = sandbox.shell(shell_kind)
    shell.child.sendline(f"sleep {duration}")
    shell.child.expect_exact("HOOKCTL_TEST_PROMPT>", timeout=20)
    try:
        shell.child.expect_exact("\x1b]777;notify;", timeout=3)
        seen = True
    except Exception:
        seen = False
    assert seen == expected


def test_command_events_cost_no_fork(sandbox, shell_kind):
    from test_bash_builtin import forks_during
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "beforeCommand", "10-log.sh")
    user_hook(sandbox, "afterCommand", "10-log.sh")
    user_hook(sandbox, "commandFailed", "10-log.sh")
    shell = logged_shell(sandbox, shell_kind, log)
    shell.run("true")
    wait_records(log, 2)
    calls, _ = forks_during(shell, ["true", "false", ": third", ""])
    # fish saves its history on a thread of its own: a thread is not a process.
    processes = [call for call in calls if "CLONE_THREAD" not in call]
    assert processes == [], processes
    seen = wait_records(log, 2 + 7)
    assert [r["HOOKCTL_COMMAND"] for r in seen if r["HOOKCTL_HOOK_POINT"] == "afterCommand"] == ["true", "true", "false", ": third"]


BASH_PREEXEC_STAND_IN = r'''
# The interface of bash-preexec that hookctl relies on: the flag, the two
# arrays, and its DEBUG trap calling preexec_functions once per command line.
bash_preexec_imported=defined
preexec_functions=(); precmd_functions=()
__bp_ran=
__bp_debug() { [[ -n $__bp_ran || -n $COMP_LINE ]] && return; [[ $BASH_COMMAND == _bp_precmd* ]] && return; __bp_ran=1; local f; for f in "${preexec_functions[@]}"; do "$f" "$BASH_COMMAND"; done; }
_bp_precmd() { local s=$?; __bp_ran=; local f; for f in "${precmd_functions[@]}"; do "$f"; done; return $s; }
trap '__bp_debug' DEBUG
PROMPT_COMMAND=_bp_precmd
user_preexec() { echo "user preexec saw: $1" >> "$EVENTS_LOG.user"; }
preexec_functions+=(user_preexec)
'''


def test_coexists_with_bash_preexec(sandbox):
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "beforeCommand", "10-log.sh")
    user_hook(sandbox, "afterCommand", "10-log.sh")
    sandbox.env["EVENTS_LOG"] = str(log)
    shell = sandbox.shell("bash", extra_rc=BASH_PREEXEC_STAND_IN)
    shell.run("echo together")
    seen = wait_records(log, 2)
    assert [r["HOOKCTL_HOOK_POINT"] for r in seen] == ["beforeCommand", "afterCommand"]
    assert all(r["HOOKCTL_COMMAND"] == "echo together" for r in seen)
    assert "__bp_debug" in shell.run("trap -p DEBUG") and "_hookctl" not in shell.run("trap -p DEBUG")
    assert "user preexec saw: echo together" in Path(str(log) + ".user").read_text()


def test_other_prompt_hooks_keep_running(sandbox, shell_kind):
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "afterCommand", "10-log.sh")
    sandbox.env["EVENTS_LOG"] = str(log)
    others = {
        "bash": 'trap \'echo "user debug" >> "$EVENTS_LOG.user"\' DEBUG\n',
        "zsh": 'user_preexec() { echo "user preexec" >> "$EVENTS_LOG.user"; }\npreexec_functions+=(user_preexec)\n',
        "fish": 'function user_preexec --on-event fish_preexec; echo "user preexec" >> "$EVENTS_LOG.user"; end\n',
    }
    shell = sandbox.shell(shell_kind, extra_rc=others[shell_kind])
    shell.run("echo both")
    wait_records(log, 1)
    assert Path(str(log) + ".user").read_text().strip() != ""


def test_with_the_bash_builtin(sandbox):
    from test_bash_builtin import forks_during, is_native, native_shell
    log = sandbox.root / "events.jsonl"
    sandbox.env["EVENTS_LOG"] = str(log)
    project = sandbox.project("proj", '[env]\nA = "1"\n')
    project_hook(project, "afterCommand", "10-log.sh")
    project_hook(project, "enter", "10-log.sh")
    sandbox.allow(project)
    shell = native_shell(sandbox)
    assert is_native(shell)
    assert "hookctl __prompt" in shell.run('echo "${PROMPT_COMMAND[*]}"')
    shell.cd(project)
    shell.run("false")
    seen = wait_records(log, 2)
    assert [r["HOOKCTL_HOOK_POINT"] for r in seen] == ["enter", "afterCommand"]
    assert seen[1]["HOOKCTL_EXIT_CODE"] == "1" and seen[1]["HOOKCTL_PROJECT_DIR"] == str(project)
    calls, _ = forks_during(shell, ["true", ""])
    assert calls == [], calls
    wait_records(log, 3)
    def after_hooks():
        return [(hook["id"], hook["state"], hook["exit_code"]) for hook in status(sandbox, project)["hooks"]
                if hook["event"] == "afterCommand"]
    poll(lambda: after_hooks() == [("10-log.sh", "succeeded", 0)], message="status shows the afterCommand hook's result")
    # Leaving disarms: the builtin is PROMPT_COMMAND's entry again.
    shell.cd(sandbox.root)
    shell.run("true")
    assert "hookctl __prompt" in shell.run('echo "${PROMPT_COMMAND[*]}"')
    assert "PS0=[]" in shell.run('echo "PS0=[$PS0]"')
    # Back in: the enter hook fires again, and command lines reach the hook again.
    before = len(records(log))
    shell.cd(project)
    shell.run("echo back-in")
    poll(lambda: [(r["HOOKCTL_HOOK_POINT"], r.get("HOOKCTL_COMMAND")) for r in records(log)[before:]][-1:]
         == [("afterCommand", "echo back-in")], message="the line after re-entering reached the hook")
    assert "enter" in [r["HOOKCTL_HOOK_POINT"] for r in records(log)[before:]]


def test_notify_through_a_command(sandbox, shell_kind):
    seen = sandbox.root / "notified"
    (sandbox.home / ".config/hookctl").mkdir(parents=True)
    (sandbox.home / ".config/hookctl/config.toml").write_text(
        '[notify]\nafter = "1s"\nonly = ["sleep*"]\nvia = "command"\n'
        f'command = ["sh", "-c", "echo \\"$HOOKCTL_NOTIFY_TITLE|$HOOKCTL_COMMAND|$HOOKCTL_EXIT_CODE\\" >> {seen}"]\n')
    shell = sandbox.shell(shell_kind)
    shell.run("sleep 1.2")
    shell.run("true")
    poll(lambda: seen.exists() and seen.read_text().strip(), message="the notify command ran")
    time.sleep(0.5)
    assert seen.read_text().splitlines() == ["hookctl: command finished|sleep 1.2|0"]


def test_a_broken_config_toml_is_reported_once_and_hooks_still_run(sandbox):
    log = sandbox.root / "events.jsonl"
    user_hook(sandbox, "afterCommand", "10-log.sh")
    (sandbox.home / ".config/hookctl/config.toml").write_text("[notify\nafter = 3\n")
    shell = logged_shell(sandbox, "bash", log)
    shell.run("true")
    wait_records(log, 1)
    out = shell.run("true") + shell.run("true") + shell.run("true")
    reports = [m for m in hookctl_messages(out) if "config.toml:1:" in m]
    assert len(reports) == 1, out
    assert "hookctl ignores the file until it is fixed" in reports[0]
