import CFFmpeg
import Dispatch
import Foundation
import Logging

/// Demuxes and decodes the best video stream of a file, URL, image or stdin (`-`) into RGB float frames,
/// and hands the audio stream's packets on untouched.
///
/// Not thread-safe: use from one thread at a time (the pipeline's decode stage owns it).
public final class FrameDecoder: FrameSource, @unchecked Sendable {
    /// What was asked for (`-` for stdin).
    public let location: String
    public private(set) var videoInfo: VideoStreamInfo
    /// The audio stream that will be copied, if the input has one.
    public private(set) var audioTrack: AudioTrack?

    public var expectedFrameCount: Int? { videoInfo.frameCount }
    /// Frames returned so far.
    public private(set) var framesDecoded = 0
    /// Streams besides the video and the audio track being copied (extra audio, subtitles), e.g. `subtitle #3 (subrip)`.
    public private(set) var ignoredStreams: [String] = []
    /// FFmpeg's name for the input's container, e.g. `matroska,webm` or `mov,mp4,m4a,3gp,3g2,mj2`.
    public private(set) var demuxerName = ""

    private var formatContext: UnsafeMutablePointer<AVFormatContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var rgbFrame: UnsafeMutablePointer<AVFrame>?
    private var scaler: OpaquePointer?
    private var scalerSource: (format: Int32, width: Int32, height: Int32, space: Int32, range: Int32)?
    private var videoIndex: Int32
    private var audioIndex: Int32
    private var pendingAudio: [MediaPacket] = []
    private let pool = PixelBufferPool()
    private let cancellation: CancellationToken?
    /// Owns the custom I/O context for stdin; must outlive `formatContext`.
    private var stdinInput: StdinInput?
    private var draining = false
    private var finished = false
    private var lastSeconds: Double?
    private var isSeekableFile: Bool
    /// The video stream's own length, when the file states one: what the truncation check compares against.
    /// (A container's overall duration also covers a longer audio track, so it would cry wolf.)
    private var videoSeconds: Double?
    /// The file's start time (AV_TIME_BASE units), subtracted from every timestamp as the ffmpeg CLI does, so
    /// output starts at 0: an MPEG-TS capture starting at 1.4 s (or at 3600 s) gives no blank lead-in in MP4.
    private var startShift: Int64 = 0
    private let logger: Logger
    /// When the input's header arrived (`DispatchTime` uptime nanoseconds): for a live source, about when its
    /// first frame was sent, so a real-time clock started here counts the probe's wait as lag.
    public private(set) var firstDataTime: UInt64 = 0
    /// Whether the input is a local file (seekable, read at disk speed) rather than a pipe or a URL.
    public var isFile: Bool { isSeekableFile }
    private var decoderName = ""
    /// Decoders that abort the process when asked to explode on damaged data (checked with FFmpeg 5.1).
    static let explodeAborts: Set<String> = ["mpeg4", "h263", "h263p", "h263i", "flv", "msmpeg4v1", "msmpeg4v2",
                                             "msmpeg4", "wmv1", "wmv2"]
    /// True for `explodeAborts` decoders: damage is concealed by FFmpeg and counted in `damagedFrames`.
    private var concealsDamage = false
    private var damagedFrames = 0
    /// Set once a decode error turned out to be the stream's cut-off end (`endsAfterDamage`).
    private var damagedTail = false

    /// Opens `location` (a path, any URL FFmpeg understands, or `-` for stdin).
    /// - Parameters:
    ///   - threads: decoder threads, 0 = FFmpeg's automatic choice.
    ///   - cancellation: when cancelled, a read blocked on a pipe or network returns at once and the
    ///     decoder ends the stream there (so Ctrl-C works even while a camera pipe is silent).
    ///   - networkTimeout: a URL input that sends nothing for this long is an error, not a hang.
    public convenience init(location: String, threads: Int = 0, cancellation: CancellationToken? = nil,
                            networkTimeout: Duration = .seconds(60), logger: Logger = Logger(label: "deblur-video.decoder")) throws {
        try self.init(location: location, threads: threads, cancellation: cancellation, networkTimeout: networkTimeout,
                      logger: logger, readsImageOrientation: true)
    }

