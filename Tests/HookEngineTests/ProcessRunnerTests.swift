@preconcurrency import Glibc
import Testing

@testable import HookEngine

@Suite struct ProcessRunnerTests {
    private let environment: EnvironmentMap = ["PATH": Bytes("/usr/bin:/bin".utf8)]

    @Test func aChildGetsDefaultSignalsEvenWhenItsParentIgnoresThem() throws {
        // SIGUSR2 is used nowhere else in the tests; ignored here, the child must still die of it.
        let previous = signal(SIGUSR2, SIG_IGN)
        defer { signal(SIGUSR2, previous) }
        let result = try ProcessRunner.run("/bin/sh", ["-c", "kill -USR2 $$; exit 0"], environment: environment, directory: "/", timeoutMilliseconds: 5_000)
        #expect(result.status == 128 + SIGUSR2)
    }

    @Test func exitCodesStdoutAndStdinComeThrough() throws {
        let result = try ProcessRunner.run(
            "/bin/sh", ["-c", "cat; echo err >&2; exit 3"], environment: environment, directory: "/", input: Bytes("line".utf8),
            timeoutMilliseconds: 5_000)
        #expect(result.status == 3)
        #expect(result.stdout == Bytes("line".utf8))
        #expect(result.stderr == Bytes("err\n".utf8))
    }

    @Test func aChildThatExitsBeforeReadingItsInputDoesNotKillTheHost() throws {
        // Without SIGPIPE blocked around the write, this test process would die here.
        let input = Bytes(repeating: UInt8(ascii: "x"), count: 1 << 20)
        let result = try ProcessRunner.run("/bin/sh", ["-c", "exit 4"], environment: environment, directory: "/", input: input, timeoutMilliseconds: 5_000)
        #expect(result.status == 4)
        var pending = sigset_t()
        sigpending(&pending)
        #expect(sigismember(&pending, SIGPIPE) == 0)
    }

    @Test func theDeadlineKillsAHungChild() throws {
        let result = try ProcessRunner.run("/bin/sh", ["-c", "sleep 5"], environment: environment, directory: "/", timeoutMilliseconds: 100)
        #expect(result.status == nil)
        #expect(!result.overflowed)
    }
}
