import CFFmpeg

/// Re-encodes an audio track into a codec the output container holds (e.g. PCM from a camera's MOV into
/// AAC for MP4), for when the source codec cannot be copied as is.
///
/// decode → resample to the encoder's sample format, rate and layout → FIFO (the encoder wants fixed-size
/// frames) → encode, as in FFmpeg's `doc/examples/transcode_aac.c`. Timestamps count samples from the first
/// decoded frame's time, so the audio keeps its place against the video.
/// Not thread-safe: owned by a `FrameEncoder`.
final class AudioTranscoder {
    /// The encoder used, e.g. `aac`.
    let codecName: String
    /// The encoder's time base (1/sample rate): packets from `transcode`/`flush` are in it.
    let timeBase: AVRational

    // Optional so that a failed init still frees what it opened (deinit runs once every property is set).
    private var decoder: UnsafeMutablePointer<AVCodecContext>?
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var resampler: OpaquePointer?
    private var fifo: OpaquePointer?
    private var decoded: UnsafeMutablePointer<AVFrame>?
    private var resampled: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private let sourceTimeBase: AVRational
    /// Samples per encoder frame (the encoder's own size, or 1024 for encoders that take any size).
    private var chunk: Int32 = 1024
    private var acceptsShortLastFrame = true
    /// Timestamp of the next sample to encode, in `timeBase`; set by the first decoded frame.
    private var nextPTS: Int64?

    /// Opens a decoder for `track` and an encoder for `codec`.
    /// Throws `EncodeError.encoderFailed` when either side is unavailable or the track has no rate or channel count.
    init(track: AudioTrack, codec id: AVCodecID, globalHeader: Bool) throws {
        let source = track.parameters.pointee
        let name = String(cString: avcodec_get_name(id))
        guard let decoderCodec = avcodec_find_decoder(source.codec_id) else {
            throw EncodeError.encoderFailed(name, reason: "no decoder for \(track.codecName) audio")
        }
        guard let encoderCodec = avcodec_find_encoder(id) else {
            throw EncodeError.encoderFailed(name, reason: "this FFmpeg has no \(name) encoder")
        }
        guard source.sample_rate > 0, source.ch_layout.nb_channels > 0 else {
            throw EncodeError.encoderFailed(name, reason: "\(track.codecName) audio has no sample rate or channel count")
        }
        codecName = String(cString: encoderCodec.pointee.name)
        sourceTimeBase = track.timeBase.av
        timeBase = AVRational(num: 1, den: Self.sampleRate(encoderCodec, nearest: source.sample_rate))
        decoder = avcodec_alloc_context3(decoderCodec)
        encoder = avcodec_alloc_context3(encoderCodec)
        guard let dec = decoder, let enc = encoder else { throw EncodeError.encoderFailed(name, reason: "out of memory") }
        var ret = avcodec_parameters_to_context(dec, track.parameters)
        dec.pointee.pkt_timebase = track.timeBase.av
        if ret >= 0 { ret = avcodec_open2(dec, decoderCodec, nil) }
        guard ret >= 0 else { throw EncodeError.encoderFailed(name, reason: "cannot decode \(track.codecName): \(avErrorDescription(ret))") }

        enc.pointee.sample_fmt = Self.sampleFormat(encoderCodec, preferring: dec.pointee.sample_fmt)
        enc.pointee.sample_rate = timeBase.den
        Self.setLayout(&enc.pointee.ch_layout, encoderCodec, from: source.ch_layout)
        enc.pointee.time_base = timeBase
        // 64 kb/s per channel (the ffmpeg CLI's AAC default for stereo), but no more than AAC's 6 bits per sample
        // and channel, which low rates would otherwise exceed.
        let channels = Int64(enc.pointee.ch_layout.nb_channels)
        enc.pointee.bit_rate = min(64_000 * channels, 6 * Int64(timeBase.den) * channels)
        if globalHeader { enc.pointee.flags |= cffmpeg_codec_flag_global_header() }
        ret = avcodec_open2(enc, encoderCodec, nil)
        guard ret >= 0 else { throw EncodeError.encoderFailed(codecName, reason: avErrorDescription(ret)) }
        let caps = encoderCodec.pointee.capabilities
        let variable = caps & cffmpeg_codec_cap_variable_frame_size() != 0 || enc.pointee.frame_size <= 0
        chunk = variable ? 1024 : enc.pointee.frame_size
        acceptsShortLastFrame = variable || caps & cffmpeg_codec_cap_small_last_frame() != 0

        fifo = av_audio_fifo_alloc(enc.pointee.sample_fmt, enc.pointee.ch_layout.nb_channels, chunk)
        decoded = av_frame_alloc()
        resampled = av_frame_alloc()
        packet = av_packet_alloc()
        guard fifo != nil, decoded != nil, resampled != nil, packet != nil else {
            throw EncodeError.encoderFailed(codecName, reason: "out of memory")
        }
    }

