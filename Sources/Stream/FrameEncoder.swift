import CFFmpeg
import Foundation
import Logging

/// Encodes RGB float frames into a file, URL or stdout (`-`), keeping size, frame rate and timestamps,
/// and copies passthrough (audio) packets into the same container, interleaved.
///
/// Not thread-safe: use from one thread at a time (the pipeline's encode stage owns it).
public final class FrameEncoder: FrameSink, @unchecked Sendable {
    public let location: String
    /// The encoder actually used (e.g. `libx264`, `png`).
    public private(set) var codecName = ""
    /// The container actually used (e.g. `matroska`, `image2`).
    public private(set) var formatName = ""
    /// Pixel format handed to the encoder (e.g. `yuv420p`, `gbrp`).
    public private(set) var pixelFormatName = ""
    /// Whether the audio track is being copied as is.
    public private(set) var copiesAudio = false
    /// The audio encoder used when the container cannot hold the source's audio codec (e.g. `aac` for PCM into MP4).
    public private(set) var audioReencodedAs: String?
    public private(set) var framesWritten = 0

    /// The frames as they arrive (the source's orientation).
    private let info: VideoStreamInfo
    /// The turn applied to each frame before encoding (`EncoderSettings.appliesRotation`).
    public let rotation: FrameRotation
    private var outputContext: UnsafeMutablePointer<AVFormatContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private var videoStream: UnsafeMutablePointer<AVStream>?
    private var audioStream: UnsafeMutablePointer<AVStream>?
    private var audioTranscoder: AudioTranscoder?
    private var encodeFrame: UnsafeMutablePointer<AVFrame>?
    private var rgbFrame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private var yuvMatrix: YUVMatrix?
    private var headerWritten = false
    private var finished = false
    private var ownsIO = false
    private var lastPTS: Int64?
    private var frameDuration: Int64 = 1
    /// Set when the encoder's time base differs from the frames' (constant-rate muxers): frame pts are rescaled.
    private var ptsRescale: (from: AVRational, to: AVRational)?
    private let logger: Logger

