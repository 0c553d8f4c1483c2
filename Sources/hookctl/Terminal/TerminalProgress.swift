import HookEngine

/// The engine's progress observer on the user's terminal: the progress
/// display, and `b`, `c` or Ctrl-C read as single keys.
final class TerminalProgress: ProgressObserver {
    private let environment: EnvironmentMap
    private var terminal: TerminalSession?
    private var display: ProgressDisplay

    init(environment: EnvironmentMap) {
        self.environment = environment
        display = ProgressDisplay(environment: environment)
    }

    /// Takes the terminal, unless the person is already typing: keys typed
    /// before the display appears belong to the shell, so then nothing is
    /// drawn and the hooks go on in the background.
    func begin() -> Bool {
        guard let session = TerminalSession() else { return false }
        if session.hasPendingInput {
            session.restore()
            return false
        }
        terminal = session
        return true
    }

    func show(_ runs: [HookRunRecord], now: Int64, waitingUpTo milliseconds: Int32) -> ProgressChoice? {
        guard let terminal else { return nil }
        display.draw(runs, now: now, width: terminal.columns, on: terminal)
        switch terminal.nextEvent(within: milliseconds) {
        case .key(UInt8(ascii: "b")), .key(UInt8(ascii: "B")), .hangup:
            return .background
        case .key(UInt8(ascii: "c")), .key(UInt8(ascii: "C")), .key(3), .interrupt:
            return .cancel
        default:
            return nil
        }
    }

    func end() {
        guard let terminal else { return }
        display.clear(on: terminal)
        terminal.restore()
        self.terminal = nil
    }
}
