public import CopydeskCore

/// Builds one JSON object with its keys in the order they are added, as the command line contract
/// (DESIGN.md) lists them; `null` for absent values.
public struct JSONObject: Sendable {
    private var text = "{"
    private var first = true

    public init() {}

    public mutating func add(_ key: String, _ value: String?) {
        appendKey(key)
        if let value { Self.appendString(value, to: &text) } else { text += "null" }
    }

    public mutating func add(_ key: String, _ value: Int64?) {
        appendKey(key)
        text += value.map(String.init) ?? "null"
    }

    public mutating func add(_ key: String, _ value: Int) {
        appendKey(key)
        text += String(value)
    }

    public mutating func add(_ key: String, _ value: Bool) {
        appendKey(key)
        text += value ? "true" : "false"
    }

    public mutating func add(_ key: String, _ value: Double?) {
        appendKey(key)
        if let value, value.isFinite {
            // Three decimals are what a similarity needs, and keep output stable.
            let rounded = (value * 1000).rounded() / 1000
            text += rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
        } else {
            text += "null"
        }
    }

    /// Adds a nested object (or `null`).
    public mutating func add(_ key: String, _ value: JSONObject?) {
        appendKey(key)
        text += value?.rendered ?? "null"
    }

    /// Adds an array of objects.
    public mutating func add(_ key: String, _ values: [JSONObject]) {
        appendKey(key)
        text += "[" + values.map(\.rendered).joined(separator: ",") + "]"
    }

    /// The object as text, on one line.
    public var rendered: String { text + "}" }

    private mutating func appendKey(_ key: String) {
        if !first { text += "," }
        first = false
        Self.appendString(key, to: &text)
        text += ":"
    }

    /// Appends `value` as a JSON string literal: quotes, backslashes and control characters escaped,
    /// everything else as UTF-8.
    static func appendString(_ value: String, to text: inout String) {
        text += "\""
        var start = value.utf8.startIndex
        let utf8 = value.utf8
        var index = start
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C {
                text += value[start..<index]
                switch byte {
                case 0x22: text += "\\\""
                case 0x5C: text += "\\\\"
                case 0x0A: text += "\\n"
                case 0x0D: text += "\\r"
                case 0x09: text += "\\t"
                default:
                    let hex = String(byte, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        text += value[start..<utf8.endIndex]
        text += "\""
    }
}

extension LogEvent {
    /// The event as `log --json` prints it.
    public var json: JSONObject {
        var object = JSONObject()
        object.add("id", id)
        object.add("time", time)
        object.add("event", kind.rawValue)
        object.add("file", file)
        object.add("article", article)
        object.add("version", version)
        object.add("similarity", similarity)
        object.add("message", message)
        return object
    }
}

extension Article {
    /// The article as `extract --json` prints it, for the file at `path`.
    public func json(path: String) -> JSONObject {
        var object = JSONObject()
        object.add("path", path)
        object.add("format", format.rawValue)
        object.add("charset", charset)
        object.add("title", title)
        object.add("byline", byline)
        object.add("published", published)
        object.add("site", site)
        object.add("url", url)
        object.add("language", language)
        object.add("body", body)
        object.add("content_sha256", contentSHA256)
        return object
    }
}
