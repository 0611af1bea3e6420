import Foundation

/// A blurry/sharp training or validation pair of equal size, with the blurry frames around it when it comes from
/// a clip (a multi-frame model sees them; a one-frame model ignores them). Held as 8-bit images: a training set
/// lives in memory for the whole run.
public struct ImagePair: Sendable {
    public let blurry: RGB8Image, sharp: RGB8Image
    /// The blurry frames around `blurry`, in the order of the pipeline's `Frame.neighbours`: k before it (oldest
    /// first), then k after it. Empty for a still.
    public let neighbours: [RGB8Image]

    public init(blurry: RGB8Image, sharp: RGB8Image, neighbours: [RGB8Image] = []) throws {
        guard blurry.width == sharp.width, blurry.height == sharp.height else {
            throw ModelError.invalidInput("pair sizes differ: \(blurry.width)×\(blurry.height) vs \(sharp.width)×\(sharp.height)")
        }
        guard neighbours.count % 2 == 0 else {
            throw ModelError.invalidInput("a clip needs as many frames before as after its middle one, got \(neighbours.count) neighbours")
        }
        if let odd = neighbours.first(where: { $0.width != blurry.width || $0.height != blurry.height }) {
            throw ModelError.invalidInput("neighbour \(odd.width)×\(odd.height) differs from the frame, \(blurry.width)×\(blurry.height)")
        }
        self.blurry = blurry; self.sharp = sharp; self.neighbours = neighbours
    }

    /// A pair of float images, rounded to 8 bits.
    public init(blurry: PlanarRGBImage, sharp: PlanarRGBImage, neighbours: [PlanarRGBImage] = []) throws {
        try self.init(blurry: RGB8Image(blurry), sharp: RGB8Image(sharp), neighbours: neighbours.map(RGB8Image.init))
    }

    /// The `frames` (odd) blurry frames centred on `blurry`, oldest first (`FrameWindow.arrange`).
    public func window(frames: Int) -> [RGB8Image] {
        FrameWindow.arrange(centre: blurry, neighbours: neighbours, frames: frames)
    }
}
