import CFFmpeg

/// A time base or frame rate, as FFmpeg's `AVRational`.
public struct Rational: Sendable, Equatable, CustomStringConvertible {
    public var numerator: Int32
    public var denominator: Int32

    public init(_ numerator: Int32, _ denominator: Int32) {
        self.numerator = numerator
        self.denominator = denominator
    }

    init(_ r: AVRational) { self.init(r.num, r.den) }

    var av: AVRational { AVRational(num: numerator, den: denominator) }

    /// True when both terms are positive, i.e. FFmpeg actually knew the value.
    public var isValid: Bool { numerator > 0 && denominator > 0 }

    public var doubleValue: Double { isValid ? Double(numerator) / Double(denominator) : 0 }

    public var description: String { "\(numerator)/\(denominator)" }
}
