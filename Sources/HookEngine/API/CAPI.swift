#if canImport(Glibc)
@preconcurrency import Glibc
#endif

// The C API declared in CShims/include/hookengine.h, for hosts such as a
// bash loadable builtin. Strings cross the boundary as malloc'd copies.

@_cdecl("hookengine_version")
public func hookengine_version() -> UnsafePointer<CChar> {
    UnsafeRawPointer(HookEngineInfo.versionLiteral.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("hookengine_export")
public func hookengine_export(
    _ shell: UnsafePointer<CChar>?, _ shellPID: Int32, _ messages: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> UnsafeMutablePointer<CChar>? {
    do {
        let kind = try ShellKind(name: shell.map { String(cString: $0) } ?? "")
        let request = ExportRequest(
            shell: kind, shellPID: shellPID, directory: try Engine.workingDirectory(), environment: Environment.current())
        let result = try Engine().export(request)
        messages?.pointee = strdup(result.messages.map { "hookctl: \($0)\n" }.joined())
        return (result.code + [0]).withUnsafeBufferPointer { strdup(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self)) }
    } catch {
        messages?.pointee = strdup("hookctl: \(error)\n")
        return nil
    }
}

@_cdecl("hookengine_free")
public func hookengine_free(_ string: UnsafeMutablePointer<CChar>?) {
    free(string)
}
