import Foundation

/// Runs the ffmpeg/ffprobe command-line tools to make test media and to inspect our output independently.
public enum MediaTools {
    public struct ToolError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    @discardableResult
    public static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolError(description: "\(tool) \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return data
    }

    public static func ffmpeg(_ arguments: [String]) throws {
        try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y"] + arguments)
    }

    /// A fresh temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stream-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// 320x240 testsrc2 at 25 fps for `seconds`, libx264, with a sine AAC track, in the container of `url`'s extension.
    public static func makeClip(_ url: URL, seconds: Double = 2, size: String = "320x240") throws {
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=\(size):r=25:d=\(seconds)",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-shortest", url.path])
    }

    /// Video frame presentation times (seconds) as ffprobe reports them, which also proves the file decodes.
    public static func framePTS(_ url: URL) throws -> [Double] {
        let text = String(decoding: try run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                         "frame=pts_time", "-of", "csv=p=0", url.path]), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).compactMap { Double($0.split(separator: ",")[0]) }
    }

    /// `codec_type` → packet count per stream, via ffprobe.
    public static func packetCounts(_ url: URL) throws -> [String: Int] {
        let text = String(decoding: try run("ffprobe", ["-v", "error", "-count_packets", "-show_entries",
                                                         "stream=codec_type,nb_read_packets", "-of", "csv=p=0", url.path]), as: UTF8.self)
        var result: [String: Int] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ",")
            if parts.count >= 2, let n = Int(parts[1]) { result[String(parts[0])] = n }
        }
        return result
    }

    /// One stream property (e.g. `width`, `duration`) of the first video stream.
    public static func videoProperty(_ url: URL, _ key: String) throws -> String {
        String(decoding: try run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                              "stream=\(key)", "-of", "csv=p=0", url.path]), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A JPEG made by ffmpeg with an EXIF block holding only `orientation` (1–8; 6 is a phone held upright,
    /// shown turned 90° clockwise), inserted after the start-of-image marker as a camera writes it.
    public static func makeJPEG(_ url: URL, size: String, exifOrientation orientation: UInt16) throws {
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=\(size)", "-frames:v", "1", "-q:v", "2", url.path])
        let jpeg = try Data(contentsOf: url)
        // APP1 "Exif": big-endian TIFF header, one IFD with one SHORT entry (tag 0x0112), no next IFD.
        var exif: [UInt8] = Array("Exif".utf8) + [0, 0, 0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, 0, 1]
        exif += [0x01, 0x12, 0, 3, 0, 0, 0, 1, UInt8(orientation >> 8), UInt8(orientation & 0xFF), 0, 0, 0, 0, 0, 0]
        let segment: [UInt8] = [0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)] + exif
        try (jpeg.prefix(2) + Data(segment) + jpeg.dropFirst(2)).write(to: url)
    }

    /// Frame `index` decoded by the ffmpeg CLI as packed 8-bit RGB.
    public static func rgb24Frame(_ url: URL, index: Int = 0) throws -> [UInt8] {
        [UInt8](try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", url.path,
                                   "-vf", "select=eq(n\\,\(index))", "-frames:v", "1",
                                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]))
    }
}

/// The `deblur-video` executable under test, and a way to run it.
public enum BuiltCLI {
    /// The built `deblur-video` next to the test bundle (`.build/<triple>/debug/`), or `.build/debug/deblur-video`.
    public static let binary: URL = {
        let nextToTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("deblur-video")
        if FileManager.default.isExecutableFile(atPath: nextToTests.path) { return nextToTests }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/deblur-video")
    }()

    /// Runs the CLI with `stdin` (a file) or none and waits; stdout and stderr go through files, so neither pipe can fill up.
    public static func run(_ arguments: [String], stdin: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let dir = try MediaTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
            throw MediaTools.ToolError(description: "cannot create capture files in \(dir.path)")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
