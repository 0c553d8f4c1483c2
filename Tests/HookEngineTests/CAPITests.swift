import Foundation
import Testing

@testable import HookEngine

@Suite("C API")
struct CAPITests {
    @Test func versionMatchesTheEngine() {
        #expect(String(cString: hookengine_version()) == HookEngineInfo.version)
    }

    @Test func unknownShellFailsWithAMessage() {
        var messages: UnsafeMutablePointer<CChar>?
        let code = hookengine_export("tcsh", getpid(), &messages)
        defer { hookengine_free(messages) }
        #expect(code == nil)
        #expect(String(cString: messages!).contains("unsupported shell 'tcsh'"))
    }

    @Test func exportOutsideAProjectPrintsNothing() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("hookctl-capi-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        setenv("HOOKCTL_STATE_DIR", state.path, 1)
        defer { unsetenv("HOOKCTL_STATE_DIR") }
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath("/")
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        var messages: UnsafeMutablePointer<CChar>?
        let code = hookengine_export("bash", 4_000_123, &messages)
        defer { hookengine_free(code); hookengine_free(messages) }
        #expect(code.map { String(cString: $0) } == "")
        #expect(messages.map { String(cString: $0) } == "")
    }
}
