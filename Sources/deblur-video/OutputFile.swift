import Foundation

/// Where the encoder writes: a hidden temporary file next to the target, renamed over it only on success,
/// so no half-written file ever appears under the final name. `-` (stdout) and existing special files (a FIFO,
/// `/dev/null`, a terminal) are written directly: renaming over them would replace them with a regular file.
/// A symbolic link is followed, so the file it points to gets the result and the link stays.
struct OutputFile {
    let finalPath: String
    let writePath: String
    /// Written in place, with no temporary file: `-` or an existing non-regular file.
    let isDirect: Bool
    /// The target is a FIFO or socket (or stdout): its reader cannot seek, as for a pipe.
    let isStream: Bool

    init(_ path: String) {
        let (exists, kind, inPlace) = Self.inspect(path)
        if inPlace {
            finalPath = path
            writePath = path
            isDirect = true
            isStream = path == "-" || kind == S_IFIFO || kind == S_IFSOCK
        } else {
            // A link (even a dangling one, as a shell's `>` treats it): the temporary file goes next to the file it
            // points to, so the rename keeps the link.
            finalPath = Self.linkTarget(path, exists: exists)
            isDirect = false
            isStream = false
            let url = URL(fileURLWithPath: finalPath)
            let ext = url.pathExtension
            // Keep the extension last: FFmpeg picks image codecs from it.
            let name = ".\(url.deletingPathExtension().lastPathComponent).partial-\(getpid())" + (ext.isEmpty ? "" : ".\(ext)")
            writePath = url.deletingLastPathComponent().appendingPathComponent(name).path
            PartialFiles.add(writePath)
        }
    }

    var isStdout: Bool { finalPath == "-" }

    /// The regular file a model or checkpoint is saved to: `path`, or the file a symbolic link points to, so the
    /// rename that completes the save keeps the link. `-` and special files (a FIFO, `/dev/null`) are refused: a
    /// rename would replace them with a regular file. Also fails as `checkWritable` does.
    static func regularFileTarget(_ path: String) throws -> String {
        let (exists, _, inPlace) = inspect(path)
        if inPlace {
            throw CLIFailure(.output, "cannot write \(path): not a regular file (weights are saved to a file next to it and renamed over it)")
        }
        let target = linkTarget(path, exists: exists)
        try checkWritable(target)
        return target
    }

    /// Whether `path` exists (links followed), its file type, and whether it is written in place rather than
    /// replaced: `-`, or an existing file that is neither regular nor a directory.
    private static func inspect(_ path: String) -> (exists: Bool, kind: mode_t, inPlace: Bool) {
        var info = stat()
        let exists = path != "-" && stat(path, &info) == 0
        let kind = info.st_mode & S_IFMT
        return (exists, kind, path == "-" || (exists && kind != S_IFREG && kind != S_IFDIR))
    }

    /// `path` itself, or for a symbolic link (even a dangling one, as a shell's `>` treats it) the file it points to.
    private static func linkTarget(_ path: String, exists: Bool) -> String {
        var link = stat()
        let isLink = lstat(path, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK
        return !isLink ? path : exists ? URL(fileURLWithPath: path).resolvingSymlinksInPath().path : danglingTarget(path)
    }

    /// Where a chain of symbolic links ending nowhere points (relative targets are relative to their link).
    private static func danglingTarget(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {  // the kernel's own limit on link chains
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = target.hasPrefix("/") ? target
                : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(target).standardized.path
        }
        return current
    }

    /// Fails early, with the user's path in the message, if the target directory is missing or read-only
    /// (for a special file: if the file itself is not writable).
    func checkWritable() throws {
        guard !isStdout else { return }
        guard !isDirect else {
            guard access(finalPath, W_OK) == 0 else { throw CLIFailure(.output, "cannot write \(finalPath): it is not writable") }
            return
        }
        try Self.checkWritable(finalPath)
    }

    /// Fails, with `finalPath` in the message, if its directory is missing or read-only or it names a directory.
    static func checkWritable(_ finalPath: String) throws {
        let dir = URL(fileURLWithPath: finalPath).deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else {
            throw CLIFailure(.output, "cannot write \(finalPath): directory \(dir) does not exist")
        }
        guard isDir.boolValue else { throw CLIFailure(.output, "cannot write \(finalPath): \(dir) is a file, not a directory") }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw CLIFailure(.output, "cannot write \(finalPath): directory \(dir) is not writable")
        }
        if FileManager.default.fileExists(atPath: finalPath, isDirectory: &isDir), isDir.boolValue {
            throw CLIFailure(.output, "cannot write \(finalPath): it is a directory")
        }
    }

    /// Whether the target already exists and is `path` itself (same file, whatever the spelling or links).
    func isSameFile(as path: String) -> Bool {
        guard !isDirect, path != "-" else { return false }
        var a = stat(), b = stat()
        guard stat(finalPath, &a) == 0, stat(path, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }

    /// Moves the finished temporary file over the target (atomic on one file system).
    func commit() throws {
        guard !isDirect else { return }
        defer { PartialFiles.remove(writePath) }
        if rename(writePath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw CLIFailure(.output, "cannot write \(finalPath): \(reason)")
        }
    }

    /// Removes the temporary file (after a failure).
    func discard() {
        guard !isDirect else { return }
        unlink(writePath)
        PartialFiles.remove(writePath)
    }
}
