import Foundation
import MediaTestSupport
import Testing
@testable import Stream

/// A display matrix as FFmpeg's `av_display_rotation_set` writes it (16.16 fixed point, `degrees` counter-clockwise),
/// optionally mirrored horizontally as `av_display_matrix_flip` does.
private func displayMatrix(degrees: Double, mirrored: Bool = false) -> [Int32] {
    let r = degrees * .pi / 180, c = cos(r), s = sin(r)
    func fixed(_ v: Double) -> Int32 { Int32((v * 65536).rounded()) }
    var m: [Int32] = [fixed(c), fixed(-s), 0, fixed(s), fixed(c), 0, 0, 0, 1 << 30]
    if mirrored { m[0] = -m[0]; m[3] = -m[3] }
    return m
}

/// A 3×2 frame whose samples name their place: plane c, row y, column x holds 100c + 10y + x.
private func labelled() -> Frame {
    var pixels: [Float] = []
    for c in 0..<3 {
        for y in 0..<2 {
            for x in 0..<3 { pixels.append(Float(100 * c + 10 * y + x)) }
        }
    }
    return Frame(width: 3, height: 2, pixels: pixels)
}

@Suite struct FrameRotationTests {
    @Test("display matrices: quarter turns are recognised, mirrors and other angles are not")
    func fromDisplayMatrix() {
        // FFmpeg's angle is counter-clockwise; a player turns clockwise by its negative (a phone's rotate=90 is -90).
        #expect(FrameRotation(displayMatrix: displayMatrix(degrees: -90)) == .clockwise90)
        #expect(FrameRotation(displayMatrix: displayMatrix(degrees: 90)) == .counterclockwise90)
        #expect(FrameRotation(displayMatrix: displayMatrix(degrees: 180)) == .halfTurn)
        #expect(FrameRotation(displayMatrix: displayMatrix(degrees: -180)) == .halfTurn)
        #expect(FrameRotation(displayMatrix: displayMatrix(degrees: 0)) == FrameRotation.none)
        #expect(FrameRotation(displayMatrix: displayMatrix(degrees: 45)) == nil)
        #expect(FrameRotation(displayMatrix: displayMatrix(degrees: -90, mirrored: true)) == nil)
        #expect(FrameRotation(displayMatrix: nil) == nil)
        #expect(FrameRotation(displayMatrix: [1, 2, 3]) == nil)
    }

    @Test("each turn moves every sample where a player would show it")
    func turnsFrames() {
        let f = labelled()
        // Clockwise: the bottom-left sample (row 1, column 0) comes to the top-left; the result is 2 wide, 3 high.
        let cw = FrameRotation.clockwise90.applied(to: f)
        #expect(cw.width == 2 && cw.height == 3)
        #expect(Array(cw.pixels[0..<6]) == [10, 0, 11, 1, 12, 2])
        #expect(Array(cw.pixels[6..<12]) == [110, 100, 111, 101, 112, 102])
        let ccw = FrameRotation.counterclockwise90.applied(to: f)
        #expect(Array(ccw.pixels[0..<6]) == [2, 12, 1, 11, 0, 10])
        let half = FrameRotation.halfTurn.applied(to: f)
        #expect(half.width == 3 && half.height == 2 && Array(half.pixels[0..<6]) == [12, 11, 10, 2, 1, 0])
        #expect(FrameRotation.none.applied(to: f) == f)
        // Four quarter turns, or one each way, give the frame back.
        var four = f
        for _ in 0..<4 { four = FrameRotation.clockwise90.applied(to: four) }
        #expect(four == f && FrameRotation.counterclockwise90.applied(to: cw) == f)
    }

    @Test("a turned 4:2:0 picture unpacks to the turned float frame (even sizes: chroma stays with its pixels)")
    func turnsYUVPictures() throws {
        let w = 6, h = 4
        let source = Frame(width: w, height: h, pixels: (0..<(3 * w * h)).map { Float(($0 * 37) % 101) / 100 })
        let matrix = try #require(YUVMatrix(colorSpace: 1, fullRange: false))
        let picture = YUV420Picture(frame: source, matrix: matrix)
        let asCoded = PackedFrame(picture, pts: nil, index: 0).unpacked()
        for rotation in [FrameRotation.clockwise90, .halfTurn, .counterclockwise90] {
            let turned = PackedFrame(picture.turned(rotation), pts: nil, index: 0).unpacked()
            #expect(turned == rotation.applied(to: asCoded), "\(rotation)")
        }
    }

    @Test("a JPEG's EXIF orientation is read as the picture's display matrix", arguments: [
        (UInt16(1), FrameRotation.none), (6, .clockwise90), (3, .halfTurn), (8, .counterclockwise90)])
    func exifOrientation(orientation: UInt16, turn: FrameRotation) throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let photo = dir.appendingPathComponent("photo.jpg")
        try MediaTools.makeJPEG(photo, size: "64x48", exifOrientation: orientation)
        let decoder = try FrameDecoder(location: photo.path)
        #expect((FrameRotation(displayMatrix: decoder.videoInfo.displayMatrix) ?? .none) == turn)
        #expect(decoder.videoInfo.width == 64 && decoder.videoInfo.height == 48)  // the picture as coded
        #expect(try decoder.nextFrame()?.width == 64)
        // A mirrored orientation is no turn.
        try MediaTools.makeJPEG(photo, size: "64x48", exifOrientation: 2)
        #expect(FrameRotation(displayMatrix: try FrameDecoder(location: photo.path).videoInfo.displayMatrix) == nil)
    }

    @Test("the stream as written: sides and pixel shape swap on a quarter turn, and no matrix is stored")
    func turnsStreamInfo() {
        var video = VideoStreamInfo(width: 720, height: 480, timeBase: Rational(1, 25), frameRate: Rational(25, 1),
                                    displayMatrix: displayMatrix(degrees: -90))
        video.sampleAspectRatio = Rational(8, 9)
        let turned = FrameRotation.clockwise90.applied(to: video)
        #expect(turned.width == 480 && turned.height == 720 && turned.displayMatrix == nil)
        #expect(turned.sampleAspectRatio == Rational(9, 8))
        let half = FrameRotation.halfTurn.applied(to: video)
        #expect(half.width == 720 && half.height == 480 && half.sampleAspectRatio == Rational(8, 9) && half.displayMatrix == nil)
    }
}
