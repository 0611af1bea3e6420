import Foundation
import Testing
@testable import DeblurNet

/// Our writer's output is pinned to a committed file that `scripts/make_golden_ops.py` loads with
/// `safetensors.torch.load_file` and `nn.Sequential(Conv2d, BatchNorm2d).load_state_dict(strict=True)`.
/// This test proves the current encoder still produces exactly those bytes.
/// Regenerate with `DEBLURNET_WRITE_GOLDEN=1 swift test --filter InteropTests`, then rerun the script.
@Suite struct InteropTests {
    static func swiftWrittenContent() -> Data {
        let net = Sequential([Conv2d(3, 4, kernelSize: 3, padding: 1, seed: 5), BatchNorm2d(4)])
        let bn = net.layers[1] as! BatchNorm2d
        bn.runningMean.value = Tensor(shape: [4], data: [0.5, -0.25, 0.125, 0])
        bn.runningVar.value = Tensor(shape: [4], data: [1.5, 2, 0.75, 1])
        var tensors = net.stateDict()
        let a = Tensor(shape: [2, 3, 4], data: (0..<24).map { Float($0) / 7 })
        tensors["values.f32"] = a
        return Safetensors.encode(tensors, metadata: ["config": "{\"width\": 4}", "format": "pt"], dtype: .f32)
    }

    static func halfContent(_ dtype: SafetensorsDType) -> Data {
        Safetensors.encode(["values": Tensor(shape: [2, 3, 4], data: (0..<24).map { Float($0) / 7 - 1.5 })], dtype: dtype)
    }

    @Test("our safetensors bytes equal the committed files PyTorch verified")
    func bytesArePinned() throws {
        let files = [("swift_written", Self.swiftWrittenContent()), ("swift_written_f16", Self.halfContent(.f16)),
                     ("swift_written_bf16", Self.halfContent(.bf16))]
        if ProcessInfo.processInfo.environment["DEBLURNET_WRITE_GOLDEN"] == "1" {
            for (name, data) in files {
                let src = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).interop")
                try data.write(to: src)
            }
            return   // the bundle still holds the old copies; rerun without the variable
        }
        for (name, data) in files {
            let committed = try Data(contentsOf: Golden.directory.appendingPathComponent("\(name).interop"))
            #expect(committed == data, "\(name): encoder output changed; regenerate and re-verify with the script")
        }
    }
}
