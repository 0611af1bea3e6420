import Foundation
import Hummingbird
import Logging

/// Builds the router and the Hummingbird application serving the page and the API.
public enum WebApplication {
    /// All routes: the page and its assets, `POST /api/deblur`, `POST /api/compare`, `GET /api/status`.
    public static func makeRouter(service: DeblurService) -> Router<BasicRequestContext> {
        let router = Router()
        let config = service.configuration
        let routes = RouteMethods()
        router.add(middleware: UnmatchedRouteAsJSON(routes: routes))
        // Every route goes through here, so the 405 middleware knows which methods a path takes. A GET route
        // also answers HEAD (link checkers, `curl -I`): the same status and headers, with the length, no body.
        func on(_ path: String, _ method: HTTPRequest.Method,
                _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
            router.on(RouterPath(path), method: method, use: handler)
            routes.add(method, path)
            guard method == .get else { return }
            router.on(RouterPath(path), method: .head) { request, context in
                var response = try await handler(request, context)
                let length = response.body.contentLength
                response.body = ResponseBody()  // (sets Content-Length to 0, so the GET's length goes in after)
                if let length { response.headers[.contentLength] = String(length) }
                return response
            }
            routes.add(.head, path)
        }

        for (path, text, type) in [("/", PageAssets.indexHTML, "text/html; charset=utf-8"),
                                   ("/assets/app.js", PageAssets.appJS, "text/javascript; charset=utf-8"),
                                   ("/assets/style.css", PageAssets.styleCSS, "text/css; charset=utf-8")] {
            on(path, .get) { _, _ in asset(text, type: type) }
        }
        on("/api/status", .get) { _, _ in
            let load = await service.limiter.load
            let status = ServerStatus(
                method: config.methodName, maxUploadBytes: config.maxUploadBytes, maxPixels: config.maxPixels,
                concurrentJobs: config.concurrentJobs, queueLength: config.queueLength,
                running: load.running, waiting: load.waiting)
            return json(status)
        }
        // A synthetic blurry picture, for the page's self-test (`/?selftest=1`) and for trying the page out.
        on("/selftest/sample.png", .get) { _, _ in
            let png: Data
            do throws(ImageCodecError) { png = try service.codec.encodePNG(SampleImage.blurredTestCard()) } catch { throw WebError(error) }
            return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        on("/selftest/reference.png", .get) { _, _ in
            let png: Data
            do throws(ImageCodecError) { png = try service.codec.encodePNG(SampleImage.testCard()) } catch { throw WebError(error) }
            return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        on("/selftest/sample.mp4", .get) { _, _ in
            let mp4: Data
            do { mp4 = try await BlockingWork.run { try SampleImage.panningClipMP4() } } catch {
                throw WebError.internalError("could not make the sample clip: \(error)")
            }
            return Response(status: .ok, headers: [.contentType: "video/mp4"], body: .init(byteBuffer: ByteBuffer(bytes: mp4)))
        }
        on("/api/deblur", .post) { request, _ in
            // Refuse at once when full rather than after receiving megabytes; `deblur` checks again when it queues.
            if await service.limiter.isFull { throw WebError.busy(retryAfterSeconds: config.retryAfterSeconds) }
            let upload = try await readBody(of: request, configuration: config, raw: "image")
            let result = try await service.deblur(upload)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "image/png",
                    .contentDisposition: "attachment; filename=\"deblurred.png\"",
                    .cacheControl: "no-store",
                    .imageWidth: String(result.info.width),
                    .imageHeight: String(result.info.height),
                    .processingSeconds: String(format: "%.3f", result.seconds),
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: result.png)))
        }
        on("/api/compare", .post) { request, _ in
            if await service.limiter.isFull { throw WebError.busy(retryAfterSeconds: config.retryAfterSeconds) }
            let body = try await readBody(of: request, configuration: config, raw: nil)
            let form = try MultipartForm(contentType: request.headers[.contentType] ?? "", body: body)
            guard let image = form["image"], let reference = form["reference"] else {
                throw WebError.badRequest("send two form fields, 'image' and 'reference'")
            }
            return json(try await service.compare(image: image, reference: reference))
        }
        on("/api/jobs", .post) { request, _ in
            let upload = try await readBody(of: request, configuration: config, raw: "video")
            let status = try await service.videoJobs.submit(upload)
            var response = json(status)
            response.status = .accepted
            response.headers[.location] = "/api/jobs/\(status.id)"
            return response
        }
        // `?wait=S` (0…10 s) long-polls: the answer comes when the job changes, so clients need no timers.
        on("/api/jobs/{id}", .get) { request, context in
            let id = context.parameters.get("id") ?? ""
            let wait = min(10, max(0, request.uri.queryParameters.get("wait", as: Double.self) ?? 0))
            let status = wait > 0
                ? await service.videoJobs.status(id, waitingUpTo: .milliseconds(Int(wait * 1000)))
                : await service.videoJobs.status(id)
            guard let status else { throw WebError.notFound("no such job") }
            return json(status)
        }
        on("/api/jobs/{id}/result", .get) { _, context in
            let id = context.parameters.get("id") ?? ""
            let video = try await service.videoJobs.result(id)
            return Response(
                status: .ok,
                headers: [.contentType: "video/mp4", .contentDisposition: "attachment; filename=\"deblurred.mp4\"",
                          .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: video)))
        }
        return router
    }

    /// The application on `configuration.host:port`; `onServerRunning` receives the bound port (useful with port 0).
    public static func makeApplication(
        service: DeblurService,
        logger: Logger = Logger(label: "deblur-web"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let config = service.configuration
        return Application(
            router: makeRouter(service: service),
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(config.idleTimeout.wholeNanoseconds))),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "deblur-video"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? config.port) },
            logger: logger
        )
    }

    /// Collects the request body under the size limit (413, checked on Content-Length first) and the upload timeout (408).
    /// `raw` names what a route takes as the bare body (`image`, `video`); such routes refuse a form upload (415)
    /// with the way to send it, since a form's bytes would only be reported as "not an image". nil: a form route.
    static func readBody(of request: Request, configuration config: WebConfiguration, raw: String?) async throws(WebError) -> Data {
        if let raw, MultipartForm.isMultipart(request.headers[.contentType] ?? "") {
            throw .unsupportedMediaType("send the \(raw) file's bytes as the request body (curl --data-binary @FILE), not as a form")
        }
        let limit = config.maxUploadBytes
        let tooLarge = WebError.payloadTooLarge("the upload is larger than the limit of \(limit) bytes (\(limit / (1024 * 1024)) MB)")
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw tooLarge
        }
        let body = request.body
        let data: Data
        do {
            data = try await withDeadline(config.uploadTimeout) {
                Data(try await body.collect(upTo: limit).readableBytesView)
            }
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge  // NIO's "too many bytes" while collecting
        } catch is DeadlineExceeded {
            throw .requestTimeout("the upload took longer than \(config.uploadTimeout)")
        } catch {
            throw .badRequest("the upload could not be read: \(error)")
        }
        guard !data.isEmpty else {
            throw .badRequest(raw.map { "the request body is empty; send the \($0) file's bytes" } ?? "the request body is empty; send the form")
        }
        return data
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type,
                .cacheControl: "no-cache",
                .contentTypeOptions: "nosniff",
                .contentSecurityPolicy: "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; script-src 'self'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Unmatched requests get the API's JSON error body (`{"error": …}`) like every other failure, not an empty 404:
