import Foundation

/// An exclusive advisory lock on a file (flock), held until `unlock()` or process exit, so processes
/// started together do the same one-time work once.
final class FileLock {
    private let descriptor: Int32

    init(path: String) throws(PipelineError) {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .outputFailed(path, reason: "cannot open lock file: \(String(cString: strerror(errno)))") }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw .outputFailed(path, reason: "cannot lock: \(reason)")
            }
        }
    }

    func unlock() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
