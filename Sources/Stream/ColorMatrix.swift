import CFFmpeg

/// Chooses the YUV↔RGB matrix and range for swscale from the stream's tags.
enum ColorMatrix {
    static func isJPEGFormat(_ format: Int32) -> Bool {
        [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P]
            .contains { Int32($0.rawValue) == format }
    }

    /// Sets the matrix of the YUV side (source when decoding, destination when encoding); RGB is full range.
    static func configure(_ ctx: OpaquePointer, yuvSpace: Int32, yuvFullRange: Bool, yuvIsSource: Bool) {
        let space: Int32
        switch yuvSpace {
        case Int32(AVCOL_SPC_BT709.rawValue): space = SWS_CS_ITU709
        case Int32(AVCOL_SPC_BT2020_NCL.rawValue), Int32(AVCOL_SPC_BT2020_CL.rawValue): space = SWS_CS_BT2020
        case Int32(AVCOL_SPC_SMPTE240M.rawValue): space = SWS_CS_SMPTE240M
        case Int32(AVCOL_SPC_FCC.rawValue): space = SWS_CS_FCC
        default: space = SWS_CS_DEFAULT
        }
        let coefficients = sws_getCoefficients(space)
        let full: Int32 = yuvFullRange ? 1 : 0
        if yuvIsSource {
            sws_setColorspaceDetails(ctx, coefficients, full, coefficients, 1, 0, 1 << 16, 1 << 16)
        } else {
            sws_setColorspaceDetails(ctx, coefficients, 1, coefficients, full, 0, 1 << 16, 1 << 16)
        }
    }
}
