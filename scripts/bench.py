#!/usr/bin/env python3
"""make bench: hookctl's speed budgets, each measured next to its
reference in the same run and printed as a ratio. Machines are shared and
noisy: read the ratios, not the absolute numbers."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = os.environ.get("HOOKCTL_BIN") or str(Path(__file__).resolve().parents[1] / ".build/release/hookctl")
# Another hookctl build (say, main before a change) measured in the same run, for before/after ratios.
BASELINE = os.environ.get("HOOKCTL_BASELINE_BIN")
# The bash builtin as `make builtin` leaves it; its rows are left out when it is not built.
BUILTIN = os.environ.get("HOOKCTL_BUILTIN") or str(Path(__file__).resolve().parents[1] / ".build/bash-builtin/hookctl.so")
HAVE_BUILTIN = Path(BUILTIN).is_file()
DIRENV = shutil.which("direnv")
HYPERFINE = shutil.which("hyperfine")


def sandbox():
    root = Path(tempfile.mkdtemp(prefix="hookctl-bench-"))
    (root / "home").mkdir()
    env = {**os.environ, "HOME": str(root / "home"), "HOOKCTL_STATE_DIR": str(root / "state"),
           "XDG_CONFIG_HOME": str(root / "home/.config"), "XDG_DATA_HOME": str(root / "home/.local/share"),
           "HOOKCTL_QUIET": "1", "DIRENV_LOG_FORMAT": ""}
    for name in ("HOOKCTL_DIR", "HOOKCTL_DIFF", "DIRENV_DIR", "DIRENV_DIFF", "DIRENV_WATCHES", "DIRENV_FILE"):
        env.pop(name, None)
    return root, env


def project(root: Path, name: str, toml: str) -> Path:
    directory = root / name
    directory.mkdir()
    (directory / "hookctl.toml").write_text(toml)
    (directory / ".envrc").write_text("export BENCH_VALUE=1\n")
    return directory


def bash(script: str, env, cwd) -> str:
    return subprocess.run(["bash", "--noprofile", "--norc", "-c", script], env=env, cwd=cwd,
                          capture_output=True, text=True, check=True).stdout


def prompt_hooks():
    """bash code that sets $hook to one no-op prompt: the empty function, the
    glue, and the builtin as PROMPT_COMMAND calls it (when it is built)."""
    hooks = {
        "empty": "_f() { return $?; }; hook=_f",
        "hookctl": f'eval "$("{BIN}" shell init bash)"; hook=_hookctl_hook',
    }
    if HAVE_BUILTIN:
        hooks["builtin"] = (f'eval "$(HOOKCTL_BASH_BUILTIN={BUILTIN} "{BIN}" shell init bash)"; '
                            '[[ -n $_hookctl_native ]] || exit 1; hook="builtin hookctl __prompt"')
    return hooks


def noop_prompt(root, env, directory):
    """Seconds per prompt where nothing changed, inside a loaded project: the
    glue of each hookctl build, the builtin as PROMPT_COMMAND calls it,
    direnv's hook, and an empty prompt function."""
    loops = {"empty": 20000, "hookctl": 20000, "direnv": 300}
    setup = {**prompt_hooks(), "direnv": 'eval "$(direnv hook bash)"; hook=_direnv_hook'}
    if BASELINE:
        loops["baseline"] = 20000
        setup["baseline"] = f'eval "$("{BASELINE}" shell init bash)"; hook=_hookctl_hook'
    if HAVE_BUILTIN:
        loops["builtin"] = 20000
    result = {}
    for tool, count in loops.items():
        check = "" if tool == "empty" else '[[ $BENCH_VALUE == 1 ]] || { echo "not loaded" >&2; exit 1; }'
        script = f"""{setup[tool]}
            $hook; $hook
            start=$EPOCHREALTIME
            for ((i = 0; i < {count}; i++)); do $hook; done
            end=$EPOCHREALTIME
            {check}
            echo "$start $end" """
        start, end = map(float, bash(script, env, directory).split())
        result[tool] = (end - start) / count
    return result


