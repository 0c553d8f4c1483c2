import HookEngine

/// Draws one line per running hook with its elapsed seconds and the latest
/// message line it printed, redrawn in place, and the key hint. `TERM=dumb` gets plain lines printed only when
/// something changes; `NO_COLOR` drops the colors.
struct ProgressDisplay {
    static let hint = "[b] background  [c] cancel"
    private static let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    private let plain: Bool
    private let color: Bool
    private var drawnLines = 0
    private var frame = 0
    private var lastPlainText: String?

    init(environment: EnvironmentMap) {
        plain = environment["TERM"].map { String(decoding: $0, as: UTF8.self) == "dumb" } ?? true
        color = !plain && environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    /// Replaces what was drawn with the current state of `runs`.
    mutating func draw(_ runs: [HookRunRecord], now: Int64, width: Int, on terminal: TerminalSession) {
        let active = runs.filter { $0.state == .running }
        let waiting = runs.filter { $0.state == .pending }.count
        if plain {
            let text = "hookctl: running " + active.map(Self.label).joined(separator: ", ") + " (\(Self.hint))"
            guard text != lastPlainText else { return }
            lastPlainText = text
            terminal.write(truncate(text, width) + "\n")
            return
        }
        frame += 1
        var lines = active.map { run -> String in
            let seconds = max(0, now - (run.startedAt ?? now)) / 1000
            let spin = Self.spinner[frame % Self.spinner.count]
            let said = run.latestMessage.map { "  " + TerminalText.sanitized($0) } ?? ""
            let text = truncate("  \(spin) \(run.description)  \(seconds)s\(said)", width)
            return color ? "\u{1b}[36m" + text + "\u{1b}[0m" : text
        }
        if waiting > 0 { lines.append(truncate("    \(waiting) more waiting", width)) }
        let hint = truncate("  \(Self.hint)", width)
        lines.append(color ? "\u{1b}[2m" + hint + "\u{1b}[0m" : hint)
        terminal.write(erasure() + "\u{1b}[?25l" + lines.map { $0 + "\n" }.joined())
        drawnLines = lines.count
    }

    private static func label(_ run: HookRunRecord) -> String {
        run.latestMessage.map { "\(run.description) (\(TerminalText.sanitized($0)))" } ?? run.description
    }

    /// Removes what was drawn and shows the cursor again.
    mutating func clear(on terminal: TerminalSession) {
        guard !plain else { return }
        terminal.write(erasure() + "\u{1b}[?25h")
        drawnLines = 0
    }

    private func erasure() -> String {
        drawnLines > 0 ? "\r\u{1b}[\(drawnLines)A\u{1b}[J" : "\r\u{1b}[J"
    }

    /// `text` cut to fit in `width` columns, so a narrow terminal never wraps.
    private func truncate(_ text: String, _ width: Int) -> String {
        let limit = max(4, width - 1)
        return text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
