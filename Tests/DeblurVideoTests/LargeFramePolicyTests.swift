import Foundation
import Stream
import Testing
@testable import deblur_video

/// GAN frames above 1440p run one at a time in 384-pixel tiles unless `--threads` / `--tile` say otherwise.
@Suite struct LargeFramePolicyTests {
    func video(_ width: Int, _ height: Int) -> VideoStreamInfo {
        VideoStreamInfo(width: width, height: height, timeBase: Rational(1, 25), frameRate: Rational(25, 1))
    }

    @Test func onlyGANFramesAbove1440pAreLarge() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(LargeFramePolicy.workers(for: video(3840, 2160), method: .gan) == 1)
        #expect(LargeFramePolicy.tile(for: video(3840, 2160), method: .gan) == 384)
        // 1440p itself and 1080p keep the fast defaults, as does pass-through at 4K.
        #expect(LargeFramePolicy.workers(for: video(2560, 1440), method: .gan) == cores)
        #expect(LargeFramePolicy.tile(for: video(1920, 1080), method: .gan) == 512)
        #expect(LargeFramePolicy.workers(for: video(3840, 2160), method: .none) == cores)
        #expect(LargeFramePolicy.tile(for: nil, method: .gan) == 512)
    }

    @Test func explicitTileWins() throws {
        let defaults = try ModelFlags.parse([])
        #expect(defaults.settings(for: video(3840, 2160)).tile == 384)
        #expect(defaults.settings(for: video(1280, 720)).tile == 512)
        #expect(defaults.settings().tile == 512)
        let explicit = try ModelFlags.parse(["--tile", "512"])
        #expect(explicit.settings(for: video(3840, 2160)).tile == 512)
        // Without --tile, a frame above 1440p gets 384 tiles even where no size is known up front (serve).
        #expect(defaults.settings().largeFrameTile == 384)
        #expect(explicit.settings().largeFrameTile == nil)
        // One worker: the factory sets the engine's threads to all cores, which is already their default.
        var options = MethodOptions(); options.model = defaults.settings()
        let factory = try makeProcessorFactory(for: .gan, options: options)
        let tiled = try #require(try factory() as? TiledProcessor)
        #expect(tiled.tileSize(width: 3840, height: 2160) == 384 && tiled.tileSize(width: 1920, height: 1080) == 512)
    }

    @Test func stillImagesGetOneWorkerAndEightViewsUnlessTold() throws {
        let still = VideoStreamInfo(width: 640, height: 480, timeBase: Rational(1, 25), frameRate: Rational(25, 1), isImage: true)
        #expect(LargeFramePolicy.workers(for: still, method: .gan) == 1)
        let defaults = try ModelFlags.parse([])
        #expect(defaults.settings(for: still).ensemble == 8)
        #expect(defaults.settings(for: video(640, 480)).ensemble == 1)
        #expect(defaults.settings().ensemble == 1)
        #expect(try ModelFlags.parse(["--ensemble", "2"]).settings(for: still).ensemble == 2)
        #expect(try ModelFlags.parse(["--ensemble", "4"]).settings(for: video(640, 480)).ensemble == 4)
        #expect(throws: (any Error).self) { try ModelFlags.parse(["--ensemble", "3"]) }
    }
}
