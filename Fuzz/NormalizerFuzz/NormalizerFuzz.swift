// libFuzzer target over the whole normalizer: bytes in, an article or a rejection out.
//
// Whatever the bytes, `Normalizer.normalizeItems` must return items or throw a rejection: never crash, never
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
        for item in try Normalizer().normalizeItems(bytes) {
            switch item {
            case .success(let article):
                // Only an agency's status notice (a withdrawal naming an item) may carry no text.
                precondition(
                    !article.paragraphs.isEmpty || (article.wire?.id != nil && article.wire?.status != "usable"),
                    "an article without paragraphs")
                precondition(article.paragraphs.allSatisfy { !$0.isEmpty }, "an empty paragraph")
                precondition(article.contentSHA256.utf8.count == 64, "a malformed content hash")
                precondition(!article.charset.isEmpty, "no charset")
            case .failure(let error):
                check(error)
            }
        }
    } catch {
        check(error)
    }
    return 0
}

/// A rejection must say what kind it is and why.
private func check(_ error: CopydeskError) {
    precondition(error.code.isRejection, "normalize threw a non-rejection: \(error)")
    precondition(!error.message.isEmpty, "a rejection without a reason")
}
