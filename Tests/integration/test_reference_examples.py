"""The examples of examples/reference-guide (the configurations of the cuenv
background source hooks guide, as hookctl.toml): each one is copied into the
sandbox, allowed, entered in a real shell, and loads exactly the variables
the guide says it loads."""

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from conftest import REPO, background_rc, hookctl_messages, status, wait_done

EXAMPLES = REPO / "examples" / "reference-guide"
TESTED = {
    "basic", "long-running", "conditional", "multiple-source-hooks", "dependencies", "timeouts",
    "user-feedback", "graceful-failure", "cached-results", "dev-setup", "ci", "multi-cloud",
}

# ---------------------------------------------------------------- helpers


def copy_example(sandbox, name: str, target: str | None = None) -> Path:
    """A copy of the example (modes kept) in the sandbox, without what trying it in place left behind."""
    destination = sandbox.root / (target or name)
    shutil.copytree(EXAMPLES / name, destination, ignore=shutil.ignore_patterns(".dev", ".cloud"))
    return destination


def loaded_changes(output: str, project: Path) -> set[str] | None:
    """The `+NAME`/`~NAME`/`-NAME` words of the `hookctl: loaded PROJECT (...)` line, or None without one."""
    for line in hookctl_messages(output):
        match = re.fullmatch(rf"hookctl: loaded {re.escape(str(project))}(?: \((.*)\))?", line)
        if match:
            return set((match.group(1) or "").split())
    return None


def added(*names: str) -> set[str]:
    """What the loaded line shows for an example that adds `names` and prepends its bin/ to PATH."""
    return {f"+{name}" for name in names} | {"~PATH"}


def enter(sandbox, project: Path, kind: str = "bash", env: dict | None = None, expect_success: bool = True):
    """Allows `project`, enters it in a new `kind` shell whose environment has `env` on top of the
    sandbox's, waits for its hooks and returns (shell, the loaded line's changes)."""
    sandbox.allow(project)
    saved = dict(sandbox.env)
    sandbox.env.update(env or {})
    try:
        shell = sandbox.shell(kind, extra_rc=background_rc(kind))
    finally:
        sandbox.env.clear()
        sandbox.env.update(saved)
    shell.cd(project)
    return shell, finish(sandbox, shell, project, expect_success)


def finish(sandbox, shell, project: Path, expect_success: bool = True) -> set[str] | None:
    """Waits for the project's hooks; the changes the next prompt loads."""
    result = wait_done(sandbox, project)
    verbose = sandbox.hookctl("status", "--verbose", cwd=project).stdout
    assert (result.returncode == 0) == expect_success, verbose
    return loaded_changes(shell.run(""), project)


def hook_states(sandbox, project: Path) -> dict[str, str]:
    return {hook["id"]: hook["state"] for hook in status(sandbox, project)["hooks"]}


def shows_message(text: str, message: str) -> bool:
    """Whether `text` has a line that ends with `message` and is not the hook's command line."""
    return any(line.rstrip().endswith(message) and "echo" not in line for line in text.splitlines())


def assert_project_path_first(shell, project: Path):
    path = shell.var("PATH").decode()
    assert path.split(":")[0] == str(project / "bin"), path


# ---------------------------------------------------------------- the examples


def test_every_example_is_tested_and_listed_in_the_readme():
    directories = {path.name for path in EXAMPLES.iterdir() if path.is_dir()}
    assert directories == TESTED
    readme = (EXAMPLES / "README.md").read_text()
    for name in directories:
        assert f"[{name}]({name}/)" in readme, name
        assert (EXAMPLES / name / "hookctl.toml").is_file()
        for script in (EXAMPLES / name / "bin").iterdir():
            assert os.access(script, os.X_OK), script


@pytest.mark.parametrize("name", sorted(TESTED))
def test_the_approval_covers_every_script_of_the_example(sandbox, name):
    """The hooks' scripts and the stand-ins they call are covered: editing any of them asks again."""
    project = copy_example(sandbox, name)
    sandbox.allow(project)
    assert status(sandbox, project)["approval"] == "approved"
    for script in sorted((project / "bin").iterdir()):
        original = script.read_bytes()
        script.write_bytes(original + b"# edited\n")
        assert status(sandbox, project)["approval"] != "approved", f"{script.name} is not covered"
        script.write_bytes(original)
        assert status(sandbox, project)["approval"] == "approved"