def prompt_instructions(env, directory):
    """Instructions per no-op prompt (callgrind counts them the same on a
    busy machine as on an idle one), for the empty function, the glue and
    the builtin: the difference between 500 prompts and none. System calls
    count as one instruction each here, so the time rows stay the reference."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        return {}
    result = {}
    for tool, code in prompt_hooks().items():
        counts = []
        for loops in (0, 500):
            script = f"{code}\n$hook; $hook\nfor ((i = 0; i < {loops}; i++)); do $hook; done\n"
            run = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", "--trace-children=no",
                                  "bash", "--noprofile", "--norc", "-c", script],
                                 env=env, cwd=directory, capture_output=True, text=True, check=True)
            # The shell's own count: the command substitution's child reports one too.
            counts.append(max(int(line.split()[-1]) for line in run.stderr.splitlines() if "Collected :" in line))
        result[tool] = (counts[1] - counts[0]) / 500
    return result


def builtin_entry(root, env, directory):
    """Seconds per project entry (and per leave) through the builtin: the
    pair `cd project; prompt; cd ..; prompt`, halved. The hooks have run, so
    entering applies their environment without starting anything."""
    count = 2000
    script = f"""eval "$(HOOKCTL_BASH_BUILTIN={BUILTIN} "{BIN}" shell init bash)"
        [[ -n $_hookctl_native ]] || exit 1
        cd ..; _hookctl_hook; cd "{directory}"; _hookctl_hook
        [[ $BENCH_VALUE == 1 ]] || {{ echo "not loaded" >&2; exit 1; }}
        start=$EPOCHREALTIME
        for ((i = 0; i < {count}; i++)); do cd ..; _hookctl_hook; cd "{directory}"; _hookctl_hook; done
        end=$EPOCHREALTIME
        [[ $BENCH_VALUE == 1 ]] || {{ echo "not loaded" >&2; exit 1; }}
        echo "$start $end" """
    start, end = map(float, bash(script, env, directory).split())
    return (end - start) / (2 * count)


def command_line_cost(root, env):
    """Seconds per command line in each shell, outside any project, with no
    hook configured and with one afterCommand hook: what the glue does
    between Enter and the next prompt (bash: PS0's expansion and the
    prompt function; zsh: preexec and precmd; fish: the preexec and
    postexec handlers). The runner is left out (a live pid stands in for
    it): it works beside the shell, not in its way."""
    hooks = Path(env["XDG_CONFIG_HOME"]) / "hookctl/hooks/afterCommand.d"
    count = 5000
    scripts = {
        "bash": (["bash", "--noprofile", "--norc", "-c"], f"""eval "$("{BIN}" shell init bash)"
            _hookctl_runner_pid=$$; set -o history; history -s ': bench'
            start=$EPOCHREALTIME
            for ((i = 0; i < {count}; i++)); do : "${{PS0@P}}"; _hookctl_hook; done
            end=$EPOCHREALTIME
            echo "$start $end" """),
        "bash builtin": (["bash", "--noprofile", "--norc", "-c"], f"""eval "$(HOOKCTL_BASH_BUILTIN={BUILTIN} "{BIN}" shell init bash)"
            [[ -n $_hookctl_native ]] || exit 1
            _hookctl_runner_pid=$$; set -o history; history -s ': bench'
            start=$EPOCHREALTIME
            for ((i = 0; i < {count}; i++)); do : "${{PS0@P}}"; builtin hookctl __prompt; done
            end=$EPOCHREALTIME
            echo "$start $end" """),
        "zsh": (["zsh", "-f", "-c"], f"""eval "$("{BIN}" shell init zsh)"
            _hookctl_runner_pid=$$; zmodload zsh/datetime
            start=$EPOCHREALTIME
            for ((i = 0; i < {count}; i++)); do for f in $preexec_functions; do $f ': bench'; done; for f in $precmd_functions; do $f; done; done
            end=$EPOCHREALTIME
            echo "$start $end" """),
        "fish": (["fish", "--no-config", "-c"], f"""{BIN} shell init fish | source
            set -g _hookctl_runner_pid $fish_pid
            set -l start (date +%s%N)
            for i in (seq {count})
                emit fish_preexec ': bench'; emit fish_postexec ': bench'; emit fish_prompt
            end
            set -l end (date +%s%N)
            echo $start $end"""),
    }
    result = {}
    for configured in (False, True):
        if configured:
            hooks.mkdir(parents=True, exist_ok=True)
            (hooks / "10-bench.sh").write_text("#!/bin/sh\n")
            (hooks / "10-bench.sh").chmod(0o755)
        for shell, (argv, script) in scripts.items():
            if not shutil.which(argv[0]) or shell == "bash builtin" and not HAVE_BUILTIN:
                continue
            out = subprocess.run([*argv, script], env=env, cwd=root, capture_output=True, text=True, check=True).stdout.split()
            start, end = float(out[-2]), float(out[-1])
            seconds = (end - start) / (1e9 if shell == "fish" else 1) / count
            result[(shell, configured)] = seconds
    shutil.rmtree(Path(env["XDG_CONFIG_HOME"]) / "hookctl", ignore_errors=True)
    for spool in (Path(env["HOOKCTL_STATE_DIR"]) / "shells").glob("*.events*"):
        spool.unlink()
    return result


FIVE_RULES = "".join(
    f'[[intercept]]\nmatch = "{glob}"\naction = "cancel"\n\n'
    for glob in ["git push*--force*", "kubectl *", "terraform *", "rm -rf /*", "docker system prune*"])


def enter_cost(root, env):
    """Seconds the glue spends at Enter on a line (`make test`) that five glob
    rules do not match, per shell, next to an empty function call. Without
    rules nothing is bound, so Enter costs nothing extra."""
    config = Path(env["XDG_CONFIG_HOME"]) / "hookctl"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(FIVE_RULES)
    count = 5000
    scripts = {
        "bash": (["bash", "--noprofile", "--norc", "-c"], f"""eval "$("{BIN}" shell init bash)"
            (( ${{#_hookctl_rules[@]}} == 30 )) || exit 1
            _f() {{ return 0; }}
            start=$EPOCHREALTIME
            for ((i = 0; i < {count}; i++)); do _f 'make test'; done
            middle=$EPOCHREALTIME
            for ((i = 0; i < {count}; i++)); do _hookctl_intercept 'make test'; done
            end=$EPOCHREALTIME
            echo "$start $middle $end" """),
        "zsh": (["zsh", "-f", "-c"], f"""eval "$("{BIN}" shell init zsh)"
            (( $#_hookctl_rules == 30 )) || exit 1
            zmodload zsh/datetime
            _f() {{ return 0 }}
            start=$EPOCHREALTIME
            for ((i = 0; i < {count}; i++)); do _f 'make test'; done
            middle=$EPOCHREALTIME
            for ((i = 0; i < {count}; i++)); do _hookctl_intercept 'make test'; done
            end=$EPOCHREALTIME
            echo "$start $middle $end" """),
        "fish": (["fish", "--no-config", "-c"], f"""{BIN} shell init fish | source
            test (count $_hookctl_rules) -eq 30; or exit 1
            function _f; return 0; end
            set -l start (date +%s%N)
            for i in (seq {count}); _f 'make test'; end
            set -l middle (date +%s%N)
            for i in (seq {count}); _hookctl_intercept 'make test'; end
            set -l end (date +%s%N)
            echo $start $middle $end"""),
    }
    result = {}
    for shell, (argv, script) in scripts.items():
        if not shutil.which(argv[0]):
            continue
        out = subprocess.run([*argv, script], env=env, cwd=root, capture_output=True, text=True, check=True).stdout.split()
        start, middle, end = (float(value) / (1e9 if shell == "fish" else 1) for value in out[-3:])
        result[shell] = ((middle - start) / count, (end - middle) / count)
    shutil.rmtree(config, ignore_errors=True)
    return result


def hyperfine(commands: dict, env, cwd, runs=200):
    """Mean seconds per run of each command, one hyperfine run for all."""
    out = Path(cwd) / "hyperfine.json"
    subprocess.run([HYPERFINE, "-N", "--warmup", str(min(20, runs - 1)), "--runs", str(runs), "--export-json", str(out), *commands.values()],
                   env=env, cwd=cwd, check=True, capture_output=True)
    means = {r["command"]: r["mean"] for r in json.loads(out.read_text())["results"]}
    return {name: means[command] for name, command in commands.items()}


def export_process(root, env, directory):
    """`hookctl export bash` vs `direnv export bash` inside a loaded project."""
    environment = bash(f"""eval "$("{BIN}" shell init bash)"; _hookctl_hook
        eval "$(direnv hook bash)"; _direnv_hook
        env -0""", env, directory)
    loaded = dict(entry.split("=", 1) for entry in environment.split("\0") if "=" in entry)
    loaded["HOOKCTL_SHELL_PID"] = str(os.getpid())
    return hyperfine(export_commands(), loaded, directory)


def export_commands() -> dict:
    commands = {"hookctl": f"{BIN} export bash", "direnv": f"{DIRENV} export bash"}
    if BASELINE:
        commands["baseline"] = f"{BASELINE} export bash"
    return commands


def big_status(root, env):
    """`status --json` of a project with 1,000 hooks in one graph."""
    hooks = "".join(f'[[hooks.onEnter]]\nid = "h{i}"\ncommand = "true"\n'
                    + (f'dependsOn = ["h{i - 1}"]\n' if i % 10 else "") + "\n" for i in range(1000))
    directory = project(root, "thousand", hooks)
    subprocess.run([BIN, "allow", str(directory)], env=env, check=True, capture_output=True)
    commands = {"hookctl": f"{BIN} status --json"}
    if BASELINE:
        commands["baseline"] = f"{BASELINE} status --json"
    return hyperfine(commands, env, directory, runs=3)


def parallel_hooks(root, env):
    hooks = "".join(f'[[hooks.onEnter]]\nid = "h{i}"\ncommand = "sleep"\nargs = ["1"]\n\n' for i in range(10))
    directory = project(root, "parallel", hooks)
    subprocess.run([BIN, "allow", str(directory)], env=env, check=True, capture_output=True)
    start = time.monotonic()
    subprocess.run([BIN, "load", str(directory)], env=env, check=True, capture_output=True)
    status = subprocess.run([BIN, "status", str(directory), "--wait", "--json"], env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    report = json.loads(status.stdout)
    assert report["execution"]["state"] == "completed", report
    serial = sum(hook["duration_ms"] for hook in report["hooks"]) / 1000
    return elapsed, serial


def concurrent_callers(root, env):
    toml = '[[hooks.onEnter]]\nid = "slow"\ncommand = "sleep"\nargs = ["4"]\npreload = true\n'
    directory = project(root, "concurrent", toml)
    subprocess.run([BIN, "allow", str(directory)], env=env, check=True, capture_output=True)
    callers = []
    for index in range(50):
        argv = [BIN, "export", "bash"] if index % 2 == 0 else [BIN, "status", "--json"]
        caller_env = {**env, "HOOKCTL_SHELL_PID": str(4_000_000 + index), "HOOKCTL_MODE": "background"}
        callers.append(subprocess.Popen(argv, env=caller_env, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        stdin=subprocess.DEVNULL))
    time.sleep(0.5)
    supervisors = subprocess.run(["pgrep", "-f", "__supervise"], capture_output=True, text=True).stdout.split()
    ours = [pid for pid in supervisors if str(root) in Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")]
    errors = 0
    for caller in callers:
        _, stderr = caller.communicate(timeout=60)
        if caller.returncode != 0 or b"failed" in stderr or b"database" in stderr:
            errors += 1
    executions = subprocess.run([BIN, "status", str(directory), "--wait", "--json"], env=env, capture_output=True, text=True)
    state = json.loads(executions.stdout)["execution"]["state"]
    return errors, len(ours), state


def main():
    if not (DIRENV and HYPERFINE):
        sys.exit("make bench needs direnv and hyperfine (apt-get install -y direnv hyperfine)")
    root, env = sandbox()
    try:
        loaded = project(root, "loaded", '[env]\nBENCH_VALUE = "1"\n')
        subprocess.run([BIN, "allow", str(loaded)], env=env, check=True, capture_output=True)
        subprocess.run([DIRENV, "allow", str(loaded)], env=env, check=True, capture_output=True)
        outside = root / "outside"
        outside.mkdir()

        prompt = noop_prompt(root, env, loaded)
        instructions = prompt_instructions(env, loaded)
        export_loaded = export_process(root, env, loaded)
        export_outside = hyperfine(export_commands(), {**env, "HOOKCTL_SHELL_PID": str(os.getpid())}, outside)
        status_big = big_status(root, env)
        # direnv entering: `direnv export bash` in the project with nothing loaded yet.
        direnv_entry = hyperfine({"direnv": f"{DIRENV} export bash"}, env, loaded)["direnv"]
        entry = builtin_entry(root, env, loaded) if HAVE_BUILTIN else None
        per_command = command_line_cost(root, env)
        at_enter = enter_cost(root, env)
        parallel, serial = parallel_hooks(root, env)
        errors, supervisors, state = concurrent_callers(root, env)

        def before(figures, unit=1e3, suffix="ms"):
            if not BASELINE:
                return ""
            ratio = figures["hookctl"] / figures["baseline"]
            relative = f"{1 / ratio:.0f}x faster" if ratio < 0.1 else f"{ratio:.2f} of it"
            return f"; before {figures['baseline'] * unit:.2f} {suffix}, {relative}"

        rows = [
            ("no-op prompt, bash (per prompt)", f"{prompt['hookctl'] * 1e6:.1f} µs",
             f"empty function {prompt['empty'] * 1e6:.1f} µs, direnv {prompt['direnv'] * 1e3:.2f} ms",
             f"{prompt['hookctl'] / prompt['empty']:.1f}x the empty function (budget: <= 3x), "
             f"{prompt['direnv'] / prompt['hookctl']:.0f}x cheaper than direnv" + before(prompt, 1e6, "µs")),
        ]
        if HAVE_BUILTIN:
            rows += [
                ("no-op prompt, bash builtin", f"{prompt['builtin'] * 1e6:.1f} µs",
                 f"empty function {prompt['empty'] * 1e6:.1f} µs, glue only {prompt['hookctl'] * 1e6:.1f} µs, "
                 f"direnv {prompt['direnv'] * 1e3:.2f} ms",
                 f"{prompt['builtin'] / prompt['empty']:.2f}x the empty function (budget: <= 1.5x), "
                 f"{prompt['builtin'] / prompt['hookctl']:.2f} of the glue's time, "
                 f"{prompt['direnv'] / prompt['builtin']:.0f}x cheaper than direnv"),
                ("entering a project, bash builtin", f"{entry * 1e3:.3f} ms", f"`direnv export bash` {direnv_entry * 1e3:.2f} ms",
                 f"budget: < 0.3 ms; {direnv_entry / entry:.1f}x cheaper than direnv's entry"),
            ]
        if instructions:
            rows.append(("no-op prompt, bash, instructions", f"{instructions['hookctl'] / 1e3:.0f}k",
                         f"empty function {instructions['empty'] / 1e3:.0f}k",
                         f"{instructions['hookctl'] / instructions['empty']:.1f}x the empty function (callgrind: repeatable on a busy machine)"))
            if "builtin" in instructions:
                rows.append(("no-op prompt, bash builtin, instructions", f"{instructions['builtin'] / 1e3:.0f}k",
                             f"empty function {instructions['empty'] / 1e3:.0f}k",
                             f"{instructions['builtin'] / instructions['empty']:.2f}x the empty function, "
                             f"{instructions['hookctl'] / instructions['builtin']:.1f}x fewer than the glue"))
        for shell in ("bash", "bash builtin", "zsh", "fish"):
            if (shell, True) not in per_command:
                continue
            none, one = per_command[(shell, False)], per_command[(shell, True)]
            rows.append((f"a command line, {shell}, one afterCommand hook", f"{one * 1e6:.1f} µs", f"no hook {none * 1e6:.1f} µs",
                         f"{(one - none) * 1e6:.1f} µs added, {one / none:.2f}x (budget: no fork, <= 30 µs added)"))
        for shell, (empty, rules) in at_enter.items():
            rows.append((f"Enter, {shell}, five glob rules (none match)", f"{rules * 1e6:.1f} µs",
                         f"no rules: nothing bound; empty function {empty * 1e6:.1f} µs",
                         f"{rules * 1e6:.1f} µs added, {rules / empty:.1f}x an empty function (budget: no fork, <= 30 µs added)"))
        rows += [
            ("`export bash`, loaded project", f"{export_loaded['hookctl'] * 1e3:.2f} ms", f"direnv {export_loaded['direnv'] * 1e3:.2f} ms",
             f"{export_loaded['hookctl'] / export_loaded['direnv']:.2f} of direnv's time (budget: <= 0.7)" + before(export_loaded)),
            ("`export bash`, outside any project", f"{export_outside['hookctl'] * 1e3:.2f} ms", f"direnv {export_outside['direnv'] * 1e3:.2f} ms",
             f"{export_outside['hookctl'] / export_outside['direnv']:.2f} of direnv's time (budget: <= 0.7)" + before(export_outside)),
            ("`status --json`, 1,000 hooks", f"{status_big['hookctl'] * 1e3:.2f} ms", "-",
             "budget: < 50 ms" + before(status_big)),
            ("ten independent 1 s hooks", f"{parallel:.2f} s", f"serial {serial:.2f} s",
             f"{serial / parallel:.1f}x faster than serial (budget: done within 1.2 s)"),
            ("50 concurrent export/status calls", f"{errors} errors, {supervisors} supervisor", "-",
             f"execution {state} (budget: 0 errors, 1 supervisor)"),
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        print(f"{'what'.ljust(widths[0])}  {'hookctl'.ljust(widths[1])}  {'reference'.ljust(widths[2])}  ratio")
        for row in rows:
            print(f"{row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2].ljust(widths[2])}  {row[3]}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
