import Dispatch
import Foundation

/// Decides, frame by frame, how much processing fits before the frame's deadline; shared by the pipeline's workers.
///
/// Frame i is due at `start + (pts_i − pts_0)·timeBase` (or `i·frameInterval` without pts), where `start` is when
/// the input was opened (`init(_:start:)`), else when the first frame was seen: that is when a live source
/// delivers it, and for a file it replays the input at its own rate. Starting at the opening counts what piled
/// up in a live pipe while FFmpeg probed it and the model loaded as lag, so it is worked off instead of delaying
/// every later frame. A frame may take a level (full resolution, then each downscale) if its current lag plus that level's
/// measured cost (EWMA per level) stays within `maxLatency`; otherwise it is passed through. Lag therefore never
/// builds up: slow frames are dropped from processing, never from the output.
public final class RealtimeScheduler: @unchecked Sendable {
    /// Settings of the real-time policy.
    public struct Configuration: Sendable {
        public var mode: RealtimeMode
        /// Seconds between frames (1 / frame rate).
        public var frameInterval: Double
        /// Seconds per pts tick; 0 to schedule by frame index.
        public var timeBase: Double
        /// Largest lag + processing time a frame may have and still be processed.
        public var maxLatency: Double
        /// Internal resolutions tried in `downscale` mode after full resolution.
        public var downscales: [Double] = [0.5, 0.25]

        public init(mode: RealtimeMode, frameInterval: Double, timeBase: Double, maxLatency: Double) {
            self.mode = mode
            self.frameInterval = frameInterval
            self.timeBase = timeBase
            self.maxLatency = maxLatency
        }

        /// Processing scales in order of preference, 1 first.
        var scales: [Double] { mode == .skip ? [1] : [1] + downscales }
    }

    /// What to do with one frame.
    public enum Decision: Equatable, Sendable {
        /// Process at this internal scale (1 = full resolution).
        case process(scale: Double)
        case passThrough
    }

    /// How frames were handled.
    public struct Report: Sendable, Equatable {
        public var frames = 0
        public var fullResolution = 0
        public var downscaled = 0
        public var passedThrough = 0
        /// Share of frames that went through the processor, at any scale.
        public var deblurredShare: Double { frames > 0 ? Double(fullResolution + downscaled) / Double(frames) : 0 }
    }

    public let configuration: Configuration
    private let lock = NSLock()
    private var start: UInt64?
    private var firstPts: Int64?
    private var estimates: [Double?]
    private var report = Report()

    /// How fast a level's cost estimate follows new measurements.
    private let smoothing = 0.25
    /// A level skipped for being too slow has its estimate shrunk by this factor, so it is retried now and then
    /// (after a load spike, say) instead of never again.
    private let retryDecay = 0.99

    /// - Parameter start: the clock's zero (`DispatchTime` uptime nanoseconds), e.g. when the input was opened;
    ///   nil: when the first frame is decided on.
    public init(_ configuration: Configuration, start: UInt64? = nil) {
        self.configuration = configuration
        self.start = start
        estimates = Array(repeating: nil, count: configuration.scales.count)
    }

    public var summary: Report { lock.withLock { report } }

    /// Chooses the scale for `frame`, which is `width`×`height`; scales leaving a side under `minimumSide` are not used.
    public func decide(for frame: Frame, minimumSide: Int = 32) -> Decision {
        return lock.withLock {
            // Read under the lock: a `now` older than a `start` another worker just set would underflow.
            let now = DispatchTime.now().uptimeNanoseconds
            let t0 = start ?? now
            start = t0
            let due: Double
            if let pts = frame.pts, configuration.timeBase > 0 {
                let p0 = firstPts ?? pts
                firstPts = p0
                due = Double(pts - p0) * configuration.timeBase
            } else {
                due = Double(frame.index) * configuration.frameInterval
            }
            let lag = Double(now - t0) / 1e9 - due
            report.frames += 1
            let scales = configuration.scales
            for (level, scale) in scales.enumerated() {
                guard level == 0 || Double(min(frame.width, frame.height)) * scale >= Double(minimumSide) else { continue }
                // An untried level is estimated from full resolution's cost by pixel count (0 if nothing is known: try it).
                let estimate = estimates[level] ?? (estimates[0] ?? 0) * scale * scale
                if lag + estimate <= configuration.maxLatency {
                    if level == 0 { report.fullResolution += 1 } else { report.downscaled += 1 }
                    return .process(scale: scale)
                }
                if let e = estimates[level] { estimates[level] = e * retryDecay }
            }
            report.passedThrough += 1
            return .passThrough
        }
    }

    /// Feeds back how long processing at `scale` took.
    public func record(scale: Double, seconds: Double) {
        lock.withLock {
            guard let level = configuration.scales.firstIndex(of: scale) else { return }
            estimates[level] = estimates[level].map { $0 + smoothing * (seconds - $0) } ?? seconds
        }
    }
}
