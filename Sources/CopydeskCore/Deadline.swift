/// The time one file may take to normalize, checked cooperatively.
///
/// Swift cannot stop a running function from outside, so the normalizer's long loops (the libxml2
/// parse, the tree walks and scoring passes, the splitting of plain text) call ``check()`` as they
/// go; past the end it throws a rejection (``CopydeskError/Code/timedOut``) whose reason states the
/// limit. A check reads the monotonic clock; loops call ``check(every:_:)`` to pay for that only
/// once per few thousand iterations.
public struct Deadline: Sendable, Hashable {
    /// How long the file may take, for the reason of the rejection.
    public let limit: Duration
    /// When the time is up; `nil`: never.
    public let end: ContinuousClock.Instant?

    /// A deadline `limit` from `start`.
    public init(limit: Duration, from start: ContinuousClock.Instant = .now) {
        self.limit = limit
        self.end = start + limit
    }

    private init() {
        limit = .zero
        end = nil
    }

    /// No time limit.
    public static let never = Deadline()

    /// Whether the time is up.
    public var hasPassed: Bool {
        guard let end else { return false }
        return ContinuousClock.now >= end
    }

    /// The rejection of a file that took too long: "took longer than 30 s to normalize".
    public var error: CopydeskError {
        CopydeskError(.timedOut, "took longer than \(Self.format(limit)) to normalize")
    }

    /// Throws ``error`` once the time is up.
    public func check() throws(CopydeskError) {
        if hasPassed { throw error }
    }

    /// Checks once every 4096 values of `iteration` (a loop counter).
    @inline(__always)
    public func check(every iteration: Int) throws(CopydeskError) {
        if iteration & 0xFFF == 0, end != nil { try check() }
    }

    /// "30 s", "0.05 s", "1.5 s": seconds without trailing zeros.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var text = "\(seconds)"
        // Up to three decimals (milliseconds), without trailing zeros.
        var milliseconds = Int(attoseconds / 1_000_000_000_000_000)
        if milliseconds > 0 {
            var digits = 3
            while milliseconds % 10 == 0 {
                milliseconds /= 10
                digits -= 1
            }
            let fraction = String(milliseconds)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text + " s"
    }
}
