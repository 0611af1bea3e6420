import Foundation

/// Where the encoder writes: a hidden temporary file next to the target, renamed over it only on success,
/// so no half-written file ever appears under the final name. `-` (stdout) is written directly.
struct OutputFile {
    let finalPath: String
    let writePath: String

    init(_ path: String) {
        finalPath = path
        if path == "-" {
            writePath = path
        } else {
            let url = URL(fileURLWithPath: path)
            let ext = url.pathExtension
            // Keep the extension last: FFmpeg picks image codecs from it.
            let name = ".\(url.deletingPathExtension().lastPathComponent).partial-\(getpid())" + (ext.isEmpty ? "" : ".\(ext)")
            writePath = url.deletingLastPathComponent().appendingPathComponent(name).path
            PartialFiles.add(writePath)
        }
    }

    var isStdout: Bool { finalPath == "-" }

    /// Fails early, with the user's path in the message, if the target directory is missing or read-only.
    func checkWritable() throws {
        guard !isStdout else { return }
        try Self.checkWritable(finalPath)
    }

    /// Fails, with `finalPath` in the message, if its directory is missing or read-only or it names a directory.
    static func checkWritable(_ finalPath: String) throws {
        let dir = URL(fileURLWithPath: finalPath).deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw CLIFailure(.output, "cannot write \(finalPath): directory \(dir) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw CLIFailure(.output, "cannot write \(finalPath): directory \(dir) is not writable")
        }
        if FileManager.default.fileExists(atPath: finalPath, isDirectory: &isDir), isDir.boolValue {
            throw CLIFailure(.output, "cannot write \(finalPath): it is a directory")
        }
    }

    /// Whether the target already exists and is `path` itself (same file, whatever the spelling or links).
    func isSameFile(as path: String) -> Bool {
        guard !isStdout, path != "-" else { return false }
        var a = stat(), b = stat()
        guard stat(finalPath, &a) == 0, stat(path, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    /// Moves the finished temporary file over the target (atomic on one file system).
    func commit() throws {
        guard !isStdout else { return }
        defer { PartialFiles.remove(writePath) }
        if rename(writePath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw CLIFailure(.output, "cannot write \(finalPath): \(reason)")
        }
    }

    /// Removes the temporary file (after a failure).
    func discard() {
        guard !isStdout else { return }
        unlink(writePath)
        PartialFiles.remove(writePath)
    }
}
