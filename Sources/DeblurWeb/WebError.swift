import Foundation
import Hummingbird

/// Every way a request can fail, with the HTTP status it maps to and a message meant for a person.
public enum WebError: Error, Equatable, CustomStringConvertible {
    case badRequest(String)
    case notFound(String)
    /// The path exists, but not for this method; `allowed` goes into the `Allow` header.
    case methodNotAllowed(method: String, path: String, allowed: [String])
    case notReady(String)
    case requestTimeout(String)
    case payloadTooLarge(String)
    case unsupportedMediaType(String)
    case unprocessable(String)
    case busy(retryAfterSeconds: Int)
    case processingTimeout(retryAfterSeconds: Int)
    case internalError(String)

    public var status: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .notReady: .conflict
        case .requestTimeout: .requestTimeout
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .unprocessable: .unprocessableContent
        case .busy, .processingTimeout: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let m), .notFound(let m), .notReady(let m), .requestTimeout(let m), .payloadTooLarge(let m),
             .unsupportedMediaType(let m), .unprocessable(let m), .internalError(let m):
            m
        case .methodNotAllowed(let method, let path, let allowed):
            "\(path) takes \(allowed.joined(separator: " or ")), not \(method)"
        case .busy(let s): "the server is busy; try again in \(s) s"
        case .processingTimeout(let s): "processing took too long; try a smaller image or again in \(s) s"
        }
    }

    /// Maps a codec failure to the status a client should see.
    init(_ error: ImageCodecError) {
        switch error {
        case .notAnImage: self = .unsupportedMediaType(error.description)
        case .tooManyPixels: self = .payloadTooLarge(error.description)
        case .corrupt: self = .unprocessable(error.description)
        case .encodeFailed: self = .internalError(error.description)
        }
    }
}

extension WebError: HTTPResponseError {
    public var headers: HTTPFields {
        switch self {
        case .busy(let s), .processingTimeout(let s): [.retryAfter: String(s), .contentType: "application/json"]
        case .methodNotAllowed(_, _, let allowed): [.allow: allowed.joined(separator: ", "), .contentType: "application/json"]
        default: [.contentType: "application/json"]
        }
    }

    /// A JSON body `{"error": "..."}`, so the page can show the reason.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = (try? JSONEncoder().encode(["error": description])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
