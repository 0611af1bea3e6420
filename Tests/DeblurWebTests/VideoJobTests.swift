import DeblurWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Stream
import Testing

@Suite("Video jobs: POST /api/jobs, GET /api/jobs/{id}, GET /api/jobs/{id}/result")
struct VideoJobTests {
    private static func clip(frames: Int = 10) throws -> Data {
        try Fixtures.encoded(Fixtures.ramp(width: 32, height: 24), extension: "mp4", frames: frames)
    }

    /// Polls the job until it is done or failed, at most `tries` × 50 ms (generous: the full suite can starve
    /// the cooperative pool for tens of seconds on 2 cores).
    private func waitForJob(_ client: some TestClientProtocol, _ id: String, tries: Int = 2400) async throws -> VideoJobStatus {
        var last: VideoJobStatus?
        for _ in 0..<tries {
            last = try await client.execute(uri: "/api/jobs/\(id)", method: .get) { response in
                #expect(response.status == .ok)
                return try JSONDecoder().decode(VideoJobStatus.self, from: response.body.data)
            }
            if let s = last, s.state == .done || s.state == .failed { return s }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try #require(last)
    }

    @Test("a clip is accepted (202), reports progress, and its result has every frame, restored, at the same size")
    func clipRoundTrip() async throws {
        let upload = try Self.clip(frames: 10)
        let app = Fixtures.app(Fixtures.service(processor: { Inverter() }))
        try await app.test(.router) { client in
            let submitted = try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: upload)) { r in
                #expect(r.status == .accepted)
                let status = try JSONDecoder().decode(VideoJobStatus.self, from: r.body.data)
                #expect(r.headers[.location] == "/api/jobs/\(status.id)")
                #expect(status.framesTotal == 10)
                return status
            }
            let final = try await waitForJob(client, submitted.id)
            #expect(final.state == .done, "\(final.error ?? "")")
            #expect(final.framesDone == 10 && final.progress == 1)
            let url = try #require(final.resultURL)
            let video = try await client.execute(uri: url, method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "video/mp4")
                return r.body.data
            }
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            try video.write(to: dir.file("result.mp4"))
            let decoder = try FrameDecoder(location: dir.file("result.mp4").path, threads: 1)
            var frames: [Frame] = []
            while let f = try decoder.nextFrame() { frames.append(f) }
            #expect(frames.count == 10)
            #expect(frames.allSatisfy { $0.width == 32 && $0.height == 24 })
            // H.264 is lossy: compare the mean of the first frame with the inverted input's mean.
            let input = Fixtures.ramp(width: 32, height: 24)
            let expectedMean = input.pixels.reduce(0) { $0 + (1 - $1) } / Float(input.pixels.count)
            let mean = frames[0].pixels.reduce(0, +) / Float(frames[0].pixels.count)
            #expect(abs(mean - expectedMean) < 0.03)
        }
    }

    @Test("given an image processor, stills use it and video jobs keep the video processor")
    func imagesAndVideoUseTheirOwnProcessors() async throws {
        let input = Fixtures.ramp(width: 32, height: 24)
        let png = try Fixtures.codec.encodePNG(input), clip = try Self.clip(frames: 3)
        let app = Fixtures.app(Fixtures.service(processor: { PassThrough() }, imageProcessor: { Inverter() }))
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/deblur", method: .post, body: ByteBuffer(bytes: png)) { r in
                #expect(r.status == .ok)
                let result = try Fixtures.codec.decode(r.body.data, maxPixels: .max)
                #expect(zip(input.pixels, result.pixels).allSatisfy { abs((1 - $0) - $1) < 0.5 / 255 }, "the still was inverted")
            }
            let id = try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: clip)) { r in
                try JSONDecoder().decode(VideoJobStatus.self, from: r.body.data).id
            }
            let final = try await waitForJob(client, id)
            #expect(final.state == .done, "\(final.error ?? "")")
            let video = try await client.execute(uri: try #require(final.resultURL), method: .get) { $0.body.data }
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            try video.write(to: dir.file("result.mp4"))
            let frame = try #require(try FrameDecoder(location: dir.file("result.mp4").path, threads: 1).nextFrame())
            // Passed through, not inverted: the ramp's top-left red sample is 0 (inverted, 1); H.264 moves it a little.
            #expect(frame.pixels[0] < 0.3, "top-left stays dark: \(frame.pixels[0])")
        }
    }

    private static func level(_ i: Int) -> Float { 0.1 + 0.08 * Float(i) }

    @Test("a processor that asks for neighbours gets each frame's, in order, as `deblur` hands them on")
    func neighboursAreHandedOn() async throws {
        // Flat frames of brightness 0.1 + 0.08·i; the processor returns the frame after (the last frame stands in
        // for it at the end), so the result's frame i is frame i + 1 of the input.
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let info = VideoStreamInfo(width: 32, height: 24, timeBase: Rational(1, 25), frameRate: Rational(25, 1),
                                   frameCount: 8, isImage: false)
        let encoder = try FrameEncoder(location: dir.file("in.mp4").path, settings: EncoderSettings(threads: 1), video: info)
        for i in 0..<8 {
            try encoder.write(Frame(width: 32, height: 24, pixels: [Float](repeating: Self.level(i), count: 3 * 32 * 24),
                                    pts: Int64(i), index: i))
        }
        try encoder.finish()
        let upload = try Data(contentsOf: dir.file("in.mp4"))
        let app = Fixtures.app(Fixtures.service(processor: { NextFrame() }))
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: upload)) { r in
                try JSONDecoder().decode(VideoJobStatus.self, from: r.body.data).id
            }
            let final = try await waitForJob(client, id)
            #expect(final.state == .done && final.framesDone == 8, "\(final.error ?? "")")
            let video = try await client.execute(uri: try #require(final.resultURL), method: .get) { $0.body.data }
            try video.write(to: dir.file("result.mp4"))
            let decoder = try FrameDecoder(location: dir.file("result.mp4").path, threads: 1)
            var means: [Float] = []
            while let f = try decoder.nextFrame() { means.append(f.pixels.reduce(0, +) / Float(f.pixels.count)) }
            #expect(means.count == 8)
            for (i, mean) in means.enumerated() {
                let expected = Self.level(min(i + 1, 7))
                #expect(abs(mean - expected) < 0.02, "frame \(i): \(mean)")
            }
        }
    }

    @Test("images and text are 415, too many frames 413, unknown or malformed ids 404")
    func refusals() async throws {
        let config = WebConfiguration(port: 0, maxVideoFrames: 5)
        let png = try Fixtures.png(width: 16, height: 16)
        let long = try Self.clip(frames: 8)
        try await Fixtures.app(Fixtures.service(config)).test(.router) { client in
            try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: png)) { r in
                #expect(r.status == .unsupportedMediaType)
                #expect(errorMessage(r.body).contains("/api/deblur"))
            }
            try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(string: "not a video")) { r in
                #expect(r.status == .unsupportedMediaType)
                // FFmpeg's reason is passed on, the server's scratch path is not.
                #expect(errorMessage(r.body).contains("not a video") && !errorMessage(r.body).contains("deblur-web-"),
                        "\(errorMessage(r.body))")
            }
            try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: long)) { r in
                #expect(r.status == .contentTooLarge)
                #expect(errorMessage(r.body).contains("has 8 frames; the limit is 5"), "\(errorMessage(r.body))")
            }
            // NUT stores no frame count: the count is duration × rate, and said to be an estimate.
            let estimated = try Fixtures.encoded(Fixtures.ramp(width: 32, height: 24), extension: "nut", frames: 8)
            try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: estimated)) { r in
                #expect(r.status == .contentTooLarge)
                #expect(errorMessage(r.body).contains("has about"), "\(errorMessage(r.body))")
            }
            for uri in ["/api/jobs/\(UUID().uuidString)", "/api/jobs/nonsense", "/api/jobs/%2E%2E%2Fetc/result",
                        "/api/jobs/\(UUID().uuidString)/result"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .notFound, "\(uri)")
                }
            }
        }
    }

    @Test("a failed job answers 409 for its result and keeps no partial video on disk")
    func failedJobLeavesNoOutput() async throws {
        let parent = try ScratchDirectory()
        defer { parent.remove() }
        let service = DeblurService(configuration: WebConfiguration(port: 0), codec: Fixtures.codec,
                                    processorFactory: { FailingProcessor() }, scratchParent: parent.url)
        let upload = try Self.clip(frames: 3)
        try await Fixtures.app(service).test(.router) { client in
            let id = try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: upload)) { r in
                #expect(r.status == .accepted)
                return try JSONDecoder().decode(VideoJobStatus.self, from: r.body.data).id
            }
            let final = try await waitForJob(client, id)
            #expect(final.state == .failed)
            try await client.execute(uri: "/api/jobs/\(id)/result", method: .get) { r in #expect(r.status == .conflict) }
            let left = FileManager.default.enumerator(atPath: parent.url.path)?.compactMap { $0 as? String } ?? []
            #expect(!left.contains { $0.hasSuffix("output.mp4") }, "\(left)")
        }
    }

    @Test("the result of an unfinished job is 409; the job store is bounded (503)")
    func unfinishedAndFull() async throws {
        let config = WebConfiguration(port: 0, maxStoredJobs: 1)
        let upload = try Self.clip(frames: 3)
        // The first job stays unfinished until the gate opens, however slowly a loaded machine gets to the checks.
        let gate = Gate()
        defer { gate.open() }
        let app = Fixtures.app(Fixtures.service(config, processor: { GatedPassThrough(gate: gate) }))
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: upload)) { r in
                #expect(r.status == .accepted)
                return try JSONDecoder().decode(VideoJobStatus.self, from: r.body.data).id
            }
            try await client.execute(uri: "/api/jobs/\(id)/result", method: .get) { r in
                #expect(r.status == .conflict)
            }
            try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: upload)) { r in
                #expect(r.status == .serviceUnavailable)
                #expect(r.headers[.retryAfter] != nil)
            }
            gate.open()
            let final = try await waitForJob(client, id)
            #expect(final.state == .done && final.framesDone == 3)
            // A finished job makes room: the next upload is accepted and the old job is gone.
            let next = try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: upload)) { r in
                #expect(r.status == .accepted)
                return try JSONDecoder().decode(VideoJobStatus.self, from: r.body.data).id
            }
            try await client.execute(uri: "/api/jobs/\(id)", method: .get) { r in
                #expect(r.status == .notFound)
            }
            #expect(try await waitForJob(client, next).state == .done)
        }
    }

    @Test("GET /api/jobs/{id}?wait=S answers when the job changes, not with the status it had on arrival")
    func longPoll() async throws {
        let gate = Gate()
        let upload = try Self.clip(frames: 2)
        let app = Fixtures.app(Fixtures.service(processor: { GatedPassThrough(gate: gate) }))
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/jobs", method: .post, body: ByteBuffer(bytes: upload)) { r in
                try JSONDecoder().decode(VideoJobStatus.self, from: r.body.data).id
            }
            // Wait (bounded) until the job runs and is blocked in the processor at frame 0.
            for _ in 0..<4800 {
                let state = try await client.execute(uri: "/api/jobs/\(id)", method: .get) { r in
                    try JSONDecoder().decode(VideoJobStatus.self, from: r.body.data).state
                }
                if state == .running { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            // A plain thread, not a task: a starved cooperative pool must not delay the gate past the poll.
            let opener = Thread {
                Thread.sleep(forTimeInterval: 0.3)
                gate.open()
            }
            opener.start()
            // On arrival the job was blocked at frame 0; the long poll answers only after it moved. An unchanged
            // answer is allowed only when the full 10 s ran out: on a loaded machine (parallel tests starving the
            // cooperative pool) the progress update itself can be late, so poll again then.
            let clock = ContinuousClock()
            var changed: VideoJobStatus?
            for _ in 0..<6 where changed == nil {
                let start = clock.now
                let answer = try await client.execute(uri: "/api/jobs/\(id)?wait=10", method: .get) { r in
                    try JSONDecoder().decode(VideoJobStatus.self, from: r.body.data)
                }
                if answer.framesDone > 0 || answer.state == .done {
                    changed = answer
                } else {
                    #expect(answer.state == .running && clock.now - start >= .seconds(9.5),
                            "the long poll answered early without a change: \(answer)")
                }
            }
            #expect(changed != nil, "the job never moved past frame 0")
            let final = try await waitForJob(client, id)
            #expect(final.state == .done)
        }
    }
}
