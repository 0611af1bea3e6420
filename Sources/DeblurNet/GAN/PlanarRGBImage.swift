import Foundation

/// A planar RGB image in [0, 1] (`pixels[(c·height + y)·width + x]`, the layout of the pipeline's frames).
public struct PlanarRGBImage: Sendable, Equatable {
    public let width: Int, height: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float]) throws {
        try Self.checkSize(width: width, height: height, count: pixels.count, of: "values")
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// Throws unless `count` samples (`of` names them) fill a planar RGB `width`×`height` image.
    static func checkSize(width: Int, height: Int, count: Int, of unit: String) throws {
        guard width > 0, height > 0, count == 3 * width * height else {
            throw ModelError.invalidInput("planar RGB \(width)×\(height) needs \(3 * max(0, width * height)) \(unit), got \(count)")
        }
    }

    /// For sizes already checked (`RGB8Image.planar`).
    init(checkedWidth width: Int, height: Int, pixels: [Float]) {
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// As a [1, 3, H, W] tensor.
    public var tensor: Tensor { Tensor(shape: [1, 3, height, width], data: pixels) }
}

extension Generator {
    /// Deblurs one planar RGB image (the layout of the pipeline's frames) without recording gradients,
    /// averaging `ensemble` flipped/transposed passes (`deblur(_:ensemble:beforeEachPass:)`). A multi-frame model
    /// sees the image as its own neighbours, as a still gives them.
    public func deblur(_ image: PlanarRGBImage, ensemble: Int = 1, beforeEachPass: () throws -> Void = {}) throws -> PlanarRGBImage {
        try deblur(window: [image], ensemble: ensemble, beforeEachPass: beforeEachPass)
    }
}

extension Generator {
    /// Deblurs the middle image of `window`: `config.frames` consecutive frames, oldest first. A window of one
    /// image is that image repeated, as a still or a frozen camera gives it.
    public func deblur(window: [PlanarRGBImage], ensemble: Int = 1, beforeEachPass: () throws -> Void = {}) throws -> PlanarRGBImage {
        let frames = config.frames
        let images = window.count == 1 ? Array(repeating: window[0], count: frames) : window
        guard images.count == frames, let first = images.first else {
            throw ModelError.invalidInput("the model takes \(frames) frame\(frames == 1 ? "" : "s"), got a window of \(window.count)")
        }
        guard images.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
            throw ModelError.invalidInput("the frames of a window differ in size")
        }
        let input = Tensor(shape: [1, 3 * frames, first.height, first.width], data: images.flatMap(\.pixels))
        let y = try deblur(input, ensemble: ensemble, beforeEachPass: beforeEachPass)
        return try PlanarRGBImage(width: first.width, height: first.height, pixels: y.array)
    }
}
