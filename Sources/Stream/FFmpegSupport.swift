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

    /// Whether this muxer must seek back to finish its file (MXF writes its index last), so it cannot write to a
    /// pipe. FFmpeg keeps no flag for it, hence the list. The ISO/QuickTime family can, fragmented
    /// (`fragmentsOnPipes`).
    public static func needsSeekableOutput(_ muxer: String) -> Bool {
        // AVI too: through a pipe its header keeps placeholder sizes (players then see 1e9 frames).
        ["mxf", "mxf_d10", "mxf_opatom", "avi"].contains(muxer)
    }

    /// Whether this muxer writes its index last unless told to fragment: `FrameEncoder` makes it write fragmented
    /// MP4 (an empty index first, then a fragment per keyframe) when the output cannot seek (a pipe, a FIFO).
    public static func fragmentsOnPipes(_ muxer: String) -> Bool { isoFamily.contains(muxer) }

    /// Whether the muxer stores a display matrix (a rotation tag). In FFmpeg 5.1 only the MOV/MP4 family does;
    /// Matroska, NUT and the rest drop it, so a portrait phone clip would play sideways: there the frames are turned
    /// instead (`EncoderSettings.appliesRotation`).
    public static func storesRotation(_ muxer: String) -> Bool { isoFamily.contains(muxer) }

    /// FFmpeg's muxers of the ISO base media / QuickTime family.
    private static let isoFamily: Set<String> = ["mp4", "mov", "ipod", "ismv", "3gp", "3g2", "psp", "f4v"]

    /// Whether FFmpeg has an encoder of any kind with this name or codec name.
    public static func hasEncoder(_ name: String) -> Bool {
        avcodec_find_encoder_by_name(name) != nil
            || avcodec_descriptor_get_by_name(name).map { avcodec_find_encoder($0.pointee.id) != nil } == true
    }

    /// Whether FFmpeg has a video encoder with this name or codec name (`libx264`, `ffv1`, `png`, …).
    public static func hasVideoEncoder(_ name: String) -> Bool {
        if let enc = avcodec_find_encoder_by_name(name) { return enc.pointee.type == AVMEDIA_TYPE_VIDEO }
        if let d = avcodec_descriptor_get_by_name(name), let enc = avcodec_find_encoder(d.pointee.id) {
            return enc.pointee.type == AVMEDIA_TYPE_VIDEO
        }
        return false
    }

    /// What processing drops from frames of this pixel format (named as `av_get_pix_fmt_name` names it):
    /// the alpha channel, and depth beyond the 8 bits per sample of our queues and encoders.
    public static func lostByProcessing(pixelFormat name: String) -> [String] {
        let format = av_get_pix_fmt(name)
        guard format != AV_PIX_FMT_NONE, let desc = av_pix_fmt_desc_get(format) else { return [] }
        var lost: [String] = []
        if desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0 { lost.append("its alpha channel") }
        let depth = Int(desc.pointee.comp.0.depth)
        if depth > 8 { lost.append("\(depth - 8) of its \(depth) bits per sample") }
        return lost
    }

    /// FFmpeg's own console messages: silent by default so our one-line errors stand alone.
    public static func setLogging(verbose: Bool) {
        av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_QUIET)
    }
}
