import ArgumentParser
import Stream

/// `--motion-gate/--no-motion-gate`: on video, keep the GAN's change only where the frame moved.
struct MotionGateFlags: ParsableArguments {
    // Measured on held-out real footage (docs/gan.md "Motion gate"): +0.2-0.3 dB, no split worse beyond 0.01 dB.
    @Flag(inversion: .prefixedNo, help: """
        On video, keep the GAN's change only where the picture moved against the frames before and after \
        (motion blur needs motion): static backgrounds and still shots pass as decoded instead of having their \
        noise sharpened. Delays the output by one frame. Stills, and the classical methods (whose PSF may be \
        defocus), are not gated.
        """)
    var motionGate = true

    /// `factory` with its processors wrapped in the gate, when the flag is on and the method is the GAN, a
    /// motion-deblurring model. Stills are left alone by the gate itself: they have no neighbours.
    func wrap(_ factory: @escaping @Sendable () throws -> any FrameProcessor,
              method: Method) -> @Sendable () throws -> any FrameProcessor {
        guard motionGate, method == .gan else { return factory }
        return { MotionGatedProcessor(try factory()) }
    }
}
