/// How a frame is cut into overlapping tiles and how their results are blended back.
///
/// Tiles are at most `tileSize` pixels on a side, as few as cover the frame with neighbours overlapping by
/// at least `overlap` pixels, and no larger than that count needs (rounded up to a multiple of `alignment`,
/// e.g. a network's stride, so it pads nothing): a 1280×720 frame in 512-pixel tiles is 3×2 tiles of
/// 448×384, 12 % more pixels than the frame, where full 512² tiles would be 70 % more. Every tile lies
/// inside the frame. Blending uses a feathered window: weights ramp up over the overlap with a raised
/// cosine on edges shared with another tile and stay at 1 on the frame border, so the seams carry no step.
public struct TilePlan: Sendable, Equatable {
    /// One tile: its origin and size in frame pixels.
    public struct Tile: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int
    }

    public let width: Int
    public let height: Int
    public let tileSize: Int
    public let overlap: Int
    /// The size of every tile (≤ `tileSize`, ≤ the frame).
    public let tileWidth: Int
    public let tileHeight: Int
    /// Tile origins along x and y; `tiles` is their product in row-major order.
    public let xs: [Int]
    public let ys: [Int]

    /// Plans tiles for a `width` × `height` frame.
    /// - Precondition: `tileSize > overlap >= 0`, dimensions positive (checked by `TilingError`).
    public init(width: Int, height: Int, tileSize: Int, overlap: Int, alignment: Int = 1) throws(TilingError) {
        guard width > 0, height > 0 else { throw .emptyFrame(width: width, height: height) }
        guard tileSize > 0, overlap >= 0, overlap < tileSize, alignment > 0 else {
            throw .invalidTiling(tileSize: tileSize, overlap: overlap)
        }
        self.width = width
        self.height = height
        self.tileSize = tileSize
        self.overlap = overlap
        (tileWidth, xs) = Self.layout(length: width, tile: tileSize, overlap: overlap, alignment: alignment)
        (tileHeight, ys) = Self.layout(length: height, tile: tileSize, overlap: overlap, alignment: alignment)
    }

    /// The tile size and origins along one axis: the fewest tiles of at most `tile` pixels that cover
    /// `length` with neighbours overlapping by at least `overlap`, each shrunk to what that count needs.
    static func layout(length: Int, tile: Int, overlap: Int, alignment: Int) -> (size: Int, origins: [Int]) {
        guard length > tile else { return (length, [0]) }
        let step = tile - overlap
        let count = (length - tile + step - 1) / step + 1
        // count·size − (count−1)·overlap ≥ length keeps every spread step ≤ size − overlap.
        let needed = (length + (count - 1) * overlap + count - 1) / count
        let size = min(tile, (needed + alignment - 1) / alignment * alignment)
        return (size, origins(length: length, tile: size, overlap: overlap))
    }

    /// Tile origins covering `length` with tiles of `tile` pixels: evenly spread, the first at 0 and the
    /// last ending exactly at `length`.
    static func origins(length: Int, tile: Int, overlap: Int) -> [Int] {
        guard length > tile else { return [0] }
        let step = tile - overlap
        let count = (length - tile + step - 1) / step + 1
        // Spread the slack evenly instead of leaving one thin last tile with a huge overlap.
        let span = length - tile
        return (0..<count).map { i in (i * span + (count - 1) / 2) / (count - 1) }
    }

    /// All tiles, row-major.
    public var tiles: [Tile] {
        ys.flatMap { y in xs.map { x in Tile(x: x, y: y, width: tileWidth, height: tileHeight) } }
    }

    /// Blend weights along one axis of a tile of `size` starting at `origin` within `length`:
    /// a raised-cosine ramp over `ramp` pixels on sides that meet another tile, 1 elsewhere.
    func axisWeights(origin: Int, size: Int, length: Int, ramp: Int) -> [Float] {
        var w = [Float](repeating: 1, count: size)
        guard ramp > 0 else { return w }
        let hasBefore = origin > 0
        let hasAfter = origin + size < length
        for i in 0..<min(ramp, size) {
            // Strictly positive even at the outermost pixel so every pixel has some weight.
            let t = Float(i + 1) / Float(ramp + 1)
            let v = 0.5 - 0.5 * cosf(Float.pi * t)
            if hasBefore { w[i] = min(w[i], v) }
            if hasAfter { w[size - 1 - i] = min(w[size - 1 - i], v) }
        }
        return w
    }
}

/// Why a frame cannot be tiled.
public enum TilingError: Error, CustomStringConvertible, Equatable {
    case emptyFrame(width: Int, height: Int)
    case invalidTiling(tileSize: Int, overlap: Int)
    case processorChangedSize(expected: String, got: String)

    public var description: String {
        switch self {
        case let .emptyFrame(w, h): "cannot tile an empty \(w)×\(h) frame"
        case let .invalidTiling(t, o): "tile size \(t) must be positive and larger than the overlap \(o)"
        case let .processorChangedSize(e, g): "the processor returned a \(g) tile for a \(e) input"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
