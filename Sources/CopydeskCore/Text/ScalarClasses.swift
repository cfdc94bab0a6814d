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
