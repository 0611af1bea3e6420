import Foundation

/// Finding training files and building GoPro-style pairs from frame sequences (decoding images and videos is the
/// caller's job: DeblurNet knows nothing of file formats).
public enum TrainingData {
    /// Image file extensions considered.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "ppm", "bmp", "tif", "tiff", "webp"]

    /// Blurry/sharp file pairs under `root`: `root/blur/X` + `root/sharp/X`, and the GoPro layout
    /// `root/*/blur/X` + `root/*/sharp/X` (matching names), sorted. Where `prev/` and `next/` folders sit beside
    /// `blur/` (the clip layout scripts/multiframe_experiment.py renders), `neighbours` holds `prev/X` and `next/X`.
    public static func discoverPairs(in root: URL) throws -> [(blurry: URL, sharp: URL, neighbours: [URL])] {
        listPairs(in: root).pairs
    }

    /// `discoverPairs`, plus the images that have no partner of the same name (paths relative to `root`,
    /// e.g. `seq2/blur/002.png`), which callers should report: they silently change what is trained or validated.
    /// In a clip folder a frame lacking its `prev/` or `next/` image is left out too.
    public static func listPairs(in root: URL) -> (pairs: [(blurry: URL, sharp: URL, neighbours: [URL])], unmatched: [String]) {
        let fm = FileManager.default
        var dirs = [root]
        if let subs = try? fm.contentsOfDirectory(at: root, includingPropertiesForKeys: [.isDirectoryKey]) {
            dirs += subs.filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
                .sorted { $0.path < $1.path }
        }
        var pairs: [(URL, URL, [URL])] = []
        var unmatched: [String] = []
        let images = { (dir: URL) -> Set<String> in
            Set(((try? fm.contentsOfDirectory(atPath: dir.path)) ?? [])
                .filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) })
        }
        for d in dirs {
            let blur = d.appendingPathComponent("blur"), sharp = d.appendingPathComponent("sharp")
            let prev = d.appendingPathComponent("prev"), next = d.appendingPathComponent("next")
            let prefix = d == root ? "" : d.lastPathComponent + "/"
            let blurNames = images(blur), sharpNames = images(sharp)
            let prevNames = images(prev), nextNames = images(next)
            let isClip = !prevNames.isEmpty || !nextNames.isEmpty
            for n in blurNames.union(sharpNames).sorted() {
                guard blurNames.contains(n) && sharpNames.contains(n) else {
                    unmatched.append(prefix + (blurNames.contains(n) ? "blur/" : "sharp/") + n)
                    continue
                }
                if !isClip {
                    pairs.append((blur.appendingPathComponent(n), sharp.appendingPathComponent(n), []))
                } else if prevNames.contains(n) && nextNames.contains(n) {
                    pairs.append((blur.appendingPathComponent(n), sharp.appendingPathComponent(n),
                                  [prev.appendingPathComponent(n), next.appendingPathComponent(n)]))
                } else {
                    unmatched.append(prefix + (prevNames.contains(n) ? "next/" : "prev/") + n + " (missing)")
                }
            }
        }
        return (pairs, unmatched)
    }

    /// Image files directly in `folder` (sharp photos for on-the-fly blur), sorted.
    public static func discoverPhotos(in folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { imageExtensions.contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
    }

    /// GoPro-style pair: the mean of the frames in linear light (gamma 2.2) is the blurry frame, the middle frame
    /// the sharp one (scripts/prepare_data.py `gopro_average`). The blurry frame is rounded to 8 bits.
    public static func goproPair(frames: [PlanarRGBImage]) throws -> ImagePair {
        guard let first = frames.first else { throw ModelError.invalidInput("no frames to average") }
        guard frames.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
            throw ModelError.invalidInput("frames of different sizes")
        }
        let g = Double(BlurSynthesis.gamma)
        var acc = [Double](repeating: 0, count: first.pixels.count)
        for f in frames { for i in acc.indices { acc[i] += Foundation.pow(Double(min(max(f.pixels[i], 0), 1)), g) } }
        let n = Double(frames.count)
        let blurry = acc.map { Float((Foundation.pow($0 / n, 1 / g) * 255).rounded() / 255) }
        return try ImagePair(blurry: PlanarRGBImage(width: first.width, height: first.height, pixels: blurry),
                             sharp: frames[frames.count / 2])
    }

    /// A pan across a photo rendered at `subframes`× the frame rate with an integer step of (dx, dy) pixels per
    /// sub-frame: the GoPro-style pair of the `width`×`height` window starting at (x0, y0).
    public static func panPair(photo: PlanarRGBImage, x0: Int, y0: Int, width: Int, height: Int,
                               dx: Int, dy: Int, subframes: Int = 15) throws -> ImagePair {
        let xs = (0..<subframes).map { x0 + $0 * dx }, ys = (0..<subframes).map { y0 + $0 * dy }
        guard let minX = xs.min(), let maxX = xs.max(), let minY = ys.min(), let maxY = ys.max(),
              minX >= 0, minY >= 0, maxX + width <= photo.width, maxY + height <= photo.height else {
            throw ModelError.invalidInput("pan leaves the \(photo.width)×\(photo.height) photo")
        }
        let frames = try (0..<subframes).map { i -> PlanarRGBImage in
            var px = [Float](repeating: 0, count: 3 * width * height)
            for c in 0..<3 { for y in 0..<height {
                let src = (c * photo.height + ys[i] + y) * photo.width + xs[i]
                for x in 0..<width { px[(c * height + y) * width + x] = photo.pixels[src + x] }
            } }
            return try PlanarRGBImage(width: width, height: height, pixels: px)
        }
        return try goproPair(frames: frames)
    }
}
