import HTTPTypes
import Synchronization

/// The methods each registered path answers, so a known path asked with another method gets 405 and `Allow`
/// (`GET /api/deblur` in a browser), not a 404 that reads as if the route did not exist.
final class RouteMethods: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: HTTPRequest.Method)]>([])

    /// Records `method` for `path` (Hummingbird syntax: a `{name}` segment matches any one segment).
    func add(_ method: HTTPRequest.Method, _ path: String) {
        routes.withLock { $0.append((Self.segments(path), method)) }
    }

    /// The methods registered for a path matching `path`, in registration order (empty: no such path).
    func allowed(for path: String) -> [HTTPRequest.Method] {
        let asked = Self.segments(path)
        return routes.withLock { routes in
            var methods: [HTTPRequest.Method] = []
            for r in routes where r.segments.count == asked.count && !methods.contains(r.method)
                && zip(r.segments, asked).allSatisfy({ $0.hasPrefix("{") && $0.hasSuffix("}") || $0 == $1 }) {
                methods.append(r.method)
            }
            return methods
        }
    }

    private static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
