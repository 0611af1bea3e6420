import Foundation
import Stream

/// Defaults for GAN frames above 1440p, where memory rather than speed is what runs out: one frame at a
/// time (all cores on it) and 384-pixel tiles.
///
/// Why: a GAN worker holds its frame as float input and blended output (100 MB each at 4K) plus the
/// network's working memory for one tile (about 0.45 GB at 512² tiles, 0.25 GB at 384²). Measured on a
/// 36-frame 3840×2160 clip, 2 cores (`/usr/bin/time` peak RSS; the ffmpeg x264 peer alone is 1.0 GB):
/// two workers with 512 tiles 2.69 GB, one worker 1.62 GB, one worker with 384 tiles 1.41 GB, at about
/// 25 % less speed than two workers. `--threads` and `--tile` override each choice.
enum LargeFramePolicy {
    /// Frames with more pixels than this count as large.
    static let pixelsAbove = 2560 * 1440
    static let tile = 384
    static let standardTile = 512

    static func isLarge(_ video: VideoStreamInfo?, method: Method) -> Bool {
        guard method == .gan, let video else { return false }
        return video.width * video.height > pixelsAbove
    }

    /// Pipeline workers when `--threads` is not given. A still image is one frame: a second worker would
    /// only idle while holding half the cores' convolution threads, so it gets one worker with all cores.
    static func workers(for video: VideoStreamInfo?, method: Method) -> Int {
        if video?.isImage == true { return 1 }
        return isLarge(video, method: method) ? 1 : ProcessInfo.processInfo.activeProcessorCount
    }

    /// GAN tile size when `--tile` is not given.
    static func tile(for video: VideoStreamInfo?, method: Method) -> Int {
        isLarge(video, method: method) ? tile : standardTile
    }
}
