"""Hook points are data: a project that configures every point runs its
onEnter hooks once on entry and its onExit hooks once when the last shell
leaves, while the per-shell points fire in the shell; status and logs name
each hook's own point, and `logs --hook` works for every point."""

from conftest import background_rc, status
from test_execution import hook_state, poll

POINTS = ["onEnter", "onExit", "enter", "leave", "loaded", "beforeCommand", "commandFailed", "afterCommand"]


def every_point_toml() -> str:
    tables = "".join(
        f'[[hooks.{point}]]\nid = "{point}-hook"\ncommand = "sh"\n'
        f'args = ["-c", "echo ran {point}; echo {point} >> \\"$HOOKCTL_PROJECT_DIR/ran\\""]\n\n'
        for point in POINTS)
    return '[env]\nEVERY = "point"\n\n' + tables


def test_every_point_keeps_its_own_hooks(sandbox, shell_kind):
    project = sandbox.project("every point", every_point_toml())
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind, extra_rc=background_rc(shell_kind))
    shell.cd(project)
    poll(lambda: status(sandbox, project)["execution"]["state"] == "completed", message="onEnter completed")
    report = status(sandbox, project)
    assert [hook["id"] for hook in report["hooks"]] == [f"{point}-hook" for point in POINTS]
    assert [hook["event"] for hook in report["hooks"]] == POINTS
    assert hook_state(report, "onEnter-hook")["state"] == "succeeded"
    assert hook_state(report, "onExit-hook")["state"] == "pending"
    shell.run("true")
    assert shell.var("EVERY") == b"point"
    ran = lambda: (project / "ran").read_text().split()
    poll(lambda: {"enter", "loaded", "beforeCommand", "afterCommand"} <= set(ran()), message="the per-shell points fired")
    assert ran().count("onEnter") == 1 and "onExit" not in ran() and "commandFailed" not in ran()

    shell.cd(sandbox.root)
    poll(lambda: "onExit" in ran() and "leave" in ran(), message="onExit and leave ran")
    poll(lambda: hook_state(status(sandbox, project), "onExit-hook")["state"] == "succeeded", message="onExit succeeded")
    assert ran().count("onEnter") == 1 and ran().count("onExit") == 1, "no point fell back to another"

    exit_log = sandbox.hookctl("logs", "--hook", "onExit-hook", cwd=project)
    assert exit_log.returncode == 0, exit_log.stderr
    assert exit_log.stdout.splitlines() == ["ran onExit"]
    enter_log = sandbox.hookctl("logs", "--hook", "onEnter-hook", cwd=project)
    assert enter_log.stdout.splitlines() == ["ran onEnter"]
    shell_enter_log = sandbox.hookctl("logs", "--hook", "enter-hook", cwd=project)
    assert shell_enter_log.stdout.splitlines() == ["ran enter"], shell_enter_log.stderr
    everything = sandbox.hookctl("logs", cwd=project).stdout.splitlines()
    assert {"[onEnter-hook] ran onEnter", "[onExit-hook] ran onExit", "[leave-hook] ran leave"} <= set(everything)
    missing = sandbox.hookctl("logs", "--hook", "commandFailed-hook", cwd=project)
    assert missing.returncode == 1 and "have not run yet" in missing.stderr


def test_an_unknown_point_is_a_config_error(sandbox):
    project = sandbox.project("unknown point", '[[hooks.onLeave]]\ncommand = "true"\n')
    result = sandbox.hookctl("allow", cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("hookctl: hookctl.toml:1: unknown hook point 'hooks.onLeave'; use one of hooks.onEnter"), result.stderr
