import Foundation
import Stream

/// The frames of a video or image file, or of a directory of images in name order, one at a time
/// (constant memory), for `eval`, `compare` and `--reference`.
///
/// Frames come upright, as players show them: a quarter-turn rotation tag is applied (`FrameRotation`), so an
/// MP4 that keeps the tag and a Matroska file whose frames `deblur` turned compare as the same video.
final class FrameSequence {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp", "ppm", "pgm"]

    let path: String
    /// Image names for a directory, nil for a single file.
    private(set) var names: [String]?
    private var decoder: FrameDecoder?
    /// The turn that shows the video's frames upright.
    private var rotation = FrameRotation.none
    private var position = 0

    init(path: String) throws {
        self.path = path
        var isDir: ObjCBool = false
        // stdin and URLs go straight to FFmpeg, as for `deblur`.
        let isStream = path == "-" || path.contains("://")
        guard isStream || FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CLIFailure(.input, "\(path) does not exist")
        }
        if isDir.boolValue {
            let list: [String]
            do { list = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw CLIFailure(.input, "cannot list \(path): \(error.localizedDescription)")
            }
            let images = list.filter { Self.imageExtensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }.sorted()
            guard !images.isEmpty else { throw CLIFailure(.input, "no images in \(path)") }
            names = images
        } else {
            do { decoder = try FrameDecoder(location: path) } catch { throw CLIFailure(error) }
            rotation = FrameRotation(displayMatrix: decoder?.videoInfo.displayMatrix) ?? .none
        }
    }

    var isDirectory: Bool { names != nil }

    /// The video's stream info; for a directory, that of a still image of unknown size (each image is a still).
    var videoInfo: VideoStreamInfo {
        decoder.map { rotation.applied(to: $0.videoInfo) } ?? VideoStreamInfo(width: 0, height: 0, timeBase: Rational(1, 25), frameRate: Rational(25, 1), isImage: true)
    }

    /// Frame count if the container says so (directories: the image count).
    var expectedCount: Int? { names?.count ?? decoder?.expectedFrameCount }

    /// Keeps only the directory images named in `keep` (for name matching between two directories).
    func restrict(to keep: Set<String>) {
        names = names?.filter { keep.contains($0) }
    }

    /// What the current frame is called in messages: its file name, or `frame N`.
    func label(ofFrame index: Int) -> String {
        if let names, index < names.count { return names[index] }
        return "frame \(index)"
    }

    /// The next frame (index = position in the sequence), or nil at the end.
    func next() throws -> Frame? {
        if let names {
            guard position < names.count else { return nil }
            let file = (path as NSString).appendingPathComponent(names[position])
            let frame: Frame?
            do { frame = try FrameDecoder(location: file).nextFrame() } catch { throw CLIFailure(error) }
            guard var frame else { throw CLIFailure(.input, "\(file): no image") }
            frame.index = position
            position += 1
            return frame
        }
        guard let decoder else { return nil }
        do {
            guard let coded = try decoder.nextFrame() else { return nil }
            var frame = rotation.applied(to: coded)
            frame.index = position
            position += 1
            return frame
        } catch { throw CLIFailure(error) }
    }

    /// Decodes and counts the frames left (to report the length of the longer input).
    func countRemaining() throws -> Int {
        var n = 0
        while try next() != nil { n += 1 }
        return n
    }
}

/// Pairs two sequences for scoring: same names for two directories, otherwise position by position.
enum FramePairing {
    /// Restricts two directories to their common names if `align`, else requires equal name sets.
    static func matchNames(_ a: FrameSequence, _ b: FrameSequence, align: Bool, warn: (String) -> Void) throws {
        guard let na = a.names, let nb = b.names else { return }
        let sa = Set(na), sb = Set(nb)
        guard sa != sb else { return }
        let onlyA = na.filter { !sb.contains($0) }, onlyB = nb.filter { !sa.contains($0) }
        func few(_ list: [String]) -> String { list.prefix(3).joined(separator: ", ") + (list.count > 3 ? ", …" : "") }
        let detail = "\(onlyA.count) image(s) only in \(a.path) (\(few(onlyA))), \(onlyB.count) only in \(b.path) (\(few(onlyB)))"
        guard align else { throw CLIFailure(.input, "image names differ: \(detail); use --align to score the common names") }
        let common = sa.intersection(sb)
        guard !common.isEmpty else { throw CLIFailure(.input, "no image names in common: \(detail)") }
        warn("warning: --align: scoring only the \(common.count) image name(s) in both directories; \(detail)")
        a.restrict(to: common)
        b.restrict(to: common)
    }
}
