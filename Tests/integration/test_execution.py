"""Execution: hooks run in a detached supervisor while the
shell keeps its prompt, as a graph with timeouts and cancellation, and their
exports reach bash, zsh and fish once everything has succeeded."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from conftest import background_rc, hookctl_messages, status, wait_done

# ---------------------------------------------------------------- helpers


def hook_state(report: dict, hook_id: str) -> dict:
    return next(hook for hook in report["hooks"] if hook["id"] == hook_id)


def poll(predicate, timeout=15.0, interval=0.05, message="condition"):
    """Calls `predicate` until it returns something truthy; returns that."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def processes_running(sandbox, *argv) -> list[int]:
    """Live sandbox processes whose command line is exactly `argv` (after argv[0]'s basename)."""
    found = []
    for pid in sandbox.processes():
        line = cmdline(pid)
        if line and os.path.basename(line[0]) == argv[0] and line[1:] == list(argv[1:]):
            found.append(pid)
    return found


def supervisors(sandbox) -> list[int]:
    return [pid for pid in sandbox.processes() if "__supervise" in cmdline(pid)]


def sleepers(sandbox) -> list[int]:
    return processes_running(sandbox, "sleep", "1000")


def hook_pids(sandbox, project) -> list[int] | None:
    """The pids (= process groups) of every hook, once all of them run."""
    report = sandbox.hookctl("status", "--verbose", cwd=project).stdout
    pids = [int(pid) for pid in re.findall(r"^\s+pid (\d+)$", report, re.M)]
    return pids if pids and len(pids) == len(status(sandbox, project)["hooks"]) else None


def group_alive(group: int) -> bool:
    """Whether a process that is not a zombie is left in process group `group`."""
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            return True
    return False


def read_time(path: Path) -> float:
    return float(poll(lambda: path.exists() and path.read_text().strip(), timeout=5, message=str(path)))


def loaded_line(output: str, project) -> str | None:
    return next((line for line in hookctl_messages(output) if line.startswith(f"hookctl: loaded {project}")), None)


def eval_in_bash(sandbox, code: str, script: str, cwd) -> str:
    result = subprocess.run(["bash", "--noprofile", "--norc", "-c", code + "\n" + script], cwd=cwd,
                            env=sandbox.env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


WAIT_FOR_RELEASE = 'while [ ! -e "$HOOKCTL_PROJECT_DIR/release" ]; do sleep 0.05; done\n'


# ---------------------------------------------------------------- background runs in real shells

def test_slow_source_hook_runs_in_background_and_loads_later(sandbox, shell_kind):
    project = sandbox.project("slow", """
        [[hooks.onEnter]]
        id = "slow"
        command = "./slow.sh"
        source = true
    """, {"slow.sh": "#!/bin/sh\nsleep 2\n" + WAIT_FOR_RELEASE + "echo 'export SLOW_VAR=done'\n"})
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))

    started = time.monotonic()
    output = shell.cd(project)
    assert time.monotonic() - started < 1.5, "entering the project waited for the hook"
    assert loaded_line(output, project) is None

    report = poll(lambda: (r := status(sandbox, project)) and hook_state(r, "slow")["state"] == "running" and r,
                  timeout=10, message="hook running")
    assert report["execution"]["state"] == "running"
    assert report["counts"]["running"] == 1
    assert shell.var("SLOW_VAR") is None

    (project / "release").touch()
    assert wait_done(sandbox, project).returncode == 0
    report = status(sandbox, project)
    assert report["execution"]["state"] == "completed"
    assert hook_state(report, "slow")["state"] == "succeeded"
    assert hook_state(report, "slow")["exit_code"] == 0

    assert hook_state(report, "slow")["duration_ms"] >= 2000

    output = shell.run("")
    assert loaded_line(output, project) == f"hookctl: loaded {project} (+SLOW_VAR)"
    assert shell.var("SLOW_VAR") == b"done"
    assert hookctl_messages(shell.run("")) == []

    # Re-entering reuses the completed execution: loaded at once, nothing runs again.
    assert hookctl_messages(shell.cd(sandbox.root)) == [f"hookctl: unloaded {project}"]
    assert shell.var("SLOW_VAR") is None
    assert loaded_line(shell.cd(project), project) == f"hookctl: loaded {project} (+SLOW_VAR)"
    assert shell.var("SLOW_VAR") == b"done"
    assert status(sandbox, project)["execution"]["id"] == report["execution"]["id"]


