import CReadline
import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The write end of the pipe that turns signals into key-loop events.
nonisolated(unsafe) private var terminalSignalPipe: Int32 = -1

/// The user's terminal (`/dev/tty`) in single-key mode for the progress
/// display. Readline saves and restores the terminal settings; `restore()`
/// runs on every way out, signals included.
final class TerminalSession {
    /// What the user asked for, or what happened to the terminal.
    enum Event: Equatable {
        case key(UInt8)
        /// SIGINT: treated like `c`.
        case interrupt
        /// SIGTERM or SIGHUP: leave the hooks running and give the terminal back.
        case hangup
    }

    let fd: Int32
    private let input: UnsafeMutablePointer<FILE>
    private let output: UnsafeMutablePointer<FILE>
    private var signalPipe: [Int32] = [-1, -1]
    private var previousHandlers: [Int32: sighandler_t?] = [:]
    private var restored = false

    /// Opens the controlling terminal; nil when there is none.
    init?() {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0, isatty(fd) != 0, let input = fdopen(fd, "r"), let output = fdopen(dup(fd), "w") else {
            if fd >= 0 { close(fd) }
            return nil
        }
        self.fd = fd
        self.input = input
        self.output = output
        pipe(&signalPipe)
        for end in signalPipe { _ = fcntl(end, F_SETFD, FD_CLOEXEC); _ = fcntl(end, F_SETFL, O_NONBLOCK) }
        terminalSignalPipe = signalPipe[1]
        for number in [SIGINT, SIGTERM, SIGHUP] {
            previousHandlers[number] = signal(number) { received in
                var byte = UInt8(truncatingIfNeeded: received)
                _ = Glibc.write(terminalSignalPipe, &byte, 1)
            }
        }
        creadline_prepare_terminal(input, output)
        var settings = termios()
        if tcgetattr(fd, &settings) == 0 {
            settings.c_lflag &= ~tcflag_t(ISIG)
            tcsetattr(fd, TCSANOW, &settings)
        }
    }

    deinit {
        restore()
    }

    /// Gives the terminal back as it was and puts the signal handlers back.
    func restore() {
        guard !restored else { return }
        restored = true
        creadline_restore_terminal()
        for (number, handler) in previousHandlers { signal(number, handler) }
        terminalSignalPipe = -1
        signalPipe.forEach { close($0) }
        fclose(output)
        fclose(input)
    }

    /// Whether keys are waiting to be read (in single-key mode, so a half
    /// typed line counts too).
    var hasPendingInput: Bool {
        var count: Int32 = 0
        return ioctl(fd, UInt(FIONREAD), &count) == 0 && count > 0
    }

    /// The terminal's width in columns (80 when it cannot tell).
    var columns: Int {
        var size = winsize()
        return ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }

    func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            bytes = bytes.dropFirst(count)
        }
    }

    /// The next key or signal within `milliseconds`, or nil.
    func nextEvent(within milliseconds: Int32) -> Event? {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: signalPipe[0], events: Int16(POLLIN), revents: 0)]
        guard poll(&fds, 2, milliseconds) > 0 else { return nil }
        var byte: UInt8 = 0
        if fds[1].revents != 0 && read(signalPipe[0], &byte, 1) == 1 {
            return Int32(byte) == SIGINT ? .interrupt : .hangup
        }
        if fds[0].revents & Int16(POLLIN) != 0 && read(fd, &byte, 1) == 1 {
            return .key(byte)
        }
        if fds[0].revents & Int16(POLLHUP | POLLERR) != 0 { return .hangup }
        return nil
    }
}
