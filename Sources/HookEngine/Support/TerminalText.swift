/// Text that is safe to write to a terminal: what hookctl prints may echo
/// a directory name, a config key or a hook's output, and an escape sequence
/// in one of them could clear the screen or set the clipboard (OSC 52).
public enum TerminalText {
    /// `text` with every C0 and C1 control character and DEL shown as `?`.
    public static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { result.append(isControl(scalar) ? "?" : scalar) }
        return String(result)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