def test_failing_hook_loads_nothing_and_reports_once(sandbox, shell_kind):
    project = sandbox.project("failing", """
        [env]
        STATIC_VAR = "static"

        [[hooks.onEnter]]
        id = "good"
        command = "./good.sh"
        source = true

        [[hooks.onEnter]]
        id = "broken"
        command = "./broken.sh"
        source = true
    """, {
        "good.sh": "#!/bin/sh\necho 'export GOOD_VAR=yes'\n",
        "broken.sh": "#!/bin/sh\n" + WAIT_FOR_RELEASE + "echo 'export BROKEN_VAR=yes'\nexit 3\n",
    })
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    assert hookctl_messages(shell.cd(project)) == []
    (project / "release").touch()
    result = wait_done(sandbox, project)
    assert result.returncode == 1

    output = shell.run("")
    reported = hookctl_messages(output)
    assert len(reported) == 1, output
    assert "'broken'" in reported[0] and "hookctl status" in reported[0]
    for name in ["STATIC_VAR", "GOOD_VAR", "BROKEN_VAR", "HOOKCTL_DIR"]:
        assert shell.var(name) is None, name

    # Not repeated: neither at the next prompts nor after moving inside the project.
    (project / "sub").mkdir()
    for command in ["", "true", "cd sub", "cd .."]:
        assert hookctl_messages(shell.run(command)) == [], command

    report = status(sandbox, project)
    assert report["execution"]["state"] == "failed"
    assert hook_state(report, "broken")["state"] == "failed"
    assert hook_state(report, "broken")["exit_code"] == 3
    assert hook_state(report, "good")["state"] == "succeeded"
    verbose = sandbox.hookctl("status", "--verbose", cwd=project).stdout
    assert "exited with status 3" in verbose


def test_leaving_cancels_running_hooks_and_kills_their_processes(sandbox, shell_kind):
    project = sandbox.project("leave", """
        [[hooks.onEnter]]
        id = "forever"
        command = "./forever.sh"
    """, {"forever.sh": "#!/bin/sh\nsleep 1000 &\nsleep 1000\n"})
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    shell.cd(project)
    poll(lambda: len(sleepers(sandbox)) == 2, message="both sleeps of the hook")
    assert status(sandbox, project)["execution"]["state"] == "running"

    shell.cd(sandbox.root)
    poll(lambda: status(sandbox, project)["execution"]["state"] == "cancelled", message="execution cancelled")
    assert hook_state(status(sandbox, project), "forever")["state"] == "cancelled"
    poll(lambda: not sleepers(sandbox), timeout=10, message="the hook's sleeps to die")
    poll(lambda: not supervisors(sandbox), timeout=10, message="the supervisor to exit")


def test_two_shells_share_one_supervisor(sandbox):
    project = sandbox.project("shared", """
        [[hooks.onEnter]]
        id = "setup"
        command = "./setup.sh"
        source = true
    """, {"setup.sh": "#!/bin/sh\n" + WAIT_FOR_RELEASE + "echo 'export SHARED_VAR=both'\n"})
    sandbox.allow(project)
    bash = sandbox.shell("bash", extra_rc=background_rc("bash"))
    zsh = sandbox.shell("zsh", extra_rc=background_rc("zsh"))

    bash.cd(project)
    execution = poll(lambda: status(sandbox, project)["execution"], message="an execution")["id"]
    zsh.cd(project)
    poll(lambda: hook_state(status(sandbox, project), "setup")["state"] == "running", message="hook running")
    assert status(sandbox, project)["execution"]["id"] == execution
    assert len(supervisors(sandbox)) == 1
    assert len(list((sandbox.state / "runs").iterdir())) == 1

    # One shell leaving does not cancel what the other still waits for.
    bash.cd(sandbox.root)
    time.sleep(1.5)
    report = status(sandbox, project)
    assert report["execution"]["id"] == execution
    assert report["execution"]["state"] == "running"
    assert len(supervisors(sandbox)) == 1
    bash.cd(project)
    assert status(sandbox, project)["execution"]["id"] == execution
    assert len(supervisors(sandbox)) == 1

    (project / "release").touch()
    assert wait_done(sandbox, project).returncode == 0
    for shell in (bash, zsh):
        assert loaded_line(shell.run(""), project) == f"hookctl: loaded {project} (+SHARED_VAR)"
        assert shell.var("SHARED_VAR") == b"both"
    assert len(list((sandbox.state / "runs").iterdir())) == 1


