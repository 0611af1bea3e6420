import ArgumentParser
import DeblurNet
import Foundation
import Stream

/// `--method gan`: the DeblurGAN-v2-style generator of DeblurNet on one frame, or on a window of frames
/// for a model that takes several (`GeneratorConfig.frames`).
struct GeneratorProcessor: FrameProcessor {
    let generator: Generator
    /// Flipped/transposed views averaged per frame (`Generator.deblur(_:ensemble:)`).
    var ensemble = 1
    var name: String { "gan" }
    var temporalRadius: Int { generator.config.frames / 2 }

    func process(_ frame: Frame) throws -> Frame {
        try process(frame, cancellation: CancellationToken())
    }

    /// Checks `cancellation` between the ensemble's views too: 8 views of a still are several seconds of work.
    func process(_ frame: Frame, cancellation: CancellationToken) throws -> Frame {
        try cancellation.check()
        let images = try ([frame] + frame.neighbours.map { $0.unpacked() }).map {
            try PlanarRGBImage(width: $0.width, height: $0.height, pixels: $0.pixels)
        }
        // Without neighbours (a still image) the frame stands for all of them.
        let window = FrameWindow.arrange(centre: images[0], neighbours: Array(images.dropFirst()),
                                         frames: generator.config.frames)
        let restored = try generator.deblur(window: window, ensemble: ensemble, beforeEachPass: cancellation.check)
        return Frame(width: frame.width, height: frame.height, pixels: restored.pixels, pts: frame.pts, index: frame.index)
    }
}

/// Flags of the GAN method and of tiled inference.
struct ModelFlags: ParsableArguments {
    @Option(help: "Generator weights (.safetensors with its config in the metadata). Default: the shipped model.")
    var model: String?

    @Option(parsing: .unconditional, help: "Run the GAN on tiles of this many pixels (0 = whole frame). Bounds memory on large frames. (default: 512; 384 for frames above 1440p)")
    var tile: Int?

    // 640×480: whole 720p frames would need 2 GB with two workers, tiles keep it under 1 GB.
    @Option(parsing: .unconditional, help: ArgumentHelp("Frames with more pixels than this are tiled; smaller ones run whole, which is faster (0 = tile every frame larger than a tile).",
                               valueName: "pixels"))
    var tileAbove: Int = 640 * 480

    @Option(parsing: .unconditional, help: "Overlap between neighbouring tiles in pixels, blended with a feathered window.")
    var overlap: Int = 32

    // Measured on held-out data (docs/gan.md "Self-ensemble"): 8 views gain 0.08-0.24 dB over one pass on every split.
    @Option(parsing: .unconditional, help: ArgumentHelp("Average the GAN over this many mirrored/flipped/transposed views of each frame: 1, 2, 4 or 8. Costs that many passes; 8 gains about 0.2 dB. (default: 8 for still images, including the web page's; 1 for video)",
                               valueName: "views"))
    var ensemble: Int?

    func validate() throws {
        let tile = self.tile ?? LargeFramePolicy.tile  // the smaller default bounds the overlap
        guard tile == 0 || tile >= 64 else { throw ValidationError("--tile must be 0 or at least 64, got \(tile)") }
        guard tileAbove >= 0 else { throw ValidationError("--tile-above must be 0 or more pixels, got \(tileAbove)") }
        guard overlap >= 0, tile == 0 || overlap < tile / 2 else {
            let which = self.tile == nil ? " of the \(tile)-pixel tiles used above 1440p; a larger --tile allows more" : ""
            throw ValidationError("--overlap must be 0 or more and less than half the tile size (\(tile / 2)\(which)), got \(overlap)")
        }
        if let ensemble, !Generator.ensembleSizes.contains(ensemble) {
            throw ValidationError("--ensemble must be 1, 2, 4 or 8, got \(ensemble)")
        }
    }

    /// What the flags select, for `MethodOptions`; without `--tile`, the tile suits `video`'s size (nil: 512, and 384
    /// for any frame above 1440p),
    /// and the views per frame suit whether it is a still image (`views(forStillImage:)`).
    func settings(for video: VideoStreamInfo? = nil, method: Method = .gan) -> ModelSettings {
        ModelSettings(path: model, tile: tile ?? LargeFramePolicy.tile(for: video, method: method),
                      largeFrameTile: tile == nil ? LargeFramePolicy.tile : nil,
                      overlap: overlap, tileAbove: tileAbove,
                      ensemble: views(forStillImage: video?.isImage == true))
    }

    /// Views per frame: `--ensemble`, else 8 for a still image (time matters less than on video) and 1 otherwise.
    func views(forStillImage still: Bool) -> Int { ensemble ?? (still ? ModelSettings.stillImageEnsemble : 1) }
}

/// The generator weights (nil: the shipped model) and how frames are tiled for it.
struct ModelSettings: Sendable {
    var path: String?
    /// Tile size in pixels (0 = whole frame) and overlap; frames of at most `tileAbove` pixels run whole.
    var tile = 0
    /// Without `--tile`: the tile for frames above 1440p, chosen per frame, for callers that cannot know the
    /// frame size up front (the web server's uploads).
    var largeFrameTile: Int? = nil
    var overlap = 0
    var tileAbove = 0
    /// Views averaged per frame (1, 2, 4 or 8); `stillImageEnsemble` is the default for stills.
    var ensemble = 1
    static let stillImageEnsemble = 8

    /// Loads the generator; a missing or corrupt file is an input error (exit 2).
    func loadGenerator() throws -> Generator {
        do {
            if let model = path {
                guard FileManager.default.fileExists(atPath: model) else {
                    throw CLIFailure(.input, "model file \(model) does not exist")
                }
                return try Generator.load(from: URL(fileURLWithPath: model))
            }
            return try Generator.bundledDefault()
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            throw CLIFailure(.input, "cannot load model \(path ?? "(shipped default)"): \(error)")
        }
    }
}
