import DeblurWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Stream
import Testing

@Suite("POST /api/deblur")
struct DeblurRouteTests {
    @Test("a PNG upload comes back as a PNG of the same size, restored by the processor")
    func pngRoundTrip() async throws {
        let input = Fixtures.ramp(width: 37, height: 23)
        let upload = try Fixtures.codec.encodePNG(input)
        let app = Fixtures.app(Fixtures.service(processor: { Inverter() }))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: upload)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                let body = response.body
                #expect(body.data.starts(with: [0x89, 0x50, 0x4E, 0x47]))  // PNG signature
                let result = try Fixtures.codec.decode(body.data, maxPixels: .max)
                #expect(result.width == 37 && result.height == 23)
                // The inverter ran: every 8-bit sample is 255 − input.
                let expected = input.pixels.map { (1 - $0) * 255 }
                let got = result.pixels.map { ($0 * 255).rounded() }
                #expect(zip(expected, got).allSatisfy { abs($0 - $1) < 0.5 })
            }
        }
    }

    @Test("a JPEG upload is accepted and answered with a PNG of the same size")
    func jpegUpload() async throws {
        let jpeg = try Fixtures.encoded(Fixtures.ramp(width: 48, height: 32), extension: "jpg")
        #expect(jpeg.starts(with: [0xFF, 0xD8]))
        let app = Fixtures.app(Fixtures.service())
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: jpeg)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPFields.Element.Name("X-Image-Width")!] == "48")
                let result = try Fixtures.codec.decode(response.body.data, maxPixels: .max)
                #expect(result.width == 48 && result.height == 32)
            }
        }
    }

    @Test("text, a video and a PNG renamed from text are refused with 415: content decides, not names")
    func wrongTypeIs415() async throws {
        let video = try Fixtures.encoded(Fixtures.ramp(width: 32, height: 32), extension: "mp4", frames: 2)
        let bodies: [(String, Data)] = [
            ("text", Data("hello, this is not an image\n".utf8)),
            ("mp4", video),
            ("html", Data("<!doctype html><html><body>x</body></html>".utf8)),
        ]
        let app = Fixtures.app(Fixtures.service())
        try await app.test(.router) { client in
            for (name, body) in bodies {
                try await client.execute(
                    uri: "/api/deblur", method: .post,
                    headers: [.contentType: "image/png", .contentDisposition: "attachment; filename=\"x.png\""],
                    body: ByteBuffer(bytes: body)
                ) { response in
                    #expect(response.status == .unsupportedMediaType, "\(name)")
                    #expect(response.headers[.contentType] == "application/json")
                    #expect(errorMessage(response.body).contains("not a PNG or JPEG"), "\(name)")
                }
            }
        }
    }

    @Test("a body over the upload limit is refused with 413, with or without Content-Length")
    func oversizeIs413() async throws {
        let config = WebConfiguration(port: 0, maxUploadBytes: 4096)
        let big = try Fixtures.codec.encodePNG(Fixtures.noise(width: 64, height: 64))
        #expect(big.count > 4096)
        let app = Fixtures.app(Fixtures.service(config))
        try await app.test(.router) { client in
            // Streamed without a declared length: caught while collecting.
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: big)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(errorMessage(response.body).contains("4096 bytes"))
            }
            // Declared length over the limit: refused before reading the body.
            try await client.execute(
                uri: "/api/deblur", method: .post, headers: [.contentLength: String(big.count)],
                body: ByteBuffer(bytes: big)
            ) { response in
                #expect(response.status == .contentTooLarge)
            }
            // Just under the limit is fine.
            let small = try Fixtures.png(width: 8, height: 8)
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: small)) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("an image over the pixel limit is refused with 413 before decoding, even a tiny decompression bomb")
    func pixelLimit() async throws {
        let config = WebConfiguration(port: 0, maxPixels: 100 * 100)
        let ok = try Fixtures.png(width: 100, height: 100)
        let tooBig = try Fixtures.png(width: 101, height: 100)
        // A 1×1 PNG whose header claims 60 000 × 60 000 pixels (3.6 gigapixels): refused from the header alone.
        var bombBytes = try Fixtures.png(width: 1, height: 1)
        bombBytes.replaceSubrange(16..<24, with: [0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60])
        let bomb = bombBytes
        let app = Fixtures.app(Fixtures.service(config))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: ok)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: tooBig)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(errorMessage(response.body).contains("101×100"))
            }
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: bomb)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(errorMessage(response.body).contains("60000×60000"))
            }
        }
    }

    @Test("empty body → 400, truncated PNG → 422, failing processor → 500, all with a JSON message")
    func otherFailures() async throws {
        let png = try Fixtures.png(width: 64, height: 64)
        let truncated = png.prefix(60)
        try await Fixtures.app(Fixtures.service()).test(.router) { client in
            try await client.execute(uri: "/api/deblur", method: .post) { response in
                #expect(response.status == .badRequest)
                #expect(errorMessage(response.body).contains("empty; send the image file's bytes"))
            }
            try await client.execute(uri: "/api/jobs", method: .post) { response in
                #expect(response.status == .badRequest)
                #expect(errorMessage(response.body).contains("empty; send the video file's bytes"))
            }
            // A form upload (as /api/compare takes) to a raw-body route is told how to send the file instead.
            for route in ["/api/deblur", "/api/jobs"] {
                let boundary = "b0undary"
                var form = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\n\r\n".utf8)
                form += png + Data("\r\n--\(boundary)--\r\n".utf8)
                try await client.execute(uri: route, method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                         body: ByteBuffer(bytes: form)) { response in
                    #expect(response.status == .unsupportedMediaType, "\(route)")
                    #expect(errorMessage(response.body).contains("--data-binary"), "\(route)")
                }
            }
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: truncated)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(!errorMessage(response.body).isEmpty)
            }
        }
        try await Fixtures.app(Fixtures.service(processor: { FailingProcessor() })).test(.router) { client in
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: png)) { response in
                #expect(response.status == .internalServerError)
                #expect(errorMessage(response.body).contains("restoration failed"))
            }
        }
    }

    @Test("a job over the processing timeout is answered 503 with Retry-After while it still runs")
    func processingTimeout() async throws {
        let config = WebConfiguration(port: 0, processingTimeout: .milliseconds(300), retryAfterSeconds: 7)
        let png = try Fixtures.png(width: 16, height: 16)
        let gate = Gate()
        let service = Fixtures.service(config, processor: { GatedPassThrough(gate: gate) })
        try await Fixtures.app(service).test(.router) { client in
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: png)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "7")
                #expect(errorMessage(response.body).contains("took too long"))
            }
        }
        // The answer came while the job was still blocked, and the abandoned job keeps its worker until it ends.
        #expect(await service.limiter.load.running == 1)
        gate.open()
        for _ in 0..<600 where await service.limiter.load.running > 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await service.limiter.load.running == 0)
    }

    @Test("a timed-out tiled job stops at its next tile and frees its worker")
    func timedOutJobIsCancelled() async throws {
        let config = WebConfiguration(port: 0, processingTimeout: .milliseconds(300))
        let png = try Fixtures.png(width: 768, height: 768)
        let tiles = TileCounter()
        // 48×48 tiles of 0.05 s: 115 s if the job ran to the end. Long, so that the test still tells a stopped job
        // from a finished one when parallel tests keep the (2-thread) cooperative pool busy and the 503 comes late
        // (on a loaded 2-core machine it once came after 12.8 s, when the job had finished).
        let service = Fixtures.service(config, processor: {
            try TiledProcessor(SlowPassThrough(seconds: 0.05, counter: tiles), tileSize: 16, overlap: 0)
        })
        let tilesWhenAnswered = try await Fixtures.app(service).test(.router) { client in
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: png)) { response in
                #expect(response.status == .serviceUnavailable)
                return tiles.count
            }
        }
        for _ in 0..<60 where await service.limiter.load.running > 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await service.limiter.load.running == 0, "the worker is still busy 3 s after the time-out")
        // The tile running when the answer went out may finish (and one more may start as the token is set).
        #expect(tiles.count <= tilesWhenAnswered + 2 && tiles.count < 48 * 48, "\(tilesWhenAnswered) tiles at the answer, \(tiles.count) in all")
    }
}