def test_basic(sandbox, shell_kind):
    project = copy_example(sandbox, "basic")
    started = int(time.time())
    shell, changes = enter(sandbox, project, shell_kind)
    assert changes == added("AUTH_TOKEN", "AUTH_EXPIRES", "AUTH_USER")
    assert shell.var("AUTH_TOKEN") == b"basic-fake-token-0001"
    assert shell.var("AUTH_USER") == b"dev-user"
    expires = shell.var("AUTH_EXPIRES").decode()
    assert expires.isdigit() and int(expires) >= started + 3600, expires
    assert_project_path_first(shell, project)

    assert hookctl_messages(shell.cd(sandbox.root)) == [f"hookctl: unloaded {project}"]
    for name in ["AUTH_TOKEN", "AUTH_EXPIRES", "AUTH_USER"]:
        assert shell.var(name) is None, name
    assert str(project / "bin") not in shell.var("PATH").decode().split(":")


def test_long_running(sandbox, shell_kind):
    project = copy_example(sandbox, "long-running")
    shell, changes = enter(sandbox, project, shell_kind)
    assert changes == added("VAULT_TOKEN", "DATABASE_URL")
    assert shell.var("VAULT_TOKEN") == b"s.longrunningfakevaulttoken"
    assert shell.var("DATABASE_URL") == b"postgres://app@db.internal:5432/app"
    assert hook_states(sandbox, project) == {"onEnter.1": "succeeded"}

    # The line that is not an assignment is the hook's message: logged and shown, never run.
    message = "Fetching environment from vault..."
    logs = sandbox.hookctl("logs", cwd=project)
    assert logs.returncode == 0, logs.stderr
    assert shows_message(logs.stdout, message), logs.stdout
    verbose = sandbox.hookctl("status", "--verbose", cwd=project).stdout
    assert shows_message(verbose, message), verbose
    # Nothing of the vault token reaches the log or the status.
    assert "s.longrunningfakevaulttoken" not in logs.stdout + verbose


def test_a_message_line_is_shown_and_never_executed(sandbox, shell_kind):
    marker = sandbox.root / "message-line-ran"
    project = sandbox.project("message", """
        [[hooks.onEnter]]
        id = "talks"
        command = "./talks.sh"
        source = true
        preload = true
    """, {"talks.sh": f"#!/bin/sh\necho 'touch {marker}'\necho 'export AFTER_MESSAGE=loaded'\n"})
    shell, changes = enter(sandbox, project, shell_kind)
    assert changes == {"+AFTER_MESSAGE"}
    assert shell.var("AFTER_MESSAGE") == b"loaded"
    assert not marker.exists(), "the message line was executed"

    verbose = sandbox.hookctl("status", "--verbose", cwd=project).stdout
    assert f"touch {marker}" in verbose, verbose
    logs = sandbox.hookctl("logs", "--hook", "talks", cwd=project)
    assert logs.returncode == 0, logs.stderr
    assert f"touch {marker}" in logs.stdout, logs.stdout

    # The foreground path does not run it either.
    code = sandbox.hookctl("shell", "hook", "bash", cwd=project)
    assert code.returncode == 0, code.stderr
    assert "touch" not in code.stdout
    shell.run("true")
    assert not marker.exists(), "the message line was executed"


@pytest.mark.parametrize("preset", [None, "token-from-the-shell"], ids=["no-token", "token-set"])
def test_conditional(sandbox, preset):
    project = copy_example(sandbox, "conditional")
    shell, changes = enter(sandbox, project, env={"AUTH_TOKEN": preset} if preset else None)
    if preset is None:
        assert changes == added("AUTH_TOKEN")
        assert shell.var("AUTH_TOKEN") == b"conditional-fake-token-0001"
        assert hook_states(sandbox, project) == {"onEnter.1": "succeeded"}
    else:
        assert changes == {"~PATH"}
        assert shell.var("AUTH_TOKEN") == preset.encode()
        assert hook_states(sandbox, project) == {"onEnter.1": "skipped"}
        assert "condition not met" in sandbox.hookctl("status", "--verbose", cwd=project).stdout
    assert_project_path_first(shell, project)