    /// Why `track` cannot be copied into `format` as is ("cannot hold", "holds only non-standard"), or nil when it can.
    static func reasonToReencode(_ track: AudioTrack, into format: UnsafePointer<AVOutputFormat>) -> String? {
        // The MP4 muxer takes Vorbis under a private object type that most players (browsers, phones) do not play.
        let name = String(cString: format.pointee.name)
        if track.parameters.pointee.codec_id == AV_CODEC_ID_VORBIS,
           ["mp4", "mov", "ipod", "3gp", "3g2", "ismv", "f4v", "psp"].contains(name) {
            return "holds only non-standard"
        }
        return muxerCopies(track, into: format) ? nil : "cannot hold"
    }

    /// Whether `format` takes `track` copied as is. `avformat_query_codec` answers yes for some pairs the muxer then
    /// refuses in its header (FLAC in MP4 is "experimental", Opus and FLAC in MOV are refused), so the header is
    /// written for real, into memory, with only the audio stream.
    static func muxerCopies(_ track: AudioTrack, into format: UnsafePointer<AVOutputFormat>) -> Bool {
        guard avformat_query_codec(format, track.parameters.pointee.codec_id, FF_COMPLIANCE_NORMAL) != 0 else { return false }
        if format.pointee.flags & cffmpeg_fmt_nofile() != 0 { return true }
        // PSP mode refuses any header without exactly one video and one audio stream, so an audio-only probe
        // would always fail; its codec list (AAC) is all it checks for audio.
        if String(cString: format.pointee.name) == "psp" { return true }
        var context: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_alloc_output_context2(&context, format, nil, nil) >= 0, let context else { return true }
        defer { avformat_free_context(context) }
        guard let stream = avformat_new_stream(context, nil),
              avcodec_parameters_copy(stream.pointee.codecpar, track.parameters) >= 0,
              avio_open_dyn_buf(&context.pointee.pb) >= 0 else { return true }
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = track.timeBase.av
        let accepted = avformat_write_header(context, nil) >= 0
        var buffer: UnsafeMutablePointer<UInt8>?
        avio_close_dyn_buf(context.pointee.pb, &buffer)
        context.pointee.pb = nil
        av_free(buffer)
        return accepted
    }

    /// Gives the output stream the encoder's parameters (before the container header is written).
    func describe(_ stream: UnsafeMutablePointer<AVStream>) throws {
        guard let encoder else { return }
        let ret = avcodec_parameters_from_context(stream.pointee.codecpar, encoder)
        guard ret >= 0 else { throw EncodeError.encoderFailed(codecName, reason: avErrorDescription(ret)) }
        stream.pointee.time_base = timeBase
    }

    deinit {
        avcodec_free_context(&decoder)
        avcodec_free_context(&encoder)
        swr_free(&resampler)
        if let fifo { av_audio_fifo_free(fifo) }
        av_frame_free(&decoded)
        av_frame_free(&resampled)
        av_packet_free(&packet)
    }

