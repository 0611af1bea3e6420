import Foundation
import Testing

/// `deblur-video serve` end to end: the built binary, a real Chromium, the page's self-test (scripts/browser-test.sh).
@Suite("deblur-video serve")
struct ServeBrowserTests {
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `deblur-video` next to the test bundle, or under `.build/debug`.
    private static var binary: URL {
        let nextToTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("deblur-video")
        if FileManager.default.isExecutableFile(atPath: nextToTests.path) { return nextToTests }
        return root.appendingPathComponent(".build/debug/deblur-video")
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("headless Chromium uploads a sample image and clip through the page; result image, scores, video and its split view appear")
    func browserSelfTest() throws {
        let result = try Self.run("/bin/bash", ["scripts/browser-test.sh", "--binary", Self.binary.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("selftest: ok 320x240 psnr="), "\(result.output)")
        #expect(result.output.contains("video=mp4 split=30 12 frames"), "\(result.output)")
        #expect(result.output.contains("failed-upload-cleared"), "\(result.output)")
        #expect(result.output.contains("reference-hidden-for-video"), "\(result.output)")
        #expect(result.output.contains(" zoom-label="), "\(result.output)")
        #expect(result.output.contains("browser-test: passed"))
    }

    @Test("bad serve options are usage errors (exit 1) with a message")
    func badOptions() throws {
        for args in [["serve", "--port", "70000"], ["serve", "--jobs", "0"], ["serve", "--max-upload-mb", "0"],
                     ["serve", "--max-upload-mb", "9000000000000"]] {  // once an overflow crash (exit 132)
            let result = try Self.run(Self.binary.path, args)
            #expect(result.status == 1, "\(args)")
            #expect(result.output.contains("error:"), "\(args): \(result.output)")
        }
    }

    @Test("a port in use is an output error (exit 3) that says so")
    func busyPort() throws {
        // Hold a loopback port with a listening socket of our own.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, sa, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let result = try Self.run(Self.binary.path, ["serve", "--method", "none", "--port", String(port)])
        #expect(result.status == 3, "\(result.output)")
        #expect(result.output.contains("port \(port) on 127.0.0.1 is in use"), "\(result.output)")
    }
}