    /// Opens the output and writes the container header.
    /// - Parameters:
    ///   - location: path, URL, or `-` for stdout (then `settings.format` is required).
    ///   - video: size, rate and time base to keep (usually `decoder.videoInfo`).
    ///   - audio: a track to copy (usually `decoder.audioTrack`).
    ///   - logger: where warnings about streams that are not kept as they were go.
    public init(location: String, settings: EncoderSettings = EncoderSettings(), video: VideoStreamInfo,
                audio: AudioTrack? = nil, logger: Logger = Logger(label: "deblur-video.encoder")) throws {
        self.location = location
        self.logger = logger
        self.info = video
        let turn = settings.appliesRotation ? FrameRotation(displayMatrix: video.displayMatrix) ?? .none : .none
        rotation = turn
        // From here on, `video` is the stream as written: turned upright when the rotation is applied.
        let video = turn.applied(to: video)
        let url = ffmpegURL(for: location, output: true)

        var format: UnsafePointer<AVOutputFormat>?
        if let name = settings.format {
            format = av_guess_format(name, nil, nil)
            guard format != nil else { throw EncodeError.unknownFormat(name) }
        } else {
            format = location == "-" ? nil : av_guess_format(nil, location, nil)
            guard format != nil else { throw EncodeError.cannotGuessFormat(location) }
        }
        guard let format else { throw EncodeError.cannotGuessFormat(location) }
        formatName = String(cString: format.pointee.name)

        var oc: UnsafeMutablePointer<AVFormatContext>?
        var ret = avformat_alloc_output_context2(&oc, format, nil, url)
        guard ret >= 0, let oc else { throw EncodeError.cannotOpenOutput(location, reason: avErrorDescription(ret)) }
        outputContext = oc

        let isImage = formatName == "image2" || formatName.hasSuffix("_pipe")
        let encoder = try Self.chooseEncoder(settings.codec, format: format, url: url, isImage: isImage)
        codecName = String(cString: encoder.pointee.name)
        if avformat_query_codec(format, encoder.pointee.id, FF_COMPLIANCE_NORMAL) == 0 {
            throw EncodeError.codecNotSupportedByContainer(codec: codecName, format: formatName)
        }

        guard let stream = avformat_new_stream(oc, nil), let ctx = avcodec_alloc_context3(encoder) else {
            throw EncodeError.encoderFailed(codecName, reason: "out of memory")
        }
        videoStream = stream
        codecContext = ctx
        let pixelFormat = Self.choosePixelFormat(encoder, width: video.width, height: video.height)
        pixelFormatName = String(cString: av_get_pix_fmt_name(pixelFormat))
        if pixelFormat == AV_PIX_FMT_YUV444P && !isImage && (video.width % 2 == 1 || video.height % 2 == 1) {
            logger.warning("odd frame size \(video.width)x\(video.height): written as yuv444p (4:2:0 needs even sizes); some players cannot play it")
        }
        let rate = video.frameRate.isValid ? video.frameRate : Rational(25, 1)
        // AVI and YUV4MPEG take the frame rate from the time base, so they get 1/rate (as the ffmpeg CLI does);
        // other containers keep the source's time base and so its exact timestamps.
        let constantRate = format.pointee.flags & (cffmpeg_fmt_variable_fps() | cffmpeg_fmt_notimestamps()) == 0
        let timeBase = video.timeBase.isValid && !video.isImage && !constantRate
            ? video.timeBase : Rational(rate.denominator, rate.numerator)
        if !video.isImage && video.timeBase.isValid && timeBase != video.timeBase {
            ptsRescale = (video.timeBase.av, timeBase.av)
        }
        ctx.pointee.width = Int32(video.width)
        ctx.pointee.height = Int32(video.height)
        ctx.pointee.pix_fmt = pixelFormat
        ctx.pointee.time_base = timeBase.av
        ctx.pointee.framerate = rate.av
        // Anamorphic sources (DV, HDV) keep their pixel shape, so they are not shown squashed.
        ctx.pointee.sample_aspect_ratio = (video.sampleAspectRatio ?? Rational(1, 1)).av
        ctx.pointee.thread_count = Int32(clamping: settings.threads)
        frameDuration = max(1, av_rescale_q(1, AVRational(num: rate.denominator, den: rate.numerator), timeBase.av))
        let isYUV = (av_pix_fmt_desc_get(pixelFormat)?.pointee.flags ?? 0) & UInt64(AV_PIX_FMT_FLAG_RGB) == 0
        if isYUV {
            if video.colorSpace != Int32(AVCOL_SPC_UNSPECIFIED.rawValue) && video.colorSpace != Int32(AVCOL_SPC_RGB.rawValue) {
                ctx.pointee.colorspace = AVColorSpace(rawValue: UInt32(bitPattern: video.colorSpace))
            }
            ctx.pointee.color_range = ColorMatrix.isJPEGFormat(pixelFormat.rawValue) ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
        }
        if video.colorPrimaries != Int32(AVCOL_PRI_UNSPECIFIED.rawValue) && video.colorPrimaries > 0 {
            ctx.pointee.color_primaries = AVColorPrimaries(rawValue: UInt32(bitPattern: video.colorPrimaries))
        }
        if video.colorTransfer != Int32(AVCOL_TRC_UNSPECIFIED.rawValue) && video.colorTransfer > 0 {
            ctx.pointee.color_trc = AVColorTransferCharacteristic(rawValue: UInt32(bitPattern: video.colorTransfer))
        }
        if (format.pointee.flags & cffmpeg_fmt_globalheader()) != 0 {
            ctx.pointee.flags |= cffmpeg_codec_flag_global_header()
        }
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        if encoder.pointee.id == AV_CODEC_ID_MJPEG {
            // Fixed quantiser 2 (AV_CODEC_FLAG_QSCALE, FF_QP2LAMBDA = 118): high-quality stills instead of a 200 kb/s target.
            ctx.pointee.flags |= 1 << 1
            ctx.pointee.global_quality = 2 * 118
        }
        if codecName == "libx264" || codecName == "libx265" {
            av_dict_set(&options, "preset", settings.preset ?? "veryfast", 0)
            if settings.lowLatency { av_dict_set(&options, "tune", "zerolatency", 0) }
            // x265 prints its own banner and settings to stderr whatever FFmpeg's log level is; keep it to
            // what FFmpeg itself would show.
            if codecName == "libx265" {
                av_dict_set(&options, "x265-params", av_log_get_level() >= AV_LOG_WARNING ? "log-level=warning" : "log-level=error", 0)
            }
        } else if let preset = settings.preset {
            av_dict_set(&options, "preset", preset, 0)
        }
        if let crf = settings.crf {
            av_dict_set(&options, "crf", String(crf), 0)
        }
        ret = avcodec_open2(ctx, encoder, &options)
        guard ret >= 0 else { throw EncodeError.encoderFailed(codecName, reason: avErrorDescription(ret)) }
        if let unused = av_dict_get(options, "", nil, AV_DICT_IGNORE_SUFFIX) {
            logger.warning("\(codecName) ignores option \(String(cString: unused.pointee.key))")
        }
        avcodec_parameters_from_context(stream.pointee.codecpar, ctx)
        stream.pointee.time_base = ctx.pointee.time_base
        stream.pointee.sample_aspect_ratio = ctx.pointee.sample_aspect_ratio
        stream.pointee.avg_frame_rate = rate.av
        stream.pointee.r_frame_rate = rate.av
        if !isImage, let matrix = video.displayMatrix, matrix.count == 9,
           let side = av_stream_new_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, 9 * 4) {
            // Frames are processed as coded, so the source's rotation still applies to them.
            side.withMemoryRebound(to: Int32.self, capacity: 9) { for i in 0..<9 { $0[i] = matrix[i] } }
        }

