import CFFmpeg

/// Small questions the CLI asks FFmpeg before it starts (flag validation, log verbosity).
public enum FFmpegSupport {
    /// Whether FFmpeg has a muxer with this name (`nut`, `matroska`, `mp4`, …).
    public static func hasMuxer(_ name: String) -> Bool { av_guess_format(name, nil, nil) != nil }

    /// The muxer FFmpeg would pick for this file name, if any.
    public static func muxerName(forFile path: String) -> String? {
        guard let f = av_guess_format(nil, path, nil) else { return nil }
        return String(cString: f.pointee.name)
    }

    /// Whether FFmpeg has a video encoder with this name or codec name (`libx264`, `ffv1`, `png`, …).
    public static func hasVideoEncoder(_ name: String) -> Bool {
        if let enc = avcodec_find_encoder_by_name(name) { return enc.pointee.type == AVMEDIA_TYPE_VIDEO }
        if let d = avcodec_descriptor_get_by_name(name), let enc = avcodec_find_encoder(d.pointee.id) {
            return enc.pointee.type == AVMEDIA_TYPE_VIDEO
        }
        return false
    }

    /// FFmpeg's own console messages: silent by default so our one-line errors stand alone.
    public static func setLogging(verbose: Bool) {
        av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_QUIET)
    }
}
