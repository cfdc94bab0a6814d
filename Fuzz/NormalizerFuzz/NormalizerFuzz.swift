// libFuzzer target over the whole normalizer: bytes in, an article or a rejection out.
//
// Whatever the bytes, `Normalizer.normalize` must return or throw a rejection: never crash, never
// touch freed or foreign memory (AddressSanitizer watches what libxml2 hands back), never hang. For
// an article, the invariants the rest of copydesk relies on are checked too.
//
// Build and run with Fuzz/run (see there); an ordinary `swift build` links this target as an
// executable that does nothing.
import CopydeskCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNormalizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let article = try Normalizer().normalize(bytes)
        precondition(!article.paragraphs.isEmpty, "an article without paragraphs")
        precondition(article.paragraphs.allSatisfy { !$0.isEmpty }, "an empty paragraph")
        precondition(article.contentSHA256.utf8.count == 64, "a malformed content hash")
        precondition(!article.charset.isEmpty, "no charset")
    } catch {
        precondition(error.code.isRejection, "normalize threw a non-rejection: \(error)")
        precondition(!error.message.isEmpty, "a rejection without a reason")
    }
    return 0
}
