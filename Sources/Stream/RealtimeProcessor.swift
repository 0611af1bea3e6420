import Dispatch

/// `--realtime`: runs `inner` only as far as the shared scheduler says the frame's deadline allows.
///
/// Downscaled frames go through `inner` at the reduced size and only the correction `inner` made
/// (restored − input, at that size) is upscaled and added to the full-resolution frame: the input's own
/// fine detail stays, where upscaling the restored picture would blur every such frame.
public struct RealtimeProcessor: FrameProcessor {
    public var inner: any FrameProcessor
    public let scheduler: RealtimeScheduler

    public init(_ inner: any FrameProcessor, scheduler: RealtimeScheduler) {
        self.inner = inner
        self.scheduler = scheduler
    }

    public var name: String { inner.name }
    public var temporalRadius: Int { inner.temporalRadius }

    public mutating func process(_ frame: Frame) throws -> Frame {
        guard case .process(let scale) = scheduler.decide(for: frame) else { return frame }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let result = scale == 1 ? try inner.process(frame) : try processDownscaled(frame, scale: scale)
        scheduler.record(scale: scale, seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        return result
    }

    private mutating func processDownscaled(_ frame: Frame, scale: Double) throws -> Frame {
        let w = frame.width, h = frame.height
        let sw = max(1, Int((Double(w) * scale).rounded())), sh = max(1, Int((Double(h) * scale).rounded()))
        let small = FrameResize.bilinear(frame.pixels, width: w, height: h, to: sw, sh)
        var reduced = Frame(width: sw, height: sh, pixels: small, pts: frame.pts, index: frame.index)
        reduced.neighbours = frame.neighbours.map {
            PackedFrame(Frame(width: sw, height: sh,
                              pixels: FrameResize.bilinear($0.unpacked().pixels, width: w, height: h, to: sw, sh)))
        }
        let restored = try inner.process(reduced)
        guard restored.width == sw, restored.height == sh else {
            throw PipelineError.processorChangedSize(frameIndex: frame.index, method: inner.name,
                                                     expected: "\(sw)x\(sh)", got: "\(restored.width)x\(restored.height)")
        }
        var correction = restored.pixels
        for i in correction.indices { correction[i] -= small[i] }
        let upscaled = FrameResize.bilinear(correction, width: sw, height: sh, to: w, h)
        var out = frame
        for i in out.pixels.indices { out.pixels[i] = min(1, max(0, out.pixels[i] + upscaled[i])) }
        return out
    }
}