def test_last_shell_leaving_cancels(sandbox):
    project = sandbox.project("lastleaves", """
        [[hooks.onEnter]]
        id = "forever"
        command = "sleep"
        args = ["1000"]
    """)
    sandbox.allow(project)
    bash = sandbox.shell("bash", extra_rc=background_rc("bash"))
    fish = sandbox.shell("fish", extra_rc=background_rc("fish"))
    bash.cd(project)
    fish.cd(project)
    poll(lambda: len(sleepers(sandbox)) == 1, message="the hook's sleep")
    assert len(supervisors(sandbox)) == 1

    fish.cd(sandbox.root)
    time.sleep(1.5)
    assert status(sandbox, project)["execution"]["state"] == "running"
    assert len(sleepers(sandbox)) == 1

    bash.cd(sandbox.root)
    poll(lambda: status(sandbox, project)["execution"]["state"] == "cancelled", message="execution cancelled")
    poll(lambda: not sleepers(sandbox) and not supervisors(sandbox), timeout=10, message="hook and supervisor gone")


def test_on_exit_hooks_run_when_the_last_shell_leaves(sandbox, shell_kind):
    project = sandbox.project("onexit", """
        [[hooks.onEnter]]
        id = "enter"
        command = "./enter.sh"

        [[hooks.onExit]]
        id = "bye"
        command = "./bye.sh"
    """, {
        "enter.sh": "#!/bin/sh\ntouch entered\n",
        "bye.sh": "#!/bin/sh\necho \"$HOOKCTL_HOOK_ID\" > left\n",
    })
    sandbox.allow(project)
    first = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    second = sandbox.shell("bash", extra_rc=background_rc("bash"))
    first.cd(project)
    second.cd(project)
    assert wait_done(sandbox, project).returncode == 0
    assert (project / "entered").exists()

    second.cd(sandbox.root)
    time.sleep(1)
    assert not (project / "left").exists(), "onExit ran while a shell was still inside"
    first.cd(sandbox.root)
    poll(lambda: (project / "left").exists() and (project / "left").read_text() == "bye\n",
         message="the onExit hook's file")
    report = status(sandbox, project)
    poll(lambda: hook_state(status(sandbox, project), "bye")["state"] == "succeeded", message="onExit succeeded")
    assert hook_state(report, "bye")["event"] == "onExit"


# ---------------------------------------------------------------- the graph

def test_depends_on_waits_for_the_dependency_and_independent_hooks_overlap(sandbox):
    stamp = 'date +%s.%N > "$1.start"\nsleep 1\ndate +%s.%N > "$1.end"\n'
    # c and d come first: at least two hooks run at once even on one core.
    project = sandbox.project("graph", """
        [[hooks.onEnter]]
        id = "c"
        command = "./stamp.sh"
        args = ["c"]

        [[hooks.onEnter]]
        id = "d"
        command = "./stamp.sh"
        args = ["d"]

        [[hooks.onEnter]]
        id = "b"
        command = "./stamp.sh"
        args = ["b"]
        dependsOn = ["a"]

        [[hooks.onEnter]]
        id = "a"
        command = "./stamp.sh"
        args = ["a"]
    """, {"stamp.sh": "#!/bin/sh\n" + stamp})
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 0
    times = {name: (read_time(project / f"{name}.start"), read_time(project / f"{name}.end")) for name in "abcd"}
    assert times["b"][0] >= times["a"][1], "b started before its dependency a finished"
    assert times["c"][0] < times["d"][1] and times["d"][0] < times["c"][1], "independent hooks ran one after the other"
    assert all(hook["state"] == "succeeded" for hook in status(sandbox, project)["hooks"])


