import DeblurWeb
import Foundation
import MediaTestSupport
import Stream
import Testing

@Suite("FFmpegImageCodec and scratch space")
struct CodecTests {
    @Test("PNG round trip is exact for 8-bit content; probe reads the size from the header")
    func pngRoundTrip() throws {
        let frame = Fixtures.ramp(width: 19, height: 11)
        let png = try Fixtures.codec.encodePNG(frame)
        #expect(try Fixtures.codec.probe(png) == ImageInfo(width: 19, height: 11, format: "png"))
        let back = try Fixtures.codec.decode(png, maxPixels: 19 * 11)
        #expect(back.width == 19 && back.height == 11)
        #expect(zip(back.pixels, frame.pixels).allSatisfy { abs($0 - $1) < 0.5 / 255 })
    }

    @Test("JPEG size from its SOF header, skipping APPn payloads")
    func jpegProbe() throws {
        let jpeg = try Fixtures.encoded(Fixtures.ramp(width: 50, height: 30), extension: "jpg")
        #expect(try Fixtures.codec.probe(jpeg) == ImageInfo(width: 50, height: 30, format: "jpeg"))
        // The same file with an APP1 segment whose payload contains FF C0 bytes (must be skipped, not read as a
        // frame header) and its real SOF0 patched to declare 4000×3000: refused from the header alone.
        var bytes = [UInt8](jpeg)
        let app1: [UInt8] = [0xFF, 0xE1, 0x00, 0x08, 0xFF, 0xC0, 0x7F, 0xFF, 0x7F, 0xFF]
        bytes.insert(contentsOf: app1, at: 2)
        var sofIndex: Int?
        for i in (2 + app1.count)..<(bytes.count - 9) where bytes[i] == 0xFF && bytes[i + 1] == 0xC0 {
            sofIndex = i
            break
        }
        let sof = try #require(sofIndex)
        bytes.replaceSubrange((sof + 5)...(sof + 8), with: [0x0B, 0xB8, 0x0F, 0xA0])  // height 3000, width 4000
        #expect(try Fixtures.codec.probe(Data(bytes)) == ImageInfo(width: 4000, height: 3000, format: "jpeg"))
        #expect(throws: ImageCodecError.tooManyPixels(width: 4000, height: 3000, limit: 1_000_000)) {
            _ = try Fixtures.codec.decode(Data(bytes), maxPixels: 1_000_000)
        }
    }

    @Test("a JPEG's EXIF orientation is applied: the upload is deblurred upright, as the browser shows it")
    func exifOrientation() throws {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain.jpg"), portrait = dir.appendingPathComponent("portrait.jpg")
        try MediaTools.makeJPEG(plain, size: "50x30", exifOrientation: 1)
        try MediaTools.makeJPEG(portrait, size: "50x30", exifOrientation: 6)  // the same picture, tagged
        let coded = try Fixtures.codec.decode(Data(contentsOf: plain), maxPixels: 1500)
        let upright = try Fixtures.codec.decode(Data(contentsOf: portrait), maxPixels: 1500)
        #expect(coded.width == 50 && upright.width == 30 && upright.height == 50)
        #expect(upright.pixels == FrameRotation.clockwise90.applied(to: coded).pixels)
    }

    @Test("scratch directories are private (0700) and removed")
    func scratch() throws {
        let dir = try ScratchDirectory()
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.url.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        try Data("x".utf8).write(to: dir.file("upload"))
        dir.remove()
        #expect(!FileManager.default.fileExists(atPath: dir.url.path))
    }

    @Test("decoding leaves no scratch directory behind, on success and on failure")
    func noLeftovers() throws {
        let parent = try ScratchDirectory()
        defer { parent.remove() }
        let codec = FFmpegImageCodec(scratchParent: parent.url)
        let png = try codec.encodePNG(Fixtures.ramp(width: 8, height: 8))
        _ = try codec.decode(png, maxPixels: 64)
        let failure = #expect(throws: ImageCodecError.self) { _ = try codec.decode(png.prefix(70), maxPixels: 64) }
        // The message is for the client: it must not reveal where the server keeps uploads.
        #expect(failure.map { !"\($0)".contains(parent.url.path) && "\($0)".contains("upload") } == true, "\(String(describing: failure))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.url.path).isEmpty)
    }
}
