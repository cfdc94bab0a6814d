#if canImport(Glibc)
internal import Glibc
#endif
internal import SystemPackage
internal import CopydeskCore

extension CopydeskError {
    /// An I/O failure of `operation` on `path`, with the errno text.
    static func io(_ operation: String, _ path: String, _ errno: Errno) -> CopydeskError {
        CopydeskError(.ioFailed, "cannot \(operation)", path: path, cause: errno.description)
    }
}

/// Calls a C function that returns -1 and sets errno on failure, retrying on EINTR in this one place.
@discardableResult
func valueOrErrno<I: FixedWidthInteger>(retryOnInterrupt: Bool = true, _ body: () -> I) -> Result<I, Errno> {
    while true {
        let value = body()
        if value != -1 { return .success(value) }
        let error = Errno(rawValue: errno)
        if retryOnInterrupt && error == .interrupted { continue }
        return .failure(error)
    }
}
