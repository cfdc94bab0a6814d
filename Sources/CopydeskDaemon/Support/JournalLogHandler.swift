public import Logging
#if canImport(Glibc)
internal import Glibc
#endif

/// A swift-log handler that writes one line per event to stderr, in a form the journal reads well.
///
/// Under systemd (`$JOURNAL_STREAM` set) each line starts with the syslog priority in angle brackets
/// (`<6>`), which journald turns into the entry's priority, and carries no timestamp (the journal
/// has its own). On a terminal or in a file, lines start with an ISO 8601 time and the level.
/// Newlines inside a message are escaped, so that one event is always one line.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let journal: Bool
    /// Whether each line starts by clearing the terminal line (where a progress bar may be drawn).
    private let clearsLine: Bool

    public init(label: String, level: Logger.Level, journal: Bool, clearsLine: Bool = false) {
        self.label = label
        self.logLevel = level
        self.journal = journal
        self.clearsLine = clearsLine
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: Logging.LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        var line = Self.format(
            level: event.level, label: label, message: event.message.description, metadata: merged, journal: journal)
        if !journal { line = Timestamp.now() + " " + line }
        if clearsLine { line = "\r\u{1B}[K" + line }
        line += "\n"
        _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }

    /// One event as one line: `<6>label: message key=value` for the journal, `info label: message
    /// key=value` otherwise (the caller adds the time).
    public static func format(
        level: Logger.Level, label: String, message: String, metadata: Logger.Metadata, journal: Bool
    ) -> String {
        var line = journal ? "<\(priority(level))>" : "\(level) "
        line += "\(label): \(oneLine(message))"
        if !metadata.isEmpty {
            line += " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(quoted(oneLine("\($0.value)")))" }
                .joined(separator: " ")
        }
        return line
    }

    /// A metadata value as one token: quoted when it holds spaces or quotes.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        return "\"" + value.replacingQuotes() + "\""
    }

    /// The syslog priority of a level (`sd-daemon(3)`).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func oneLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return text.replacingNewlines()
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var out = ""
        for character in self {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }

    fileprivate func replacingNewlines() -> String {
        var out = ""
        for character in self {
            switch character {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\r\n": out += "\\r\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
