import CFFmpeg

/// FFmpeg's message for an `AVERROR` code (what `av_err2str` gives in C).
func avErrorDescription(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    return buffer.withUnsafeMutableBufferPointer { buf -> String in
        guard let base = buf.baseAddress else { return "error \(code)" }
        av_strerror(code, base, buf.count)
        return String(cString: base)
    }
}

/// `"-"` means stdin/stdout; FFmpeg spells those `pipe:0` / `pipe:1`.
func ffmpegURL(for location: String, output: Bool) -> String {
    location == "-" ? (output ? "pipe:1" : "pipe:0") : location
}