    /// Decodes one source packet and hands every packet the encoder has ready to `write` (in `timeBase`).
    /// A packet the decoder rejects (a damaged one) is skipped, as the ffmpeg CLI does, rather than ending the job.
    func transcode(_ source: MediaPacket, write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let decoder, avcodec_send_packet(decoder, source.packet) >= 0 else { return }
        try receiveDecoded(write: write)
    }

    /// Drains the decoder, the resampler, the FIFO (the last frame short or padded with silence) and the encoder.
    func flush(write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let decoder, let encoder else { return }
        avcodec_send_packet(decoder, nil)
        try receiveDecoded(write: write)
        if resampler != nil { try resample(nil) }
        try encodeFIFO(final: true, write: write)
        avcodec_send_frame(encoder, nil)
        try drain(write: write)
    }

    private func receiveDecoded(write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let frame = decoded, let decoder else { return }
        while avcodec_receive_frame(decoder, frame) >= 0 {
            defer { av_frame_unref(frame) }
            if nextPTS == nil {
                let pts = frame.pointee.best_effort_timestamp
                nextPTS = pts == cffmpeg_nopts_value() ? 0 : av_rescale_q(pts, sourceTimeBase, timeBase)
            }
            try resample(frame)
            try encodeFIFO(final: false, write: write)
        }
    }

    /// Converts `input` (nil: the resampler's buffered tail) into the encoder's format and queues it.
    private func resample(_ input: UnsafeMutablePointer<AVFrame>?) throws {
        guard let out = resampled, let encoder else { return }
        if let input, input.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC {
            // PCM from AVI, Matroska or NUT has a channel count but no layout; swresample would substitute the
            // default layout when built and then see every frame's layout as changed ("Input changed").
            let channels = input.pointee.ch_layout.nb_channels
            av_channel_layout_uninit(&input.pointee.ch_layout)
            av_channel_layout_default(&input.pointee.ch_layout, channels)
        }
        if resampler == nil, let input {
            // Built from the first decoded frame, whose format is what the decoder really produces.
            var ret = swr_alloc_set_opts2(&resampler, &encoder.pointee.ch_layout, encoder.pointee.sample_fmt,
                                          encoder.pointee.sample_rate, &input.pointee.ch_layout,
                                          AVSampleFormat(rawValue: input.pointee.format), input.pointee.sample_rate, 0, nil)
            if ret >= 0 { ret = swr_init(resampler) }
            guard ret >= 0 else { throw EncodeError.encoderFailed(codecName, reason: "cannot resample audio: \(avErrorDescription(ret))") }
        }
        av_frame_unref(out)
        out.pointee.format = encoder.pointee.sample_fmt.rawValue
        out.pointee.sample_rate = encoder.pointee.sample_rate
        av_channel_layout_copy(&out.pointee.ch_layout, &encoder.pointee.ch_layout)
        let ret = swr_convert_frame(resampler, out, input)
        guard ret >= 0 else { throw EncodeError.encoderFailed(codecName, reason: "cannot resample audio: \(avErrorDescription(ret))") }
        guard out.pointee.nb_samples > 0, let fifo else { return }
        guard cffmpeg_audio_fifo_write_frame(fifo, out) >= 0 else { throw EncodeError.encoderFailed(codecName, reason: "out of memory") }
    }

