#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// An open-file-description lock that a project's supervisor holds for as
/// long as it lives. The kernel drops it when the supervisor dies, however
/// it dies, so "is the lock held" is the liveness test, free of pid reuse.
struct SupervisorLock {
    // From <fcntl.h>; Glibc's module map does not export them without _GNU_SOURCE.
    private static let getLock: Int32 = 36
    private static let setLock: Int32 = 37

    let path: String

    /// Takes the lock without waiting; returns the open descriptor, or nil when someone holds it.
    func acquire() throws -> Int32? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIX.fail(path) }
        var request = Self.request(type: F_WRLCK)
        guard fcntl(fd, Self.setLock, &request) == 0 else {
            close(fd)
            return nil
        }
        // Keep it clear of 0...3 so handing it to a child as descriptor 3 is a real dup2.
        let high = fcntl(fd, F_DUPFD_CLOEXEC, 10)
        close(fd)
        return high
    }

    /// Whether a live process holds the lock.
    var isHeld: Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var request = Self.request(type: F_WRLCK)
        guard fcntl(fd, Self.getLock, &request) == 0 else { return false }
        return request.l_type != Int16(F_UNLCK)
    }

    private static func request(type: Int32) -> flock {
        var request = flock()
        request.l_type = Int16(type)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0
        request.l_pid = 0
        return request
    }
}
