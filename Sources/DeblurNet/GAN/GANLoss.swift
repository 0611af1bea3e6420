/// Weights of the generator loss L_G = adv·BCE(D(fake), real) + ms·multi-scale + pix·pixel.
public struct LossWeights: Sendable, Equatable, Codable {
    public var adversarial: Float
    public var multiScale: Float
    public var pixel: Float
    /// Use MSE instead of L1 (the paper's first formulation).
    public var mse: Bool

    public init(adversarial: Float = 0.001, multiScale: Float = 1, pixel: Float = 0.5, mse: Bool = false) {
        self.adversarial = adversarial; self.multiScale = multiScale; self.pixel = pixel; self.mse = mse
    }
}

/// The generator and discriminator losses of DeblurGAN-v2 as in scripts/reference_model.py.
public enum GANLoss {
    static func pixelLoss(_ a: Variable, _ b: Variable, mse: Bool) -> Variable { mse ? mseLoss(a, b) : l1Loss(a, b) }

    /// Bilinear downsampling to ⌊h/2⌋×⌊w/2⌋ (PyTorch `interpolate`, align_corners=False).
    static func half(_ x: Variable) -> Variable {
        resizeBilinear(x, height: max(1, x.shape[2] / 2), width: max(1, x.shape[3] / 2))
    }

    /// Mean of the pixel loss at scales 1, ½, ¼.
    public static func multiScale(_ fake: Variable, _ sharp: Variable, mse: Bool = false) -> Variable {
        var total = pixelLoss(fake, sharp, mse: mse)
        var a = fake, b = sharp
        for _ in 0..<2 {
            a = half(a); b = half(b)
            total = add(total, pixelLoss(a, b, mse: mse))
        }
        return scale(total, 1.0 / 3.0)
    }

    /// L_G and its parts ("pix", "ms", "adv", "total"). `discriminatorLogits` = D(fake) or nil (no adversarial term).
    public static func generator(fake: Variable, sharp: Variable, discriminatorLogits: Variable?,
                                 weights w: LossWeights) -> (total: Variable, parts: [String: Float]) {
        let pix = pixelLoss(fake, sharp, mse: w.mse)
        let ms = multiScale(fake, sharp, mse: w.mse)
        var total = add(scale(pix, w.pixel), scale(ms, w.multiScale))
        var parts: [String: Float] = ["pix": pix.value.scalar, "ms": ms.value.scalar]
        if let d = discriminatorLogits, w.adversarial > 0 {
            let adv = bceWithLogitsLoss(d, label: 1)
            parts["adv"] = adv.value.scalar
            total = add(total, scale(adv, w.adversarial))
        }
        parts["total"] = total.value.scalar
        return (total, parts)
    }

    /// L_D = ½·[BCE(D(real), 1) + BCE(D(fake), 0)] (fake detached by the caller).
    public static func discriminator(realLogits: Variable, fakeLogits: Variable) -> Variable {
        scale(add(bceWithLogitsLoss(realLogits, label: 1), bceWithLogitsLoss(fakeLogits, label: 0)), 0.5)
    }
}
