#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A question on the terminal, answered with a line on stdin.
enum Prompt {
    /// The answer, or `default` on an empty line or the end of input.
    static func ask(_ question: String, default answer: String) -> String {
        fputs(question, stderr)
        fflush(stderr)
        guard let line = readLine(), !line.isEmpty else { return answer }
        return line
    }
}
