/// Analytic multiply-accumulate count of the generator's convolutions (what scripts/reference_model.py's hook
/// counter measures), used to check the cost budget (≤ 15 GMACs per 1280×720 frame).
enum MACCounter {
    static func conv(_ pixelsOut: Int, cinPerGroup: Int, cout: Int, k: Int) -> Int { pixelsOut * cinPerGroup * cout * k * k }

    static func generator(_ g: Generator, height: Int, width: Int) -> Int {
        let s = g.stride
        let hp = (height + s - 1) / s * s, wp = (width + s - 1) / s * s
        func px(_ stride: Int) -> Int { (hp / stride) * (wp / stride) }
        let (specs, stem) = EfficientNetLite0.scaled(width: g.config.encoderWidth)
        var total = conv(px(2), cinPerGroup: g.config.inputChannels, cout: stem, k: 3)
        var stride = 2
        for b in specs.prefix(g.config.encoderBlocks) {
            let mid = b.input * b.expand
            if b.expand != 1 { total += conv(px(stride), cinPerGroup: b.input, cout: mid, k: 1) }
            stride *= b.stride
            total += conv(px(stride), cinPerGroup: 1, cout: mid, k: b.kernel)
            total += conv(px(stride), cinPerGroup: mid, cout: b.output, k: 1)
        }
        let ch = g.encoder.channels, c = g.config
        let (d1, d2) = (c.decoder[0], c.decoder[1])
        total += conv(px(stride), cinPerGroup: ch[ch.count - 1], cout: c.bottleneck, k: 1)
        total += px(stride) * c.bottleneck * d1 * 16  // transposed conv: input pixels × cin × cout × k²
        total += px(stride / 2) * d1 * d2 * 16
        func sep(_ p: Int, _ cin: Int, _ cout: Int) -> Int {
            c.separable ? conv(p, cinPerGroup: 1, cout: cin, k: 3) + conv(p, cinPerGroup: cin, cout: cout, k: 1)
                        : conv(p, cinPerGroup: cin, cout: cout, k: 3)
        }
        if c.skips {
            let n = ch.count
            total += sep(px(stride / 2), d1 + ch[n - 2], d1)
            total += sep(px(stride / 4), d2 + ch[n - 3], d2)
            total += sep(px(2), d2 + ch[n - 4], c.halfChannels)
            total += sep(px(1), c.halfChannels + c.inputChannels, c.fullChannels)
            total += c.refineEighth * 2 * sep(px(stride / 2), d1, d1)
            total += c.refineQuarter * 2 * sep(px(stride / 4), d2, d2)
            total += c.refineHalf * 2 * sep(px(2), c.halfChannels, c.halfChannels)
            total += c.refineFull * 2 * sep(px(1), c.fullChannels, c.fullChannels)
            total += conv(px(1), cinPerGroup: c.fullChannels, cout: 3, k: 3)
        } else {
            total += conv(px(stride / 4), cinPerGroup: d2, cout: 3, k: 3)
        }
        return total
    }
}