        if let audio, !isImage {
            if format.pointee.audio_codec == AV_CODEC_ID_NONE {
                logger.warning("\(formatName) has no audio; audio dropped\(settings.suggestsContainer ? " (write .mkv or .mp4 to keep it)" : "")")
            } else if let reason = AudioTranscoder.reasonToReencode(audio, into: format) {
                // Re-encoded into the container's own audio codec (lossy), so the warning names a container that copies it.
                do {
                    let transcoder = try AudioTranscoder(track: audio, codec: format.pointee.audio_codec,
                                                         globalHeader: (format.pointee.flags & cffmpeg_fmt_globalheader()) != 0)
                    guard let aStream = avformat_new_stream(oc, nil) else { throw EncodeError.encoderFailed(transcoder.codecName, reason: "out of memory") }
                    try transcoder.describe(aStream)
                    audioTranscoder = transcoder
                    audioStream = aStream
                    audioReencodedAs = transcoder.codecName
                    logger.warning("\(formatName) \(reason) \(audio.codecName) audio; re-encoded as \(transcoder.codecName)\(settings.suggestsContainer ? " (write .mkv to copy it as is)" : "")")
                } catch {
                    logger.warning("\(formatName) \(reason) \(audio.codecName) audio and re-encoding failed (\(error)); audio dropped\(settings.suggestsContainer ? " (write .mkv, which holds any audio codec, to keep it)" : "")")
                }
            } else if let aStream = avformat_new_stream(oc, nil) {
                avcodec_parameters_copy(aStream.pointee.codecpar, audio.parameters)
                // The source container's tag may mean something else (or nothing) in ours.
                aStream.pointee.codecpar.pointee.codec_tag = 0
                aStream.pointee.time_base = audio.timeBase.av
                audioStream = aStream
                copiesAudio = true
            }
        }

        if (format.pointee.flags & cffmpeg_fmt_nofile()) == 0 {
            ret = avio_open(&oc.pointee.pb, url, AVIO_FLAG_WRITE)
            guard ret >= 0 else { throw EncodeError.cannotOpenOutput(location, reason: avErrorDescription(ret)) }
            ownsIO = true
        }
        var muxerOptions: OpaquePointer? = nil
        defer { av_dict_free(&muxerOptions) }
        if formatName == "image2" {
            // One file, not a numbered sequence: the name has no %d pattern.
            av_dict_set(&muxerOptions, "update", "1", 0)
        }
        if FFmpegSupport.fragmentsOnPipes(formatName), let pb = oc.pointee.pb, pb.pointee.seekable == 0 {
            // A pipe cannot take the index written last: fragmented MP4 puts an empty one first, which players
            // and browsers stream (`ffmpeg -movflags frag_keyframe+empty_moov` does the same).
            // Live output fragments every frame: x264 makes a keyframe every 250 frames, 10 s of nothing on the pipe.
            av_dict_set(&muxerOptions, "movflags",
                        "\(settings.lowLatency ? "frag_every_frame" : "frag_keyframe")+empty_moov+default_base_moof", 0)
        }
        ret = avformat_write_header(oc, &muxerOptions)
        guard ret >= 0 else { throw EncodeError.writeFailed(location, reason: avErrorDescription(ret)) }
        headerWritten = true

