import Foundation

/// The order of a multi-frame model's input window, for images however they are stored.
public enum FrameWindow {
    /// The `frames` (odd) images centred on `centre`, oldest first, from `neighbours` in the order of the
    /// pipeline's `Frame.neighbours` (k before, oldest first, then k after). Where there are fewer neighbours
    /// (a still has none), the nearest image repeats, as at the ends of a stream.
    public static func arrange<Image>(centre: Image, neighbours: [Image], frames: Int) -> [Image] {
        let r = frames / 2, k = neighbours.count / 2
        let before = (0..<r).map { i -> Image in  // i = r - 1 is the image just before
            k == 0 ? centre : neighbours[max(0, k - (r - i))]
        }
        let after = (0..<r).map { i -> Image in k == 0 ? centre : neighbours[k + min(i, k - 1)] }
        return before + [centre] + after
    }
}
