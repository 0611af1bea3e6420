import DeblurWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client on the loopback interface, for requests no HTTP client library would send (a stalled body).
private final class RawConnection {
    private var fd: Int32 = -1

    init(port: Int, receiveTimeout seconds: Int) throws {
        // The test server binds "localhost": try IPv4 loopback, then IPv6.
        if let fd = Self.connect4(port) ?? Self.connect6(port) { self.fd = fd } else {
            throw POSIXError(.ECONNREFUSED)
        }
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { if fd >= 0 { close(fd) } }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// True once `receive` saw the server close the connection (rather than the receive timeout passing).
    private(set) var closedByPeer = false

    /// Everything received until the peer closes, the timeout passes, a full response head, or `limit` bytes.
    func receive(limit: Int = 4096) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1024)
        while data.count < limit {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { closedByPeer = true }
            if n <= 0 { break }
            data += buffer[0..<n]
            if String(decoding: data, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func connect4(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok == 0 { return fd }
        close(fd)
        return nil
    }

    private static func connect6(_ port: Int) -> Int32? {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_port = in_port_t(UInt16(port).bigEndian)
        addr.sin6_addr = in6addr_loopback
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        if ok == 0 { return fd }
        close(fd)
        return nil
    }
}

@Suite("Request time-outs on a live server")
struct TimeoutTests {
    @Test("a client that stalls mid-body gets 408 after the upload timeout")
    func stalledUpload() async throws {
        // The idle timeout must stay far above the upload timeout: when the whole suite runs, blocking tests can
        // starve the cooperative pool for tens of seconds, and a 10 s idle close then beat the 408 (seen in CI).
        let config = WebConfiguration(port: 0, uploadTimeout: .milliseconds(500), idleTimeout: .seconds(300))
        try await Fixtures.app(Fixtures.service(config)).test(.live) { client in
            let port = try #require(client.port)
            // Without the upload timeout the server would wait for the body forever and this receive would time out
            // empty after 240 s; the 408 can only come from the timeout (no wall-clock bound: the suite shares 2 cores).
            let connection = try RawConnection(port: port, receiveTimeout: 240)
            connection.send("POST /api/deblur HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n")
            connection.send(String(repeating: "x", count: 100))  // …and never the rest
            let reply = connection.receive()
            #expect(reply.hasPrefix("HTTP/1.1 408"), "\(reply)")
        }
    }

    @Test("an idle connection is closed after the idle timeout")
    func idleConnection() async throws {
        let config = WebConfiguration(port: 0, idleTimeout: .milliseconds(500))
        try await Fixtures.app(Fixtures.service(config)).test(.live) { client in
            let port = try #require(client.port)
            let connection = try RawConnection(port: port, receiveTimeout: 60)
            let reply = connection.receive()  // returns when the server closes (or after the 60 s receive timeout)
            #expect(reply.isEmpty)
            #expect(connection.closedByPeer, "the server did not close the idle connection")
        }
    }
}