/// 405 with `Allow` when the path exists for other methods, 404 otherwise.
struct UnmatchedRouteAsJSON<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do { return try await next(request, context) } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.allowed(for: request.uri.path)
            // A handler's own 404 (its method matched) stays a 404.
            guard allowed.isEmpty || allowed.contains(request.method) else {
                throw WebError.methodNotAllowed(method: request.method.rawValue, path: request.uri.path,
                                                allowed: allowed.map(\.rawValue))
            }
            throw WebError.notFound("no such page or API route: \(request.method) \(request.uri.path)")
        }
    }
}

/// `GET /api/status`: the method and limits, and the queue's current load.
public struct ServerStatus: Codable, Sendable, Equatable {
    public var method: String
    public var maxUploadBytes: Int
    public var maxPixels: Int
    public var concurrentJobs: Int
    public var queueLength: Int
    public var running: Int
    public var waiting: Int
}

extension Duration {
    /// The duration in whole nanoseconds, for NIO's `TimeAmount`.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Header names the server adds (HTTPTypes' `HTTPField` is reachable only as `HTTPFields.Element`).
extension HTTPFields.Element.Name {
    static let imageWidth = Self("X-Image-Width")!
    static let imageHeight = Self("X-Image-Height")!
    static let processingSeconds = Self("X-Processing-Seconds")!
    static let contentTypeOptions = Self("X-Content-Type-Options")!
}
