public import CopydeskCore

/// Builds one JSON object with its keys in the order they are added, as the command line contract
/// (DESIGN.md) lists them; `null` for absent values.
public struct JSONObject: Sendable {
    /// The object so far as UTF-8, without its closing brace.
    private var bytes: [UInt8] = [0x7B]
    private var first = true

    public init() {}

    public mutating func add(_ key: String, _ value: String?) {
        appendKey(key)
        if let value { Self.appendString(value, to: &bytes) } else { appendASCII("null") }
    }

    public mutating func add(_ key: String, _ value: Int64?) {
        appendKey(key)
        appendASCII(value.map(String.init) ?? "null")
    }

    public mutating func add(_ key: String, _ value: Int) {
        appendKey(key)
        appendASCII(String(value))
    }

    public mutating func add(_ key: String, _ value: Bool) {
        appendKey(key)
        appendASCII(value ? "true" : "false")
    }

    public mutating func add(_ key: String, _ value: Double?) {
        appendKey(key)
        if let value, value.isFinite {
            // Three decimals are what a similarity needs, and keep output stable.
            let rounded = (value * 1000).rounded() / 1000
            appendASCII(rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded))
        } else {
            appendASCII("null")
        }
    }

    /// Adds a nested object (or `null`).
    public mutating func add(_ key: String, _ value: JSONObject?) {
        appendKey(key)
        if let value { value.append(to: &bytes) } else { appendASCII("null") }
    }

    /// Adds an array of strings.
    public mutating func add(_ key: String, _ values: [String]) {
        appendKey(key)
        bytes.append(0x5B)
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            Self.appendString(value, to: &bytes)
        }
        bytes.append(0x5D)
    }

    /// Adds an array of integers.
    public mutating func add(_ key: String, _ values: [Int64]) {
        appendKey(key)
        appendASCII("[" + values.map(String.init).joined(separator: ",") + "]")
    }

    /// Adds an array of objects.
    public mutating func add(_ key: String, _ values: [JSONObject]) {
        appendKey(key)
        bytes.append(0x5B)
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            value.append(to: &bytes)
        }
        bytes.append(0x5D)
    }

    /// The object as text, on one line.
    public var rendered: String {
        var out = bytes
        out.append(0x7D)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the object, as UTF-8 on one line, to `out`.
    public func append(to out: inout [UInt8]) {
        out.append(contentsOf: bytes)
        out.append(0x7D)
    }

    private mutating func appendASCII(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func appendKey(_ key: String) {
        if !first { bytes.append(0x2C) }
        first = false
        Self.appendString(key, to: &bytes)
        bytes.append(0x3A)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `value` as a JSON string literal: quotes, backslashes and control characters escaped,
    /// and the Unicode line separators U+0085, U+2028 and U+2029 too (line-based readers such as
    /// Python's `splitlines()` would break a JSON line at them); everything else as UTF-8.
    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(0x22)
        var value = value
        value.withUTF8 { utf8 in
            out.reserveCapacity(out.count + utf8.count + 16)
            var start = 0
            var index = 0
            let count = utf8.count
            func escape(_ escape: StaticString, length: Int) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start ..< index]))
                out.append(contentsOf: UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
                index += length
                start = index
            }
            while index < count {
                let byte = utf8[index]
                if byte >= 0x20, byte != 0x22, byte != 0x5C, byte != 0xC2, byte != 0xE2 {
                    index += 1
                    continue
                }
                switch byte {
                case 0x22: escape("\\\"", length: 1)
                case 0x5C: escape("\\\\", length: 1)
                case 0x0A: escape("\\n", length: 1)
                case 0x0D: escape("\\r", length: 1)
                case 0x09: escape("\\t", length: 1)
                case 0xC2 where index + 1 < count && utf8[index + 1] == 0x85:
                    escape("\\u0085", length: 2)
                case 0xE2 where index + 2 < count && utf8[index + 1] == 0x80 && utf8[index + 2] == 0xA8:
                    escape("\\u2028", length: 3)
                case 0xE2 where index + 2 < count && utf8[index + 1] == 0x80 && utf8[index + 2] == 0xA9:
                    escape("\\u2029", length: 3)
                case 0x00 ..< 0x20:
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start ..< index]))
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                    index += 1
                    start = index
                default:
                    index += 1
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start ..< count]))
        }
        out.append(0x22)
    }
}

extension IngestEvent {
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
        if let basis { object.add("basis", basis) }
        if let item { object.add("item", Int64(item)) }
        if let story { object.add("story", story) }
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
        object.add("wire", wire.map(Self.json))
        return object
    }

    /// What an agency item declares, as `extract --json` gives it under `wire`.
    static func json(_ wire: WireMetadata) -> JSONObject { wire.jsonObject }
}

extension WireMetadata {
    /// The declared fields as `extract --json` gives them under `wire` (and `show --json` per item).
    public var jsonObject: JSONObject {
        let wire = self
        var object = JSONObject()
        object.add("id", wire.id)
        object.add("version", wire.version)
        object.add("story_key", wire.storyKey)
        object.add("status", wire.status)
        object.add("signals", wire.signals)
        object.add("urgency", wire.urgency.map(Int64.init))
        object.add("embargo", wire.embargo)
        object.add("dateline", wire.dateline)
        object.add(
            "links",
            wire.links.map { link in
                var entry = JSONObject()
                entry.add("rel", link.rel)
                entry.add("id", link.id)
                return entry
            })
        object.add("provider", wire.provider)
        return object
    }
}
