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

    @Test func coversTheScriptsItsHooksRun() throws {
        let root = try makeProject()
        defer { TestSupport.remove(root) }
        let project = try Project.load(root: root)
        #expect(Fingerprint.coveredFiles(project.config, realRoot: root) == [root + "/auth.sh", root + "/scripts/stop.sh"])
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

    @Test func aCommandOnPathIsNotHashedButANamedPathIs() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        let text = "[[hooks.onEnter]]\ncommand = \"sh\"\n"
        try TestSupport.write(root + "/hookctl.toml", text)
        let project = try Project.load(root: root)
        #expect(Fingerprint.coveredFiles(project.config, realRoot: root).isEmpty)
        var hasher = SHA256()
        hasher.update(root)
        hasher.update([0])
        hasher.update(Bytes(text.utf8))
        #expect(project.fingerprint == hasher.finalize())

        try TestSupport.write(root + "/hookctl.toml", "[[hooks.onEnter]]\ncommand = \"/bin/sh\"\n")
        let named = try Project.load(root: root)
        #expect(Fingerprint.coveredFiles(named.config, realRoot: root) == [POSIX.realPath("/bin/sh")!])
    }

    /// Approves the project as `toml` and `files` describe it, runs `change`, and
    /// expects the fingerprint to change.
    private func expectCovered(
        _ toml: String, files: [String: String], change: (String) throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let parent = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(parent) }
        let root = parent + "/project"
        try POSIX.makeDirectories(root, mode: 0o755)
        try TestSupport.write(root + "/hookctl.toml", toml)
        for (path, content) in files {
            try POSIX.makeDirectories(Path.parent(of: parent + "/" + path), mode: 0o755)
            try TestSupport.write(parent + "/" + path, content, mode: 0o755)
        }
        let before = try Project.load(root: root).fingerprint
        try change(parent)
        #expect(try Project.load(root: root).fingerprint != before, sourceLocation: sourceLocation)
    }

    @Test func coversWhatEveryHookNamesWhereverItIs() throws {
        let edit = { (path: String) in { (parent: String) in try TestSupport.write(parent + "/" + path, "edited\n", mode: 0o755) } }
        // An interpreter's script, with or without a slash.
        try expectCovered(
            "[[hooks.onEnter]]\ncommand = \"sh\"\nargs = [\"scripts/stop.sh\"]\n", files: ["project/scripts/stop.sh": "exit 0\n"],
            change: edit("project/scripts/stop.sh"))
        try expectCovered(
            "[[hooks.onEnter]]\ncommand = \"python3\"\nargs = [\"x.py\"]\n", files: ["project/x.py": "print(1)\n"], change: edit("project/x.py"))
        // A condition's script.
        try expectCovered(
            "[[hooks.onEnter]]\ncommand = \"true\"\ncondition = \"./check.sh && test -n \\\"$X\\\"\"\n",
            files: ["project/check.sh": "exit 0\n"], change: edit("project/check.sh"))
        // A script outside the project, and a dir outside the root.
        try expectCovered(
            "[[hooks.onEnter]]\ncommand = \"../tools/x.sh\"\n", files: ["tools/x.sh": "exit 0\n"], change: edit("tools/x.sh"))
        try expectCovered(
            "[[hooks.onEnter]]\ncommand = \"./x.sh\"\ndir = \"../tools\"\n", files: ["tools/x.sh": "exit 0\n"], change: edit("tools/x.sh"))
        // A command that [env] PATH finds inside the project.
        try expectCovered(
            "[env]\nPATH = \"./bin:$PATH\"\n\n[[hooks.onEnter]]\ncommand = \"git\"\n", files: ["project/bin/git": "exit 0\n"],
            change: edit("project/bin/git"))
        // The project's .d hook directories: a script edited, added or removed.
        let hookScript = ["project/.hookctl/hooks/enter.d/10-a.sh": "exit 0\n"]
        try expectCovered("[env]\nA = \"1\"\n", files: hookScript, change: edit("project/.hookctl/hooks/enter.d/10-a.sh"))
        try expectCovered("[env]\nA = \"1\"\n", files: hookScript, change: edit("project/.hookctl/hooks/enter.d/20-b.sh"))
        try expectCovered(
            "[env]\nA = \"1\"\n", files: hookScript, change: { _ = unlink($0 + "/project/.hookctl/hooks/enter.d/10-a.sh") })
    }

    @Test func inputsGlobsAreCovered() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        try TestSupport.write(root + "/hookctl.toml", "[[hooks.onEnter]]\ncommand = \"make\"\ninputs = [\"scripts/**/*.sh\", \"Makefile\"]\n")
        for path in ["scripts/a.sh", "scripts/deep/er/b.sh", "scripts/notes.txt", "scripts/.hidden.sh", "Makefile", "other.sh"] {
            try POSIX.makeDirectories(Path.parent(of: root + "/" + path), mode: 0o755)
            try TestSupport.write(root + "/" + path, "x\n")
        }
        _ = symlink(root + "/scripts", root + "/scripts/deep/loop")
        let project = try Project.load(root: root)
        #expect(project.coveredFiles == [root + "/Makefile", root + "/scripts/a.sh", root + "/scripts/deep/er/b.sh"])
        try TestSupport.write(root + "/scripts/deep/er/b.sh", "edited\n")
        #expect(try Project.load(root: root).fingerprint != project.fingerprint)
        try TestSupport.write(root + "/scripts/new.sh", "added\n")
        #expect(try Project.load(root: root).coveredFiles.contains(root + "/scripts/new.sh"))
    }

    @Test func aSymlinkRetargetedOutsideTheProjectChangesIt() throws {
        let parent = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(parent) }
        let root = parent + "/project"
        try POSIX.makeDirectories(root, mode: 0o755)
        try TestSupport.write(root + "/hookctl.toml", "[[hooks.onEnter]]\ncommand = \"./link.sh\"\n")
        try TestSupport.write(root + "/real.sh", "exit 0\n", mode: 0o755)
        try TestSupport.write(parent + "/elsewhere.sh", "exit 0\n", mode: 0o755)
        #expect(symlink(root + "/real.sh", root + "/link.sh") == 0)
        let before = try Project.load(root: root).fingerprint
        #expect(unlink(root + "/link.sh") == 0 && symlink(parent + "/elsewhere.sh", root + "/link.sh") == 0)
        #expect(try Project.load(root: root).fingerprint != before, "same bytes, another file")
    }

    @Test func aFileTooLargeToReadAtOnceIsStillReadWhole() throws {
        // Files are hashed in chunks: a 65 MiB executable is no error and no shorter read.
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(directory) }
        let path = directory + "/big"
        try TestSupport.write(path, "")
        let fd = open(path, O_WRONLY)
        var byte: UInt8 = 7
        #expect(pwrite(fd, &byte, 1, 65 << 20) == 1)
        close(fd)
        var total = 0
        var last: UInt8 = 0
        try POSIX.readChunks(path) { chunk in
            total += chunk.count
            last = chunk.last ?? last
            return true
        }
        #expect(total == (65 << 20) + 1 && last == 7)
    }

    @Test func aFileThatCannotBeReadFailsTheFingerprint() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { TestSupport.remove(root) }
        try TestSupport.write(root + "/hookctl.toml", "[[hooks.onEnter]]\ncommand = \"cat\"\nargs = [\"/proc/self/mem\"]\n")
        #expect(throws: HookctlError.self) { try Project.load(root: root) }
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