def test_failed_dependency_skips_dependents_and_false_condition_does_not(sandbox):
    project = sandbox.project("skips", """
        [[hooks.onEnter]]
        id = "fails"
        command = "./write.sh"
        args = ["fails", "1"]

        [[hooks.onEnter]]
        id = "after-failure"
        command = "./write.sh"
        args = ["after-failure", "0"]
        dependsOn = ["fails"]

        [[hooks.onEnter]]
        id = "transitive"
        command = "./write.sh"
        args = ["transitive", "0"]
        dependsOn = ["after-failure"]

        [[hooks.onEnter]]
        id = "conditional"
        command = "./write.sh"
        args = ["conditional", "0"]
        condition = "test -e \\"$HOOKCTL_PROJECT_DIR/no-such-file\\""

        [[hooks.onEnter]]
        id = "after-condition"
        command = "./write.sh"
        args = ["after-condition", "0"]
        dependsOn = ["conditional"]

        [[hooks.onEnter]]
        id = "condition-true"
        command = "./write.sh"
        args = ["condition-true", "0"]
        condition = "test -n \\"$HOOKCTL_HOOK_ID\\""
    """, {"write.sh": '#!/bin/sh\ntouch "ran-$1"\nexit "$2"\n'})
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 1
    report = status(sandbox, project)
    states = {hook["id"]: hook["state"] for hook in report["hooks"]}
    assert states == {
        "fails": "failed", "after-failure": "skipped", "transitive": "skipped",
        "conditional": "skipped", "after-condition": "succeeded", "condition-true": "succeeded",
    }
    assert report["execution"]["state"] == "failed"
    ran = sorted(path.name for path in project.glob("ran-*"))
    assert ran == ["ran-after-condition", "ran-condition-true", "ran-fails"]
    verbose = sandbox.hookctl("status", "--verbose", cwd=project).stdout
    assert "dependency 'fails' did not succeed" in verbose
    assert "condition not met" in verbose


def test_dependent_sees_exports_of_its_dependencies(sandbox):
    project = sandbox.project("exports", """
        [[hooks.onEnter]]
        id = "source"
        command = "./source.sh"
        source = true

        [[hooks.onEnter]]
        id = "middle"
        command = "./middle.sh"
        dependsOn = ["source"]

        [[hooks.onEnter]]
        id = "user"
        command = "./user.sh"
        dependsOn = ["middle"]

        [[hooks.onEnter]]
        id = "unrelated"
        command = "./user.sh"
    """, {
        "source.sh": "#!/bin/sh\necho 'export A=\"from source\"'\n",
        "middle.sh": "#!/bin/sh\nprintf '%s' \"$A\" > middle.out\n",
        "user.sh": "#!/bin/sh\nprintf '%s|%s' \"${A-unset}\" \"$HOOKCTL_HOOK_ID\" > \"$HOOKCTL_HOOK_ID.out\"\n",
    })
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 0
    assert (project / "middle.out").read_text() == "from source"
    assert (project / "user.out").read_text() == "from source|user"
    assert (project / "unrelated.out").read_text() == "unset|unrelated"


# ---------------------------------------------------------------- timeouts, death, cancel

def test_timeout_kills_the_whole_process_group(sandbox):
    project = sandbox.project("timeout", """
        [[hooks.onEnter]]
        id = "plain"
        command = "sleep"
        args = ["1000"]
        timeout = "1s"

        [[hooks.onEnter]]
        id = "stubborn"
        command = "./stubborn.sh"
        timeout = "1s"
    """, {"stubborn.sh": "#!/bin/sh\ntrap '' TERM\nsleep 1000 &\nsleep 1000\n"})
    sandbox.allow(project)
    started = time.monotonic()
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    groups = poll(lambda: hook_pids(sandbox, project), timeout=5, message="the hooks' pids")
    assert wait_done(sandbox, project).returncode == 1
    assert time.monotonic() - started < 12
    report = status(sandbox, project)
    assert report["execution"]["state"] == "failed"
    assert hook_state(report, "plain")["state"] == "timed_out"
    assert hook_state(report, "stubborn")["state"] == "timed_out"
    assert report["counts"]["timed_out"] == 2
    assert "timed out after 1 s" in sandbox.hookctl("status", "--verbose", cwd=project).stdout
    poll(lambda: not sleepers(sandbox), timeout=5, message="every sleep of the hooks to die")
    poll(lambda: not any(group_alive(group) for group in groups), timeout=5, message="the process groups to go")


