/// The one error type of copydesk: what went wrong, with which file, and why.
///
/// A `CopydeskError` either rejects an input (``Code/isRejection``: the file is not an article copydesk
/// can take, and is quarantined with this reason) or reports a failure of copydesk itself (I/O,
/// catalog), after which the file stays where it was.
public struct CopydeskError: Error, Sendable, Hashable {
    /// What kind of failure this is; stable across releases, usable in scripts.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Value: String, Hashable, Sendable {
            case emptyInput = "empty"
            case binaryInput = "binary"
            case undecodable = "undecodable"
            case noText = "no-text"
            case notAnArticle = "not-an-article"
            case tooLarge = "too-large"
            case timedOut = "timed-out"
            case parseFailed = "parse-failed"
            case unsupportedInput = "unsupported"
            case ioFailed = "io-failed"
            case storeFailed = "store-failed"
            case storeUnavailable = "store-unavailable"
            case storeDamaged = "store-damaged"
            case storeNotReady = "store-not-ready"
            case usage = "usage"
        }

        fileprivate var value: Value

        /// The file holds no bytes, or only whitespace.
        public static let emptyInput = Code(value: .emptyInput)
        /// The bytes are not text (an image, an archive, NUL bytes, control characters).
        public static let binaryInput = Code(value: .binaryInput)
        /// The bytes claim an encoding they do not follow.
        public static let undecodable = Code(value: .undecodable)
        /// The input decoded but holds no article text.
        public static let noText = Code(value: .noText)
        /// The input is a page of another kind than an article: a section front (a list of
        /// teasers of other stories, with no article of its own).
        public static let notAnArticle = Code(value: .notAnArticle)
        /// The file is larger than the size cap.
        public static let tooLarge = Code(value: .tooLarge)
        /// Normalizing the file took longer than the time limit (`--file-timeout`).
        public static let timedOut = Code(value: .timedOut)
        /// The markup could not be parsed at all.
        public static let parseFailed = Code(value: .parseFailed)
        /// Something copydesk does not take (a symlink, a FIFO, a device).
        public static let unsupportedInput = Code(value: .unsupportedInput)
        /// Reading, writing or moving a file failed.
        public static let ioFailed = Code(value: .ioFailed)
        /// The catalog could not be read or written.
        public static let storeFailed = Code(value: .storeFailed)
        /// The catalog cannot be written for now: another process holds its lock, its disk is full
        /// or read-only, an I/O error. Files wait in the Inbox and are tried again.
        public static let storeUnavailable = Code(value: .storeUnavailable)
        /// The catalog file is damaged (corrupted, or not a catalog at all). copydesk leaves it as it
        /// is and stops: only an operator can restore it.
        public static let storeDamaged = Code(value: .storeDamaged)
        /// The catalog is being created or migrated (by a starting daemon): a reader can try again
        /// in a moment.
        public static let storeNotReady = Code(value: .storeNotReady)
        /// The command line was wrong.
        public static let usage = Code(value: .usage)

        /// Whether this code rejects the input (a decision about the file) rather than reporting
        /// a failure of copydesk (after which the file is left in place and tried again).
        public var isRejection: Bool {
            switch value {
            case .emptyInput, .binaryInput, .undecodable, .noText, .notAnArticle, .tooLarge, .timedOut,
                .parseFailed, .unsupportedInput:
                true
            case .ioFailed, .storeFailed, .storeUnavailable, .storeDamaged, .storeNotReady, .usage:
                false
            }
        }

        public var description: String { value.rawValue }
    }

    public var code: Code
    /// A sentence for people, without the path.
    public var message: String
    /// The file the error is about, when there is one.
    public var path: String?
    /// A lower-level error description (errno text, SQLite message), when there is one.
    public var cause: String?

    public init(_ code: Code, _ message: String, path: String? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    /// The same error, attributed to a file.
    public func at(_ path: String) -> CopydeskError {
        var copy = self
        copy.path = path
        return copy
    }

    /// The reason without the file name, as a rejection event records it.
    public var reason: String {
        if let cause { "\(message): \(cause)" } else { message }
    }

    /// One line for the journal and the terminal: the file, then the reason.
    public func detailedDescription() -> String {
        if let path { "\(path): \(reason)" } else { reason }
    }
}

extension CopydeskError: CustomStringConvertible {
    public var description: String { detailedDescription() }
}