        packet = av_packet_alloc()
        encodeFrame = try Self.allocateFrame(pixelFormat, video.width, video.height, codecName)
        if pixelFormat == AV_PIX_FMT_YUV420P || pixelFormat == AV_PIX_FMT_YUVJ420P,
           let matrix = YUVMatrix(colorSpace: video.colorSpace, fullRange: pixelFormat == AV_PIX_FMT_YUVJ420P) {
            yuvMatrix = matrix  // fused float → YUV pass, no swscale
        } else if pixelFormat != AV_PIX_FMT_GBRP {
            rgbFrame = try Self.allocateFrame(AV_PIX_FMT_GBRP, video.width, video.height, codecName)
            let w = Int32(video.width), h = Int32(video.height)
            guard let sws = sws_getContext(w, h, AV_PIX_FMT_GBRP, w, h, pixelFormat, SWS_BICUBIC, nil, nil, nil) else {
                throw EncodeError.encoderFailed(codecName, reason: "cannot convert to \(pixelFormatName)")
            }
            scaler = sws
            if isYUV {
                ColorMatrix.configure(sws, yuvSpace: video.colorSpace,
                                      yuvFullRange: ColorMatrix.isJPEGFormat(pixelFormat.rawValue), yuvIsSource: false)
            }
        }
        logger.debug("writing \(location): \(formatName)/\(codecName)/\(pixelFormatName), audio copied: \(copiesAudio), re-encoded as: \(audioReencodedAs ?? "-")")
    }

    deinit {
        if ownsIO, let oc = outputContext { avio_closep(&oc.pointee.pb) }
        avformat_free_context(outputContext)
        avcodec_free_context(&codecContext)
        av_frame_free(&encodeFrame)
        av_frame_free(&rgbFrame)
        av_packet_free(&packet)
        sws_freeContext(scaler)
    }

    private static func chooseEncoder(_ name: String?, format: UnsafePointer<AVOutputFormat>, url: String,
                                      isImage: Bool) throws -> UnsafePointer<AVCodec> {
        if let name {
            if let byName = avcodec_find_encoder_by_name(name) { return byName }
            if let descriptor = avcodec_descriptor_get_by_name(name), let enc = avcodec_find_encoder(descriptor.pointee.id) {
                return enc
            }
            throw EncodeError.unknownCodec(name)
        }
        if !isImage, let x264 = avcodec_find_encoder_by_name("libx264") {
            // query_codec answers 1/0 for muxers that know, < 0 for those that don't say (nut, mpegts);
            // raw-picture muxers (yuv4mpegpipe, rawvideo) and image ones (gif, apng, webp) keep their own codec.
            let answer = avformat_query_codec(format, x264.pointee.id, FF_COMPLIANCE_NORMAL)
            let rawDefault = [AV_CODEC_ID_WRAPPED_AVFRAME, AV_CODEC_ID_RAWVIDEO, AV_CODEC_ID_NONE, AV_CODEC_ID_GIF, AV_CODEC_ID_APNG,
                              AV_CODEC_ID_WEBP]
                .contains(format.pointee.video_codec)
            if answer == 1 || (answer < 0 && !rawDefault) { return x264 }
        }
        var id = av_guess_codec(format, nil, url, nil, AVMEDIA_TYPE_VIDEO)
        // A picture pipe without a JPEG name (stdout, a FIFO) would get FFmpeg's default, JPEG (lossy): PNG instead.
        if String(cString: format.pointee.name) == "image2pipe" && id == AV_CODEC_ID_MJPEG
            && !["jpg", "jpeg", "mjpg", "mjpeg"].contains((url as NSString).pathExtension.lowercased()) {
            id = AV_CODEC_ID_PNG
        }
        guard let enc = avcodec_find_encoder(id) else {
            throw EncodeError.unknownCodec(String(cString: avcodec_get_name(id)))
        }
        return enc
    }

    /// Lossless codecs get RGB so 8-bit RGB content round-trips exactly; lossy ones get 4:2:0 as players expect.
    private static func choosePixelFormat(_ codec: UnsafePointer<AVCodec>, width: Int, height: Int) -> AVPixelFormat {
        let losslessIDs = [AV_CODEC_ID_FFV1, AV_CODEC_ID_PNG, AV_CODEC_ID_HUFFYUV, AV_CODEC_ID_FFVHUFF,
                           AV_CODEC_ID_UTVIDEO, AV_CODEC_ID_BMP, AV_CODEC_ID_TIFF, AV_CODEC_ID_QTRLE]
        let preferred: [AVPixelFormat] = losslessIDs.contains(codec.pointee.id)
            ? [AV_PIX_FMT_GBRP, AV_PIX_FMT_RGB24, AV_PIX_FMT_BGR24, AV_PIX_FMT_BGR0, AV_PIX_FMT_BGRA, AV_PIX_FMT_YUV444P]
            : codec.pointee.id == AV_CODEC_ID_MJPEG
                ? [AV_PIX_FMT_YUVJ420P]  // JPEG is full range; limited-range MJPEG needs non-standard flags
                : width % 2 == 1 || height % 2 == 1
                    // Video encoders such as libx264 cannot halve an odd size for 4:2:0 chroma: keep full chroma.
                    ? [AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P]
                    : [AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P]
        guard let list = codec.pointee.pix_fmts else { return AV_PIX_FMT_YUV420P }
        var supported: [AVPixelFormat] = []
        var i = 0
        while list[i] != AV_PIX_FMT_NONE { supported.append(list[i]); i += 1 }
        return preferred.first(where: supported.contains) ?? supported.first ?? AV_PIX_FMT_YUV420P
    }

    private static func allocateFrame(_ format: AVPixelFormat, _ width: Int, _ height: Int,
                                      _ codec: String) throws -> UnsafeMutablePointer<AVFrame> {
        guard let f = av_frame_alloc() else { throw EncodeError.encoderFailed(codec, reason: "out of memory") }
        f.pointee.format = format.rawValue
        f.pointee.width = Int32(width)
        f.pointee.height = Int32(height)
        var frame: UnsafeMutablePointer<AVFrame>? = f
        guard av_frame_get_buffer(f, 0) >= 0 else {
            av_frame_free(&frame)
            throw EncodeError.encoderFailed(codec, reason: "out of memory")
        }
        return f
    }

    public func write(_ frame: Frame) throws {
        guard !finished, codecContext != nil, let target = encodeFrame else { return }
        guard frame.width == info.width, frame.height == info.height else {
            throw EncodeError.frameSizeMismatch(expected: "\(info.width)x\(info.height)", got: "\(frame.width)x\(frame.height)")
        }
        let frame = rotation.applied(to: frame)
        var ret = av_frame_make_writable(target)
        guard ret >= 0 else { throw EncodeError.writeFailed(location, reason: avErrorDescription(ret)) }
        let planes = rgbFrame ?? target
        let plane = frame.width * frame.height
        frame.pixels.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            if let matrix = yuvMatrix, let y = cffmpeg_frame_data(target, 0), let u = cffmpeg_frame_data(target, 1),
               let v = cffmpeg_frame_data(target, 2) {
                YUV420Conversion.fromRGB(base, width: frame.width, height: frame.height, matrix: matrix,
                                         y: y, yStride: Int(cffmpeg_frame_linesize(target, 0)),
                                         u: u, uStride: Int(cffmpeg_frame_linesize(target, 1)),
                                         v: v, vStride: Int(cffmpeg_frame_linesize(target, 2)))
                return
            }
            // Frame is R, G, B; GBRP planes are G, B, R.
            for (c, p) in [(0, 2), (1, 0), (2, 1)] {
                guard let dst = cffmpeg_frame_data(planes, Int32(p)) else { continue }
                PixelConversion.toBytes(base + c * plane, width: frame.width, height: frame.height,
                                        into: dst, linesize: Int(cffmpeg_frame_linesize(planes, Int32(p))))
            }
        }
        if let rgb = rgbFrame {
            ret = cffmpeg_sws_frame_to_frame(scaler, rgb, target)
            guard ret >= 0 else { throw EncodeError.writeFailed(location, reason: avErrorDescription(ret)) }
        }
        try send(target, pts: frame.pts, index: frame.index)
    }

    /// 4:2:0 output with our own matrix: converted by the caller's thread, so `write` only copies bytes.
    public func pack(_ frame: Frame) -> PackedFrame {
        guard let matrix = yuvMatrix, frame.width == info.width, frame.height == info.height else { return PackedFrame(frame) }
        return PackedFrame(YUV420Picture(frame: frame, matrix: matrix), pts: frame.pts, index: frame.index)
    }

    public func write(_ packed: PackedFrame) throws {
        guard case .yuv420(let picture) = packed.storage, picture.matrix == yuvMatrix,
              picture.width == info.width, picture.height == info.height else {
            return try write(packed.unpacked())
        }
        guard !finished, let target = encodeFrame else { return }
        let ret = av_frame_make_writable(target)
        guard ret >= 0 else { throw EncodeError.writeFailed(location, reason: avErrorDescription(ret)) }
        guard let y = cffmpeg_frame_data(target, 0), let u = cffmpeg_frame_data(target, 1),
              let v = cffmpeg_frame_data(target, 2) else {
            throw EncodeError.writeFailed(location, reason: "encoder frame has no YUV planes")
        }
        // Turned here, on the encode thread: bytes are cheap to move, and a frame the decoder packed arrives as coded.
        picture.turned(rotation).copy(y: y, yStride: Int(cffmpeg_frame_linesize(target, 0)), u: u, uStride: Int(cffmpeg_frame_linesize(target, 1)),
                     v: v, vStride: Int(cffmpeg_frame_linesize(target, 2)))
        try send(target, pts: packed.pts, index: packed.index)
    }

    /// Stamps and encodes the filled frame, then writes whatever packets are ready.
    private func send(_ target: UnsafeMutablePointer<AVFrame>, pts framePTS: Int64?, index: Int) throws {
        guard let ctx = codecContext else { return }
        var pts = info.isImage ? Int64(framesWritten) : (framePTS ?? Int64(index) * frameDuration)
        if let (from, to) = ptsRescale, framePTS != nil { pts = av_rescale_q(pts, from, to) }
        // Encoders reject non-increasing timestamps; nudge duplicates forward by one tick.
        if let last = lastPTS, pts <= last { pts = last + 1 }
        lastPTS = pts
        target.pointee.pts = pts
        let ret = avcodec_send_frame(ctx, target)
        guard ret >= 0 else { throw EncodeError.writeFailed(location, reason: avErrorDescription(ret)) }
        framesWritten += 1
        try drainPackets()
    }

    private func drainPackets() throws {
        guard let ctx = codecContext, let oc = outputContext, let stream = videoStream, let packet else { return }
        while true {
            let ret = avcodec_receive_packet(ctx, packet)
            if ret == cffmpeg_averror_eagain() || ret == cffmpeg_averror_eof() { return }
            guard ret >= 0 else { throw EncodeError.writeFailed(location, reason: avErrorDescription(ret)) }
            if packet.pointee.duration == 0 { packet.pointee.duration = frameDuration }
            av_packet_rescale_ts(packet, ctx.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = stream.pointee.index
            let written = av_interleaved_write_frame(oc, packet)
            guard written >= 0 else { throw EncodeError.writeFailed(location, reason: avErrorDescription(written)) }
        }
    }

    public func write(passthrough packets: [MediaPacket]) throws {
        guard !finished, audioStream != nil else { return }
        for p in packets {
            if let audioTranscoder {
                try audioTranscoder.transcode(p) { try writeAudio($0, from: audioTranscoder.timeBase) }
            } else {
                p.packet.pointee.pos = -1
                try writeAudio(p.packet, from: p.timeBase.av)
            }
        }
    }

    /// Writes one audio packet whose timestamps are in `timeBase` into the audio stream.
    private func writeAudio(_ packet: UnsafeMutablePointer<AVPacket>, from timeBase: AVRational) throws {
        guard let oc = outputContext, let stream = audioStream else { return }
        av_packet_rescale_ts(packet, timeBase, stream.pointee.time_base)
        packet.pointee.stream_index = stream.pointee.index
        let ret = av_interleaved_write_frame(oc, packet)
        guard ret >= 0 else { throw EncodeError.writeFailed(location, reason: avErrorDescription(ret)) }
    }

    /// Flushes the encoder and writes the trailer. Safe to call more than once.
    public func finish() throws {
        guard !finished, headerWritten, let ctx = codecContext, let oc = outputContext else { return }
        finished = true
        avcodec_send_frame(ctx, nil)
        try drainPackets()
        if let audioTranscoder { try audioTranscoder.flush { try writeAudio($0, from: audioTranscoder.timeBase) } }
        let ret = av_write_trailer(oc)
        if ownsIO { avio_closep(&oc.pointee.pb); ownsIO = false }
        guard ret >= 0 else { throw EncodeError.writeFailed(location, reason: avErrorDescription(ret)) }
    }
}
