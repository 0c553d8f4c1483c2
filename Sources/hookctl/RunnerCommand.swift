import ArgumentParser
import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The per-shell runner the glue starts in the background; not for users.
struct RunnerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__runner", shouldDisplay: false)

    @Argument(help: "The pid of the shell to serve.")
    var shellPID: Int32

    func run() throws {
        // Off the terminal: its own session, nothing printed, no signal from the terminal or the shell's job control.
        setsid()
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE] { Glibc.signal(signal, SIG_IGN) }
        let null = open("/dev/null", O_RDWR)
        if null >= 0 {
            for fd: Int32 in 0...2 { dup2(null, fd) }
            if null > 2 { close(null) }
        }
        ShellEventRunner(context: try ProcessContext.current()).run(shellPID: shellPID, runnerPID: getpid())
    }
}
