#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The `[notify]` message for a command line that ran long, sent by the
/// runner: on the shell's terminal as OSC 777 and OSC 9 (which draw nothing
/// and move no cursor), a bell where neither is understood; or through a command.
struct CommandNotification {
    let line: String
    let exitCode: Int32
    let durationMilliseconds: Int64

    var title: String { exitCode == 0 ? "hookctl: command finished" : "hookctl: command failed (exit \(exitCode))" }
    var body: String { "\(Self.printable(line, limit: 200)) took \(Self.seconds(durationMilliseconds))" }

    func deliver(_ delivery: NotifySettings.Delivery, shellPID: Int32, environment: EnvironmentMap) {
        switch delivery {
        case .terminal:
            guard let terminal = Self.terminal(of: shellPID) else { return }
            let fd = open(terminal, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { return }
            POSIX.writeAll(fd, sequence(environment: environment))
            close(fd)
        case .command(let command):
            var environment = environment
            environment["HOOKCTL_NOTIFY_TITLE"] = Bytes(title.utf8)
            environment["HOOKCTL_NOTIFY_BODY"] = Bytes(body.utf8)
            let directory = environment["HOOKCTL_PWD"].map { String(decoding: $0, as: UTF8.self) }.flatMap { POSIX.isDirectory($0) ? $0 : nil }
            guard let executable = HookProcesses().resolve(command[0], directory: directory ?? "/", environment: environment) else { return }
            _ = try? ProcessRunner.run(
                executable, Array(command.dropFirst()), environment: environment, directory: directory, timeoutMilliseconds: 10_000)
        }
    }

    /// The bytes for the terminal `environment` describes.
    func sequence(environment: EnvironmentMap) -> Bytes {
        guard Self.understandsNotifications(environment) else { return [0x07] }
        let title = Self.printable(self.title, limit: 80).replacingAll(";", with: ",")
        let body = Self.printable(self.body, limit: 240)
        return Bytes("\u{1B}]777;notify;\(title);\(body)\u{07}\u{1B}]9;\(title): \(body)\u{07}".utf8)
    }

    /// Terminals known to show OSC 777 or OSC 9 notifications.
    static func understandsNotifications(_ environment: EnvironmentMap) -> Bool {
        let value = { (name: String) in environment[name].map { String(decoding: $0, as: UTF8.self) } ?? "" }
        if ["iTerm.app", "WezTerm", "ghostty", "Tabby"].contains(value("TERM_PROGRAM")) { return true }
        if !value("VTE_VERSION").isEmpty || !value("KITTY_WINDOW_ID").isEmpty || !value("WT_SESSION").isEmpty { return true }
        let term = value("TERM")
        return ["foot", "rxvt", "xterm-kitty", "xterm-ghostty", "wezterm", "contour"].contains { term.hasPrefix($0) }
    }

    /// The terminal shell `pid` reads from, when it has one.
    static func terminal(of pid: Int32) -> String? {
        guard let path = POSIX.realPath("/proc/\(pid)/fd/0"), path.hasPrefix("/dev/pts/") || path.hasPrefix("/dev/tty") else { return nil }
        return path
    }

    /// `text` on one line without control characters, at most `limit` characters.
    static func printable(_ text: String, limit: Int) -> String {
        let flat = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) ? " " : Character($0) })
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }

    static func seconds(_ milliseconds: Int64) -> String {
        milliseconds < 60_000 ? "\((Double(milliseconds) / 1000).oneDecimal) s" : "\(milliseconds / 60_000) min \(milliseconds % 60_000 / 1000) s"
    }
}
