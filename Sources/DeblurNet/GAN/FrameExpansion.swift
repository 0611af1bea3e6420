import Foundation

extension Generator {
    /// This one-frame model taking `frames` consecutive frames (oldest first) and computing exactly what it did:
    /// the neighbours' weights start at zero where they enter (the stem and the full-resolution fusion), so
    /// fine-tuning on clips starts from the trained model (scripts/reference_model.py `with_frames`).
    public func expanded(toFrames frames: Int) throws -> Generator {
        guard config.frames == 1 else {
            throw ModelError.invalidConfig("the model already takes \(config.frames) frames; only a one-frame model is expanded")
        }
        var cfg = config
        cfg.frames = frames
        let g = try Generator(config: cfg)  // validates: odd and positive
        var sd = stateDict()
        let middle = 3 * (frames / 2), half = config.halfChannels
        // Input channel j of the expanded layer reads channel source(j) of the trained one, or starts at zero.
        func regroup(_ key: String, axis: Int, count: Int, source: (Int) -> Int?) throws {
            guard let t = sd[key] else { throw StateDictError.missingKey(key) }
            let outer = t.shape[..<axis].reduce(1, *), inner = t.shape[(axis + 1)...].reduce(1, *)
            let old = t.array, n = t.shape[axis]
            var data = [Float](repeating: 0, count: outer * count * inner)
            for o in 0..<outer { for j in 0..<count {
                guard let i = source(j) else { continue }
                for e in 0..<inner { data[(o * count + j) * inner + e] = old[(o * n + i) * inner + e] }
            } }
            var shape = t.shape
            shape[axis] = count
            sd[key] = Tensor(shape: shape, data: data)
        }
        let rgbOfMiddle = { (j: Int) -> Int? in (middle..<(middle + 3)).contains(j) ? j - middle : nil }
        try regroup("encoder.stem.conv.weight", axis: 1, count: 3 * frames, source: rgbOfMiddle)
        if fuseFull != nil {
            // The fusion's depthwise filters of the neighbours copy the frame's (their outputs meet zero weights).
            for key in ["fuse_full.dw.conv.weight", "fuse_full.dw.conv.bias"] where sd[key] != nil {
                try regroup(key, axis: 0, count: half + 3 * frames) { $0 < half ? $0 : half + ($0 - half) % 3 }
            }
            try regroup("fuse_full.pw.conv.weight", axis: 1, count: half + 3 * frames) {
                $0 < half ? $0 : rgbOfMiddle($0 - half).map { half + $0 }
            }
        }
        try g.loadStateDict(sd, strict: true)
        return g
    }
}
