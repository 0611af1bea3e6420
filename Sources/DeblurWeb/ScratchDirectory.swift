import Foundation

/// A private (mode 0700) temporary directory for one job, removed when the job ends.
///
/// File names inside it are made by the server; nothing a client sends becomes part of a path.
public final class ScratchDirectory: @unchecked Sendable {
    public let url: URL

    /// Creates a fresh directory under the system temporary directory (or `parent`).
    public init(parent: URL? = nil) throws {
        let base = parent ?? FileManager.default.temporaryDirectory
        var template = Array(base.appendingPathComponent("deblur-web-XXXXXX").path.utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil  // mkdtemp creates the directory with mode 0700
        }
        guard made else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "mkdtemp failed: errno \(errno)"])
        }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        url = URL(fileURLWithPath: path, isDirectory: true)
    }

    /// A path for a server-chosen file name inside the directory.
    public func file(_ name: String) -> URL {
        url.appendingPathComponent(name, isDirectory: false)
    }

    /// `error`'s text for a client: files inside are named, where the server keeps them is not.
    public func clientMessage(for error: any Error) -> String {
        "\(error)".replacingOccurrences(of: url.path + "/", with: "")
    }

    /// Removes the directory and everything in it; safe to call more than once.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    deinit { remove() }
}
