extension Unicode.Scalar {
    /// White space by Unicode, answered without a property lookup for ASCII (the common case).
    var isSpaceLike: Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return properties.isWhitespace
    }

    /// An invisible formatting character (general category Cf: zero-width space, soft hyphen, BOM,
    /// bidi marks). ASCII has none.
    var isFormatCharacter: Bool {
        value >= 0x80 && properties.generalCategory == .format
    }
}

extension StringProtocol {
    /// Without white space (any Unicode white space, line breaks included) at either end: what
    /// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` gives, without its bridge.
    func trimmingSpace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isSpaceLike }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isSpaceLike }) ?? first
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first ... last])
        return String(kept)
    }
}