    /// Encodes whole `chunk`-sample frames from the FIFO; with `final`, the remainder too.
    private func encodeFIFO(final: Bool, write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let fifo, let encoder else { return }
        while av_audio_fifo_size(fifo) >= chunk || (final && av_audio_fifo_size(fifo) > 0) {
            let available = min(chunk, av_audio_fifo_size(fifo))
            guard let frame = av_frame_alloc() else { throw EncodeError.encoderFailed(codecName, reason: "out of memory") }
            defer { var f: UnsafeMutablePointer<AVFrame>? = frame; av_frame_free(&f) }
            frame.pointee.nb_samples = acceptsShortLastFrame ? available : chunk
            frame.pointee.format = encoder.pointee.sample_fmt.rawValue
            frame.pointee.sample_rate = encoder.pointee.sample_rate
            av_channel_layout_copy(&frame.pointee.ch_layout, &encoder.pointee.ch_layout)
            guard av_frame_get_buffer(frame, 0) >= 0 else { throw EncodeError.encoderFailed(codecName, reason: "out of memory") }
            let read = cffmpeg_audio_fifo_read_frame(fifo, frame, available)
            if read < frame.pointee.nb_samples { cffmpeg_frame_silence_tail(frame, max(0, read)) }
            frame.pointee.pts = nextPTS ?? 0
            nextPTS = (nextPTS ?? 0) + Int64(frame.pointee.nb_samples)
            let ret = avcodec_send_frame(encoder, frame)
            guard ret >= 0 else { throw EncodeError.encoderFailed(codecName, reason: avErrorDescription(ret)) }
            try drain(write: write)
        }
    }

    private func drain(write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let packet, let encoder else { return }
        while true {
            let ret = avcodec_receive_packet(encoder, packet)
            if ret == cffmpeg_averror_eagain() || ret == cffmpeg_averror_eof() { return }
            guard ret >= 0 else { throw EncodeError.encoderFailed(codecName, reason: avErrorDescription(ret)) }
            try write(packet)
            av_packet_unref(packet)
        }
    }

    /// The source's sample format if the encoder takes it, else the encoder's first.
    private static func sampleFormat(_ codec: UnsafePointer<AVCodec>, preferring wanted: AVSampleFormat) -> AVSampleFormat {
        guard let list = codec.pointee.sample_fmts else { return wanted }
        var supported: [AVSampleFormat] = []
        var i = 0
        while list[i] != AV_SAMPLE_FMT_NONE { supported.append(list[i]); i += 1 }
        return supported.contains(wanted) ? wanted : supported.first ?? wanted
    }

    /// The source's rate if the encoder takes it, else the nearest one it does (AAC has a fixed list).
    private static func sampleRate(_ codec: UnsafePointer<AVCodec>, nearest wanted: Int32) -> Int32 {
        guard let list = codec.pointee.supported_samplerates else { return wanted }
        var best = wanted, bestDistance = Int32.max, i = 0
        while list[i] != 0 {
            let distance = abs(list[i] - wanted)
            if distance < bestDistance { best = list[i]; bestDistance = distance }
            i += 1
        }
        return best
    }

    /// The source's layout (the standard one for its channel count when it names none) if the encoder takes it;
    /// else stereo, or the encoder's first layout.
    private static func setLayout(_ layout: UnsafeMutablePointer<AVChannelLayout>, _ codec: UnsafePointer<AVCodec>,
                                  from source: AVChannelLayout) {
        var wanted = AVChannelLayout()
        if source.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&wanted, source.nb_channels)
        } else {
            var copy = source
            av_channel_layout_copy(&wanted, &copy)
        }
        defer { av_channel_layout_uninit(&wanted) }
        guard let list = codec.pointee.ch_layouts else { av_channel_layout_copy(layout, &wanted); return }
        var i = 0, hasStereo = false
        var stereo = AVChannelLayout()
        av_channel_layout_default(&stereo, 2)
        while list[i].nb_channels != 0 {
            var candidate = list[i]
            if av_channel_layout_compare(&candidate, &wanted) == 0 { av_channel_layout_copy(layout, &wanted); return }
            if av_channel_layout_compare(&candidate, &stereo) == 0 { hasStereo = true }
            i += 1
        }
        var fallback = hasStereo ? stereo : list[0]
        av_channel_layout_copy(layout, &fallback)
    }
}
