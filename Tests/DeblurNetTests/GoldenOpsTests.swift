import Foundation
import Testing
@testable import DeblurNet

/// Every op and loss against PyTorch: forward output and the gradients of sum(y·gy) w.r.t. every input.
@Suite struct GoldenOpsTests {
    /// Builds the op named in the file's metadata on the given input variables.
    static func apply(_ f: SafetensorsFile, _ v: [String: Variable]) -> Variable {
        let op = f.metadata["op"] ?? ""
        switch op {
        case "conv2d":
            let p = Golden.ints(f, "pad")
            let cfg = Conv2dConfig(stride: Golden.int(f, "stride"), padding: Padding2d(top: p[0], bottom: p[1], left: p[2], right: p[3]),
                                   dilation: Golden.int(f, "dilation"), groups: Golden.int(f, "groups"))
            return conv2d(v["x"]!, weight: v["w"]!, bias: v["b"], config: cfg, activation: activation(named: Golden.string(f, "act")))
        case "conv_transpose2d":
            let cfg = ConvTranspose2dConfig(stride: Golden.int(f, "stride"), padding: Golden.int(f, "padding"),
                                            outputPadding: Golden.int(f, "output_padding"), dilation: Golden.int(f, "dilation"),
                                            groups: Golden.int(f, "groups"))
            return convTranspose2d(v["x"]!, weight: v["w"]!, bias: v["b"], config: cfg, activation: activation(named: Golden.string(f, "act")))
        case "batch_norm":
            let rm = Buffer(f.tensors["running_mean_in"]!), rv = Buffer(f.tensors["running_var_in"]!)
            let training = (Golden.meta(f, "training") as? Bool) ?? false
            let y = batchNorm(v["x"]!, weight: v["w"], bias: v["b"], runningMean: rm, runningVar: rv, training: training)
            #expect(relativeError(rm.value, f.tensors["running_mean_out"]!) < 1e-5)
            #expect(relativeError(rv.value, f.tensors["running_var_out"]!) < 1e-5)
            return y
        case "instance_norm": return instanceNorm(v["x"]!, weight: v["w"], bias: v["b"])
        case "relu": return relu(v["x"]!)
        case "relu6": return relu6(v["x"]!)
        case "leaky_relu": return leakyReLU(v["x"]!, slope: Golden.float(f, "slope"))
        case "tanh": return DeblurNet.tanh(v["x"]!)
        case "sigmoid": return sigmoid(v["x"]!)
        case "clamp": return clamp(v["x"]!, min: Golden.float(f, "min"), max: Golden.float(f, "max"))
        case "add": return add(v["a"]!, v["b"]!)
        case "mul": return mul(v["a"]!, v["b"]!)
        case "concat": return concatChannels([v["a"]!, v["b"]!, v["c"]!])
        case "slice": return sliceChannels(v["x"]!, start: Golden.int(f, "start"), count: Golden.int(f, "count"))
        case "crop": return crop(v["x"]!, top: Golden.int(f, "top"), left: Golden.int(f, "left"),
                                 height: Golden.int(f, "height"), width: Golden.int(f, "width"))
        case "linear": return linear(v["x"]!, weight: v["w"]!, bias: v["b"])
        case "global_avg_pool": return globalAvgPool(v["x"]!)
        case "bilinear":
            let s = Golden.ints(f, "size"); return resizeBilinear(v["x"]!, height: s[0], width: s[1])
        case "bilinear_concat":
            let s = Golden.ints(f, "size")
            let rows = f.metadata["rows"] == nil ? nil : Golden.ints(f, "rows")
            return resizeBilinear(v["x"]!, height: s[0], width: s[1], rows: rows.map { $0[0]..<$0[1] }, appending: [v["r"]!, v["q"]!])
        case "nearest":
            let s = Golden.ints(f, "size"); return resizeNearest(v["x"]!, height: s[0], width: s[1])
        case "avg_pool": return avgPool2d(v["x"]!, kernelSize: Golden.int(f, "kernel"), stride: Golden.int(f, "stride"))
        case "subsample": return subsample(v["x"]!, stride: Golden.int(f, "stride"))
        case "pad":
            let p = Golden.ints(f, "pad")
            return pad(v["x"]!, Padding2d(top: p[0], bottom: p[1], left: p[2], right: p[3]),
                       mode: Golden.string(f, "mode") == "reflect" ? .reflect : .zero)
        case "l1_loss": return l1Loss(v["x"]!, v["t"]!)
        case "mse_loss": return mseLoss(v["x"]!, v["t"]!)
        case "bce_with_logits": return bceWithLogitsLoss(v["x"]!, v["t"]!)
        default:
            Issue.record("unknown golden op \(op)")
            return v.values.first!
        }
    }

    /// Inputs are the tensors `k` that have a reference gradient `dk`.
    static func inputNames(_ f: SafetensorsFile) -> [String] {
        f.tensors.keys.filter { f.tensors["d" + $0] != nil }.sorted()
    }

    @Test("op matches PyTorch forward and backward", arguments: Golden.opCases)
    func matchesPyTorch(_ name: String) throws {
        let f = try Golden.load(name)
        let gradFree: Set<String> = f.metadata["op"] == "bce_with_logits" ? ["t"] : []   // BCE targets are constants
        for budget in [1 << 17, 48] {   // default tiling, then tiny im2col tiles (many tiles, parity phases)
            try Threading.withIm2colBudget(budget) {
                var vars: [String: Variable] = [:]
                for k in Self.inputNames(f) { vars[k] = Variable(f.tensors[k]!, requiresGrad: !gradFree.contains(k)) }
                let y = Self.apply(f, vars)
                let yRef = try f.tensor("y")
                #expect(y.shape == yRef.shape || (y.value.count == 1 && yRef.count == 1), "\(name): shape \(y.shape) vs \(yRef.shape)")
                let ey = relativeError(y.value, yRef)
                #expect(ey < 1e-4, "\(name) forward rel err \(ey)")
                y.backward(seed: try f.tensor("gy").reshaped(y.shape))
                for (k, v) in vars where !gradFree.contains(k) {
                    guard let g = v.grad else { Issue.record("\(name): no gradient for \(k)"); continue }
                    let e = relativeError(g, try f.tensor("d" + k))
                    #expect(e < 1e-4, "\(name) d\(k) rel err \(e)")
                }
            }
        }
        // The noGrad path gives the same output and records nothing.
        let vars = Dictionary(uniqueKeysWithValues: Self.inputNames(f).map { ($0, Variable(f.tensors[$0]!, requiresGrad: true)) })
        let y = noGrad { Self.apply(f, vars) }
        #expect(y.isLeaf && !y.requiresGrad)
        #expect(relativeError(y.value, try f.tensor("y")) < 1e-4)
    }
}