def test_killed_supervisor_fails_the_execution_and_its_hooks_die(sandbox):
    project = sandbox.project("killed", """
        [[hooks.onEnter]]
        id = "forever"
        command = "./forever.sh"
    """, {"forever.sh": "#!/bin/sh\nsleep 1000 &\nsleep 1000\n"})
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    poll(lambda: len(sleepers(sandbox)) == 2, message="the hook's sleeps")
    [supervisor] = supervisors(sandbox)
    os.kill(supervisor, signal.SIGKILL)
    poll(lambda: supervisor not in sandbox.processes(), timeout=5, message="the supervisor to die")

    report = status(sandbox, project)
    assert report["execution"]["state"] == "failed"
    assert hook_state(report, "forever")["state"] == "failed"
    assert "died" in sandbox.hookctl("status", "--verbose", cwd=project).stdout
    poll(lambda: not sleepers(sandbox), timeout=5, message="the orphaned hook processes to be killed")
    assert wait_done(sandbox, project).returncode == 1


def test_cancel_kills_the_running_hooks(sandbox):
    project = sandbox.project("cancel", """
        [[hooks.onEnter]]
        id = "forever"
        command = "./forever.sh"
    """, {"forever.sh": "#!/bin/sh\nsleep 1000 &\nsleep 1000\n"})
    sandbox.allow(project)
    result = sandbox.hookctl("cancel", cwd=project)
    assert result.returncode == 1 and "no hooks are running" in result.stderr

    assert sandbox.hookctl("load", cwd=project).returncode == 0
    poll(lambda: len(sleepers(sandbox)) == 2, message="the hook's sleeps")
    [group] = poll(lambda: hook_pids(sandbox, project), timeout=5, message="the hook's pid")
    result = sandbox.hookctl("cancel", cwd=project)
    assert result.returncode == 0, result.stderr
    poll(lambda: not group_alive(group), timeout=2, message="the hook's process group to go")
    assert f"hookctl: cancelled the hooks of {project}" in result.stderr
    report = status(sandbox, project)
    assert report["execution"]["state"] == "cancelled"
    assert hook_state(report, "forever")["state"] == "cancelled"
    assert not sleepers(sandbox)
    assert not supervisors(sandbox)


# ---------------------------------------------------------------- commands

def test_load_reload_and_shell_hook_outside_a_shell(sandbox):
    project = sandbox.project("commands", """
        [env]
        STATIC = "from env"

        [[hooks.onEnter]]
        id = "count"
        command = "./count.sh"
        source = true
    """, {"count.sh": "#!/bin/sh\necho run >> runs.txt\necho \"export RUNS=$(wc -l < runs.txt | tr -d ' ')\"\n"})
    result = sandbox.hookctl("load", cwd=project)
    assert result.returncode == 1 and "is not allowed" in result.stderr
    sandbox.allow(project)

    result = sandbox.hookctl("load", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"hookctl: started the hooks of {project}")
    assert wait_done(sandbox, project).returncode == 0
    first = status(sandbox, project)["execution"]
    assert first["state"] == "completed"

    result = sandbox.hookctl("load", str(project))
    assert result.returncode == 0 and "already completed" in result.stderr
    assert (project / "runs.txt").read_text() == "run\n"

    result = sandbox.hookctl("reload", cwd=project)
    assert result.returncode == 0, result.stderr
    assert wait_done(sandbox, project).returncode == 0
    second = status(sandbox, project)["execution"]
    assert second["id"] != first["id"] and second["state"] == "completed"
    assert (project / "runs.txt").read_text() == "run\nrun\n"

    code = sandbox.hookctl("shell", "hook", "bash", cwd=project)
    assert code.returncode == 0, code.stderr
    out = eval_in_bash(sandbox, code.stdout, 'printf "%s|%s" "$RUNS" "$STATIC"', cwd=sandbox.root)
    assert out == "2|from env"
    # Completed for this fingerprint: `shell hook` reuses it instead of running again.
    assert (project / "runs.txt").read_text() == "run\nrun\n"


