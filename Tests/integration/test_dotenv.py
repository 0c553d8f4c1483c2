"""Dotenv files: parsed by hookctl (never executed), loaded byte-exact into
bash, zsh and fish with the project environment, covered by the approval,
reloaded when edited, and refused with FILE:LINE when they are wrong."""

import time

from conftest import hookctl_messages, wait_done

BOM = "\ufeff"

# The cases other tools disagree on, each with what hookctl loads.
DOTENV = (
    BOM
    + "# a comment line\r\n"
    + "PLAIN=plain value\r\n"
    + "export EXPORTED=with export prefix\n"
    + "TRAILING=value # a comment after a blank\n"
    + "HASH=a#b\n"
    + "SINGLE='$HOME stays, \\n stays, # stays'\n"
    + 'DOUBLE="tab\\there\\nnewline \\"quoted\\" \\$literal"\n'
    + 'MULTI="first line\nsecond line"\n'
    + "SINGLE_MULTI='one\ntwo'\n"
    + "REF=${PLAIN}/$EXPORTED\n"
    + 'QUOTED_REF="<${HASH}>"\n'
    + "DEFAULT=${UNSET_ANYWHERE:-fallback}\n"
    + "SUBST=$(touch ran) `touch ran2`\n"
    + "UNICODE=héllo ✓\n"
    + "EMPTY=\n"
)

EXPECTED = {
    "PLAIN": b"plain value",
    "EXPORTED": b"with export prefix",
    "TRAILING": b"value",
    "HASH": b"a#b",
    "SINGLE": b"$HOME stays, \\n stays, # stays",
    "DOUBLE": b'tab\there\nnewline "quoted" $literal',
    "MULTI": b"first line\nsecond line",
    "SINGLE_MULTI": b"one\ntwo",
    "REF": b"plain value/with export prefix",
    "QUOTED_REF": b"<a#b>",
    "DEFAULT": b"fallback",
    "SUBST": b"$(touch ran) `touch ran2`",
    "UNICODE": "héllo ✓".encode(),
    "EMPTY": b"",
}


def dotenv_project(sandbox, name="dotenv", dotenv=DOTENV, hooks=""):
    project = sandbox.project(name, """
        [env]
        PLAIN = "replaced by .env"
        FROM_TOML = "toml"

        [settings]
        dotenv = [".env", { path = ".env.local", required = false }]
    """ + hooks, {})
    (project / ".env").write_bytes(dotenv.encode())
    return project


def test_dotenv_values_load_byte_exact(sandbox, shell_kind):
    project = dotenv_project(sandbox)
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    for name, value in EXPECTED.items():
        assert shell.var(name) == value, name
    assert shell.var("FROM_TOML") == b"toml"
    assert not (project / "ran").exists() and not (project / "ran2").exists()
    shell.cd(sandbox.root)
    assert shell.var("PLAIN") is None and shell.var("MULTI") is None


def test_hooks_see_dotenv_values(sandbox):
    project = dotenv_project(sandbox, dotenv="DB_HOST=db.local\n", hooks="""
        [[hooks.onEnter]]
        command = "sh"
        args = ["-c", "echo export DB_URL=postgres://$DB_HOST/app"]
        source = true
    """)
    sandbox.allow(project)
    shell = sandbox.shell("bash")
    shell.cd(project)
    assert wait_done(sandbox, project).returncode == 0
    shell.run("")
    assert shell.var("DB_URL") == b"postgres://db.local/app"


def test_editing_a_dotenv_file_asks_again_then_reloads(sandbox, shell_kind):
    project = dotenv_project(sandbox, dotenv="VALUE=one\n")
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shell.cd(project)
    assert shell.var("VALUE") == b"one"
    time.sleep(0.01)
    (project / ".env").write_text("VALUE=two\n")
    shown = hookctl_messages(shell.run(""))
    assert any("not allowed" in line for line in shown), shown
    assert shell.var("VALUE") is None
    assert sandbox.hookctl("allow", cwd=project).returncode == 0
    shell.run("")
    assert shell.var("VALUE") == b"two"
    # Creating the optional file is noticed too.
    (project / ".env.local").write_text("VALUE=local\n")
    shown = hookctl_messages(shell.run(""))
    assert any("not allowed" in line for line in shown), shown
    sandbox.allow(project)
    shell.run("")
    assert shell.var("VALUE") == b"local"


def test_a_bad_dotenv_line_loads_nothing_and_names_its_line(sandbox, shell_kind):
    project = dotenv_project(sandbox, dotenv='GOOD=1\nBROKEN="never closed\n')
    sandbox.allow(project)
    shell = sandbox.shell(shell_kind)
    shown = hookctl_messages(shell.cd(project))
    assert shown == [".env:2: the double quote opened here is never closed; fix .env and the project loads at the next prompt"
                     .join(["hookctl: ", ""])], shown
    assert shell.var("GOOD") is None and shell.var("FROM_TOML") is None
    # Fixed (and allowed again), it loads at the next prompt.
    (project / ".env").write_text('GOOD=1\nBROKEN="closed"\n')
    sandbox.allow(project)
    shell.run("")
    assert shell.var("BROKEN") == b"closed"


def test_a_missing_required_dotenv_file_is_an_error(sandbox):
    project = sandbox.project("missing", """
        [settings]
        dotenv = [".env.required"]
    """, {})
    sandbox.allow(project)
    shell = sandbox.shell("bash")
    shown = hookctl_messages(shell.cd(project))
    assert len(shown) == 1 and shown[0].startswith("hookctl: .env.required: the file does not exist"), shown
    loaded = sandbox.hookctl("load", cwd=project)
    assert loaded.returncode == 1 and ".env.required: the file does not exist" in loaded.stderr
    assert shell.var("HOOKCTL_DIR") is None