def test_multiple_source_hooks(sandbox):
    project = copy_example(sandbox, "multiple-source-hooks")
    shell, changes = enter(sandbox, project)
    assert changes == added("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DATABASE_HOST", "DATABASE_PORT")
    assert shell.var("AWS_ACCESS_KEY_ID") == b"AKIAFAKEMULTIPLE0001"
    assert shell.var("AWS_SECRET_ACCESS_KEY") == b"fake-multiple-secret-access-key"
    assert shell.var("DATABASE_HOST") == b"db.internal"
    assert shell.var("DATABASE_PORT") == b"5432"
    hooks = status(sandbox, project)["hooks"]
    assert [(hook["description"], hook["state"]) for hook in hooks] == [
        ("Fetching AWS credentials", "succeeded"), ("Loading database configuration", "succeeded")]


def test_dependencies(sandbox):
    project = copy_example(sandbox, "dependencies")
    shell, changes = enter(sandbox, project)
    assert changes == added("AUTH_TOKEN", "USER_ID", "USER_EMAIL")
    assert shell.var("AUTH_TOKEN") == b"dependencies-fake-token-0001"
    # user-api answers only with auth's token: fetch-user-data.sh saw auth's export.
    assert shell.var("USER_ID") == b"42"
    assert shell.var("USER_EMAIL") == b"dev@example.test"
    assert hook_states(sandbox, project) == {"auth": "succeeded", "onEnter.2": "succeeded"}


def test_timeouts(sandbox):
    project = copy_example(sandbox, "timeouts")
    shell, changes = enter(sandbox, project)
    assert changes == added("SLOW_OPERATION_RESULT")
    assert shell.var("SLOW_OPERATION_RESULT") == b"ready"


def test_timeouts_an_expired_timeout_fails_the_hook_and_loads_nothing(sandbox):
    project = copy_example(sandbox, "timeouts")
    toml = project / "hookctl.toml"
    toml.write_text(toml.read_text().replace('args = ["30", ', 'args = ["1", '))
    shell, changes = enter(sandbox, project, env={"SLOW_OPERATION_SECONDS": "1000"}, expect_success=False)
    assert changes is None
    assert shell.var("SLOW_OPERATION_RESULT") is None
    [hook] = status(sandbox, project)["hooks"]
    assert (hook["state"], hook["exit_code"]) == ("failed", 124)


def test_user_feedback(sandbox):
    project = copy_example(sandbox, "user-feedback")
    shell, changes = enter(sandbox, project)
    assert changes == added("API_KEY", "DB_PASSWORD")
    assert shell.var("API_KEY") == b"fake-api-key-0001"
    assert shell.var("DB_PASSWORD") == b"fake-db-password-0001"
    description = "Fetching secrets from vault (may take 10-15s)"
    assert [hook["description"] for hook in status(sandbox, project)["hooks"]] == [description]
    assert description in sandbox.hookctl("status", "--verbose", cwd=project).stdout


@pytest.mark.parametrize("down, token, method", [
    ("", b"primary-fake-token-0001", b"primary"),
    ("primary", b"secondary-fake-token-0001", b"secondary"),
    ("primary secondary", b"", b"none"),
], ids=["primary", "secondary", "none"])
def test_graceful_failure(sandbox, down, token, method):
    project = copy_example(sandbox, "graceful-failure")
    shell, changes = enter(sandbox, project, env={"STANDIN_AUTH_DOWN": down})
    assert changes == added("AUTH_TOKEN", "AUTH_METHOD")
    assert shell.var("AUTH_TOKEN") == token
    assert shell.var("AUTH_METHOD") == method
    assert hook_states(sandbox, project) == {"onEnter.1": "succeeded"}
    logs = sandbox.hookctl("logs", cwd=project).stdout
    assert ("# Authentication failed, using anonymous access" in logs) == (method == b"none"), logs