def test_shell_hook_runs_in_the_foreground(sandbox):
    project = sandbox.project("foreground", """
        [[hooks.onEnter]]
        id = "slow"
        command = "./slow.sh"
        source = true
    """, {"slow.sh": "#!/bin/sh\nsleep 1\ncat <<'EOF'\nexport FG=\"it's here\"\nEOF\n"})
    sandbox.allow(project)
    result = sandbox.hookctl("shell", "hook", "bash", str(project), cwd=sandbox.root)
    assert result.returncode == 0, result.stderr
    assert status(sandbox, project)["execution"]["state"] == "completed"
    assert eval_in_bash(sandbox, result.stdout, 'printf "%s" "$FG"', cwd=sandbox.root) == "it's here"


def test_shell_hook_reports_failure(sandbox):
    project = sandbox.project("foregroundfail", """
        [[hooks.onEnter]]
        id = "bad"
        command = "./bad.sh"
        source = true
    """, {"bad.sh": "#!/bin/sh\necho 'export X=1'\nexit 4\n"})
    sandbox.allow(project)
    result = sandbox.hookctl("shell", "hook", "bash", cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "bad" in result.stderr and "hookctl status" in result.stderr


def test_logs_show_output_of_non_source_hooks(sandbox):
    project = sandbox.project("logs", """
        [[hooks.onEnter]]
        id = "talk"
        command = "./talk.sh"

        [[hooks.onEnter]]
        id = "quiet"
        command = "./quiet.sh"
        source = true
    """, {
        "talk.sh": "#!/bin/sh\necho 'to stdout'\necho 'to stderr' >&2\nprintf 'no newline'\n",
        "quiet.sh": "#!/bin/sh\necho 'export Q=1'\necho 'quiet stderr' >&2\n",
    })
    sandbox.allow(project)
    result = sandbox.hookctl("logs", cwd=project)
    assert result.returncode == 1 and "have not run yet" in result.stderr
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 0

    result = sandbox.hookctl("logs", cwd=project)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for expected in ["[talk] to stdout", "[talk] to stderr", "[talk] no newline", "[quiet] quiet stderr"]:
        assert expected in lines, result.stdout
    assert not any("export Q" in line for line in lines), "a source hook's stdout went to the log"

    result = sandbox.hookctl("logs", "--hook", "talk", cwd=project)
    assert result.returncode == 0
    assert sorted(result.stdout.splitlines()) == ["no newline", "to stderr", "to stdout"]

    result = sandbox.hookctl("logs", "--hook", "nope", cwd=project)
    assert result.returncode == 1 and "no hook with id 'nope'" in result.stderr

    execution = status(sandbox, project)["execution"]["id"]
    assert (sandbox.state / "runs" / execution / "talk.log").is_file()


def test_context_variables_dir_and_args(sandbox):
    project = sandbox.project("context", """
        [[hooks.onEnter]]
        id = "ctx"
        command = "./show.sh"
        dir = "sub/dir"
        args = ["one two", "$HOME", "'three'"]
    """, {"sub/dir/show.sh": """\
        #!/bin/sh
        {
          echo "project=$HOOKCTL_PROJECT_DIR"
          echo "hook=$HOOKCTL_HOOK_ID"
          echo "execution=$HOOKCTL_EXECUTION_ID"
          echo "pwd=$(pwd)"
          echo "argc=$#"
          for arg in "$@"; do echo "arg=$arg"; done
        } > "$HOOKCTL_PROJECT_DIR/context.txt"
        """})
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 0
    execution = status(sandbox, project)["execution"]["id"]
    lines = (project / "context.txt").read_text().splitlines()
    assert lines == [
        f"project={project}", "hook=ctx", f"execution={execution}", f"pwd={project / 'sub/dir'}",
        "argc=3", "arg=one two", "arg=$HOME", "arg='three'",
    ]


# ---------------------------------------------------------------- secrets

def test_secrets_are_masked_in_logs_and_status(sandbox):
    project = sandbox.project("secrets", """
        [settings]
        secrets = ["PLAIN"]

        [env]
        DB_PASSWORD = "staticpasswordvalue"

        [[hooks.onEnter]]
        id = "token"
        command = "./token.sh"
        source = true

        [[hooks.onEnter]]
        id = "echo"
        command = "./echo.sh"
        dependsOn = ["token"]
    """, {
        "token.sh": """\
            #!/bin/sh
            echo 'export API_TOKEN=supersecretvalue'
            echo 'export PLAIN=plainsecretvalue'
            echo 'export VISIBLE=visiblevalue'
            echo 'stderr says supersecretvalue and plainsecretvalue and staticpasswordvalue' >&2
            """,
        "echo.sh": """\
            #!/bin/sh
            echo "stdout $API_TOKEN $PLAIN $DB_PASSWORD $VISIBLE"
            echo "stderr $API_TOKEN" >&2
            """,
    })
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 0
    secrets = ["supersecretvalue", "plainsecretvalue", "staticpasswordvalue"]

    logs = sandbox.hookctl("logs", cwd=project)
    assert logs.returncode == 0
    assert "[token] stderr says **** and **** and ****" in logs.stdout.splitlines()
    assert "[echo] stdout **** **** **** visiblevalue" in logs.stdout.splitlines()
    assert "[echo] stderr ****" in logs.stdout.splitlines()
    for hook in ["token", "echo"]:
        assert sandbox.hookctl("logs", "--hook", hook, cwd=project).stdout.count("****") >= 1

    outputs = [logs.stdout]
    for args in [("status",), ("status", "--verbose"), ("status", "--json"), ("logs", "--hook", "token")]:
        result = sandbox.hookctl(*args, cwd=project)
        outputs += [result.stdout, result.stderr]
    for path in sandbox.state.rglob("*"):
        if path.is_file() and not path.name.startswith("state.db"):
            outputs.append(path.read_bytes().decode(errors="replace"))
    assert any("****" in path.read_text() for path in (sandbox.state / "runs").rglob("*.log"))
    for text in outputs:
        for secret in secrets:
            assert secret not in text

    # The values themselves still reach the environment.
    code = sandbox.hookctl("shell", "hook", "bash", cwd=project).stdout
    assert eval_in_bash(sandbox, code, 'printf "%s %s" "$API_TOKEN" "$PLAIN"', cwd=project) == \
        "supersecretvalue plainsecretvalue"


def test_secrets_of_a_failing_or_running_source_hook_are_masked(sandbox):
    project = sandbox.project("leaky", """
        [[hooks.onEnter]]
        id = "leaky"
        command = "./leaky.sh"
        source = true
    """, {"leaky.sh": """\
        #!/bin/sh
        echo 'export SESSION_TOKEN=leakedtokenvalue'
        sleep 0.3
        echo 'got leakedtokenvalue' >&2
        exit 1
        """})
    sandbox.allow(project)
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 1
    logs = sandbox.hookctl("logs", cwd=project).stdout
    assert "[leaky] got ****" in logs.splitlines()
    for path in (sandbox.state / "runs").rglob("*.log"):
        assert "leakedtokenvalue" not in path.read_text()


def test_engine_log_records_runs_and_debug_adds_detail(sandbox):
    project = sandbox.project("logged", """
        [[hooks.onEnter]]
        id = "exporter"
        command = "sh"
        args = ["-c", "echo export LOGGED_TOKEN=topsecretvalue"]
        source = true
    """)
    sandbox.allow(project)
    log = sandbox.state / "logs" / "hooks.log"
    assert sandbox.hookctl("load", cwd=project).returncode == 0
    assert wait_done(sandbox, project).returncode == 0
    text = log.read_text()
    assert "execution started" in text and "hook finished" in text and "state=succeeded" in text
    assert "hook exports captured" not in text
    assert oct(log.stat().st_mode & 0o777) == "0o600"

    assert sandbox.hookctl("reload", cwd=project, env={"HOOKCTL_LOG": "debug"}).returncode == 0
    assert wait_done(sandbox, project).returncode == 0
    text = log.read_text()
    assert "hook exports captured" in text and "names=LOGGED_TOKEN" in text
    assert "topsecretvalue" not in text
