import DeblurWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Stream
import Testing

@Suite("POST /api/compare, the page and its assets")
struct CompareAndPageTests {
    private func multipart(_ fields: [(String, Data)], boundary: String = "XyZ-boundary-42") -> (String, Data) {
        var body = Data()
        for (name, data) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"../../etc/passwd\"\r\nContent-Type: image/png\r\n\r\n".utf8))
            body.append(data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    @Test("PSNR of a known uniform error, and SSIM 1 / PSNR null for identical images")
    func knownScores() async throws {
        // Reference: mid grey 128; test: red channel 10 levels brighter. MSE over all samples = 100/3.
        let w = 32, h = 24
        var reference = Frame(width: w, height: h)
        for i in reference.pixels.indices { reference.pixels[i] = 128 / 255 }
        var test = reference
        for i in 0..<(w * h) { test.pixels[i] = 138 / 255 }
        let expectedPSNR = 10 * log10(255.0 * 255.0 / (100.0 / 3.0))
        let refPNG = try Fixtures.codec.encodePNG(reference)
        let testPNG = try Fixtures.codec.encodePNG(test)
        try await Fixtures.app(Fixtures.service()).test(.router) { client in
            let (type, body) = multipart([("image", testPNG), ("reference", refPNG)])
            try await client.execute(uri: "/api/compare", method: .post, headers: [.contentType: type],
                                     body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .ok)
                let scores = try JSONDecoder().decode(QualityScores.self, from: response.body.data)
                let psnr = try #require(scores.psnr)
                #expect(abs(psnr - expectedPSNR) < 1e-3)
                #expect(scores.ssim < 1 && scores.ssim > 0.9)
            }
            let (type2, same) = multipart([("image", refPNG), ("reference", refPNG)])
            try await client.execute(uri: "/api/compare", method: .post, headers: [.contentType: type2],
                                     body: ByteBuffer(bytes: same)) { response in
                #expect(response.status == .ok)
                let scores = try JSONDecoder().decode(QualityScores.self, from: response.body.data)
                #expect(scores.psnr == nil)
                #expect(abs(scores.ssim - 1) < 1e-9)
                #expect(String(decoding: response.body.readableBytesView, as: UTF8.self).contains("\"psnr\":null"))
            }
        }
    }

    @Test("size mismatch → 422, missing or repeated field → 400, not multipart → 400, non-image field → 415")
    func compareFailures() async throws {
        let a = try Fixtures.png(width: 32, height: 32)
        let b = try Fixtures.png(width: 33, height: 32)
        try await Fixtures.app(Fixtures.service()).test(.router) { client in
            let (t1, mismatch) = multipart([("image", a), ("reference", b)])
            try await client.execute(uri: "/api/compare", method: .post, headers: [.contentType: t1],
                                     body: ByteBuffer(bytes: mismatch)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(errorMessage(response.body).contains("33×32"))
            }
            let (t2, missing) = multipart([("image", a)])
            try await client.execute(uri: "/api/compare", method: .post, headers: [.contentType: t2],
                                     body: ByteBuffer(bytes: missing)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/compare", method: .post, headers: [.contentType: "image/png"],
                                     body: ByteBuffer(bytes: a)) { response in
                #expect(response.status == .badRequest)
            }
            // Two images under one name: which one was meant is unclear, so neither is taken.
            let (t4, twice) = multipart([("image", a), ("image", b), ("reference", a)])
            try await client.execute(uri: "/api/compare", method: .post, headers: [.contentType: t4],
                                     body: ByteBuffer(bytes: twice)) { response in
                #expect(response.status == .badRequest)
                #expect(errorMessage(response.body).contains("more than one \"image\" field"))
            }
            let (t3, text) = multipart([("image", Data("plain text".utf8)), ("reference", a)])
            try await client.execute(uri: "/api/compare", method: .post, headers: [.contentType: t3],
                                     body: ByteBuffer(bytes: text)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }

    @Test("the page, its script and stylesheet are served with their types; no external resources; 404 and 405 as JSON")
    func page() async throws {
        try await Fixtures.app(Fixtures.service()).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let html = String(buffer: response.body)
                for id in ["id=\"drop\"", "id=\"file\"", "id=\"reference\"", "id=\"split\"", "id=\"zoom\"",
                           "id=\"download\"", "id=\"progress\"", "/assets/app.js", "/assets/style.css"] {
                    #expect(html.contains(id), "\(id)")
                }
                #expect(!html.contains("http://") && !html.contains("https://"), "no CDN")
            }
            // An unknown path answers with the API's JSON error, as every other failure does.
            try await client.execute(uri: "/api/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(errorMessage(response.body).contains("no such page or API route: GET /api/nope"))
            }
            // A known path asked with another method: 405 naming the methods it takes, in `Allow` too.
            for (uri, method, allow) in [("/api/deblur", HTTPRequest.Method.get, "POST"), ("/", .delete, "GET, HEAD"),
                                         ("/api/jobs/abc", .post, "GET, HEAD")] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                    #expect(response.headers[.allow] == allow, "\(method) \(uri)")
                    #expect(errorMessage(response.body) == "\(uri) takes \(allow.replacingOccurrences(of: ", ", with: " or ")), not \(method)")
                }
            }
            // HEAD, as link checkers and `curl -I` send it, answers like GET without the body.
            let pageBytes = try await client.execute(uri: "/", method: .get) { $0.body.readableBytes }
            try await client.execute(uri: "/", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.headers[.contentLength] == String(pageBytes))
                #expect(response.body.readableBytes == 0)
            }
            // Every GET route answers HEAD, the API's JSON too.
            try await client.execute(uri: "/api/status", method: .head) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "application/json")
                #expect(response.body.readableBytes == 0 && Int(response.headers[.contentLength] ?? "") ?? 0 > 0)
            }
            try await client.execute(uri: "/assets/app.js", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
                let js = String(buffer: response.body)
                #expect(js.contains("/api/deblur") && js.contains("selftest"))
            }
            try await client.execute(uri: "/assets/style.css", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
            }
            try await client.execute(uri: "/selftest/sample.png", method: .get) { response in
                let sample = try Fixtures.codec.decode(response.body.data, maxPixels: .max)
                #expect(sample.width == 320 && sample.height == 240)
            }
            try await client.execute(uri: "/api/status", method: .get) { response in
                let status = try JSONDecoder().decode(ServerStatus.self, from: response.body.data)
                #expect(status.method == "none" && status.maxUploadBytes == 25 * 1024 * 1024 && status.running == 0)
            }
            try await client.execute(uri: "/../../etc/passwd", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
