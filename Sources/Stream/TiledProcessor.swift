/// Runs another processor tile by tile and blends the tiles back with feathered weights.
///
/// Memory is bounded by the tile size (plus the output frame it accumulates into), not by what the inner
/// processor would need for a whole frame. A frame no larger than one tile, or of at most
/// `wholeFramePixels` pixels, goes through in one call: tiles only pay off once memory is at stake,
/// since their overlaps are computed twice.
public struct TiledProcessor: FrameProcessor {
    public var inner: any FrameProcessor
    /// The inner processor's name: tiling is how it runs, not what it is (error messages name the method).
    public var name: String { inner.name }
    public var temporalRadius: Int { inner.temporalRadius }
    public let tileSize: Int
    public let overlap: Int
    /// Frames with at most this many pixels are not tiled.
    public let wholeFramePixels: Int
    /// Tile sizes are rounded up to a multiple of this (the inner processor's stride, so it pads nothing).
    public let alignment: Int
    /// Frames with more pixels than `pixelsAbove` get `tileSize` tiles instead: smaller tiles bound memory where
    /// frames are huge, decided per frame for callers that learn frame sizes only as frames arrive (the web server).
    public let largeFrames: (pixelsAbove: Int, tileSize: Int)?

    public init(_ inner: any FrameProcessor, tileSize: Int, overlap: Int, wholeFramePixels: Int = 0,
                alignment: Int = 1, largeFrames: (pixelsAbove: Int, tileSize: Int)? = nil) throws(TilingError) {
        guard tileSize > 0, overlap >= 0, overlap < tileSize, wholeFramePixels >= 0, alignment > 0 else {
            throw .invalidTiling(tileSize: tileSize, overlap: overlap)
        }
        if let largeFrames, largeFrames.tileSize <= overlap {
            throw .invalidTiling(tileSize: largeFrames.tileSize, overlap: overlap)
        }
        self.inner = inner
        self.tileSize = tileSize
        self.overlap = overlap
        self.wholeFramePixels = wholeFramePixels
        self.alignment = alignment
        self.largeFrames = largeFrames
    }

    /// The tile size used for a frame of this size.
    public func tileSize(width: Int, height: Int) -> Int {
        guard let largeFrames, width * height > largeFrames.pixelsAbove else { return tileSize }
        return largeFrames.tileSize
    }

    public mutating func process(_ frame: Frame) throws -> Frame {
        try process(frame, checking: nil)
    }

    /// Checks `cancellation` before each tile.
    public mutating func process(_ frame: Frame, cancellation: CancellationToken) throws -> Frame {
        try process(frame, checking: cancellation)
    }

    private mutating func process(_ frame: Frame, checking cancellation: CancellationToken?) throws -> Frame {
        let tileSize = tileSize(width: frame.width, height: frame.height)
        if (frame.width <= tileSize && frame.height <= tileSize) || frame.width * frame.height <= wholeFramePixels {
            return try runInner(frame, cancellation)
        }
        let plan = try TilePlan(width: frame.width, height: frame.height, tileSize: tileSize, overlap: overlap,
                                alignment: alignment)
        let w = frame.width, h = frame.height, plane = w * h
        // Neighbours unpacked once, not once a tile.
        let neighbours = frame.neighbours.map { $0.unpacked() }
        var accum = [Float](repeating: 0, count: 3 * plane)
        // The tiles form a full grid and each tile's weight is wx(x)·wy(y), so the weight summed over
        // tiles at a pixel is Σwx(x)·Σwy(y): two axis sums instead of a frame-sized plane.
        let weightsX = plan.xs.map { plan.axisWeights(origin: $0, size: plan.tileWidth, length: w, ramp: overlap) }
        let weightsY = plan.ys.map { plan.axisWeights(origin: $0, size: plan.tileHeight, length: h, ramp: overlap) }
        let inverseX = Self.inverseSums(weightsX, origins: plan.xs, length: w)
        let inverseY = Self.inverseSums(weightsY, origins: plan.ys, length: h)
        // Row-major over the grid, the order of `plan.tiles`.
        for (wy, y) in zip(weightsY, plan.ys) {
            for (wx, x) in zip(weightsX, plan.xs) {
                let tile = TilePlan.Tile(x: x, y: y, width: plan.tileWidth, height: plan.tileHeight)
                try cancellation?.check()
                let output = try runInner(Self.crop(frame, neighbours: neighbours, tile), cancellation)
                guard output.width == tile.width, output.height == tile.height else {
                    throw TilingError.processorChangedSize(expected: "\(tile.width)×\(tile.height)",
                                                          got: "\(output.width)×\(output.height)")
                }
                accum.withUnsafeMutableBufferPointer { acc in
                    output.pixels.withUnsafeBufferPointer { out in
                        for ty in 0..<tile.height {
                            let rowW = wy[ty]
                            let fy = tile.y + ty
                            for c in 0..<3 {
                                let src = (c * tile.height + ty) * tile.width
                                let dst = c * plane + fy * w + tile.x
                                for tx in 0..<tile.width {
                                    acc[dst + tx] += out[src + tx] * (rowW * wx[tx])
                                }
                            }
                        }
                    }
                }
            }
        }
        accum.withUnsafeMutableBufferPointer { acc in
            for c in 0..<3 {
                for y in 0..<h {
                    let row = c * plane + y * w
                    for x in 0..<w { acc[row + x] *= inverseY[y] * inverseX[x] }
                }
            }
        }
        return Frame(width: w, height: h, pixels: accum, pts: frame.pts, index: frame.index)
    }

    private mutating func runInner(_ frame: Frame, _ cancellation: CancellationToken?) throws -> Frame {
        guard let cancellation else { return try inner.process(frame) }
        return try inner.process(frame, cancellation: cancellation)
    }

    /// 1 / (sum over tiles of their weights) at each position of one axis.
    static func inverseSums(_ weights: [[Float]], origins: [Int], length: Int) -> [Float] {
        var sums = [Float](repeating: 0, count: length)
        for (w, origin) in zip(weights, origins) {
            for (i, v) in w.enumerated() { sums[origin + i] += v }
        }
        return sums.map { 1 / $0 }
    }

    /// Copies one tile out of a frame, and the same tile out of each of its (unpacked) neighbours.
    static func crop(_ frame: Frame, neighbours: [Frame], _ tile: TilePlan.Tile) -> Frame {
        var out = cropPixels(frame, tile)
        out.neighbours = neighbours.map { PackedFrame(cropPixels($0, tile)) }
        return out
    }

    private static func cropPixels(_ frame: Frame, _ tile: TilePlan.Tile) -> Frame {
        var pixels = [Float](repeating: 0, count: 3 * tile.width * tile.height)
        frame.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for ty in 0..<tile.height {
                        let s = (c * frame.height + tile.y + ty) * frame.width + tile.x
                        let d = (c * tile.height + ty) * tile.width
                        for tx in 0..<tile.width { dst[d + tx] = src[s + tx] }
                    }
                }
            }
        }
        return Frame(width: tile.width, height: tile.height, pixels: pixels, pts: frame.pts, index: frame.index)
    }
}
