import CFFmpeg

/// A compressed packet carried through the pipeline untouched (the audio track), with its time base.
/// Owned by exactly one stage at a time, hence `@unchecked Sendable`.
public final class MediaPacket: @unchecked Sendable {
    let packet: UnsafeMutablePointer<AVPacket>
    let timeBase: Rational

    /// Takes a new reference to `source`'s data.
    init?(referencing source: UnsafePointer<AVPacket>, timeBase: Rational) {
        guard let p = av_packet_alloc() else { return nil }
        guard av_packet_ref(p, source) >= 0 else {
            var q: UnsafeMutablePointer<AVPacket>? = p
            av_packet_free(&q)
            return nil
        }
        packet = p
        self.timeBase = timeBase
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&p)
    }

    /// Presentation time in seconds, if the packet has one.
    public var seconds: Double? {
        packet.pointee.pts == cffmpeg_nopts_value() ? nil : Double(packet.pointee.pts) * timeBase.doubleValue
    }
}

/// Codec parameters of the source audio stream, owned copy so it outlives the decoder.
public final class AudioTrack: @unchecked Sendable {
    let parameters: UnsafeMutablePointer<AVCodecParameters>
    /// Time base of the source audio packets.
    public let timeBase: Rational
    /// Name of the audio codec, e.g. `aac`.
    public let codecName: String

    init?(copying source: UnsafePointer<AVCodecParameters>, timeBase: Rational) {
        guard let p = avcodec_parameters_alloc() else { return nil }
        guard avcodec_parameters_copy(p, source) >= 0 else {
            var q: UnsafeMutablePointer<AVCodecParameters>? = p
            avcodec_parameters_free(&q)
            return nil
        }
        parameters = p
        self.timeBase = timeBase
        codecName = String(cString: avcodec_get_name(source.pointee.codec_id))
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecParameters>? = parameters
        avcodec_parameters_free(&p)
    }
}