def test_cached_results(sandbox):
    cache = sandbox.root / "cache" / "auth"
    cache.parent.mkdir()
    fresh = b"cached-results-fresh-token-0001"
    fresh_line = "export AUTH_TOKEN=cached-results-fresh-token-0001\n"
    projects = {label: copy_example(sandbox, "cached-results", f"cached-results-{label}")
                for label in ["empty", "valid", "expired"]}
    for project in projects.values():
        sandbox.allow(project)
    sandbox.env["AUTH_CACHE_FILE"] = str(cache)
    shell = sandbox.shell("bash", extra_rc=background_rc("bash"))

    # No cache: a new token is fetched, loaded and cached (for its owner only).
    shell.cd(projects["empty"])
    assert finish(sandbox, shell, projects["empty"]) == added("AUTH_TOKEN")
    assert shell.var("AUTH_TOKEN") == fresh
    assert cache.read_text() == fresh_line
    assert cache.stat().st_mode & 0o777 == 0o600
    shell.cd(sandbox.root)

    # A cache younger than an hour is what loads.
    cache.write_text("export AUTH_TOKEN=token-from-the-cache\n")
    shell.cd(projects["valid"])
    assert finish(sandbox, shell, projects["valid"]) == added("AUTH_TOKEN")
    assert shell.var("AUTH_TOKEN") == b"token-from-the-cache"
    shell.cd(sandbox.root)

    # An older one is replaced by a new token.
    two_hours_ago = time.time() - 7200
    os.utime(cache, (two_hours_ago, two_hours_ago))
    shell.cd(projects["expired"])
    assert finish(sandbox, shell, projects["expired"]) == added("AUTH_TOKEN")
    assert shell.var("AUTH_TOKEN") == fresh
    assert cache.read_text() == fresh_line


def test_dev_setup(sandbox):
    project = copy_example(sandbox, "dev-setup")
    shell, changes = enter(sandbox, project)
    assert changes == added("DEV_DEPS_DIR", "DEV_CERT_FILE", "DATABASE_URL")
    assert shell.var("DATABASE_URL") == b"postgres://dev@localhost:5432/dev"
    deps = Path(shell.var("DEV_DEPS_DIR").decode())
    cert = Path(shell.var("DEV_CERT_FILE").decode())
    assert deps.samefile(project / ".dev/deps") and cert.samefile(project / ".dev/certs/dev.pem")
    assert sorted(path.name for path in deps.iterdir()) == ["is-even@1.0.0", "left-pad@1.3.0"]
    assert "BEGIN CERTIFICATE" in cert.read_text()
    [hook] = status(sandbox, project)["hooks"]
    assert (hook["description"], hook["state"]) == ("Setting up development environment", "succeeded")
    logs = sandbox.hookctl("logs", cwd=project).stdout
    assert "fetched left-pad@1.3.0" in logs and "created a certificate for localhost" in logs, logs


@pytest.mark.parametrize("ci", [None, "true"], ids=["outside-ci", "in-ci"])
def test_ci(sandbox, ci):
    project = copy_example(sandbox, "ci")
    shell, changes = enter(sandbox, project, env={"CI": ci} if ci else None)
    if ci:
        assert changes == added("CI_DEPLOY_TOKEN")
        assert shell.var("CI_DEPLOY_TOKEN") == b"ci-fake-deploy-token-0001"
        assert hook_states(sandbox, project) == {"onEnter.1": "succeeded"}
    else:
        assert changes == {"~PATH"}
        assert shell.var("CI_DEPLOY_TOKEN") is None
        assert hook_states(sandbox, project) == {"onEnter.1": "skipped"}


def test_multi_cloud(sandbox, shell_kind):
    project = copy_example(sandbox, "multi-cloud")
    shell, changes = enter(sandbox, project, shell_kind)
    assert changes == added(
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_REGION",
        "GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDSDK_CORE_PROJECT", "AWS_CONFIG_FILE", "CLOUDSDK_CONFIG")
    assert shell.var("AWS_ACCESS_KEY_ID") == b"AKIAFAKEMULTICLOUD01"
    assert shell.var("AWS_SECRET_ACCESS_KEY") == b"fake-multi-cloud-secret-access-key"
    assert shell.var("AWS_PROFILE") == b"dev"
    assert shell.var("AWS_REGION") == b"eu-west-1"
    assert shell.var("GOOGLE_OAUTH_ACCESS_TOKEN") == b"ya29.fake-gcloud-access-token"
    assert shell.var("CLOUDSDK_CORE_PROJECT") == b"fake-gcp-project"
    assert hook_states(sandbox, project) == {"aws": "succeeded", "gcp": "succeeded", "onEnter.3": "succeeded"}

    # setup-cloud-configs.sh ran after both and wrote what they exported.
    aws_config = Path(shell.var("AWS_CONFIG_FILE").decode())
    gcloud_config = Path(shell.var("CLOUDSDK_CONFIG").decode())
    assert aws_config.samefile(project / ".cloud/aws-config")
    assert gcloud_config.samefile(project / ".cloud/gcloud")
    assert aws_config.read_text() == "[profile dev]\nregion = eu-west-1\n"
    assert (gcloud_config / "properties").read_text() == "[core]\nproject = fake-gcp-project\n"
    assert_project_path_first(shell, project)