    /// `readsImageOrientation`: whether an image file's first picture is decoded once more for its orientation
    /// (false for that decode itself).
    private init(location: String, threads: Int, cancellation: CancellationToken?, networkTimeout: Duration,
                 logger: Logger, readsImageOrientation: Bool) throws {
        self.location = location
        self.logger = logger
        isOrientationProbe = !readsImageOrientation
        let isPath = location != "-" && !location.contains(":")
        if isPath && !FileManager.default.fileExists(atPath: location) {
            throw DecodeError.fileNotFound(location)
        }
        isSeekableFile = isPath

        var fmt: UnsafeMutablePointer<AVFormatContext>? = avformat_alloc_context()
        self.cancellation = cancellation
        if let cancellation, let fmt {
            fmt.pointee.interrupt_callback.callback = { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<CancellationToken>.fromOpaque(opaque).takeUnretainedValue().isCancelled ? 1 : 0
            }
            // Unretained: `self.cancellation` keeps the token alive as long as the context.
            fmt.pointee.interrupt_callback.opaque = Unmanaged.passUnretained(cancellation).toOpaque()
        }
        if location == "-", let fmt {
            let input = try StdinInput(cancellation: cancellation)
            stdinInput = input
            fmt.pointee.pb = input.context
            fmt.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        }
        var openOptions: OpaquePointer? = nil
        defer { av_dict_free(&openOptions) }
        if location == "-" {
            // A live pipe (camera) should start within a second, not after FFmpeg's default 5 s of probing.
            av_dict_set(&openOptions, "analyzeduration", "1000000", 0)
            // Nor wait for frames to guess a frame rate the container states: on a paced 30 fps NUT pipe the
            // probe took 0.43 s instead of 0.90 (raw video) and 0.63 instead of 1.23 (H.264), the rate found the
            // same; without one stated, the rate is still the codec's, or 25 (below).
            av_dict_set(&openOptions, "fpsprobesize", "0", 0)
        } else if !isPath {
            // FFmpeg's network protocols wait forever by default (a server that accepts and never answers).
            let micros = networkTimeout.components.seconds * 1_000_000 + networkTimeout.components.attoseconds / 1_000_000_000_000
            av_dict_set(&openOptions, "rw_timeout", String(max(1, micros)), 0)
        }
        var ret = avformat_open_input(&fmt, location == "-" ? "" : location, nil, &openOptions)
        guard ret >= 0, let fmt else {
            throw DecodeError.cannotOpen(location, reason: avErrorDescription(ret))
        }
        formatContext = fmt
        // The header has arrived; FFmpeg's probe (`avformat_find_stream_info`) now reads about a second of a
        // live stream before the first frame can be decoded.
        firstDataTime = DispatchTime.now().uptimeNanoseconds
        // From here on, deinit frees whatever was allocated if init throws.
        videoIndex = -1
        audioIndex = -1
        videoInfo = VideoStreamInfo(width: 0, height: 0, timeBase: Rational(1, 1), frameRate: Rational(1, 1))
        audioTrack = nil

        ret = avformat_find_stream_info(fmt, nil)
        guard ret >= 0 else { throw DecodeError.cannotOpen(location, reason: avErrorDescription(ret)) }
        if fmt.pointee.start_time != cffmpeg_nopts_value() && fmt.pointee.start_time > 0 { startShift = fmt.pointee.start_time }

        var decoderPtr: UnsafePointer<AVCodec>? = nil
        let vIndex = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoderPtr, 0)
        if vIndex == cffmpeg_averror_decoder_not_found() {
            // Name the codec the stream has, which is more useful than "decoder not found".
            var name = "unknown"
            for i in 0..<Int(fmt.pointee.nb_streams) {
                if let s = fmt.pointee.streams[i], s.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
                    name = String(cString: avcodec_get_name(s.pointee.codecpar.pointee.codec_id))
                    break
                }
            }
            throw DecodeError.unsupportedCodec(name)
        }
        guard vIndex >= 0, let decoder = decoderPtr, let stream = fmt.pointee.streams[Int(vIndex)] else {
            throw DecodeError.noVideoStream(location)
        }
        videoIndex = vIndex
        let par = stream.pointee.codecpar!
        if par.pointee.codec_id == AV_CODEC_ID_NONE {
            throw DecodeError.unsupportedCodec("unknown")
        }
        demuxerName = String(cString: fmt.pointee.iformat.pointee.name)
        let isImage = demuxerName == "image2" || demuxerName.hasSuffix("_pipe")
        if isImage && (par.pointee.width <= 0 || par.pointee.height <= 0) {
            // The image demuxers pick a codec from the file name; a picture without a size is not that kind of image.
            throw DecodeError.cannotOpen(location, reason: "not a valid \(String(cString: avcodec_get_name(par.pointee.codec_id))) image")
        }

        guard let ctx = avcodec_alloc_context3(decoder) else {
            throw DecodeError.decoderFailed(String(cString: decoder.pointee.name), reason: "out of memory")
        }
        codecContext = ctx
        avcodec_parameters_to_context(ctx, par)
        ctx.pointee.thread_count = Int32(clamping: threads)
        ctx.pointee.pkt_timebase = stream.pointee.time_base
        // Fail loudly on damaged data instead of concealing it, so we can say where the stream broke.
        // Not for the H.263 family: FFmpeg 5.1's MPEG-4 Part 2 decoder then aborts the whole process on damage
        // ("Assertion frame->buf[0] failed"); there damage is concealed, as the ffmpeg CLI does, and counted.
        decoderName = String(cString: decoder.pointee.name)
        concealsDamage = Self.explodeAborts.contains(decoderName)
        if !concealsDamage { ctx.pointee.err_recognition |= cffmpeg_ef_explode() }
        ret = avcodec_open2(ctx, decoder, nil)
        guard ret >= 0 else {
            throw DecodeError.decoderFailed(String(cString: decoder.pointee.name), reason: avErrorDescription(ret))
        }

        var rate = Rational(stream.pointee.avg_frame_rate)
        if !rate.isValid { rate = Rational(stream.pointee.r_frame_rate) }
        if !rate.isValid || isImage { rate = Rational(25, 1) }
        let timeBase = Rational(stream.pointee.time_base)
        var duration: Double? = nil
        if stream.pointee.duration != cffmpeg_nopts_value() && stream.pointee.duration > 0 {
            duration = Double(stream.pointee.duration) * timeBase.doubleValue
        } else if let tagged = Self.durationTag(of: stream) {
            duration = tagged  // Matroska keeps per-stream lengths only as a tag
        }
        videoSeconds = duration
        // A fragmented MP4 (no sample table up front) that cannot be seeked states only its first fragment's
        // length: a lower bound, still good for the truncation check, but not the video's length.
        if let pb = fmt.pointee.pb, pb.pointee.seekable == 0, stream.pointee.nb_frames == 0, demuxerName.hasPrefix("mov") {
            duration = nil
        }
        if duration == nil, videoSeconds == nil, fmt.pointee.duration != cffmpeg_nopts_value() && fmt.pointee.duration > 0
                    && fmt.pointee.duration_estimation_method != AVFMT_DURATION_FROM_BITRATE {
            duration = Double(fmt.pointee.duration) / Double(cffmpeg_time_base())
            // With the video alone in the file, the container's length is the video's.
            if fmt.pointee.nb_streams == 1 { videoSeconds = duration }
        }
        var count: Int? = stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil
        var estimated = false
        if count == nil, let duration {
            count = Int((duration * rate.doubleValue).rounded())
            estimated = true
        }
        if isImage { count = 1; estimated = false }

        videoInfo = VideoStreamInfo(
            width: Int(par.pointee.width), height: Int(par.pointee.height),
            timeBase: timeBase, frameRate: rate, frameCount: count, duration: duration,
            codecName: String(cString: avcodec_get_name(par.pointee.codec_id)),
            colorSpace: Int32(bitPattern: par.pointee.color_space.rawValue), isImage: isImage,
            displayMatrix: Self.displayMatrix(of: stream))
        videoInfo.frameCountIsEstimate = estimated
        if let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: par.pointee.format)) { videoInfo.pixelFormat = String(cString: name) }
        let sar = Rational(av_guess_sample_aspect_ratio(fmt, stream, nil))
        if sar.isValid && sar != Rational(1, 1) { videoInfo.sampleAspectRatio = sar }
        videoInfo.colorPrimaries = Int32(bitPattern: par.pointee.color_primaries.rawValue)
        videoInfo.colorTransfer = Int32(bitPattern: par.pointee.color_trc.rawValue)

        let aIndex = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, vIndex, nil, 0)
        if aIndex >= 0, let aStream = fmt.pointee.streams[Int(aIndex)] {
            audioIndex = aIndex
            audioTrack = AudioTrack(copying: aStream.pointee.codecpar, timeBase: Rational(aStream.pointee.time_base))
        }

        for i in 0..<Int(fmt.pointee.nb_streams) where i != Int(videoIndex) && i != Int(audioIndex) {
            guard let other = fmt.pointee.streams[i]?.pointee.codecpar,
                  other.pointee.codec_type != AVMEDIA_TYPE_DATA, other.pointee.codec_type != AVMEDIA_TYPE_ATTACHMENT else { continue }
            let kind = av_get_media_type_string(other.pointee.codec_type).map { String(cString: $0) } ?? "stream"
            ignoredStreams.append("\(kind) #\(i) (\(String(cString: avcodec_get_name(other.pointee.codec_id))))")
        }

        packet = av_packet_alloc()
        frame = av_frame_alloc()
        guard packet != nil, frame != nil else {
            throw DecodeError.decoderFailed(String(cString: decoder.pointee.name), reason: "out of memory")
        }
        // A JPEG's EXIF orientation (a phone's portrait shot) is side data of the decoded picture, not of the
        // stream: read it from a first decode of the file, so it is known before an encoder is opened.
        // (Only JPEG: FFmpeg's other image decoders attach none, so they are not decoded twice for nothing.)
        if isImage && isSeekableFile && readsImageOrientation && videoInfo.displayMatrix == nil && videoInfo.codecName == "mjpeg" {
            var quiet = logger
            quiet.logLevel = .critical  // this decode's complaints are the real one's to make
            let probe = try? FrameDecoder(location: location, threads: 1, cancellation: cancellation, networkTimeout: networkTimeout,
                                          logger: quiet, readsImageOrientation: false)
            if let probe, (try? probe.nextPackedFrame()) != nil { videoInfo.displayMatrix = probe.pictureDisplayMatrix }
        }
        logger.debug("opened \(location): \(videoInfo)")
    }

    /// The display matrix attached to the last decoded picture, if any; read only by the decoder `init` makes to
    /// learn an image's orientation (`isOrientationProbe`), not on every frame of a video.
    private var pictureDisplayMatrix: [Int32]?
    private let isOrientationProbe: Bool

    /// The stream's display matrix side data (rotation/flip a player applies), if it has one.
    private static func displayMatrix(of stream: UnsafeMutablePointer<AVStream>) -> [Int32]? {
        var size = 0
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 9 * 4 else { return nil }
        return (0..<9).map { data.advanced(by: 4 * $0).withMemoryRebound(to: Int32.self, capacity: 1) { $0.pointee } }
    }

    deinit {
        sws_freeContext(scaler)
        av_frame_free(&rgbFrame)
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&codecContext)
        avformat_close_input(&formatContext)
        stdinInput = nil  // after the format context, which used its I/O context
    }

    public func recycle(_ pixels: [Float]) { pool.recycle(pixels) }

    public func takePassthroughPackets() -> [MediaPacket] {
        defer { pendingAudio.removeAll(keepingCapacity: true) }
        return pendingAudio
    }

    public func nextFrame() throws -> Frame? {
        try receive { try convert($0) }
    }

    /// 4:2:0 pictures with a matrix we convert ourselves are copied as they are (1.5 bytes a pixel);
    /// anything else is converted to float RGB here.
    public func nextPackedFrame() throws -> PackedFrame? {
        try receive { src in
            guard let matrix = Self.directMatrix(src), let y = cffmpeg_frame_data(src, 0),
                  let u = cffmpeg_frame_data(src, 1), let v = cffmpeg_frame_data(src, 2) else {
                return PackedFrame(try convert(src))
            }
            let picture = YUV420Picture(width: Int(src.pointee.width), height: Int(src.pointee.height), matrix: matrix,
                                        y: y, yStride: Int(cffmpeg_frame_linesize(src, 0)),
                                        u: u, uStride: Int(cffmpeg_frame_linesize(src, 1)),
                                        v: v, vStride: Int(cffmpeg_frame_linesize(src, 2)))
            let (pts, index) = stamp(src)
            return PackedFrame(picture, pts: pts, index: index)
        }
    }

    /// Runs the send/receive loop until a picture comes out, and hands it to `make`.
    private func receive<T>(_ make: (UnsafeMutablePointer<AVFrame>) throws -> T) throws -> T? {
        guard !finished, let ctx = codecContext, let fmt = formatContext, let packet, let frame else { return nil }
        while true {
            let received = avcodec_receive_frame(ctx, frame)
            if received >= 0 {
                defer { av_frame_unref(frame) }
                if isOrientationProbe, let side = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX), side.pointee.size >= 9 * 4 {
                    pictureDisplayMatrix = (0..<9).map { i in
                        side.pointee.data.advanced(by: 4 * i).withMemoryRebound(to: Int32.self, capacity: 1) { $0.pointee }
                    }
                }
                if concealsDamage && (frame.pointee.decode_error_flags != 0 || frame.pointee.flags & 1 != 0) {
                    damagedFrames += 1  // AV_FRAME_FLAG_CORRUPT or concealed errors
                }
                return try make(frame)
            }
            if received == cffmpeg_averror_eof() {
                try end()
                return nil
            }
            if received != cffmpeg_averror_eagain() {
                if try recover(from: received) { return nil }
                continue
            }
            if draining {
                // Nothing more can come out once the decoder has been flushed.
                try end()
                return nil
            }
            let read = av_read_frame(fmt, packet)
            if read < 0 {
                if cancellation?.isCancelled == true {
                    // Interrupted on purpose: end the stream here and flush what the decoder holds.
                    draining = true
                    avcodec_send_packet(ctx, nil)
                    continue
                }
                if read != cffmpeg_averror_eof() && !(fmt.pointee.pb != nil && avio_feof(fmt.pointee.pb) != 0) {
                    finished = true
                    throw corrupt(avErrorDescription(read))
                }
                draining = true
                avcodec_send_packet(ctx, nil)
                continue
            }
            defer { av_packet_unref(packet) }
            if packet.pointee.stream_index == videoIndex {
                let sent = avcodec_send_packet(ctx, packet)
                if sent < 0 && sent != cffmpeg_averror_eagain() {
                    av_packet_unref(packet)
                    if try recover(from: sent) { return nil }
                }
            } else {
                keepAudio(packet)
            }
        }
    }

    /// A decode error from sending a packet or receiving a frame. Concealing decoders skip the damaged picture and
    /// go on, as the ffmpeg CLI does (also for header damage they report even when concealing); otherwise it is the
    /// cut-off end (`endsAfterDamage`) or corruption, thrown. Returns whether the stream has ended.
    private func recover(from code: Int32) throws -> Bool {
        if concealsDamage && !draining {
            damagedFrames += 1
            return false
        }
        if endsAfterDamage(avErrorDescription(code)) {
            if finished { try end() }
            return finished
        }
        finished = true
        throw corrupt(avErrorDescription(code))
    }

    /// The stream is over: reports concealed damage, then checks that the file was not cut short.
    private func end() throws {
        finished = true
        let damaged = damagedTail || damagedFrames > 0
        if damagedFrames > 0 && framesDecoded > 0 {
            logger.warning("\(damagedFrames) frame\(damagedFrames == 1 ? "" : "s") of the \(decoderName) input had damaged data, concealed by the decoder")
        }
        damagedFrames = 0
        try checkTruncation()
        // Nothing decoded is no video: a cut-off image, a pipe that closed before its first frame. Said, so that
        // an empty output is never taken for a result.
        if framesDecoded == 0 && cancellation?.isCancelled != true {
            throw corrupt(damaged ? "its first frame is cut off or damaged" : "the input ends before its first frame")
        }
    }

    /// Queues a copy of `packet` for the encoder if it belongs to the audio track, shifted like the video.
    private func keepAudio(_ packet: UnsafeMutablePointer<AVPacket>) {
        guard packet.pointee.stream_index == audioIndex, let track = audioTrack,
              let copy = MediaPacket(referencing: packet, timeBase: track.timeBase) else { return }
        let shift = shift(in: track.timeBase)
        if copy.packet.pointee.pts != cffmpeg_nopts_value() { copy.packet.pointee.pts -= shift }
        if copy.packet.pointee.dts != cffmpeg_nopts_value() { copy.packet.pointee.dts -= shift }
        pendingAudio.append(copy)
    }

    /// Whether a decode error is the stream's cut-off end rather than damage in its middle: true when no
    /// video packet follows it (a file cut short, a pipe whose writer died mid-frame). Then only the unfinished
    /// frame is lost: the decoder is flushed, the frames before it are kept with a warning (as the ffmpeg CLI
    /// does), and a stated length still catches a cut file (`checkTruncation`). Video after the damage: false.
    private func endsAfterDamage(_ reason: String) -> Bool {
        guard let ctx = codecContext, let fmt = formatContext, let packet else { return false }
        if damagedTail {
            finished = true  // a second error while flushing the cut end: stop with what we have
            return true
        }
        if !draining {
            while av_read_frame(fmt, packet) >= 0 {
                defer { av_packet_unref(packet) }
                if packet.pointee.stream_index == videoIndex { return false }
                keepAudio(packet)
            }
        }
        damagedTail = true
        // A read stopped by Ctrl-C says nothing about the input's end; with no frame before it, `end` throws instead.
        if cancellation?.isCancelled != true && framesDecoded > 0 {
            logger.warning("the input ends inside a frame (cut off?): \(reason); the frames before it are kept")
        }
        draining = true
        avcodec_send_packet(ctx, nil)
        return true
    }

    private func corrupt(_ reason: String) -> DecodeError {
        var reason = reason
        if framesDecoded == 0 && !isSeekableFile && demuxerName.hasPrefix("mov,mp4") {
            reason += "; an MP4 whose index comes last cannot be read from a pipe: pass the file itself, or pipe nut, matroska or fragmented MP4"
        }
        return .corruptStream(framesDecoded: framesDecoded, seconds: lastSeconds, reason: reason)
    }

    /// A file whose container announced a longer duration than the data we got was cut short.
    private func checkTruncation() throws {
        if cancellation?.isCancelled == true { return }  // stopped on purpose (Ctrl-C), not cut short
        // On a pipe only an MP4/MOV header states the length reliably (its index comes first); Matroska's
        // DURATION tags may be copied from a longer source by whatever wrote the pipe.
        guard isSeekableFile || demuxerName.hasPrefix("mov,mp4"), !videoInfo.isImage, let expected = videoSeconds else { return }
        let frameTime = 1 / max(videoInfo.frameRate.doubleValue, 1)
        let reached = (lastSeconds ?? 0) + frameTime
        if expected - reached > max(0.5, 3 * frameTime) {
            throw DecodeError.truncated(framesDecoded: framesDecoded, seconds: lastSeconds ?? 0, expectedSeconds: expected)
        }
    }

    /// A stream's `DURATION` tag ("HH:MM:SS.fraction", as Matroska muxers write it), in seconds.
    static func durationTag(of stream: UnsafeMutablePointer<AVStream>) -> Double? {
        guard let entry = av_dict_get(stream.pointee.metadata, "DURATION", nil, 0),
              let value = entry.pointee.value else { return nil }
        return parseClockDuration(String(cString: value))
    }

    /// "HH:MM:SS.fraction" in seconds; nil unless it has that form and is positive.
    static func parseClockDuration(_ text: String) -> Double? {
        let parts = text.split(separator: ":")
        guard parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let sec = Double(parts[2]) else { return nil }
        let seconds = h * 3600 + m * 60 + sec
        return seconds > 0 ? seconds : nil
    }

    /// Decoded picture → planar float RGB: YUV 4:2:0 directly, anything else through swscale to 8-bit GBRP.
    private func convert(_ src: UnsafeMutablePointer<AVFrame>) throws -> Frame {
        let width = Int(src.pointee.width), height = Int(src.pointee.height)
        let format = src.pointee.format
        if let matrix = Self.directMatrix(src), let y = cffmpeg_frame_data(src, 0), let u = cffmpeg_frame_data(src, 1), let v = cffmpeg_frame_data(src, 2) {
            // The common case (H.264 & co.): one fused pass, no swscale.
            let pixels = pool.make(count: 3 * width * height) { base in
                YUV420Conversion.toRGB(y: y, yStride: Int(cffmpeg_frame_linesize(src, 0)),
                                       u: u, uStride: Int(cffmpeg_frame_linesize(src, 1)),
                                       v: v, vStride: Int(cffmpeg_frame_linesize(src, 2)),
                                       width: width, height: height, matrix: matrix, into: base)
            }
            return makeFrame(src, width: width, height: height, pixels: pixels)
        }
        let gbrp = Int32(AV_PIX_FMT_GBRP.rawValue)
        var planesFrame = src
        if format != gbrp {
            let key = (format, src.pointee.width, src.pointee.height,
                       Int32(bitPattern: src.pointee.colorspace.rawValue), Int32(bitPattern: src.pointee.color_range.rawValue))
            if scaler == nil || scalerSource.map({ $0 != key }) ?? true {
                try makeScaler(for: src, key: key)
            }
            guard let rgb = rgbFrame else { throw corrupt("no conversion buffer") }
            let ret = cffmpeg_sws_frame_to_frame(scaler, src, rgb)
            if ret < 0 { throw corrupt("pixel conversion failed: \(avErrorDescription(ret))") }
            planesFrame = rgb
        }
        let plane = width * height
        // Every element is written below, so skip zero-filling 3 × W × H floats.
        let pixels = pool.make(count: 3 * plane) { base in
            // GBRP stores planes in G, B, R order; Frame wants R, G, B.
            for (s, c) in [(2, 0), (0, 1), (1, 2)] {  // (source plane, destination channel)
                guard let p = cffmpeg_frame_data(planesFrame, Int32(s)) else { continue }
                PixelConversion.toFloat(p, linesize: Int(cffmpeg_frame_linesize(planesFrame, Int32(s))),
                                        width: width, height: height, into: base + c * plane)
            }
        }
        return makeFrame(src, width: width, height: height, pixels: pixels)
    }

    /// The matrix of a 4:2:0 picture our fused kernel converts (nil: swscale's job).
    private static func directMatrix(_ src: UnsafeMutablePointer<AVFrame>) -> YUVMatrix? {
        let format = src.pointee.format
        guard format == AV_PIX_FMT_YUV420P.rawValue || format == AV_PIX_FMT_YUVJ420P.rawValue else { return nil }
        return YUVMatrix(colorSpace: Int32(bitPattern: src.pointee.colorspace.rawValue),
                         fullRange: format == AV_PIX_FMT_YUVJ420P.rawValue || src.pointee.color_range == AVCOL_RANGE_JPEG)
    }

    private func makeFrame(_ src: UnsafeMutablePointer<AVFrame>, width: Int, height: Int, pixels: [Float]) -> Frame {
        let (pts, index) = stamp(src)
        return Frame(width: width, height: height, pixels: pixels, pts: pts, index: index)
    }

    /// `startShift` in ticks of `timeBase`.
    private func shift(in timeBase: Rational) -> Int64 {
        startShift == 0 ? 0 : av_rescale_q(startShift, AVRational(num: 1, den: cffmpeg_time_base()), timeBase.av)
    }

    /// The picture's timestamp and decode-order index (counts it as decoded).
    private func stamp(_ src: UnsafeMutablePointer<AVFrame>) -> (pts: Int64?, index: Int) {
        let ts = src.pointee.best_effort_timestamp != cffmpeg_nopts_value() ? src.pointee.best_effort_timestamp : src.pointee.pts
        let pts: Int64? = ts == cffmpeg_nopts_value() ? nil : ts - shift(in: videoInfo.timeBase)
        if let pts { lastSeconds = Double(pts) * videoInfo.timeBase.doubleValue }
        let index = framesDecoded
        framesDecoded += 1
        return (pts, index)
    }

    private func makeScaler(for src: UnsafeMutablePointer<AVFrame>,
                            key: (format: Int32, width: Int32, height: Int32, space: Int32, range: Int32)) throws {
        sws_freeContext(scaler)
        scaler = nil
        av_frame_free(&rgbFrame)
        let w = src.pointee.width, h = src.pointee.height
        guard let ctx = sws_getContext(w, h, AVPixelFormat(rawValue: key.format), w, h, AV_PIX_FMT_GBRP,
                                       SWS_BICUBIC, nil, nil, nil) else {
            throw corrupt("cannot convert pixel format \(String(cString: av_get_pix_fmt_name(AVPixelFormat(rawValue: key.format))))")
        }
        scaler = ctx
        scalerSource = key
        ColorMatrix.configure(ctx, yuvSpace: key.space, yuvFullRange: key.range == Int32(AVCOL_RANGE_JPEG.rawValue)
                              || ColorMatrix.isJPEGFormat(key.format), yuvIsSource: true)
        guard let rgb = av_frame_alloc() else { throw corrupt("out of memory") }
        rgb.pointee.format = Int32(AV_PIX_FMT_GBRP.rawValue)
        rgb.pointee.width = w
        rgb.pointee.height = h
        rgbFrame = rgb
        let ret = av_frame_get_buffer(rgb, 0)
        if ret < 0 { throw corrupt("out of memory") }
    }
}
