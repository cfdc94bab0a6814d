public import Foundation
internal import Crypto

/// Hex SHA-256 digests, as copydesk stores and prints them.
public enum SHA256Digest {
    /// The lowercase hex SHA-256 of raw bytes.
    public static func hex(of bytes: some DataProtocol) -> String {
        hexString(SHA256.hash(data: bytes))
    }

    /// The lowercase hex SHA-256 of a string's UTF-8 bytes.
    public static func hex(of string: String) -> String {
        var string = string
        return string.withUTF8 { hexString(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// Lowercase hex of digest bytes (no hashing).
    static func hexString(_ digest: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// SHA-256 over data that arrives in chunks (a file too large to hold in memory).
public struct StreamingSHA256: Sendable {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    /// The lowercase hex digest of everything added.
    public func finalizeHex() -> String {
        SHA256Digest.hexString(hasher.finalize())
    }
}
