import Testing

@testable import HookEngine

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

@Suite struct FingerprintTests {
    private static let config = """
        [[hooks.onEnter]]
        id = "auth"
        command = "./auth.sh"

        [[hooks.onEnter]]
        id = "shell"
        command = "sh"
        args = ["-c", "true"]

        [[hooks.onExit]]
        command = "./stop.sh"
        dir = "scripts"
        """

    /// A project with hookctl.toml, auth.sh, scripts/stop.sh and an unrelated notes.txt.
    private func makeProject() throws -> String {
        let root = try TestSupport.makeTemporaryDirectory()
        try TestSupport.write(root + "/hookctl.toml", Self.config)
        try TestSupport.write(root + "/auth.sh", "#!/bin/sh\necho export A=1\n", mode: 0o755)
        try POSIX.makeDirectories(root + "/scripts", mode: 0o755)
        try TestSupport.write(root + "/scripts/stop.sh", "#!/bin/sh\nexit 0\n", mode: 0o755)
        try TestSupport.write(root + "/notes.txt", "notes\n")
        return root
    }

    @Test func loadIsDeterministic() throws {
        let root = try makeProject()
        defer { TestSupport.remove(root) }
        let project = try Project.load(root: root)
        #expect(project.root == root)
        #expect(project.realRoot == root)
        #expect(project.fingerprint.count == 64)
        #expect(project.fingerprint.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(try Project.load(root: root).fingerprint == project.fingerprint)
    }

    @Test func hashesOnlyScriptsInsideTheProject() throws {
        let root = try makeProject()
        defer { TestSupport.remove(root) }
        let project = try Project.load(root: root)
        #expect(Fingerprint.projectScripts(project.config, realRoot: root) == [root + "/auth.sh", root + "/scripts/stop.sh"])
    }

    @Test func changesWhenTheConfigChanges() throws {
        let root = try makeProject()
        defer { TestSupport.remove(root) }
        let before = try Project.load(root: root).fingerprint
        try TestSupport.write(root + "/hookctl.toml", Self.config + "\n# a comment\n")
        #expect(try Project.load(root: root).fingerprint != before)
        try TestSupport.write(root + "/hookctl.toml", Self.config)
        #expect(try Project.load(root: root).fingerprint == before)
    }

    @Test func changesWhenAProjectScriptChanges() throws {
        let root = try makeProject()
        defer { TestSupport.remove(root) }
        let before = try Project.load(root: root).fingerprint
        try TestSupport.write(root + "/auth.sh", "#!/bin/sh\necho export A=2\n", mode: 0o755)
        let edited = try Project.load(root: root).fingerprint
        #expect(edited != before)
        try TestSupport.write(root + "/scripts/stop.sh", "#!/bin/sh\nexit 1\n", mode: 0o755)
        #expect(try Project.load(root: root).fingerprint != edited)
    }

    @Test func staysWhenAnUnrelatedFileChanges() throws {
        let root = try makeProject()
        defer { TestSupport.remove(root) }
        let before = try Project.load(root: root).fingerprint
        try TestSupport.write(root + "/notes.txt", "other notes\n")
        try TestSupport.write(root + "/sh", "not the sh on PATH\n", mode: 0o755)
        #expect(try Project.load(root: root).fingerprint == before)
    }

    @Test func aCommandOnPathIsNotHashed() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        let text = "[[hooks.onEnter]]\ncommand = \"sh\"\n\n[[hooks.onEnter]]\ncommand = \"/bin/sh\"\n"
        try TestSupport.write(root + "/hookctl.toml", text)
        let project = try Project.load(root: root)
        #expect(Fingerprint.projectScripts(project.config, realRoot: root).isEmpty)
        var hasher = SHA256()
        hasher.update(root)
        hasher.update([0])
        hasher.update(Bytes(text.utf8))
        #expect(project.fingerprint == hasher.finalize())
    }

    @Test func aScriptOutsideTheProjectIsNotHashed() throws {
        let parent = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(parent) }
        let root = parent + "/project"
        try POSIX.makeDirectories(root, mode: 0o755)
        try TestSupport.write(parent + "/outside.sh", "#!/bin/sh\n", mode: 0o755)
        try TestSupport.write(root + "/hookctl.toml", "[[hooks.onEnter]]\ncommand = \"../outside.sh\"\n")
        let before = try Project.load(root: root)
        #expect(Fingerprint.projectScripts(before.config, realRoot: root).isEmpty)
        try TestSupport.write(parent + "/outside.sh", "#!/bin/sh\nexit 1\n", mode: 0o755)
        #expect(try Project.load(root: root).fingerprint == before.fingerprint)
    }

    @Test func theRealRootIsHashed() throws {
        let parent = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(parent) }
        let first = parent + "/one"
        let second = parent + "/two"
        for root in [first, second] {
            try POSIX.makeDirectories(root, mode: 0o755)
            try TestSupport.write(root + "/hookctl.toml", "[env]\nA = \"1\"\n")
        }
        #expect(try Project.load(root: first).fingerprint != Project.load(root: second).fingerprint)

        let link = parent + "/link"
        #expect(symlink(first, link) == 0)
        let viaLink = try Project.load(root: link)
        #expect(viaLink.root == link)
        #expect(viaLink.realRoot == first)
        #expect(try viaLink.fingerprint == Project.load(root: first).fingerprint)
    }

    @Test func findWalksUpToTheRoot() throws {
        let root = try makeProject()
        defer { TestSupport.remove(root) }
        let project = try Project.find(from: root + "/scripts")
        #expect(project.root == root)
        let outside = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(outside) }
        #expect(throws: HookctlError.noProject(directory: outside)) { try Project.find(from: outside) }
    }
}
